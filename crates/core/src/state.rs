//! An organization's state: members, scope roles, objects, grants, invitations, the
//! pending ownership nomination, the live API keys and the webhook endpoints. Changed only by `apply`, so it
//! is always what its events say.

use crate::api_key::ApiKey;
use crate::event::{Change, Event, ScopeRoles};
use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
    WebhookId,
};
use crate::policy::Policy;
use crate::webhook::Webhook;
use std::collections::{BTreeMap, BTreeSet};

mod restore;
pub use restore::StateRows;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgInfo {
    pub id: OrgId,
    pub name: Name,
    /// The designated owner: the creator, or whoever accepted the last transfer.
    /// Where owners are marked by a role, `State::owner_id` is the one to ask.
    pub owner: UserId,
    pub deleted: bool,
    /// Admins and owners need a second factor to manage the organization
    /// (docs/two-factor.md#the-organization-setting).
    pub second_factor_required: bool,
    /// What a directory's deprovisioning does to a member (docs/provisioning.md).
    pub on_deprovision: Deprovision,
}

/// What an organization chose for a member its directory deprovisions
/// (SCIM `active: false`): removed, or suspended and kept, roles and all, to be
/// reinstated (docs/provisioning.md#suspension).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Deprovision {
    #[default]
    Remove,
    Suspend,
}

impl Deprovision {
    pub fn as_str(self) -> &'static str {
        match self {
            Deprovision::Remove => "remove",
            Deprovision::Suspend => "suspend",
        }
    }

    pub fn parse(text: &str) -> Option<Deprovision> {
        match text {
            "remove" => Some(Deprovision::Remove),
            "suspend" => Some(Deprovision::Suspend),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub name: Name,
    pub role: String,
    /// Suspended: keeps their roles and grants, but every check answers for them
    /// as for someone outside the organization until they are reinstated.
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub id: ObjectId,
    pub object_type: String,
    pub name: Name,
    pub parent: Option<ObjectId>,
    pub owner: Option<UserId>,
    pub children: BTreeSet<ObjectId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: Email,
    pub name: Option<Name>,
    pub role: String,
    pub scopes: Vec<ScopeRoles>,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub id: NominationId,
    pub from_user: UserId,
    pub to_user: UserId,
    pub expires_at: Timestamp,
}

/// One organization. `State::default()` is the empty state before `org.created`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    org: Option<OrgInfo>,
    members: BTreeMap<UserId, Member>,
    by_email: BTreeMap<Email, UserId>,
    by_role: BTreeMap<String, BTreeSet<UserId>>,
    scope_roles: BTreeMap<UserId, BTreeMap<ObjectId, BTreeSet<String>>>,
    objects: BTreeMap<ObjectId, Object>,
    grants: BTreeMap<ObjectId, BTreeMap<UserId, BTreeSet<String>>>,
    invitations: BTreeMap<InvitationId, Invitation>,
    /// Invitations by invitee, so an import of many rows asks in O(log n).
    invitations_by_email: BTreeMap<Email, BTreeSet<InvitationId>>,
    nomination: Option<Nomination>,
    api_keys: BTreeMap<ApiKeyId, ApiKey>,
    webhooks: BTreeMap<WebhookId, Webhook>,
}

impl State {
    pub fn org(&self) -> Option<&OrgInfo> {
        self.org.as_ref()
    }
    pub fn member(&self, user: &UserId) -> Option<&Member> {
        self.members.get(user)
    }
    /// A member who is not suspended: the one every check and every act asks for.
    pub fn active_member(&self, user: &UserId) -> Option<&Member> {
        self.members.get(user).filter(|m| !m.suspended)
    }
    /// What the organization does to a member its directory deprovisions.
    pub fn on_deprovision(&self) -> Deprovision {
        self.org
            .as_ref()
            .map_or_else(Deprovision::default, |o| o.on_deprovision)
    }
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }
    pub fn member_count(&self) -> usize {
        self.members.len()
    }
    pub fn member_by_email(&self, email: &Email) -> Option<&Member> {
        self.by_email.get(email).and_then(|u| self.members.get(u))
    }
    /// The members holding an organization role.
    pub fn holders(&self, role: &str) -> impl Iterator<Item = &UserId> {
        self.by_role.get(role).into_iter().flatten()
    }
    pub fn holder_count(&self, role: &str) -> usize {
        self.by_role.get(role).map_or(0, BTreeSet::len)
    }
    /// The user's roles on one scope object.
    pub fn scope_roles(&self, user: &UserId, object: &ObjectId) -> Option<&BTreeSet<String>> {
        self.scope_roles.get(user).and_then(|m| m.get(object))
    }
    /// Every scope the user holds roles on.
    pub fn scopes_of(&self, user: &UserId) -> impl Iterator<Item = (&ObjectId, &BTreeSet<String>)> {
        self.scope_roles.get(user).into_iter().flatten()
    }
    /// Every (user, scope, roles) in the organization.
    pub fn all_scope_roles(&self) -> impl Iterator<Item = (&UserId, &ObjectId, &BTreeSet<String>)> {
        self.scope_roles
            .iter()
            .flat_map(|(u, m)| m.iter().map(move |(o, r)| (u, o, r)))
    }
    pub fn object(&self, id: &ObjectId) -> Option<&Object> {
        self.objects.get(id)
    }
    pub fn objects(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }
    /// The object and every object below it, parents before children.
    pub fn subtree(&self, id: &ObjectId) -> Vec<&Object> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(i) = stack.pop() {
            if let Some(o) = self.objects.get(i) {
                out.push(o);
                stack.extend(o.children.iter().rev());
            }
        }
        out
    }
    pub fn grant(&self, object: &ObjectId, user: &UserId) -> Option<&BTreeSet<String>> {
        self.grants.get(object).and_then(|m| m.get(user))
    }
    pub fn grants_on(
        &self,
        object: &ObjectId,
    ) -> impl Iterator<Item = (&UserId, &BTreeSet<String>)> {
        self.grants.get(object).into_iter().flatten()
    }
    /// Every (object, user, actions) grant in the organization.
    pub fn all_grants(&self) -> impl Iterator<Item = (&ObjectId, &UserId, &BTreeSet<String>)> {
        self.grants
            .iter()
            .flat_map(|(o, m)| m.iter().map(move |(u, a)| (o, u, a)))
    }
    pub fn invitation(&self, id: &InvitationId) -> Option<&Invitation> {
        self.invitations.get(id)
    }
    pub fn invitations(&self) -> impl Iterator<Item = &Invitation> {
        self.invitations.values()
    }
    /// The invitations sent to one address (expired ones included until swept).
    pub fn invitations_for(&self, email: &Email) -> impl Iterator<Item = &Invitation> {
        self.invitations_by_email
            .get(email)
            .into_iter()
            .flatten()
            .filter_map(|id| self.invitations.get(id))
    }
    pub fn nomination(&self) -> Option<&Nomination> {
        self.nomination.as_ref()
    }
    pub fn api_key(&self, id: &ApiKeyId) -> Option<&ApiKey> {
        self.api_keys.get(id)
    }
    /// The live keys, by id; revoked ones are gone.
    pub fn api_keys(&self) -> impl Iterator<Item = &ApiKey> {
        self.api_keys.values()
    }
    pub fn webhook(&self, id: &WebhookId) -> Option<&Webhook> {
        self.webhooks.get(id)
    }
    /// The endpoints, by id; removed ones are gone.
    pub fn webhooks(&self) -> impl Iterator<Item = &Webhook> {
        self.webhooks.values()
    }

    /// Whether the user is an owner of the organization under this policy.
    pub fn is_owner(&self, policy: &Policy, user: &UserId) -> bool {
        match policy.ownership.role {
            Some(r) => self
                .members
                .get(user)
                .is_some_and(|m| m.role == policy.role(r).name),
            None => self.org.as_ref().is_some_and(|o| &o.owner == user),
        }
    }

    /// The organization's owner (where several are allowed, the designated one if it
    /// still holds the owner role, else the first holder).
    pub fn owner_id(&self, policy: &Policy) -> Option<&UserId> {
        let org = self.org.as_ref()?;
        match policy.ownership.role {
            Some(_) if self.is_owner(policy, &org.owner) => Some(&org.owner),
            Some(r) => self.holders(&policy.role(r).name).next(),
            None => Some(&org.owner),
        }
    }

    /// How many owners there are under this policy.
    pub fn owner_count(&self, policy: &Policy) -> usize {
        match policy.ownership.role {
            Some(r) => self.holder_count(&policy.role(r).name),
            None => usize::from(
                self.org
                    .as_ref()
                    .is_some_and(|o| self.members.contains_key(&o.owner)),
            ),
        }
    }

    /// How many members count as admins for the minimum-admins rule: a
    /// suspended admin administers nothing, so does not count.
    pub fn admin_count(&self, policy: &Policy) -> usize {
        policy
            .governance
            .admin_roles
            .iter()
            .map(|r| {
                self.holders(&policy.role(r).name)
                    .filter(|u| self.active_member(u).is_some())
                    .count()
            })
            .sum()
    }
}

fn set_role(state: &mut State, user: &UserId, role: &str) {
    if let Some(m) = state.members.get_mut(user) {
        if let Some(holders) = state.by_role.get_mut(&m.role) {
            holders.remove(user);
            if holders.is_empty() {
                state.by_role.remove(&m.role);
            }
        }
        m.role = role.to_string();
        state
            .by_role
            .entry(role.to_string())
            .or_default()
            .insert(user.clone());
    }
}

fn add_member(state: &mut State, user: &UserId, email: &Email, name: &Name, role: &str) {
    state.members.insert(
        user.clone(),
        Member {
            user_id: user.clone(),
            email: email.clone(),
            name: name.clone(),
            role: role.to_string(),
            suspended: false,
        },
    );
    state.by_email.insert(email.clone(), user.clone());
    state
        .by_role
        .entry(role.to_string())
        .or_default()
        .insert(user.clone());
}

fn set_suspended(state: &mut State, user: &UserId, suspended: bool) {
    if let Some(m) = state.members.get_mut(user) {
        m.suspended = suspended;
    }
}

fn add_invitation(state: &mut State, invitation: Invitation) {
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
                if state.objects.contains_key(&s.object_id) {
                    set_scope_roles(state, user_id, &s.object_id, &s.roles);
                }
            }
        }
        Change::MemberUpdated { user_id, name, .. } => {
            if let Some(m) = state.members.get_mut(user_id) {
                m.name = name.clone();
            }
        }
        Change::MemberDeleted {
            user_id,
            objects_to,
            ..
        } => {
            if let Some(m) = state.members.remove(user_id) {
                state.by_email.remove(&m.email);
                if let Some(holders) = state.by_role.get_mut(&m.role) {
                    holders.remove(user_id);
                    if holders.is_empty() {
                        state.by_role.remove(&m.role);
                    }
                }
            }
            state.scope_roles.remove(user_id);
            state.grants.retain(|_, per_object| {
                per_object.remove(user_id);
                !per_object.is_empty()
            });
            for o in state.objects.values_mut() {
                if o.owner.as_ref() == Some(user_id) {
                    o.owner = objects_to.clone();
                }
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
                match state.objects.get_mut(p) {
                    Some(parent) => {
                        parent.children.insert(object_id.clone());
                    }
                    None => return,
                }
            }
            state.objects.insert(
                object_id.clone(),
                Object {
                    id: object_id.clone(),
                    object_type: object_type.clone(),
                    name: name.clone(),
                    parent: parent_id.clone(),
                    owner: owner_id.clone(),
                    children: BTreeSet::new(),
                },
            );
        }
        Change::ObjectDeleted { object_id } => {
            let gone: Vec<ObjectId> = state
                .subtree(object_id)
                .iter()
                .map(|o| o.id.clone())
                .collect();
            if let Some(parent) = state.objects.get(object_id).and_then(|o| o.parent.clone()) {
                if let Some(p) = state.objects.get_mut(&parent) {
                    p.children.remove(object_id);
                }
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
                if let Some(o) = state.objects.get_mut(&id) {
                    o.owner = new_owner.clone();
                }
            }
        }
        Change::ObjectRenamed {
            object_id, name, ..
        } => {
            if let Some(o) = state.objects.get_mut(object_id) {
                o.name = name.clone();
            }
        }
        Change::ObjectMoved {
            object_id,
            parent_id,
            ..
        } => {
            let Some(previous) = state.objects.get(object_id).map(|o| o.parent.clone()) else {
                return;
            };
            if let Some(p) = parent_id {
                match state.objects.get_mut(p) {
                    Some(parent) => {
                        parent.children.insert(object_id.clone());
                    }
                    None => return,
                }
            }
            if let Some(p) = previous.and_then(|p| state.objects.get_mut(&p)) {
                p.children.remove(object_id);
            }
            if let Some(o) = state.objects.get_mut(object_id) {
                o.parent = parent_id.clone();
            }
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
