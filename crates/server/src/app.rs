//! The composition root: merges the API's and the console's routers over one
//! `Application`, adds what every request shares (request ids, tracing, metrics,
//! a timeout, compression, the error shape) and serves. The only module that
//! knows both adapters; see docs/architecture.md.

mod bookkeeping;
mod check_route;
mod starting;

use crate::application::Application;
use crate::http::{self, ApiError, Metrics};
use crate::scim;
use crate::web;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
pub use bookkeeping::{Bookkeeping, REQUEST_ID};
pub use check_route::CheckRoute;
pub use starting::{Phase, Serving, Starting};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

/// Whether the request comes from a browser that wants a page.
fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// An unknown path: a page for a browser, the API's error for everyone else.
async fn no_route(headers: HeaderMap) -> Response {
    if wants_page(&headers) {
        web::not_found_page()
    } else {
        http::no_route().into_response()
    }
}

/// Answers smaller than this leave uncompressed: gzip costs more than it saves
/// on a check's 40 bytes (docs/benchmarks.md "Server CPU per HTTP check").
const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// Middleware under a memory limit: the organization a request is about (in
/// its path, or an API key's on the AuthZEN routes) is loaded again first if it
/// was dropped, so its checks and reads answer as before; that request pays the
/// load (docs/scaling.md#a-memory-limit).
async fn bring_back(State(app): State<Application>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let in_path = ["/api/v1/orgs/", "/orgs/", "/scim/v2/"]
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
        .and_then(|rest| rest.split('/').next())
        .filter(|org| !org.is_empty())
        .map(str::to_string);
    let org = in_path.or_else(|| {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")?;
        path.starts_with("/access/").then_some(())?;
        let grant = app
            .service()
            .api_key(&crate::secrets::secret_hash(token.trim()))?;
        Some(grant.org.to_string())
    });
    if let Some(org) = org {
        if let Err(e) = app.service().bring_back(&org).await {
            return ApiError::from(e).into_response();
        }
    }
    next.run(req).await
}

/// Every route, with request ids, tracing, metrics, a timeout and compression;
/// every error, whoever made it, in the API's shape (`bookkeeping`).
///
/// The layers are one `ServiceBuilder` per group of routes, applied once: each
/// `Router::layer` call wraps every route in one more boxed service that is
/// cloned, and a future boxed, on every request.
pub fn router(app: Application) -> Router {
    serving(app).router
}

/// Server-Sent Events are left uncompressed, so each event leaves when it is
/// written; so are images and gRPC (the layer's default predicate, with a
/// larger minimum size).
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(
        SizeAbove::new(COMPRESS_ABOVE_BYTES)
            .and(NotForContentType::GRPC)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::SSE),
    )
}

/// What a node serves once ready: every route (`router`), and the single check
/// served straight, with the same layers, without the router in front of it
/// (`CheckRoute`); not under a memory limit, whose `bring_back` the router runs.
pub fn serving(app: Application) -> Serving {
    let metrics = Arc::new(Metrics::default());
    let check = (!app.service().evicts()).then(|| CheckRoute::new(app.clone(), metrics.clone()));
    let shared = ServiceBuilder::new()
        .layer(Bookkeeping::new(metrics.clone()))
        .layer(compression())
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES));
    let mut timed = Router::new()
        .merge(http::router(metrics))
        .merge(web::router())
        .merge(scim::router(app.clone()))
        .fallback(no_route)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });
    // The event feed bounds its own waits (docs/audit.md#the-event-feed).
    let mut lasting = http::lasting_router();
    if app.service().evicts() {
        // Only under a memory limit: without one nothing is ever dropped, and
        // a layer costs every request a boxed future.
        let layer = axum::middleware::from_fn_with_state(app.clone(), bring_back);
        timed = timed.layer(layer.clone());
        lasting = lasting.layer(layer);
    }
    let timed = timed.layer(shared.clone().layer(timeout()));
    let router = timed.merge(lasting.layer(shared)).with_state(app);
    Serving { router, check }
}

/// The timeout every timed route has.
fn timeout() -> tower_http::timeout::TimeoutLayer {
    tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        http::REQUEST_TIMEOUT,
    )
}

/// Serves `app` on `listener` until `shutdown` resolves; requests in flight then
/// finish before this returns.
pub async fn serve(
    app: Application,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let starting = Arc::new(Starting::default());
    starting.ready(serving(app));
    serve_starting(starting, listener, shutdown).await
}

/// Serves on `listener` whatever `starting` answers (see `Starting`) until
/// `shutdown` resolves; requests in flight then finish before this returns.
pub async fn serve_starting(
    starting: Arc<Starting>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, starting::Gates(starting))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the `bookkeeping` layer makes of what a route answered.
    async fn kept(path: &str, accept: &str, answer: Response) -> Response {
        use tower::ServiceExt;
        let answer = std::sync::Mutex::new(Some(answer));
        let answer = std::sync::Arc::new(answer);
        let router = axum::Router::new()
            .fallback(move || {
                let answer = answer.clone();
                async move { answer.lock().unwrap().take().unwrap() }
            })
            .layer(Bookkeeping::new(Arc::new(Metrics::default())));
        let request = axum::http::Request::get(path)
            .header(header::ACCEPT, accept)
            .body(axum::body::Body::empty())
            .unwrap();
        router.oneshot(request).await.unwrap()
    }

    async fn json_of(response: Response) -> (StatusCode, serde_json::Value) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn an_answer_made_outside_api_error_is_put_in_the_error_shape() {
        let timeout = StatusCode::REQUEST_TIMEOUT.into_response();
        let (s, body) = json_of(kept("/api/v1/me", "*/*", timeout).await).await;
        assert_eq!(s, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(body["error"]["code"], "TIMEOUT");
        assert_eq!(body["error"]["reason"], "timeout");
        let rejection = (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Expected a form").into_response();
        let (s, body) = json_of(kept("/api/v1/x", "*/*", rejection).await).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["reason"], "content_type");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with(": Expected a form"));
        let rejection = (StatusCode::UNPROCESSABLE_ENTITY, "").into_response();
        let (s, body) = json_of(kept("/api/v1/x", "*/*", rejection).await).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["reason"], "request");
        assert_eq!(body["error"]["message"], "the request could not be read");
        let too_large = (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
        let (_, body) = json_of(kept("/api/v1/x", "*/*", too_large).await).await;
        assert_eq!(body["error"]["reason"], "body_too_large");
    }

    #[tokio::test]
    async fn an_answer_already_in_shape_a_page_or_a_success_is_left_alone() {
        let refused = ApiError::from(steward_core::Refusal::LastAdmin).into_response();
        let (s, body) = json_of(kept("/api/v1/x", "*/*", refused).await).await;
        assert_eq!(
            (s, body["error"]["reason"].as_str()),
            (StatusCode::FORBIDDEN, Some("last_admin"))
        );
        let page = (StatusCode::NOT_FOUND, axum::response::Html("<p>no</p>")).into_response();
        let page = kept("/orgs/x", "text/html", page).await;
        assert_eq!(
            page.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let metrics = "steward_up 1".into_response();
        let metrics = kept("/metrics", "*/*", metrics).await;
        assert_eq!(metrics.status(), StatusCode::OK);
        let not_ready = (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response();
        let not_ready = kept("/readyz", "*/*", not_ready).await;
        assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            not_ready.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }

    #[tokio::test]
    async fn a_browser_on_a_console_page_gets_the_error_page_not_json() {
        let rejection = (StatusCode::BAD_REQUEST, "Invalid URL").into_response();
        let page = kept("/orgs/%FF/users", "text/html,*/*", rejection).await;
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(page.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        // The API's paths answer JSON, whatever the client accepts.
        let rejection = (StatusCode::BAD_REQUEST, "Invalid URL").into_response();
        let (_, body) = json_of(kept("/api/v1/orgs/%FF", "text/html", rejection).await).await;
        assert_eq!(body["error"]["code"], "INVALID");
    }
}
