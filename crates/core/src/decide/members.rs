//! A member's life: invitation, joining, renaming, deletion.

use super::roles::{check_role_given, check_scope_change, scope_roles_of};
use super::Context;
use crate::event::{Change, ScopeRoles};
use crate::id::{Email, InvitationId, Name, Timestamp, UserId};
use crate::refusal::Refusal;

#[allow(clippy::too_many_arguments)]
pub(super) fn invite(
    cx: &Context,
    invitation_id: InvitationId,
    email: Email,
    name: Option<Name>,
    role: Option<String>,
    scopes: Vec<ScopeRoles>,
    expires_at: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let role = role.unwrap_or_else(|| {
        cx.policy
            .role(cx.policy.governance.default_role)
            .name
            .clone()
    });
    check_role_given(cx, actor, cx.org_role(&role)?)?;
    if expires_at <= cx.now {
        return Err(Refusal::ExpiryInPast);
    }
    if cx.state.member_by_email(&email).is_some() {
        return Err(Refusal::DuplicateEmail(email));
    }
    if cx.state.invitation(&invitation_id).is_some() {
        return Err(Refusal::DuplicateInvitation);
    }
    if cx
        .state
        .invitations_for(&email)
        .any(|i| i.expires_at > cx.now)
    {
        return Err(Refusal::AlreadyInvited(email));
    }
    let mut checked = Vec::with_capacity(scopes.len());
    for s in scopes {
        let (level, roles) = scope_roles_of(cx, &s.object_id, &s.roles)?;
        // The invitee is nobody yet: no self-change or owner rule can apply, only rank and right.
        check_scope_change(cx, actor, None, &s.object_id, level, &roles)?;
        let mut names: Vec<String> = roles
            .iter()
            .map(|&r| cx.policy.role(r).name.clone())
            .collect();
        names.sort();
        if !names.is_empty() {
            checked.push(ScopeRoles {
                object_id: s.object_id,
                roles: names,
            });
        }
    }
    Ok(vec![Change::MemberInvited {
        invitation_id,
        email,
        name,
        role,
        scopes: checked,
        expires_at,
    }])
}

pub(super) fn revoke_invitation(
    cx: &Context,
    invitation_id: InvitationId,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    if !cx.may_manage_members(&actor.user_id) {
        return Err(Refusal::NotPermitted);
    }
    let inv = cx
        .state
        .invitation(&invitation_id)
        .ok_or(Refusal::UnknownInvitation)?;
    Ok(vec![Change::InvitationRevoked {
        invitation_id,
        email: inv.email.clone(),
    }])
}

pub(super) fn expire_invitation(
    cx: &Context,
    invitation_id: InvitationId,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    match cx.state.invitation(&invitation_id) {
        Some(inv) if inv.expires_at <= cx.now => Ok(vec![Change::InvitationExpired {
            invitation_id,
            email: inv.email.clone(),
        }]),
        _ => Ok(vec![]),
    }
}

pub(super) fn join(
    cx: &Context,
    invitation_id: InvitationId,
    user_id: UserId,
    name: Option<Name>,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if cx.actor.user() != Some(&user_id) {
        return Err(Refusal::NotPermitted);
    }
    let inv = cx
        .state
        .invitation(&invitation_id)
        .ok_or(Refusal::UnknownInvitation)?;
    if inv.expires_at <= cx.now {
        return Err(Refusal::InvitationExpired);
    }
    if cx.state.member(&user_id).is_some() {
        return Err(Refusal::AlreadyMember);
    }
    if cx.state.member_by_email(&inv.email).is_some() {
        return Err(Refusal::DuplicateEmail(inv.email.clone()));
    }
    let name = name.or_else(|| inv.name.clone()).unwrap_or_else(|| {
        let local = inv.email.as_str().split('@').next().unwrap_or("member");
        Name::parse(local).unwrap_or_else(|_| Name::fallback())
    });
    Ok(vec![Change::MemberJoined {
        invitation_id: Some(invitation_id),
        user_id,
        email: inv.email.clone(),
        name,
        role: inv.role.clone(),
    }])
}

pub(super) fn rename(cx: &Context, user_id: UserId, name: Name) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let target = cx.member(&user_id)?;
    // A member may always correct their own name; anyone else's needs the right to manage members.
    if actor.user_id != target.user_id {
        if !cx.may_manage_members(&actor.user_id) {
            return Err(Refusal::NotPermitted);
        }
        if cx.is_owner(&target.user_id) && !cx.policy.ownership.editable {
            return Err(Refusal::OwnerImmutable);
        }
        if cx.rank_of(target) > cx.rank_of(actor) {
            return Err(Refusal::AboveOwnRank);
        }
    }
    if target.name == name {
        return Ok(vec![]);
    }
    Ok(vec![Change::MemberUpdated {
        user_id,
        previous_name: target.name.clone(),
        name,
    }])
}

pub(super) fn delete(
    cx: &Context,
    user_id: UserId,
    hand_over_to_root: bool,
) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let actor = cx.acting_member()?;
    let target = cx.member(&user_id)?;
    // "You cannot ... delete your user."
    if actor.user_id == target.user_id {
        return Err(Refusal::SelfChange);
    }
    if !cx.may_manage_members(&actor.user_id) {
        return Err(Refusal::NotPermitted);
    }
    if cx.is_owner(&user_id) {
        // "the user with this role cannot be deleted"
        if !p.ownership.editable {
            return Err(Refusal::OwnerImmutable);
        }
        if !cx.is_owner(&actor.user_id) {
            return Err(Refusal::CannotDemoteOwner);
        }
        if cx.state.owner_count(p) <= 1 {
            return Err(Refusal::LastOwner);
        }
    }
    if cx.rank_of(target) > cx.rank_of(actor) {
        return Err(Refusal::AboveOwnRank);
    }
    // A suspended admin is not counted, so removing one leaves the count as it is.
    if !target.suspended
        && cx.role_of(target).is_some_and(|r| p.counts_as_admin(r))
        && cx.state.admin_count(p) <= p.governance.min_admins
    {
        return Err(Refusal::LastAdmin);
    }
    let objects_to = if hand_over_to_root {
        if !p.ownership.root {
            return Err(Refusal::NoRootAccount);
        }
        cx.state.owner_id(p).cloned()
    } else {
        None
    };
    let mut changes = Vec::new();
    if let Some(n) = cx.state.nomination() {
        if n.to_user == user_id {
            changes.push(Change::TransferCancelled {
                nomination_id: n.id.clone(),
                from_user: n.from_user.clone(),
                to_user: n.to_user.clone(),
            });
        }
    }
    // A key acts for the organization, but its creator handed it out: when they
    // leave, what they handed out stops with them (docs/model.md#deleting-a-member). Revoked as events, so
    // the log says which keys went and every node's key index drops them.
    let keys: Vec<Change> = cx
        .state
        .api_keys()
        .filter(|k| k.created_by.as_ref() == Some(&user_id))
        .map(|k| Change::ApiKeyRevoked {
            key_id: k.id.clone(),
            name: k.name.clone(),
        })
        .collect();
    changes.push(Change::MemberDeleted {
        user_id,
        email: target.email.clone(),
        role: target.role.to_string(),
        objects_to,
    });
    changes.extend(keys);
    Ok(changes)
}
