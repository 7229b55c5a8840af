//! A large organization's state and snapshot (built on two threads, past 50,000
//! members and objects: crates/core/src/snapshot/build.rs, state/restore.rs) answer
//! as the plain reading of the state does.

use std::sync::Arc;
use steward_core::access;
use steward_core::snapshot::Snapshot;
use steward_core::state::{Children, Member, Object, OrgInfo};
use steward_core::{Deprovision, Email, Name, ObjectId, OrgId, Policy, State, StateRows, UserId};

fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn oid(s: &str) -> ObjectId {
    ObjectId::parse(s).unwrap()
}

/// 30,000 members and 40,000 objects: projects, every other one owned by a
/// project manager, and a question under each of the first 10,000.
fn large_rows() -> StateRows {
    let members = (0..30_000)
        .map(|i| Member {
            user_id: uid(&format!("m{i}")),
            email: Email::parse(&format!("m{i}@example.com")).unwrap(),
            name: Name::parse(&format!("Member {i}")).unwrap(),
            role: ["analyst", "project_manager", "administrator"][i % 3].into(),
            suspended: i % 101 == 0,
        })
        .collect();
    let objects = (0..40_000)
        .map(|i| Object {
            id: oid(&format!("o{i}")),
            object_type: if i < 30_000 { "project" } else { "question" }.into(),
            name: Name::parse(&format!("Object {i}")).unwrap(),
            parent: (i >= 30_000).then(|| oid(&format!("o{}", i - 30_000))),
            owner: (i % 2 == 0).then(|| uid(&format!("m{}", 1 + (i / 2) % 3 * 3))),
            children: Children::new(),
        })
        .collect();
    StateRows {
        org: Some(OrgInfo {
            id: OrgId::parse("large").unwrap(),
            name: Name::parse("Large").unwrap(),
            owner: uid("m0"),
            deleted: false,
            second_factor_required: false,
            on_deprovision: Deprovision::Remove,
        }),
        members,
        grants: vec![(oid("o7"), uid("m5"), "project:view".into())],
        objects,
        ..StateRows::default()
    }
}

#[test]
fn a_large_organizations_snapshot_answers_as_its_state_does() {
    let policy = Arc::new(Policy::preset("analytics").unwrap());
    let state = State::restore(large_rows());
    assert_eq!(state.member_count(), 30_000);
    assert_eq!(state.object_count(), 40_000);
    assert_eq!(state.object(&oid("o3")).unwrap().children.len(), 1);
    let snapshot = Snapshot::build(policy.clone(), &state);
    let users = ["m0", "m1", "m2", "m4", "m5", "m101", "m29999", "nobody"];
    let objects = [
        "large", "o0", "o1", "o7", "o29999", "o30000", "o30007", "o39999", "gone",
    ];
    for u in users {
        for a in &policy.actions {
            for o in objects {
                let plain = access::check_by_name(&policy, &state, u, &a.name, o);
                let d = snapshot.check_by_name(u, &a.name, o);
                let got = (d.allowed, snapshot.reason_text(&d).to_string());
                assert_eq!(got, plain, "{u} {} {o}", a.name);
            }
        }
    }
}
