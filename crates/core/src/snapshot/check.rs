//! The check itself: may this user do this action on this node, and why. What it
//! reads of a node (`Slot`), of a user's holdings on a node (`Entry`) and of a role
//! (`RoleBits`), and the walk from the node up to the root. The design, and what each
//! step costs, is in docs/architecture.md#the-check-path.

use super::{ActionRef, NodeRef, Snapshot, UserRef, DELETED, NONE, NO_ROLE, ROOT};
use crate::access::Denial;
use crate::policy::{ActionIndex, RoleIndex, TypeIndex};
use crate::set::{ActionSet, RoleSet};

/// Why the answer is what it is; small and `Copy`, turned into text only where it
/// leaves the process (`Snapshot::reason_text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Root,
    Owner,
    Role { role: RoleIndex, node: NodeRef },
    Grant { node: NodeRef },
    Denied(Denial),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
}

impl Decision {
    #[inline(always)]
    const fn allow(reason: Reason) -> Self {
        Decision {
            allowed: true,
            reason,
        }
    }
    #[inline(always)]
    const fn deny(denial: Denial) -> Self {
        Decision {
            allowed: false,
            reason: Reason::Denied(denial),
        }
    }
}

/// What a check reads of a node, packed in 12 bytes: most checks read this one slot
/// and nothing else, and a walk up reads the next slot straight from the parent link
/// here (it lived in a vector of its own, one more dependent read per step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    pub(super) owner: u32,
    /// `NONE` at the root and in a deleted node's slot.
    pub(super) parent: u32,
    pub(super) ty: TypeIndex,
    pub(super) flags: u8,
    /// A 16-way filter of the users who may hold roles or a grant on this node or on
    /// an ancestor below the root: a clear bit means that user holds nothing there.
    pub(super) holders: u16,
}

/// Some user may hold roles or a grant on this very node: worth a hash probe.
pub(super) const HAS_ENTRIES: u8 = 1;
/// Every ancestor below the root has this node's owner.
pub(super) const OWNER_AS_ABOVE: u8 = 2;

impl Default for Slot {
    fn default() -> Self {
        Slot {
            owner: NONE,
            parent: NONE,
            ty: DELETED,
            flags: 0,
            holders: 0,
        }
    }
}

impl Slot {
    /// The flags and filter a node inherits from its parent (`parent` is `None` at the top).
    pub(super) fn below(mut self, parent: Option<&Slot>) -> Slot {
        match parent {
            None => {
                self.flags |= OWNER_AS_ABOVE;
            }
            Some(p) => {
                self.holders |= p.holders;
                if self.owner == p.owner && p.flags & OWNER_AS_ABOVE != 0 {
                    self.flags |= OWNER_AS_ABOVE;
                } else {
                    self.flags &= !OWNER_AS_ABOVE;
                }
            }
        }
        self
    }
}

/// The user's bit in a node's `holders` filter.
#[inline(always)]
pub(super) fn holder_bit(user: u32) -> u16 {
    1 << (user.wrapping_mul(0x9E37_79B1) >> 28)
}

/// What one user holds on one node: scope roles and a grant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) roles: RoleSet,
    pub(super) grant: ActionSet,
}

#[inline(always)]
pub(super) fn key(user: u32, node: u32) -> u64 {
    (user as u64) << 32 | node as u64
}

/// A role's permissions, by reach, copied out of the policy so the walk reads them densely.
#[derive(Debug, Clone, Copy)]
pub(super) struct RoleBits {
    pub(super) all: ActionSet,
    pub(super) assigned: ActionSet,
    pub(super) own: ActionSet,
}

impl RoleBits {
    #[inline(always)]
    fn gives(&self, action: Bit, assigned: bool, owned: bool) -> bool {
        action.in_set(self.all)
            || (assigned && action.in_set(self.assigned))
            || (owned && action.in_set(self.own))
    }
}

/// An action as its bit in an `ActionSet`, made once per check: each test is then an
/// AND, where `ActionSet::contains` shifts a 128-bit word by a variable amount
/// (about ten instructions; a check makes up to five such tests).
#[derive(Clone, Copy)]
struct Bit(u128);

impl Bit {
    #[inline(always)]
    fn of(a: ActionIndex) -> Bit {
        Bit(1u128 << (a & 127))
    }

    #[inline(always)]
    fn in_set(self, set: ActionSet) -> bool {
        set.0 & self.0 != 0
    }
}

impl Snapshot {
    #[inline(always)]
    fn is_root(&self, user: u32, role: u16) -> bool {
        user == self.root_user || (role == self.root_role && role != NO_ROLE)
    }

    /// May `user` do `action` on `node`? docs/model.md#check-semantics: on the node or any
    /// ancestor, the user is root, owns it, holds a role giving the action, or holds
    /// a grant including it. The first reason found, walking up, is the answer's.
    #[inline]
    pub fn check(&self, user: UserRef, action: ActionRef, node: NodeRef) -> Decision {
        let slot = *self.slots.get(node.0);
        self.decide(user.0, self.users.role(user.0), action.0, node.0, slot)
    }

    /// The check by ids, as the API receives it. The member's role comes with the
    /// user from the user table's bucket, and a hinted object's slot with its index
    /// from the hint table's entry: each lookup reads one cache line and hands the
    /// check what it would otherwise read again (docs/architecture.md#the-check-path).
    #[inline]
    pub fn check_by_name(&self, user: &str, action: &str, object: &str) -> Decision {
        let Some(a) = self.action_index.get(action) else {
            return Decision::deny(Denial::UnknownAction);
        };
        let a = a as ActionIndex;
        let Some((n, slot)) = self.nodes.get_with_slot(object, &self.slots) else {
            return Decision::deny(Denial::UnknownObject);
        };
        match self.users.member(user).filter(|&(_, role)| role != NO_ROLE) {
            Some((u, role)) => self.decide(u, role, a, n, slot),
            None => self.outsider(a, slot),
        }
    }

    /// Whether `user` may do `action` on `node`: `check(..).allowed`, without the
    /// reason. A caller that needs only yes or no (a guard in front of a handler, a
    /// local copy's `check_here`) lets the organization role answer first, as most
    /// questions end there; `check` cannot, as its reason is the first one found
    /// walking up (docs/architecture.md#the-check-path).
    #[inline]
    pub fn allows(&self, user: UserRef, action: ActionRef, node: NodeRef) -> bool {
        let slot = *self.slots.get(node.0);
        self.permits(user.0, self.users.role(user.0), action.0, node.0, slot)
    }

    /// `check_by_name(..).allowed`, without the reason: as [`Snapshot::allows`].
    /// It repeats `check_by_name`'s three lookups on purpose: one shared lookup
    /// returning a `Result` cost this path 6.4 more instructions a question and
    /// `check_by_name` 1.7, by cachegrind (docs/benchmarks.md#the-answer-without-its-reason-issue-19-2026-12-03).
    #[inline]
    pub fn allows_by_name(&self, user: &str, action: &str, object: &str) -> bool {
        let Some(a) = self.action_index.get(action) else {
            return false;
        };
        let Some((n, slot)) = self.nodes.get_with_slot(object, &self.slots) else {
            return false;
        };
        match self.users.member(user) {
            Some((u, role)) => self.permits(u, role, a as ActionIndex, n, slot),
            None => false,
        }
    }

    /// `decide(..).allowed`, in the order that ends soonest: every allowing step
    /// of the check only adds to the answer, so which one is found first does not
    /// change it, and the organization role's reach-`all` actions go first.
    #[inline(always)]
    fn permits(&self, user: u32, role: u16, a: ActionIndex, node: u32, slot: Slot) -> bool {
        let a = Bit::of(a);
        if slot.ty == DELETED || role == NO_ROLE {
            return false;
        }
        if !a.in_set(self.type_actions[slot.ty as usize]) {
            return false;
        }
        let org_role = &self.roles[role as usize];
        if a.in_set(org_role.all) || self.is_root(user, role) {
            return true;
        }
        let owned = slot.owner == user;
        if owned && self.owner_has_every_action {
            return true;
        }
        if slot.holders & holder_bit(user) == 0 && slot.flags & OWNER_AS_ABOVE != 0 {
            return org_role.gives(a, false, owned);
        }
        self.walk(user, role, a, node, slot).allowed
    }

    /// Why someone who is not a member may not: the action does not apply to the
    /// node's type, or they are not a member.
    #[cold]
    fn outsider(&self, a: ActionIndex, slot: Slot) -> Decision {
        let ty = slot.ty;
        Decision::deny(
            if ty != DELETED && !self.type_actions[ty as usize].contains(a) {
                Denial::NotApplicable
            } else {
                Denial::NotAMember
            },
        )
    }

    /// The check, given the user's organization role (`NO_ROLE` for a non-member)
    /// and the node's slot.
    #[inline(always)]
    fn decide(&self, user: u32, role: u16, a: ActionIndex, node: u32, slot: Slot) -> Decision {
        let a = Bit::of(a);
        if slot.ty == DELETED {
            return Decision::deny(Denial::UnknownObject);
        }
        if !a.in_set(self.type_actions[slot.ty as usize]) {
            return Decision::deny(Denial::NotApplicable);
        }
        if role == NO_ROLE {
            return Decision::deny(Denial::NotAMember);
        }
        if self.is_root(user, role) {
            return Decision::allow(Reason::Root);
        }
        if slot.owner == user && self.owner_has_every_action {
            return Decision::allow(Reason::Owner);
        }
        // Most questions end here: nobody between the object and the root gives this
        // user anything, so only the organization role can, and one slot was read.
        if slot.holders & holder_bit(user) == 0 && slot.flags & OWNER_AS_ABOVE != 0 {
            let owned = slot.owner == user;
            return self.by_org_role(role, a, false, owned);
        }
        self.walk(user, role, a, node, slot)
    }

    /// The walk up from `node` (whose slot is `slot`) to the root.
    #[inline(always)]
    fn walk(&self, user: u32, role: u16, a: Bit, node: u32, slot: Slot) -> Decision {
        let (mut assigned, mut owned) = (false, false);
        let mut n = node;
        let mut s = slot;
        while n != ROOT {
            if s.owner == user {
                owned = true;
                if self.owner_has_every_action {
                    return Decision::allow(Reason::Owner);
                }
            }
            if s.flags & HAS_ENTRIES != 0 {
                if let Some(e) = self.entries.get(key(user, n)) {
                    if !e.roles.is_empty() {
                        assigned = true;
                        for r in e.roles.iter() {
                            if self.roles[r as usize].gives(a, assigned, owned) {
                                return Decision::allow(Reason::Role {
                                    role: r,
                                    node: NodeRef(n),
                                });
                            }
                        }
                    }
                    if a.in_set(e.grant) {
                        return Decision::allow(Reason::Grant { node: NodeRef(n) });
                    }
                }
            }
            // The root's slot is not read: the organization role stands for it.
            n = s.parent;
            if n == ROOT {
                break;
            }
            s = *self.slots.get(n);
        }
        self.by_org_role(role, a, assigned, owned)
    }

    /// The last step of every check: the organization role, held at the root.
    #[inline(always)]
    fn by_org_role(&self, role: u16, a: Bit, assigned: bool, owned: bool) -> Decision {
        if self.roles[role as usize].gives(a, assigned, owned) {
            return Decision::allow(Reason::Role {
                role,
                node: NodeRef(ROOT),
            });
        }
        Decision::deny(Denial::NoPermission)
    }
}
