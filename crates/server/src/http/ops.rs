//! Liveness, readiness and metrics, for load balancers and Prometheus.

use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The process answers.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The store answers too, and this node still decides with the database's policy
/// (after another node replaced it, this one writes nothing: take it out).
async fn readyz(State(app): State<AppState>) -> impl IntoResponse {
    if let Some(stored) = app.service.policy_replaced() {
        let text = format!("policy replaced: the database's is now {stored}; restart this node\n");
        return (StatusCode::SERVICE_UNAVAILABLE, text);
    }
    match sqlx::query("SELECT 1")
        .execute(app.service.store().pool())
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

async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
}
