// The API reference at /api/docs: Swagger UI served by Steward itself (no CDN),
// under the console's Content-Security-Policy (no inline script), listing the
// operations of /api/v1/openapi.json by their operationIds.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, openPage, closeBrowser } from "./support.mjs";

after(closeBrowser);

test("the API reference lists the operations from the server's own files", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const { page, finish } = await openPage(t);
  const response = await page.goto(server.url + "/api/docs");
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-security-policy"], /script-src 'self'/);
  await page.waitForSelector("#operations-members-listMembers", { timeout: 20000 });
  await page.click("#operations-members-listMembers .opblock-summary");
  await page.waitForSelector("#operations-members-listMembers .parameters");
  const text = await page.textContent("#operations-members-listMembers");
  assert.match(text, /role/, "the query parameters are listed");
  assert.match(text, /\(query\)/, "…as query parameters");
  assert.ok(await page.$("#operations-authzen-authzenEvaluation"), "AuthZEN is listed");
  await finish("api-docs");
});
