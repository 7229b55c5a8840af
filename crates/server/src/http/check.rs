//! "May this user do this to that object?": one question, a batch, and every
//! action a user may do on one object. Answered from the in-memory snapshot.

use super::error::ApiError;
use super::extract::{ApiBytes, ApiPath, ApiQuery, Caller, InOrg};
use super::members::parse_user;
use crate::application::Application;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use steward_core::Snapshot;

/// The most questions one batch may ask.
pub const MAX_BATCH: usize = 10_000;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/check", post(check))
        .route("/api/v1/orgs/{org}/check/batch", post(check_batch))
        .route(
            "/api/v1/orgs/{org}/members/{user}/permissions",
            get(member_permissions),
        )
}

/// One question. Borrowed from the body: no copy of the ids.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest<'a> {
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub user_id: Cow<'a, str>,
    /// `type:action` (`project:edit`) or `org:action` (`members:manage`).
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub action: Cow<'a, str>,
    /// The object's id, or the organization's for organization actions.
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub object_id: Cow<'a, str>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckAnswer {
    pub allowed: bool,
    /// `root`, `owner`, `role:<name>@<node>`, `grant@<node>`, or why not
    /// (`not_a_member`, `unknown_object`, `unknown_action`, `action_not_applicable`,
    /// `no_permission`).
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest<'a> {
    #[serde(borrow)]
    pub checks: Vec<CheckRequest<'a>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchAnswer {
    /// In the order of the questions.
    pub results: Vec<CheckAnswer>,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::invalid("body", e.to_string()))
}

/// A key (a product's back-end) asks about every object; a member, only about
/// those they may see (`Snapshot::check_by_name_for`): any other reads as one
/// that does not exist.
fn answer(org: &InOrg, q: &CheckRequest<'_>) -> CheckAnswer {
    let snapshot: &Snapshot = &org.snapshot;
    let decision = match org.user() {
        None => snapshot.check_by_name(&q.user_id, &q.action, &q.object_id),
        Some(asker) => {
            snapshot.check_by_name_for(asker.as_str(), &q.user_id, &q.action, &q.object_id)
        }
    };
    CheckAnswer {
        allowed: decision.allowed,
        reason: snapshot.reason_text(&decision).to_string(),
    }
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/check", tag = "checks",
    params(("org" = String, Path)), request_body = CheckRequest,
    responses((status = 200, body = CheckAnswer), (status = 400), (status = 401), (status = 404)))]
pub(crate) async fn check(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<CheckAnswer>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let question: CheckRequest = parse(&body)?;
    org.require_check_about(&question.user_id)?;
    let answer = answer(&org, &question);
    app.steward
        .checks()
        .count(answer.allowed as u64, !answer.allowed as u64);
    Ok(Json(answer))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/check/batch", tag = "checks",
    params(("org" = String, Path)), request_body = BatchRequest,
    responses((status = 200, body = BatchAnswer), (status = 400), (status = 401), (status = 404)))]
pub(crate) async fn check_batch(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<BatchAnswer>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let batch: BatchRequest = parse(&body)?;
    if batch.checks.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "checks",
            format!("at most {MAX_BATCH} checks per batch"),
        ));
    }
    org.require_check_about_all(batch.checks.iter().map(|q| &*q.user_id))?;
    let results: Vec<CheckAnswer> = batch.checks.iter().map(|q| answer(&org, q)).collect();
    let allowed = results.iter().filter(|r| r.allowed).count() as u64;
    app.steward
        .checks()
        .count(allowed, results.len() as u64 - allowed);
    Ok(Json(BatchAnswer { results }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PermissionsQuery {
    /// The object; the organization when left out.
    pub object_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionsView {
    pub actions: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/members/{user}/permissions", tag = "checks",
    params(("org" = String, Path), ("user" = String, Path), PermissionsQuery),
    responses((status = 200, body = ActionsView), (status = 403), (status = 404)))]
pub(crate) async fn member_permissions(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<PermissionsQuery>,
) -> Result<Json<ActionsView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let user = parse_user(&user)?;
    org.require_check_about(user.as_str())?;
    let snapshot = &org.snapshot;
    let u = snapshot
        .user(user.as_str())
        .filter(|&u| snapshot.org_role(u).is_some())
        .ok_or_else(|| steward_core::Refusal::UnknownMember(user.clone()))?;
    let object = q.object_id.as_deref().unwrap_or(org.org.as_str());
    // An object the caller may not see is not found, as one that does not exist.
    let node = snapshot
        .node(object)
        .filter(|_| org.user().is_none() || org.sees(object))
        .ok_or_else(|| {
            ApiError::not_found("unknown_object", format!("no such object: {object}"))
        })?;
    let actions = snapshot
        .permissions(u, node)
        .iter()
        .map(|a| snapshot.policy().action(a).name.clone())
        .collect();
    Ok(Json(ActionsView { actions }))
}
