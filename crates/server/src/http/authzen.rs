//! AuthZEN's endpoints (OpenID AuthZEN Authorization API 1.0): the evaluation,
//! the evaluations, and the PDP's metadata document, over application/authzen.rs.

use super::error::ApiError;
use super::extract::{ApiJson, Caller};
use crate::application::authzen::{
    EvaluationAnswer, EvaluationRequest, EvaluationsAnswer, EvaluationsOutcome, EvaluationsRequest,
};
use crate::application::Application;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/access/v1/evaluation", post(evaluation))
        .route("/access/v1/evaluations", post(evaluations))
        .route("/.well-known/authzen-configuration", get(configuration))
}

#[utoipa::path(post, operation_id = "authzenEvaluation", path = "/access/v1/evaluation", tag = "authzen",
    request_body(content = EvaluationRequest, example = json!({
        "subject": {"type": "user", "id": "usr_2b8f"},
        "resource": {"type": "project", "id": "prj_9c1d"},
        "action": {"name": "edit"},
        "context": {"time": "1985-10-26T01:22-07:00"}})),
    responses((status = 200, body = EvaluationAnswer, example = json!({"decision": true, "context": {"reason": "role:editor@prj_9c1d"}})),
        (status = 400), (status = 401), (status = 403)))]
pub(crate) async fn evaluation(
    State(app): State<Application>,
    caller: Caller,
    ApiJson(question): ApiJson<EvaluationRequest>,
) -> Result<Json<EvaluationAnswer>, ApiError> {
    let org = app.steward.authzen_org(caller)?;
    Ok(Json(app.steward.evaluate(&org, &question)?))
}

#[utoipa::path(post, operation_id = "authzenEvaluations", path = "/access/v1/evaluations", tag = "authzen",
    request_body(content = EvaluationsRequest, example = json!({
        "subject": {"type": "user", "id": "usr_2b8f"},
        "resource": {"type": "project", "id": "prj_9c1d"},
        "evaluations": [{"action": {"name": "view"}}, {"action": {"name": "delete"}}],
        "options": {"evaluations_semantic": "execute_all"}})),
    responses((status = 200, body = EvaluationsAnswer, description = "the answers in order; one `{decision, context}` when the request had no `evaluations`",
        example = json!({"evaluations": [
            {"decision": true, "context": {"reason": "role:editor@prj_9c1d"}},
            {"decision": false, "context": {"reason": "no_permission"}}]})),
        (status = 400), (status = 401), (status = 403)))]
pub(crate) async fn evaluations(
    State(app): State<Application>,
    caller: Caller,
    ApiJson(request): ApiJson<EvaluationsRequest>,
) -> Result<Json<EvaluationsOutcome>, ApiError> {
    let org = app.steward.authzen_org(caller)?;
    Ok(Json(app.steward.evaluate_all(&org, &request)?))
}

/// The PDP metadata document of AuthZEN.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AuthzenConfiguration {
    /// The public URL: the base of the endpoints.
    policy_decision_point: String,
    access_evaluation_endpoint: String,
    access_evaluations_endpoint: String,
}

#[utoipa::path(get, operation_id = "getAuthzenConfiguration", path = "/.well-known/authzen-configuration", tag = "authzen",
    security(()), responses((status = 200, body = AuthzenConfiguration)))]
pub(crate) async fn configuration(State(app): State<Application>) -> Json<AuthzenConfiguration> {
    let pdp = app.discovery().issuer;
    Json(AuthzenConfiguration {
        access_evaluation_endpoint: format!("{pdp}/access/v1/evaluation"),
        access_evaluations_endpoint: format!("{pdp}/access/v1/evaluations"),
        policy_decision_point: pdp,
    })
}
