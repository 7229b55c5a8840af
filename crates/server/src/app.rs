//! The composition root: merges the API's and the console's routers over one
//! `Application`, adds what every request shares (request ids, tracing, metrics,
//! a timeout, compression, the error shape) and serves. The only module that
//! knows both adapters; see docs/architecture.md.

use crate::application::Application;
use crate::http::{self, ApiError, Metrics};
use crate::scim;
use crate::web;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use std::time::Instant;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

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

/// Whether a refusal of `req` is answered with the console's error page.
fn wants_error_page(req: &Request) -> bool {
    !req.uri().path().starts_with("/api/") && wants_page(req.headers())
}

/// The last guard of the error shape: a refusal that never went through an
/// adapter's error (a rejection of an extractor this crate does not wrap, a
/// layer's own answer such as the timeout's empty 408) is put in the API's shape
/// here, so no client reads a `text/plain` 4xx; a browser on a console page gets
/// the error page (`page`, from `wants_error_page`). Server-side answers are left
/// as they are: `/readyz`'s plain 503 is for load balancers.
async fn shape_error(page: bool, response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    let text = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) if !encoded => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    };
    let error = ApiError::from_stray(status, &text);
    if page {
        web::stray_page(error.status(), &error.to_string())
    } else {
        error.into_response()
    }
}

/// Middleware, what every answer needs once its route has answered: its time and
/// status in the metrics under the route's template, then `shape_error`.
/// One layer for both, since each `from_fn` layer costs a boxed future and a
/// clone of the service it wraps per request (docs/benchmarks.md "Server CPU per
/// HTTP check").
async fn bookkeeping(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let page = wants_error_page(&req);
    let response = next.run(req).await;
    metrics.observe(
        &method,
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    shape_error(page, response).await
}

/// Every route, with request ids, tracing, metrics, a timeout and compression;
/// every error, whoever made it, in the API's shape (`shape_error`).
pub fn router(app: Application) -> Router {
    let metrics = Arc::new(Metrics::default());
    let timed = Router::new()
        .merge(http::router(metrics.clone()))
        .merge(web::router())
        .merge(scim::router(app.clone()))
        .fallback(no_route)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            http::REQUEST_TIMEOUT,
        ));
    Router::new()
        .merge(timed)
        // The event feed bounds its own waits (docs/audit.md#the-event-feed).
        .merge(http::lasting_router())
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        // Server-Sent Events are left uncompressed (the layer's default
        // predicate), so each event leaves when it is written.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(metrics, bookkeeping))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            // The route's template, never the raw path: an invitation's token
            // travels in its path and must not reach the logs.
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("unmatched", |m| m.as_str());
                let span = tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id);
                // otel: the request's `traceparent` (when traces are exported).
                crate::telemetry::otlp::continue_trace(&span, req.headers());
                span
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(http::MakeRandomId))
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` resolves; requests in flight then
/// finish before this returns.
pub async fn serve(
    app: Application,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let starting = Arc::new(Starting::default());
    starting.ready(router(app));
    serve_starting(starting, listener, shutdown).await
}

/// What a node is doing before it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Connecting, and comparing the schema with this release's.
    Opening = 0,
    Migrating = 1,
    /// Reading every organization into memory.
    Loading = 2,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Opening => "opening the database",
            Phase::Migrating => "migrating the database",
            Phase::Loading => "loading organizations",
        }
    }
}

/// A node that listens before it can serve: `/healthz` answers at once,
/// `/readyz` says what it is doing (503), every other request is 503
/// `not_ready` with a Retry-After; once `ready`, everything goes to the router.
/// So an orchestrator sees a live process, never a refused connection.
#[derive(Default)]
pub struct Starting {
    phase: std::sync::atomic::AtomicU8,
    pub loading: crate::service::Loading,
    serving: std::sync::OnceLock<Router>,
}

impl Starting {
    /// Waits `pause` before each organization it loads (tests).
    pub fn pausing(pause: std::time::Duration) -> Starting {
        Starting {
            loading: crate::service::Loading {
                pause,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    pub fn enter(&self, phase: Phase) {
        self.phase
            .store(phase as u8, std::sync::atomic::Ordering::Relaxed);
    }

    fn phase(&self) -> Phase {
        match self.phase.load(std::sync::atomic::Ordering::Relaxed) {
            1 => Phase::Migrating,
            2 => Phase::Loading,
            _ => Phase::Opening,
        }
    }

    /// From now on every request is served by `router`.
    pub fn ready(&self, router: Router) {
        let _ = self.serving.set(router);
    }

    async fn answer(&self, req: Request) -> Response {
        use tower::ServiceExt;
        if let Some(router) = self.serving.get() {
            return match router.clone().oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
        }
        let (loaded, total) = (
            self.loading
                .loaded
                .load(std::sync::atomic::Ordering::Relaxed),
            self.loading
                .total
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let phase = self.phase();
        match req.uri().path() {
            "/healthz" => "ok\n".into_response(),
            "/readyz" => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "ready": false,
                    "phase": phase.name(),
                    "organizations": { "loaded": loaded, "total": total },
                })),
            )
                .into_response(),
            _ => {
                let what = match phase {
                    Phase::Loading => format!("{}: {loaded} of {total}", phase.name()),
                    other => other.name().to_string(),
                };
                ApiError::NotReady {
                    what,
                    retry_after: std::time::Duration::from_secs(1),
                }
                .into_response()
            }
        }
    }
}

/// Serves on `listener` whatever `starting` answers (see `Starting`) until
/// `shutdown` resolves; requests in flight then finish before this returns.
pub async fn serve_starting(
    starting: Arc<Starting>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let gate = Router::new().fallback(move |req: Request| {
        let starting = starting.clone();
        async move { starting.answer(req).await }
    });
    axum::serve(
        listener,
        gate.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
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
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(Metrics::default()),
                bookkeeping,
            ));
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
