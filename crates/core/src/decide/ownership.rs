//! Ownership transfer by nomination (docs/model.md#ownership-transfer): the owner nominates, the nominee
//! accepts within the TTL, and the old owner becomes an admin in the same step.

use super::Context;
use crate::event::Change;
use crate::id::{NominationId, UserId};
use crate::policy::Transfer;
use crate::refusal::Refusal;
use crate::state::Nomination;

fn pending<'a>(cx: &Context<'a>) -> Result<&'a Nomination, Refusal> {
    cx.org()?;
    cx.state.nomination().ok_or(Refusal::NoPendingTransfer)
}

fn ids(n: &Nomination) -> (NominationId, UserId, UserId) {
    (n.id.clone(), n.from_user.clone(), n.to_user.clone())
}

pub(super) fn nominate(
    cx: &Context,
    nomination_id: NominationId,
    to_user: UserId,
) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let actor = cx.acting_member()?;
    match p.ownership.transfer {
        // "The organization owner cannot be changed."
        Transfer::Never => return Err(Refusal::OwnerImmutable),
        // Owners give the owner role directly; there is nothing to nominate.
        Transfer::Direct => return Err(Refusal::NotPermitted),
        Transfer::Nomination => {}
    }
    if !cx.is_owner(&actor.user_id)
        || !cx.may(
            &actor.user_id,
            cx.policy.org_actions.ownership_transfer,
            None,
        )
    {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&to_user)?;
    if to_user == actor.user_id {
        return Err(Refusal::SelfChange);
    }
    let mut changes = Vec::new();
    if let Some(n) = cx.state.nomination() {
        if n.expires_at > cx.now {
            return Err(Refusal::TransferPending);
        }
        let (nomination_id, from_user, to_user) = ids(n);
        changes.push(Change::TransferExpired {
            nomination_id,
            from_user,
            to_user,
        });
    }
    changes.push(Change::TransferNominated {
        nomination_id,
        from_user: actor.user_id.clone(),
        to_user,
        expires_at: cx.now.plus_days(p.ownership.nomination_ttl_days),
    });
    Ok(changes)
}

pub(super) fn accept(cx: &Context) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let n = pending(cx)?;
    if cx.actor.user() != Some(&n.to_user) {
        return Err(Refusal::NotNominee);
    }
    if n.expires_at <= cx.now {
        return Err(Refusal::TransferExpired);
    }
    let new_owner = cx.member(&n.to_user)?;
    let old_owner = cx.member(&n.from_user)?;
    if !cx.is_owner(&old_owner.user_id) {
        return Err(Refusal::NotPermitted);
    }
    let (nomination_id, from_user, to_user) = ids(n);
    let mut changes = vec![Change::TransferAccepted {
        nomination_id,
        from_user: from_user.clone(),
        to_user: to_user.clone(),
    }];
    // Both role changes land with the acceptance: never two owners, never none.
    let owner_role = &p
        .role(p.ownership.role.unwrap_or(p.ownership.creator_role))
        .name;
    if &new_owner.role != owner_role {
        changes.push(Change::RoleChanged {
            user_id: to_user,
            previous_role: new_owner.role.to_string(),
            new_role: owner_role.clone(),
        });
    }
    let previous_owner_role = &p.role(p.ownership.previous_owner_role).name;
    if &old_owner.role != previous_owner_role {
        changes.push(Change::RoleChanged {
            user_id: from_user,
            previous_role: old_owner.role.to_string(),
            new_role: previous_owner_role.clone(),
        });
    }
    Ok(changes)
}

pub(super) fn decline(cx: &Context) -> Result<Vec<Change>, Refusal> {
    let n = pending(cx)?;
    if cx.actor.user() != Some(&n.to_user) {
        return Err(Refusal::NotNominee);
    }
    let (nomination_id, from_user, to_user) = ids(n);
    Ok(vec![Change::TransferDeclined {
        nomination_id,
        from_user,
        to_user,
    }])
}

pub(super) fn cancel(cx: &Context) -> Result<Vec<Change>, Refusal> {
    let n = pending(cx)?;
    if cx.actor.user() != Some(&n.from_user) {
        return Err(Refusal::NotPermitted);
    }
    let (nomination_id, from_user, to_user) = ids(n);
    Ok(vec![Change::TransferCancelled {
        nomination_id,
        from_user,
        to_user,
    }])
}

pub(super) fn expire(cx: &Context) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    match cx.state.nomination() {
        Some(n) if n.expires_at <= cx.now => {
            let (nomination_id, from_user, to_user) = ids(n);
            Ok(vec![Change::TransferExpired {
                nomination_id,
                from_user,
                to_user,
            }])
        }
        _ => Ok(vec![]),
    }
}
