//! Loading the copy from the feed's first event, and following the feed
//! (long-poll) in a tokio task: each event applied in `seq` order, a gap or a
//! broken chain answered by a reload, an empty or short page recorded as the
//! server saying the copy is current.

use super::Shared;
use crate::client::{Error, FeedEvent, Steward};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use steward_core::{Event, Policy, Snapshot, State};

/// Events per page: the feed's largest.
const PAGE: usize = 1000;
/// The first pause after a failed read; it doubles up to `RETRY_MAX`.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// The longest long-poll the feed allows, in seconds.
const MAX_WAIT: u64 = 30;

/// Why the copy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The feed (or the policy) could not be read: the key needs `events`.
    #[error("the event feed could not be read: {0}")]
    Feed(#[from] Error),
    /// An event this client cannot read: a newer Steward than its steward-core.
    #[error("event {seq} cannot be read: {message}")]
    Unreadable { seq: i64, message: String },
    /// The feed skipped events, or an event does not chain onto the last one.
    #[error("the feed gave seq {seq} where {expected} was next, or a broken chain")]
    Gap { expected: i64, seq: i64 },
    /// The server's policy is not a shipped preset: give it with
    /// `LocalCopyBuilder::policy`.
    #[error("the server's policy {name:?} is not a preset: give it with LocalCopyBuilder::policy")]
    UnknownPolicy { name: String },
    /// The policy given (or the preset of that name) is not the server's.
    #[error("the policy {name:?} here differs from the server's")]
    PolicyDiffers { name: String },
}

/// The organization as far as the feed has been read.
pub(crate) struct Copy {
    state: State,
    pub(crate) snapshot: Snapshot,
    chain: Chain,
}

/// Where the copy is in the hash chain: the next event must follow it.
struct Chain {
    seq: i64,
    /// `None` before the first event: the first one read starts the chain.
    hash: Option<String>,
}

impl Chain {
    /// The event, if it is the next one.
    fn next(&mut self, item: &FeedEvent) -> Result<Event, LoadError> {
        let chained = self.hash.as_ref().is_none_or(|h| *h == item.prev_hash);
        if item.seq != self.seq + 1 || !chained {
            return Err(LoadError::Gap {
                expected: self.seq + 1,
                seq: item.seq,
            });
        }
        let event = serde_json::from_str(&item.body).map_err(|e| LoadError::Unreadable {
            seq: item.seq,
            message: e.to_string(),
        })?;
        self.seq = item.seq;
        self.hash = Some(item.hash.clone());
        Ok(event)
    }
}

/// Every event from the first, folded into a state, then the snapshot built
/// once. The feed is the only start point the server offers that is exact
/// (its `seq` and hash are those the copy then follows from).
pub(crate) async fn load(steward: &Steward, policy: &Arc<Policy>) -> Result<Copy, LoadError> {
    let mut state = State::default();
    let mut chain = Chain { seq: 0, hash: None };
    loop {
        let page = steward.events(chain.seq, PAGE, None).await?;
        for item in &page.items {
            steward_core::apply(&mut state, &chain.next(item)?);
        }
        if page.items.len() < PAGE {
            break;
        }
    }
    let snapshot = Snapshot::build(policy.clone(), &state);
    Ok(Copy {
        state,
        snapshot,
        chain,
    })
}

impl Copy {
    /// Applies a page's events in order; how many.
    fn take(&mut self, items: &[FeedEvent]) -> Result<u64, LoadError> {
        for item in items {
            let event = self.chain.next(item)?;
            steward_core::apply(&mut self.state, &event);
            self.snapshot.apply(&event, &self.state);
        }
        Ok(items.len() as u64)
    }
}

/// The long-poll's wait: the server says "nothing newer" at least this often
/// (in whole seconds, as the feed takes it), half the bound so that a quiet
/// organization stays within it.
pub(crate) fn poll_wait(bound: Duration) -> u64 {
    (bound.as_secs() / 2).clamp(1, MAX_WAIT)
}

/// Follows the feed from `copy` until the task is aborted.
pub(crate) async fn follow(
    shared: Arc<Shared>,
    steward: Steward,
    policy: Arc<Policy>,
    copy: Copy,
    wait: u64,
) {
    let mut copy = Some(copy);
    let mut pause = RETRY_FIRST;
    loop {
        let Some(current) = copy.as_mut() else {
            match load(&steward, &policy).await {
                Ok(loaded) => {
                    shared.publish(Some(Arc::new(loaded.snapshot.clone())));
                    shared.heard_now();
                    shared.current.store(true, Ordering::Release);
                    shared.loads.fetch_add(1, Ordering::Relaxed);
                    copy = Some(loaded);
                    pause = RETRY_FIRST;
                }
                Err(_) => pause = retry(pause).await,
            }
            continue;
        };
        let page = match steward.events(current.chain.seq, PAGE, Some(wait)).await {
            Ok(page) => page,
            // Unreachable or refused: staleness grows and checks go to the
            // server (which answers, or not, for itself).
            Err(_) => {
                pause = retry(pause).await;
                continue;
            }
        };
        pause = RETRY_FIRST;
        match current.take(&page.items) {
            Ok(0) => {}
            Ok(applied) => {
                shared.publish(Some(Arc::new(current.snapshot.clone())));
                shared.events_applied.fetch_add(applied, Ordering::Relaxed);
            }
            Err(problem) => {
                // Nothing is answered here until the reload is published.
                shared.current.store(false, Ordering::Release);
                shared.publish(None);
                if matches!(problem, LoadError::Gap { .. }) {
                    shared.gaps.fetch_add(1, Ordering::Relaxed);
                }
                copy = None;
                continue;
            }
        }
        // A short page is the end of the log as the server read it just now.
        if page.items.len() < PAGE {
            shared.heard_now();
        }
    }
}

async fn retry(pause: Duration) -> Duration {
    tokio::time::sleep(pause).await;
    (pause * 2).min(RETRY_MAX)
}
