//! Checks after grant churn (issue 20, docs/benchmarks.md#drift): the analytics
//! workload (bench/src/workload.rs: 10,000 members, 100,000 projects, 600,001
//! objects, 50,000 grants), then 1,000,000 grant changes, each giving a new grant
//! to a random member on a random project or taking a random one back, half and
//! half. Three snapshots of the same final state answer the same question mix:
//!
//! - `drift/fresh`: built from the final state;
//! - `drift/never_rebuilt`: the first build, kept current by `apply` alone;
//! - `drift/rebuilt_when_drifted`: kept current by `apply`, and built again each
//!   time `has_drifted` said so (what the server does, in the background).
//!
//! cargo bench -p steward-core --bench drift
//!
//! Each time is per check; the churn, the rebuilds and the drift are printed.

#[path = "../../../bench/src/workload.rs"]
mod workload;

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward_core::snapshot::Snapshot;
use steward_core::{apply, Actor, Change, Event, ObjectId, Policy, Timestamp, UserId};
use workload::{Params, Rng, Workload, PROJECT_ACTIONS};

const CHANGES: usize = 1_000_000;

/// A grant of `mask` (over `PROJECT_ACTIONS`; 0 takes it back) to `u` on project `p`.
fn grant(params: &Params, u: u32, p: u32, mask: u8) -> Event {
    Event {
        at: Timestamp(0),
        actor: Actor::System,
        change: Change::GrantChanged {
            object_id: ObjectId::parse(&workload::object_name(params, p)).unwrap(),
            user_id: UserId::parse(&workload::user_id_of(params, u)).unwrap(),
            previous_actions: vec![],
            actions: (0..7)
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| PROJECT_ACTIONS[i].to_string())
                .collect(),
        },
        names: Default::default(),
    }
}

fn describe(what: &str, s: &Snapshot) {
    let d = s.drift();
    eprintln!(
        "{what}: {} live entries, {} stale, drifted: {}",
        d.live(),
        d.stale(),
        s.has_drifted()
    );
}

fn drift(c: &mut Criterion) {
    let policy = Arc::new(Policy::preset("analytics").expect("analytics preset"));
    let mut w = Workload::build(Params::default());
    let params = w.params.clone();
    let first = Snapshot::build(policy.clone(), &w.state);
    let mut never = first.clone();
    let mut kept = first;

    let mut rng = Rng::new(0xD81F7);
    let mut held: Vec<(u32, u32)> = w.grants.iter().map(|&(u, p, _)| (u, p)).collect();
    let mut holding: HashSet<(u32, u32)> = held.iter().copied().collect();
    let (mut rebuilds, mut rebuilding) = (0, Duration::ZERO);
    let start = Instant::now();
    for _ in 0..CHANGES {
        let event = if rng.below(2) == 0 && !held.is_empty() {
            let (u, p) = held.swap_remove(rng.index(held.len()) as usize);
            holding.remove(&(u, p));
            grant(&params, u, p, 0)
        } else {
            let (u, p) = loop {
                let pair = (rng.index(params.users), 1 + rng.index(params.projects));
                if holding.insert(pair) {
                    break pair;
                }
            };
            held.push((u, p));
            grant(&params, u, p, 1 + rng.below(127) as u8)
        };
        apply(&mut w.state, &event);
        never.apply(&event, &w.state);
        kept.apply(&event, &w.state);
        if kept.has_drifted() {
            let t = Instant::now();
            kept = Snapshot::build(policy.clone(), &w.state);
            rebuilding += t.elapsed();
            rebuilds += 1;
        }
    }
    eprintln!(
        "{CHANGES} grant changes in {:.1} s (both snapshots and the state); {rebuilds} rebuilds, {:.1} s in all",
        start.elapsed().as_secs_f64(),
        rebuilding.as_secs_f64()
    );
    let t = Instant::now();
    let fresh = Snapshot::build(policy.clone(), &w.state);
    eprintln!("one build: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let copy = black_box(w.state.clone());
    eprintln!(
        "one state copy (what the server's rebuild does under the lock): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    drop(copy);
    describe("fresh", &fresh);
    describe("never_rebuilt", &never);
    describe("rebuilt_when_drifted", &kept);

    let fresh_refs = workload::resolve(&fresh, &w);
    let mut group = c.benchmark_group("drift");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, snap) in [
        ("fresh", &fresh),
        ("never_rebuilt", &never),
        ("rebuilt_when_drifted", &kept),
    ] {
        let refs = workload::resolve(snap, &w);
        // The three answer alike: only their speed may differ.
        for (&(u, a, o), &(fu, fa, fo)) in refs.iter().zip(&fresh_refs).step_by(97) {
            assert_eq!(snap.check(u, a, o).allowed, fresh.check(fu, fa, fo).allowed);
        }
        let n = refs.len();
        let mut i = 0usize;
        group.bench_function(name, |b| {
            b.iter(|| {
                let (u, a, o) = refs[i];
                i = if i + 1 == n { 0 } else { i + 1 };
                black_box(snap.check(black_box(u), black_box(a), black_box(o)).allowed)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, drift);
criterion_main!(benches);
