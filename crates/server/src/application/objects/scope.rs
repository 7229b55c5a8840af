//! A scope object's members (seed 000's "DataMiner System's Users page"): who
//! holds a role on one system, site or service, and which roles the caller may
//! give each of them there, decided by dry runs of `SetScopeRoles`.

use crate::application::caller::parse_object;
use crate::application::{AppError, InOrg, Steward};
use steward_core::{decide, Command, Refusal};

/// The members of one scope object, and who else may be added to it.
pub struct ScopeMembers {
    /// The roles of the scope's type: (name, label), in the policy's order.
    pub roles: Vec<(String, String)>,
    pub holders: Vec<ScopeHolder>,
    /// Members without a role here the caller may add: (id, name, e-mail).
    pub candidates: Vec<(String, String, String)>,
    /// Why the caller may add nobody, when they may not.
    pub add_refusal: Option<Refusal>,
}

pub struct ScopeHolder {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
    /// The roles the caller may give them here (those they hold included).
    pub offered: Vec<String>,
    /// Why their role here cannot be changed, when no other role is offered.
    pub locked: Option<Refusal>,
}

/// How many members the add form lists at most (the rest: by e-mail on the
/// Users page's edit panel).
const MAX_CANDIDATES: usize = 300;

impl Steward {
    /// The members holding a role on the scope object `id`. Needs
    /// `members:view`, as every list of members does.
    pub async fn scope_members(&self, org: &InOrg, id: &str) -> Result<ScopeMembers, AppError> {
        let id = org.visible_object(id)?;
        org.require("members:view")?;
        let actor = org.actor().ok();
        let policy = self.service().policy().clone();
        let now = self.service().clock().now();
        let id = parse_object(id.as_str())?;
        self.service()
            .read(&org.org, |state| {
                let object = state
                    .object(&id)
                    .ok_or_else(|| Refusal::UnknownObject(id.clone()))?;
                let level = policy
                    .type_index(&object.object_type)
                    .filter(|&t| policy.object_type(t).scope)
                    .ok_or_else(|| Refusal::NotAScope(id.clone()))?;
                let roles: Vec<(String, String)> = policy
                    .roles_at(level)
                    .map(|r| {
                        let r = policy.role(r);
                        (r.name.clone(), r.label.clone())
                    })
                    .collect();
                // Adding someone is offered when the lowest role may be given.
                let lowest = policy
                    .roles_at(level)
                    .min_by_key(|&r| policy.role(r).rank)
                    .map_or_else(String::new, |r| policy.role(r).name.clone());
                let probe = |user: &steward_core::UserId, role: &str| -> Option<Refusal> {
                    let Some(actor) = &actor else {
                        return Some(Refusal::NotPermitted);
                    };
                    let command = Command::SetScopeRoles {
                        user_id: user.clone(),
                        object_id: id.clone(),
                        roles: vec![role.to_string()],
                    };
                    decide(&policy, state, actor, command, now).err()
                };
                let mut holders = Vec::new();
                let mut candidates = Vec::new();
                let mut add_refusal = None;
                for m in state.members() {
                    match state.scope_roles(&m.user_id, &id) {
                        Some(held) if !held.is_empty() => {
                            let mut offered = Vec::new();
                            let mut refusal = None;
                            for (role, _) in &roles {
                                match probe(&m.user_id, role) {
                                    None => offered.push(role.clone()),
                                    Some(r) => refusal = refusal.or(Some(r)),
                                }
                            }
                            let held: Vec<String> = held.iter().cloned().collect();
                            let others = offered.iter().any(|r| !held.contains(r));
                            holders.push(ScopeHolder {
                                user_id: m.user_id.to_string(),
                                name: m.name.to_string(),
                                email: m.email.to_string(),
                                locked: (!others).then(|| refusal.unwrap_or(Refusal::NotPermitted)),
                                roles: held,
                                offered,
                            });
                        }
                        _ if candidates.len() < MAX_CANDIDATES => {
                            match probe(&m.user_id, &lowest) {
                                None => candidates.push((
                                    m.user_id.to_string(),
                                    m.name.to_string(),
                                    m.email.to_string(),
                                )),
                                Some(r) => add_refusal = add_refusal.or(Some(r)),
                            }
                        }
                        _ => {}
                    }
                }
                let add_refusal = candidates
                    .is_empty()
                    .then(|| add_refusal.unwrap_or(Refusal::AlreadyMember));
                Ok(ScopeMembers {
                    roles,
                    holders,
                    candidates,
                    add_refusal,
                })
            })
            .await?
    }
}
