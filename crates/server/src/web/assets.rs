//! The console's stylesheet and scripts, built into the binary: no page loads
//! anything from outside the server.

use crate::application::Application;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const CSS: &str = include_str!("../../assets/console.css");
const JS: &str = include_str!("../../assets/console.js");
/// htmx 2.0.11 (BSD0), vendored from the npm package `htmx.org`.
const HTMX: &str = include_str!("../../assets/htmx-2.0.11.min.js");

pub fn router() -> Router<Application> {
    Router::new()
        .route(
            "/assets/console.css",
            get(|| serve(CSS, "text/css; charset=utf-8")),
        )
        .route(
            "/assets/console.js",
            get(|| serve(JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/assets/htmx.min.js",
            get(|| serve(HTMX, "text/javascript; charset=utf-8")),
        )
}

async fn serve(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
