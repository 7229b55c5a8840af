//! The admin console: pages rendered on the server (askama, with htmx for the
//! in-row edits), signed in by a session cookie. Every page calls the
//! application's use cases (`crate::application`), as the HTTP API does, so no
//! rule is checked twice; see docs/architecture.md.

mod accounts;
mod assets;
mod audit;
mod form;
mod import;
mod me;
mod objects;
mod ownership;
mod page;
mod passwords;
mod provisioning;
mod roles;
mod second_factor;
mod session;
mod settings;
mod sso;
mod users;
mod webhooks;
mod webhooks_log;

use crate::application::Application;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;

pub use session::SESSION_COOKIE;

/// The page a browser gets for a path that does not exist.
pub fn not_found_page() -> Response {
    stray_page(
        axum::http::StatusCode::NOT_FOUND,
        "there is no page at this address",
    )
}

/// The page a browser gets for an answer made outside the console (a layer's
/// own, a request axum refused), in words.
pub fn stray_page(status: axum::http::StatusCode, message: &str) -> Response {
    use axum::response::IntoResponse;
    page::PageError::Stray {
        status,
        message: message.to_string(),
    }
    .into_response()
}

/// Pages may load only the server's own files, never run inline script, and
/// never be framed (clickjacking of the role dropdowns).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; \
     form-action 'self'; base-uri 'none'";

async fn page_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

pub fn router() -> Router<Application> {
    Router::new()
        .merge(assets::router())
        .merge(accounts::router())
        .merge(passwords::router())
        .merge(second_factor::router())
        .merge(users::router())
        .merge(import::router())
        .merge(ownership::router())
        .merge(objects::router())
        .merge(audit::router())
        .merge(roles::router())
        .merge(me::router())
        .merge(settings::router())
        .merge(provisioning::router())
        .merge(sso::router())
        .merge(webhooks::router())
        .layer(axum::middleware::from_fn(page_headers))
}
