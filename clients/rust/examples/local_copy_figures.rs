//! The local copy's figures for docs/benchmarks.md#local-copy: check time from the
//! copy against steward-core's engine alone on the same organization and
//! questions, and staleness after a change (the API's answer to a role change ->
//! the copy answering the new role) over many changes.
//!
//! cargo run --release -p steward-client --features local --example local_copy_figures -- [changes]
//!
//! Steward runs in this process (on a random port, a fresh SQLite file), as in
//! the crate's tests; the copy follows it over HTTP like any other.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward_client::{LocalCopy, Steward};
use steward_core::{Event, Policy, Snapshot, State};

const SITES: usize = 1000;
const MEMBERS: usize = 100;
const QUESTIONS: usize = 100_000;
const ROUNDS: usize = 7;
const ROLES: [&str; 4] = ["admin", "operator", "viewer", "viewer"];
const ACTIONS: [&str; 5] = [
    "site:view",
    "site:operate",
    "site:configure",
    "members:view",
    "org:view",
];

/// splitmix64: the same questions every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// ns per call over the questions, one round of `ask`.
fn round(
    questions: &[(String, &str, String)],
    mut ask: impl FnMut(&str, &str, &str) -> bool,
) -> f64 {
    let start = Instant::now();
    let mut allowed = 0usize;
    for (u, a, o) in questions {
        allowed += ask(black_box(u), black_box(a), black_box(o)) as usize;
    }
    black_box(allowed);
    start.elapsed().as_nanos() as f64 / questions.len() as f64
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let changes: usize = std::env::args()
        .nth(1)
        .map_or(1000, |n| n.parse().expect("changes: a number"));
    let live = support::live_steward(&["check", "events"]).await;

    let setup = Instant::now();
    let mut sites = vec![live.site.clone()];
    for i in 1..SITES {
        sites.push(live.create_site(&format!("site {i}")).await);
    }
    let mut draw = Draw(19);
    let mut members = vec![live.owner.clone()];
    for i in 1..MEMBERS {
        let role = ROLES[i % ROLES.len()];
        let user = live.join(&format!("m{i}@acme.test"), role).await;
        if role == "viewer" {
            let site = &sites[draw.below(SITES)];
            live.set_scope_roles(&user, site, &["operator"]).await;
        }
        members.push(user);
    }
    eprintln!(
        "organization: {SITES} sites, {MEMBERS} members, made in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let steward = Steward::new(&live.url, &live.org, &live.key);
    let load = Instant::now();
    let copy = LocalCopy::load(steward.clone())
        .await
        .expect("the copy loads");
    eprintln!(
        "copy loaded in {:.1} ms",
        load.elapsed().as_secs_f64() * 1e3
    );

    // The engine alone on the same organization: the server's in-process check.
    let mut state = State::default();
    let mut after = 0;
    loop {
        let page = steward.events(after, 1000, None).await.expect("the feed");
        for item in &page.items {
            let event: Event = serde_json::from_str(&item.body).expect("an event");
            steward_core::apply(&mut state, &event);
        }
        after = page.after;
        if page.items.len() < 1000 {
            break;
        }
    }
    let policy = Arc::new(Policy::preset("operations").expect("the preset"));
    let snapshot = Snapshot::build(policy, &state);

    let questions: Vec<(String, &str, String)> = (0..QUESTIONS)
        .map(|_| {
            let action = ACTIONS[draw.below(ACTIONS.len())];
            let object = if action.starts_with("site:") {
                sites[draw.below(SITES)].clone()
            } else {
                live.org.clone()
            };
            (members[draw.below(MEMBERS)].clone(), action, object)
        })
        .collect();
    for (u, a, o) in questions.iter().take(1000) {
        assert_eq!(
            copy.check_here(u, a, o),
            Some(snapshot.check_by_name(u, a, o).allowed),
            "the copy and the engine disagree on {u} {a} {o}"
        );
    }
    // Interleaved rounds, so that a slow moment of the shared machine falls on both.
    let (mut engine_rounds, mut local_rounds) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        engine_rounds.push(round(&questions, |u, a, o| {
            snapshot.check_by_name(u, a, o).allowed
        }));
        local_rounds.push(round(&questions, |u, a, o| {
            copy.check_here(u, a, o).unwrap_or(false)
        }));
    }
    let (engine, local) = (median(engine_rounds.clone()), median(local_rounds.clone()));
    let by_server = copy.counts().answered_by_server;
    println!("check, ns (median of {ROUNDS} interleaved rounds of {QUESTIONS} questions):");
    println!("  Snapshot::check_by_name  {engine:.1}   rounds {engine_rounds:.1?}");
    println!("  LocalCopy::check_here    {local:.1}   rounds {local_rounds:.1?}");
    println!("  copy / engine            {:.2}x", local / engine);
    println!("  answered by the server meanwhile: {by_server}");

    // Staleness after a change: a member's role flips viewer <-> operator; from
    // the PATCH's 200 to the copy answering `site:operate` as the new role does.
    let vic = live.join("vic@acme.test", "viewer").await;
    let site = sites[SITES / 2].clone();
    let mut until_changed = Vec::with_capacity(changes);
    let mut not_here = 0u64;
    for i in 0..changes {
        let (role, expected) = if i % 2 == 0 {
            ("operator", true)
        } else {
            ("viewer", false)
        };
        live.set_role(&vic, role).await;
        let answered = Instant::now();
        loop {
            match copy.check_here(&vic, "site:operate", &site) {
                Some(allowed) if allowed == expected => break,
                Some(_) => {}
                None => not_here += 1,
            }
            tokio::task::yield_now().await;
        }
        until_changed.push(answered.elapsed());
    }
    until_changed.sort();
    println!("staleness after a change, {changes} role changes (PATCH 200 -> the copy's answer changes):");
    println!(
        "  p50 {:.2?}  p99 {:.2?}  max {:.2?}  (polls while the copy was not current: {not_here})",
        percentile(&until_changed, 0.50),
        percentile(&until_changed, 0.99),
        until_changed[until_changed.len() - 1]
    );
    println!("counts: {:?}", copy.counts());
}
