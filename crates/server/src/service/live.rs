//! One organization held in memory: the state commands are decided against, the
//! head of its chain, the check snapshot that readers share, and the number of
//! its last committed event, which event feeds wait on. Also where a snapshot
//! whose filters have drifted is rebuilt, in the background (docs/benchmarks.md#drift).

use super::Service;
use crate::store::{touched, Head, Row};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use steward_core::{apply, Event, Policy, Snapshot, State};
use tokio::sync::{watch, Mutex};

pub struct LiveOrg {
    /// Writers (and readers of the full state) take this; checks never do.
    pub(super) books: Mutex<Books>,
    snapshot: RwLock<Arc<Snapshot>>,
    /// The `seq` of the last event committed (by this node or, once folded in,
    /// by another): feeds wait on it instead of polling the database
    /// (docs/audit.md#the-event-feed). Checks never touch it.
    last_seq: watch::Sender<i64>,
    /// Set while a rebuild of the snapshot runs in the background: one at a time.
    rebuilding: AtomicBool,
}

/// A rebuild that keeps finding a newer head than the state it copied gives up
/// after this many tries; the next change that finds the snapshot drifted starts
/// another.
const REBUILD_TRIES: usize = 3;

/// The organization as of `head`.
pub(super) struct Books {
    pub state: State,
    pub head: Head,
    /// Set when a write failed after the state was folded: the next command
    /// reloads from the database first.
    pub stale: bool,
}

impl LiveOrg {
    pub(super) fn new(state: State, head: Head, snapshot: Snapshot) -> LiveOrg {
        let (last_seq, _) = watch::channel(head.seq);
        LiveOrg {
            last_seq,
            books: Mutex::new(Books {
                state,
                head,
                stale: false,
            }),
            snapshot: RwLock::new(Arc::new(snapshot)),
            rebuilding: AtomicBool::new(false),
        }
    }

    /// The current snapshot: an `Arc` clone, no allocation.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Follows the `seq` of the last committed event.
    pub fn watch_seq(&self) -> watch::Receiver<i64> {
        self.last_seq.subscribe()
    }

    /// Tells the feeds the chain now ends at `seq` (after the commit, so a feed
    /// woken by it finds the events in the database). Wakes no one when nothing
    /// moved.
    pub(super) fn announce(&self, seq: i64) {
        self.last_seq.send_if_modified(|last| {
            let moved = *last != seq;
            *last = seq;
            moved
        });
    }

    pub(super) fn publish(&self, snapshot: Snapshot) {
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot);
    }

    /// Builds the snapshot again from a copy of the state, made under the lock;
    /// the build itself runs off it (and off the async workers), so writes to the
    /// organization wait only for the copy and checks not at all. The result is
    /// published only if no change was committed meanwhile. `true`: published.
    async fn rebuild(&self, policy: Arc<Policy>) -> bool {
        for _ in 0..REBUILD_TRIES {
            let (state, head) = {
                let books = self.books.lock().await;
                if books.stale {
                    return false;
                }
                (books.state.clone(), books.head.clone())
            };
            let policy = policy.clone();
            let Ok(built) =
                tokio::task::spawn_blocking(move || Snapshot::build(policy, &state)).await
            else {
                return false;
            };
            let books = self.books.lock().await;
            if !books.stale && books.head == head {
                self.publish(built);
                return true;
            }
        }
        false
    }
}

impl Service {
    /// Called after a change is published: when the organization's snapshot has
    /// drifted past its threshold (`Snapshot::has_drifted`), rebuilds it in the
    /// background, unless a rebuild already runs. The change itself never waits
    /// for it; checks answer from the drifted snapshot, the same answers only
    /// slower, until the rebuilt one is published.
    pub(super) fn rebuild_if_drifted(&self, live: &LiveOrg, org: &str) {
        if !live.snapshot().has_drifted() || live.rebuilding.swap(true, Ordering::AcqRel) {
            return;
        }
        let Some(live) = self.live(org) else {
            return;
        };
        let service = self.clone();
        tokio::spawn(async move {
            if live.rebuild(service.inner.policy.clone()).await {
                // The hook for a `snapshot_rebuilds` metric.
                service
                    .inner
                    .snapshot_rebuilds
                    .fetch_add(1, Ordering::Relaxed);
            }
            live.rebuilding.store(false, Ordering::Release);
        });
    }

    /// How many drifted snapshots were rebuilt and published since the start.
    pub fn snapshot_rebuilds(&self) -> u64 {
        self.inner.snapshot_rebuilds.load(Ordering::Relaxed)
    }
}

/// Folds events into the state and a copy of the snapshot, one at a time (the
/// snapshot reads the state after each event), collecting the rows they touch.
pub(super) fn fold(
    state: &mut State,
    snapshot: &mut Snapshot,
    events: &[Event],
    rows: &mut BTreeSet<Row>,
) {
    for event in events {
        touched(&event.change, state, rows);
        apply(state, event);
        snapshot.apply(event, state);
    }
}
