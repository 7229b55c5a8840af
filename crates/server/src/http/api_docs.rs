//! `/api/docs`: the API reference, Swagger UI over `/api/v1/openapi.json`, served
//! from files built into the binary (assets/swagger-ui, vendored with its
//! licence): the page loads nothing from outside the server and runs no inline
//! script.

use crate::application::Application;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// swagger-ui-dist 5.35.0 (Apache-2.0).
const BUNDLE: &str = include_str!("../../assets/swagger-ui/swagger-ui-bundle.js");
const CSS: &str = include_str!("../../assets/swagger-ui/swagger-ui.css");
const START: &str = include_str!("../../assets/swagger-ui/api-docs.js");
const LICENSE: &str = include_str!("../../assets/swagger-ui/LICENSE");

/// The console's policy: the server's own scripts only, never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; \
     form-action 'self'; base-uri 'none'";

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Steward API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<main id="reference"></main>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/api-docs.js"></script>
</body>
</html>
"#;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/docs", get(|| serve(PAGE, "text/html; charset=utf-8")))
        .route(
            "/api/docs/swagger-ui-bundle.js",
            get(|| serve(BUNDLE, "text/javascript; charset=utf-8")),
        )
        .route(
            "/api/docs/swagger-ui.css",
            get(|| serve(CSS, "text/css; charset=utf-8")),
        )
        .route(
            "/api/docs/api-docs.js",
            get(|| serve(START, "text/javascript; charset=utf-8")),
        )
        .route(
            "/api/docs/LICENSE",
            get(|| serve(LICENSE, "text/plain; charset=utf-8")),
        )
}

async fn serve(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
