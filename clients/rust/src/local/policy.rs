//! Which policy the copy checks with: the one given, or the shipped preset the
//! server names, held to the role x permission matrix the server publishes.

use super::LoadError;
use crate::client::{Error, Steward};
use serde::Deserialize;
use steward_core::Policy;

/// The part of `GET /policy` that says what the policy decides.
#[derive(Deserialize)]
struct PolicyView {
    name: String,
    actions: Vec<String>,
    roles: Vec<RoleView>,
}

#[derive(Deserialize)]
struct RoleView {
    name: String,
    level: String,
    permissions: Vec<String>,
}

pub(super) async fn resolve(steward: &Steward, given: Option<Policy>) -> Result<Policy, LoadError> {
    let org_policy = format!("/api/v1/orgs/{}/policy", steward.org());
    let view: PolicyView = match steward.get(&org_policy).await {
        Ok(view) => view,
        // A key without `read` may not read the organization's: the
        // deployment's is public, and is the one organizations run under.
        Err(Error::Refused { status: 403, .. }) => steward.get("/api/v1/policy").await?,
        Err(e) => return Err(e.into()),
    };
    let policy = match given {
        Some(policy) => policy,
        None => Policy::preset(&view.name).ok_or_else(|| LoadError::UnknownPolicy {
            name: view.name.clone(),
        })?,
    };
    if !agrees(&policy, &view) {
        return Err(LoadError::PolicyDiffers { name: view.name });
    }
    Ok(policy)
}

/// Same name, actions, and roles with the same permissions at the same level.
fn agrees(policy: &Policy, view: &PolicyView) -> bool {
    let roles_agree = policy.roles.len() == view.roles.len()
        && policy.roles.iter().zip(&view.roles).all(|(role, seen)| {
            role.name == seen.name
                && policy.object_type(role.level).name == seen.level
                && role
                    .permissions
                    .iter()
                    .map(|(a, reach)| format!("{}:{}", policy.action(*a).name, reach.as_str()))
                    .eq(seen.permissions.iter().cloned())
        });
    policy.name == view.name
        && policy
            .actions
            .iter()
            .map(|a| &a.name)
            .eq(view.actions.iter())
        && roles_agree
}
