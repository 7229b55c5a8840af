//! Single sign-on (docs/sign-in.md#single-sign-on): who may configure an
//! organization's OpenID provider and prove its domains, the just-in-time
//! membership a first SSO sign-in brings (never above the admins' rank), and the
//! sign-ins Steward records for the audit trail.

use super::Context;
use crate::event::{Actor, Change};
use crate::id::{Email, Name, UserId};
use crate::policy::{Policy, RoleIndex};
use crate::refusal::Refusal;
use crate::state::State;

/// SSO decides who may sign in to the organization, so it is the owner's or an
/// admin's (a role the minimum-admins rule counts) to configure.
fn check_may_configure(cx: &Context) -> Result<(), Refusal> {
    let actor = cx.acting_member()?;
    if matches!(cx.actor, Actor::Directory { .. }) {
        return Err(Refusal::NotPermitted);
    }
    let admin = cx
        .role_of(actor)
        .is_some_and(|r| cx.policy.governance.admin_roles.contains(r));
    if admin || cx.is_owner(&actor.user_id) {
        Ok(())
    } else {
        Err(Refusal::NotPermitted)
    }
}

/// Why `actor` may not configure single sign-on, if they may not: for a page
/// that offers the settings.
pub fn sso_settings_refusal(policy: &Policy, state: &State, actor: &Actor) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor,
        now: crate::id::Timestamp(0),
    };
    check_may_configure(&cx).err()
}

/// Why a just-in-time join would be refused whoever joins (the policy's default
/// role is too high), so the server refuses before it makes an account.
pub fn sso_join_refusal(policy: &Policy) -> Option<Refusal> {
    let role = policy.governance.default_role;
    too_high_for_sso(policy, role).then(|| Refusal::SsoRoleTooHigh(policy.role(role).name.clone()))
}

/// Whether a role is too high to be given by a just-in-time join: the owner's
/// role, an admin role, or a role ranked as high as the lowest admin role.
fn too_high_for_sso(policy: &Policy, role: RoleIndex) -> bool {
    let governance = &policy.governance;
    let lowest_admin = policy
        .org_roles
        .iter()
        .filter(|r| governance.admin_roles.contains(**r))
        .map(|r| policy.role(*r).rank)
        .min();
    policy.ownership.role == Some(role)
        || governance.admin_roles.contains(role)
        || lowest_admin.is_some_and(|rank| policy.role(role).rank >= rank)
}

pub(super) fn configure(
    cx: &Context,
    issuer: String,
    client_id: String,
    domains: Vec<String>,
    require_sso: bool,
    notify_new_sign_in: bool,
) -> Result<Vec<Change>, Refusal> {
    check_may_configure(cx)?;
    let mut domains = domains;
    domains.sort();
    domains.dedup();
    Ok(vec![Change::SsoConfigured {
        issuer,
        client_id,
        domains,
        require_sso,
        notify_new_sign_in,
    }])
}

pub(super) fn remove(cx: &Context, issuer: String) -> Result<Vec<Change>, Refusal> {
    check_may_configure(cx)?;
    Ok(vec![Change::SsoRemoved { issuer }])
}

/// A domain is proven by a verified address on it; the address's verification
/// is the server's to know, the address being on the domain is checked here.
pub(super) fn prove_domain(
    cx: &Context,
    domain: String,
    proven_by: Email,
) -> Result<Vec<Change>, Refusal> {
    check_may_configure(cx)?;
    if proven_by.domain() != domain {
        return Err(Refusal::SsoAddressNotOnDomain(domain));
    }
    Ok(vec![Change::SsoDomainProven { domain, proven_by }])
}

/// Steward joins an account that its provider vouched for, with the policy's
/// default role; never an owner's or an admin's (`sso_role_too_high`): the
/// provider's word is no grant of power over the organization.
pub(super) fn join(
    cx: &Context,
    user_id: UserId,
    email: Email,
    name: Name,
    issuer: String,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if *cx.actor != Actor::System {
        return Err(Refusal::NotPermitted);
    }
    if let Some(refusal) = sso_join_refusal(cx.policy) {
        return Err(refusal);
    }
    let role = cx.policy.governance.default_role;
    if cx.state.member(&user_id).is_some() {
        return Err(Refusal::AlreadyMember);
    }
    if cx.state.member_by_email(&email).is_some() {
        return Err(Refusal::DuplicateEmail(email));
    }
    Ok(vec![
        Change::MemberJoined {
            invitation_id: None,
            user_id: user_id.clone(),
            email,
            name,
            role: cx.policy.role(role).name.clone(),
        },
        Change::SsoJoined { user_id, issuer },
    ])
}

/// Only Steward records a sign-in, as it records a refused password.
pub(super) fn record_sign_in(
    cx: &Context,
    user_id: UserId,
    issuer: String,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if *cx.actor != Actor::System {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&user_id)?;
    Ok(vec![Change::SsoSignedIn { user_id, issuer }])
}

/// The owner's password sign-in while the organization requires SSO: allowed,
/// and recorded so nobody uses the break-glass path unseen.
pub(super) fn record_break_glass(cx: &Context, user_id: UserId) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if *cx.actor != Actor::System {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&user_id)?;
    if !cx.is_owner(&user_id) {
        return Err(Refusal::NotPermitted);
    }
    Ok(vec![Change::BreakGlass { user_id }])
}
