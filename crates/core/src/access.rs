//! Who may do what, read straight from the `State`: the plain definition of the check
//! semantics (docs/model.md#check-semantics). `decide` asks it; the snapshot engine must agree
//! with it, and the property tests hold it to that.

use crate::id::{ObjectId, UserId};
use crate::policy::{ActionIndex, Policy, RoleIndex, TypeIndex, ORGANIZATION};
use crate::state::State;

/// Why an answer is no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Denial {
    /// The user is not a member of the organization.
    NotAMember,
    UnknownObject,
    UnknownAction,
    /// The action is about another type of object (`project:view` on a dashboard).
    NotApplicable,
    /// Nothing on the object or above it gives the action.
    NoPermission,
}

impl Denial {
    pub fn as_str(self) -> &'static str {
        match self {
            Denial::NotAMember => "not_a_member",
            Denial::UnknownObject => "unknown_object",
            Denial::UnknownAction => "unknown_action",
            Denial::NotApplicable => "action_not_applicable",
            Denial::NoPermission => "no_permission",
        }
    }
}

/// Why an answer is yes. `node` is `None` for the organization's root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grounds<'a> {
    Root,
    Owner,
    Role {
        role: RoleIndex,
        node: Option<&'a ObjectId>,
    },
    Grant {
        node: &'a ObjectId,
    },
}

impl Grounds<'_> {
    /// The reason as the API writes it: `root`, `owner`, `role:<name>@<node>`, `grant@<node>`.
    pub fn text(&self, policy: &Policy, state: &State) -> String {
        let org = state.org().map(|o| o.id.as_str()).unwrap_or("");
        match self {
            Grounds::Root => "root".into(),
            Grounds::Owner => "owner".into(),
            Grounds::Role { role, node } => {
                format!(
                    "role:{}@{}",
                    policy.role(*role).name,
                    node.map_or(org, |n| n.as_str())
                )
            }
            Grounds::Grant { node } => format!("grant@{node}"),
        }
    }
}

/// The type of a node (`None` is the organization).
fn type_of(policy: &Policy, state: &State, node: Option<&ObjectId>) -> Option<TypeIndex> {
    match node {
        None => Some(ORGANIZATION),
        Some(id) => state
            .object(id)
            .and_then(|o| policy.type_index(&o.object_type)),
    }
}

/// A user's scope roles on one node, in policy order (the order the engine tries them).
fn scope_roles_at(
    policy: &Policy,
    state: &State,
    user: &UserId,
    node: &ObjectId,
    level: TypeIndex,
) -> Vec<RoleIndex> {
    let mut roles: Vec<RoleIndex> = state
        .scope_roles(user, node)
        .into_iter()
        .flatten()
        .filter_map(|r| policy.role_index(level, r))
        .collect();
    roles.sort_unstable();
    roles
}

/// Whether a role held somewhere on the chain gives `action`, given what was seen below it.
fn role_gives(
    policy: &Policy,
    role: RoleIndex,
    action: ActionIndex,
    assigned: bool,
    owned: bool,
) -> bool {
    let r = policy.role(role);
    r.all.contains(action)
        || (assigned && r.assigned.contains(action))
        || (owned && r.own.contains(action))
}

/// The plain check: may `user` do `action` on `object` (`None`: the organization)?
pub fn grounds<'a>(
    policy: &Policy,
    state: &'a State,
    user: &UserId,
    action: ActionIndex,
    object: Option<&ObjectId>,
) -> Result<Grounds<'a>, Denial> {
    if action as usize >= policy.actions.len() {
        return Err(Denial::UnknownAction);
    }
    let ty = type_of(policy, state, object).ok_or(Denial::UnknownObject)?;
    if !policy.applies(action, ty) {
        return Err(Denial::NotApplicable);
    }
    // A suspended member is answered as someone outside the organization.
    let Some(member) = state.active_member(user) else {
        return Err(Denial::NotAMember);
    };
    if policy.ownership.root && state.is_owner(policy, user) {
        return Ok(Grounds::Root);
    }
    let mut assigned = false;
    let mut owned = false;
    let mut node = object.and_then(|id| state.object(id));
    while let Some(o) = node {
        if o.owner.as_ref() == Some(user) {
            owned = true;
            if policy.ownership.owner_has_every_action {
                return Ok(Grounds::Owner);
            }
        }
        let level = policy.type_index(&o.object_type).unwrap_or(ORGANIZATION);
        let roles = scope_roles_at(policy, state, user, &o.id, level);
        assigned |= !roles.is_empty();
        for r in roles {
            if role_gives(policy, r, action, assigned, owned) {
                return Ok(Grounds::Role {
                    role: r,
                    node: Some(&o.id),
                });
            }
        }
        let action_name = &policy.action(action).name;
        if state
            .grant(&o.id, user)
            .is_some_and(|g| g.contains(action_name))
        {
            return Ok(Grounds::Grant { node: &o.id });
        }
        node = o.parent.as_ref().and_then(|p| state.object(p));
    }
    if let Some(r) = policy.org_role(&member.role) {
        if role_gives(policy, r, action, assigned, owned) {
            return Ok(Grounds::Role {
                role: r,
                node: None,
            });
        }
    }
    Err(Denial::NoPermission)
}

pub fn allowed(
    policy: &Policy,
    state: &State,
    user: &UserId,
    action: ActionIndex,
    object: Option<&ObjectId>,
) -> bool {
    grounds(policy, state, user, action, object).is_ok()
}

/// The check by names, as an outside caller asks it: `object` is an object id or the
/// organization's id. Answers `(allowed, reason)` with the reason as the API writes it.
pub fn check_by_name(
    policy: &Policy,
    state: &State,
    user: &str,
    action: &str,
    object: &str,
) -> (bool, String) {
    let Some(a) = policy.action_index(action) else {
        return (false, Denial::UnknownAction.as_str().into());
    };
    let Ok(u) = UserId::parse(user) else {
        return (false, Denial::NotAMember.as_str().into());
    };
    let is_org = state.org().is_some_and(|o| o.id.as_str() == object);
    let obj = if is_org {
        None
    } else {
        match ObjectId::parse(object) {
            Ok(id) if state.object(&id).is_some() => Some(id),
            _ => return (false, Denial::UnknownObject.as_str().into()),
        }
    };
    match grounds(policy, state, &u, a, obj.as_ref()) {
        Ok(g) => (true, g.text(policy, state)),
        Err(d) => (false, d.as_str().into()),
    }
}

/// Whether `user` holds `action` for every object below `parent` (`None`: the
/// organization), which is what creating an object of the action's own type needs:
/// the root account, the owner of `parent` or above, or a role with reach `all`.
pub fn allowed_everywhere_below(
    policy: &Policy,
    state: &State,
    user: &UserId,
    action: ActionIndex,
    parent: Option<&ObjectId>,
) -> bool {
    let Some(member) = state.active_member(user) else {
        return false;
    };
    if policy.ownership.root && state.is_owner(policy, user) {
        return true;
    }
    let mut node = parent.and_then(|id| state.object(id));
    while let Some(o) = node {
        if policy.ownership.owner_has_every_action && o.owner.as_ref() == Some(user) {
            return true;
        }
        let level = policy.type_index(&o.object_type).unwrap_or(ORGANIZATION);
        if scope_roles_at(policy, state, user, &o.id, level)
            .into_iter()
            .any(|r| policy.role(r).all.contains(action))
        {
            return true;
        }
        node = o.parent.as_ref().and_then(|p| state.object(p));
    }
    policy
        .org_role(&member.role)
        .is_some_and(|r| policy.role(r).all.contains(action))
}
