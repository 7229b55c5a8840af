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
mod org_tx;
mod outbox;
mod policy;
mod refresh;
mod rows;
mod schema;
mod scim;
mod script;
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
pub use org_tx::OrgTx;
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
