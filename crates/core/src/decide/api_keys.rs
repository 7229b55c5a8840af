//! API keys (created and revoked by those who manage members) and the failed logins
//! Steward records against a member.

use super::Context;
use crate::api_key::{is_key_hash, API_KEY_PERMISSIONS};
use crate::event::{Actor, Change};
use crate::id::{ApiKeyId, Name, UserId};
use crate::refusal::Refusal;

/// A key acts for the organization rather than for one member, so handing one out
/// takes the right to manage members; Steward's operator may as well.
pub(super) fn check_may_manage_keys(cx: &Context) -> Result<(), Refusal> {
    cx.org()?;
    match cx.actor {
        Actor::User(_) => {
            let actor = cx.acting_member()?;
            if !cx.may_manage_members(&actor.user_id) {
                return Err(Refusal::NotPermitted);
            }
        }
        // A directory provisions people; it hands out no credentials.
        Actor::Directory { .. } => return Err(Refusal::NotPermitted),
        Actor::System => {}
    }
    Ok(())
}

/// Why `actor` may not hand out or revoke API keys now, if they may not: the
/// rule `create` and `revoke` apply, for a page that offers the controls.
pub fn api_key_refusal(
    policy: &crate::policy::Policy,
    state: &crate::state::State,
    actor: &Actor,
) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor,
        now: crate::id::Timestamp(0),
    };
    check_may_manage_keys(&cx).err()
}

pub(super) fn create(
    cx: &Context,
    key_id: ApiKeyId,
    name: Name,
    key_hash: String,
    permissions: Vec<String>,
) -> Result<Vec<Change>, Refusal> {
    check_may_manage_keys(cx)?;
    if permissions.is_empty() {
        return Err(Refusal::NoPermissions);
    }
    if let Some(unknown) = permissions
        .iter()
        .find(|p| !API_KEY_PERMISSIONS.contains(&p.as_str()))
    {
        return Err(Refusal::UnknownPermission(unknown.clone()));
    }
    if !is_key_hash(&key_hash) {
        return Err(Refusal::InvalidKeyHash);
    }
    if cx.state.api_key(&key_id).is_some() || cx.state.api_keys().any(|k| k.key_hash == key_hash) {
        return Err(Refusal::DuplicateApiKey);
    }
    // One stored form per set of permissions, however the caller listed them.
    let mut permissions = permissions;
    permissions.sort();
    permissions.dedup();
    Ok(vec![Change::ApiKeyCreated {
        key_id,
        name,
        key_hash,
        permissions,
    }])
}

pub(super) fn revoke(cx: &Context, key_id: ApiKeyId) -> Result<Vec<Change>, Refusal> {
    check_may_manage_keys(cx)?;
    let key = cx
        .state
        .api_key(&key_id)
        .ok_or_else(|| Refusal::UnknownApiKey(key_id.clone()))?;
    Ok(vec![Change::ApiKeyRevoked {
        key_id,
        name: key.name.clone(),
    }])
}

/// Only Steward sees a password refused; a member recording one would let anyone
/// fill another member's audit trail with failures that never happened.
pub(super) fn record_login_failure(cx: &Context, user_id: UserId) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if *cx.actor != Actor::System {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&user_id)?;
    Ok(vec![Change::LoginFailed { user_id }])
}

/// As a refused password, a new one is Steward's to record: a member could
/// otherwise write that someone else's password changed.
pub(super) fn record_password_set(
    cx: &Context,
    user_id: UserId,
    by_reset: bool,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if *cx.actor != Actor::System {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&user_id)?;
    Ok(vec![if by_reset {
        Change::PasswordReset { user_id }
    } else {
        Change::PasswordChanged { user_id }
    }])
}

/// A directory records its own refused requests; nobody records one for it.
pub(super) fn record_directory_refusal(
    cx: &Context,
    reason: String,
    request: String,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if !matches!(cx.actor, Actor::Directory { .. }) {
        return Err(Refusal::NotPermitted);
    }
    Ok(vec![Change::DirectoryRefused { reason, request }])
}
