//! The HTTP API of docs/api.md: one `router()` per resource, merged here, over the
//! application layer. Handlers parse, call one use case, and shape the answer;
//! every rule they rely on is the core's or the application's.

pub(crate) mod accounts;
mod api_docs;
mod api_keys;
pub(crate) mod audit;
pub(crate) mod authzen;
pub(crate) mod check;
pub(crate) mod discovery;
pub mod error;
pub(crate) mod exports;
pub(crate) mod extract;
pub(crate) mod feed;
pub(crate) mod import;
pub(crate) mod members;
mod metrics;
pub(crate) mod objects;
mod openapi;
mod ops;
pub(crate) mod orgs;
pub(crate) mod ownership;
mod request_id;
mod scim_tokens;
pub(crate) mod second_factor;
mod sso;
mod webhooks;

pub use error::ApiError;
pub use extract::MAX_BODY_BYTES;
pub use metrics::Metrics;
pub use request_id::random_request_id;

use crate::application::Application;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;

/// How long a request may take before it is answered 408 `timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The API's answer for a path it does not have.
pub fn no_route() -> ApiError {
    ApiError::not_found(
        "no_route",
        "there is no such path; see /api/v1/openapi.json",
    )
}

/// The routes that answer after `REQUEST_TIMEOUT` by design (the event feed's
/// long-poll and stream), served without it.
pub fn lasting_router() -> Router<Application> {
    feed::router()
}

/// Every route of the API and the operator's endpoints (`/healthz`, `/readyz`,
/// `/metrics`); `metrics` is the request tally the app's layer keeps.
pub fn router(metrics: Arc<Metrics>) -> Router<Application> {
    Router::new()
        .merge(accounts::router())
        .merge(discovery::router())
        .merge(orgs::router())
        .merge(members::router())
        .merge(import::router())
        .merge(ownership::router())
        .merge(objects::router())
        .merge(check::router())
        .merge(audit::router())
        .merge(exports::router())
        .merge(api_keys::router())
        .merge(second_factor::router())
        .merge(webhooks::router())
        .merge(scim_tokens::router())
        .merge(sso::router())
        .merge(authzen::router())
        .merge(openapi::router())
        .merge(api_docs::router())
        .merge(ops::router(metrics))
}
