//! `LocalCopy` (feature `local`): a live copy of one organization in the
//! customer's process, checked by steward-core's engine with no network hop,
//! kept current from the event feed, and answering by HTTP instead whenever it
//! cannot say it is current (docs/integrate.md, "A local copy").

mod follow;
mod policy;

use crate::client::{Decision, Error, Question, Steward};
use crate::layer::Checker;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use steward_core::{Policy, Snapshot};

pub use follow::LoadError;

/// How stale the copy may be before checks go to the server: the default bound.
pub const DEFAULT_STALENESS_BOUND: Duration = Duration::from_secs(2);

/// Who answered a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// The copy, in this process.
    Locally,
    /// Steward's `/check`: the copy was loading, past its staleness bound, or
    /// reloading after a gap in the feed.
    ByServer,
}

/// A decision and who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub decision: Decision,
    pub answered: Answered,
}

/// What the copy has done since it was loaded: the fallback made observable.
/// Answers from the copy are not counted: a counter every check on every core
/// writes would cost more than the check (the [`Answer`] says who answered).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub answered_by_server: u64,
    /// Loads from the first event: the first one, and one after each gap.
    pub loads: u64,
    /// Events whose `seq` or `prev_hash` did not follow the last one applied.
    pub gaps: u64,
    /// Events applied after a load.
    pub events_applied: u64,
}

/// A live copy of one organization. Cheap to clone; the task that follows the
/// feed stops when the last clone is dropped.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use steward_client::{from_path, Answered, LocalCopy, Question, RequirePermission, Steward};
///
/// let steward = Steward::new("https://steward.example.com", "org_...", "stw_key_...");
/// let copy = LocalCopy::builder(steward)
///     .staleness_bound(Duration::from_secs(2))
///     .load()
///     .await?;
/// let here: Option<bool> = copy.check_here("usr_...", "project:edit", "prj_...");
/// let answer = copy.check(&Question::new("usr_...", "project:edit", "prj_...")).await?;
/// if answer.answered == Answered::ByServer { /* the copy was not current */ }
/// let app: axum::Router = axum::Router::new()
///     .route("/projects/{id}/edit", axum::routing::post(|| async { "edited" }))
///     .route_layer(RequirePermission::new("project:edit", from_path("id")).with_client(copy));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct LocalCopy {
    shared: Arc<Shared>,
    steward: Steward,
    _follower: Arc<Follower>,
}

/// What the follower task writes and the checks read.
pub(crate) struct Shared {
    /// `None` while (re)loading: every check goes to the server.
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// False from a gap until the reload is published.
    current: AtomicBool,
    /// Nanoseconds after `epoch` when the server last said there was nothing
    /// newer than what the copy holds; `NEVER` before the first load.
    heard: AtomicU64,
    /// `heard` within `bound`, kept by the follower when it hears and by
    /// [`watch_staleness`] as time passes, so that a check reads one flag
    /// instead of the clock (the clock was most of the copy's cost per check).
    fresh: AtomicBool,
    epoch: Instant,
    bound: Duration,
    answered_by_server: AtomicU64,
    loads: AtomicU64,
    gaps: AtomicU64,
    events_applied: AtomicU64,
}

const NEVER: u64 = u64::MAX;

impl Shared {
    fn staleness(&self) -> Duration {
        match self.heard.load(Ordering::Acquire) {
            NEVER => Duration::MAX,
            heard => {
                let now = self.epoch.elapsed().as_nanos() as u64;
                Duration::from_nanos(now.saturating_sub(heard))
            }
        }
    }

    /// The server has just said the copy holds everything.
    fn heard_now(&self) {
        let now = self.epoch.elapsed().as_nanos() as u64;
        self.heard.store(now, Ordering::SeqCst);
        self.fresh.store(true, Ordering::SeqCst);
    }

    fn publish(&self, snapshot: Option<Arc<Snapshot>>) {
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = snapshot;
    }

    /// Runs `f` on the snapshot if the copy may answer now.
    #[inline]
    fn answer<R>(&self, f: impl FnOnce(&Snapshot) -> R) -> Option<R> {
        if !self.current.load(Ordering::Acquire) || !self.fresh.load(Ordering::Acquire) {
            return None;
        }
        let guard = self.snapshot.read().ok()?;
        Some(f(guard.as_ref()?))
    }
}

/// How often [`watch_staleness`] looks at the clock: a twentieth of the bound,
/// between 5 ms and 100 ms, so a copy answers at most that much past its bound.
fn staleness_tick(bound: Duration) -> Duration {
    (bound / 20).clamp(Duration::from_millis(5), Duration::from_millis(100))
}

/// Clears `fresh` once the copy has not heard from the server within its bound;
/// ends when the last `LocalCopy` is gone. If the follower hears while the flag
/// is being cleared, the flag is set again: the copy never answers past its bound
/// by more than a tick, and never falls back while it is current.
async fn watch_staleness(shared: std::sync::Weak<Shared>, tick: Duration) {
    loop {
        tokio::time::sleep(tick).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let heard = shared.heard.load(Ordering::SeqCst);
        if shared.staleness() > shared.bound {
            shared.fresh.store(false, Ordering::SeqCst);
            if shared.heard.load(Ordering::SeqCst) != heard {
                shared.fresh.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// Aborts the follower task when the last `LocalCopy` goes.
struct Follower(tokio::task::JoinHandle<()>);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How to load a [`LocalCopy`]: [`LocalCopy::builder`].
pub struct LocalCopyBuilder {
    steward: Steward,
    bound: Duration,
    policy: Option<Policy>,
}

impl LocalCopyBuilder {
    /// Past this staleness checks go to the server (2 s by default). The copy
    /// hears "nothing newer" at least every `max(1 s, bound / 2)`, so a bound
    /// under 2 s falls back to the server often.
    pub fn staleness_bound(mut self, bound: Duration) -> Self {
        self.bound = bound;
        self
    }

    /// The policy the deployment runs, when it is not a shipped preset (the
    /// copy checks it against the one the server publishes).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Reads the organization's feed from its first event, builds the copy,
    /// and starts following the feed in a tokio task. Needs an API key with
    /// `events` (to follow) and `check` (to fall back).
    pub async fn load(self) -> Result<LocalCopy, LoadError> {
        let policy = Arc::new(policy::resolve(&self.steward, self.policy).await?);
        let copy = follow::load(&self.steward, &policy).await?;
        let shared = Arc::new(Shared {
            snapshot: RwLock::new(Some(Arc::new(copy.snapshot.clone()))),
            current: AtomicBool::new(true),
            heard: AtomicU64::new(NEVER),
            fresh: AtomicBool::new(false),
            epoch: Instant::now(),
            bound: self.bound,
            answered_by_server: AtomicU64::new(0),
            loads: AtomicU64::new(1),
            gaps: AtomicU64::new(0),
            events_applied: AtomicU64::new(0),
        });
        shared.heard_now();
        tokio::spawn(watch_staleness(
            Arc::downgrade(&shared),
            staleness_tick(self.bound),
        ));
        let wait = follow::poll_wait(self.bound);
        let task = tokio::spawn(follow::follow(
            shared.clone(),
            self.steward.clone(),
            policy,
            copy,
            wait,
        ));
        Ok(LocalCopy {
            shared,
            steward: self.steward,
            _follower: Arc::new(Follower(task)),
        })
    }
}

impl LocalCopy {
    /// A copy of `steward`'s organization, with the default bound and the
    /// policy the server names.
    pub async fn load(steward: Steward) -> Result<LocalCopy, LoadError> {
        LocalCopy::builder(steward).load().await
    }

    pub fn builder(steward: Steward) -> LocalCopyBuilder {
        LocalCopyBuilder {
            steward,
            bound: DEFAULT_STALENESS_BOUND,
            policy: None,
        }
    }

    /// From the copy alone: `Some(allowed)` when the copy is current, `None`
    /// when the question must go to the server ([`check`](Self::check) does
    /// that). Allocates nothing and does no IO. Without the reason, the
    /// organization role answers first (`Snapshot::allows_by_name`); the answer is
    /// the one [`check_here_with_reason`](Self::check_here_with_reason) gives.
    #[inline]
    pub fn check_here(&self, user: &str, action: &str, object: &str) -> Option<bool> {
        self.shared
            .answer(|s| s.allows_by_name(user, action, object))
    }

    /// As [`check_here`](Self::check_here), writing the reason as the API
    /// words it (`role:editor@prj_...`, `no_permission`) into `reason`,
    /// cleared first: no allocation once `reason` has room for it.
    pub fn check_here_with_reason(
        &self,
        user: &str,
        action: &str,
        object: &str,
        reason: &mut String,
    ) -> Option<bool> {
        self.shared.answer(|s| {
            let decision = s.check_by_name(user, action, object);
            reason.clear();
            // Writing into a String cannot fail.
            let _ = write!(reason, "{}", s.reason_text(&decision));
            decision.allowed
        })
    }

    /// The check: from the copy when it is current, else by the server.
    pub async fn check(&self, question: &Question) -> Result<Answer, Error> {
        let mut reason = String::new();
        let here = self.check_here_with_reason(
            &question.user_id,
            &question.action,
            &question.object_id,
            &mut reason,
        );
        if let Some(allowed) = here {
            return Ok(Answer {
                decision: Decision { allowed, reason },
                answered: Answered::Locally,
            });
        }
        self.shared
            .answered_by_server
            .fetch_add(1, Ordering::Relaxed);
        Ok(Answer {
            decision: self.steward.check(question).await?,
            answered: Answered::ByServer,
        })
    }

    /// Time since the server last said the copy held everything (a long-poll
    /// that came back with the last events, or with none). `Duration::MAX`
    /// while it has never said so.
    pub fn staleness(&self) -> Duration {
        self.shared.staleness()
    }

    /// Whether checks are answered here now (loaded, no gap, within the bound).
    pub fn is_current(&self) -> bool {
        self.shared.current.load(Ordering::Acquire) && self.staleness() <= self.shared.bound
    }

    pub fn counts(&self) -> Counts {
        let s = &self.shared;
        Counts {
            answered_by_server: s.answered_by_server.load(Ordering::Relaxed),
            loads: s.loads.load(Ordering::Relaxed),
            gaps: s.gaps.load(Ordering::Relaxed),
            events_applied: s.events_applied.load(Ordering::Relaxed),
        }
    }
}

impl Checker for LocalCopy {
    async fn check(&self, question: &Question) -> Result<Decision, Error> {
        Ok(LocalCopy::check(self, question).await?.decision)
    }
}
