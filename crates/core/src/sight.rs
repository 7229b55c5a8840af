//! Who may know an object is there. A member sees an object when they may do at
//! least one of its type's actions on it (so a platform `user` sees a service
//! only once added to it, an operations viewer only their sites); every member
//! sees their organization. Whatever is about an object (reading it, its
//! Permissions, its grants and owner, a check or an audit filter about it, a
//! scope on it) asks this first, and an object the asker does not see is answered
//! as one that does not exist: 404, never 403, so nobody learns it is there.
//!
//! The rule is read two ways, like the check itself: `sees` from the `State`
//! (governance's `decide` asks it), `Snapshot::sees` on the engine (the API's
//! reads); the property tests hold the two to the same answers.

use crate::access;
use crate::id::{ObjectId, UserId};
use crate::policy::{Policy, ORGANIZATION};
use crate::snapshot::{NodeRef, Snapshot, UserRef};
use crate::state::State;

/// May `user` know `object` is there? No for anyone who is not a member, and for
/// an object that does not exist.
pub fn sees(policy: &Policy, state: &State, user: &UserId, object: &ObjectId) -> bool {
    let Some(ty) = state
        .object(object)
        .and_then(|o| policy.type_index(&o.object_type))
    else {
        return false;
    };
    policy
        .object_type(ty)
        .actions
        .iter()
        .any(|a| access::allowed(policy, state, user, a, Some(object)))
}

impl Snapshot {
    /// `sees` on the engine: may `user` know `node` is there? The organization's
    /// root is every member's.
    pub fn sees(&self, user: UserRef, node: NodeRef) -> bool {
        match self.node_type(node) {
            None => false,
            Some(ORGANIZATION) => self.org_role(user).is_some(),
            Some(_) => !self.permissions(user, node).is_empty(),
        }
    }

    /// `sees` by ids, as the API receives them: `object` is an object's id or
    /// the organization's.
    pub fn sees_by_name(&self, user: &str, object: &str) -> bool {
        match (self.user(user), self.node(object)) {
            (Some(u), Some(n)) => self.sees(u, n),
            _ => false,
        }
    }
}
