//! A plain timing loop: passes over the question list until a minimum time has run,
//! several rounds, the median round reported as nanoseconds per check.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// One round: passes of `f(i)` for `i` in `0..n` (at least one) until `min_round` has run; returns
/// nanoseconds per call. `f` returns whether the check allowed, which is summed so the
/// work cannot be optimized away.
pub fn round(n: usize, min_round: Duration, f: &mut impl FnMut(usize) -> bool) -> f64 {
    assert!(n > 0);
    let mut allowed = 0usize;
    let start = Instant::now();
    let mut calls = 0usize;
    loop {
        for i in 0..n {
            allowed += f(black_box(i)) as usize;
        }
        calls += n;
        if start.elapsed() >= min_round {
            break;
        }
    }
    black_box(allowed);
    start.elapsed().as_nanos() as f64 / calls as f64
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Nanoseconds per call of `f(i)`: one warm-up pass, then the median of `rounds`
/// rounds of at least `min_round` each.
pub fn ns_per_check(
    n: usize,
    rounds: usize,
    min_round: Duration,
    mut f: impl FnMut(usize) -> bool,
) -> f64 {
    let mut allowed = 0usize;
    for i in 0..n {
        allowed += f(black_box(i)) as usize;
    }
    black_box(allowed);
    median((0..rounds).map(|_| round(n, min_round, &mut f)).collect())
}
