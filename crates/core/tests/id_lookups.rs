//! The snapshot finds users, objects and actions by id through its own table (ids
//! inline, hashed from a few words; docs/benchmarks.md#id-lookups-issue-19-2026-12-03). Whatever the
//! ids look like, short, as Steward mints them, at the inline limit, longer, or
//! twins that differ only in their middle, and whatever was created and deleted,
//! its answers are the plain definition's.

mod support;
use proptest::prelude::*;
use steward_core::Command;
use support::*;

const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// An id of one of several shapes; `n` tells ids of one shape apart.
fn id(shape: u8, n: u32) -> String {
    match shape % 6 {
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
        _ => format!("long-{n}-{}", "z".repeat(48)),
    }
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
        let o = id(shape, n);
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
    let askers: Vec<String> = members.iter().flat_map(|u| [u.clone(), twin(u)]).collect();
    let nodes: Vec<String> = std::iter::once("acme".to_string())
        .chain(made.iter().flat_map(|o| [o.clone(), twin(o)]))
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
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn lookups_by_id_of_any_shape_answer_as_the_plain_definition(
        users in proptest::collection::vec((0u8..6, 0u32..40), 1..6),
        objects in proptest::collection::vec((0u8..6, 0u32..40, any::<bool>()), 1..16),
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
    let ids: Vec<String> = (0..600).map(|n| id((n % 6) as u8, n)).collect();
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
