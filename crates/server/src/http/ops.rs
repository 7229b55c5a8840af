//! Liveness, readiness and metrics, for load balancers and Prometheus.

use super::Metrics;
use crate::application::Application;
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
                let text = metrics.render(app.steward.checks());
                async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text) }
            }),
        )
}

/// The process answers.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The store answers too, and this node still decides with the database's policy
/// (after another node replaced it, this one writes nothing: take it out).
async fn readyz(State(app): State<Application>) -> impl IntoResponse {
    if let Some(stored) = app.service().policy_replaced() {
        let text = format!("policy replaced: the database's is now {stored}; restart this node\n");
        return (StatusCode::SERVICE_UNAVAILABLE, text);
    }
    match sqlx::query("SELECT 1")
        .execute(app.service().store().pool())
        .await
    {
        Ok(_) => (StatusCode::OK, "ready\n".to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable\n".to_string(),
            )
        }
    }
}
