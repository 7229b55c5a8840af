//! Property tests: random sequences of commands from random actors, on every preset,
//! never break the governance invariants; replaying the events rebuilds the state;
//! the check engine agrees with the plain definition on every question; and no API
//! key permits what its creator's current role does not.

mod commands;

use commands::*;
use proptest::prelude::*;
use std::sync::Arc;
use steward_core::access;
use steward_core::api_key::{self, KeyUse};
use steward_core::policy::{OwnerCount, Policy};
use steward_core::sight;
use steward_core::snapshot::Snapshot;
use steward_core::{
    apply, decide, replay, Actor, Change, Command, Event, Name, ObjectId, OrgId, State, Timestamp,
    UserId,
};

/// Every (user, action, node) question of the universe, answered three ways.
fn assert_engines_agree(policy: &Arc<Policy>, state: &State, live: &Snapshot) {
    let fresh = Snapshot::build(policy.clone(), state);
    let org = state
        .org()
        .map(|o| o.id.as_str().to_string())
        .unwrap_or_default();
    let nodes: Vec<&str> = std::iter::once(org.as_str()).chain(OBJECTS).collect();
    for u in USERS {
        for a in &policy.actions {
            for n in &nodes {
                let plain = access::check_by_name(policy, state, u, &a.name, n);
                for (which, s) in [("live", live), ("fresh", &fresh)] {
                    let d = s.check_by_name(u, &a.name, n);
                    let got = (d.allowed, s.reason_text(&d).to_string());
                    // The answer without its reason is the same answer.
                    assert_eq!(
                        s.allows_by_name(u, &a.name, n),
                        d.allowed,
                        "{which}: allows_by_name vs check_by_name: {u} {} {n}",
                        a.name
                    );
                    // A deleted organization's snapshot knows no node at all.
                    if state.org().is_some_and(|o| o.deleted) {
                        assert!(!got.0, "{which}: deleted org allowed {u} {} {n}", a.name);
                        continue;
                    }
                    assert_eq!(got, plain, "{which} snapshot vs plain: {u} {} {n}", a.name);
                }
            }
        }
        if state.org().is_some_and(|o| o.deleted) {
            continue;
        }
        // Who may know an object is there: the engines agree with the plain rule.
        for n in OBJECTS {
            let plain = sight::sees(policy, state, &UserId::parse(u).unwrap(), &object_of(n));
            for (which, s) in [("live", live), ("fresh", &fresh)] {
                assert_eq!(
                    s.sees_by_name(u, n),
                    plain,
                    "{which} sees vs plain: {u} {n}"
                );
            }
        }
    }
}

fn object_of(id: &str) -> ObjectId {
    ObjectId::parse(id).unwrap()
}

/// The object an event changes, if it is about one that was there before it.
fn changed_object(change: &Change) -> Option<&ObjectId> {
    match change {
        Change::ObjectDeleted { object_id }
        | Change::ObjectOwnerChanged { object_id, .. }
        | Change::ObjectRenamed { object_id, .. }
        | Change::ObjectMoved { object_id, .. }
        | Change::GrantChanged { object_id, .. }
        | Change::ScopeRolesChanged { object_id, .. } => Some(object_id),
        Change::ObjectCreated { parent_id, .. } => parent_id.as_ref(),
        _ => None,
    }
}

/// Every live key, for a check and for a read needing each organization action:
/// the core's rule (over the live snapshot) permits it only if the key carries the
/// permission and its creator's current role gives the action (the plain check).
fn assert_keys_bounded(p: &Policy, state: &State, live: &Snapshot) {
    let uses: Vec<KeyUse> = std::iter::once(KeyUse::Check)
        .chain(
            p.types[0]
                .actions
                .iter()
                .map(|a| KeyUse::Read(p.actions[a as usize].name.as_str())),
        )
        .collect();
    let deleted = state.org().is_none_or(|o| o.deleted);
    for key in state.api_keys() {
        for &key_use in &uses {
            let got = api_key::permits(
                live,
                "org",
                key.permission_set(),
                key.created_by.as_ref(),
                key_use,
            )
            .is_ok();
            let action = p.action_index(key_use.action()).unwrap();
            let plain = key.permissions.iter().any(|x| x == key_use.permission())
                && key
                    .created_by
                    .as_ref()
                    .is_none_or(|c| access::allowed(p, state, c, action, None));
            // A deleted organization's snapshot allows nothing at all.
            if deleted {
                assert!(
                    !got || key.created_by.is_none(),
                    "{} in a deleted org",
                    key.id
                );
                continue;
            }
            assert_eq!(
                got, plain,
                "{} ({:?}) for {key_use:?}",
                key.id, key.created_by
            );
        }
    }
}

fn assert_invariants(p: &Policy, before: &State, state: &State, actor: &Actor, events: &[Event]) {
    let Some(org) = state.org() else { return };
    if org.deleted {
        return;
    }
    // The role counts the state keeps up are the counts of its members as they stand.
    for role in &p.roles {
        let holding = || state.members().filter(|m| m.role.as_ref() == role.name);
        assert_eq!(
            state.holder_count(&role.name),
            holding().count(),
            "{}",
            role.name
        );
        assert_eq!(
            state.active_holder_count(&role.name),
            holding().filter(|m| !m.suspended).count(),
            "active holders of {}",
            role.name
        );
    }
    match p.ownership.count {
        OwnerCount::ExactlyOne => assert_eq!(state.owner_count(p), 1, "exactly one owner"),
        OwnerCount::AtLeastOne => assert!(state.owner_count(p) >= 1, "at least one owner"),
    }
    let owner = state.owner_id(p).expect("an owner");
    assert!(state.member(owner).is_some(), "the owner is a member");
    assert!(
        state.admin_count(p) >= p.governance.min_admins,
        "minimum admins"
    );
    for m in state.members() {
        assert!(
            p.org_role(&m.role).is_some(),
            "{} holds unknown role {}",
            m.user_id,
            m.role
        );
    }
    let mut transfer = false;
    for e in events {
        // Nobody changes anything about an object they may not see.
        if let (Some(a), Some(o)) = (actor.user(), changed_object(&e.change)) {
            if before.object(o).is_some() {
                assert!(
                    sight::sees(p, before, a, o),
                    "{a} changed {o}, which they may not see: {:?}",
                    e.change
                );
            }
        }
        match &e.change {
            Change::TransferAccepted { .. } => transfer = true,
            // The role changes of an accepted transfer are the nominee's own acceptance.
            Change::RoleChanged {
                user_id,
                new_role,
                previous_role,
            } if !transfer => {
                let a = actor.user().expect("a member changed the role");
                assert_ne!(a, user_id, "nobody changes their own role");
                let rank = |r: &str| p.role(p.org_role(r).unwrap()).rank;
                let actor_rank = rank(&before.member(a).unwrap().role);
                assert!(
                    rank(new_role) <= actor_rank,
                    "{a} gave {new_role} above own rank"
                );
                assert!(
                    rank(previous_role) <= actor_rank,
                    "{a} changed a higher role {previous_role}"
                );
            }
            Change::ScopeRolesChanged { user_id, .. } => {
                assert_ne!(
                    actor.user(),
                    Some(user_id),
                    "nobody changes their own scope roles"
                );
            }
            Change::GrantChanged { user_id, .. } => {
                assert_ne!(
                    actor.user(),
                    Some(user_id),
                    "nobody changes their own grant"
                );
            }
            Change::LoginFailed { .. } => {
                assert_eq!(*actor, Actor::System, "only Steward records a failed login");
            }
            _ => {}
        }
    }
}

fn run(preset: usize, setup_roles: Vec<usize>, steps: Vec<(usize, Spec, u16)>) {
    let policy = Arc::new(Policy::parse(POLICIES[preset].1).unwrap());
    let p = &*policy;
    let mut state = State::default();
    let mut log: Vec<Event> = Vec::new();
    let mut live = Snapshot::build(policy.clone(), &state);
    let mut now = Timestamp(1_700_000_000);
    let mut step =
        |state: &mut State, live: &mut Snapshot, actor: Actor, command: Command, now: Timestamp| {
            let before = state.clone();
            if let Ok(events) = decide(p, state, &actor, command, now) {
                for e in &events {
                    apply(state, e);
                    live.apply(e, state);
                }
                assert_invariants(p, &before, state, &actor, &events);
                assert_keys_bounded(p, state, live);
                log.extend(events);
            }
        };
    step(
        &mut state,
        &mut live,
        Actor::User(user(0)),
        Command::CreateOrganization {
            org_id: OrgId::parse("org").unwrap(),
            name: Name::parse("Org").unwrap(),
            owner_id: user(0),
            owner_email: email(0),
            owner_name: Name::parse("Owner").unwrap(),
        },
        now,
    );
    // Fill the organization first, so the random steps meet real members.
    for (k, r) in setup_roles.into_iter().enumerate() {
        let u = k + 1;
        let role = p.role(p.org_roles[r % p.org_roles.len()]).name.clone();
        let invite = |role: Option<String>| Command::Invite {
            invitation_id: invitation(u),
            email: email(u),
            name: None,
            role,
            scopes: vec![],
            expires_at: Timestamp(now.0 + 86_400),
        };
        // The owner may not give every role (the owner role itself): fall back to the default.
        step(
            &mut state,
            &mut live,
            Actor::User(user(0)),
            invite(Some(role)),
            now,
        );
        step(
            &mut state,
            &mut live,
            Actor::User(user(0)),
            invite(None),
            now,
        );
        step(
            &mut state,
            &mut live,
            Actor::User(user(u)),
            Command::Join {
                invitation_id: invitation(u),
                user_id: user(u),
                name: None,
            },
            now,
        );
    }
    // And one object of each type, each under an object of its parent type (types
    // come in name order, so pass again until every parent exists).
    for (k, t) in (0..3).flat_map(|_| p.types.iter().enumerate().skip(1).take(OBJECTS.len())) {
        let parent = t
            .parent
            .filter(|&pt| pt != 0)
            .map(|pt| object(pt as usize - 1));
        let command = Command::CreateObject {
            object_id: object(k - 1),
            object_type: t.name.clone(),
            name: Name::parse("Seeded").unwrap(),
            parent_id: parent,
            owner_id: None,
        };
        step(&mut state, &mut live, Actor::User(user(0)), command, now);
    }
    for (a, s, hours) in steps {
        now = Timestamp(now.0 + hours as i64 * 3600);
        let command = to_command(p, &state, &s, now);
        step(&mut state, &mut live, actor(a), command, now);
    }
    assert_eq!(
        replay(&log),
        state,
        "replaying the events rebuilds the state"
    );
    assert_engines_agree(&policy, &state, &live);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_never_break_the_governance_rules(
        preset in 0..POLICIES.len(),
        setup in proptest::collection::vec(0usize..8, 3..6),
        steps in proptest::collection::vec((0usize..64, spec(), prop_oneof![9 => 0u16..4, 1 => 24u16..200]), 1..120),
    ) {
        run(preset, setup, steps);
    }
}

/// Two admins demoting each other, in either order, never leave fewer than the minimum.
#[test]
fn two_admins_demoting_each_other_leave_one() {
    for (name, source) in POLICIES {
        let p = Policy::parse(source).unwrap();
        let Some(admin) = p
            .governance
            .admin_roles
            .iter()
            .find(|&r| Some(r) != p.ownership.role)
        else {
            continue;
        };
        let admin = p.role(admin).name.clone();
        let lowest = p.role(*p.org_roles.last().unwrap()).name.clone();
        let mut state = State::default();
        let now = Timestamp(0);
        let go = |state: &mut State, actor: &str, c: Command| {
            if let Ok(events) = decide(
                &p,
                state,
                &Actor::User(UserId::parse(actor).unwrap()),
                c,
                now,
            ) {
                for e in &events {
                    apply(state, e);
                }
            }
        };
        go(
            &mut state,
            "owner",
            Command::CreateOrganization {
                org_id: OrgId::parse("o").unwrap(),
                name: Name::parse("O").unwrap(),
                owner_id: user(0),
                owner_email: email(0),
                owner_name: Name::parse("Owner").unwrap(),
            },
        );
        for u in [1, 2] {
            go(
                &mut state,
                "owner",
                Command::Invite {
                    invitation_id: invitation(u),
                    email: email(u),
                    name: None,
                    role: Some(admin.clone()),
                    scopes: vec![],
                    expires_at: Timestamp(10),
                },
            );
            go(
                &mut state,
                USERS[u],
                Command::Join {
                    invitation_id: invitation(u),
                    user_id: user(u),
                    name: None,
                },
            );
        }
        let admins = state.holder_count(&admin);
        assert!(admins >= 2, "{name}");
        go(
            &mut state,
            "u1",
            Command::ChangeRole {
                user_id: user(2),
                role: lowest.clone(),
            },
        );
        go(
            &mut state,
            "u2",
            Command::ChangeRole {
                user_id: user(1),
                role: lowest.clone(),
            },
        );
        assert!(
            state.admin_count(&p) >= p.governance.min_admins.max(1),
            "{name}"
        );
        assert_eq!(
            state.holder_count(&admin),
            admins - 1,
            "{name}: the second demotion came from a non-admin"
        );
    }
}
