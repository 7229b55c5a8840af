//! Liveness, readiness and metrics, for load balancers and Prometheus.

use super::Metrics;
use crate::application::{Application, NotReady};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn router(metrics: Arc<Metrics>) -> Router<Application> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/metrics",
            get(move |State(app): State<Application>| {
                let mut text = metrics.render(app.steward.checks());
                text.push_str(&super::metrics::holding(&app.service().holding()));
                crate::telemetry::render(&mut text, &readings(&app));
                async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text) }
            }),
        )
}

/// What `/metrics` reads of the application beyond the request tally.
fn readings(app: &Application) -> crate::telemetry::Readings {
    let pool = app.service().store().pool();
    let limiter = &app.sign_in.limiter;
    crate::telemetry::Readings {
        pool: (
            pool.size(),
            pool.num_idle(),
            pool.options().get_max_connections(),
        ),
        limiter_entries: limiter.entries(),
        limiter_refusals: limiter.refusals(),
    }
}

/// The process answers.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The store answers too, and this node still decides with the database's policy
/// (after another node replaced it, this one writes nothing: take it out).
async fn readyz(State(app): State<Application>) -> impl IntoResponse {
    match app.steward.readiness().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(NotReady::PolicyReplaced(stored)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("policy replaced: the database's is now {stored}; restart this node\n"),
        ),
        Err(NotReady::DatabaseUnreachable) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable\n".to_string(),
        ),
    }
}
