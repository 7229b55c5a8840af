//! Organizations: create (the caller owns it), read, delete; and the policy they
//! run under.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller, InOrg};
use crate::application::Application;
use crate::secrets::random_id;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use steward_core::{Actor, Command, Name, OrgId, Policy, UserId};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs", post(create))
        .route("/api/v1/orgs/{org}", get(read).delete(delete))
        .route("/api/v1/policy", get(policy))
        .route("/api/v1/orgs/{org}/policy", get(org_policy))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orgs", tag = "organizations", request_body = CreateOrg,
    responses((status = 201, body = OrgView), (status = 400), (status = 401)))]
pub(crate) async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateOrg>,
) -> Result<(StatusCode, Json<OrgView>), ApiError> {
    let Caller::Account(user) = caller else {
        return Err(ApiError::forbidden(
            "not_permitted",
            "an API key cannot create organizations",
        ));
    };
    let name = Name::parse(&body.name).map_err(|e| ApiError::field("name", e))?;
    let view = create_organization(&app, &user, name).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Creates an organization owned by `owner` (an existing account): signup,
/// `POST /orgs` and the CLI all come here.
pub async fn create_organization(
    app: &Application,
    owner: &UserId,
    name: Name,
) -> Result<OrgView, ApiError> {
    let account = app.steward.account(owner).await?;
    let org_id = OrgId::parse(&random_id("org"))?;
    let command = Command::CreateOrganization {
        org_id: org_id.clone(),
        name: name.clone(),
        owner_id: owner.clone(),
        owner_email: account.email,
        owner_name: account.name,
    };
    app.service()
        .create_organization(&Actor::User(owner.clone()), command)
        .await?;
    Ok(OrgView {
        id: org_id.to_string(),
        name: name.to_string(),
        owner_id: owner.to_string(),
        policy: None,
    })
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}", tag = "organizations",
    params(("org" = String, Path, description = "organization id")),
    responses((status = 200, body = OrgView), (status = 404)))]
pub(crate) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<OrgView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    org.require("org:view")?;
    let policy = app.service().policy().name.clone();
    let view = app
        .service()
        .read(&org.org, |state| {
            let info = state.org()?;
            Some(OrgView {
                id: info.id.to_string(),
                name: info.name.to_string(),
                owner_id: state.owner_id(app.service().policy())?.to_string(),
                policy: Some(policy),
            })
        })
        .await?
        .ok_or_else(ApiError::no_organization)?;
    Ok(Json(view))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}", tag = "organizations",
    params(("org" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn delete(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    app.service()
        .execute(&org.org, &org.actor()?, Command::DeleteOrganization)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub name: String,
    pub description: String,
    pub types: Vec<TypeView>,
    pub actions: Vec<String>,
    pub roles: Vec<RoleView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TypeView {
    pub name: String,
    pub label: String,
    pub parent: Option<String>,
    pub scope: bool,
    pub actions: Vec<String>,
}

/// One column of the role x permission matrix.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub name: String,
    pub label: String,
    /// Where the role is held: `organization` or a scope type.
    pub level: String,
    pub rank: i64,
    /// `type:action:reach`, reach being `all`, `assigned` or `own`.
    pub permissions: Vec<String>,
    /// The roles a holder may give (organization roles only).
    pub may_assign: Vec<String>,
}

pub fn policy_view(p: &Policy) -> PolicyView {
    let action_names = |set: steward_core::ActionSet| -> Vec<String> {
        set.iter().map(|a| p.action(a).name.clone()).collect()
    };
    PolicyView {
        name: p.name.clone(),
        description: p.description.clone(),
        types: p
            .types
            .iter()
            .map(|t| TypeView {
                name: t.name.clone(),
                label: t.label.clone(),
                parent: t.parent.map(|i| p.object_type(i).name.clone()),
                scope: t.scope,
                actions: action_names(t.actions),
            })
            .collect(),
        actions: p.actions.iter().map(|a| a.name.clone()).collect(),
        roles: p
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| RoleView {
                name: r.name.clone(),
                label: r.label.clone(),
                level: p.object_type(r.level).name.clone(),
                rank: r.rank,
                permissions: r
                    .permissions
                    .iter()
                    .map(|(a, reach)| format!("{}:{}", p.action(*a).name, reach.as_str()))
                    .collect(),
                may_assign: p
                    .governance
                    .may_assign
                    .get(i)
                    .map(|set| set.iter().map(|r| p.role(r).name.clone()).collect())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/policy", tag = "policy",
    responses((status = 200, body = PolicyView)))]
pub(crate) async fn policy(State(app): State<Application>) -> Json<PolicyView> {
    Json(policy_view(app.service().policy()))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/policy", tag = "policy",
    params(("org" = String, Path)), responses((status = 200, body = PolicyView), (status = 404)))]
pub(crate) async fn org_policy(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<PolicyView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    Ok(Json(policy_view(org.snapshot.policy())))
}
