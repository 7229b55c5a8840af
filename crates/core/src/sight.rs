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

use crate::access::{self, Denial};
use crate::id::{ObjectId, UserId};
use crate::policy::{Policy, ORGANIZATION};
use crate::snapshot::{Decision, NodeRef, Reason, Snapshot, UserRef};
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

    /// The check by ids, asked by the member `asker`: about an object they may
    /// not see, the answer is the one for an object that does not exist.
    pub fn check_by_name_for(
        &self,
        asker: &str,
        user: &str,
        action: &str,
        object: &str,
    ) -> Decision {
        let hidden = self.node(object).is_some()
            && self.action(action).is_some()
            && !self.sees_by_name(asker, object);
        if hidden {
            return Decision {
                allowed: false,
                reason: Reason::Denied(Denial::UnknownObject),
            };
        }
        self.check_by_name(user, action, object)
    }
}

#[cfg(test)]
mod tests {
    use crate::id::{Email, Name, ObjectId, OrgId, Timestamp, UserId};
    use crate::{apply, decide, Actor, Command, Policy, Snapshot, State};
    use std::sync::Arc;

    /// A platform organization: its owner, a `user` added to no service, one service.
    fn platform() -> Snapshot {
        let policy = Arc::new(Policy::preset("platform").unwrap());
        let mut state = State::default();
        let owner = UserId::parse("owner").unwrap();
        let commands = [
            Command::CreateOrganization {
                org_id: OrgId::parse("acme").unwrap(),
                name: Name::parse("Acme").unwrap(),
                owner_id: owner.clone(),
                owner_email: Email::parse("owner@acme.test").unwrap(),
                owner_name: Name::parse("Owner").unwrap(),
            },
            Command::CreateObject {
                object_id: ObjectId::parse("svc").unwrap(),
                object_type: "service".into(),
                name: Name::parse("Service").unwrap(),
                parent_id: None,
                owner_id: None,
            },
        ];
        for c in commands {
            let events = decide(
                &policy,
                &state,
                &Actor::User(owner.clone()),
                c,
                Timestamp(0),
            );
            for e in events.unwrap() {
                apply(&mut state, &e);
            }
        }
        Snapshot::build(policy, &state)
    }

    #[test]
    fn a_check_about_an_object_the_asker_may_not_see_reads_as_one_that_does_not_exist() {
        let s = platform();
        let text = |d| s.reason_text(&d).to_string();
        let hidden = s.check_by_name_for("stranger", "owner", "service:use", "svc");
        assert_eq!(text(hidden), "unknown_object");
        assert_eq!(
            text(hidden),
            text(s.check_by_name_for("stranger", "owner", "service:use", "nothing"))
        );
        // An unknown action is named first, as for an object that does not exist.
        assert_eq!(
            text(s.check_by_name_for("stranger", "owner", "no:such", "svc")),
            "unknown_action"
        );
        assert!(
            s.check_by_name_for("owner", "owner", "service:use", "svc")
                .allowed
        );
        assert!(
            s.check_by_name_for("owner", "owner", "org:view", "acme")
                .allowed
        );
        assert!(!s.sees_by_name("stranger", "acme"));
    }
}
