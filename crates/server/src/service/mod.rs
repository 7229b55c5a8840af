//! The service layer: every change, from every path (API, console, import, CLI),
//! is one call here and one transaction: lock the organization, catch up with what
//! other nodes committed, `decide`, store the events and the rows they touched,
//! commit, then publish the new check snapshot. A refusal stores nothing.

mod api_keys;
mod clock;
mod deployment;
mod error;
mod expiry;
mod listen;
mod live;
mod second_factor;

pub use api_keys::ApiKeyGrant;
pub use clock::Clock;
pub use deployment::{Adoption, PolicyChoice, PolicySource, StartError, Unstored, DEFAULT_POLICY};
pub use error::ServiceError;
pub use live::LiveOrg;

use crate::store::{Alongside, ChainReport, Head, OrgTx, PolicyId, Row, Store, StoreError};
use api_keys::KeyIndex;
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
        let service = Service {
            inner: Arc::new(Inner {
                store,
                policy: Arc::new(policy),
                orgs: RwLock::new(HashMap::new()),
                node: crate::secrets::random_id("node"),
                clock: Clock::default(),
                keys: KeyIndex::default(),
                replaced: std::sync::OnceLock::new(),
                closing: tokio::sync::watch::channel(false).0,
                commits: tokio::sync::Notify::new(),
            }),
        };
        let ids = service.inner.store.organization_ids().await?;
        loading.total.store(ids.len(), Ordering::Relaxed);
        for org in ids {
            if !loading.pause.is_zero() {
                tokio::time::sleep(loading.pause).await;
            }
            service.load(&org).await?;
            loading.loaded.fetch_add(1, Ordering::Relaxed);
        }
        Ok(service)
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

    /// How many organizations are held in memory.
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
    /// since this one started (checks never do this: they read memory only).
    async fn live_or_load(&self, org: &OrgId) -> Result<Arc<LiveOrg>, ServiceError> {
        if let Some(live) = self.live(org.as_str()) {
            return Ok(live);
        }
        self.refresh(org).await?;
        Ok(self.live(org.as_str()).ok_or(Refusal::NoOrganization)?)
    }

    /// The organization's check snapshot (`None`: no such organization, or deleted).
    /// Reads memory only.
    pub fn snapshot(&self, org: &str) -> Option<Arc<Snapshot>> {
        let live = self.orgs().get(org).cloned()?;
        let snapshot = live.snapshot();
        snapshot.is_live().then_some(snapshot)
    }

    /// Runs `read` on the organization's current state, after turning what has
    /// expired into events (a pending nomination past its TTL is never shown as
    /// pending).
    pub async fn read<R>(
        &self,
        org: &OrgId,
        read: impl FnOnce(&State) -> R,
    ) -> Result<R, ServiceError> {
        self.expire_due(org).await?;
        let live = self.live_or_load(org).await?;
        let books = live.books.lock().await;
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
        let events = decide(&self.inner.policy, &State::default(), actor, command, now)?;
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
        self.inner
            .orgs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(org.as_arc().clone())
            .or_insert_with(|| Arc::new(live));
    }

    /// Decides and stores one command on an existing organization. The events it
    /// caused are returned (none: nothing to do); a refusal leaves no trace.
    pub async fn execute(
        &self,
        org: &OrgId,
        actor: &Actor,
        command: Command,
    ) -> Result<Vec<Event>, ServiceError> {
        self.execute_together(org, actor, vec![command]).await
    }

    /// Several commands on one organization as one change: all stored, or none.
    /// Each is decided against the state before any of them, so they must not
    /// depend on each other (a member's new name and new role, say); the first
    /// refusal refuses them all.
    pub async fn execute_together(
        &self,
        org: &OrgId,
        actor: &Actor,
        commands: Vec<Command>,
    ) -> Result<Vec<Event>, ServiceError> {
        let policy = &self.inner.policy;
        let enrolment = self.enrolment(org, second_factor::members([actor])).await?;
        let (events, ()) = self
            .change(org, |state, now| {
                let mut events = Vec::new();
                for command in commands {
                    enrolment.check(policy, state, actor, &command)?;
                    events.extend(decide(policy, state, actor, command, now)?);
                }
                Ok((events, ()))
            })
            .await?;
        Ok(events)
    }

    /// Several commands on one organization as one change, each by its own
    /// actor and decided against the state the ones before it left (a
    /// directory's invitation, then the person joining it): all stored, in one
    /// transaction, or none; the first refusal refuses them all.
    ///
    /// Each step is decided on the held state and folded into it at once, with
    /// no copy of the state (a copy cost milliseconds per SCIM create in a large
    /// organization, docs/benchmarks.md). A refusal after a step was folded, or a
    /// failed write, reloads the organization from the database, which never saw
    /// the turn: nothing is half-applied.
    pub async fn execute_in_turn(
        &self,
        org: &OrgId,
        steps: Vec<(Actor, Command)>,
    ) -> Result<Vec<Event>, ServiceError> {
        self.execute_in_turn_with(org, steps, &[]).await
    }

    /// `execute_in_turn`, storing `alongside` (a provisioning use case's own
    /// rows: a new account, the directory's record of the person) in the same
    /// transaction, written before the steps are decided: one commit, and a
    /// refusal or a failed write leaves none of it. With no events to store,
    /// the rows alone are committed.
    pub async fn execute_in_turn_with(
        &self,
        org: &OrgId,
        steps: Vec<(Actor, Command)>,
        alongside: &[Alongside],
    ) -> Result<Vec<Event>, ServiceError> {
        let policy = &self.inner.policy;
        let enrolment = self
            .enrolment(org, second_factor::members(steps.iter().map(|(a, _)| a)))
            .await?;
        let live = self.live_or_load(org).await?;
        let mut books = live.books.lock().await;
        let mut tx = self.begin_change(org, &live, &mut books).await?;
        for row in alongside {
            // Nothing is folded yet: a failure here drops the transaction, and
            // the held state never saw the turn.
            tx.write_alongside(row).await?;
        }
        let now = self.inner.clock.now();
        let mut snapshot: Option<Snapshot> = None;
        let mut rows = BTreeSet::new();
        let mut events = Vec::new();
        for (actor, command) in steps {
            let decided = enrolment
                .check(policy, &books.state, &actor, &command)
                .and_then(|()| decide(policy, &books.state, &actor, command, now));
            match decided {
                Ok(decided) if decided.is_empty() => {}
                Ok(decided) => {
                    let snapshot = snapshot.get_or_insert_with(|| (*live.snapshot()).clone());
                    fold(&mut books.state, snapshot, &decided, &mut rows);
                    events.extend(decided);
                }
                Err(refusal) => {
                    tx.rollback().await?;
                    if !events.is_empty() {
                        // The held state took the earlier steps: read it again.
                        books.stale = true;
                        self.reload(org, &live, &mut books).await?;
                    }
                    return Err(refusal.into());
                }
            }
        }
        let Some(snapshot) = snapshot else {
            if alongside.is_empty() {
                tx.rollback().await?;
            } else {
                tx.commit(&self.inner.node).await?;
            }
            return Ok(events);
        };
        self.store_change(org, &live, &mut books, tx, &events, rows, snapshot, now)
            .await?;
        Ok(events)
    }

    /// Runs the CSV import's rows (`dry_run`: decides them and stores nothing).
    /// The plan says what each row does or why it is refused; its events are
    /// stored, in one transaction, only when no row is refused.
    pub async fn import(
        &self,
        org: &OrgId,
        actor: &Actor,
        rows: Vec<ImportRow>,
        dry_run: bool,
    ) -> Result<ImportPlan, ServiceError> {
        if dry_run {
            let now = self.inner.clock.now();
            let policy = self.inner.policy.clone();
            return self
                .read(org, |state| plan_import(&policy, state, actor, rows, now))
                .await?
                .map_err(ServiceError::from);
        }
        let enrolment = self.enrolment(org, second_factor::members([actor])).await?;
        let (events, mut plan) = self
            .change(org, |state, now| {
                let import = Command::Import { rows: Vec::new() };
                enrolment.check(&self.inner.policy, state, actor, &import)?;
                let mut plan = plan_import(&self.inner.policy, state, actor, rows, now)?;
                let events = if plan.refused.is_empty() {
                    std::mem::take(&mut plan.events)
                } else {
                    Vec::new()
                };
                Ok((events, plan))
            })
            .await?;
        plan.events = events;
        Ok(plan)
    }

    /// Several commands on one organization, each decided on its own against the
    /// state the ones before it left (deleting two admins meets the minimum-admins
    /// rule on the second): the permitted ones are stored together, in one
    /// transaction, and each command's outcome is answered in order. A refused
    /// command leaves no trace and does not stop the others.
    pub async fn execute_each(
        &self,
        org: &OrgId,
        actor: &Actor,
        commands: Vec<Command>,
    ) -> Result<Vec<Result<Vec<Event>, Refusal>>, ServiceError> {
        let policy = &self.inner.policy;
        let enrolment = self.enrolment(org, second_factor::members([actor])).await?;
        let (_, outcomes) = self
            .change(org, |state, now| {
                let mut scratch = state.clone();
                let mut events = Vec::new();
                let mut outcomes = Vec::with_capacity(commands.len());
                for command in commands {
                    let outcome = enrolment
                        .check(policy, &scratch, actor, &command)
                        .and_then(|()| decide(policy, &scratch, actor, command, now));
                    if let Ok(decided) = &outcome {
                        for event in decided {
                            steward_core::apply(&mut scratch, event);
                        }
                        events.extend(decided.iter().cloned());
                    }
                    outcomes.push(outcome);
                }
                Ok((events, outcomes))
            })
            .await?;
        Ok(outcomes)
    }

    /// One change to an organization: under its lock and after catching up with
    /// other nodes, `decide` turns the current state into events (and an answer of
    /// its own); they are stored in one transaction and published. Members it
    /// deletes lose their sessions and refresh tokens in that transaction. A refusal
    /// stores nothing; no events, nothing to do.
    async fn change<R>(
        &self,
        org: &OrgId,
        decided_by: impl FnOnce(&State, Timestamp) -> Result<(Vec<Event>, R), Refusal>,
    ) -> Result<(Vec<Event>, R), ServiceError> {
        let live = self.live_or_load(org).await?;
        let mut books = live.books.lock().await;
        let tx = self.begin_change(org, &live, &mut books).await?;
        let now = self.inner.clock.now();
        let (events, answer) = match decided_by(&books.state, now) {
            Ok(decided) => decided,
            Err(refusal) => {
                tx.rollback().await?;
                return Err(refusal.into());
            }
        };
        if events.is_empty() {
            tx.rollback().await?;
            return Ok((events, answer));
        }
        let mut snapshot = (*live.snapshot()).clone();
        let mut rows = BTreeSet::new();
        fold(&mut books.state, &mut snapshot, &events, &mut rows);
        self.store_change(org, &live, &mut books, tx, &events, rows, snapshot, now)
            .await?;
        Ok((events, answer))
    }

    /// Opens a change's transaction under the organization's lock, after
    /// catching up with what other nodes committed (or reloading a stale state).
    async fn begin_change(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
    ) -> Result<OrgTx, ServiceError> {
        if books.stale {
            self.reload(org, live, books).await?;
        }
        let mut tx = (self.inner.store.begin_org(org).await).inspect_err(|e| self.noticed(e))?;
        if tx.head() != &books.head {
            // Another node committed since we last looked: fold its events first.
            let (missed, head) = tx.events_after(books.head.seq).await?;
            self.catch_up(org, live, books, &missed, head);
        }
        Ok(tx)
    }

    /// Stores events already folded into the held state (and `snapshot`), ends
    /// the credentials of the members they delete or suspend, commits and
    /// publishes. A failed write reloads the state from the database.
    #[allow(clippy::too_many_arguments)]
    async fn store_change(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
        mut tx: OrgTx,
        events: &[Event],
        rows: BTreeSet<Row>,
        snapshot: Snapshot,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        let rows: Vec<_> = rows.into_iter().collect();
        let written = async {
            for account in leavers(events) {
                tx.end_credentials(account.as_str(), now.0).await?;
            }
            for account in second_factor::resets(events) {
                tx.remove_second_factor(account.as_str()).await?;
                tx.end_credentials(account.as_str(), now.0).await?;
            }
            let head = tx.write(events, &rows, &books.state).await?;
            tx.commit(&self.inner.node).await?;
            Ok::<Head, StoreError>(head)
        }
        .await;
        match written {
            Ok(head) => {
                live.announce(head.seq);
                books.head = head;
                live.publish(snapshot);
                self.inner.commits.notify_one();
                self.inner.keys.follow(org, events, &books.state);
                Ok(())
            }
            Err(e) => {
                // The state already holds the events; whether the commit happened
                // is for the database to say.
                books.stale = true;
                if let Err(reload) = self.reload(org, live, books).await {
                    tracing::error!(%org, error = %reload, "reload after a failed write failed");
                }
                Err(e.into())
            }
        }
    }

    /// Folds events another node committed into the state and the snapshot.
    fn catch_up(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
        events: &[Event],
        head: Option<Head>,
    ) {
        let Some(head) = head else { return };
        let mut snapshot = (*live.snapshot()).clone();
        fold(
            &mut books.state,
            &mut snapshot,
            events,
            &mut BTreeSet::new(),
        );
        live.announce(head.seq);
        books.head = head;
        live.publish(snapshot);
        self.inner.keys.follow(org, events, &books.state);
        self.inner.commits.notify_one();
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
            state,
            head,
            stale: false,
        };
        Ok(())
    }

    /// The organization as the database has it, with its check snapshot built.
    async fn read_whole(&self, org: &OrgId) -> Result<(State, Head, Snapshot), ServiceError> {
        let (state, head) = self.inner.store.load_org(org).await?;
        self.inner.keys.sync(org, &state);
        let snapshot = Snapshot::build(self.inner.policy.clone(), &state);
        Ok((state, head, snapshot))
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
    pub async fn refresh(&self, org: &OrgId) -> Result<(), ServiceError> {
        let Some(live) = self.live(org.as_str()) else {
            return match self.load(org).await {
                Err(ServiceError::Store(StoreError::NoSuchOrganization(_))) => Ok(()),
                other => other,
            };
        };
        let mut books = live.books.lock().await;
        let (events, head) = self.inner.store.events_after(org, books.head.seq).await?;
        self.catch_up(org, &live, &mut books, &events, head);
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

    /// Walks the organization's audit chain.
    pub async fn verify(&self, org: &OrgId) -> Result<ChainReport, ServiceError> {
        self.live_or_load(org).await?;
        Ok(self.inner.store.verify(org).await?)
    }

    /// The ids of the organizations held in memory.
    pub fn organization_ids(&self) -> Vec<OrgId> {
        self.orgs()
            .keys()
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

/// The accounts a change deletes from the organization or suspends in it: their
/// sessions and refresh tokens end in the same transaction
/// (docs/model.md#deleting-a-member, docs/provisioning.md#suspension), whichever path did it.
/// The whole account is signed out, even if it belongs to other organizations:
/// a session or token is the account's, not one membership's, so it signs in again.
fn leavers(events: &[Event]) -> impl Iterator<Item = &UserId> {
    events.iter().filter_map(|e| match &e.change {
        Change::MemberDeleted { user_id, .. } | Change::MemberSuspended { user_id, .. } => {
            Some(user_id)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests;
