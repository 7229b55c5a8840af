//! Role changes: who may give which organization role to whom, and scope roles on
//! systems, services and sites. The order of the checks is the order the seeds
//! explain a refusal in.

use super::Context;
use crate::event::Change;
use crate::id::{ObjectId, UserId};
use crate::policy::{Policy, RoleIndex, Transfer, TypeIndex};
use crate::refusal::Refusal;
use crate::set::RoleSet;
use crate::state::{Member, State};

/// Why `actor` may not give `target` the organization role `new_role`, if they may
/// not. Also what the console asks to grey out a dropdown entry.
pub fn role_change_refusal(
    policy: &Policy,
    state: &State,
    actor: &Member,
    target: &Member,
    new_role: RoleIndex,
) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor: &crate::event::Actor::System,
        now: crate::id::Timestamp(0),
    };
    check_role_change(&cx, actor, target, new_role).err()
}

/// The organization roles `actor` may give `target` (empty when the row's dropdown is
/// greyed out), highest first.
pub fn assignable_roles(
    policy: &Policy,
    state: &State,
    actor: &Member,
    target: &Member,
) -> Vec<RoleIndex> {
    policy
        .org_roles
        .iter()
        .copied()
        .filter(|&r| policy.org_role(&target.role) != Some(r))
        .filter(|&r| role_change_refusal(policy, state, actor, target, r).is_none())
        .collect()
}

/// Why `actor` may not invite someone as `role`, if they may not: the checks of a
/// role change that do not depend on a target. What the invite dialog asks.
pub fn invitation_role_refusal(
    policy: &Policy,
    state: &State,
    actor: &Member,
    role: RoleIndex,
) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor: &crate::event::Actor::System,
        now: crate::id::Timestamp(0),
    };
    check_role_given(&cx, actor, role).err()
}

/// The organization roles `actor` may give a newcomer by invitation (the invite
/// dialog's choices), highest first.
pub fn invitable_roles(policy: &Policy, state: &State, actor: &Member) -> Vec<RoleIndex> {
    policy
        .org_roles
        .iter()
        .copied()
        .filter(|&r| invitation_role_refusal(policy, state, actor, r).is_none())
        .collect()
}

/// The roles `actor` may give at all: `not_permitted` for someone who may give none
/// ("Operators cannot change any user's role").
pub(super) fn assignable_by(cx: &Context, actor: &Member) -> Result<RoleSet, Refusal> {
    let may_assign = cx.role_of(actor).map_or(RoleSet::EMPTY, |r| {
        cx.policy.governance.may_assign[r as usize]
    });
    if !cx.may_manage_members(&actor.user_id) || may_assign.is_empty() {
        return Err(Refusal::NotPermitted);
    }
    Ok(may_assign)
}

/// Whether `actor` may give the organization role `new` to anyone: by role change,
/// invitation or import alike.
pub(super) fn check_role_given(
    cx: &Context,
    actor: &Member,
    new: RoleIndex,
) -> Result<(), Refusal> {
    let p = cx.policy;
    let may_assign = assignable_by(cx, actor)?;
    // "Directly promote to Owner: not possible. Use Transfer ownership."
    if Some(new) == p.ownership.role && p.ownership.transfer != Transfer::Direct {
        return Err(Refusal::OwnerViaTransferOnly);
    }
    if p.role(new).rank > cx.rank_of(actor) {
        return Err(Refusal::AboveOwnRank);
    }
    if !may_assign.contains(new) {
        return Err(Refusal::NotPermitted);
    }
    Ok(())
}

pub(super) fn check_role_change(
    cx: &Context,
    actor: &Member,
    target: &Member,
    new: RoleIndex,
) -> Result<(), Refusal> {
    let p = cx.policy;
    // "You cannot change your role": asked of everyone, whatever their role.
    if actor.user_id == target.user_id && !p.governance.self_change {
        return Err(Refusal::SelfChange);
    }
    assignable_by(cx, actor)?;
    if cx.is_owner(&target.user_id) {
        // "The user with Organization Owner role cannot be edited."
        if !p.ownership.editable {
            return Err(Refusal::OwnerImmutable);
        }
        // "you cannot demote the current Owner"
        if !cx.is_owner(&actor.user_id) {
            return Err(Refusal::CannotDemoteOwner);
        }
    }
    if cx.rank_of(target) > cx.rank_of(actor) {
        return Err(Refusal::AboveOwnRank);
    }
    check_role_given(cx, actor, new)?;
    let current = cx.role_of(target);
    if current == Some(new) {
        return Ok(());
    }
    // "demoting them would leave the org without an admin. The Owner counts as an Admin."
    // A suspended admin is not counted (`State::admin_count`), so demoting one
    // leaves the count as it is.
    let was_admin = !target.suspended && current.is_some_and(|r| p.counts_as_admin(r));
    if was_admin && !p.counts_as_admin(new) && cx.state.admin_count(p) <= p.governance.min_admins {
        return Err(Refusal::LastAdmin);
    }
    // "there is always at least one owner per organization"
    if p.ownership.role.is_some() && current == p.ownership.role && cx.state.owner_count(p) <= 1 {
        return Err(Refusal::LastOwner);
    }
    Ok(())
}

pub(super) fn change_role(
    cx: &Context,
    user_id: UserId,
    role: String,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let target = cx.member(&user_id)?;
    let new = cx.org_role(&role)?;
    check_role_change(cx, actor, target, new)?;
    if target.role == role {
        return Ok(vec![]);
    }
    Ok(vec![Change::RoleChanged {
        user_id,
        previous_role: target.role.to_string(),
        new_role: role,
    }])
}

/// The scope type of a scope object, and the role indices named, checked against the policy.
pub(super) fn scope_roles_of(
    cx: &Context,
    object_id: &ObjectId,
    roles: &[String],
) -> Result<(TypeIndex, Vec<RoleIndex>), Refusal> {
    let object = cx.object(object_id)?;
    let level = cx
        .policy
        .type_index(&object.object_type)
        .filter(|&t| cx.policy.object_type(t).scope)
        .ok_or_else(|| Refusal::NotAScope(object_id.clone()))?;
    let mut indices = Vec::with_capacity(roles.len());
    for r in roles {
        let i = cx
            .policy
            .role_index(level, r)
            .ok_or_else(|| Refusal::UnknownRole(r.clone()))?;
        if !indices.contains(&i) {
            indices.push(i);
        }
    }
    if indices.len() > 1 && !cx.policy.object_type(level).multiple_roles {
        return Err(Refusal::SingleRoleScope(object.object_type.to_string()));
    }
    Ok((level, indices))
}

/// The actor's rank on a scope: their organization role's, or a higher scope role
/// they hold on the scope or above it.
fn rank_on_scope(cx: &Context, actor: &Member, object_id: &ObjectId) -> i64 {
    let mut rank = cx.rank_of(actor);
    let mut node = cx.state.object(object_id);
    while let Some(o) = node {
        if let Some(level) = cx.policy.type_index(&o.object_type) {
            for r in cx
                .state
                .scope_roles(&actor.user_id, &o.id)
                .into_iter()
                .flatten()
            {
                if let Some(i) = cx.policy.role_index(level, r) {
                    rank = rank.max(cx.policy.role(i).rank);
                }
            }
        }
        node = o.parent.as_ref().and_then(|p| cx.state.object(p));
    }
    rank
}

/// May `actor` give `roles` on a scope (new ones, and take away the ones `target` has there)?
pub(super) fn check_scope_change(
    cx: &Context,
    actor: &Member,
    target_id: Option<&UserId>,
    object_id: &ObjectId,
    level: TypeIndex,
    roles: &[RoleIndex],
) -> Result<(), Refusal> {
    let p = cx.policy;
    if target_id == Some(&actor.user_id) && !p.governance.self_change {
        return Err(Refusal::SelfChange);
    }
    let managed_here = p
        .object_type(level)
        .managed_by
        .is_some_and(|a| cx.may(&actor.user_id, a, Some(object_id)));
    if !cx.may_manage_members(&actor.user_id) && !managed_here {
        return Err(Refusal::NotPermitted);
    }
    if target_id.is_some_and(|t| cx.is_owner(t)) {
        if !p.ownership.editable {
            return Err(Refusal::OwnerImmutable);
        }
        if !cx.is_owner(&actor.user_id) {
            return Err(Refusal::CannotDemoteOwner);
        }
    }
    let rank = rank_on_scope(cx, actor, object_id);
    let current = target_id
        .and_then(|t| cx.state.scope_roles(t, object_id))
        .into_iter()
        .flatten()
        .filter_map(|r| p.role_index(level, r));
    let target_rank = target_id
        .and_then(|t| cx.state.member(t))
        .map_or(-1, |m| cx.rank_of(m));
    if roles
        .iter()
        .copied()
        .chain(current)
        .any(|r| p.role(r).rank > rank)
        || target_rank > cx.rank_of(actor)
    {
        return Err(Refusal::AboveOwnRank);
    }
    Ok(())
}

pub(super) fn set_scope_roles(
    cx: &Context,
    user_id: UserId,
    object_id: ObjectId,
    roles: Vec<String>,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    cx.member(&user_id)?;
    let (level, indices) = scope_roles_of(cx, &object_id, &roles)?;
    check_scope_change(cx, actor, Some(&user_id), &object_id, level, &indices)?;
    let previous: Vec<String> = cx
        .state
        .scope_roles(&user_id, &object_id)
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let mut new: Vec<String> = indices
        .iter()
        .map(|&r| cx.policy.role(r).name.clone())
        .collect();
    new.sort();
    if new == previous {
        return Ok(vec![]);
    }
    Ok(vec![Change::ScopeRolesChanged {
        user_id,
        object_id,
        previous_roles: previous,
        roles: new,
    }])
}
