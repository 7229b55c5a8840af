//! One organization held in memory: the state commands are decided against, the
//! head of its chain, the check snapshot that readers share, and the number of
//! its last committed event, which event feeds wait on; under a memory limit,
//! when it was last used, what it is estimated to hold, and whether it was
//! dropped (docs/scaling.md#a-memory-limit). Also where a snapshot whose
//! filters have drifted is rebuilt, in the background (docs/benchmarks.md#drift).

use super::Service;
use crate::store::{touched, Head, Row};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use steward_core::{apply, Event, Policy, Snapshot, State};
use tokio::sync::{watch, Mutex};

pub struct LiveOrg {
    /// Writers take this, and readers of the full state when no write is in
    /// flight; checks never do.
    pub(super) books: Mutex<Books>,
    /// The state as of the last commit, shared with `books` (copy-on-write):
    /// what reads answer from while a write holds `books`, so they never wait
    /// for it (docs/scaling.md#reads-during-a-long-write). Taken by a read that
    /// found `books` free, dropped when the next change commits.
    view: RwLock<Option<(i64, Arc<State>)>>,
    snapshot: RwLock<Arc<Snapshot>>,
    /// The `seq` of the last event committed (by this node or, once folded in,
    /// by another). Checks never touch it.
    last_seq: AtomicI64,
    /// The same, for the event feeds, which wait on it instead of polling the
    /// database (docs/audit.md#the-event-feed): made when the first feed asks,
    /// since a watch channel is several hundred bytes and most organizations
    /// never have a feed (docs/benchmarks.md#many-organizations-and-the-memory-limit).
    feeds: OnceLock<watch::Sender<i64>>,
    /// Set while a rebuild of the snapshot runs in the background: one at a time.
    rebuilding: AtomicBool,
    /// The holding tick of its last use (`holding.rs`): the least recently used
    /// are dropped first.
    last_used: AtomicU64,
    /// Its estimated size in bytes while held (`holding::estimate`), 0 once dropped.
    pub(super) estimate: AtomicU64,
    /// The `seq` its estimate was taken at: the shedding pass estimates again
    /// an organization that changed since.
    estimated_seq: AtomicI64,
    /// Dropped to keep under the memory limit: the state and snapshot are empty
    /// and `books.stale` is set, so the next use loads it again whole.
    evicted: AtomicBool,
}

/// A rebuild that keeps finding a newer head than the state it copied gives up
/// after this many tries; the next change that finds the snapshot drifted starts
/// another.
const REBUILD_TRIES: usize = 3;

/// The organization as of `head`.
pub(super) struct Books {
    pub state: Shared,
    pub head: Head,
    /// Set when a write failed after the state was folded: the next command
    /// reloads from the database first.
    pub stale: bool,
}

/// The held state, shared with the readers' view: reading it is reading the
/// `State`; the first change while a view holds it copies it first
/// (`Arc::make_mut`), so the view keeps the committed state. With no view out,
/// a change copies nothing.
#[derive(Debug, Default)]
pub(super) struct Shared(Arc<State>);

impl From<State> for Shared {
    fn from(state: State) -> Shared {
        Shared(Arc::new(state))
    }
}

impl std::ops::Deref for Shared {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

impl std::ops::DerefMut for Shared {
    fn deref_mut(&mut self) -> &mut State {
        Arc::make_mut(&mut self.0)
    }
}

impl LiveOrg {
    pub(super) fn new(state: State, head: Head, snapshot: Snapshot) -> LiveOrg {
        LiveOrg::with(state, head, Arc::new(snapshot), false)
    }

    /// An organization known but not held, as if dropped under the memory
    /// limit: another node changed it, and its next use loads it whole.
    pub(super) fn unheld(head: Head, empty: &Arc<Snapshot>) -> LiveOrg {
        LiveOrg::with(State::default(), head, empty.clone(), true)
    }

    fn with(state: State, head: Head, snapshot: Arc<Snapshot>, dropped: bool) -> LiveOrg {
        LiveOrg {
            last_seq: AtomicI64::new(head.seq),
            feeds: OnceLock::new(),
            view: RwLock::new(None),
            books: Mutex::new(Books {
                state: state.into(),
                head,
                stale: dropped,
            }),
            snapshot: RwLock::new(snapshot),
            rebuilding: AtomicBool::new(false),
            last_used: AtomicU64::new(0),
            estimate: AtomicU64::new(0),
            estimated_seq: AtomicI64::new(-1),
            evicted: AtomicBool::new(dropped),
        }
    }

    /// Notes a use at `tick`; writes only when the tick moved, so checks of one
    /// organization from many cores do not fight over the line.
    pub(super) fn touch(&self, tick: u64) {
        if self.last_used.load(Ordering::Relaxed) != tick {
            self.last_used.store(tick, Ordering::Relaxed);
        }
    }

    /// Notes a use at `tick`, then says whether the organization is dropped (or
    /// being dropped). Paired with `drop_held`: the use is stored before the flag
    /// is read and the flag before the use is read (both `SeqCst`), so of a use
    /// and a drop racing, at least one sees the other.
    pub(super) fn touch_and_see_evicted(&self, tick: u64) -> bool {
        self.last_used.store(tick, Ordering::SeqCst);
        self.evicted.load(Ordering::SeqCst)
    }

    pub(super) fn estimate_seq(&self) -> i64 {
        self.estimated_seq.load(Ordering::Relaxed)
    }

    pub(super) fn estimated_at(&self, seq: i64) {
        self.estimated_seq.store(seq, Ordering::Relaxed);
    }

    pub(super) fn last_used(&self) -> u64 {
        self.last_used.load(Ordering::Relaxed)
    }

    pub fn is_evicted(&self) -> bool {
        self.evicted.load(Ordering::SeqCst)
    }

    /// Drops the state and snapshot, under the organization's lock (`books`),
    /// unless it was used at or after `used_since` meanwhile. Returns the
    /// estimate it freed (`None`: kept).
    pub(super) fn drop_held(
        &self,
        books: &mut Books,
        used_since: u64,
        empty: &Arc<Snapshot>,
    ) -> Option<u64> {
        self.evicted.store(true, Ordering::SeqCst);
        if self.last_used.load(Ordering::SeqCst) >= used_since {
            self.evicted.store(false, Ordering::SeqCst);
            return None;
        }
        books.state = State::default().into();
        books.stale = true;
        *self.view.write().unwrap_or_else(|p| p.into_inner()) = None;
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = empty.clone();
        Some(self.estimate.swap(0, Ordering::Relaxed))
    }

    /// Held again, whole (after `Service::reload`), with its new estimate;
    /// returns whether it had been dropped and the estimate it had before.
    pub(super) fn held_again(&self, estimate: u64) -> (bool, u64) {
        let before = self.estimate.swap(estimate, Ordering::Relaxed);
        (self.evicted.swap(false, Ordering::SeqCst), before)
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
        let feeds =
            (self.feeds).get_or_init(|| watch::channel(self.last_seq.load(Ordering::SeqCst)).0);
        // An `announce` between the load above and the channel's making sent to
        // no one: catch up (the seq only grows).
        let now = self.last_seq.load(Ordering::SeqCst);
        feeds.send_if_modified(|last| {
            let behind = *last < now;
            *last = (*last).max(now);
            behind
        });
        feeds.subscribe()
    }

    /// Tells the feeds the chain now ends at `seq` (after the commit, so a feed
    /// woken by it finds the events in the database). Wakes no one when nothing
    /// moved.
    pub(super) fn announce(&self, seq: i64) {
        let mut view = self.view.write().unwrap_or_else(|p| p.into_inner());
        if view.as_ref().is_some_and(|(at, _)| *at != seq) {
            // Older than what committed: no read may answer from it.
            *view = None;
        }
        drop(view);
        self.last_seq.store(seq, Ordering::SeqCst);
        if let Some(feeds) = self.feeds.get() {
            feeds.send_if_modified(|last| {
                let moved = *last != seq;
                *last = seq;
                moved
            });
        }
    }

    /// The state as of the last commit, if a read shared it since: what a read
    /// answers from while a write holds `books`.
    pub(super) fn view(&self) -> Option<Arc<State>> {
        let committed = self.last_seq.load(Ordering::SeqCst);
        let view = self.view.read().unwrap_or_else(|p| p.into_inner());
        view.as_ref()
            .filter(|(at, _)| *at == committed)
            .map(|(_, state)| state.clone())
    }

    /// Shares the state `books` holds (as of its head, committed) as the view,
    /// unless it already is: an `Arc` clone. The next change copies the state
    /// once (see `Shared`).
    pub(super) fn share(&self, books: &Books) {
        let fresh = |v: &Option<(i64, Arc<State>)>| {
            v.as_ref()
                .is_some_and(|(at, s)| *at == books.head.seq && Arc::ptr_eq(s, &books.state.0))
        };
        if fresh(&self.view.read().unwrap_or_else(|p| p.into_inner())) {
            return;
        }
        *self.view.write().unwrap_or_else(|p| p.into_inner()) =
            Some((books.head.seq, books.state.0.clone()));
    }

    pub(super) fn publish(&self, snapshot: Snapshot) {
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot);
    }

    /// Builds the snapshot again from the state as shared under the lock (an
    /// `Arc` clone: a write during the build copies the state once, see
    /// `Shared`); the build runs off the lock and off the async workers, so
    /// neither writes nor checks wait for it. The result is published only if no
    /// change was committed meanwhile. `true`: published.
    async fn rebuild(&self, policy: Arc<Policy>) -> bool {
        for _ in 0..REBUILD_TRIES {
            let (state, head) = {
                let books = self.books.lock().await;
                if books.stale {
                    return false;
                }
                (Arc::clone(&books.state.0), books.head.clone())
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
