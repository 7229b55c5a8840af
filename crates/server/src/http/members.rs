//! Members and invitations over HTTP: each handler resolves the caller, calls one
//! use case of `application::members` or `application::invitations`, and answers.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::application::invitations::{parse_invitation, InvitationView, InviteBody};
use crate::application::members::{
    BulkDeleteBody, BulkDeletion, DeleteQuery, MemberQuery, ScopeRolesBody, ScopeView, UpdateMember,
};
use crate::application::Application;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Serialize;

use crate::application::members::MemberView;
use crate::application::{parse_object, parse_user, Page};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/members", get(list))
        .route(
            "/api/v1/orgs/{org}/members/{user}",
            get(read).patch(update).delete(remove),
        )
        .route("/api/v1/orgs/{org}/members/bulk-delete", post(bulk_delete))
        .route(
            "/api/v1/orgs/{org}/members/{user}/suspension",
            post(suspend).delete(reinstate),
        )
        .route(
            "/api/v1/orgs/{org}/members/{user}/scopes/{object}",
            put(set_scope_roles),
        )
        .route(
            "/api/v1/orgs/{org}/invitations",
            post(invite).get(invitations),
        )
        .route(
            "/api/v1/orgs/{org}/invitations/{invitation}",
            delete(revoke_invitation),
        )
        .route(
            "/api/v1/orgs/{org}/invitations/{invitation}/resend",
            post(resend_invitation),
        )
}

#[utoipa::path(get, operation_id = "listMembers", path = "/api/v1/orgs/{org}/members", tag = "members",
    params(("org" = String, Path), MemberQuery),
    responses((status = 200, body = Page<MemberView>), (status = 403), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Result<Json<Page<MemberView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.members(&org, query).await?))
}

#[utoipa::path(get, operation_id = "getMember", path = "/api/v1/orgs/{org}/members/{user}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)),
    responses((status = 200, body = MemberView), (status = 404)))]
pub(crate) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
) -> Result<Json<MemberView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    Ok(Json(app.steward.member(&org, &user).await?))
}

#[utoipa::path(patch, operation_id = "updateMember", path = "/api/v1/orgs/{org}/members/{user}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)),
    request_body(content = UpdateMember, example = json!({"role": "admin"})),
    responses((status = 200, body = MemberView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn update(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<UpdateMember>,
) -> Result<Json<MemberView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    Ok(Json(app.steward.update_member(&org, &user, body).await?))
}

#[utoipa::path(delete, operation_id = "deleteMember", path = "/api/v1/orgs/{org}/members/{user}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path), DeleteQuery),
    responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn remove(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    app.steward.delete_member(&org, &user, query).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspends the member (docs/provisioning.md#suspension): roles kept, every
/// check denied, sessions and keys ended; the owner never.
#[utoipa::path(post, operation_id = "suspendMember", path = "/api/v1/orgs/{org}/members/{user}/suspension", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)),
    responses((status = 200, body = MemberView), (status = 403), (status = 404)))]
pub(crate) async fn suspend(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
) -> Result<Json<MemberView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    Ok(Json(app.steward.suspend_member(&org, &user).await?))
}

/// Reinstates a suspended member: their roles and grants count again.
#[utoipa::path(delete, operation_id = "reinstateMember", path = "/api/v1/orgs/{org}/members/{user}/suspension", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)),
    responses((status = 200, body = MemberView), (status = 403), (status = 404)))]
pub(crate) async fn reinstate(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
) -> Result<Json<MemberView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    Ok(Json(app.steward.reinstate_member(&org, &user).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkDeleteView {
    /// The members deleted, in the order asked.
    pub deleted: Vec<String>,
    /// The members not deleted, each with the rule that kept them.
    pub refused: Vec<RefusedMember>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefusedMember {
    pub user_id: String,
    /// The same reason the single delete answers (`owner_immutable`, `self_change`,
    /// `unknown_member`, `last_admin`...).
    pub reason: String,
    pub message: String,
}

impl From<BulkDeletion> for BulkDeleteView {
    fn from(done: BulkDeletion) -> BulkDeleteView {
        BulkDeleteView {
            deleted: done.deleted.into_iter().map(|m| m.user_id).collect(),
            refused: done
                .refused
                .into_iter()
                .map(|r| RefusedMember {
                    reason: r.reason().to_string(),
                    message: r.message(),
                    user_id: r.member.user_id,
                })
                .collect(),
        }
    }
}

/// Deletes each member the core permits, by the rule of the single delete, and
/// reports the others: the permitted ones are deleted even when some are refused
/// (docs/model.md#seed-003-platform), all in one transaction, each decided after the ones before it.
#[utoipa::path(post, operation_id = "bulkDeleteMembers", path = "/api/v1/orgs/{org}/members/bulk-delete", tag = "members",
    params(("org" = String, Path)), request_body = BulkDeleteBody,
    responses((status = 200, body = BulkDeleteView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn bulk_delete(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<BulkDeleteBody>,
) -> Result<Json<BulkDeleteView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let done = app.steward.delete_members(&org, body).await?;
    Ok(Json(done.into()))
}

#[utoipa::path(put, operation_id = "setScopeRoles", path = "/api/v1/orgs/{org}/members/{user}/scopes/{object}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path), ("object" = String, Path)),
    request_body = ScopeRolesBody,
    responses((status = 200, body = ScopeView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn set_scope_roles(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user, object)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<ScopeRolesBody>,
) -> Result<Json<ScopeView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    let object = parse_object(&object)?;
    let view = app
        .steward
        .set_scope_roles(&org, &user, &object, body.roles)
        .await?;
    Ok(Json(view))
}

#[utoipa::path(post, operation_id = "createInvitation", path = "/api/v1/orgs/{org}/invitations", tag = "invitations",
    params(("org" = String, Path)), request_body = InviteBody,
    responses((status = 201, body = InvitationView), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub(crate) async fn invite(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let view = app.steward.create_invitation(&org, body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, operation_id = "listInvitations", path = "/api/v1/orgs/{org}/invitations", tag = "invitations",
    params(("org" = String, Path)),
    responses((status = 200, body = Vec<InvitationView>), (status = 403), (status = 404)))]
pub(crate) async fn invitations(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Page<InvitationView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.invitations(&org).await?))
}

#[utoipa::path(delete, operation_id = "revokeInvitation", path = "/api/v1/orgs/{org}/invitations/{invitation}", tag = "invitations",
    params(("org" = String, Path), ("invitation" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn revoke_invitation(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, invitation)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let invitation = parse_invitation(&invitation)?;
    app.steward.revoke_invitation(&org, invitation).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A fresh link for a pending invitation; the old one stops working.
#[utoipa::path(post, operation_id = "resendInvitation", path = "/api/v1/orgs/{org}/invitations/{invitation}/resend", tag = "invitations",
    params(("org" = String, Path), ("invitation" = String, Path)),
    responses((status = 201, body = InvitationView), (status = 403), (status = 404)))]
pub(crate) async fn resend_invitation(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, invitation)): ApiPath<(String, String)>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let invitation = parse_invitation(&invitation)?;
    let view = app.steward.resend_invitation(&org, invitation).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
