//! The check engine: an organization as an immutable, indexed snapshot. Roles are
//! action bitsets, objects are small slots with parent links, assignments and grants sit in
//! one hash map keyed by (user, node). `check` walks from the object to the root with
//! array reads and at most one hash probe per node: no allocation, no IO.
//!
//! A snapshot takes a change without being rebuilt (`apply`): its parts are shared,
//! chunked and copied on write, so readers keep answering from the old one until the
//! caller swaps in the new one.

mod action_names;
mod build;
mod bytes;
mod check;
mod chunked;
mod drift;
mod entries;
mod hint_table;
mod id_index;
mod id_key;
mod user_table;

use crate::event::{Change, Event};
use crate::id::{IdText, ObjectId, UserId};
use crate::policy::{ActionIndex, Policy, RoleIndex, TypeIndex};
use crate::set::ActionSet;
use crate::state::{Member, State};
use action_names::ActionNames;
use check::{holder_bit, key, Entry, RoleBits, Slot, HAS_ENTRIES, OWNER_AS_ABOVE};
pub use check::{Decision, Reason};
use chunked::Chunked;
pub use drift::Drift;
use entries::Entries;
use id_index::IdIndex;
use std::fmt;
use std::sync::Arc;
use user_table::UserTable;

/// No user, no owner, no role, no parent.
const NONE: u32 = u32::MAX;
const NO_ROLE: u16 = u16::MAX;
/// The type of a deleted node's slot.
const DELETED: TypeIndex = TypeIndex::MAX;
/// The organization's root node.
const ROOT: u32 = 0;

/// A user of the snapshot, resolved once from their id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserRef(u32);
/// A node of the snapshot (an object, or the organization itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeRef(u32);
/// An action of the snapshot's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionRef(ActionIndex);

impl ActionRef {
    pub fn index(self) -> ActionIndex {
        self.0
    }
}

#[derive(Clone)]
pub struct Snapshot {
    policy: Arc<Policy>,
    /// False before `org.created` and after `org.deleted`: nothing is allowed.
    live: bool,
    /// The organization requires a second factor of its admins and owners.
    second_factor_required: bool,
    roles: Arc<[RoleBits]>,
    type_actions: Arc<[ActionSet]>,
    action_index: ActionNames,
    owner_has_every_action: bool,
    /// The root account (`NONE` when the policy has none); where owners are marked by a
    /// role, `root_role` marks them instead.
    root_user: u32,
    root_role: u16,
    /// Users by id (`check_by_name`'s lookup: user_table.rs), ids and organization
    /// roles by user.
    users: UserTable,
    nodes: IdIndex,
    node_ids: Chunked<Option<IdText>>,
    slots: Chunked<Slot>,
    entries: Entries,
    /// What `apply` left behind that a rebuild would clear (drift.rs).
    drift: Drift,
}

impl Snapshot {
    /// Whether the organization exists (created and not deleted).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// Whether the organization requires a second factor of its admins and
    /// owners (docs/two-factor.md#the-organization-setting).
    pub fn requires_second_factor(&self) -> bool {
        self.second_factor_required
    }

    /// The member's organization role; `None` for anyone who is not a member.
    pub fn org_role(&self, user: UserRef) -> Option<RoleIndex> {
        let role = self.users.role(user.0);
        (role != NO_ROLE).then_some(role)
    }

    /// Whether `user` (an id) is a member, from memory, without allocating.
    pub fn is_member(&self, user: &str) -> bool {
        self.user(user).and_then(|u| self.org_role(u)).is_some()
    }

    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// A member by id (`None` for anyone who is not a member).
    #[inline(always)]
    pub fn user(&self, id: &str) -> Option<UserRef> {
        let (u, role) = self.users.member(id)?;
        (role != NO_ROLE).then_some(UserRef(u))
    }

    /// An object by id, or the organization's root by the organization's id.
    #[inline(always)]
    pub fn node(&self, id: &str) -> Option<NodeRef> {
        self.nodes.get(id).map(NodeRef)
    }

    #[inline]
    pub fn action(&self, name: &str) -> Option<ActionRef> {
        self.action_index
            .get(name)
            .map(|a| ActionRef(a as ActionIndex))
    }

    /// The hint for the next object id Steward mints in this organization
    /// (crate::minted_id::hinted_id): no live object holds it.
    pub fn next_object_hint(&self) -> u32 {
        self.nodes.next_hint()
    }

    pub fn node_id(&self, node: NodeRef) -> &str {
        self.node_ids.get(node.0).as_deref().unwrap_or("")
    }

    pub fn user_id(&self, user: UserRef) -> &str {
        self.users.id(user.0)
    }

    /// The type of a live node.
    pub fn node_type(&self, node: NodeRef) -> Option<TypeIndex> {
        let ty = self.slots.get(node.0).ty;
        (ty != DELETED).then_some(ty)
    }

    /// The reason as the API writes it: `root`, `owner`, `role:<name>@<node>`,
    /// `grant@<node>`, or why not.
    pub fn reason_text<'a>(&'a self, decision: &'a Decision) -> ReasonText<'a> {
        ReasonText {
            snapshot: self,
            reason: decision.reason,
        }
    }

    /// Every action `user` may do on `node` (the console greys out the rest).
    pub fn permissions(&self, user: UserRef, node: NodeRef) -> ActionSet {
        let Some(ty) = self.node_type(node) else {
            return ActionSet::EMPTY;
        };
        self.type_actions[ty as usize]
            .iter()
            .filter(|&a| self.check(user, ActionRef(a), node).allowed)
            .collect()
    }

    /// The objects of `ty` on which `user` may do `action`.
    pub fn allowed_objects(
        &self,
        user: UserRef,
        action: ActionRef,
        ty: TypeIndex,
    ) -> impl Iterator<Item = NodeRef> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.ty == ty)
            .map(|(i, _)| NodeRef(i as u32))
            .filter(move |&n| self.check(user, action, n).allowed)
    }

    fn user_slot(&mut self, id: &IdText) -> u32 {
        match self.users.get(id) {
            Some(u) => u,
            None => self.users.insert(id),
        }
    }

    /// Writes a node's slot, and the copy a hinted id's entry keeps of it
    /// (hint_table.rs): every slot write after the build goes through here.
    fn set_slot(&mut self, node: u32, slot: Slot) {
        if *self.slots.get(node) != slot {
            self.slots.set(node, slot);
            if let Some(id) = self.node_ids.get(node) {
                self.nodes.set_slot(id, node, slot);
            }
        }
    }

    /// Changes what a member holds on a node (given the node's type): the node is
    /// marked worth a probe, and the user's bit goes into the filter of the node and
    /// everything below it. Filters only gain bits; a rebuild clears stale ones
    /// (`Drift` counts them, so the caller knows when one is due).
    fn update_entry(
        &mut self,
        state_after: &State,
        user: &UserId,
        object: &ObjectId,
        f: impl FnOnce(TypeIndex, &mut Entry),
    ) {
        let (Some(u), Some(n)) = (
            self.users.get(user.as_str()),
            self.nodes.get(object.as_str()),
        ) else {
            return;
        };
        let ty = self.slots.get(n).ty;
        let drift = &mut self.drift;
        self.entries.update(key(u, n), |e| {
            let before = *e;
            f(ty, e);
            drift.entry_changed(&before, e);
        });
        let mut s = *self.slots.get(n);
        s.flags |= HAS_ENTRIES;
        self.set_slot(n, s);
        let bit = holder_bit(u);
        for o in state_after.subtree(object) {
            if let Some(d) = self.nodes.get(o.id.as_str()) {
                let mut s = *self.slots.get(d);
                s.holders |= bit;
                self.set_slot(d, s);
            }
        }
    }

    /// Recomputes the owner flag of `nodes`, given parents before children.
    fn refresh_owner_flags(&mut self, nodes: impl IntoIterator<Item = u32>) {
        for n in nodes {
            let s = *self.slots.get(n);
            if s.ty == DELETED || n == ROOT {
                continue;
            }
            let parent = s.parent;
            let above = (parent != ROOT).then(|| *self.slots.get(parent));
            self.set_slot(n, s.below(above.as_ref()));
        }
    }

    fn set_owner(&mut self, node: u32, owner: u32) {
        let mut s = *self.slots.get(node);
        s.owner = owner;
        self.set_slot(node, s);
    }

    /// Takes one event, already folded into `state_after`, copying only the chunks
    /// and shards it touches. The result answers as `build(state_after)` would.
    pub fn apply(&mut self, event: &Event, state_after: &State) {
        let p = self.policy.clone();
        match &event.change {
            // A move can put a child before its new parent in the node order the
            // passes below rely on: rebuilt, as moves are rare.
            Change::OrgCreated { .. } | Change::OrgDeleted { .. } | Change::ObjectMoved { .. } => {
                *self = Snapshot::build(p, state_after);
            }
            Change::MemberJoined { user_id, role, .. } => {
                let u = self.user_slot(user_id.as_text());
                self.users.set_role(u, p.org_role(role).unwrap_or(NO_ROLE));
                for (object, names) in state_after.scopes_of(user_id) {
                    self.update_entry(state_after, user_id, object, |level, e| {
                        e.roles = names
                            .iter()
                            .filter_map(|r| p.role_index(level, r))
                            .collect();
                    });
                }
            }
            // A suspended member's slot stays empty whatever role they hold.
            Change::RoleChanged { user_id, .. }
            | Change::MemberSuspended { user_id, .. }
            | Change::MemberReinstated { user_id, .. } => {
                if let (Some(u), Some(m)) = (
                    self.users.get(user_id.as_str()),
                    state_after.member(user_id),
                ) {
                    self.users.set_role(u, held_role(&p, m));
                }
            }
            Change::MemberDeleted {
                user_id,
                objects_to,
                ..
            } => {
                let Some(u) = self.users.get(user_id.as_str()) else {
                    return;
                };
                self.users.set_role(u, NO_ROLE);
                let dropped = self.entries.retain(|k| (k >> 32) as u32 != u);
                self.drift.entries_dropped(dropped);
                let to = objects_to
                    .as_ref()
                    .and_then(|t| self.users.get(t.as_str()))
                    .unwrap_or(NONE);
                let owned: Vec<u32> = (0..self.slots.len() as u32)
                    .filter(|&n| self.slots.get(n).owner == u)
                    .collect();
                for &n in &owned {
                    self.set_owner(n, to);
                }
                if let Some(&first) = owned.first() {
                    self.refresh_owner_flags(first..self.slots.len() as u32);
                }
            }
            Change::ScopeRolesChanged {
                user_id,
                object_id,
                roles,
                ..
            } => self.update_entry(state_after, user_id, object_id, |level, e| {
                e.roles = roles
                    .iter()
                    .filter_map(|r| p.role_index(level, r))
                    .collect();
            }),
            Change::GrantChanged {
                object_id,
                user_id,
                actions,
                ..
            } => self.update_entry(state_after, user_id, object_id, |_, e| {
                e.grant = actions.iter().filter_map(|a| p.action_index(a)).collect();
            }),
            Change::TransferAccepted { to_user, .. } => {
                if p.ownership.root && p.ownership.role.is_none() {
                    self.root_user = self.users.get(to_user.as_str()).unwrap_or(NONE);
                }
            }
            Change::ObjectCreated {
                object_id,
                object_type,
                parent_id,
                owner_id,
                ..
            } => {
                let parent = match parent_id {
                    Some(pid) => match self.nodes.get(pid.as_str()) {
                        Some(n) => n,
                        None => return,
                    },
                    None => ROOT,
                };
                let owner = owner_id
                    .as_ref()
                    .and_then(|o| self.users.get(o.as_str()))
                    .unwrap_or(NONE);
                let above = (parent != ROOT).then(|| *self.slots.get(parent));
                let slot = Slot {
                    owner,
                    parent,
                    ty: p.type_index(object_type).unwrap_or(DELETED),
                    flags: 0,
                    holders: 0,
                }
                .below(above.as_ref());
                let n = self.slots.push(slot);
                self.node_ids.push(Some(object_id.as_text().clone()));
                self.nodes.insert(object_id.as_text().clone(), n);
                self.nodes.set_slot(object_id.as_str(), n, slot);
            }
            Change::ObjectDeleted { object_id } => {
                let Some(gone) = self.nodes.get(object_id.as_str()) else {
                    return;
                };
                // Children always sit after their parent, so one pass from the deleted
                // node marks its whole subtree.
                let mut dead = vec![gone];
                for n in gone + 1..self.slots.len() as u32 {
                    let s = self.slots.get(n);
                    if s.ty != DELETED && dead.binary_search(&s.parent).is_ok() {
                        dead.push(n);
                    }
                }
                for &n in &dead {
                    self.slots.set(n, Slot::default());
                    if let Some(id) = self.node_ids.get(n).clone() {
                        self.nodes.remove(&id);
                    }
                }
                let deleted = self
                    .entries
                    .retain(|k| dead.binary_search(&(k as u32)).is_err());
                self.drift.entries_deleted(deleted);
            }
            Change::ObjectOwnerChanged {
                object_id,
                new_owner,
                ..
            } => {
                let owner = new_owner
                    .as_ref()
                    .and_then(|o| self.users.get(o.as_str()))
                    .unwrap_or(NONE);
                let moved: Vec<u32> = state_after
                    .subtree(object_id)
                    .iter()
                    .filter_map(|o| self.nodes.get(o.id.as_str()))
                    .collect();
                for &n in &moved {
                    self.set_owner(n, owner);
                }
                // The subtree lists parents first, as the pass needs.
                self.refresh_owner_flags(moved);
            }
            Change::MemberInvited { .. }
            | Change::InvitationRevoked { .. }
            | Change::InvitationExpired { .. }
            | Change::MemberUpdated { .. }
            | Change::TransferNominated { .. }
            | Change::TransferDeclined { .. }
            | Change::TransferCancelled { .. }
            | Change::TransferExpired { .. }
            | Change::ImportApplied { .. }
            | Change::ObjectRenamed { .. }
            | Change::ApiKeyCreated { .. }
            | Change::ApiKeyRevoked { .. }
            | Change::LoginFailed { .. }
            | Change::PasswordReset { .. }
            | Change::PasswordChanged { .. }
            | Change::DirectoryRefused { .. }
            | Change::SecondFactorReset { .. } => {}
            Change::SecondFactorRequiredSet { required } => {
                self.second_factor_required = *required;
            }
            Change::SsoConfigured { .. }
            | Change::SsoRemoved { .. }
            | Change::SsoDomainProven { .. }
            | Change::SsoJoined { .. }
            | Change::SsoSignedIn { .. }
            | Change::BreakGlass { .. }
            | Change::DeprovisionChanged { .. }
            | Change::WebhookConfigured { .. }
            | Change::WebhookSecretRotated { .. }
            | Change::WebhookRemoved { .. }
            | Change::WebhookDisabled { .. } => {}
        }
    }
}

/// The organization role a member's slot holds: none while they are suspended,
/// so every check answers for them as for a non-member without a look elsewhere
/// (the check path stays one load and allocation-free).
fn held_role(policy: &Policy, member: &Member) -> u16 {
    if member.suspended {
        return NO_ROLE;
    }
    policy.org_role(&member.role).unwrap_or(NO_ROLE)
}

/// A decision's reason, written out only when it leaves the process.
pub struct ReasonText<'a> {
    snapshot: &'a Snapshot,
    reason: Reason,
}

impl fmt::Display for ReasonText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.snapshot;
        match self.reason {
            Reason::Root => f.write_str("root"),
            Reason::Owner => f.write_str("owner"),
            Reason::Role { role, node } => {
                write!(f, "role:{}@{}", s.policy.role(role).name, s.node_id(node))
            }
            Reason::Grant { node } => write!(f, "grant@{}", s.node_id(node)),
            Reason::Denied(d) => f.write_str(d.as_str()),
        }
    }
}
