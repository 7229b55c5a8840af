//! The snapshot finds users, objects and actions by id through its own tables (ids
//! with a hint at their hint, the others inline, hashed from a few words;
//! docs/benchmarks.md#id-lookups-issue-19-2026-12-03). Whatever the ids look like,
//! short, as Steward mints them with or without a hint, hints shared by several ids
//! or far past the others, at the inline limit, longer, or twins that differ only in
//! their middle, and whatever was created and deleted, its answers are the plain
//! definition's; an id with a valid hint and other text is found nowhere.

mod support;
use proptest::prelude::*;
use steward_core::minted_id::hinted_id;
use steward_core::Command;
use support::*;

/// Shapes of ids `id` makes, and one more: the object id Steward mints next.
const SHAPES: u8 = 9;
const MINTED_NEXT: u8 = 8;

const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// An id of one of several shapes; `n` tells ids of one shape apart.
fn id(shape: u8, n: u32) -> String {
    // Every character from other bits of one odd multiple of n: distinct n, distinct text.
    let random = |n: u32| {
        let x = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        std::array::from_fn(|i| (x >> (3 * i)) as u8)
    };
    match shape % 8 {
        0 => format!("p{n}"),
        // As Steward mints them: a prefix and 20 random base-32 characters.
        1 => {
            let mut x = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut s = String::from("project_");
            for _ in 0..20 {
                s.push(BASE32[(x >> 59) as usize] as char);
                x = x.rotate_left(5) ^ 0x2545_F491_4F6C_DD1D;
            }
            s
        }
        // Exactly at the inline limit, and one byte past it.
        2 => format!("{n:0>31}"),
        3 => format!("x{n:0>31}"),
        // Same first and last 8 bytes, different middle.
        4 => format!("aaaaaaaa-{n:06}-bbbbbbbbbbbb"),
        5 => format!("long-{n}-{}", "z".repeat(48)),
        // Hinted, four hints for them all: most share theirs with other ids.
        6 => hinted_id(
            ["question", "p", "a-twelve-chr"][n as usize % 3],
            n % 4,
            &random(n),
        ),
        // Hinted, some far past the ids there are.
        _ => hinted_id("project", n * 1000, &random(n)),
    }
}

/// An id with the same hint (if it has one) and another first character.
fn forged(id: &str) -> String {
    let first = if id.starts_with('Q') { "R" } else { "Q" };
    format!("{first}{}", &id[1..])
}

/// An id that is not there: the last character changed.
fn twin(id: &str) -> String {
    let mut s = id.to_string();
    let last = s.pop().unwrap();
    s.push(if last == 'Q' { 'R' } else { 'Q' });
    s
}

fn run(users: Vec<(u8, u32)>, objects: Vec<(u8, u32, bool)>, deletions: Vec<usize>) {
    let mut org = Org::new("analytics");
    let mut members = vec!["owner".to_string()];
    for (shape, n) in users {
        let u = id(shape, n);
        // The invitation id adds four characters to the user's id.
        if u.len() > 60 || members.contains(&u) {
            continue;
        }
        org.add(&u, "analyst");
        members.push(u);
    }
    let mut projects: Vec<String> = Vec::new();
    let mut made: Vec<String> = Vec::new();
    for (shape, n, nested) in objects {
        let o = if shape % SHAPES == MINTED_NEXT {
            let random = std::array::from_fn(|i| (n as u8) ^ (i as u8 * 3));
            hinted_id("question", org.snapshot.next_object_hint(), &random)
        } else {
            id(shape, n)
        };
        if made.contains(&o) {
            continue;
        }
        let outcome = match (nested, projects.last()) {
            (true, Some(p)) => {
                let p = p.clone();
                org.create("owner", &o, "question", Some(&p))
            }
            _ => {
                projects.push(o.clone());
                org.create("owner", &o, "project", None)
            }
        };
        assert_eq!(outcome, "ok", "creating {o}");
        made.push(o);
    }
    if let Some(p) = projects.first() {
        if let Some(u) = members.get(1) {
            assert_eq!(org.grant("owner", p, u, &["project:edit"]), "ok");
        }
    }
    for d in deletions {
        if made.is_empty() {
            break;
        }
        let o = made[d % made.len()].clone();
        // Deleting a project takes its questions too; deleting twice is refused.
        let _ = org.outcome("owner", Command::DeleteObject { object_id: oid(&o) });
    }
    let askers: Vec<String> = members
        .iter()
        .flat_map(|u| [u.clone(), twin(u), forged(u)])
        .collect();
    let nodes: Vec<String> = std::iter::once("acme".to_string())
        .chain(made.iter().flat_map(|o| [o.clone(), twin(o), forged(o)]))
        .collect();
    for u in &askers {
        for a in ["project:view", "project:edit", "org:view", "no:such"] {
            for n in &nodes {
                org.check(u, a, n);
            }
        }
    }
    // Every live object is found by its own id and by no other.
    for o in &made {
        let found = org
            .snapshot
            .node(o)
            .map(|n| org.snapshot.node_id(n).to_string());
        let exists = org.state.objects().any(|x| x.id.as_str() == o);
        assert_eq!(found.as_deref(), exists.then_some(o.as_str()), "{o}");
        assert_eq!(org.snapshot.node(&twin(o)), None, "{o}'s twin");
        if !made.contains(&forged(o)) {
            assert_eq!(org.snapshot.node(&forged(o)), None, "{o} forged");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn lookups_by_id_of_any_shape_answer_as_the_plain_definition(
        users in proptest::collection::vec((0u8..8, 0u32..40), 1..6),
        objects in proptest::collection::vec((0u8..SHAPES, 0u32..40, any::<bool>()), 1..16),
        deletions in proptest::collection::vec(0usize..64, 0..5),
    ) {
        run(users, objects, deletions);
    }
}

/// Many objects in one organization, most of them deleted: the table's removals
/// (which move later entries back) keep every remaining id findable.
#[test]
fn ids_stay_findable_after_many_deletions() {
    let mut org = Org::new("analytics");
    let ids: Vec<String> = (0..600).map(|n| id((n % 8) as u8, n)).collect();
    for o in &ids {
        assert_eq!(org.create("owner", o, "project", None), "ok", "{o}");
    }
    for o in ids.iter().step_by(3).chain(ids.iter().skip(1).step_by(3)) {
        let deleted = org.outcome("owner", Command::DeleteObject { object_id: oid(o) });
        assert_eq!(deleted, "ok", "{o}");
    }
    for (n, o) in ids.iter().enumerate() {
        assert_eq!(org.snapshot.node(o).is_some(), n % 3 == 2, "{o}");
        assert_eq!(org.may("owner", "project:view", o), n % 3 == 2, "{o}");
    }
}

/// Objects created as Steward mints their ids, each with the snapshot's next hint,
/// are found at their hints; deleted, they are gone; and a rebuilt snapshot, which
/// places every id afresh, finds the same ones.
#[test]
fn objects_minted_with_the_next_hint_are_found_before_and_after_a_rebuild() {
    let mut org = Org::new("analytics");
    let mut ids = Vec::new();
    for n in 0..300u32 {
        let hint = org.snapshot.next_object_hint();
        let o = hinted_id(
            "project",
            hint,
            &std::array::from_fn(|i| (n + i as u32) as u8),
        );
        assert_eq!(org.create("owner", &o, "project", None), "ok", "{o}");
        ids.push(o);
    }
    for o in ids.iter().step_by(2) {
        assert_eq!(
            org.outcome("owner", Command::DeleteObject { object_id: oid(o) }),
            "ok"
        );
    }
    let rebuilt = steward_core::Snapshot::build(org.policy.clone(), &org.state);
    for (n, o) in ids.iter().enumerate() {
        assert_eq!(org.snapshot.node(o).is_some(), n % 2 == 1, "{o}");
        assert_eq!(rebuilt.node(o).is_some(), n % 2 == 1, "{o}");
        assert_eq!(org.snapshot.node(&forged(o)), None, "{o} forged");
        assert_eq!(org.may("owner", "project:view", o), n % 2 == 1, "{o}");
    }
    // Hints are not handed out twice while their ids live.
    assert!(org.snapshot.next_object_hint() >= 299);
}

/// One change to an organization of hinted objects and minted user ids.
#[derive(Debug, Clone)]
enum Step {
    Create {
        parent: Option<usize>,
    },
    DeleteObject(usize),
    Scope {
        user: usize,
        object: usize,
        on: bool,
    },
    Grant {
        user: usize,
        object: usize,
        on: bool,
    },
    Owner {
        user: usize,
        object: usize,
    },
    Role {
        user: usize,
        role: usize,
    },
    Suspend(usize),
    Reinstate(usize),
    DeleteMember(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        proptest::option::of(0usize..8).prop_map(|parent| Step::Create { parent }),
        (0usize..8).prop_map(Step::DeleteObject),
        (0usize..4, 0usize..8, any::<bool>()).prop_map(|(user, object, on)| Step::Scope {
            user,
            object,
            on
        }),
        (0usize..4, 0usize..8, any::<bool>()).prop_map(|(user, object, on)| Step::Grant {
            user,
            object,
            on
        }),
        (0usize..4, 0usize..8).prop_map(|(user, object)| Step::Owner { user, object }),
        (0usize..4, 0usize..4).prop_map(|(user, role)| Step::Role { user, role }),
        (0usize..4).prop_map(Step::Suspend),
        (0usize..4).prop_map(Step::Reinstate),
        (0usize..4).prop_map(Step::DeleteMember),
    ]
}

/// The snapshot keeps copies for `check_by_name`: a member's role in the user
/// table's bucket, a hinted object's slot in its hint-table entry. After every kind
/// of change, `check_by_name` (which reads the copies) answers as `check` on refs
/// (which reads the originals), as a fresh build and as the plain definition.
fn run_changes(preset: &str, steps: Vec<Step>) {
    let (ty, roles, scope_role, actions): (&str, &[&str], &str, &[&str]) = match preset {
        "operations" => (
            "site",
            &["admin", "operator", "viewer", "viewer"],
            "viewer",
            &["site:view", "site:operate"],
        ),
        _ => (
            "project",
            &[
                "analyst",
                "internal_analyst",
                "project_manager",
                "full_data_access",
            ],
            "analyst",
            &["project:view", "project:edit"],
        ),
    };
    let mut org = Org::new(preset);
    let users: Vec<String> = (0..4u8)
        .map(|i| steward_core::minted_id::minted_id("usr", &[i * 7 + 1; 20]))
        .collect();
    for (i, u) in users.iter().enumerate() {
        org.add(u, roles[i]);
    }
    let mut objects: Vec<String> = Vec::new();
    let pick = |objects: &[String], i: usize| objects.get(i % objects.len().max(1)).cloned();
    for (n, s) in steps.into_iter().enumerate() {
        match s {
            Step::Create { parent } => {
                let id = hinted_id(ty, org.snapshot.next_object_hint(), &[n as u8 + 3; 20]);
                let parent = parent.and_then(|p| pick(&objects, p));
                // A site has no parent but the organization: refused there, kept here.
                if org.create("owner", &id, ty, parent.as_deref()) == "ok" {
                    objects.push(id);
                }
            }
            Step::DeleteObject(o) => {
                if let Some(o) = pick(&objects, o) {
                    let _ = org.outcome("owner", Command::DeleteObject { object_id: oid(&o) });
                }
            }
            Step::Scope { user, object, on } => {
                if let Some(o) = pick(&objects, object) {
                    let roles: &[&str] = if on { &[scope_role] } else { &[] };
                    org.set_scope("owner", &users[user], &o, roles);
                }
            }
            Step::Grant { user, object, on } => {
                if let Some(o) = pick(&objects, object) {
                    let granted: &[&str] = if on { &actions[1..] } else { &[] };
                    org.grant("owner", &o, &users[user], granted);
                }
            }
            Step::Owner { user, object } => {
                if let Some(o) = pick(&objects, object) {
                    org.make_owner("owner", &o, &users[user]);
                }
            }
            Step::Role { user, role } => {
                org.change_role("owner", &users[user], roles[role]);
            }
            Step::Suspend(u) => {
                let _ = org.outcome(
                    "owner",
                    Command::SuspendMember {
                        user_id: uid(&users[u]),
                    },
                );
            }
            Step::Reinstate(u) => {
                let _ = org.outcome(
                    "owner",
                    Command::ReinstateMember {
                        user_id: uid(&users[u]),
                    },
                );
            }
            Step::DeleteMember(u) => {
                org.delete("owner", &users[u], true);
            }
        }
        let nodes: Vec<&str> = std::iter::once("acme")
            .chain(objects.iter().map(String::as_str))
            .collect();
        let s = &org.snapshot;
        for u in users.iter().map(String::as_str).chain(["owner"]) {
            for &a in actions.iter().chain(&["org:view"]) {
                for &o in &nodes {
                    org.check(u, a, o);
                    let by_name = s.check_by_name(u, a, o);
                    assert_eq!(s.allows_by_name(u, a, o), by_name.allowed, "{u} {a} {o}");
                    if let (Some(ur), Some(ar), Some(or)) = (s.user(u), s.action(a), s.node(o)) {
                        assert_eq!(by_name, s.check(ur, ar, or), "{u} {a} {o}");
                        assert_eq!(s.allows(ur, ar, or), by_name.allowed, "{u} {a} {o}");
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn copies_for_the_lookups_answer_as_the_originals_after_every_change(
        operations in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..24),
    ) {
        run_changes(if operations { "operations" } else { "analytics" }, steps);
    }
}
