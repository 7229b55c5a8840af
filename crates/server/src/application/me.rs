//! The signed-in member's own access: their role in the organization, the roles
//! they hold on scopes, and the API keys they made. Any member reads their own.

use super::api_keys::KeyView;
use super::{AppError, InOrg, Steward};
use serde::Serialize;

/// What one member holds in one organization.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyAccess {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// Their organization role's name (`analyst`).
    pub role: String,
    pub scopes: Vec<ScopeHeld>,
    /// The keys they made, without their secrets.
    pub api_keys: Vec<KeyView>,
    /// Why they may not make or revoke keys, in words; none when they may.
    pub api_key_refusal: Option<String>,
}

/// The roles held on one scope object (a site, a system, a service).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeHeld {
    pub object_id: String,
    pub object_name: String,
    pub object_type: String,
    pub roles: Vec<String>,
}

impl Steward {
    /// The caller's own access in `org`. Needs nothing but membership: it is
    /// their own record (an API key has no member of its own).
    pub async fn my_access(&self, org: &InOrg) -> Result<MyAccess, AppError> {
        let actor = org.actor()?;
        let me = actor
            .user()
            .cloned()
            .ok_or_else(AppError::no_organization)?;
        let policy = org.snapshot.policy();
        self.service()
            .read(&org.org, |state| {
                let member = state.member(&me)?;
                // The core's rule for keys, asked, not repeated.
                let api_key_refusal = steward_core::decide::api_key_refusal(policy, state, &actor)
                    .map(|r| AppError::from(r).to_string());
                let scopes = state
                    .scopes_of(&me)
                    .filter_map(|(id, roles)| {
                        let object = state.object(id)?;
                        Some(ScopeHeld {
                            object_id: id.to_string(),
                            object_name: object.name.to_string(),
                            object_type: object.object_type.to_string(),
                            roles: roles.iter().cloned().collect(),
                        })
                    })
                    .collect();
                let api_keys = state
                    .api_keys()
                    .filter(|k| k.created_by.as_ref() == Some(&me))
                    .map(KeyView::from)
                    .collect();
                Some(MyAccess {
                    user_id: me.to_string(),
                    name: member.name.to_string(),
                    email: member.email.to_string(),
                    role: member.role.to_string(),
                    scopes,
                    api_keys,
                    api_key_refusal,
                })
            })
            .await?
            .ok_or_else(AppError::no_organization)
    }
}
