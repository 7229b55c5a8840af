//! The store: one implementation over sqlx's `Any` driver for SQLite and
//! PostgreSQL, the few places they differ kept in `Dialect`. Every write happens in
//! an `OrgTx`, which holds the organization's write lock until commit.

mod accounts;
mod audit;
mod database_url;
mod group;
mod keys;
mod load;
mod load_many;
mod load_many_postgres;
mod load_many_sqlite;
mod load_postgres;
mod load_question;
mod load_sqlite;
mod memberships;
mod org_keys;
mod outbox;
mod policy;
mod refresh;
mod rows;
mod schema;
mod scim;
mod second_factor;
mod sessions;
mod sso;
mod webhooks;

pub use accounts::{Account, SETUP_TOKEN_PREFIX};
pub use audit::{actor_id, chain_hash, AuditEntry, AuditFilter, ChainReport, Head};
pub use database_url::{redact, DatabaseUrl};
pub use group::{GroupCounts, HeldLanes};
pub use keys::SigningKeyRow;
pub use load_many::Loaded;
pub use memberships::AccountMembership;
pub use org_keys::OrgKeys;
pub use outbox::{Letter, LinkPurpose, QueuedMail};
pub use policy::{PolicyId, StoredPolicy, POLICY_CHANNEL};
pub use refresh::{
    RefreshRefusal, REFRESH_RETRY_GRACE_SECONDS, REFRESH_TOKEN_PREFIX, REFRESH_TOKEN_SECONDS,
};
pub use rows::{touched, Row};
pub use schema::{known as known_migrations, Migration, SchemaError, SchemaStatus, BREAKING};
pub use scim::{Alongside, ScimGroupRow, ScimRequestRow, ScimUserRow};
pub use second_factor::{StoredSecondFactor, TotpSecret};
pub use sessions::{Session, SESSION_PREFIX, SESSION_SECONDS};
pub use sso::{DomainTaken, SsoAttemptRow, SsoDomainRow, SsoProviderRow};
pub use webhooks::{now_ms, ClaimedWebhook, DeliveryRecord, DueDelivery};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row as _, Transaction};
use std::str::FromStr;
use std::time::Duration;
use steward_core::{Event, OrgId, State};

/// The channel on which a PostgreSQL node announces a committed change.
pub const CHANGES_CHANNEL: &str = "steward_changes";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Holds the URL redacted: it may carry a password.
    #[error("unsupported database URL {0}: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(DatabaseUrl),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The transaction of a group of changes (store/group.rs) failed, at its
    /// commit or between two of its changes: none of the group is stored.
    #[error("database error, in a group of changes: {0}")]
    GroupCommit(std::sync::Arc<sqlx::Error>),
    /// The SQLite file as the bulk reader reads it (store/load_sqlite.rs).
    #[error("database error: {0}")]
    SqliteRead(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A command other than `migrate` and `serve` never creates the file.
    #[error("there is no database file at {0}: create it with `steward migrate` (or start `steward serve`)")]
    NoDatabaseFile(String),
    /// A stored row that does not parse back (edited by hand, or a bug).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("organization {0} does not exist")]
    NoSuchOrganization(String),
    #[error("an account with this e-mail already exists")]
    DuplicateEmail,
    /// Another node replaced the deployment's policy (`serve --replace-policy`):
    /// this one decides with the old one, so it may no longer write.
    #[error("the database's policy is now {stored}, and this node decides with {held}: it writes nothing more until restarted")]
    PolicyReplaced { held: PolicyId, stored: PolicyId },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    url: DatabaseUrl,
    /// The policy this node decides with, once chosen (`pinned_to`): writes
    /// refuse when the database's is another.
    policy: Option<std::sync::Arc<PolicyId>>,
    /// PostgreSQL's connections for the bulk reader (`load_org`): its binary
    /// `COPY` is the PostgreSQL driver's, which the `Any` pool does not offer.
    /// Opened when first used, closed when idle.
    bulk: Option<sqlx::PgPool>,
    /// The lanes that changes to organizations commit in, together
    /// (store/group.rs).
    group: std::sync::Arc<group::Committer>,
}

impl Store {
    /// Opens (creating an SQLite file if needed) and migrates the database: a
    /// new database for tests and tools; `serve` and the commands connect and
    /// migrate only on purpose (`connect`, `migrate`).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url, true).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating; an SQLite file is created only if `create`
    /// (`migrate`, `serve`, `backup`'s target), so a mistyped path is an error.
    pub async fn connect(url: &str, create: bool) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (dialect, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            if !create {
                if let Some(path) = sqlite_file(rest) {
                    if !std::path::Path::new(&path).exists() {
                        return Err(StoreError::NoDatabaseFile(path));
                    }
                }
            }
            // mode=rwc: create the file on first start.
            let mode = if create { "rwc" } else { "rw" };
            let url = if rest.contains("mode=") {
                url.to_string()
            } else if rest.contains('?') {
                format!("{url}&mode={mode}")
            } else {
                format!("{url}?mode={mode}")
            };
            (Dialect::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let (url, ignored) = database_url::postgres_for_sqlx(url);
            if !ignored.is_empty() {
                // By name only: the values may be secrets.
                tracing::warn!(
                    parameters = %ignored.join(", "),
                    "ignoring database URL parameters PostgreSQL's driver does not read"
                );
            }
            (Dialect::Postgres, url)
        } else {
            return Err(StoreError::UnsupportedUrl(DatabaseUrl::new(url)));
        };
        let bulk = match dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .min_connections(0)
                    .idle_timeout(Duration::from_secs(60))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_lazy_with(sqlx::postgres::PgConnectOptions::from_str(&url)?),
            ),
        };
        let options = sqlx::any::AnyConnectOptions::from_str(&url)?;
        let mut pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30));
        if dialect == Dialect::Sqlite {
            // WAL lets checks' readers and the one writer work side by side; the busy
            // timeout makes a second writer (another process) wait for the lock
            // instead of failing at once.
            pool = pool.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA busy_timeout = 30000")
                        .execute(&mut *conn)
                        .await?;
                    // A commit that returned is on disk (the audit log is the record).
                    sqlx::query("PRAGMA synchronous = FULL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        Ok(Store {
            pool,
            dialect,
            url: DatabaseUrl::new(url),
            policy: None,
            bulk,
            group: std::sync::Arc::new(group::Committer::new(dialect)),
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL the store was opened with (PostgreSQL's listener opens its own
    /// connection with it); it shows itself redacted.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The bulk reader's PostgreSQL pool (made by `connect` for every PostgreSQL
    /// store).
    fn bulk_pool(&self) -> Result<&sqlx::PgPool, StoreError> {
        (self.bulk.as_ref())
            .ok_or_else(|| StoreError::Corrupt("no PostgreSQL pool for a SQLite store".into()))
    }

    /// Begins a write on an existing organization, in the group of changes its
    /// lane has open (store/group.rs, docs/architecture.md#group-commit): takes its
    /// write lock (SQLite: `BEGIN IMMEDIATE`, the database's one writer, taken by
    /// the group's first change; PostgreSQL: the organization's row `FOR UPDATE`)
    /// and reads the head of its chain under it.
    pub async fn begin_org(&self, org: &OrgId) -> Result<OrgTx, StoreError> {
        let (seat, open) = self.group.seat(org).await?;
        let first = open.is_none();
        let tx = match open {
            Some(tx) => tx,
            None => match self.begin_write().await {
                Ok(tx) => tx,
                Err(e) => {
                    drop(seat);
                    return Err(e);
                }
            },
        };
        let tx = OrgTx {
            tx: Some(tx),
            seat: Some(seat),
            org: org.clone(),
            head: Head::genesis(),
            dialect: self.dialect,
            is_new: false,
        };
        self.locked(tx, first).await
    }

    /// `begin_org` in a transaction of its own, outside the lanes: for a change
    /// large enough to hold a lane for long (a CSV import of thousands of rows),
    /// which would keep the other organizations of its lane waiting.
    pub async fn begin_org_alone(&self, org: &OrgId) -> Result<OrgTx, StoreError> {
        let tx = OrgTx {
            tx: Some(self.begin_write().await?),
            seat: None,
            org: org.clone(),
            head: Head::genesis(),
            dialect: self.dialect,
            is_new: false,
        };
        self.locked(tx, true).await
    }

    /// `tx` with its organization locked and its head read; on a refusal the
    /// change's statements are taken back.
    async fn locked(&self, mut tx: OrgTx, first: bool) -> Result<OrgTx, StoreError> {
        match self.lock_org(&mut tx, first).await {
            Ok(head) => {
                tx.head = head;
                Ok(tx)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// Locks the organization in `tx` and reads its head; the group's first change
    /// also compares the policy, which then cannot change before the group commits
    /// (a replacement waits for the lock the group holds).
    async fn lock_org(&self, tx: &mut OrgTx, first: bool) -> Result<Head, StoreError> {
        let lock = match self.dialect {
            Dialect::Sqlite => "SELECT head_seq, head_hash FROM organizations WHERE id = $1",
            Dialect::Postgres => {
                "SELECT head_seq, head_hash FROM organizations WHERE id = $1 FOR UPDATE"
            }
        };
        let conn = group::live(&mut tx.tx)?;
        let row = sqlx::query(lock)
            .bind(tx.org.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NoSuchOrganization(tx.org.to_string()));
        };
        if first {
            self.check_pinned_policy(conn).await?;
        }
        Ok(Head {
            seq: row.try_get(0)?,
            hash: row.try_get(1)?,
        })
    }

    /// How many groups of changes committed, and how many changes they held.
    pub fn group_counts(&self) -> GroupCounts {
        self.group.counts()
    }

    /// Changes waiting for their lane now.
    pub fn changes_queued(&self) -> usize {
        self.group.queued()
    }

    /// Holds every lane of group commit until the answer is dropped: changes
    /// queue meanwhile, then commit as one group per lane (how tests gather one).
    pub async fn hold_group_commits(&self) -> HeldLanes {
        self.group.hold().await
    }

    /// Begins the write that creates an organization: its row is inserted with the
    /// first events.
    pub async fn begin_new_org(&self, org: &OrgId) -> Result<OrgTx, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.dialect == Dialect::Postgres {
            // The lock its insert takes anyway, taken first: a policy replacement
            // (EXCLUSIVE) in progress is waited for before the policy is compared.
            sqlx::query("LOCK TABLE organizations IN ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        if let Err(e) = self.check_pinned_policy(&mut tx).await {
            tx.rollback().await?;
            return Err(e);
        }
        Ok(OrgTx {
            tx: Some(tx),
            seat: None,
            org: org.clone(),
            head: Head::genesis(),
            dialect: self.dialect,
            is_new: true,
        })
    }

    /// A read-only transaction that sees one state of the database throughout
    /// (PostgreSQL's default, read committed, would let tables disagree).
    async fn begin_read(&self) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        self.begin_with(match self.dialect {
            Dialect::Sqlite => "BEGIN",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })
        .await
    }

    async fn begin_write(&self) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        self.begin_with(match self.dialect {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        })
        .await
    }

    /// A transaction; when no connection was idle, its wait (for one, and for
    /// its `BEGIN`) is counted in `/metrics` (`steward_db_pool_acquire_wait*`).
    /// Not `try_begin`, which would skip the pool's health check of an idle
    /// connection.
    async fn begin_with(
        &self,
        statement: &'static str,
    ) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        if self.pool.num_idle() > 0 {
            return Ok(self.pool.begin_with(statement).await?);
        }
        let waited = std::time::Instant::now();
        let tx = self.pool.begin_with(statement).await?;
        crate::telemetry::POOL_WAITS.add(waited.elapsed());
        Ok(tx)
    }

    /// Every organization id, deleted ones included.
    pub async fn organization_ids(&self) -> Result<Vec<OrgId>, StoreError> {
        let rows = sqlx::query("SELECT id FROM organizations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| parse_id(r, 0, OrgId::parse)).collect()
    }

    /// Whether any organization was ever made (deleted ones count).
    pub async fn has_organizations(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM organizations LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The head of an organization's chain, read without a lock.
    pub async fn head(&self, org: &OrgId) -> Result<Option<Head>, StoreError> {
        let row = sqlx::query("SELECT head_seq, head_hash FROM organizations WHERE id = $1")
            .bind(org.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Head {
                seq: r.try_get(0)?,
                hash: r.try_get(1)?,
            })
        })
        .transpose()
    }

    /// Every organization's head, in one statement (to see which ones moved).
    pub async fn heads(&self) -> Result<Vec<(OrgId, Head)>, StoreError> {
        let rows = sqlx::query("SELECT id, head_seq, head_hash FROM organizations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    parse_id(r, 0, OrgId::parse)?,
                    Head {
                        seq: r.try_get(1)?,
                        hash: r.try_get(2)?,
                    },
                ))
            })
            .collect()
    }
}

/// The file an SQLite URL's rest (after `sqlite:`) names; `None` for an
/// in-memory database.
fn sqlite_file(rest: &str) -> Option<String> {
    let path = rest.split('?').next().unwrap_or(rest);
    let path = path.strip_prefix("//").unwrap_or(path);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.to_string())
}

/// A store on a fresh SQLite file, for unit tests; the directory keeps it alive.
#[cfg(test)]
pub(crate) async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    let store = Store::open(&url).await.expect("a fresh SQLite store opens");
    (dir, store)
}

/// An open write on one organization, holding its write lock: a transaction of
/// its own (a new organization), or its place in a group of changes.
pub struct OrgTx {
    /// `None` only once ended.
    tx: Option<Transaction<'static, sqlx::Any>>,
    /// Its lane, when it writes in a group (store/group.rs).
    seat: Option<group::Seat>,
    org: OrgId,
    head: Head,
    dialect: Dialect,
    is_new: bool,
}

impl OrgTx {
    /// The head of the chain as the database has it, read under the lock.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The events after `seq`: what another node committed since this one last
    /// looked.
    pub async fn events_after(
        &mut self,
        seq: i64,
    ) -> Result<(Vec<Event>, Option<Head>), StoreError> {
        audit::events_after(group::live(&mut self.tx)?, &self.org, seq).await
    }

    /// Stores the events at the end of the chain and the rows they touched, as
    /// `state` (already folded) has them. Nothing is visible before `commit`.
    pub async fn write(
        &mut self,
        events: &[Event],
        rows: &[Row],
        state: &State,
    ) -> Result<Head, StoreError> {
        if self.is_new {
            // The events refer to the organization's row: it comes first.
            rows::insert_org(group::live(&mut self.tx)?, &self.org, state, &self.head).await?;
            self.is_new = false;
        }
        let head = audit::append(
            group::live(&mut self.tx)?,
            self.dialect,
            &self.org,
            &self.head,
            events,
        )
        .await?;
        rows::set_head(group::live(&mut self.tx)?, &self.org, &head).await?;
        rows::write(
            group::live(&mut self.tx)?,
            self.dialect,
            &self.org,
            rows,
            state,
        )
        .await?;
        // The webhook outbox commits with the events, or neither does.
        let first = self.head.seq + 1;
        webhooks::enqueue(
            group::live(&mut self.tx)?,
            self.dialect,
            &self.org,
            first,
            events,
            state,
        )
        .await?;
        self.head = head.clone();
        Ok(head)
    }

    /// Ends the account's console sessions and revokes its refresh tokens, in this
    /// write: a member's deletion and the end of their credentials commit together,
    /// so there is no moment (nor a crash) where one happened without the other.
    pub async fn end_credentials(&mut self, account_id: &str, now: i64) -> Result<(), StoreError> {
        sessions::end_account_sessions(group::live(&mut self.tx)?, account_id).await?;
        refresh::revoke_account_tokens(group::live(&mut self.tx)?, account_id, now).await?;
        Ok(())
    }

    /// Removes the account's second factor, with the change that records it.
    pub async fn remove_second_factor(&mut self, account_id: &str) -> Result<(), StoreError> {
        second_factor::remove_second_factor(group::live(&mut self.tx)?, account_id).await
    }

    /// Commits; on PostgreSQL the change notice goes out with the commit (a NOTIFY
    /// inside a transaction is delivered only if it commits). In a group, the
    /// change joins it and this returns once the group committed (or failed:
    /// then none of it is stored).
    pub async fn commit(self, node: &str) -> Result<(), StoreError> {
        use tracing::Instrument;
        // A span of its own for traces (docs/operations.md#tracing).
        self.commit_now(node)
            .instrument(tracing::info_span!("commit"))
            .await
    }

    async fn commit_now(mut self, node: &str) -> Result<(), StoreError> {
        if self.dialect == Dialect::Postgres {
            let payload = format!("{}:{}:{}", self.org, self.head.seq, node);
            let notified = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(payload)
                .execute(group::live(&mut self.tx)?)
                .await;
            if let Err(e) = notified {
                self.rollback_now().await;
                return Err(e.into());
            }
        }
        let tx = self.tx.take().ok_or_else(group::ended)?;
        match self.seat.take() {
            None => tx.commit().await?,
            Some(seat) => {
                let ticket = seat.join(tx).await?;
                ticket.committed().await?;
            }
        }
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.rollback_now().await;
        Ok(())
    }

    /// Takes back this change's statements (its savepoint, in a group).
    async fn rollback_now(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        match self.seat.take() {
            None => {
                let _ = tx.rollback().await;
            }
            Some(seat) => seat.leave(tx).await,
        }
    }
}

impl Drop for OrgTx {
    /// A change dropped before it ended (an error's early return, a cancelled
    /// request): its own transaction rolls back as sqlx drops it; in a group,
    /// its savepoint is taken back and the group goes on.
    fn drop(&mut self) {
        if let (Some(tx), Some(seat)) = (self.tx.take(), self.seat.take()) {
            seat.leave_later(tx);
        }
    }
}

/// A parameter of a statement built at run time (every column is text or an
/// integer).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        query = match a {
            Arg::Text(s) => query.bind(s),
            Arg::OptText(s) => query.bind(s),
            Arg::Int(i) => query.bind(i),
        };
    }
    query
}

/// Reads column `i` as one of the core's validated ids.
fn parse_id<T, E: std::fmt::Display>(
    row: &AnyRow,
    i: usize,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let s: String = row.try_get(i)?;
    parse(&s).map_err(|e| StoreError::Corrupt(format!("{s:?}: {e}")))
}
