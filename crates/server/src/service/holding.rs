//! Holding organizations within a memory limit (`serve --memory-limit`): each
//! held organization's size is estimated from its counts, each use is noted on
//! a coarse clock (the holding tick), and when the estimates add up past the
//! limit the least recently used are dropped, to be loaded again whole on their
//! next use (docs/scaling.md#a-memory-limit).

use super::live::{Books, LiveOrg};
use super::{Service, ServiceError};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use steward_core::{OrgId, Refusal, State};

/// Bytes one held organization costs before any member or object: its
/// snapshot's tables derived from the policy (1,256 B of heap), its `LiveOrg`,
/// its state's and snapshot's headers, its key in the map. Measured with
/// `bench/orgs/run.sh` (docs/benchmarks.md#many-organizations-and-the-memory-limit,
/// release, 100,000 organizations of 20 members and 20 objects): 22.4 KB
/// resident each (19.5 KB of heap: state 12.9 KB, snapshot 5.5 KB, the rest
/// about 1 KB), less the 20 KB their 40 members and objects cost at 512 B each.
/// It was 48 KiB, from a 69 KB measured before a snapshot's last chunk was sized
/// to its organization.
const PER_ORGANIZATION: u64 = 2 * 1024;
/// Bytes per member and per object, state and snapshot together: the 1.0 KiB
/// per member + object pair measured at 1,000,000 + 1,000,000
/// (docs/scaling.md#memory), split evenly.
const PER_MEMBER: u64 = 512;
const PER_OBJECT: u64 = 512;
/// Bytes per object that has grants (its grants' table in the state and its
/// entries in the snapshot), per grant holder.
const PER_GRANT: u64 = 160;

/// The estimated bytes an organization's state and check snapshot hold: cheap
/// (counts the state keeps, and one walk of the objects that have grants), so
/// it is taken on every load and again when the organization changed.
pub fn estimate(state: &State) -> u64 {
    let grants = state.all_grants().count() as u64;
    PER_ORGANIZATION
        + PER_MEMBER * state.member_count() as u64
        + PER_OBJECT * state.object_count() as u64
        + PER_GRANT * grants
}

/// A number of bytes as an operator writes it: `2GiB`, `512MiB`, `1.5GB`,
/// `800000000` (bytes). Binary (`KiB`, `MiB`, `GiB`) and decimal (`kB`, `MB`,
/// `GB`) units; `K`, `M`, `G` alone are binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimit(pub u64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MemoryLimitError {
    #[error("`{0}` is not a size: write it as 2GiB, 512MiB or a number of bytes")]
    NotASize(String),
    #[error("`{0}`: the unit is not one of B, KiB, MiB, GiB, TiB, kB, MB, GB, TB")]
    UnknownUnit(String),
    #[error("a memory limit of 0 would hold no organization")]
    Zero,
}

impl FromStr for MemoryLimit {
    type Err = MemoryLimitError;

    fn from_str(text: &str) -> Result<MemoryLimit, MemoryLimitError> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| MemoryLimitError::NotASize(text.into()))?;
        let unit = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1u64,
            "k" | "kib" => 1 << 10,
            "m" | "mib" => 1 << 20,
            "g" | "gib" => 1 << 30,
            "t" | "tib" => 1 << 40,
            "kb" => 1_000,
            "mb" => 1_000_000,
            "gb" => 1_000_000_000,
            "tb" => 1_000_000_000_000,
            _ => return Err(MemoryLimitError::UnknownUnit(text.into())),
        };
        let bytes = (number * unit as f64) as u64;
        if bytes == 0 {
            return Err(MemoryLimitError::Zero);
        }
        Ok(MemoryLimit(bytes))
    }
}

/// The node's holding: the limit, the clock uses are noted on, the running
/// total of the estimates, and what `/metrics` counts.
#[derive(Debug, Default)]
pub(super) struct Holding {
    limit: Option<u64>,
    /// Moves once per shedding pass (every second under `serve`) and per
    /// organization loaded at start-up; an organization used at the current
    /// tick or the one before is never dropped.
    tick: AtomicU64,
    held_bytes: AtomicU64,
    evictions: AtomicU64,
    reloads: AtomicU64,
    /// Rung when the total went past the limit: the shedding task runs at once.
    over: tokio::sync::Notify,
}

impl Holding {
    pub fn new(limit: Option<MemoryLimit>) -> Holding {
        Holding {
            limit: limit.map(|l| l.0),
            ..Holding::default()
        }
    }

    pub fn tick(&self) -> u64 {
        self.tick.load(Ordering::Relaxed)
    }

    pub fn limited(&self) -> bool {
        self.limit.is_some()
    }

    fn over_limit(&self) -> bool {
        self.limit
            .is_some_and(|limit| self.held_bytes.load(Ordering::Relaxed) > limit)
    }

    /// An organization's estimate changed from `before` to `now` bytes.
    fn resized(&self, before: u64, now: u64) {
        if now >= before {
            self.held_bytes.fetch_add(now - before, Ordering::Relaxed);
        } else {
            self.held_bytes.fetch_sub(before - now, Ordering::Relaxed);
        }
        if self.over_limit() {
            self.over.notify_one();
        }
    }
}

/// What `/metrics` shows of the holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingFigures {
    /// Organizations held whole in memory.
    pub held: usize,
    /// Organizations known to this node, held or dropped.
    pub known: usize,
    pub estimated_bytes: u64,
    pub limit: Option<u64>,
    /// Organizations dropped to keep under the limit, since start.
    pub evictions: u64,
    /// Dropped organizations loaded again on their next use, since start.
    pub reloads: u64,
}

impl Service {
    /// Whether organizations may be dropped (a memory limit is set).
    pub fn evicts(&self) -> bool {
        self.inner.holding.limited()
    }

    /// Before a request about `org` (its id's text): notes the use and, if the
    /// organization was dropped, loads it again whole, so the request's checks
    /// and reads find it as before. Unknown organizations are left to the
    /// request to refuse. Without a memory limit: one map lookup.
    pub async fn bring_back(&self, org: &str) -> Result<(), ServiceError> {
        let Some(live) = self.live(org) else {
            return Ok(());
        };
        if !live.touch_and_see_evicted(self.inner.holding.tick()) {
            return Ok(());
        }
        let org = OrgId::parse(org).map_err(|_| Refusal::NoOrganization)?;
        self.hold_whole(&org, &live).await
    }

    /// Makes sure `live` is held whole: if it was dropped, loads it again
    /// (under its lock, so a drop and a load never cross).
    pub(super) async fn hold_whole(&self, org: &OrgId, live: &LiveOrg) -> Result<(), ServiceError> {
        if !live.touch_and_see_evicted(self.inner.holding.tick()) {
            return Ok(());
        }
        let mut books = live.books.lock().await;
        if books.stale {
            self.reload(org, live, &mut books).await?;
        }
        Ok(())
    }

    /// After `reload` (a dropped organization coming back, or a stale state read
    /// again): its new estimate, and a reload counted if it had been dropped.
    pub(super) fn now_held(&self, live: &LiveOrg, books: &Books) {
        let holding = &self.inner.holding;
        let now = estimate(&books.state);
        let (was_dropped, before) = live.held_again(now);
        live.estimated_at(books.head.seq);
        if was_dropped {
            holding.reloads.fetch_add(1, Ordering::Relaxed);
        }
        holding.resized(before, now);
    }

    /// A newly held organization: noted as used now, and its estimate counted
    /// (a load, a creation).
    pub(super) fn counted(&self, live: &LiveOrg, state: &State, seq: i64) {
        live.touch(self.inner.holding.tick());
        let now = estimate(state);
        let before = live.estimate.swap(now, Ordering::Relaxed);
        live.estimated_at(seq);
        self.inner.holding.resized(before, now);
    }

    /// Drops the least recently used organizations until the estimates add up
    /// to 90% of the limit or less (so that the next few loads do not each
    /// shed again), then moves the tick. Never drops one used at this tick or
    /// the one before, nor one whose lock is taken (a write in flight, or a
    /// read of its state). Returns how many were dropped.
    pub fn shed(&self) -> usize {
        let holding = &self.inner.holding;
        let Some(limit) = holding.limit else {
            return 0;
        };
        let tick = holding.tick();
        // Estimates of organizations that changed since they were estimated.
        let held: Vec<Arc<LiveOrg>> = (self.orgs().values())
            .filter(|l| !l.is_evicted())
            .cloned()
            .collect();
        for live in &held {
            if let Ok(books) = live.books.try_lock() {
                if !books.stale && live.estimate_seq() != books.head.seq {
                    let now = estimate(&books.state);
                    let before = live.estimate.swap(now, Ordering::Relaxed);
                    live.estimated_at(books.head.seq);
                    holding.resized(before, now);
                }
            }
        }
        let mut dropped = 0;
        let target = limit / 10 * 9;
        if holding.held_bytes.load(Ordering::Relaxed) > limit {
            let used_since = tick.saturating_sub(1);
            let mut candidates: Vec<&Arc<LiveOrg>> = (held.iter())
                .filter(|l| l.last_used() < used_since)
                .collect();
            candidates.sort_by_key(|l| l.last_used());
            for live in candidates {
                if holding.held_bytes.load(Ordering::Relaxed) <= target {
                    break;
                }
                let Ok(mut books) = live.books.try_lock() else {
                    continue;
                };
                if let Some(freed) = live.drop_held(&mut books, used_since, &self.inner.empty) {
                    holding.held_bytes.fetch_sub(freed, Ordering::Relaxed);
                    holding.evictions.fetch_add(1, Ordering::Relaxed);
                    dropped += 1;
                }
            }
        }
        holding.tick.fetch_add(1, Ordering::Relaxed);
        dropped
    }

    /// Sheds every `every`, and at once when a load takes the total past the
    /// limit. `None` without a memory limit.
    pub fn spawn_shedding(&self, every: Duration) -> Option<tokio::task::JoinHandle<()>> {
        if !self.evicts() {
            return None;
        }
        let service = self.clone();
        Some(tokio::spawn(async move {
            loop {
                let over = service.inner.holding.over.notified();
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = over => {}
                }
                let dropped = service.shed();
                if dropped > 0 {
                    tracing::debug!(
                        dropped,
                        "organizations dropped to keep under the memory limit"
                    );
                }
            }
        }))
    }

    /// An organization this node does not know (another node created it),
    /// under a memory limit: known from now on, but not held, as if dropped
    /// (`None`: no such organization).
    pub(super) async fn know_unheld(
        &self,
        org: &OrgId,
    ) -> Result<Option<Arc<LiveOrg>>, ServiceError> {
        let Some(head) = self.inner.store.head(org).await? else {
            return Ok(None);
        };
        let unheld = LiveOrg::unheld(head, &self.inner.empty);
        let live = (self.inner.orgs.write().unwrap_or_else(|p| p.into_inner()))
            .entry(Arc::<str>::from(org.as_str()))
            .or_insert_with(|| Arc::new(unheld))
            .clone();
        Ok(Some(live))
    }

    /// Another node changed an organization this node does not hold (dropped,
    /// or never loaded): its API keys are read on their own, in one query, for
    /// the key index, instead of the whole organization; its feeds hear of the
    /// new head. Under its lock, like a reload, so the two never cross.
    pub(super) async fn follow_keys(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
    ) -> Result<(), ServiceError> {
        let Some(found) = self.inner.store.org_keys(org).await? else {
            self.inner.keys.replace(org, true, std::iter::empty());
            return Ok(());
        };
        self.inner.keys.replace(org, found.deleted, &found.keys);
        live.announce(found.head.seq);
        books.head = found.head;
        Ok(())
    }

    /// At start-up, after each organization is loaded: the tick moves (the
    /// first loaded are the least recently used) and, past the limit, the node
    /// sheds at once, so the start never holds more than the limit allows.
    pub(super) fn loaded_one(&self) {
        if self.inner.holding.over_limit() {
            self.shed();
        } else {
            self.inner.holding.tick.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The holding's figures, for `/metrics` and tests.
    pub fn holding(&self) -> HoldingFigures {
        let holding = &self.inner.holding;
        let orgs = self.orgs();
        HoldingFigures {
            held: orgs.values().filter(|l| !l.is_evicted()).count(),
            known: orgs.len(),
            estimated_bytes: holding.held_bytes.load(Ordering::Relaxed),
            limit: holding.limit,
            evictions: holding.evictions.load(Ordering::Relaxed),
            reloads: holding.reloads.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests;
