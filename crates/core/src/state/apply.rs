//! `apply`: an event folded into an organization's state, and `replay`: a state
//! rebuilt from its events.

use super::{Children, Deprovision, Invitation, Label, Member, Nomination, Object, OrgInfo, State};
use crate::api_key::ApiKey;
use crate::event::{Change, Event};
use crate::id::{Email, InvitationId, Name, ObjectId, UserId};
use crate::webhook::Webhook;

/// The label for `role`: the one its holders already share (a key of `by_role`),
/// or a new one that the member about to hold it will share with the next.
fn role_label(state: &State, role: &str) -> Label {
    match state.by_role.label(role) {
        Some(label) => label.clone(),
        None => Label::new(role),
    }
}

/// A change to a member that may move them between role counts: out of their
/// counts as they stood, back in as they stand.
fn edit_member(state: &mut State, user: &UserId, change: impl FnOnce(&mut Member)) {
    let Some(held) = state.members.get(user) else {
        return;
    };
    state.by_role.remove(held);
    state.members.edit(user, change);
    if let Some(m) = state.members.get(user) {
        state.by_role.add(m);
    }
}

fn set_role(state: &mut State, user: &UserId, role: &str) {
    let label = role_label(state, role);
    edit_member(state, user, |m| m.role = label);
}

fn add_member(state: &mut State, user: &UserId, email: &Email, name: &Name, role: &str) {
    let member = Member {
        user_id: user.clone(),
        email: email.clone(),
        name: name.clone(),
        role: role_label(state, role),
        suspended: false,
    };
    state.by_role.add(&member);
    state.members.insert(member);
    state.by_email.insert(email, user);
}

/// The role's active count follows the member's suspension.
fn set_suspended(state: &mut State, user: &UserId, suspended: bool) {
    edit_member(state, user, |m| m.suspended = suspended);
}

pub(super) fn add_invitation(state: &mut State, invitation: Invitation) {
    state
        .invitations_by_email
        .entry(invitation.email.clone())
        .or_default()
        .insert(invitation.id.clone());
    state.invitations.insert(invitation.id.clone(), invitation);
}

fn remove_invitation(state: &mut State, id: &InvitationId) -> Option<Invitation> {
    let invitation = state.invitations.remove(id)?;
    if let Some(ids) = state.invitations_by_email.get_mut(&invitation.email) {
        ids.remove(id);
        if ids.is_empty() {
            state.invitations_by_email.remove(&invitation.email);
        }
    }
    Some(invitation)
}

fn set_scope_roles(state: &mut State, user: &UserId, object: &ObjectId, roles: &[String]) {
    let per_user = state.scope_roles.entry(user.clone()).or_default();
    if roles.is_empty() {
        per_user.remove(object);
    } else {
        per_user.insert(object.clone(), roles.iter().cloned().collect());
    }
    if per_user.is_empty() {
        state.scope_roles.remove(user);
    }
}

fn set_grant(state: &mut State, object: &ObjectId, user: &UserId, actions: &[String]) {
    let per_object = state.grants.entry(object.clone()).or_default();
    if actions.is_empty() {
        per_object.remove(user);
    } else {
        per_object.insert(user.clone(), actions.iter().cloned().collect());
    }
    if per_object.is_empty() {
        state.grants.remove(object);
    }
}

/// The label for a new object's type: its parent's when they are of one type
/// (children mostly are), else a new one. Objects loaded at start-up share one
/// per type (`State::restore`); this keeps those created since from costing a
/// string each where the parent already holds it.
fn type_label(state: &State, parent: Option<&ObjectId>, object_type: &str) -> Label {
    match parent.and_then(|p| state.objects.get(p)) {
        Some(p) if p.object_type == object_type => p.object_type.clone(),
        _ => Label::new(object_type),
    }
}

/// Folds one event into the state. Events come from `decide`, which has checked them
/// against the state they apply to; an event that names something missing changes
/// nothing rather than panicking.
pub fn apply(state: &mut State, event: &Event) {
    match &event.change {
        Change::OrgCreated {
            org_id,
            name,
            owner_id,
            owner_email,
            owner_name,
            owner_role,
        } => {
            *state = State::default();
            state.org = Some(OrgInfo {
                id: org_id.clone(),
                name: name.clone(),
                owner: owner_id.clone(),
                deleted: false,
                second_factor_required: false,
                on_deprovision: Deprovision::default(),
            });
            add_member(state, owner_id, owner_email, owner_name, owner_role);
        }
        Change::OrgDeleted { .. } => {
            if let Some(org) = state.org.as_mut() {
                org.deleted = true;
            }
        }
        Change::MemberInvited {
            invitation_id,
            email,
            name,
            role,
            scopes,
            expires_at,
        } => {
            add_invitation(
                state,
                Invitation {
                    id: invitation_id.clone(),
                    email: email.clone(),
                    name: name.clone(),
                    role: role.clone(),
                    scopes: scopes.clone(),
                    expires_at: *expires_at,
                },
            );
        }
        Change::InvitationRevoked { invitation_id, .. }
        | Change::InvitationExpired { invitation_id, .. } => {
            remove_invitation(state, invitation_id);
        }
        Change::MemberJoined {
            invitation_id,
            user_id,
            email,
            name,
            role,
        } => {
            let scopes = invitation_id
                .as_ref()
                .and_then(|i| remove_invitation(state, i))
                .map(|i| i.scopes)
                .unwrap_or_default();
            add_member(state, user_id, email, name, role);
            for s in scopes {
                if state.objects.contains(&s.object_id) {
                    set_scope_roles(state, user_id, &s.object_id, &s.roles);
                }
            }
        }
        Change::MemberUpdated { user_id, name, .. } => {
            state.members.edit(user_id, |m| m.name = name.clone());
        }
        Change::MemberDeleted {
            user_id,
            objects_to,
            ..
        } => {
            if let Some(m) = state.members.remove(user_id) {
                state.by_email.remove(&m.email, user_id);
                state.by_role.remove(&m);
            }
            state.scope_roles.remove(user_id);
            state.grants.retain(|_, per_object| {
                per_object.remove(user_id);
                !per_object.is_empty()
            });
            let owned: Vec<ObjectId> = (state.objects.values())
                .filter(|o| o.owner.as_ref() == Some(user_id))
                .map(|o| o.id.clone())
                .collect();
            for id in owned {
                state.objects.edit(&id, |o| o.owner = objects_to.clone());
            }
            if state
                .nomination
                .as_ref()
                .is_some_and(|n| &n.to_user == user_id || &n.from_user == user_id)
            {
                state.nomination = None;
            }
        }
        Change::RoleChanged {
            user_id, new_role, ..
        } => set_role(state, user_id, new_role),
        Change::MemberSuspended { user_id, .. } => set_suspended(state, user_id, true),
        Change::MemberReinstated { user_id, .. } => set_suspended(state, user_id, false),
        Change::DeprovisionChanged { on_deprovision, .. } => {
            if let Some(org) = state.org.as_mut() {
                org.on_deprovision = *on_deprovision;
            }
        }
        Change::ScopeRolesChanged {
            user_id,
            object_id,
            roles,
            ..
        } => set_scope_roles(state, user_id, object_id, roles),
        Change::TransferNominated {
            nomination_id,
            from_user,
            to_user,
            expires_at,
        } => {
            state.nomination = Some(Nomination {
                id: nomination_id.clone(),
                from_user: from_user.clone(),
                to_user: to_user.clone(),
                expires_at: *expires_at,
            });
        }
        Change::TransferAccepted { to_user, .. } => {
            state.nomination = None;
            if let Some(org) = state.org.as_mut() {
                org.owner = to_user.clone();
            }
        }
        Change::TransferDeclined { .. }
        | Change::TransferCancelled { .. }
        | Change::TransferExpired { .. } => {
            state.nomination = None;
        }
        Change::ObjectCreated {
            object_id,
            object_type,
            name,
            parent_id,
            owner_id,
        } => {
            if let Some(p) = parent_id {
                if !state.objects.edit(p, |parent| {
                    parent.children.insert(object_id.clone());
                }) {
                    return;
                }
            }
            let object_type = type_label(state, parent_id.as_ref(), object_type);
            state.objects.insert(Object {
                id: object_id.clone(),
                object_type,
                name: name.clone(),
                parent: parent_id.clone(),
                owner: owner_id.clone(),
                children: Children::new(),
            });
        }
        Change::ObjectDeleted { object_id } => {
            let gone: Vec<ObjectId> = state
                .subtree(object_id)
                .iter()
                .map(|o| o.id.clone())
                .collect();
            if let Some(parent) = state.objects.get(object_id).and_then(|o| o.parent.clone()) {
                state.objects.edit(&parent, |p| {
                    p.children.remove(object_id);
                });
            }
            for id in &gone {
                state.objects.remove(id);
                state.grants.remove(id);
            }
            state.scope_roles.retain(|_, per_user| {
                for id in &gone {
                    per_user.remove(id);
                }
                !per_user.is_empty()
            });
        }
        Change::ObjectOwnerChanged {
            object_id,
            new_owner,
            ..
        } => {
            let ids: Vec<ObjectId> = state
                .subtree(object_id)
                .iter()
                .map(|o| o.id.clone())
                .collect();
            for id in ids {
                state.objects.edit(&id, |o| o.owner = new_owner.clone());
            }
        }
        Change::ObjectRenamed {
            object_id, name, ..
        } => {
            state.objects.edit(object_id, |o| o.name = name.clone());
        }
        Change::ObjectMoved {
            object_id,
            parent_id,
            ..
        } => {
            let Some(previous) = state.objects.get(object_id).map(|o| o.parent.clone()) else {
                return;
            };
            if parent_id
                .as_ref()
                .is_some_and(|p| state.objects.get(p).is_none())
            {
                return;
            }
            // Out of the old parent's children before into the new one's, so a
            // move to the parent it already has keeps it there.
            if let Some(p) = previous {
                state.objects.edit(&p, |p| {
                    p.children.remove(object_id);
                });
            }
            if let Some(p) = parent_id {
                state.objects.edit(p, |parent| {
                    parent.children.insert(object_id.clone());
                });
            }
            state
                .objects
                .edit(object_id, |o| o.parent = parent_id.clone());
        }
        Change::GrantChanged {
            object_id,
            user_id,
            actions,
            ..
        } => set_grant(state, object_id, user_id, actions),
        Change::ApiKeyCreated {
            key_id,
            name,
            key_hash,
            permissions,
        } => {
            state.api_keys.insert(
                key_id.clone(),
                ApiKey {
                    id: key_id.clone(),
                    name: name.clone(),
                    key_hash: key_hash.clone(),
                    permissions: permissions.clone(),
                    created_by: event.actor.user().cloned(),
                    created_at: event.at,
                },
            );
        }
        Change::ApiKeyRevoked { key_id, .. } => {
            state.api_keys.remove(key_id);
        }
        Change::SecondFactorRequiredSet { required } => {
            if let Some(org) = state.org.as_mut() {
                org.second_factor_required = *required;
            }
        }
        Change::WebhookConfigured {
            webhook_id,
            url,
            event_types,
            enabled,
        } => {
            state.webhooks.insert(
                webhook_id.clone(),
                Webhook {
                    id: webhook_id.clone(),
                    url: url.clone(),
                    event_types: event_types.clone(),
                    enabled: *enabled,
                },
            );
        }
        Change::WebhookDisabled { webhook_id, .. } => {
            if let Some(w) = state.webhooks.get_mut(webhook_id) {
                w.enabled = false;
            }
        }
        Change::WebhookRemoved { webhook_id, .. } => {
            state.webhooks.remove(webhook_id);
        }
        Change::ImportApplied { .. }
        | Change::LoginFailed { .. }
        | Change::PasswordReset { .. }
        | Change::PasswordChanged { .. }
        | Change::DirectoryRefused { .. }
        | Change::SecondFactorReset { .. }
        | Change::SsoConfigured { .. }
        | Change::SsoRemoved { .. }
        | Change::SsoDomainProven { .. }
        | Change::SsoJoined { .. }
        | Change::SsoSignedIn { .. }
        | Change::BreakGlass { .. }
        | Change::WebhookSecretRotated { .. } => {}
    }
}

/// Rebuilds a state from its events, in order.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> State {
    let mut state = State::default();
    for e in events {
        apply(&mut state, e);
    }
    state
}
