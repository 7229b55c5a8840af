//! Warnings about a member that are not errors: "Viewers without site rows see
//! nothing" (docs/model.md#seed-001-operations) becomes `viewer_without_sites` on a viewer with no site assignment.

use crate::id::UserId;
use crate::policy::{Policy, TypeIndex};
use crate::state::State;

/// The warnings for one member, as the API lists them (`<role>_without_<scope>s`).
pub fn member_warnings(policy: &Policy, state: &State, user: &UserId) -> Vec<String> {
    let Some(member) = state.member(user) else {
        return Vec::new();
    };
    let Some(role) = policy.org_role(&member.role) else {
        return Vec::new();
    };
    // The scope types under which this role's `assigned` permissions could ever apply.
    let mut scope_types: Vec<TypeIndex> = Vec::new();
    for a in policy.role(role).assigned.iter() {
        let mut t = Some(policy.action(a).object_type);
        while let Some(ty) = t {
            if policy.object_type(ty).scope && !scope_types.contains(&ty) {
                scope_types.push(ty);
            }
            t = policy.object_type(ty).parent;
        }
    }
    let assigned_types: Vec<TypeIndex> = state
        .scopes_of(user)
        .filter_map(|(object, _)| state.object(object))
        .filter_map(|o| policy.type_index(&o.object_type))
        .collect();
    scope_types
        .into_iter()
        .filter(|t| !assigned_types.contains(t))
        .map(|t| format!("{}_without_{}s", member.role, policy.object_type(t).name))
        .collect()
}
