// Steward's API reference: Swagger UI over the server's own description. A file
// of its own because the pages' Content-Security-Policy allows no inline script.
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#reference",
    deepLinking: true,
    displayOperationId: true,
    // Swagger UI would otherwise ask validator.swagger.io about the description.
    validatorUrl: null,
  });
});
