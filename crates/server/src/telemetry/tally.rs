//! Counts and times kept process-wide by the parts `/metrics` reports on but
//! does not own: snapshot builds, waits for a database connection, and what the
//! change listener folds in from other nodes. Atomics only: bumping one costs
//! no lock and no allocation.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How many times something happened and how long it took in all.
#[derive(Debug, Default)]
pub struct Tally {
    count: AtomicU64,
    micros: AtomicU64,
}

impl Tally {
    pub const fn new() -> Tally {
        Tally {
            count: AtomicU64::new(0),
            micros: AtomicU64::new(0),
        }
    }

    pub fn add(&self, took: Duration) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Runs `work` and counts it with its time.
    pub fn time<R>(&self, work: impl FnOnce() -> R) -> R {
        let started = Instant::now();
        let done = work();
        self.add(started.elapsed());
        done
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn seconds(&self) -> f64 {
        self.micros.load(Ordering::Relaxed) as f64 / 1e6
    }
}

/// What the change listener folded in from other nodes' commits
/// (service/listen.rs): how late, and how many events at a time.
#[derive(Debug, Default)]
pub struct Following {
    /// Catch-ups that folded at least one event in.
    pub catch_ups: Tally,
    /// Events folded in, in all.
    events: AtomicU64,
    /// The last catch-up's events: how far behind this node was.
    behind: AtomicU64,
    /// The last catch-up's lag, in milliseconds: from its newest event's time
    /// (the committing node's clock, whole seconds) to the fold-in.
    lag_ms: AtomicI64,
}

impl Following {
    pub const fn new() -> Following {
        Following {
            catch_ups: Tally::new(),
            events: AtomicU64::new(0),
            behind: AtomicU64::new(0),
            lag_ms: AtomicI64::new(0),
        }
    }

    /// `events` other nodes committed were folded in now; the newest was
    /// decided at `newest_at` (seconds since the epoch).
    pub fn folded(&self, events: usize, newest_at: i64) {
        if events == 0 {
            return;
        }
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        // An event's time has whole seconds: count from the middle of its second.
        let lag_ms = (now_ms - newest_at * 1000 - 500).max(0);
        self.catch_ups
            .add(Duration::from_millis(lag_ms.unsigned_abs()));
        self.events.fetch_add(events as u64, Ordering::Relaxed);
        self.behind.store(events as u64, Ordering::Relaxed);
        self.lag_ms.store(lag_ms, Ordering::Relaxed);
    }

    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    pub fn behind(&self) -> u64 {
        self.behind.load(Ordering::Relaxed)
    }

    pub fn last_lag_seconds(&self) -> f64 {
        self.lag_ms.load(Ordering::Relaxed) as f64 / 1e3
    }
}

/// Check snapshots built from a whole state (an organization loaded or
/// reloaded), and their time.
pub static SNAPSHOT_BUILDS: Tally = Tally::new();

/// Transactions that found no idle database connection, and how long they
/// waited for one (and for their `BEGIN`).
pub static POOL_WAITS: Tally = Tally::new();

/// Other nodes' changes folded in.
pub static FOLLOWING: Following = Following::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_counts_each_time_and_adds_up_the_seconds() {
        let t = Tally::new();
        t.add(Duration::from_millis(1500));
        assert_eq!(t.time(|| 7), 7);
        assert_eq!(t.count(), 2);
        assert!(t.seconds() >= 1.5 && t.seconds() < 2.0, "{}", t.seconds());
    }

    #[test]
    fn a_catch_up_records_how_far_behind_and_how_late_it_was() {
        let f = Following::new();
        f.folded(0, 0);
        assert_eq!(f.catch_ups.count(), 0, "nothing folded is no catch-up");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        f.folded(3, now - 2);
        assert_eq!((f.behind(), f.events(), f.catch_ups.count()), (3, 3, 1));
        let lag = f.last_lag_seconds();
        assert!((1.0..4.0).contains(&lag), "{lag}");
    }
}
