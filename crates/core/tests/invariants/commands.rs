//! The random commands the property tests run: which presets, people, objects
//! and keys they name, what a step may be (`Spec`), and the command it becomes
//! against the state as it stands.

use proptest::prelude::*;
use steward_core::policy::{Policy, PRESETS};
use steward_core::{
    Actor, ApiKeyId, Command, Email, ImportRow, InvitationId, Name, NominationId, ObjectId,
    ScopeRoles, State, Timestamp, UserId, API_KEY_PERMISSIONS,
};

/// The presets, and a test policy that exercises what they do not.
pub const POLICIES: [(&str, &str); 5] = [
    PRESETS[0],
    PRESETS[1],
    PRESETS[2],
    PRESETS[3],
    ("nested", include_str!("../nested_policy.toml")),
];

pub const USERS: [&str; 6] = ["owner", "u1", "u2", "u3", "u4", "u5"];
pub const OBJECTS: [&str; 6] = ["o1", "o2", "o3", "o4", "o5", "o6"];

pub fn user(i: usize) -> UserId {
    UserId::parse(USERS[i % USERS.len()]).unwrap()
}
pub fn object(i: usize) -> ObjectId {
    ObjectId::parse(OBJECTS[i % OBJECTS.len()]).unwrap()
}
pub fn email(i: usize) -> Email {
    Email::parse(&format!("{}@x.test", USERS[i % USERS.len()])).unwrap()
}
pub fn api_key(i: usize) -> ApiKeyId {
    ApiKeyId::parse(&format!("key-{}", i % 3)).unwrap()
}
pub fn invitation(i: usize) -> InvitationId {
    InvitationId::parse(&format!("inv-{}", USERS[i % USERS.len()])).unwrap()
}

/// A command, by indices into the test's small universe; turned into a real one
/// against the policy in use.
#[derive(Debug, Clone)]
pub enum Spec {
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

pub fn spec() -> impl Strategy<Value = Spec> {
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
pub fn role_name(p: &Policy, i: usize) -> String {
    match i % (p.roles.len() + 1) {
        n if n == p.roles.len() => "no_such_role".into(),
        n => p.roles[n].name.clone(),
    }
}

pub fn to_command(p: &Policy, state: &State, s: &Spec, now: Timestamp) -> Command {
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

pub fn actor(i: usize) -> Actor {
    match i % 8 {
        7 => Actor::System,
        // The owner can do the most; ask as them more often.
        6 => Actor::User(user(0)),
        k => Actor::User(user(k)),
    }
}
