//! The analytics benchmark workload: one organization under the `analytics` preset,
//! its members, projects with their questions, per-project grants, and a fixed,
//! pre-generated mix of check questions.
//!
//! Plain Rust on purpose: it depends only on `steward-core` and on the small seeded
//! PRNG below, so the core's own criterion bench can include it with
//! `#[path = "../../../bench/src/workload.rs"] mod workload;` and the peer comparison
//! in `bench/` uses the very same file. The same seed gives the same workload.
//!
//! The state is built by folding `Event`s with `steward_core::apply` (fast: `decide`
//! is not involved). Every question also exists as integer triples (user index,
//! action index, object index) for the floor and the peer engines.
//!
//! Object indices: `0` is the organization itself (`ORG_ID`), `1..=projects` are the
//! projects, then each project's questions in order.

#![allow(dead_code)]

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use steward_core::snapshot::{ActionRef, NodeRef, Snapshot, UserRef};
use steward_core::{
    apply, Actor, Change, Email, Event, Name, ObjectId, OrgId, State, Timestamp, UserId,
};

// The floor in a file of its own, beside this one for every crate that
// includes this file by `#[path]`.
#[path = "floor.rs"]
mod floor;
// Not every crate that includes this file uses all three (see dead_code above).
#[allow(unused_imports)]
pub use floor::{role_actions, Floor, ROOT_ROLE};

/// The organization's id; also the object id of organization actions.
pub const ORG_ID: &str = "org1";
/// Object index of the organization.
pub const ORG: u32 = 0;
/// The organization's owner, the root account (user index 0, an administrator).
pub const ROOT_USER: u32 = 0;

/// The six analytics roles, and the share of members holding each (per mille).
/// A realistic skew: a handful of administrators, most members analysts.
pub const ROLES: [(&str, u32); 6] = [
    ("administrator", 10),
    ("full_data_access", 40),
    ("project_manager", 150),
    ("internal_analyst", 200),
    ("analyst", 400),
    ("external_topic_assignment", 200),
];

/// The project actions (they also apply to the project's questions).
pub const PROJECT_ACTIONS: [&str; 7] = [
    "project:view",
    "project:edit",
    "project:append_rows",
    "project:download",
    "project:delete",
    "project:inherit",
    "project:change_permissions",
];

/// Every action the question mix asks: the project actions (indices 0..7), then the
/// organization actions (indices 7..15, asked on the organization id).
pub const ACTIONS: [&str; 15] = [
    "project:view",
    "project:edit",
    "project:append_rows",
    "project:download",
    "project:delete",
    "project:inherit",
    "project:change_permissions",
    "org:view",
    "org:delete",
    "members:view",
    "members:manage",
    "audit:view",
    "ownership:transfer",
    "org:manage_subscription",
    "project:create",
];

/// Actions with an index below this are project actions.
pub const FIRST_ORG_ACTION: u16 = PROJECT_ACTIONS.len() as u16;

/// splitmix64: small, fast and good enough to draw a workload.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
    /// Uniform in `0..n` for `n` up to 2^32.
    pub fn index(&mut self, n: usize) -> u32 {
        self.below(n as u64) as u32
    }
}

/// The shape of a workload.
#[derive(Debug, Clone)]
pub struct Params {
    pub users: usize,
    pub projects: usize,
    pub questions_per_project: usize,
    pub grants: usize,
    /// How many check questions to pre-generate.
    pub checks: usize,
    pub seed: u64,
    /// Ids as Steward mints them (`usr_`, `org_`, `project_`, `question_` and 20
    /// base-32 characters) instead of the short `u7`, `org1`, `p3`, `q3-1`.
    pub minted_ids: bool,
    /// With `minted_ids`: object ids carry their hint, as Steward mints them since
    /// hints (`project_u` and five characters of the creation order, then 14 random
    /// ones; crates/core/src/minted_id.rs).
    pub hinted_ids: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            users: 10_000,
            projects: 100_000,
            questions_per_project: 5,
            grants: 50_000,
            checks: 1_000_000,
            seed: 0x5eed_2024,
            minted_ids: false,
            hinted_ids: false,
        }
    }
}

impl Params {
    /// The scale comparison: 1,000,000 projects (6,000,000 objects with their questions).
    pub fn million_projects() -> Self {
        Params {
            projects: 1_000_000,
            ..Params::default()
        }
    }
    pub fn objects(&self) -> usize {
        1 + self.projects * (1 + self.questions_per_project)
    }
}

/// One check question as integers: user index, index into `ACTIONS`, object index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub user: u32,
    pub action: u16,
    pub object: u32,
}

/// A tiny multiplicative hasher for integer keys (FxHash's idea, written here so the
/// file needs no dependency).
#[derive(Default, Clone, Copy)]
pub struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// The generated organization.
pub struct Workload {
    pub params: Params,
    pub state: State,
    /// Role of each user, as an index into `ROLES`.
    pub user_role: Vec<u8>,
    /// Owner (user index) of each object; the organization's entry is the root user.
    pub owner: Vec<u32>,
    /// Project (object index) of each object: a project is its own, a question its
    /// parent's; the organization's entry is `ORG`.
    pub project: Vec<u32>,
    /// (user, project object index, bitmask over `PROJECT_ACTIONS`), distinct pairs.
    pub grants: Vec<(u32, u32, u8)>,
    /// The pre-generated question mix.
    pub questions: Vec<Question>,
}

pub fn user_name(u: u32) -> String {
    format!("u{u}")
}

/// An id as Steward mints one (crates/server/src/secrets.rs `random_id`): `prefix`,
/// `_` and 20 base-32 characters, here drawn from `n` so the workload stays seeded.
pub fn minted(prefix: &str, n: u64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut rng = Rng::new(n ^ 0x0001_d50f_5eed);
    let mut id = String::with_capacity(prefix.len() + 21);
    id.push_str(prefix);
    id.push('_');
    let (mut bits, mut left) = (0u64, 0);
    for _ in 0..20 {
        if left < 5 {
            bits = rng.next_u64();
            left = 64;
        }
        id.push(ALPHABET[(bits & 31) as usize] as char);
        bits >>= 5;
        left -= 5;
    }
    id
}

/// User `u`'s id in this workload.
pub fn user_id_of(params: &Params, u: u32) -> String {
    if params.minted_ids {
        minted("usr", u as u64)
    } else {
        user_name(u)
    }
}

fn ev(change: Change) -> Event {
    Event {
        at: Timestamp(0),
        actor: Actor::System,
        change,
        names: Default::default(),
    }
}

fn uid(u: u32) -> UserId {
    UserId::parse(&user_name(u)).expect("valid user id")
}

fn uid_of(params: &Params, u: u32) -> UserId {
    UserId::parse(&user_id_of(params, u)).expect("valid user id")
}

fn role_for(rng: &mut Rng) -> u8 {
    let mut x = rng.below(1000) as u32;
    for (i, (_, share)) in ROLES.iter().enumerate() {
        if x < *share {
            return i as u8;
        }
        x -= share;
    }
    (ROLES.len() - 1) as u8
}

/// Folds the organization's creation and its members into `state`; returns each
/// user's role index. User 0 is the owner (root account, administrator).
fn create_org_with_members(state: &mut State, params: &Params, rng: &mut Rng) -> Vec<u8> {
    let users = params.users;
    apply(
        state,
        &ev(Change::OrgCreated {
            org_id: OrgId::parse(&object_name(params, ORG)).unwrap(),
            name: Name::parse("Bench Org").unwrap(),
            owner_id: uid_of(params, ROOT_USER),
            owner_email: Email::parse("u0@example.com").unwrap(),
            owner_name: Name::parse("User 0").unwrap(),
            owner_role: ROLES[0].0.to_string(),
        }),
    );
    let mut roles = Vec::with_capacity(users);
    roles.push(0u8);
    for u in 1..users as u32 {
        let r = role_for(rng);
        roles.push(r);
        apply(
            state,
            &ev(Change::MemberJoined {
                invitation_id: None,
                user_id: uid_of(params, u),
                email: Email::parse(&format!("u{u}@example.com")).unwrap(),
                name: Name::parse(&format!("User {u}")).unwrap(),
                role: ROLES[r as usize].0.to_string(),
            }),
        );
    }
    roles
}

impl Workload {
    /// Builds the workload; at the default size this takes a few seconds.
    pub fn build(params: Params) -> Workload {
        let mut rng = Rng::new(params.seed);
        let mut state = State::default();
        let user_role = create_org_with_members(&mut state, &params, &mut rng);

        let n_objects = params.objects();
        let mut owner = vec![ROOT_USER; n_objects];
        let mut project = vec![ORG; n_objects];
        let qpp = params.questions_per_project;
        let object_type_project = "project".to_string();
        let object_type_question = "question".to_string();
        for p in 0..params.projects as u32 {
            let pidx = 1 + p;
            let o = rng.index(params.users);
            owner[pidx as usize] = o;
            project[pidx as usize] = pidx;
            let owner_id = uid_of(&params, o);
            let project_id = ObjectId::parse(&object_name(&params, pidx)).unwrap();
            apply(
                &mut state,
                &ev(Change::ObjectCreated {
                    object_id: project_id.clone(),
                    object_type: object_type_project.clone(),
                    name: Name::parse(&format!("Project {p}")).unwrap(),
                    parent_id: None,
                    owner_id: Some(owner_id.clone()),
                }),
            );
            for k in 0..qpp {
                let qidx = question_index(&params, p, k);
                owner[qidx as usize] = o;
                project[qidx as usize] = pidx;
                apply(
                    &mut state,
                    &ev(Change::ObjectCreated {
                        object_id: ObjectId::parse(&object_name(&params, qidx)).unwrap(),
                        object_type: object_type_question.clone(),
                        name: Name::parse(&format!("Question {p}-{k}")).unwrap(),
                        parent_id: Some(project_id.clone()),
                        owner_id: Some(owner_id.clone()),
                    }),
                );
            }
        }

        let mut seen: IntMap<(u32, u32), ()> = IntMap::default();
        let mut grants = Vec::with_capacity(params.grants);
        let max_grants = params.users * params.projects;
        while grants.len() < params.grants.min(max_grants) {
            let u = rng.index(params.users);
            let pidx = 1 + rng.index(params.projects);
            if seen.insert((u, pidx), ()).is_some() {
                continue;
            }
            let mask = 1 + rng.below(127) as u8;
            grants.push((u, pidx, mask));
            apply(
                &mut state,
                &ev(Change::GrantChanged {
                    object_id: ObjectId::parse(&object_name(&params, pidx)).unwrap(),
                    user_id: uid_of(&params, u),
                    previous_actions: vec![],
                    actions: (0..7)
                        .filter(|i| mask >> i & 1 == 1)
                        .map(|i| PROJECT_ACTIONS[i].to_string())
                        .collect(),
                }),
            );
        }

        let mut w = Workload {
            params,
            state,
            user_role,
            owner,
            project,
            grants,
            questions: Vec::new(),
        };
        w.questions = w.question_mix(w.params.checks, w.params.seed ^ 0xC4EC);
        w
    }

    /// A random mix of `n` questions: 5% organization actions on the organization,
    /// 95% project actions on a project or one of its questions (one in six on the
    /// project itself), asked by: a member holding a grant on that project (10% of all
    /// questions), the object's owner (10%), a random member (75%). So every path of
    /// the check (root, owner, role, grant, refusal) is exercised.
    pub fn question_mix(&self, n: usize, seed: u64) -> Vec<Question> {
        let mut rng = Rng::new(seed);
        let p = &self.params;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let kind = rng.below(100);
            if kind < 5 {
                out.push(Question {
                    user: rng.index(p.users),
                    action: FIRST_ORG_ACTION
                        + rng.index(ACTIONS.len() - PROJECT_ACTIONS.len()) as u16,
                    object: ORG,
                });
                continue;
            }
            let action = rng.index(PROJECT_ACTIONS.len()) as u16;
            let (user, proj) = if kind < 15 && !self.grants.is_empty() {
                let (u, pidx, _) = self.grants[rng.index(self.grants.len()) as usize];
                (u, pidx - 1)
            } else {
                let proj = rng.index(p.projects);
                let user = if kind < 25 {
                    self.owner[1 + proj as usize]
                } else {
                    rng.index(p.users)
                };
                (user, proj)
            };
            let pick = rng.index(1 + p.questions_per_project);
            let object = if pick == 0 {
                1 + proj
            } else {
                question_index(p, proj, pick as usize - 1)
            };
            out.push(Question {
                user,
                action,
                object,
            });
        }
        out
    }

    /// The object id of an object index (`ORG_ID` for `ORG`).
    pub fn object_name(&self, o: u32) -> String {
        object_name(&self.params, o)
    }

    /// The question as the API receives it: (user id, action name, object id).
    pub fn names(&self, q: Question) -> (String, &'static str, String) {
        (
            user_id_of(&self.params, q.user),
            ACTIONS[q.action as usize],
            self.object_name(q.object),
        )
    }
}

/// Object index of question `k` of project `p` (0-based project number).
pub fn question_index(params: &Params, p: u32, k: usize) -> u32 {
    (1 + params.projects + p as usize * params.questions_per_project + k) as u32
}

/// The place of object `o` (not the organization) in the order the workload
/// creates them: each project, then its questions.
fn creation_order(params: &Params, o: u32) -> u32 {
    let (o, qpp) = (o as usize, params.questions_per_project);
    let order = if o <= params.projects {
        (o - 1) * (1 + qpp)
    } else {
        let q = o - 1 - params.projects;
        q / qpp * (1 + qpp) + 1 + q % qpp
    };
    order as u32
}

pub fn object_name(params: &Params, o: u32) -> String {
    if params.minted_ids {
        let prefix = match o as usize {
            0 => "org",
            o if o <= params.projects => "project",
            _ => "question",
        };
        if params.hinted_ids && o != 0 {
            // The hint Steward would give it: the snapshot's next, in creation order.
            let mut rng = Rng::new(o as u64 ^ 0x0001_d50f_5eed);
            let random = std::array::from_fn(|_| rng.next_u64() as u8);
            return steward_core::minted_id::hinted_id(prefix, creation_order(params, o), &random);
        }
        return minted(prefix, o as u64);
    }
    let o = o as usize;
    if o == 0 {
        ORG_ID.to_string()
    } else if o <= params.projects {
        format!("p{}", o - 1)
    } else {
        let q = o - 1 - params.projects;
        format!(
            "q{}-{}",
            q / params.questions_per_project,
            q % params.questions_per_project
        )
    }
}

/// An organization with `members` members (user 0 the root account) and `projects`
/// projects owned by the root account, no questions, for measuring how a role change
/// is applied to a large snapshot. Returns the state and each member's role index.
pub fn members_org(members: usize, projects: usize, seed: u64) -> (State, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let mut state = State::default();
    let params = Params {
        users: members,
        ..Params::default()
    };
    let roles = create_org_with_members(&mut state, &params, &mut rng);
    for p in 0..projects {
        apply(
            &mut state,
            &ev(Change::ObjectCreated {
                object_id: ObjectId::parse(&format!("p{p}")).unwrap(),
                object_type: "project".to_string(),
                name: Name::parse(&format!("Project {p}")).unwrap(),
                parent_id: None,
                owner_id: Some(uid(ROOT_USER)),
            }),
        );
    }
    (state, roles)
}

/// The event that changes user `u`'s role (from `from` to `to`, indices into `ROLES`).
pub fn role_change(u: u32, from: u8, to: u8) -> Event {
    ev(Change::RoleChanged {
        user_id: uid(u),
        previous_role: ROLES[from as usize].0.to_string(),
        new_role: ROLES[to as usize].0.to_string(),
    })
}

/// The questions as refs of `snap`, resolved once, as a caller that keeps them would.
pub fn resolve(snap: &Snapshot, w: &Workload) -> Vec<(UserRef, ActionRef, NodeRef)> {
    let users: Vec<UserRef> = (0..w.params.users as u32)
        .map(|u| snap.user(&user_id_of(&w.params, u)).expect("member"))
        .collect();
    let actions: Vec<ActionRef> = ACTIONS
        .iter()
        .map(|a| snap.action(a).expect("action"))
        .collect();
    w.questions
        .iter()
        .map(|q| {
            (
                users[q.user as usize],
                actions[q.action as usize],
                snap.node(&w.object_name(q.object)).expect("node"),
            )
        })
        .collect()
}
