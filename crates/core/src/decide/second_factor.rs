//! The second factor's governance: who may require it of an organization's
//! admins and owners, who may take a member's away, and which changes an
//! unenrolled admin is refused while the organization requires one
//! (docs/two-factor.md).

use super::Context;
use crate::command::Command;
use crate::event::{Actor, Change};
use crate::id::{Timestamp, UserId};
use crate::policy::Policy;
use crate::refusal::Refusal;
use crate::state::{Member, State};

/// Why the actor may not make this change now for want of a second factor, if
/// so: the organization requires one of its admins and owners, the actor is
/// one, and `enrolled` (the application's fact: the account has a confirmed
/// second factor) is false. Joining, answering a nomination and what Steward
/// records itself are not management; a directory (SCIM) is a machine and
/// is not asked.
pub fn second_factor_refusal(
    policy: &Policy,
    state: &State,
    actor: &Actor,
    command: &Command,
    enrolled: bool,
) -> Option<Refusal> {
    let org = state.org().filter(|o| !o.deleted)?;
    if !org.second_factor_required || enrolled {
        return None;
    }
    let Actor::User(user) = actor else {
        return None;
    };
    let member = state.member(user)?;
    if !is_bound(policy, state, member) {
        return None;
    }
    match command {
        Command::Join { .. }
        | Command::AcceptNomination
        | Command::DeclineNomination
        | Command::ChangeEmail { .. }
        | Command::RecordLoginFailure { .. }
        | Command::RecordPasswordSet { .. }
        | Command::RecordDirectoryRefusal { .. } => None,
        _ => Some(Refusal::SecondFactorRequired),
    }
}

/// Whether the organization's setting binds this member: an owner, or a role
/// that counts as an admin.
fn is_bound(policy: &Policy, state: &State, member: &Member) -> bool {
    state.is_owner(policy, &member.user_id)
        || policy
            .org_role(&member.role)
            .is_some_and(|r| policy.counts_as_admin(r))
}

/// Only an owner or an admin sets the organization's rule for them.
pub(super) fn set_required(cx: &Context, required: bool) -> Result<Vec<Change>, Refusal> {
    let org = cx.org()?;
    let actor = cx.acting_member()?;
    if !is_bound(cx.policy, cx.state, actor) || !cx.may_manage_members(&actor.user_id) {
        return Err(Refusal::NotPermitted);
    }
    if org.second_factor_required == required {
        return Ok(Vec::new());
    }
    Ok(vec![Change::SecondFactorRequiredSet { required }])
}

/// The rules of removing a member, for the one part of their account an
/// organization may touch: not one's own, not the owner's, not someone of
/// one's own rank or above, and not someone another organization also relies
/// on (their second factor guards that one too).
pub(super) fn reset(
    cx: &Context,
    user_id: UserId,
    member_elsewhere: bool,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let target = cx.member(&user_id)?;
    if actor.user_id == target.user_id {
        return Err(Refusal::SelfChange);
    }
    if !cx.may_manage_members(&actor.user_id) {
        return Err(Refusal::NotPermitted);
    }
    if cx.is_owner(&user_id) {
        return Err(Refusal::OwnerImmutable);
    }
    if cx.rank_of(target) >= cx.rank_of(actor) && !cx.is_owner(&actor.user_id) {
        return Err(Refusal::AboveOwnRank);
    }
    if member_elsewhere {
        return Err(Refusal::MemberOfOtherOrganizations);
    }
    Ok(vec![Change::SecondFactorReset { user_id }])
}

/// For the console: whether `actor` may reset `target`'s second factor now,
/// other memberships aside (the application asks the store for those).
pub fn reset_refusal(
    policy: &Policy,
    state: &State,
    actor: &UserId,
    target: &UserId,
) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor: &Actor::User(actor.clone()),
        now: Timestamp(0),
    };
    reset(&cx, target.clone(), false).err()
}
