//! SCIM tokens: `POST`, `GET` and `DELETE` under `/api/v1/orgs/{org}/scim-tokens`,
//! over the provisioning use cases (application/provisioning.rs). A token is an
//! API key with the `scim` permission; the answer carries the SCIM base URL.
//! Also the directory groups' mappings to roles (`/scim-groups`), which the
//! console's Provisioning page sets too, and the provisioning settings
//! (`/scim-settings`: what deprovisioning does).

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::provisioning::{
    CreateScimToken, MappingChoice, ScimSettings, ScimTokenView,
};
use crate::application::{Application, Page};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/scim-tokens", post(create).get(list))
        .route("/api/v1/orgs/{org}/scim-tokens/{key}", delete(revoke))
        .route("/api/v1/orgs/{org}/scim-groups", get(groups))
        .route(
            "/api/v1/orgs/{org}/scim-settings",
            get(settings).put(set_settings),
        )
        .route(
            "/api/v1/orgs/{org}/scim-groups/{group}/mapping",
            put(map_group),
        )
}

/// A directory group and the role it gives.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct GroupView {
    id: String,
    display_name: String,
    members: Vec<String>,
    /// The role it gives (none: nothing yet).
    role: Option<String>,
    /// The scope object the role is on (none: the organization role).
    object_id: Option<String>,
}

#[utoipa::path(get, operation_id = "listDirectoryGroups", path = "/api/v1/orgs/{org}/scim-groups", tag = "provisioning",
    params(("org" = String, Path)),
    responses((status = 200, body = Vec<GroupView>), (status = 403), (status = 404)))]
pub(super) async fn groups(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Vec<GroupView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let groups = app.steward.directory_groups(&org).await?;
    Ok(Json(
        groups
            .into_iter()
            .map(|g| GroupView {
                id: g.id,
                display_name: g.display_name,
                members: g.members.into_iter().map(|(id, _)| id).collect(),
                role: g.mapping.as_ref().map(|m| m.role.clone()),
                object_id: g.mapping.and_then(|m| m.object_id).map(|o| o.to_string()),
            })
            .collect(),
    ))
}

/// `{"role": "admin", "object_id": ""}`; an empty role removes the mapping.
#[utoipa::path(put, operation_id = "mapDirectoryGroup", path = "/api/v1/orgs/{org}/scim-groups/{group}/mapping", tag = "provisioning",
    params(("org" = String, Path), ("group" = String, Path)), request_body = MappingChoice,
    responses((status = 204), (status = 400), (status = 403), (status = 404)))]
pub(super) async fn map_group(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<MappingChoice>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.map_group(&org, &group, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "createScimToken", path = "/api/v1/orgs/{org}/scim-tokens", tag = "provisioning",
    params(("org" = String, Path)), request_body = CreateScimToken,
    responses((status = 201, body = ScimTokenView), (status = 400), (status = 403), (status = 404)))]
pub(super) async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<CreateScimToken>,
) -> Result<(StatusCode, Json<ScimTokenView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let token = app.steward.create_scim_token(&org, body).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

#[utoipa::path(get, operation_id = "listScimTokens", path = "/api/v1/orgs/{org}/scim-tokens", tag = "provisioning",
    params(("org" = String, Path)),
    responses((status = 200, body = Page<ScimTokenView>), (status = 403), (status = 404)))]
pub(super) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Page<ScimTokenView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.scim_tokens(&org).await?))
}

#[utoipa::path(delete, operation_id = "revokeScimToken", path = "/api/v1/orgs/{org}/scim-tokens/{key}", tag = "provisioning",
    params(("org" = String, Path), ("key" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(super) async fn revoke(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, token)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.revoke_scim_token(&org, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "getScimSettings", path = "/api/v1/orgs/{org}/scim-settings", tag = "provisioning",
    params(("org" = String, Path)),
    responses((status = 200, body = ScimSettings), (status = 403), (status = 404)))]
pub(super) async fn settings(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<ScimSettings>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.scim_settings(&org).await?))
}

/// `{"on_deprovision": "suspend"}`: a directory's `active: false` suspends
/// (`remove`, the default: removes).
#[utoipa::path(put, operation_id = "setScimSettings", path = "/api/v1/orgs/{org}/scim-settings", tag = "provisioning",
    params(("org" = String, Path)), request_body = ScimSettings,
    responses((status = 200, body = ScimSettings), (status = 400), (status = 403), (status = 404)))]
pub(super) async fn set_settings(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<ScimSettings>,
) -> Result<Json<ScimSettings>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.set_scim_settings(&org, body).await?))
}
