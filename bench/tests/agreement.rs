//! On a small workload, every engine answers every question as Steward does.
//! cargo test --release --manifest-path bench/Cargo.toml

use std::sync::Arc;
#[cfg(feature = "peers")]
use steward_bench::casbin_engine::CasbinEngine;
#[cfg(feature = "peers")]
use steward_bench::cedar_engine::CedarEngine;
use steward_bench::workload::{self, Floor, Params, Workload};
use steward_core::snapshot::Snapshot;
use steward_core::Policy;

#[cfg(feature = "peers")]
#[test]
fn floor_cedar_casbin_and_the_reference_agree_with_steward() {
    let policy = Arc::new(Policy::preset("analytics").unwrap());
    let w = Workload::build(Params {
        users: 300,
        projects: 500,
        questions_per_project: 3,
        grants: 1_000,
        checks: 3_000,
        seed: 11,
        minted_ids: false,
        hinted_ids: false,
    });
    let role_actions = workload::role_actions(&policy);
    let snap = Snapshot::build(policy.clone(), &w.state);
    let floor = Floor::new(&w, &role_actions);
    let cedar = CedarEngine::build(&w, &role_actions);
    let casbin = CasbinEngine::build(&w, &role_actions);
    let mut allowed = 0;
    for &q in &w.questions {
        let (u, a, o) = w.names(q);
        let steward = snap.check_by_name(&u, a, &o).allowed;
        allowed += steward as usize;
        assert_eq!(
            steward_core::access::check_by_name(&policy, &w.state, &u, a, &o).0,
            steward,
            "reference on {u} {a} {o}"
        );
        assert_eq!(floor.check(q), steward, "floor on {u} {a} {o}");
        assert_eq!(
            cedar.check(&cedar.request(&w, q)),
            steward,
            "cedar on {u} {a} {o}"
        );
        assert_eq!(casbin.check(&u, &o, a), steward, "casbin on {u} {a} {o}");
    }
    // The mix has both answers in it.
    assert!(
        allowed > 300 && allowed < 2_700,
        "{allowed} of 3000 allowed"
    );
}

#[test]
fn the_same_seed_gives_the_same_workload() {
    let p = Params {
        users: 50,
        projects: 20,
        questions_per_project: 2,
        grants: 30,
        checks: 100,
        seed: 3,
        minted_ids: false,
        hinted_ids: false,
    };
    let (a, b) = (Workload::build(p.clone()), Workload::build(p));
    assert_eq!(a.questions, b.questions);
    assert_eq!(a.grants, b.grants);
    assert_eq!(a.state, b.state);
    assert_eq!(workload::object_name(&a.params, 0), workload::ORG_ID);
    assert_eq!(workload::object_name(&a.params, 1), "p0");
    assert_eq!(
        workload::object_name(&a.params, workload::question_index(&a.params, 3, 1)),
        "q3-1"
    );
}

/// With ids as Steward mints them (`--minted-ids`), the snapshot still answers as
/// the reference and the floor do, and the ids are the minted kind.
#[test]
fn with_minted_ids_the_reference_and_the_floor_agree_with_steward() {
    minted_ids_agree(false);
}

/// The same with object ids that carry their hint (`--hinted-ids`).
#[test]
fn with_hinted_ids_the_reference_and_the_floor_agree_with_steward() {
    minted_ids_agree(true);
}

fn minted_ids_agree(hinted_ids: bool) {
    let policy = Arc::new(Policy::preset("analytics").unwrap());
    let w = Workload::build(Params {
        users: 200,
        projects: 300,
        questions_per_project: 3,
        grants: 600,
        checks: 2_000,
        seed: 5,
        minted_ids: true,
        hinted_ids,
    });
    let snap = Snapshot::build(policy.clone(), &w.state);
    let floor = Floor::new(&w, &workload::role_actions(&policy));
    for &q in &w.questions {
        let (u, a, o) = w.names(q);
        assert!(u.starts_with("usr_") && u.len() == 24, "{u}");
        let steward = snap.check_by_name(&u, a, &o).allowed;
        assert_eq!(
            steward_core::access::check_by_name(&policy, &w.state, &u, a, &o).0,
            steward,
            "reference on {u} {a} {o}"
        );
        assert_eq!(floor.check(q), steward, "floor on {u} {a} {o}");
    }
    let first = workload::object_name(&w.params, 1);
    assert!(first.starts_with("project_"));
    // Hinted, the first project is the organization's first object: hint 0.
    assert_eq!(
        steward_core::minted_id::id_hint(first.as_bytes()),
        hinted_ids.then_some(0),
        "{first}"
    );
}
