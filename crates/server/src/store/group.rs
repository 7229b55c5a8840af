//! Group commit: changes to different organizations that arrive together are
//! written in one transaction and made durable by one commit (one fsync), each in
//! a savepoint of its own, so one change's failed write takes back only its own
//! statements (docs/architecture.md#group-commit).
//!
//! A lane is one open transaction and the lock that takes turns in it. A change
//! locks the lane, opens its transaction (the first) or a savepoint in it (the
//! others), writes, and lets go; then it locks the lane again: if its group was
//! committed meanwhile it has its answer, else it commits the group itself, with
//! every change that joined while it waited. Alone, a change commits at once; under
//! load, the changes that queued behind the lane while a commit ran join the next
//! group. The lock is FIFO (tokio's), so a change that wrote queues behind those
//! that arrived before it: they join its group before it commits it.

use super::{Dialect, StoreError};
use sqlx::{AnyConnection, Transaction};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use steward_core::OrgId;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The savepoint each change but a group's first writes in. One change writes at
/// a time in a lane, so one name serves. A change's savepoint is released by the
/// next change, in the call that opens its own (or not at all: a commit takes
/// it with the rest), which saves a statement per change.
const SAVEPOINT: &str = "SAVEPOINT steward_change";
const RELEASE_AND_SAVEPOINT: &str = "RELEASE SAVEPOINT steward_change; SAVEPOINT steward_change";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT steward_change";
const RELEASE: &str = "RELEASE SAVEPOINT steward_change";

/// The lanes of a store, shared by its clones. SQLite has one writer, so one lane;
/// PostgreSQL locks per organization, so several groups commit side by side (an
/// organization always takes the same lane).
pub(super) struct Committer {
    lanes: Vec<Arc<Mutex<Open>>>,
    queued: AtomicUsize,
    groups: AtomicU64,
    changes: AtomicU64,
}

/// How many groups committed and how many changes they held, since the store was
/// opened (changes / groups is the mean group size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCounts {
    pub groups: u64,
    pub changes: u64,
}

/// Every lane of a store, held (`Store::hold_group_commits`): dropped, the
/// changes that queued meanwhile go as one group per lane.
pub struct HeldLanes(#[allow(dead_code)] Vec<OwnedMutexGuard<Open>>);

/// A lane's open transaction, when a group is open, and the group it holds.
#[derive(Default)]
pub(super) struct Open {
    tx: Option<Transaction<'static, sqlx::Any>>,
    group: Arc<Group>,
    changes: u64,
    /// The last change's savepoint is still open (released by the next).
    unreleased: bool,
}

/// One group's outcome, set once by whoever commits it (or gives it up).
#[derive(Debug, Default)]
pub(super) struct Group {
    outcome: OnceLock<Result<(), Arc<sqlx::Error>>>,
}

/// A change's place in a lane while it writes: the lane's lock, and where its
/// statements can be taken back to.
pub(super) struct Seat {
    committer: Arc<Committer>,
    lane: OwnedMutexGuard<Open>,
    savepoint: Savepoint,
}

/// Where a change's statements go back to if it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// The group's first change: the transaction's start.
    None,
    /// Not opened yet: the change's first call sends `opening()` before its own
    /// statement (store/org_tx.rs), saving a call.
    Pending {
        release: bool,
    },
    Open,
    /// The call that opened it failed part way: whether it exists is unknown,
    /// so a rollback gives the group up.
    Unknown,
}

/// Where a change waits for its group's commit, after it wrote.
pub(super) struct Ticket {
    committer: Arc<Committer>,
    lane: Arc<Mutex<Open>>,
    group: Arc<Group>,
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committer")
            .field("lanes", &self.lanes.len())
            .field("counts", &self.counts())
            .finish()
    }
}

impl Committer {
    pub(super) fn new(dialect: Dialect) -> Committer {
        // PostgreSQL: a few groups in flight, well within the pool's 16
        // connections; more lanes means smaller groups, so more fsyncs.
        let lanes = match dialect {
            Dialect::Sqlite => 1,
            Dialect::Postgres => 4,
        };
        Committer {
            lanes: (0..lanes).map(|_| Arc::default()).collect(),
            queued: AtomicUsize::new(0),
            groups: AtomicU64::new(0),
            changes: AtomicU64::new(0),
        }
    }

    fn lane(&self, org: &OrgId) -> &Arc<Mutex<Open>> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        org.as_str().hash(&mut hasher);
        &self.lanes[(hasher.finish() % self.lanes.len() as u64) as usize]
    }

    /// Takes the organization's lane and the transaction to write in: the group's
    /// open one, in a fresh savepoint, or (`None` answered) none yet, for the
    /// caller to begin; it is then the group's first change.
    pub(super) async fn seat(
        self: &Arc<Self>,
        org: &OrgId,
    ) -> Result<(Seat, Option<Transaction<'static, sqlx::Any>>), StoreError> {
        self.queued.fetch_add(1, Ordering::Relaxed);
        let mut lane = self.lane(org).clone().lock_owned().await;
        self.queued.fetch_sub(1, Ordering::Relaxed);
        let Some(tx) = lane.tx.take() else {
            let seat = Seat {
                committer: self.clone(),
                lane,
                savepoint: Savepoint::None,
            };
            return Ok((seat, None));
        };
        // The savepoint opens in the change's first call (store/org_tx.rs).
        let release = std::mem::take(&mut lane.unreleased);
        let seat = Seat {
            committer: self.clone(),
            lane,
            savepoint: Savepoint::Pending { release },
        };
        Ok((seat, Some(tx)))
    }

    /// Changes waiting for a lane now (tests wait for a group to have gathered).
    pub(super) fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    pub(super) fn counts(&self) -> GroupCounts {
        GroupCounts {
            groups: self.groups.load(Ordering::Relaxed),
            changes: self.changes.load(Ordering::Relaxed),
        }
    }

    /// Holds every lane: changes queue until the answer is dropped, then go
    /// together (tests gather a group this way).
    pub(super) async fn hold(&self) -> HeldLanes {
        let mut held = Vec::with_capacity(self.lanes.len());
        for lane in &self.lanes {
            held.push(lane.clone().lock_owned().await);
        }
        HeldLanes(held)
    }
}

impl Ticket {
    /// Waits for its group to commit, committing it if no one has: the
    /// commit runs in a task of its own, so a caller that stops waiting (a
    /// request whose client went away) does not stop it for the others.
    pub(super) async fn committed(self) -> Result<(), StoreError> {
        let mut lane = self.lane.lock_owned().await;
        if let Some(outcome) = self.group.outcome.get() {
            return outcome.clone().map_err(StoreError::GroupCommit);
        }
        // Not committed, so still open (a group leaves its lane only with an
        // outcome set): this change commits it.
        if !Arc::ptr_eq(&lane.group, &self.group) {
            let lost = "a group left its lane without an outcome";
            return Err(StoreError::GroupCommit(Arc::new(sqlx::Error::Protocol(
                lost.into(),
            ))));
        }
        let tx = lane.tx.take();
        lane.unreleased = false;
        let group = std::mem::take(&mut lane.group);
        let changes = std::mem::take(&mut lane.changes);
        let committer = self.committer;
        let commit = tokio::spawn(async move {
            let outcome = match tx {
                Some(tx) => tx.commit().await.map_err(Arc::new),
                None => Err(Arc::new(sqlx::Error::Protocol(
                    "a group's transaction went missing before its commit".into(),
                ))),
            };
            if outcome.is_ok() {
                committer.groups.fetch_add(1, Ordering::Relaxed);
                committer.changes.fetch_add(changes, Ordering::Relaxed);
            }
            let _ = group.outcome.set(outcome.clone());
            drop(lane);
            outcome
        });
        let outcome = match commit.await {
            Ok(outcome) => outcome,
            Err(e) => Err(Arc::new(sqlx::Error::Protocol(format!(
                "a group's commit stopped: {e}"
            )))),
        };
        outcome.map_err(StoreError::GroupCommit)
    }
}

impl Seat {
    /// What the change's first call must send before its own statement (the
    /// savepoint's opening), or `None`; the caller then reports how it went with
    /// `opened`.
    pub(super) fn opening(&self) -> Option<&'static str> {
        match self.savepoint {
            Savepoint::Pending { release: true } => Some(RELEASE_AND_SAVEPOINT),
            Savepoint::Pending { release: false } => Some(SAVEPOINT),
            _ => None,
        }
    }

    /// The call that began with `opening()` went through (`true`: the savepoint
    /// is open) or failed (it may or may not be).
    pub(super) fn opened(&mut self, ok: bool) {
        if let Savepoint::Pending { .. } = self.savepoint {
            self.savepoint = if ok {
                Savepoint::Open
            } else {
                Savepoint::Unknown
            };
        }
    }

    /// The change wrote: its statements join the group (its savepoint, left
    /// open, is released by the next change or the commit), the lane goes to
    /// the next, and the ticket says which group to wait for.
    pub(super) async fn join(
        mut self,
        tx: Transaction<'static, sqlx::Any>,
    ) -> Result<Ticket, StoreError> {
        match self.savepoint {
            Savepoint::None => self.lane.unreleased = false,
            Savepoint::Open => self.lane.unreleased = true,
            // Nothing was sent: the previous change's savepoint is as it was.
            Savepoint::Pending { release } => self.lane.unreleased = release,
            Savepoint::Unknown => {
                let e = Arc::new(sqlx::Error::Protocol(
                    "a change joined its group after its savepoint failed".into(),
                ));
                abandon(&mut self.lane, tx, e.clone());
                return Err(StoreError::GroupCommit(e));
            }
        }
        self.lane.tx = Some(tx);
        self.lane.changes += 1;
        let ticket = Ticket {
            committer: self.committer.clone(),
            lane: OwnedMutexGuard::mutex(&self.lane).clone(),
            group: self.lane.group.clone(),
        };
        Ok(ticket)
    }

    /// Takes back the change's statements and leaves the group as it was: to its
    /// savepoint, or, for a group's first change, the whole transaction (nothing
    /// else is in it yet).
    pub(super) async fn leave(mut self, mut tx: Transaction<'static, sqlx::Any>) {
        match self.savepoint {
            Savepoint::None => {
                // Dropping it rolls it back, as sqlx does for any transaction.
                let _ = tx.rollback().await;
            }
            Savepoint::Pending { release } => {
                self.lane.unreleased = release;
                self.lane.tx = Some(tx);
            }
            Savepoint::Unknown => {
                let e = sqlx::Error::Protocol("a change's savepoint failed to open".into());
                abandon(&mut self.lane, tx, Arc::new(e));
            }
            Savepoint::Open => {
                let undone = async {
                    sqlx::query(ROLLBACK_TO).execute(&mut *tx).await?;
                    sqlx::query(RELEASE).execute(&mut *tx).await
                }
                .await;
                match undone {
                    Ok(_) => self.lane.tx = Some(tx),
                    Err(e) => abandon(&mut self.lane, tx, Arc::new(e)),
                }
            }
        }
    }

    /// `leave`, from a `Drop` (a change dropped before it ended, such as a
    /// request cancelled mid-write): done in a task, which holds the lane until
    /// the group is as it was. Without a runtime, the group is given up.
    pub(super) fn leave_later(self, tx: Transaction<'static, sqlx::Any>) {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(self.leave(tx));
            }
            Err(_) => {
                let mut lane = self.lane;
                let e = sqlx::Error::Protocol("a change was dropped outside a runtime".into());
                abandon(&mut lane, tx, Arc::new(e));
            }
        }
    }
}

/// Gives up the lane's group: its transaction is rolled back (dropped), and every
/// change that joined it is answered with `e` when it comes for its outcome, and
/// reloads its organization. A fresh group starts.
fn abandon(lane: &mut Open, tx: Transaction<'static, sqlx::Any>, e: Arc<sqlx::Error>) {
    drop(tx);
    lane.tx = None;
    let _ = lane.group.outcome.set(Err(e));
    lane.group = Arc::default();
    lane.changes = 0;
    lane.unreleased = false;
}

/// The connection of a change's transaction (held until the change ends, so
/// the error is for a change used after its commit or rollback).
pub(super) fn live<'a>(
    tx: &'a mut Option<Transaction<'static, sqlx::Any>>,
) -> Result<&'a mut AnyConnection, sqlx::Error> {
    match tx.as_mut() {
        Some(tx) => Ok(&mut *tx),
        None => Err(ended()),
    }
}

/// A change's transaction was asked for after the change ended.
pub(super) fn ended() -> sqlx::Error {
    sqlx::Error::Protocol("a change's transaction was used after it ended".into())
}
