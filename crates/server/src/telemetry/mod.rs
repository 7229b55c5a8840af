//! What an operator sees of a running node beyond its answers
//! (docs/operations.md#metrics, #tracing): the figures `/metrics` adds to the
//! request tally (database pool, login limiter, change listener, snapshot builds,
//! process, build), and traces over OTLP when configured (`otlp`).

mod build_info;
mod deferred_fields;
pub mod otlp;
mod process;
mod tally;

pub use deferred_fields::{Deferred, REQUEST_SPAN};
pub use process::ProcessFigures;
pub use tally::{Following, Tally, FOLLOWING, POOL_WAITS, SNAPSHOT_BUILDS};

use std::fmt::Write;

/// What `/metrics` reads from the running application for `render`.
pub struct Readings {
    /// Open connections, of which idle, and the most the pool opens.
    pub pool: (u32, usize, u32),
    /// Keys the login limiter holds: (accounts, addresses).
    pub limiter_entries: (usize, usize),
    pub limiter_refusals: u64,
}

/// Appends the figures to a Prometheus text exposition.
pub fn render(out: &mut String, readings: &Readings) {
    let (size, idle, max) = readings.pool;
    gauge(
        out,
        "steward_db_pool_connections",
        "Database connections open.",
        size,
    );
    gauge(
        out,
        "steward_db_pool_idle_connections",
        "Open database connections not in use.",
        idle,
    );
    gauge(
        out,
        "steward_db_pool_max_connections",
        "The most database connections the pool opens.",
        max,
    );
    counter(
        out,
        "steward_db_pool_acquire_waits_total",
        "Transactions that found no idle connection and waited for one.",
        POOL_WAITS.count(),
    );
    counter(
        out,
        "steward_db_pool_acquire_wait_seconds_total",
        "Time those transactions waited for a connection and their BEGIN.",
        POOL_WAITS.seconds(),
    );

    let (accounts, addresses) = readings.limiter_entries;
    help(
        out,
        "steward_login_limiter_entries",
        "gauge",
        "Accounts and client addresses the login limiter holds recent failures of.",
    );
    let _ = writeln!(
        out,
        "steward_login_limiter_entries{{key=\"account\"}} {accounts}"
    );
    let _ = writeln!(
        out,
        "steward_login_limiter_entries{{key=\"address\"}} {addresses}"
    );
    counter(
        out,
        "steward_login_limiter_refusals_total",
        "Sign-in attempts refused for too many recent failures.",
        readings.limiter_refusals,
    );

    counter(
        out,
        "steward_change_listener_events_total",
        "Events other nodes committed, folded into this one.",
        FOLLOWING.events(),
    );
    gauge(
        out,
        "steward_change_listener_events_behind",
        "Events the last catch-up folded in: how far behind this node was.",
        FOLLOWING.behind(),
    );
    gauge(
        out,
        "steward_change_listener_last_lag_seconds",
        "From the newest event of the last catch-up to its fold-in.",
        FOLLOWING.last_lag_seconds(),
    );
    help(
        out,
        "steward_change_listener_lag_seconds",
        "summary",
        "From another node's commit to its fold-in here (whole-second event times).",
    );
    let _ = writeln!(
        out,
        "steward_change_listener_lag_seconds_sum {}",
        FOLLOWING.catch_ups.seconds()
    );
    let _ = writeln!(
        out,
        "steward_change_listener_lag_seconds_count {}",
        FOLLOWING.catch_ups.count()
    );

    counter(
        out,
        "steward_snapshot_builds_total",
        "Check snapshots built from an organization's whole state.",
        SNAPSHOT_BUILDS.count(),
    );
    counter(
        out,
        "steward_snapshot_build_seconds_total",
        "Time spent building them.",
        SNAPSHOT_BUILDS.seconds(),
    );

    if let Some(p) = ProcessFigures::read() {
        gauge(
            out,
            "process_resident_memory_bytes",
            "Resident memory.",
            p.resident_bytes,
        );
        gauge(
            out,
            "process_open_fds",
            "Open file descriptors.",
            p.open_fds,
        );
        counter(
            out,
            "process_cpu_seconds_total",
            "User and system CPU time.",
            p.cpu_seconds,
        );
        gauge(
            out,
            "process_start_time_seconds",
            "When the process started, in seconds since the epoch.",
            p.start_time_seconds,
        );
    }

    help(
        out,
        "steward_build_info",
        "gauge",
        "The running build: version, git commit, compiler.",
    );
    let _ = writeln!(
        out,
        "steward_build_info{{version=\"{}\",commit=\"{}\",rustc=\"{}\"}} 1",
        label(build_info::VERSION),
        label(build_info::GIT_COMMIT),
        label(build_info::RUSTC),
    );
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, text: &str, value: impl std::fmt::Display) {
    help(out, name, "gauge", text);
    let _ = writeln!(out, "{name} {value}");
}

fn counter(out: &mut String, name: &str, text: &str, value: impl std::fmt::Display) {
    help(out, name, "counter", text);
    let _ = writeln!(out, "{name} {value}");
}

/// A label value as the exposition format quotes it.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
