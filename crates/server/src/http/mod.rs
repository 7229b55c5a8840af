//! The HTTP API of docs/api.md: one `router()` per resource, merged here, over the
//! service layer. Handlers parse, call the service, and shape the answer; every
//! rule they rely on is the core's.

pub(crate) mod accounts;
mod api_keys;
pub(crate) mod audit;
pub(crate) mod check;
pub mod error;
pub(crate) mod exports;
pub(crate) mod extract;
pub(crate) mod import;
pub(crate) mod members;
mod metrics;
pub(crate) mod objects;
mod openapi;
mod ops;
pub(crate) mod orgs;
pub(crate) mod ownership;

pub use error::ApiError;
pub use extract::{Caller, InOrg};
pub use metrics::Metrics;

use crate::auth::{LoginLimiter, Passwords, Signer, TokenError};
use crate::secrets::secret_hash;
use crate::service::Service;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub auth: Arc<Auth>,
    pub config: Arc<HttpConfig>,
    pub metrics: Arc<Metrics>,
}

/// Authentication's parts: token signing, password hashing, the login limiter.
pub struct Auth {
    pub signer: Signer,
    pub passwords: Passwords,
    pub limiter: LoginLimiter,
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Whether `POST /api/v1/signup` is open.
    pub signup: bool,
    /// The address people open, for links printed or returned (invitations).
    pub public_url: String,
}

/// How long a request may take before it is answered 408 `timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// API keys carry this prefix, so a bearer token is told apart without parsing.
pub const API_KEY_PREFIX: &str = "stw_key_";

impl AppState {
    pub async fn new(service: Service, config: HttpConfig) -> Result<AppState, ApiError> {
        let now = service.clock().now().0;
        let signer = Signer::load_or_create(service.store(), now).await?;
        Ok(AppState {
            service,
            auth: Arc::new(Auth {
                signer,
                passwords: Passwords::new(),
                limiter: LoginLimiter::default(),
            }),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        })
    }

    /// The caller behind a bearer token: an API key is looked up by its SHA-256
    /// in memory; anything else must be an access token this deployment signed.
    pub fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        if token.starts_with(API_KEY_PREFIX) {
            return self
                .service
                .api_key(&secret_hash(token))
                .map(Caller::Key)
                .ok_or_else(|| {
                    ApiError::unauthenticated(
                        "invalid_api_key",
                        "this API key is unknown or revoked",
                    )
                });
        }
        let now = self.service.clock().now().0;
        match self.auth.signer.verify(token, now) {
            Ok(claims) => steward_core::UserId::parse(&claims.sub)
                .map(Caller::Account)
                .map_err(|_| ApiError::unauthenticated("invalid_token", "the token is not valid")),
            Err(TokenError::Expired) => Err(ApiError::unauthenticated(
                "token_expired",
                "the access token has expired; refresh it",
            )),
            Err(_) => Err(ApiError::unauthenticated(
                "invalid_token",
                "the token is not valid",
            )),
        }
    }
}

/// An unknown path: a page for a browser, the API's error for everyone else.
async fn no_route(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let error = ApiError::not_found(
        "no_route",
        "there is no such path; see /api/v1/openapi.json",
    );
    let browser = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if browser {
        crate::web::not_found_page()
    } else {
        error.into_response()
    }
}

/// Every route, with request ids, tracing, metrics, a timeout and compression;
/// every error, whoever made it, in the API's shape (`error::keep_error_shape`).
pub fn router(app: AppState) -> Router {
    let api = Router::new()
        .merge(accounts::router())
        .merge(orgs::router())
        .merge(members::router())
        .merge(import::router())
        .merge(ownership::router())
        .merge(objects::router())
        .merge(check::router())
        .merge(audit::router())
        .merge(exports::router())
        .merge(api_keys::router())
        .merge(openapi::router());
    Router::new()
        .merge(api)
        .merge(ops::router())
        .merge(crate::web::router())
        .fallback(no_route)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::extract::DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            metrics::record,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn(error::keep_error_shape))
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
                    .get::<axum::extract::MatchedPath>()
                    .map_or("unmatched", |m| m.as_str());
                tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` resolves; requests in flight then
/// finish before this returns.
pub async fn serve(
    app: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

pub use import::{import_csv, ImportAnswer, ImportStep, MAX_IMPORT_BYTES};
pub use members::{create_invitation, invitation_view, InviteBody, INVITATION_DAYS};
pub use orgs::create_organization;
