//! One check path run alone, for counters that hold under load (`perf stat -e
//! instructions,cycles,branch-misses`): builds the workload, then makes `--passes`
//! passes of one path over the question mix. Run it once with `--passes 0` too: the
//! difference between the two, divided by passes x questions, is the path's cost
//! per check, set-up excluded.
//!
//! cargo run --release --no-default-features --manifest-path bench/Cargo.toml --bin hot --
//!   --path floor|refs|name   the path (default name); allows|allows-refs: the
//!                            answer without its reason; user|object|action: that
//!                            lookup of `check_by_name` alone; slice: the ids sliced
//!   --passes N               passes over the mix (default 50)
//!   --projects N --users N --checks N --minted-ids --hinted-ids   as `compare`

use std::hint::black_box;
use std::sync::Arc;
use steward_bench::workload::{self, Floor, Params, Workload};
use steward_core::snapshot::Snapshot;
use steward_core::Policy;

fn main() {
    let mut params = Params::default();
    let (mut path, mut passes) = (String::from("name"), 50usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--path" => path = value(),
            "--passes" => passes = value().parse().expect("a number"),
            "--projects" => params.projects = value().parse().expect("a number"),
            "--users" => params.users = value().parse().expect("a number"),
            "--checks" => params.checks = value().parse().expect("a number"),
            "--minted-ids" => params.minted_ids = true,
            "--hinted-ids" => {
                params.minted_ids = true;
                params.hinted_ids = true;
            }
            other => panic!("unknown option {other}"),
        }
    }
    let policy = Arc::new(Policy::preset("analytics").expect("analytics preset"));
    let w = Workload::build(params);
    let floor = Floor::new(&w, &workload::role_actions(&policy));
    let snap = Snapshot::build(policy, &w.state);
    let refs = workload::resolve(&snap, &w);
    // The ids in one buffer, in question order, as `compare` keeps them, and each
    // question's ids sliced out of it once, as a caller holds them (`compare` too).
    let mut text = String::new();
    let mut spans = Vec::with_capacity(w.questions.len());
    for &q in &w.questions {
        let (u, a, o) = w.names(q);
        let us = text.len();
        text.push_str(&u);
        let os = text.len();
        text.push_str(&o);
        spans.push((us, os, text.len(), a));
    }
    let asked: Vec<(&str, &str, &str)> = spans
        .iter()
        .map(|&(us, os, oe, a)| (&text[us..os], a, &text[os..oe]))
        .collect();
    let n = w.questions.len();
    let allowed = match path.as_str() {
        "floor" => run(n, passes, |i| floor.check(w.questions[i])),
        "refs" => run(n, passes, |i| {
            let (u, a, o) = refs[i];
            snap.check(u, a, o).allowed
        }),
        "user" => run(n, passes, |i| snap.user(black_box(asked[i].0)).is_some()),
        "object" => run(n, passes, |i| snap.node(black_box(asked[i].2)).is_some()),
        // The bench's slicing of the ids out of `text`, as it did per question before
        // the questions were prepared: what that cost every path that takes ids.
        "slice" => run(n, passes, |i| {
            let (us, os, oe, _) = spans[i];
            !black_box(&text[us..os]).is_empty() & !black_box(&text[os..oe]).is_empty()
        }),
        "allows" => run(n, passes, |i| {
            let (u, a, o) = asked[i];
            snap.allows_by_name(u, a, o)
        }),
        "allows-refs" => run(n, passes, |i| {
            let (u, a, o) = refs[i];
            snap.allows(u, a, o)
        }),
        "action" => run(n, passes, |i| snap.action(black_box(asked[i].1)).is_some()),
        _ => run(n, passes, |i| {
            let (u, a, o) = asked[i];
            snap.check_by_name(u, a, o).allowed
        }),
    };
    println!("{path}: {allowed} allowed in {passes} passes of {n} questions");
}

/// `passes` passes of `f` over the questions; the count allowed, so none is skipped.
fn run(n: usize, passes: usize, f: impl Fn(usize) -> bool) -> usize {
    let mut allowed = 0usize;
    for _ in 0..passes {
        for i in 0..n {
            allowed += f(black_box(i)) as usize;
        }
    }
    allowed
}
