//! One organization held in memory: the state commands are decided against, the
//! head of its chain, the check snapshot that readers share, and the number of
//! its last committed event, which event feeds wait on.

use crate::store::{touched, Head, Row};
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};
use steward_core::{apply, Event, Snapshot, State};
use tokio::sync::{watch, Mutex};

pub struct LiveOrg {
    /// Writers (and readers of the full state) take this; checks never do.
    pub(super) books: Mutex<Books>,
    snapshot: RwLock<Arc<Snapshot>>,
    /// The `seq` of the last event committed (by this node or, once folded in,
    /// by another): feeds wait on it instead of polling the database
    /// (docs/audit.md#the-event-feed). Checks never touch it.
    last_seq: watch::Sender<i64>,
}

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
