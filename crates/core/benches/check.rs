//! Steward's check engine on the analytics workload (bench/src/workload.rs):
//!
//! - `check/refs`: `Snapshot::check` on pre-resolved refs, cycling through the
//!   1,000,000-question mix, at 100,000 projects (600,001 objects);
//! - `check/refs_1m_projects`: the same at 1,000,000 projects (6,000,001 objects);
//! - `check/by_name`: `Snapshot::check_by_name` with string ids, as the API calls it;
//! - `check/floor`: the flat three-lookup floor on the same questions, for the ratio;
//! - `check/key_permits`: `api_key::permits` for a `check` key, what an API key's
//!   every request adds (its creator's right, checked on the organization);
//! - `role_change/apply_1m_members`: one `user.role_changed` applied to a clone of the
//!   snapshot of an organization with 1,000,000 members and 1,000 projects (the clone
//!   is made outside the timing; `role_change/clone_1m_members` times the clone alone).
//!
//! cargo bench -p steward-core --bench check
//!
//! Each time is per operation (one check, one applied event).

#[path = "../../../bench/src/workload.rs"]
mod workload;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward_core::api_key::{self, KeyPermissions, KeyUse};
use steward_core::snapshot::Snapshot;
use steward_core::{apply, Policy, UserId, API_KEY_PERMISSIONS};
use workload::{Floor, Params, Workload, ROLES};

fn policy() -> Arc<Policy> {
    Arc::new(Policy::preset("analytics").expect("analytics preset"))
}

fn built<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let t = f();
    eprintln!("{what}: built in {:.1} s", start.elapsed().as_secs_f64());
    t
}

/// Times `check` on refs, cycling through the question list, one check per iteration.
fn bench_refs(c: &mut Criterion, name: &str, params: Params, with_names: bool) {
    let policy = policy();
    let w = built(name, || Workload::build(params));
    let snap = built("snapshot", || Snapshot::build(policy.clone(), &w.state));
    let refs = workload::resolve(&snap, &w);
    let n = refs.len();

    let mut group = c.benchmark_group("check");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let mut i = 0usize;
    group.bench_function(name, |b| {
        b.iter(|| {
            let (u, a, o) = refs[i];
            i = if i + 1 == n { 0 } else { i + 1 };
            black_box(snap.check(black_box(u), black_box(a), black_box(o)).allowed)
        })
    });
    if with_names {
        let floor = Floor::new(&w, &workload::role_actions(&policy));
        let qs = &w.questions;
        let mut i = 0usize;
        group.bench_function("floor", |b| {
            b.iter(|| {
                let q = qs[i];
                i = if i + 1 == n { 0 } else { i + 1 };
                black_box(floor.check(black_box(q)))
            })
        });
        let names: Vec<(String, &'static str, String)> =
            w.questions.iter().map(|&q| w.names(q)).collect();
        let org = w.state.org().expect("an organization").id.to_string();
        let creators: Vec<UserId> = names
            .iter()
            .take(1024)
            .map(|(u, _, _)| UserId::parse(u).expect("a user id"))
            .collect();
        let permissions = KeyPermissions::of(&API_KEY_PERMISSIONS);
        let mut i = 0usize;
        group.bench_function("key_permits", |b| {
            b.iter(|| {
                let creator = &creators[i];
                i = if i + 1 == creators.len() { 0 } else { i + 1 };
                black_box(
                    api_key::permits(
                        &snap,
                        black_box(&org),
                        permissions,
                        Some(black_box(creator)),
                        KeyUse::Check,
                    )
                    .is_ok(),
                )
            })
        });
        let mut i = 0usize;
        group.bench_function("by_name", |b| {
            b.iter(|| {
                let (u, a, o) = &names[i];
                i = if i + 1 == n { 0 } else { i + 1 };
                black_box(
                    snap.check_by_name(black_box(u), black_box(a), black_box(o))
                        .allowed,
                )
            })
        });
    }
    group.finish();
}

fn check_100k_projects(c: &mut Criterion) {
    bench_refs(c, "refs", Params::default(), true);
}

fn check_1m_projects(c: &mut Criterion) {
    bench_refs(c, "refs_1m_projects", Params::million_projects(), false);
}

fn role_change_1m_members(c: &mut Criterion) {
    let policy = policy();
    let (state, roles) = built("org with 1,000,000 members", || {
        workload::members_org(1_000_000, 1_000, 7)
    });
    let snap = built("snapshot", || Snapshot::build(policy.clone(), &state));
    // A member in the middle: analyst -> internal analyst.
    let analyst = ROLES.iter().position(|(r, _)| *r == "analyst").unwrap() as u8;
    let internal = ROLES
        .iter()
        .position(|(r, _)| *r == "internal_analyst")
        .unwrap() as u8;
    let u = (500_000..roles.len())
        .find(|&u| roles[u] == analyst)
        .expect("an analyst") as u32;
    let event = workload::role_change(u, analyst, internal);
    let mut after = state.clone();
    apply(&mut after, &event);
    drop(state);

    // The change must be visible to a check at once.
    let mut changed = snap.clone();
    changed.apply(&event, &after);
    let user = workload::user_name(u);
    assert!(!snap.check_by_name(&user, "project:edit", "p0").allowed);
    assert!(changed.check_by_name(&user, "project:edit", "p0").allowed);
    drop(changed);

    let mut group = c.benchmark_group("role_change");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("apply_1m_members", |b| {
        b.iter_batched(
            || snap.clone(),
            |mut s| {
                s.apply(black_box(&event), &after);
                s
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("clone_1m_members", |b| b.iter(|| black_box(snap.clone())));
    group.finish();
}

criterion_group!(
    benches,
    check_100k_projects,
    check_1m_projects,
    role_change_1m_members
);
criterion_main!(benches);
