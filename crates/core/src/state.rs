//! An organization's state: members, scope roles, objects, grants, invitations, the
//! pending ownership nomination, the live API keys and the webhook endpoints. Changed only by `apply`, so it
//! is always what its events say.

use crate::api_key::ApiKey;
use crate::event::ScopeRoles;
use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
    WebhookId,
};
use crate::policy::Policy;
use crate::webhook::Webhook;
use std::collections::{BTreeMap, BTreeSet};

mod apply;
mod by_email;
mod children;
mod holders;
mod label;
mod restore;
mod table;
use apply::add_invitation;
pub use apply::{apply, replay};
pub use by_email::ByEmail;
pub use children::Children;
use holders::RoleHolders;
pub use label::{Label, Labels};
pub use restore::StateRows;
pub use table::{Keyed, Table};

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
    /// One shared string per role name (`Label`), not a copy per member.
    pub role: Label,
    /// Suspended: keeps their roles and grants, but every check answers for them
    /// as for someone outside the organization until they are reinstated.
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub id: ObjectId,
    /// One shared string per type name (`Label`), not a copy per object.
    pub object_type: Label,
    pub name: Name,
    pub parent: Option<ObjectId>,
    pub owner: Option<UserId>,
    pub children: Children,
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
    members: Table<Member>,
    by_email: ByEmail,
    /// How many hold each role; its keys are the labels members share (`set_role`).
    by_role: RoleHolders,
    scope_roles: BTreeMap<UserId, BTreeMap<ObjectId, BTreeSet<String>>>,
    objects: Table<Object>,
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
        self.by_email.find(email, &self.members)
    }
    /// The first member, in id order, holding an organization role. A scan of the
    /// members: only the owner's fallback asks (`owner_id`), and keeping every
    /// role's holders cost 20 bytes a member (docs/scaling.md#memory).
    pub fn first_holder(&self, role: &str) -> Option<&UserId> {
        (self.members.values())
            .find(|m| m.role.as_ref() == role)
            .map(|m| &m.user_id)
    }
    pub fn holder_count(&self, role: &str) -> usize {
        self.by_role.get(role).count
    }
    /// Holders of the role who are not suspended.
    pub fn active_holder_count(&self, role: &str) -> usize {
        self.by_role.get(role).active
    }
    /// Each organization role held, with how many members hold it.
    pub fn held_roles(&self) -> impl Iterator<Item = (&str, usize)> {
        (self.by_role.iter()).map(|(role, holders)| (role.as_ref(), holders.count))
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
            Some(r) => self.first_holder(&policy.role(r).name),
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
                    .is_some_and(|o| self.members.contains(&o.owner)),
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
            .map(|r| self.active_holder_count(&policy.role(r).name))
            .sum()
    }
}
