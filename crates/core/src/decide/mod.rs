//! `decide`: a command, the state and the policy in; the events it causes, or the
//! rule that refuses it, out. Every path (API, console, import, CLI) comes here.

mod api_keys;
mod import;
mod members;
mod objects;
mod organization;
mod ownership;
mod roles;
mod second_factor;
mod sso;
mod suspension;
mod webhooks;

pub use api_keys::api_key_refusal;
pub use import::{plan_import, ImportPlan, RowEffect, RowOutcome};
pub use objects::share_refusal;
pub use roles::{assignable_roles, invitable_roles, invitation_role_refusal, role_change_refusal};
pub use second_factor::{reset_refusal as second_factor_reset_refusal, second_factor_refusal};
pub use sso::{sso_join_refusal, sso_settings_refusal};
pub use suspension::deprovision_command;
pub use webhooks::webhook_refusal;

use crate::access;
use crate::command::Command;
use crate::event::{Actor, Change, Event};
use crate::id::{ObjectId, Timestamp, UserId};
use crate::policy::{ActionIndex, Policy, RoleIndex};
use crate::refusal::Refusal;
use crate::sight;
use crate::state::{Member, Object, OrgInfo, State};
use std::collections::BTreeMap;

/// Decides a command. Nothing is changed: the caller stores the events and folds
/// them into the state with `apply`.
pub fn decide(
    policy: &Policy,
    state: &State,
    actor: &Actor,
    command: Command,
    now: Timestamp,
) -> Result<Vec<Event>, Refusal> {
    let cx = Context {
        policy,
        state,
        actor,
        now,
    };
    let changes = match command {
        Command::CreateOrganization {
            org_id,
            name,
            owner_id,
            owner_email,
            owner_name,
        } => organization::create(&cx, org_id, name, owner_id, owner_email, owner_name)?,
        Command::DeleteOrganization => organization::delete(&cx)?,
        Command::Invite {
            invitation_id,
            email,
            name,
            role,
            scopes,
            expires_at,
        } => members::invite(&cx, invitation_id, email, name, role, scopes, expires_at)?,
        Command::RevokeInvitation { invitation_id } => {
            members::revoke_invitation(&cx, invitation_id)?
        }
        Command::ExpireInvitation { invitation_id } => {
            members::expire_invitation(&cx, invitation_id)?
        }
        Command::Join {
            invitation_id,
            user_id,
            name,
        } => members::join(&cx, invitation_id, user_id, name)?,
        Command::ChangeRole { user_id, role } => roles::change_role(&cx, user_id, role)?,
        Command::Rename { user_id, name } => members::rename(&cx, user_id, name)?,
        Command::ChangeEmail { .. } => return Err(Refusal::EmailImmutable),
        Command::DeleteMember {
            user_id,
            hand_over_to_root,
        } => members::delete(&cx, user_id, hand_over_to_root)?,
        Command::SuspendMember { user_id } => suspension::suspend(&cx, user_id)?,
        Command::ReinstateMember { user_id } => suspension::reinstate(&cx, user_id)?,
        Command::SetDeprovision { on_deprovision } => {
            suspension::set_deprovision(&cx, on_deprovision)?
        }
        Command::SetScopeRoles {
            user_id,
            object_id,
            roles,
        } => roles::set_scope_roles(&cx, user_id, object_id, roles)?,
        Command::NominateOwner {
            nomination_id,
            to_user,
        } => ownership::nominate(&cx, nomination_id, to_user)?,
        Command::AcceptNomination => ownership::accept(&cx)?,
        Command::DeclineNomination => ownership::decline(&cx)?,
        Command::CancelNomination => ownership::cancel(&cx)?,
        Command::ExpireNomination => ownership::expire(&cx)?,
        Command::CreateObject {
            object_id,
            object_type,
            name,
            parent_id,
            owner_id,
        } => objects::create(&cx, object_id, object_type, name, parent_id, owner_id)?,
        Command::DeleteObject { object_id } => objects::delete(&cx, object_id)?,
        Command::RenameObject { object_id, name } => objects::rename(&cx, object_id, name)?,
        Command::MoveObject {
            object_id,
            parent_id,
        } => objects::move_to(&cx, object_id, parent_id)?,
        Command::ChangeObjectOwner {
            object_id,
            owner_id,
        } => objects::change_owner(&cx, object_id, owner_id)?,
        Command::SetGrant {
            object_id,
            user_id,
            actions,
        } => objects::set_grant(&cx, object_id, user_id, actions)?,
        Command::Import { rows } => return import::decide_import(&cx, rows),
        Command::CreateApiKey {
            key_id,
            name,
            key_hash,
            permissions,
        } => api_keys::create(&cx, key_id, name, key_hash, permissions)?,
        Command::RevokeApiKey { key_id } => api_keys::revoke(&cx, key_id)?,
        Command::RecordLoginFailure { user_id } => api_keys::record_login_failure(&cx, user_id)?,
        Command::RecordPasswordSet { user_id, by_reset } => {
            api_keys::record_password_set(&cx, user_id, by_reset)?
        }
        Command::ConfigureSso {
            issuer,
            client_id,
            domains,
            require_sso,
            notify_new_sign_in,
        } => sso::configure(
            &cx,
            issuer,
            client_id,
            domains,
            require_sso,
            notify_new_sign_in,
        )?,
        Command::RemoveSso { issuer } => sso::remove(&cx, issuer)?,
        Command::ProveSsoDomain { domain, proven_by } => sso::prove_domain(&cx, domain, proven_by)?,
        Command::JoinBySso {
            user_id,
            email,
            name,
            issuer,
        } => sso::join(&cx, user_id, email, name, issuer)?,
        Command::RecordSsoSignIn { user_id, issuer } => sso::record_sign_in(&cx, user_id, issuer)?,
        Command::RecordBreakGlass { user_id } => sso::record_break_glass(&cx, user_id)?,
        Command::RecordDirectoryRefusal { reason, request } => {
            api_keys::record_directory_refusal(&cx, reason, request)?
        }
        Command::SetSecondFactorRequired { required } => {
            second_factor::set_required(&cx, required)?
        }
        Command::ResetSecondFactor {
            user_id,
            member_elsewhere,
        } => second_factor::reset(&cx, user_id, member_elsewhere)?,
        Command::ConfigureWebhook {
            webhook_id,
            url,
            event_types,
            enabled,
        } => webhooks::configure(&cx, webhook_id, url, event_types, enabled)?,
        Command::RotateWebhookSecret { webhook_id } => webhooks::rotate_secret(&cx, webhook_id)?,
        Command::RemoveWebhook { webhook_id } => webhooks::remove(&cx, webhook_id)?,
        Command::DisableWebhook { webhook_id, reason } => {
            webhooks::disable(&cx, webhook_id, reason)?
        }
    };
    Ok(changes
        .into_iter()
        .map(|change| Event {
            at: now,
            names: names_as_they_are(state, actor, &change),
            actor: actor.clone(),
            change,
        })
        .collect())
}

/// The names of the actor and of everyone and everything `change` mentions, as
/// the state has them before the change (a deleted member's last name), or as the
/// change itself gives them (a new member's, a new object's).
fn names_as_they_are(state: &State, actor: &Actor, change: &Change) -> BTreeMap<String, String> {
    let (ids, carried) = change.mentions();
    let mut names = BTreeMap::new();
    for id in actor.user().map(UserId::as_str).into_iter().chain(ids) {
        let member = UserId::parse(id).ok().and_then(|u| state.member(&u));
        let object = ObjectId::parse(id).ok().and_then(|o| state.object(&o));
        let name = member
            .map(|m| m.name.as_str())
            .or_else(|| object.map(|o| o.name.as_str()));
        if let Some(name) = name {
            names.insert(id.to_string(), name.to_string());
        }
    }
    for (id, name) in carried {
        names
            .entry(id.to_string())
            .or_insert_with(|| name.to_string());
    }
    names
}

/// What every rule needs to look at.
pub(crate) struct Context<'a> {
    pub policy: &'a Policy,
    pub state: &'a State,
    pub actor: &'a Actor,
    pub now: Timestamp,
}

impl<'a> Context<'a> {
    /// The live organization; a deleted one is gone for every command.
    pub fn org(&self) -> Result<&'a OrgInfo, Refusal> {
        match self.state.org() {
            Some(org) if !org.deleted => Ok(org),
            _ => Err(Refusal::NoOrganization),
        }
    }

    /// The acting member. Someone outside the organization may not know it exists.
    pub fn acting_member(&self) -> Result<&'a Member, Refusal> {
        self.org()?;
        let user = self.actor.user().ok_or(Refusal::NotPermitted)?;
        // A suspended member acts as someone outside the organization.
        self.state
            .active_member(user)
            .ok_or(Refusal::NoOrganization)
    }

    pub fn member(&self, user: &UserId) -> Result<&'a Member, Refusal> {
        self.state
            .member(user)
            .ok_or_else(|| Refusal::UnknownMember(user.clone()))
    }

    /// Whether the user may do the action on the node (`None`: the organization).
    pub fn may(&self, user: &UserId, action: ActionIndex, node: Option<&ObjectId>) -> bool {
        access::allowed(self.policy, self.state, user, action, node)
    }

    /// The object a command is about, as the actor may know it: one a member
    /// may not see is refused as one that does not exist (`sight`), before any
    /// other rule could tell them it is there.
    pub fn object(&self, id: &ObjectId) -> Result<&'a Object, Refusal> {
        self.state
            .object(id)
            .filter(|_| {
                self.actor
                    .user()
                    .is_none_or(|u| sight::sees(self.policy, self.state, u, id))
            })
            .ok_or_else(|| Refusal::UnknownObject(id.clone()))
    }

    /// Whether the actor may manage members (invite, change roles, delete).
    pub fn may_manage_members(&self, user: &UserId) -> bool {
        self.may(user, self.policy.org_actions.members_manage, None)
    }

    pub fn role_of(&self, member: &Member) -> Option<RoleIndex> {
        self.policy.org_role(&member.role)
    }

    /// A member's rank: their organization role's (a role the policy no longer
    /// knows ranks lowest).
    pub fn rank_of(&self, member: &Member) -> i64 {
        self.role_of(member)
            .map_or(-1, |r| self.policy.role(r).rank)
    }

    pub fn is_owner(&self, user: &UserId) -> bool {
        self.state.is_owner(self.policy, user)
    }

    pub fn org_role(&self, name: &str) -> Result<RoleIndex, Refusal> {
        self.policy
            .org_role(name)
            .ok_or_else(|| Refusal::UnknownRole(name.to_string()))
    }
}
