//! Organizations: create (the caller owns it), read, delete; and the policy they
//! run under.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::me::MyAccess;
use crate::application::orgs::PolicyView;
use crate::application::orgs::{OrgDeletion, OrgView};
use crate::application::Application;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs", post(create))
        .route("/api/v1/orgs/{org}", get(read).delete(delete))
        .route("/api/v1/orgs/{org}/deletion", get(deletion))
        .route("/api/v1/orgs/{org}/me", get(my_access))
        .route("/api/v1/policy", get(policy))
        .route("/api/v1/orgs/{org}/policy", get(org_policy))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    pub name: String,
}

#[utoipa::path(post, operation_id = "createOrg", path = "/api/v1/orgs", tag = "organizations", request_body = CreateOrg,
    responses((status = 201, body = OrgView), (status = 400), (status = 401)))]
pub(crate) async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateOrg>,
) -> Result<(StatusCode, Json<OrgView>), ApiError> {
    let view = app.steward.create_organization(&caller, &body.name).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, operation_id = "getOrg", path = "/api/v1/orgs/{org}", tag = "organizations",
    params(("org" = String, Path, description = "organization id")),
    responses((status = 200, body = OrgView), (status = 404)))]
pub(crate) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<OrgView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.organization(&org).await?))
}

#[utoipa::path(delete, operation_id = "deleteOrg", path = "/api/v1/orgs/{org}", tag = "organizations",
    params(("org" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn delete(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.delete_organization(&org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "getOrgDeletion", path = "/api/v1/orgs/{org}/deletion", tag = "organizations",
    params(("org" = String, Path)), responses((status = 200, body = OrgDeletion), (status = 404)))]
pub(crate) async fn deletion(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<OrgDeletion>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.organization_deletion(&org).await?))
}

#[utoipa::path(get, operation_id = "getMyAccess", path = "/api/v1/orgs/{org}/me", tag = "members",
    params(("org" = String, Path)), responses((status = 200, body = MyAccess), (status = 403), (status = 404)))]
pub(crate) async fn my_access(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<MyAccess>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.my_access(&org).await?))
}

#[utoipa::path(get, operation_id = "getPolicy", security(()), path = "/api/v1/policy", tag = "policy",
    responses((status = 200, body = PolicyView)))]
pub(crate) async fn policy(State(app): State<Application>) -> Json<PolicyView> {
    Json(app.steward.policy())
}

#[utoipa::path(get, operation_id = "getOrgPolicy", path = "/api/v1/orgs/{org}/policy", tag = "policy",
    params(("org" = String, Path)), responses((status = 200, body = PolicyView), (status = 404)))]
pub(crate) async fn org_policy(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<PolicyView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.org_policy(&org)))
}
