//! Property tests: random sequences of commands from random actors, on every preset,
//! never break the governance invariants; replaying the events rebuilds the state;
//! the check engine agrees with the plain definition on every question; and no API
//! key permits what its creator's current role does not.

use proptest::prelude::*;
use std::sync::Arc;
use steward_core::access;
use steward_core::api_key::{self, KeyUse};
use steward_core::policy::{OwnerCount, Policy, PRESETS};
use steward_core::sight;
use steward_core::snapshot::Snapshot;
use steward_core::{
    apply, decide, replay, Actor, ApiKeyId, Change, Command, Email, Event, ImportRow, InvitationId,
    Name, NominationId, ObjectId, OrgId, ScopeRoles, State, Timestamp, UserId, API_KEY_PERMISSIONS,
};

/// The presets, and a test policy that exercises what they do not.
const POLICIES: [(&str, &str); 5] = [
    PRESETS[0],
    PRESETS[1],
    PRESETS[2],
    PRESETS[3],
    ("nested", include_str!("nested_policy.toml")),
];

const USERS: [&str; 6] = ["owner", "u1", "u2", "u3", "u4", "u5"];
const OBJECTS: [&str; 6] = ["o1", "o2", "o3", "o4", "o5", "o6"];

fn user(i: usize) -> UserId {
    UserId::parse(USERS[i % USERS.len()]).unwrap()
}
fn object(i: usize) -> ObjectId {
    ObjectId::parse(OBJECTS[i % OBJECTS.len()]).unwrap()
}
fn email(i: usize) -> Email {
    Email::parse(&format!("{}@x.test", USERS[i % USERS.len()])).unwrap()
}
fn api_key(i: usize) -> ApiKeyId {
    ApiKeyId::parse(&format!("key-{}", i % 3)).unwrap()
}
fn invitation(i: usize) -> InvitationId {
    InvitationId::parse(&format!("inv-{}", USERS[i % USERS.len()])).unwrap()
}

/// A command, by indices into the test's small universe; turned into a real one
/// against the policy in use.
#[derive(Debug, Clone)]
enum Spec {
    Invite(usize, usize, Option<(usize, usize)>),
    Join(usize),
    ChangeRole(usize, usize),
    Rename(usize),
    Delete(usize, bool),
    SetScope(usize, usize, Vec<usize>),
    Nominate(usize),
    Accept,
    Decline,
    Cancel,
    Expire,
    ExpireInvitation(usize),
    RevokeInvitation(usize),
    CreateObject(usize, usize, Option<usize>, Option<usize>),
    DeleteObject(usize),
    RenameObject(usize, usize),
    MoveObject(usize, Option<usize>),
    ChangeOwner(usize, usize),
    SetGrant(usize, usize, Vec<usize>),
    Import(Vec<(usize, usize)>),
    DeleteOrganization,
    /// Key, secret, permissions: few keys and secrets, so duplicates come up.
    CreateApiKey(usize, usize, Vec<usize>),
    RevokeApiKey(usize),
    RecordLoginFailure(usize),
    Suspend(usize),
    Reinstate(usize),
}

fn spec() -> impl Strategy<Value = Spec> {
    let i = || 0usize..64;
    prop_oneof![
        9 => (i(), i(), proptest::option::of((i(), i()))).prop_map(|(u, r, s)| Spec::Invite(u, r, s)),
        9 => i().prop_map(Spec::Join),
        24 => (i(), i()).prop_map(|(u, r)| Spec::ChangeRole(u, r)),
        3 => i().prop_map(Spec::Rename),
        6 => (i(), any::<bool>()).prop_map(|(u, h)| Spec::Delete(u, h)),
        12 => (i(), i(), proptest::collection::vec(i(), 0..3)).prop_map(|(u, o, r)| Spec::SetScope(u, o, r)),
        6 => i().prop_map(Spec::Nominate),
        6 => Just(Spec::Accept),
        3 => Just(Spec::Decline),
        3 => Just(Spec::Cancel),
        3 => Just(Spec::Expire),
        3 => i().prop_map(Spec::ExpireInvitation),
        3 => i().prop_map(Spec::RevokeInvitation),
        15 => (i(), i(), proptest::option::of(i()), proptest::option::of(i()))
            .prop_map(|(o, t, p, w)| Spec::CreateObject(o, t, p, w)),
        3 => i().prop_map(Spec::DeleteObject),
        2 => (i(), i()).prop_map(|(o, n)| Spec::RenameObject(o, n)),
        4 => (i(), proptest::option::of(i())).prop_map(|(o, p)| Spec::MoveObject(o, p)),
        6 => (i(), i()).prop_map(|(o, u)| Spec::ChangeOwner(o, u)),
        12 => (i(), i(), proptest::collection::vec(i(), 0..3)).prop_map(|(o, u, a)| Spec::SetGrant(o, u, a)),
        3 => proptest::collection::vec((i(), i()), 1..4).prop_map(Spec::Import),
        1 => Just(Spec::DeleteOrganization),
        3 => (i(), i(), proptest::collection::vec(i(), 0..3)).prop_map(|(k, h, ps)| Spec::CreateApiKey(k, h, ps)),
        2 => i().prop_map(Spec::RevokeApiKey),
        2 => i().prop_map(Spec::RecordLoginFailure),
        6 => i().prop_map(Spec::Suspend),
        4 => i().prop_map(Spec::Reinstate),
    ]
}

/// Role names to draw from: every role of the policy at any level, and one it lacks.
fn role_name(p: &Policy, i: usize) -> String {
    match i % (p.roles.len() + 1) {
        n if n == p.roles.len() => "no_such_role".into(),
        n => p.roles[n].name.clone(),
    }
}

fn to_command(p: &Policy, state: &State, s: &Spec, now: Timestamp) -> Command {
    let ty_of = |o: usize| {
        state
            .object(&object(o))
            .and_then(|x| p.type_index(&x.object_type))
    };
    let name = |i: usize| Name::parse(&format!("Name {i}")).unwrap();
    match s.clone() {
        Spec::Invite(u, r, scope) => Command::Invite {
            invitation_id: invitation(u),
            email: email(u),
            name: None,
            role: Some(role_name(p, r)),
            scopes: scope
                .map(|(o, r)| {
                    vec![ScopeRoles {
                        object_id: object(o),
                        roles: vec![role_name(p, r)],
                    }]
                })
                .unwrap_or_default(),
            expires_at: Timestamp(now.0 + 3 * 86_400),
        },
        Spec::Join(u) => Command::Join {
            invitation_id: invitation(u),
            user_id: user(u),
            name: None,
        },
        Spec::ChangeRole(u, r) => Command::ChangeRole {
            user_id: user(u),
            role: role_name(p, r),
        },
        Spec::Rename(u) => Command::Rename {
            user_id: user(u),
            name: name(u),
        },
        Spec::Delete(u, h) => Command::DeleteMember {
            user_id: user(u),
            hand_over_to_root: h,
        },
        Spec::SetScope(u, o, rs) => {
            // Mostly roles of the object's own level, sometimes any name at all.
            let level: Vec<String> = ty_of(o)
                .map(|t| p.roles_at(t).map(|r| p.role(r).name.clone()).collect())
                .unwrap_or_default();
            let pick = |r: usize| {
                if r.is_multiple_of(5) || level.is_empty() {
                    role_name(p, r)
                } else {
                    level[r % level.len()].clone()
                }
            };
            Command::SetScopeRoles {
                user_id: user(u),
                object_id: object(o),
                roles: rs.iter().map(|&r| pick(r)).collect(),
            }
        }
        Spec::Nominate(u) => Command::NominateOwner {
            nomination_id: NominationId::parse(&format!("n{}", now.0)).unwrap(),
            to_user: user(u),
        },
        Spec::Accept => Command::AcceptNomination,
        Spec::Decline => Command::DeclineNomination,
        Spec::Cancel => Command::CancelNomination,
        Spec::Expire => Command::ExpireNomination,
        Spec::ExpireInvitation(u) => Command::ExpireInvitation {
            invitation_id: invitation(u),
        },
        Spec::RevokeInvitation(u) => Command::RevokeInvitation {
            invitation_id: invitation(u),
        },
        Spec::CreateObject(o, t, parent, owner) => Command::CreateObject {
            object_id: object(o),
            object_type: p.types[1 + t % (p.types.len() - 1)].name.clone(),
            name: name(o),
            parent_id: parent.map(object),
            owner_id: owner.map(user),
        },
        Spec::DeleteObject(o) => Command::DeleteObject {
            object_id: object(o),
        },
        Spec::RenameObject(o, n) => Command::RenameObject {
            object_id: object(o),
            name: name(n),
        },
        Spec::MoveObject(o, parent) => Command::MoveObject {
            object_id: object(o),
            parent_id: parent.map(object),
        },
        Spec::ChangeOwner(o, u) => Command::ChangeObjectOwner {
            object_id: object(o),
            owner_id: user(u),
        },
        Spec::SetGrant(o, u, actions) => {
            let fitting: Vec<u16> = ty_of(o)
                .map(|t| p.types[t as usize].actions.iter().collect())
                .unwrap_or_default();
            let pick = |a: usize| match fitting.len() {
                n if n > 0 && !a.is_multiple_of(5) => {
                    p.actions[fitting[a % n] as usize].name.clone()
                }
                _ => p.actions[a % p.actions.len()].name.clone(),
            };
            Command::SetGrant {
                object_id: object(o),
                user_id: user(u),
                actions: actions.iter().map(|&a| pick(a)).collect(),
            }
        }
        Spec::Import(rows) => Command::Import {
            rows: rows
                .iter()
                .enumerate()
                .map(|(line, &(u, r))| ImportRow {
                    line: line + 2,
                    email: email(u),
                    name: None,
                    role: role_name(p, r),
                    scopes: None,
                    invitation_id: InvitationId::parse(&format!("imp-{}-{line}", now.0)).unwrap(),
                    expires_at: Timestamp(now.0 + 86_400),
                })
                .collect(),
        },
        Spec::DeleteOrganization => Command::DeleteOrganization,
        Spec::CreateApiKey(k, h, ps) => Command::CreateApiKey {
            key_id: api_key(k),
            name: name(k),
            key_hash: format!("{:02x}", h % 4).repeat(32),
            // Mostly known permissions, sometimes one that is not.
            permissions: ps
                .iter()
                .map(
                    |&p| match API_KEY_PERMISSIONS.get(p % (API_KEY_PERMISSIONS.len() + 1)) {
                        Some(known) => known.to_string(),
                        None => "write".into(),
                    },
                )
                .collect(),
        },
        Spec::RevokeApiKey(k) => Command::RevokeApiKey { key_id: api_key(k) },
        Spec::RecordLoginFailure(u) => Command::RecordLoginFailure { user_id: user(u) },
        Spec::Suspend(u) => Command::SuspendMember { user_id: user(u) },
        Spec::Reinstate(u) => Command::ReinstateMember { user_id: user(u) },
    }
}

fn actor(i: usize) -> Actor {
    match i % 8 {
        7 => Actor::System,
        // The owner can do the most; ask as them more often.
        6 => Actor::User(user(0)),
        k => Actor::User(user(k)),
    }
}

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
