//! Organizations: create (the caller owns it; signup and `steward orgs create`
//! come here too), read, delete; and the policy they run under.

use super::caller::{Caller, InOrg};
use super::error::{AppError, Denied};
use super::Steward;
use crate::secrets::random_id;
use crate::store::Account;
use serde::Serialize;
use std::collections::BTreeMap;
use steward_core::{decide, ActionSet, Actor, Command, Email, Name, OrgId, Policy, UserId};

pub use super::joining::SETUP_LINK_DAYS;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub name: String,
    pub description: String,
    pub types: Vec<TypeView>,
    pub actions: Vec<String>,
    /// Each action in the policy's words (its name when the policy gives none).
    pub action_labels: BTreeMap<String, String>,
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

/// What deleting an organization removes, and whether the caller may.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgDeletion {
    pub id: String,
    pub name: String,
    pub members: usize,
    pub objects: usize,
    /// Per-object grants.
    pub grants: usize,
    /// Roles held on scopes (sites, systems, services).
    pub scope_roles: usize,
    /// Pending invitations.
    pub invitations: usize,
    pub api_keys: usize,
    /// Why the caller may not delete it, in words; none when they may.
    pub refusal: Option<String>,
}

/// An organization for an owner named by e-mail (`steward orgs create`).
#[derive(Debug)]
pub struct NewOrganization {
    pub name: Name,
    pub owner_email: Email,
    /// For an account made now; the e-mail's local part when left out.
    pub owner_name: Option<Name>,
}

/// What `steward orgs create` made.
#[derive(Debug)]
pub struct CreatedOrganization {
    pub org: OrgView,
    pub owner: Account,
    /// For an owner without a password: the one-time token of the link that
    /// sets one (valid `SETUP_LINK_DAYS`).
    pub setup_token: Option<String>,
}

impl Steward {
    /// `POST /orgs`: an organization the calling account owns.
    pub async fn create_organization(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<OrgView, AppError> {
        let Caller::Account(owner) = caller else {
            return Err(Denied::KeyCannotCreateOrganizations.into());
        };
        let name = Name::parse(name).map_err(|e| AppError::field("name", e))?;
        self.create_organization_for(owner, name).await
    }

    /// An organization owned by `owner` (an existing account): signup, `POST
    /// /orgs` and the command line all come here.
    pub async fn create_organization_for(
        &self,
        owner: &UserId,
        name: Name,
    ) -> Result<OrgView, AppError> {
        let account = self.account(owner).await?;
        let org_id = OrgId::parse(&random_id("org"))?;
        let command = Command::CreateOrganization {
            org_id: org_id.clone(),
            name: name.clone(),
            owner_id: owner.clone(),
            owner_email: account.email,
            owner_name: account.name,
        };
        self.service()
            .create_organization(&Actor::User(owner.clone()), command)
            .await?;
        Ok(OrgView {
            id: org_id.to_string(),
            name: name.to_string(),
            owner_id: owner.to_string(),
            policy: None,
        })
    }

    /// The operator's `steward orgs create`: the owner's account is made when
    /// there is none for the address, and an owner without a password gets a
    /// one-time link to set one.
    pub async fn create_organization_by_email(
        &self,
        new: NewOrganization,
    ) -> Result<CreatedOrganization, AppError> {
        let owner = self.owner_account(new.owner_email, new.owner_name).await?;
        let org = self.create_organization_for(&owner.id, new.name).await?;
        let setup_token = match owner.password_hash {
            Some(_) => None,
            None => Some(self.setup_token(&owner.id).await?),
        };
        Ok(CreatedOrganization {
            org,
            owner,
            setup_token,
        })
    }

    /// The organization, for a caller who may view it.
    pub async fn organization(&self, org: &InOrg) -> Result<OrgView, AppError> {
        org.require("org:view")?;
        let policy = self.service().policy();
        self.service()
            .read(&org.org, |state| {
                let info = state.org()?;
                Some(OrgView {
                    id: info.id.to_string(),
                    name: info.name.to_string(),
                    owner_id: state.owner_id(policy)?.to_string(),
                    policy: Some(policy.name.clone()),
                })
            })
            .await?
            .ok_or_else(AppError::no_organization)
    }

    pub async fn delete_organization(&self, org: &InOrg) -> Result<(), AppError> {
        self.service()
            .execute(&org.org, &org.actor()?, Command::DeleteOrganization)
            .await?;
        Ok(())
    }

    /// What deleting the organization would remove, counted, and whether the
    /// caller may: the core's `decide` asked without storing anything, so the
    /// answer is the one `delete_organization` would give. Needs `org:view`.
    pub async fn organization_deletion(&self, org: &InOrg) -> Result<OrgDeletion, AppError> {
        org.require("org:view")?;
        let actor = org.actor()?;
        let policy = self.service().policy().clone();
        let now = self.service().clock().now();
        self.service()
            .read(&org.org, |state| {
                let info = state.org()?;
                let refusal = decide(&policy, state, &actor, Command::DeleteOrganization, now)
                    .err()
                    .map(|r| AppError::from(r).to_string());
                Some(OrgDeletion {
                    id: info.id.to_string(),
                    name: info.name.to_string(),
                    members: state.member_count(),
                    objects: state.object_count(),
                    grants: state.all_grants().count(),
                    scope_roles: state.all_scope_roles().count(),
                    invitations: state.invitations().count(),
                    api_keys: state.api_keys().count(),
                    refusal,
                })
            })
            .await?
            .ok_or_else(AppError::no_organization)
    }

    /// The deployment's policy (`GET /policy`: anyone may read it).
    pub fn policy(&self) -> PolicyView {
        policy_view(self.service().policy())
    }

    /// The policy `org` runs under.
    pub fn org_policy(&self, org: &InOrg) -> PolicyView {
        policy_view(org.snapshot.policy())
    }
}

fn policy_view(p: &Policy) -> PolicyView {
    let action_names =
        |set: ActionSet| -> Vec<String> { set.iter().map(|a| p.action(a).name.clone()).collect() };
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
        action_labels: p
            .actions
            .iter()
            .map(|a| (a.name.clone(), a.label.clone()))
            .collect(),
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
