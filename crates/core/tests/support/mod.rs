//! A test organization: decide, apply, and check through both the snapshot engine
//! and the plain definition, which must agree on every answer.
#![allow(dead_code)]

pub mod keys;

use std::sync::Arc;
use steward_core::access;
use steward_core::policy::Policy;
use steward_core::snapshot::Snapshot;
use steward_core::{
    apply, decide, Actor, Command, Email, Event, InvitationId, Name, NominationId, ObjectId, OrgId,
    Refusal, ScopeRoles, State, Timestamp, UserId,
};

pub const DAY: i64 = 86_400;
pub const START: i64 = 1_700_000_000;

pub fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}
pub fn oid(s: &str) -> ObjectId {
    ObjectId::parse(s).unwrap()
}
pub fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}
pub fn email_of(user: &str) -> Email {
    Email::parse(&format!("{user}@acme.test")).unwrap()
}

pub struct Org {
    pub policy: Arc<Policy>,
    pub state: State,
    pub now: Timestamp,
    pub events: Vec<Event>,
    /// Kept up to date event by event, as the server will keep it.
    pub snapshot: Snapshot,
}

impl Org {
    /// An organization "acme" on a preset, created by "owner".
    pub fn new(preset: &str) -> Org {
        Org::with_policy(Policy::preset(preset).unwrap())
    }

    pub fn with_policy(policy: Policy) -> Org {
        let policy = Arc::new(policy);
        let snapshot = Snapshot::build(policy.clone(), &State::default());
        let mut org = Org {
            policy,
            state: State::default(),
            now: Timestamp(START),
            events: Vec::new(),
            snapshot,
        };
        org.run(
            "owner",
            Command::CreateOrganization {
                org_id: OrgId::parse("acme").unwrap(),
                name: name("Acme"),
                owner_id: uid("owner"),
                owner_email: email_of("owner"),
                owner_name: name("Olive Owner"),
            },
        )
        .unwrap();
        org
    }

    pub fn run_as(&mut self, actor: Actor, command: Command) -> Result<Vec<Event>, Refusal> {
        let before = self.state.clone();
        let result = decide(&self.policy, &self.state, &actor, command, self.now);
        match &result {
            Ok(events) => {
                for e in events {
                    apply(&mut self.state, e);
                    self.snapshot.apply(e, &self.state);
                }
                self.events.extend(events.iter().cloned());
            }
            Err(_) => assert_eq!(self.state, before, "a refusal changed nothing"),
        }
        result
    }

    pub fn run(&mut self, actor: &str, command: Command) -> Result<Vec<Event>, Refusal> {
        self.run_as(Actor::User(uid(actor)), command)
    }

    /// The refusal's API reason, or "ok".
    pub fn outcome(&mut self, actor: &str, command: Command) -> &'static str {
        match self.run(actor, command) {
            Ok(_) => "ok",
            Err(r) => r.reason(),
        }
    }

    /// Invites and joins `user` with `role`, as `by`.
    pub fn add_as(&mut self, by: &str, user: &str, role: &str) {
        self.run(
            by,
            Command::Invite {
                invitation_id: InvitationId::parse(&format!("inv-{user}")).unwrap(),
                email: email_of(user),
                name: None,
                role: Some(role.into()),
                scopes: vec![],
                expires_at: Timestamp(self.now.0 + 7 * DAY),
            },
        )
        .unwrap_or_else(|r| panic!("inviting {user} as {role}: {r:?}"));
        self.run(
            user,
            Command::Join {
                invitation_id: InvitationId::parse(&format!("inv-{user}")).unwrap(),
                user_id: uid(user),
                name: Some(name(&format!("{user} name"))),
            },
        )
        .unwrap();
    }

    /// Adds a member as the owner.
    pub fn add(&mut self, user: &str, role: &str) {
        self.add_as("owner", user, role);
    }

    pub fn change_role(&mut self, actor: &str, target: &str, role: &str) -> &'static str {
        self.outcome(
            actor,
            Command::ChangeRole {
                user_id: uid(target),
                role: role.into(),
            },
        )
    }

    pub fn set_scope(
        &mut self,
        actor: &str,
        target: &str,
        object: &str,
        roles: &[&str],
    ) -> &'static str {
        self.outcome(
            actor,
            Command::SetScopeRoles {
                user_id: uid(target),
                object_id: oid(object),
                roles: roles.iter().map(|r| r.to_string()).collect(),
            },
        )
    }

    pub fn create(
        &mut self,
        actor: &str,
        id: &str,
        ty: &str,
        parent: Option<&str>,
    ) -> &'static str {
        self.outcome(
            actor,
            Command::CreateObject {
                object_id: oid(id),
                object_type: ty.into(),
                name: name(id),
                parent_id: parent.map(oid),
                owner_id: None,
            },
        )
    }

    pub fn grant(
        &mut self,
        actor: &str,
        object: &str,
        user: &str,
        actions: &[&str],
    ) -> &'static str {
        self.outcome(
            actor,
            Command::SetGrant {
                object_id: oid(object),
                user_id: uid(user),
                actions: actions.iter().map(|a| a.to_string()).collect(),
            },
        )
    }

    pub fn delete(&mut self, actor: &str, target: &str, hand_over_to_root: bool) -> &'static str {
        self.outcome(
            actor,
            Command::DeleteMember {
                user_id: uid(target),
                hand_over_to_root,
            },
        )
    }

    /// "Make owner".
    pub fn make_owner(&mut self, actor: &str, object: &str, user: &str) -> &'static str {
        self.outcome(
            actor,
            Command::ChangeObjectOwner {
                object_id: oid(object),
                owner_id: uid(user),
            },
        )
    }

    pub fn nominate(&mut self, actor: &str, to: &str) -> &'static str {
        self.outcome(
            actor,
            Command::NominateOwner {
                nomination_id: NominationId::parse("nom-1").unwrap(),
                to_user: uid(to),
            },
        )
    }

    pub fn role_of(&self, user: &str) -> String {
        self.state.member(&uid(user)).unwrap().role.to_string()
    }

    /// The answer and its reason, from the live snapshot, after checking that a fresh
    /// build and the plain definition say the same.
    pub fn check(&self, user: &str, action: &str, object: &str) -> (bool, String) {
        let live = self.snapshot.check_by_name(user, action, object);
        let live = (live.allowed, self.snapshot.reason_text(&live).to_string());
        let fresh = Snapshot::build(self.policy.clone(), &self.state);
        let built = fresh.check_by_name(user, action, object);
        let built = (built.allowed, fresh.reason_text(&built).to_string());
        let plain = access::check_by_name(&self.policy, &self.state, user, action, object);
        for (which, s) in [("live", &self.snapshot), ("fresh", &fresh)] {
            assert_eq!(
                s.allows_by_name(user, action, object),
                plain.0,
                "{which} snapshot's allows_by_name vs plain definition: {user} {action} {object}"
            );
            if let (Some(u), Some(a), Some(o)) = (s.user(user), s.action(action), s.node(object)) {
                assert_eq!(
                    s.allows(u, a, o),
                    plain.0,
                    "{which} snapshot's allows vs plain definition: {user} {action} {object}"
                );
            }
        }
        assert_eq!(
            live, plain,
            "live snapshot vs plain definition: {user} {action} {object}"
        );
        assert_eq!(
            built, plain,
            "fresh snapshot vs plain definition: {user} {action} {object}"
        );
        plain
    }

    pub fn may(&self, user: &str, action: &str, object: &str) -> bool {
        self.check(user, action, object).0
    }

    pub fn scope(object: &str, roles: &[&str]) -> ScopeRoles {
        ScopeRoles {
            object_id: oid(object),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }
}
