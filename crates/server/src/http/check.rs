//! "May this user do this to that object?": one question, a batch, and every
//! action a user may do on one object. The questions are read borrowed from the
//! body and the answers written straight from the snapshot's decisions.

use super::error::ApiError;
use super::extract::{ApiBytes, ApiPath, ApiQuery, Caller, OrgInPath};
use crate::application::checks::{
    ActionsView, BatchAnswer, BatchRequest, CheckAnswer, CheckRequest,
};
use crate::application::Application;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/check", post(check))
        .route("/api/v1/orgs/{org}/check/batch", post(check_batch))
        .route(
            "/api/v1/orgs/{org}/members/{user}/permissions",
            get(member_permissions),
        )
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::invalid("body", e.to_string()))
}

#[utoipa::path(post, operation_id = "check", path = "/api/v1/orgs/{org}/check", tag = "checks",
    params(("org" = String, Path)),
    request_body(content = CheckRequest, example = json!({"user_id": "usr_2b8f", "action": "project:edit", "object_id": "prj_9c1d"})),
    responses((status = 200, body = CheckAnswer, example = json!({"allowed": true, "reason": "role:editor@prj_9c1d"})), (status = 400), (status = 401), (status = 404)))]
pub(crate) async fn check(
    State(app): State<Application>,
    caller: Caller,
    org: OrgInPath,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let question: CheckRequest = parse(&body)?;
    Ok(Json(app.steward.check(&org, &question)?).into_response())
}

#[utoipa::path(post, operation_id = "checkBatch", path = "/api/v1/orgs/{org}/check/batch", tag = "checks",
    params(("org" = String, Path)),
    request_body(content = BatchRequest, example = json!({"checks": [
        {"user_id": "usr_2b8f", "action": "project:edit", "object_id": "prj_9c1d"},
        {"user_id": "usr_2b8f", "action": "members:manage", "object_id": "org_41aa"}]})),
    responses((status = 200, body = BatchAnswer, example = json!({"results": [
        {"allowed": true, "reason": "role:editor@prj_9c1d"}, {"allowed": false, "reason": "no_permission"}]})), (status = 400), (status = 401), (status = 404)))]
pub(crate) async fn check_batch(
    State(app): State<Application>,
    caller: Caller,
    org: OrgInPath,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let batch: BatchRequest = parse(&body)?;
    Ok(Json(app.steward.check_batch(&org, &batch)?).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PermissionsQuery {
    /// The object; the organization when left out.
    pub object_id: Option<String>,
}

#[utoipa::path(get, operation_id = "listMemberPermissions", path = "/api/v1/orgs/{org}/members/{user}/permissions", tag = "checks",
    params(("org" = String, Path), ("user" = String, Path), PermissionsQuery),
    responses((status = 200, body = ActionsView), (status = 403), (status = 404)))]
pub(crate) async fn member_permissions(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<PermissionsQuery>,
) -> Result<Json<ActionsView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let actions = app
        .steward
        .member_permissions(&org, &user, q.object_id.as_deref())?;
    Ok(Json(actions))
}
