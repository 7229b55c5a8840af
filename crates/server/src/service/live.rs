//! One organization held in memory: the state commands are decided against, the
//! head of its chain, and the check snapshot that readers share.

use crate::store::{touched, Head, Row};
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};
use steward_core::{apply, Event, Snapshot, State};
use tokio::sync::Mutex;

pub struct LiveOrg {
    /// Writers (and readers of the full state) take this; checks never do.
    pub(super) books: Mutex<Books>,
    snapshot: RwLock<Arc<Snapshot>>,
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
        LiveOrg {
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
