//! The event feed: an organization's audit events oldest first after a `seq`,
//! each with what its hash covers, read a page at a time, waited for (long-poll)
//! or followed (a stream), woken by the service's per-organization `seq`
//! (docs/audit.md#the-event-feed).

use super::{page_limit, AppError, Caller, InOrg, Steward};
use crate::store::AuditEntry;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;
use steward_core::OrgId;
use tokio::sync::watch;

/// The longest a long-poll waits, in seconds: under the idle timeouts of the
/// usual proxies (60 s).
pub const MAX_WAIT_SECONDS: u64 = 30;

/// Events per read while a stream catches up.
const STREAM_PAGE: i64 = 500;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `seq` of the last event already seen: the page starts after it
    /// (0, the default: from the first event).
    pub after: Option<i64>,
    /// Events per page, 1 to 1000 (50 by default).
    pub limit: Option<usize>,
    /// Seconds to wait, at most 30, when there is nothing after `after` yet.
    pub wait: Option<u64>,
}

/// One event of the chain, with everything its hash covers: `hash` is the
/// lowercase hex SHA-256 of `org_id`, `seq`, `prev_hash` and `body`, each
/// followed by a line feed but the last (docs/audit.md#the-hash).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainedEvent {
    pub org_id: String,
    pub id: String,
    #[serde(flatten)]
    #[schema(inline)]
    pub entry: AuditEntry,
    /// The event's JSON exactly as it was hashed (a string: its bytes matter).
    pub body: String,
}

impl ChainedEvent {
    pub fn new(org: &OrgId, mut entry: AuditEntry) -> ChainedEvent {
        ChainedEvent {
            org_id: org.to_string(),
            id: entry.seq.to_string(),
            body: std::mem::take(&mut entry.body),
            entry,
        }
    }
}

/// A page of the feed: `after` is what to ask with next (the last event's
/// `seq`, or the `after` asked with when the page is empty).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedPage {
    pub items: Vec<ChainedEvent>,
    pub after: i64,
}

/// Parses `after`: a `seq`, 0 or more (none: 0).
pub fn parse_after(after: Option<i64>) -> Result<i64, AppError> {
    match after {
        None => Ok(0),
        Some(seq) if seq >= 0 => Ok(seq),
        Some(_) => Err(AppError::invalid("after", "after is a seq, 0 or more")),
    }
}

/// Where a stream starts: after the `Last-Event-ID` a reconnecting client
/// sends (the last `id` it received), else after `after`.
pub fn resume_after(last_event_id: Option<&str>, after: Option<i64>) -> Result<i64, AppError> {
    match last_event_id {
        None => parse_after(after),
        Some(id) => id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|&s| s >= 0)
            .ok_or_else(|| {
                AppError::invalid(
                    "last_event_id",
                    "Last-Event-ID is an event's seq, 0 or more",
                )
            }),
    }
}

impl Steward {
    /// The events after `q.after`, oldest first; with `wait` and nothing there
    /// yet, waits until an event is committed, the time is up or the node shuts
    /// down (then answers an empty page with the same `after`).
    pub async fn events(&self, org: &InOrg, q: FeedQuery) -> Result<FeedPage, AppError> {
        org.require_feed()?;
        let after = parse_after(q.after)?;
        let limit = page_limit(q.limit)?;
        let wait = match q.wait {
            None => 0,
            Some(s) if s <= MAX_WAIT_SECONDS => s,
            Some(_) => {
                return Err(AppError::invalid(
                    "wait",
                    format!("wait is at most {MAX_WAIT_SECONDS} seconds"),
                ))
            }
        };
        let mut seq = self.watch_seq(&org.org)?;
        if wait > 0 && *seq.borrow() <= after {
            let mut closing = self.service().closing();
            tokio::select! {
                _ = tokio::time::timeout(Duration::from_secs(wait), seq.wait_for(|&s| s > after)) => {}
                _ = closing.wait_for(|&c| c) => {}
            }
            // Asked again after the wait: a member removed meanwhile is not
            // shown what came after.
            self.in_org(org.who.clone(), org.org.as_str())?
                .require_feed()?;
        }
        let entries = self
            .service()
            .store()
            .audit_page(&org.org, after, i64::MAX, limit as i64)
            .await?;
        let after = entries.last().map_or(after, |e| e.seq);
        Ok(FeedPage {
            items: entries
                .into_iter()
                .map(|e| ChainedEvent::new(&org.org, e))
                .collect(),
            after,
        })
    }

    /// Every event after `after`, then each one as it is committed, until the
    /// node shuts down, the database fails or the caller may no longer follow
    /// the feed (asked again before every read: a member demoted, or a key's
    /// creator, stops receiving; so does everyone once the organization is
    /// deleted). Needs what `events` needs, checked first.
    pub fn follow_events(
        &self,
        org: &InOrg,
        after: i64,
    ) -> Result<BoxStream<'static, ChainedEvent>, AppError> {
        org.require_feed()?;
        let follow = Follow {
            steward: self.clone(),
            caller: org.who.clone(),
            org: org.org.clone(),
            seq: self.watch_seq(&org.org)?,
            closing: self.service().closing(),
            after,
            pending: VecDeque::new(),
        };
        Ok(futures_util::stream::unfold(follow, |mut f| async move {
            let next = f.next().await?;
            Some((next, f))
        })
        .fuse()
        .boxed())
    }

    fn watch_seq(&self, org: &OrgId) -> Result<watch::Receiver<i64>, AppError> {
        self.service()
            .watch_seq(org.as_str())
            .ok_or_else(AppError::no_organization)
    }
}

/// A stream's place in the feed.
struct Follow {
    steward: Steward,
    caller: Caller,
    org: OrgId,
    seq: watch::Receiver<i64>,
    closing: watch::Receiver<bool>,
    after: i64,
    pending: VecDeque<ChainedEvent>,
}

impl Follow {
    /// The next event, waiting for it; `None`: the stream ends.
    async fn next(&mut self) -> Option<ChainedEvent> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            // Marked seen before reading, so a commit during the read wakes us.
            let last = *self.seq.borrow_and_update();
            if last > self.after {
                if !self.may_follow() {
                    return None;
                }
                let page = self
                    .steward
                    .service()
                    .store()
                    .audit_page(&self.org, self.after, i64::MAX, STREAM_PAGE)
                    .await;
                match page {
                    Ok(entries) => {
                        if let Some(e) = entries.last() {
                            self.after = e.seq;
                        }
                        let org = &self.org;
                        self.pending
                            .extend(entries.into_iter().map(|e| ChainedEvent::new(org, e)));
                        if !self.pending.is_empty() {
                            continue;
                        }
                    }
                    Err(e) => {
                        tracing::error!(org = %self.org, error = %e, "the event feed cannot read the log");
                        return None;
                    }
                }
            }
            tokio::select! {
                changed = self.seq.changed() => {
                    // The organization is gone from memory: nothing more will come.
                    changed.ok()?;
                }
                _ = self.closing.changed() => {}
            }
        }
    }

    fn may_follow(&self) -> bool {
        self.steward
            .in_org(self.caller.clone(), self.org.as_str())
            .and_then(|org| org.require_feed())
            .is_ok()
    }
}
