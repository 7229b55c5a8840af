//! Creating and deleting an organization.

use super::Context;
use crate::event::{Actor, Change};
use crate::id::{Email, Name, OrgId, UserId};
use crate::refusal::Refusal;

pub(super) fn create(
    cx: &Context,
    org_id: OrgId,
    name: Name,
    owner_id: UserId,
    owner_email: Email,
    owner_name: Name,
) -> Result<Vec<Change>, Refusal> {
    if cx.state.org().is_some() {
        return Err(Refusal::OrganizationExists);
    }
    // The creator becomes the owner; only they, or Steward's operator, create it for them.
    match cx.actor {
        Actor::User(u) if *u != owner_id => return Err(Refusal::NotPermitted),
        Actor::Directory { .. } => return Err(Refusal::NotPermitted),
        Actor::User(_) | Actor::System => {}
    }
    let p = cx.policy;
    let owner_role = p
        .role(p.ownership.role.unwrap_or(p.ownership.creator_role))
        .name
        .clone();
    Ok(vec![Change::OrgCreated {
        org_id,
        name,
        owner_id,
        owner_email,
        owner_name,
        owner_role,
    }])
}

pub(super) fn delete(cx: &Context) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let org = cx.org()?;
    if !cx.may(&actor.user_id, cx.policy.org_actions.delete, None) {
        return Err(Refusal::NotPermitted);
    }
    Ok(vec![Change::OrgDeleted {
        org_id: org.id.clone(),
    }])
}
