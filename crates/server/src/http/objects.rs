//! Objects of the organization's tree, their owners ("Make owner" cascades to the
//! children), per-object grants, and the Permissions dialog's view of an object.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, InOrg};
use super::members::{page_limit, parse_object, parse_user, Page};
use crate::application::Application;
use crate::secrets::random_id;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use steward_core::snapshot::{ActionRef, Reason};
use steward_core::state::Object;
use steward_core::{Command, Name, ObjectId, Snapshot, State as OrgState};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/objects", post(create).get(list))
        .route("/api/v1/orgs/{org}/objects/{id}", get(read).delete(remove))
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

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectView {
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub owner_id: Option<String>,
}

fn object_view(o: &Object) -> ObjectView {
    ObjectView {
        id: o.id.to_string(),
        object_type: o.object_type.clone(),
        name: o.name.to_string(),
        parent_id: o.parent.as_ref().map(|p| p.to_string()),
        owner_id: o.owner.as_ref().map(|p| p.to_string()),
    }
}

pub(crate) async fn current_object(
    app: &Application,
    org: &InOrg,
    id: &ObjectId,
) -> Result<ObjectView, ApiError> {
    app.service()
        .read(&org.org, |state| state.object(id).map(object_view))
        .await?
        .ok_or_else(|| steward_core::Refusal::UnknownObject(id.clone()).into())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateObject {
    #[serde(rename = "type")]
    pub object_type: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// Defaults to the caller.
    pub owner_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/objects", tag = "objects",
    params(("org" = String, Path)), request_body = CreateObject,
    responses((status = 201, body = ObjectView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<CreateObject>,
) -> Result<(StatusCode, Json<ObjectView>), ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let prefix: String = body
        .object_type
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    let object_id = ObjectId::parse(&random_id(if prefix.is_empty() { "obj" } else { &prefix }))?;
    let command = Command::CreateObject {
        object_id: object_id.clone(),
        object_type: body.object_type,
        name: Name::parse(&body.name).map_err(|e| ApiError::field("name", e))?,
        parent_id: body.parent_id.as_deref().map(parse_object).transpose()?,
        owner_id: body.owner_id.as_deref().map(parse_user).transpose()?,
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(current_object(&app, &org, &object_id).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ObjectQuery {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub object_type: Option<String>,
    pub parent_id: Option<String>,
    /// With `action`: only the objects this user may do that action on.
    pub allowed_for: Option<String>,
    pub action: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/objects", tag = "objects",
    params(("org" = String, Path), ObjectQuery),
    responses((status = 200, body = Page<ObjectView>), (status = 400), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(q): ApiQuery<ObjectQuery>,
) -> Result<Json<Page<ObjectView>>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let limit = page_limit(q.limit)?;
    let policy = app.service().policy().clone();
    if let Some(t) = &q.object_type {
        if policy.type_index(t).is_none() {
            return Err(steward_core::Refusal::UnknownType(t.clone()).into());
        }
    }
    let allowed = match (&q.allowed_for, &q.action) {
        (Some(user), Some(action)) => {
            org.require_check_about(user)?;
            if policy.action_index(action).is_none() {
                return Err(steward_core::Refusal::UnknownAction(action.clone()).into());
            }
            Some((user.as_str(), action.as_str()))
        }
        (None, None) => None,
        _ => {
            return Err(ApiError::invalid(
                "allowed_for",
                "allowed_for and action go together",
            ))
        }
    };
    let snapshot = org.snapshot.clone();
    let page = app
        .service()
        .read(&org.org, |state| {
            let mut items = Vec::new();
            let mut next_cursor = None;
            let matching = state
                .objects()
                .filter(|o| q.cursor.as_deref().is_none_or(|c| o.id.as_str() > c))
                .filter(|o| q.object_type.as_deref().is_none_or(|t| o.object_type == t))
                .filter(|o| {
                    q.parent_id
                        .as_deref()
                        .is_none_or(|p| o.parent.as_ref().map(|x| x.as_str()) == Some(p))
                })
                // Only what the caller may see, whoever the list is about.
                .filter(|o| org.sees(o.id.as_str()))
                .filter(|o| {
                    allowed.is_none_or(|(user, action)| {
                        snapshot.check_by_name(user, action, o.id.as_str()).allowed
                    })
                });
            for o in matching {
                if items.len() == limit {
                    next_cursor = items.last().map(|v: &ObjectView| v.id.clone());
                    break;
                }
                items.push(object_view(o));
            }
            Page { items, next_cursor }
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/objects/{id}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = ObjectView), (status = 404)))]
pub(crate) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> Result<Json<ObjectView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let id = org.visible_object(&id)?;
    Ok(Json(current_object(&app, &org, &id).await?))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/objects/{id}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn remove(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let object_id = parse_object(&id)?;
    app.service()
        .execute(&org.org, &org.actor()?, Command::DeleteObject { object_id })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerBody {
    pub user_id: String,
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/objects/{id}/owner", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)), request_body = OwnerBody,
    responses((status = 200, body = ObjectView), (status = 403), (status = 404)))]
pub(crate) async fn change_owner(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<OwnerBody>,
) -> Result<Json<ObjectView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let object_id = parse_object(&id)?;
    let command = Command::ChangeObjectOwner {
        object_id: object_id.clone(),
        owner_id: parse_user(&body.user_id)?,
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    Ok(Json(current_object(&app, &org, &object_id).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionsView {
    pub entries: Vec<PermissionEntry>,
}

/// One row of the Permissions dialog.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionEntry {
    pub user_id: String,
    /// What the user may do on the object.
    pub actions: Vec<String>,
    /// Why, one per source: `root`, `owner`, `role:<name>@<node>`, `grant@<node>`.
    pub sources: Vec<String>,
    /// The actions a grant here may add or remove: those not already given by a
    /// role, ownership or root (which are shown locked).
    pub editable_actions: Vec<String>,
    /// The actions given by a role, ownership or root, each with its source:
    /// the console shows them ticked and locked, naming why.
    pub locked: Vec<LockedAction>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LockedAction {
    pub action: String,
    pub source: String,
}

fn permission_entries(
    snapshot: &Snapshot,
    state: &OrgState,
    id: &ObjectId,
) -> Vec<PermissionEntry> {
    let policy = snapshot.policy();
    let (Some(node), Some(object)) = (snapshot.node(id.as_str()), state.object(id)) else {
        return Vec::new();
    };
    let Some(ty) = policy.type_index(&object.object_type) else {
        return Vec::new();
    };
    // Resolved once for every member.
    let actions: Vec<(&String, ActionRef)> = policy
        .object_type(ty)
        .actions
        .iter()
        .filter_map(|a| {
            let name = &policy.action(a).name;
            Some((name, snapshot.action(name)?))
        })
        .collect();
    state
        .members()
        .filter_map(|m| {
            let user = snapshot.user(m.user_id.as_str())?;
            let mut entry = PermissionEntry {
                user_id: m.user_id.to_string(),
                actions: Vec::new(),
                sources: Vec::new(),
                editable_actions: Vec::new(),
                locked: Vec::new(),
            };
            for &(name, action) in &actions {
                let decision = snapshot.check(user, action, node);
                if decision.allowed {
                    entry.actions.push(name.clone());
                    let source = snapshot.reason_text(&decision).to_string();
                    if !matches!(decision.reason, Reason::Grant { .. }) {
                        entry.locked.push(LockedAction {
                            action: name.clone(),
                            source: source.clone(),
                        });
                    }
                    if !entry.sources.contains(&source) {
                        entry.sources.push(source);
                    }
                }
                if !decision.allowed || matches!(decision.reason, Reason::Grant { .. }) {
                    entry.editable_actions.push(name.clone());
                }
            }
            Some(entry)
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/objects/{id}/permissions", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = PermissionsView), (status = 403), (status = 404)))]
pub(crate) async fn permissions(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id)): ApiPath<(String, String)>,
) -> Result<Json<PermissionsView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let id = org.visible_object(&id)?;
    org.require("members:view")?;
    let snapshot = org.snapshot.clone();
    let entries = app
        .service()
        .read(&org.org, |state| {
            state
                .object(&id)
                .map(|_| permission_entries(&snapshot, state, &id))
        })
        .await?
        .ok_or_else(|| steward_core::Refusal::UnknownObject(id.clone()))?;
    Ok(Json(PermissionsView { entries }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The user's grant on the object, replaced; `[]` removes it.
    pub actions: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub object_id: String,
    pub user_id: String,
    pub actions: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/orgs/{org}/objects/{id}/grants/{user}", tag = "objects",
    params(("org" = String, Path), ("id" = String, Path), ("user" = String, Path)),
    request_body = GrantBody,
    responses((status = 200, body = GrantView), (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn set_grant(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, id, user)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<GrantBody>,
) -> Result<Json<GrantView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let object_id = parse_object(&id)?;
    let user_id = parse_user(&user)?;
    let command = Command::SetGrant {
        object_id: object_id.clone(),
        user_id: user_id.clone(),
        actions: body.actions,
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    let actions = app
        .service()
        .read(&org.org, |state| {
            state
                .grant(&object_id, &user_id)
                .map(|g| g.iter().cloned().collect())
                .unwrap_or_default()
        })
        .await?;
    Ok(Json(GrantView {
        object_id: object_id.to_string(),
        user_id: user_id.to_string(),
        actions,
    }))
}
