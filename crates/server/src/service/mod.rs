//! The service layer: every change, from every path (API, console, import, CLI),
//! is one call here and one transaction: lock the organization, catch up with what
//! other nodes committed, `decide`, store the events and the rows they touched,
//! commit, then publish the new check snapshot. A refusal stores nothing.

mod api_keys;
mod clock;
mod deployment;
mod error;
mod expiry;
mod holding;
mod listen;
mod live;
mod second_factor;
mod write;

pub use api_keys::ApiKeyGrant;
pub use clock::Clock;
pub use deployment::{Adoption, PolicyChoice, PolicySource, StartError, Unstored, DEFAULT_POLICY};
pub use error::ServiceError;
pub use holding::{estimate, HoldingFigures, MemoryLimit, MemoryLimitError};
pub use live::LiveOrg;

use crate::store::{Alongside, ChainReport, Head, Loaded, OrgTx, PolicyId, Row, Store, StoreError};
use api_keys::KeyIndex;
use holding::Holding;
use live::{fold, Books};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use steward_core::{
    decide, plan_import, Actor, Change, Command, Event, ImportPlan, ImportRow, OrgId, Policy,
    Refusal, Snapshot, State, Timestamp, UserId,
};

/// How far loading the organizations has come, read while it goes on.
#[derive(Debug, Default)]
pub struct Loading {
    pub loaded: AtomicUsize,
    pub total: AtomicUsize,
    /// A wait before each organization: only for tests that must see a node
    /// still loading (`serve`'s hidden `--load-pause-ms`).
    pub pause: std::time::Duration,
    /// `serve --memory-limit`: past it, the least recently used organizations
    /// are dropped, during the start-up too (docs/scaling.md#a-memory-limit).
    pub memory_limit: Option<MemoryLimit>,
}

/// Cheap to clone: every clone is the same service.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    policy: Arc<Policy>,
    /// Keyed by the id's text so a check looks an organization up without
    /// allocating.
    orgs: RwLock<HashMap<Arc<str>, Arc<LiveOrg>>>,
    /// This process, in change notices, so it can skip its own.
    node: String,
    clock: Clock,
    keys: KeyIndex,
    /// The database's policy, once seen to be another than `policy`.
    replaced: std::sync::OnceLock<PolicyId>,
    /// `true` once the node is shutting down: open event feeds end.
    closing: tokio::sync::watch::Sender<bool>,
    /// Rung when a change commits, here or (heard of) on another node: wakes
    /// the webhook courier.
    commits: tokio::sync::Notify,
    /// Drifted snapshots rebuilt in the background (live.rs).
    snapshot_rebuilds: std::sync::atomic::AtomicU64,
    /// The memory limit, and which organizations were used when (holding.rs).
    holding: Holding,
    /// The snapshot a dropped organization shows: one for all of them, of no
    /// organization, so checks of a dropped one never answer from it.
    empty: Arc<Snapshot>,
}

impl Service {
    /// Loads every organization from the store into memory.
    pub async fn open(store: Store, policy: Policy) -> Result<Service, ServiceError> {
        Service::open_counting(store, policy, &Loading::default()).await
    }

    /// `open`, counting in `loading` the organizations loaded (what `/readyz`
    /// says while `serve` starts).
    pub async fn open_counting(
        store: Store,
        policy: Policy,
        loading: &Loading,
    ) -> Result<Service, ServiceError> {
        let service = Service::holding_none(store, policy, loading.memory_limit);
        let total = service.inner.store.organization_ids().await?.len();
        loading.total.store(total, Ordering::Relaxed);
        if total == 0 {
            // A new database: no reader thread, no scans.
            return Ok(service);
        }
        // One scan per table for every organization, not a read each
        // (store/load_many.rs, docs/scaling.md#many-small-organizations).
        let mut every = service.inner.store.load_every_org();
        while let Some(next) = every.recv().await {
            if !loading.pause.is_zero() {
                tokio::time::sleep(loading.pause).await;
            }
            match next? {
                Loaded::Restored(org, state, head) => {
                    let (state, snapshot) = service.indexed(&org, *state);
                    service.hold(&org, LiveOrg::new(state, head, snapshot));
                }
                Loaded::Alone(org) => service.load(&org).await?,
            }
            service.loaded_one();
            loading.loaded.fetch_add(1, Ordering::Relaxed);
        }
        Ok(service)
    }

    /// Opens the service holding only `orgs` (a command about one organization,
    /// docs/operations.md#commands): any other is loaded when first asked for,
    /// as one another node created is.
    pub async fn open_holding(
        store: Store,
        policy: Policy,
        orgs: &[OrgId],
    ) -> Result<Service, ServiceError> {
        let service = Service::holding_none(store, policy, None);
        for org in orgs {
            service.refresh(org).await?;
        }
        Ok(service)
    }

    fn holding_none(store: Store, policy: Policy, limit: Option<MemoryLimit>) -> Service {
        let policy = Arc::new(policy);
        let empty = Arc::new(Snapshot::build(policy.clone(), &State::default()));
        Service {
            inner: Arc::new(Inner {
                store,
                policy,
                orgs: RwLock::new(HashMap::new()),
                node: crate::secrets::random_id("node"),
                clock: Clock::default(),
                keys: KeyIndex::default(),
                replaced: std::sync::OnceLock::new(),
                closing: tokio::sync::watch::channel(false).0,
                commits: tokio::sync::Notify::new(),
                snapshot_rebuilds: Default::default(),
                holding: Holding::new(limit),
                empty,
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn policy(&self) -> &Arc<Policy> {
        &self.inner.policy
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Rung after each change commits (one waiter: the webhook courier).
    pub fn commits(&self) -> &tokio::sync::Notify {
        &self.inner.commits
    }

    /// The API key whose secret hashes to `hash`, from memory.
    pub fn api_key(&self, hash: &[u8; 32]) -> Option<ApiKeyGrant> {
        self.inner.keys.get(hash)
    }

    /// How many organizations this node knows (held whole, or dropped under
    /// the memory limit: `holding()` tells them apart).
    pub fn organization_count(&self) -> usize {
        self.orgs().len()
    }

    fn orgs(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Arc<str>, Arc<LiveOrg>>> {
        self.inner.orgs.read().unwrap_or_else(|p| p.into_inner())
    }

    fn live(&self, org: &str) -> Option<Arc<LiveOrg>> {
        self.orgs().get(org).cloned()
    }

    /// The organization, loaded from the database if another node created it
    /// since this one started, or loaded again if it was dropped under the
    /// memory limit (checks never do this: they read memory only, after the
    /// request's `bring_back`).
    async fn live_or_load(&self, org: &OrgId) -> Result<Arc<LiveOrg>, ServiceError> {
        if let Some(live) = self.live(org.as_str()) {
            self.hold_whole(org, &live).await?;
            return Ok(live);
        }
        self.refresh(org).await?;
        let live = self.live(org.as_str()).ok_or(Refusal::NoOrganization)?;
        // Known but not held (a memory limit): loaded now.
        self.hold_whole(org, &live).await?;
        Ok(live)
    }

    /// The organization's check snapshot (`None`: no such organization, or deleted).
    /// Reads memory only; a dropped organization answers `None` until its
    /// request's `bring_back` loaded it again.
    pub fn snapshot(&self, org: &str) -> Option<Arc<Snapshot>> {
        let live = self.orgs().get(org).cloned()?;
        live.touch(self.inner.holding.tick());
        let snapshot = live.snapshot();
        snapshot.is_live().then_some(snapshot)
    }

    /// Runs `read` on the organization's current state, after turning what has
    /// expired into events (a pending nomination past its TTL is never shown as
    /// pending). A read never waits for a write in flight: it answers from the
    /// state as of the last commit (`LiveOrg::view`) when an earlier read shared
    /// it, and otherwise shares it for the reads during the next write.
    pub async fn read<R>(
        &self,
        org: &OrgId,
        read: impl FnOnce(&State) -> R,
    ) -> Result<R, ServiceError> {
        self.expire_due(org).await?;
        let live = self.live_or_load(org).await?;
        self.look(org, &live, read).await
    }

    /// Runs `read` on the held state: under the lock when it is free (sharing
    /// the state as the view for the reads during the next write), else on the
    /// view, the state as of the last commit; only with neither does it wait.
    async fn look<R>(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        read: impl FnOnce(&State) -> R,
    ) -> Result<R, ServiceError> {
        let mut books = match live.books.try_lock() {
            Ok(books) => books,
            Err(_) => match live.view() {
                Some(committed) => return Ok(read(&committed)),
                None => live.books.lock().await,
            },
        };
        if books.stale {
            // Dropped again since `live_or_load`, or a failed write left it stale.
            self.reload(org, live, &mut books).await?;
        }
        live.share(&books);
        Ok(read(&books.state))
    }

    /// Creates an organization: `command` is `Command::CreateOrganization`.
    pub async fn create_organization(
        &self,
        actor: &Actor,
        command: Command,
    ) -> Result<Vec<Event>, ServiceError> {
        let Command::CreateOrganization { org_id, .. } = &command else {
            return Err(ServiceError::Refused(Refusal::NotPermitted));
        };
        let org_id = org_id.clone();
        let now = self.inner.clock.now();
        // A span of its own for traces (docs/operations.md#tracing).
        let events = tracing::info_span!("decide")
            .in_scope(|| decide(&self.inner.policy, &State::default(), actor, command, now))?;
        let mut state = State::default();
        let mut snapshot = Snapshot::build(self.inner.policy.clone(), &state);
        let mut rows = BTreeSet::new();
        fold(&mut state, &mut snapshot, &events, &mut rows);
        let rows: Vec<_> = rows.into_iter().collect();
        let mut tx =
            (self.inner.store.begin_new_org(&org_id).await).inspect_err(|e| self.noticed(e))?;
        let head = tx.write(&events, &rows, &state).await?;
        tx.commit(&self.inner.node).await?;
        self.inner.keys.sync(&org_id, &state);
        self.hold(&org_id, LiveOrg::new(state, head, snapshot));
        Ok(events)
    }

    /// Keeps a loaded organization in memory, unless another task loaded it
    /// meanwhile: there is one `LiveOrg` per organization, or a change published
    /// to the other would never reach checks.
    fn hold(&self, org: &OrgId, live: LiveOrg) {
        let mut inserted = None;
        self.inner
            .orgs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(Arc::<str>::from(org.as_str()))
            .or_insert_with(|| inserted.insert(Arc::new(live)).clone());
        if let Some(live) = inserted {
            // A new `LiveOrg`: nobody else holds its lock yet.
            if let Ok(books) = live.books.try_lock() {
                self.counted(&live, &books.state, books.head.seq);
            }
        }
    }

    /// Reads the organization again from the database, whole.
    async fn reload(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
    ) -> Result<(), ServiceError> {
        let (state, head, snapshot) = self.read_whole(org).await?;
        live.publish(snapshot);
        live.announce(head.seq);
        *books = Books {
            state: state.into(),
            head,
            stale: false,
        };
        self.now_held(live, books);
        Ok(())
    }

    /// The organization as the database has it, with its check snapshot built.
    async fn read_whole(&self, org: &OrgId) -> Result<(State, Head, Snapshot), ServiceError> {
        let start = std::time::Instant::now();
        let (state, head) = self.inner.store.load_org(org).await?;
        let read = start.elapsed();
        let (state, snapshot) = self.indexed(org, state);
        tracing::debug!(%org, ?read, indexed = ?start.elapsed() - read, "organization read whole");
        Ok((state, head, snapshot))
    }

    /// A state read from the database: its keys into the key index, and its
    /// check snapshot built.
    fn indexed(&self, org: &OrgId, state: State) -> (State, Snapshot) {
        self.inner.keys.sync(org, &state);
        let snapshot = crate::telemetry::SNAPSHOT_BUILDS
            .time(|| Snapshot::build(self.inner.policy.clone(), &state));
        (state, snapshot)
    }

    /// Loads one organization from the store into memory (start-up, or one another
    /// node created).
    async fn load(&self, org: &OrgId) -> Result<(), ServiceError> {
        let (state, head, snapshot) = self.read_whole(org).await?;
        self.hold(org, LiveOrg::new(state, head, snapshot));
        Ok(())
    }

    /// Brings one organization up to what the database has committed: the events
    /// after the ones held are folded in (a change notice from another node).
    /// Under a memory limit, an organization this node does not hold stays
    /// unheld: only its API keys are read, so that the key index follows a key
    /// revoked elsewhere (docs/scaling.md#routing-organizations-to-nodes); its
    /// next request loads it.
    pub async fn refresh(&self, org: &OrgId) -> Result<(), ServiceError> {
        let live = match self.live(org.as_str()) {
            Some(live) => live,
            None if self.evicts() => match self.know_unheld(org).await? {
                Some(live) => live,
                None => return Ok(()),
            },
            None => {
                return match self.load(org).await {
                    Err(ServiceError::Store(StoreError::NoSuchOrganization(_))) => Ok(()),
                    other => other,
                }
            }
        };
        let mut books = live.books.lock().await;
        if books.stale && live.is_evicted() {
            return self.follow_keys(org, &live, &mut books).await;
        }
        if books.stale {
            // Left stale by a failed write: read whole.
            return self.reload(org, &live, &mut books).await;
        }
        let (events, head) = self.inner.store.events_after(org, books.head.seq).await?;
        self.catch_up(org, &live, &mut books, &events, head);
        if let Some(newest) = events.last() {
            crate::telemetry::FOLLOWING.folded(events.len(), newest.at.0);
        }
        Ok(())
    }

    /// Refreshes every organization whose head moved (after a lost connection, when
    /// notices may have been missed).
    pub async fn refresh_all(&self) -> Result<(), ServiceError> {
        for (org, head) in self.inner.store.heads().await? {
            let held = match self.live(org.as_str()) {
                Some(live) => Some(live.books.lock().await.head.clone()),
                None => None,
            };
            if held.as_ref() != Some(&head) {
                self.refresh(&org).await?;
            }
        }
        Ok(())
    }

    /// Walks the organization's audit chain, from the database: the
    /// organization need not be held (`steward audit verify` loads none).
    pub async fn verify(&self, org: &OrgId) -> Result<ChainReport, ServiceError> {
        Ok(self.inner.store.verify(org).await?)
    }

    /// The ids of the organizations held whole in memory (not those dropped
    /// under the memory limit: the expiry sweep leaves them dropped, and their
    /// next read expires what is due).
    pub fn organization_ids(&self) -> Vec<OrgId> {
        self.orgs()
            .iter()
            .filter(|(_, live)| !live.is_evicted())
            .map(|(k, _)| k)
            .filter_map(|k| OrgId::parse(k).ok())
            .collect()
    }

    /// Follows the `seq` of the organization's last committed event, from this
    /// node or another (`None`: no such organization held). Memory only.
    pub fn watch_seq(&self, org: &str) -> Option<tokio::sync::watch::Receiver<i64>> {
        Some(self.live(org)?.watch_seq())
    }

    /// The node is shutting down: open event feeds end (a graceful shutdown
    /// waits for every answer in flight, and a feed would never finish).
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Turns `true` when the node shuts down.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    pub(crate) fn node(&self) -> &str {
        &self.inner.node
    }
}

#[cfg(test)]
mod tests;
