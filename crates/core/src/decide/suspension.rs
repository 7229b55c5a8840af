//! Suspending and reinstating a member, and the organization's choice of what a
//! directory's deprovisioning does (docs/provisioning.md#suspension).

use super::Context;
use crate::event::Change;
use crate::id::UserId;
use crate::refusal::Refusal;
use crate::state::{Deprovision, Member};

/// The rules a suspension and a reinstatement share with `DeleteMember`: not
/// oneself, the right to manage members, never the owner, never above one's
/// own rank.
fn check_governed<'a>(cx: &Context<'a>, user_id: &UserId) -> Result<&'a Member, Refusal> {
    let actor = cx.acting_member()?;
    let target = cx.member(user_id)?;
    if actor.user_id == target.user_id {
        return Err(Refusal::SelfChange);
    }
    if !cx.may_manage_members(&actor.user_id) {
        return Err(Refusal::NotPermitted);
    }
    if cx.is_owner(user_id) {
        return Err(Refusal::OwnerNotSuspendable);
    }
    if cx.rank_of(target) > cx.rank_of(actor) {
        return Err(Refusal::AboveOwnRank);
    }
    Ok(target)
}

pub(super) fn suspend(cx: &Context, user_id: UserId) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let target = check_governed(cx, &user_id)?;
    if target.suspended {
        return Ok(vec![]);
    }
    // A suspended admin administers nothing: the minimum counts active admins.
    if cx.role_of(target).is_some_and(|r| p.counts_as_admin(r))
        && cx.state.admin_count(p) <= p.governance.min_admins
    {
        return Err(Refusal::LastAdmin);
    }
    let mut changes = vec![Change::MemberSuspended {
        user_id: user_id.clone(),
        email: target.email.clone(),
    }];
    // As on deletion, what the member handed out stops with them
    // (docs/model.md#deleting-a-member); a reinstated member makes new keys.
    changes.extend(
        cx.state
            .api_keys()
            .filter(|k| k.created_by.as_ref() == Some(&user_id))
            .map(|k| Change::ApiKeyRevoked {
                key_id: k.id.clone(),
                name: k.name.clone(),
            }),
    );
    Ok(changes)
}

pub(super) fn reinstate(cx: &Context, user_id: UserId) -> Result<Vec<Change>, Refusal> {
    let target = check_governed(cx, &user_id)?;
    if !target.suspended {
        return Ok(vec![]);
    }
    Ok(vec![Change::MemberReinstated {
        user_id,
        email: target.email.clone(),
    }])
}

pub(super) fn set_deprovision(
    cx: &Context,
    on_deprovision: Deprovision,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let org = cx.org()?;
    if !cx.may_manage_members(&actor.user_id) {
        return Err(Refusal::NotPermitted);
    }
    if org.on_deprovision == on_deprovision {
        return Ok(vec![]);
    }
    Ok(vec![Change::DeprovisionChanged {
        previous: org.on_deprovision,
        on_deprovision,
    }])
}

/// The command a directory's deprovisioning (SCIM `active: false`) becomes,
/// by the organization's choice.
pub fn deprovision_command(state: &crate::state::State, user_id: UserId) -> crate::Command {
    match state.on_deprovision() {
        Deprovision::Remove => crate::Command::DeleteMember {
            user_id,
            hand_over_to_root: false,
        },
        Deprovision::Suspend => crate::Command::SuspendMember { user_id },
    }
}
