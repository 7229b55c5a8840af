//! Members: list, read, rename, change role, delete, scope roles; and the
//! invitations that bring new ones in.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, InOrg};
use crate::application::invitations::{invitation_token, INVITATION_DAYS};
use crate::application::Application;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use steward_core::{
    member_warnings, Command, Email, InvitationId, Name, ObjectId, Policy, State as OrgState,
    UserId,
};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/members", get(list))
        .route(
            "/api/v1/orgs/{org}/members/{user}",
            get(read).patch(update).delete(remove),
        )
        .route("/api/v1/orgs/{org}/members/bulk-delete", post(bulk_delete))
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
}

/// A member as the API shows one.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    /// Roles held on scope objects: those the caller may see.
    pub scopes: Vec<ScopeView>,
    /// e.g. `viewer_without_sites`: a viewer who will see nothing until given sites.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub object_id: String,
    pub roles: Vec<String>,
}

/// `user` as `viewer` may see them: their scopes only on objects `viewer` sees.
pub fn member_view(
    policy: &Policy,
    state: &OrgState,
    user: &UserId,
    viewer: &InOrg,
) -> Option<MemberView> {
    let m = state.member(user)?;
    Some(MemberView {
        user_id: m.user_id.to_string(),
        email: m.email.to_string(),
        name: m.name.to_string(),
        role: m.role.clone(),
        scopes: state
            .scopes_of(user)
            .filter(|(object, _)| viewer.sees(object.as_str()))
            .map(|(object, roles)| ScopeView {
                object_id: object.to_string(),
                roles: roles.iter().cloned().collect(),
            })
            .collect(),
        warnings: member_warnings(policy, state, user),
    })
}

/// `{items, next_cursor}`: the list shape of every listing endpoint.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `limit` as docs/api.md#lists-and-pagination sets it: 50 by default, at most 1000.
pub fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=1000).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "limit",
            "limit must be between 1 and 1000",
        )),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MemberQuery {
    /// Only members with this organization role.
    pub role: Option<String>,
    /// Text in the name or e-mail, any case.
    pub q: Option<String>,
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A `name` field that may be left out.
pub fn optional_name(name: Option<&str>) -> Result<Option<Name>, ApiError> {
    name.map(Name::parse)
        .transpose()
        .map_err(|e| ApiError::field("name", e))
}

pub fn parse_user(user: &str) -> Result<UserId, ApiError> {
    UserId::parse(user).map_err(|_| ApiError::not_found("unknown_member", "no such member"))
}

pub fn parse_object(object: &str) -> Result<ObjectId, ApiError> {
    ObjectId::parse(object).map_err(|_| ApiError::not_found("unknown_object", "no such object"))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/members", tag = "members",
    params(("org" = String, Path), MemberQuery),
    responses((status = 200, body = Page<MemberView>), (status = 403), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Result<Json<Page<MemberView>>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    org.require("members:view")?;
    let limit = page_limit(query.limit)?;
    let policy = app.service().policy().clone();
    if let Some(role) = &query.role {
        if policy.org_role(role).is_none() {
            return Err(steward_core::Refusal::UnknownRole(role.clone()).into());
        }
    }
    let needle = query.q.as_deref().map(str::to_lowercase);
    let page = app
        .service()
        .read(&org.org, |state| {
            let mut items = Vec::with_capacity(limit);
            let mut next_cursor = None;
            let matching = state
                .members()
                .filter(|m| {
                    query
                        .cursor
                        .as_deref()
                        .is_none_or(|c| m.user_id.as_str() > c)
                })
                .filter(|m| query.role.as_deref().is_none_or(|r| m.role == r))
                .filter(|m| {
                    needle.as_deref().is_none_or(|n| {
                        m.email.as_str().contains(n) || m.name.as_str().to_lowercase().contains(n)
                    })
                });
            for m in matching {
                if items.len() == limit {
                    next_cursor = items.last().map(|v: &MemberView| v.user_id.clone());
                    break;
                }
                items.extend(member_view(&policy, state, &m.user_id, &org));
            }
            Page { items, next_cursor }
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/members/{user}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)),
    responses((status = 200, body = MemberView), (status = 404)))]
pub(crate) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
) -> Result<Json<MemberView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let user = parse_user(&user)?;
    if org.user() != Some(&user) {
        org.require("members:view")?;
    }
    Ok(Json(current_member(&app, &org, &user).await?))
}

/// The member as stored now, or 404.
pub async fn current_member(
    app: &Application,
    org: &InOrg,
    user: &UserId,
) -> Result<MemberView, ApiError> {
    let policy = app.service().policy().clone();
    app.service()
        .read(&org.org, |state| member_view(&policy, state, user, org))
        .await?
        .ok_or_else(|| steward_core::Refusal::UnknownMember(user.clone()).into())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub name: Option<String>,
    pub role: Option<String>,
    /// Never accepted: an e-mail does not change (400 `email_immutable`).
    pub email: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/orgs/{org}/members/{user}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)), request_body = UpdateMember,
    responses((status = 200, body = MemberView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn update(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<UpdateMember>,
) -> Result<Json<MemberView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let actor = org.actor()?;
    let user_id = parse_user(&user)?;
    let mut commands = Vec::new();
    if let Some(email) = &body.email {
        // Whatever the text, the answer is the core's: an e-mail never changes.
        let Ok(email) = Email::parse(email) else {
            return Err(steward_core::Refusal::EmailImmutable.into());
        };
        commands.push(Command::ChangeEmail {
            user_id: user_id.clone(),
            email,
        });
    }
    if let Some(role) = body.role {
        commands.push(Command::ChangeRole {
            user_id: user_id.clone(),
            role,
        });
    }
    if let Some(name) = &body.name {
        commands.push(Command::Rename {
            user_id: user_id.clone(),
            name: Name::parse(name).map_err(|e| ApiError::field("name", e))?,
        });
    }
    app.service()
        .execute_together(&org.org, &actor, commands)
        .await?;
    Ok(Json(current_member(&app, &org, &user_id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    /// `root`: hand the member's objects to the organization's root account.
    pub transfer_objects_to: Option<String>,
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/members/{user}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path), DeleteQuery),
    responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn remove(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let command = Command::DeleteMember {
        user_id: parse_user(&user)?,
        hand_over_to_root: hand_over_to_root(query.transfer_objects_to.as_deref())?,
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `transfer_objects_to`, of the single and the bulk delete: left out, the
/// objects stay ownerless; `root`, they go to the root account.
fn hand_over_to_root(transfer_objects_to: Option<&str>) -> Result<bool, ApiError> {
    match transfer_objects_to {
        None => Ok(false),
        Some("root") => Ok(true),
        Some(other) => Err(ApiError::invalid(
            "transfer_objects_to",
            format!("transfer_objects_to must be \"root\", not {other:?}"),
        )),
    }
}

/// The most ids one bulk delete takes: one transaction, one answer, bounded.
pub const BULK_DELETE_MAX: usize = 1000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDeleteBody {
    /// 1 to 1000 distinct member ids.
    pub user_ids: Vec<String>,
    /// `root`: hand the deleted members' objects to the root account.
    pub transfer_objects_to: Option<String>,
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

/// The ids of a bulk delete: some, at most `BULK_DELETE_MAX`, each once.
fn bulk_ids(user_ids: &[String]) -> Result<(), ApiError> {
    if user_ids.is_empty() {
        return Err(ApiError::invalid("user_ids", "user_ids names no member"));
    }
    if user_ids.len() > BULK_DELETE_MAX {
        return Err(ApiError::invalid(
            "user_ids",
            format!("user_ids takes at most {BULK_DELETE_MAX} ids; send several requests"),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(user_ids.len());
    if let Some(twice) = user_ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(ApiError::invalid(
            "user_ids",
            format!("user_ids names {twice:?} twice"),
        ));
    }
    Ok(())
}

/// Deletes each member the core permits, by the rule of the single delete, and
/// reports the others: the permitted ones are deleted even when some are refused
/// (docs/model.md#seed-003-platform), all in one transaction, each decided after the ones before it.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/members/bulk-delete", tag = "members",
    params(("org" = String, Path)), request_body = BulkDeleteBody,
    responses((status = 200, body = BulkDeleteView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn bulk_delete(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<BulkDeleteBody>,
) -> Result<Json<BulkDeleteView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let actor = org.actor()?;
    bulk_ids(&body.user_ids)?;
    let hand_over_to_root = hand_over_to_root(body.transfer_objects_to.as_deref())?;
    let parsed: Vec<Option<UserId>> = body
        .user_ids
        .iter()
        .map(|id| UserId::parse(id).ok())
        .collect();
    let commands = parsed
        .iter()
        .flatten()
        .map(|user_id| Command::DeleteMember {
            user_id: user_id.clone(),
            hand_over_to_root,
        })
        .collect();
    let mut outcomes = app
        .service()
        .execute_each(&org.org, &actor, commands)
        .await?
        .into_iter();
    let mut view = BulkDeleteView {
        deleted: Vec::new(),
        refused: Vec::new(),
    };
    for (id, user_id) in body.user_ids.iter().zip(&parsed) {
        let outcome = match user_id {
            // The outcomes come in the order of the ids that parsed.
            Some(_) => outcomes.next().expect("one outcome per command"),
            // An id that is no id at all names nobody.
            None => Err(steward_core::Refusal::UnknownMember(
                UserId::parse("unknown").expect("a valid id"),
            )),
        };
        match outcome {
            Ok(_) => view.deleted.push(id.clone()),
            Err(refusal) => view.refused.push(RefusedMember {
                user_id: id.clone(),
                reason: refusal.reason().to_string(),
                message: match user_id {
                    Some(_) => refusal.to_string(),
                    None => format!("no such member: {id:?}"),
                },
            }),
        }
    }
    // A caller who may not delete members at all is told so, as by the single
    // delete, rather than with a list of refusals about each member.
    if view.deleted.is_empty() && view.refused.iter().any(|r| r.reason == "not_permitted") {
        return Err(steward_core::Refusal::NotPermitted.into());
    }
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeRolesBody {
    /// The roles held on that system, service or site; `[]` removes them.
    pub roles: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/orgs/{org}/members/{user}/scopes/{object}", tag = "members",
    params(("org" = String, Path), ("user" = String, Path), ("object" = String, Path)),
    request_body = ScopeRolesBody,
    responses((status = 200, body = ScopeView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn set_scope_roles(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user, object)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<ScopeRolesBody>,
) -> Result<Json<ScopeView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let user_id = parse_user(&user)?;
    let object_id = parse_object(&object)?;
    let command = Command::SetScopeRoles {
        user_id: user_id.clone(),
        object_id: object_id.clone(),
        roles: body.roles,
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    let roles = app
        .service()
        .read(&org.org, |state| {
            state
                .scope_roles(&user_id, &object_id)
                .map(|r| r.iter().cloned().collect())
                .unwrap_or_default()
        })
        .await?;
    Ok(Json(ScopeView {
        object_id: object_id.to_string(),
        roles,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    pub email: String,
    pub name: Option<String>,
    /// Defaults to the policy's default role.
    pub role: Option<String>,
    #[serde(default)]
    pub scopes: Vec<ScopeView>,
    /// Days until the invitation expires (default 7).
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: String,
    pub scopes: Vec<ScopeView>,
    /// Unix seconds.
    pub expires_at: i64,
    /// Shown once, when the invitation is made; it is the secret that accepts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Where the invitee accepts (the console's page for the token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_url: Option<String>,
}

/// Makes an invitation: the API and the CLI come here.
pub async fn create_invitation(
    app: &Application,
    org: &steward_core::OrgId,
    actor: &steward_core::Actor,
    body: InviteBody,
) -> Result<InvitationView, ApiError> {
    let email = Email::parse(&body.email).map_err(|e| ApiError::field("email", e))?;
    let name = optional_name(body.name.as_deref())?;
    let scopes = body
        .scopes
        .into_iter()
        .map(|s| {
            Ok(steward_core::ScopeRoles {
                object_id: ObjectId::parse(&s.object_id)
                    .map_err(|e| ApiError::field("scopes", e))?,
                roles: s.roles,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let days = body.expires_in_days.unwrap_or(INVITATION_DAYS);
    if !(1..=90).contains(&days) {
        return Err(ApiError::invalid(
            "expires_in_days",
            "an invitation lasts between 1 and 90 days",
        ));
    }
    let (token, invitation_id) = invitation_token(org.as_str());
    let expires_at = app.service().clock().now().plus_days(days);
    let command = Command::Invite {
        invitation_id: invitation_id.clone(),
        email,
        name,
        role: body.role,
        scopes,
        expires_at,
    };
    app.service().execute(org, actor, command).await?;
    let mut view = app
        .service()
        .read(org, |state| {
            state.invitation(&invitation_id).map(invitation_view)
        })
        .await?
        .ok_or_else(|| ApiError::Internal("the invitation vanished after it was made".into()))?;
    view.accept_url = Some(format!(
        "{}/invitations/{token}",
        app.settings().public_url.trim_end_matches('/')
    ));
    view.token = Some(token);
    Ok(view)
}

pub fn invitation_view(i: &steward_core::state::Invitation) -> InvitationView {
    InvitationView {
        id: i.id.to_string(),
        email: i.email.to_string(),
        name: i.name.as_ref().map(|n| n.to_string()),
        role: i.role.clone(),
        scopes: i
            .scopes
            .iter()
            .map(|s| ScopeView {
                object_id: s.object_id.to_string(),
                roles: s.roles.clone(),
            })
            .collect(),
        expires_at: i.expires_at.0,
        token: None,
        accept_url: None,
    }
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/invitations", tag = "invitations",
    params(("org" = String, Path)), request_body = InviteBody,
    responses((status = 201, body = InvitationView), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub(crate) async fn invite(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let view = create_invitation(&app, &org.org, &org.actor()?, body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/invitations", tag = "invitations",
    params(("org" = String, Path)),
    responses((status = 200, body = Vec<InvitationView>), (status = 403), (status = 404)))]
pub(crate) async fn invitations(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Page<InvitationView>>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    org.require("members:view")?;
    let items = app
        .service()
        .read(&org.org, |state| {
            state.invitations().map(invitation_view).collect()
        })
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/invitations/{invitation}", tag = "invitations",
    params(("org" = String, Path), ("invitation" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn revoke_invitation(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, invitation)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let invitation_id = InvitationId::parse(&invitation)
        .map_err(|_| ApiError::from(steward_core::Refusal::UnknownInvitation))?;
    app.service()
        .execute(
            &org.org,
            &org.actor()?,
            Command::RevokeInvitation { invitation_id },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
