//! Objects of the organization's tree (created, renamed, moved, deleted), their owners ("Make owner" cascades to the
//! children), per-object grants, and the Permissions dialog's view of an object.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::application::objects::{
    CreateObject, GrantView, ObjectQuery, ObjectView, PermissionsView, UpdateObject,
};
use crate::application::{Application, Page};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/objects", post(create).get(list))
        .route(
            "/api/v1/orgs/{org}/objects/{id}",
            get(read).patch(update).delete(remove),
        )
        .route("/api/v1/orgs/{org}/objects/{id}/owner", post(change_owner))
        .route(
            "/api/v1/orgs/{org}/objects/{id}/permissions",
            get(permissions),
        )
        .route(
            "/api/v1/orgs/{org}/objects/{id}/grants/{user}",
            put(set_grant),
        )
}

#[utoipa::path(post, operation_id = "createObject", path = "/api/v1/orgs/{org}/objects", tag = "objects",
    params(("org" = String, Path)),
    request_body(content = CreateObject, example = json!({"type": "site", "name": "Ghent plant"})),
    responses((status = 201, body = ObjectView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<CreateObject>,
) -> Result<(StatusCode, Json<ObjectView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let object = app.steward.create_object(&org, body).await?;
    Ok((StatusCode::CREATED, Json(object)))
}

#[utoipa::path(get, operation_id = "listObjects", path = "/api/v1/orgs/{org}/objects", tag = "objects",
    params(("org" = String, Path), ObjectQuery),
    responses((status = 200, body = Page<ObjectView>), (status = 400), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<ObjectQuery>,
) -> Result<Json<Page<ObjectView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.objects(&org, query).await?))
}

#[utoipa::path(get, operation_id = "getObject", path = "/api/v1/orgs/{org}/objects/{id}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = ObjectView), (status = 404)))]
pub(crate) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> Result<Json<ObjectView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.object(&org, &id).await?))
}

/// Renames and/or moves an object: `name` needs the type's `share` action on
/// it; `parent_id` (or `parent`) an object of the type's parent type, the
/// type's `delete` action where it is and its `create` rule under the new
/// parent. A question moved to another project takes that project's owner.
#[utoipa::path(patch, operation_id = "updateObject", path = "/api/v1/orgs/{org}/objects/{id}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)), request_body = UpdateObject,
    responses((status = 200, body = ObjectView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn update(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<UpdateObject>,
) -> Result<Json<ObjectView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.update_object(&org, &id, body).await?))
}

#[utoipa::path(delete, operation_id = "deleteObject", path = "/api/v1/orgs/{org}/objects/{id}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn remove(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.delete_object(&org, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerBody {
    pub user_id: String,
}

#[utoipa::path(post, operation_id = "changeObjectOwner", path = "/api/v1/orgs/{org}/objects/{id}/owner", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)), request_body = OwnerBody,
    responses((status = 200, body = ObjectView), (status = 403), (status = 404)))]
pub(crate) async fn change_owner(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<OwnerBody>,
) -> Result<Json<ObjectView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let object = app
        .steward
        .change_object_owner(&org, &id, &body.user_id)
        .await?;
    Ok(Json(object))
}

/// Who may do what on the object, for whoever may share it (the type's `share`
/// action: its owner, and the roles the policy gives that action); others get
/// 403 with the action named.
#[utoipa::path(get, operation_id = "listObjectPermissions", path = "/api/v1/orgs/{org}/objects/{id}/permissions", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = PermissionsView), (status = 403), (status = 404)))]
pub(crate) async fn permissions(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> Result<Json<PermissionsView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.object_permissions(&org, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The user's grant on the object, replaced; `[]` removes it.
    pub actions: Vec<String>,
}

#[utoipa::path(put, operation_id = "setGrant", path = "/api/v1/orgs/{org}/objects/{id}/grants/{user}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path), ("user" = String, Path)),
    request_body = GrantBody,
    responses((status = 200, body = GrantView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn set_grant(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id, user)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<GrantBody>,
) -> Result<Json<GrantView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let grant = app
        .steward
        .set_grant(&org, &id, &user, body.actions)
        .await?;
    Ok(Json(grant))
}
