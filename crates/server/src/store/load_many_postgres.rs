//! `load_many.rs`'s scans on PostgreSQL: one connection, one repeatable-read
//! transaction, a cursor per table (`DECLARE ... CURSOR`), fetched a batch at a
//! time in turn, each stopping at the first row of the next organization. A
//! binary `COPY` (the bulk reader's) cannot be read a little at a time beside
//! eight others on one connection; cursors can.

use super::load_many::{self, Fields, Loaded, Table, ORGANIZATIONS, TABLES};
use super::StoreError;
use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::Row as _;
use std::collections::{HashSet, VecDeque};
use steward_core::StateRows;
use tokio::sync::mpsc::Sender;

/// Rows per `FETCH`: a round trip per this many rows of a table.
const BATCH: usize = 4_000;

/// Reads every organization and sends each, restored, to `out`; returns early
/// (`Ok`) when `out`'s receiver is gone. As on SQLite (load_many_sqlite.rs), the
/// cursors run from one large organization to the next and are declared again
/// after it, rather than filtering its rows out one by one.
pub(super) async fn scan(
    pool: PgPool,
    out: Sender<Result<Loaded, StoreError>>,
) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    // Closed, not returned to the pool: a scan that stops early (an error, or
    // the node giving up) leaves its transaction open. The start-up's one
    // connection is not worth keeping.
    conn.close_on_drop();
    let tx: &mut PgConnection = &mut conn;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .persistent(false)
        .execute(&mut *tx)
        .await?;
    let count: i64 = sqlx::query_scalar(load_many::COUNT_ORGANIZATIONS)
        .fetch_one(&mut *tx)
        .await?;
    let large_sql = load_many::large_sql(count);
    let by_index = count <= load_many::PROBE_UP_TO;
    if by_index {
        index_scans_only(tx).await?;
    }
    let large: HashSet<String> = sqlx::query_scalar(large_sql.as_str())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    if by_index {
        planner_as_before(tx).await?;
    }
    let mut organizations = Cursor::declare(tx, "steward_orgs", ORGANIZATIONS, None).await?;
    let mut scans = declare_scans(tx, "").await?;
    loop {
        let Some(r) = organizations.front(tx).await? else {
            break;
        };
        let loaded = if large.contains(r.text(0)?) {
            let id = r.text(0)?.to_string();
            for scan in &mut scans {
                scan.before(tx, &id).await?;
                scan.close(tx).await?;
            }
            scans = declare_scans(tx, &id).await?;
            Loaded::Alone(load_many::large_id(&id)?)
        } else {
            let (org, mut rows, head) = load_many::organization(r)?;
            for scan in &mut scans {
                scan.take(tx, org.as_str(), &mut rows).await?;
            }
            load_many::restored(org, rows, head)
        };
        organizations.rows.pop_front();
        if out.send(Ok(loaded)).await.is_err() {
            return Ok(());
        }
    }
    for scan in &mut scans {
        if scan.front(tx).await?.is_some() {
            return Err(scan.left_over());
        }
    }
    sqlx::query("COMMIT")
        .persistent(false)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Until `planner_as_before`, the transaction's statements are planned as
/// index scans, without JIT: for the probes (`load_many::large_sql`,
/// `load_postgres.rs`'s `is_large`), whose cost is a step of `LARGE_FROM`
/// entries into a primary-key index. Without statistics (a database filled or
/// restored a moment before, not yet analyzed) the planner read the whole index
/// through a bitmap and compiled the probe with JIT; with them, when one
/// organization holds most rows, it scanned the table for each small one,
/// taking the limit to end the scan early. Both cost seconds at 1,000,000 rows
/// (docs/benchmarks.md, "Start-up scans and owners"). The settings are undone
/// by rolling back to the savepoint, so whatever the server or the session had
/// holds for the rest of the transaction (the scans' cursors, the `COPY`s).
pub(super) async fn index_scans_only(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SAVEPOINT steward_probe")
        .persistent(false)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "SELECT set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true), \
         set_config('enable_bitmapscan', 'off', true)",
    )
    .persistent(false)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Undoes `index_scans_only`: `SET LOCAL`'s effects end with the savepoint
/// they were made after.
pub(super) async fn planner_as_before(conn: &mut PgConnection) -> Result<(), StoreError> {
    for sql in [
        "ROLLBACK TO SAVEPOINT steward_probe",
        "RELEASE SAVEPOINT steward_probe",
    ] {
        sqlx::query(sql)
            .persistent(false)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A cursor per state table, from just after the organization `after`.
async fn declare_scans(conn: &mut PgConnection, after: &str) -> Result<Vec<Cursor>, StoreError> {
    let mut scans = Vec::with_capacity(TABLES.len());
    for (i, table) in TABLES.iter().enumerate() {
        let name = format!("steward_scan_{i}");
        let select = table.select(after);
        scans.push(Cursor::declare(conn, &name, &select, Some(table)).await?);
    }
    Ok(scans)
}

/// One table's cursor, with the rows fetched and not yet taken.
struct Cursor {
    name: String,
    fetch: String,
    rows: VecDeque<PgRow>,
    done: bool,
    table: Option<&'static Table>,
}

impl Cursor {
    async fn declare(
        conn: &mut PgConnection,
        name: &str,
        select: &str,
        table: Option<&'static Table>,
    ) -> Result<Cursor, StoreError> {
        let declare = format!("DECLARE {name} NO SCROLL CURSOR FOR {select}");
        sqlx::query(&declare)
            .persistent(false)
            .execute(&mut *conn)
            .await?;
        Ok(Cursor {
            name: name.to_string(),
            fetch: format!("FETCH {BATCH} FROM {name}"),
            rows: VecDeque::new(),
            done: false,
            table,
        })
    }

    /// The first row not yet taken, fetching the next batch when none is left.
    async fn front(&mut self, conn: &mut PgConnection) -> Result<Option<&PgRow>, StoreError> {
        if self.rows.is_empty() && !self.done {
            let batch = sqlx::query(&self.fetch)
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            self.done = batch.len() < BATCH;
            self.rows = batch.into();
        }
        Ok(self.rows.front())
    }

    /// Adds the rows of `org` at the front of the cursor to `into`.
    async fn take(
        &mut self,
        conn: &mut PgConnection,
        org: &str,
        into: &mut StateRows,
    ) -> Result<(), StoreError> {
        let Some(table) = self.table else {
            return Ok(());
        };
        while let Some(r) = self.front(conn).await? {
            if r.text(0)? != org {
                break;
            }
            (table.add)(r, into)?;
            self.rows.pop_front();
        }
        Ok(())
    }

    /// Checks that the next row not yet taken is of the large organization
    /// `large` or later, in the database's order of text (its collation's, which
    /// Rust does not know): see `load_many::left_over`.
    async fn before(&mut self, conn: &mut PgConnection, large: &str) -> Result<(), StoreError> {
        let Some(front) = self.front(conn).await?.map(|r| r.text(0)).transpose()? else {
            return Ok(());
        };
        if front == large {
            return Ok(());
        }
        let front = front.to_string();
        let precedes: bool = sqlx::query_scalar("SELECT $1::text < $2::text")
            .bind(front)
            .bind(large)
            .fetch_one(&mut *conn)
            .await?;
        match precedes {
            true => Err(self.left_over()),
            false => Ok(()),
        }
    }

    async fn close(&mut self, conn: &mut PgConnection) -> Result<(), StoreError> {
        let close = format!("CLOSE {}", self.name);
        sqlx::query(&close).persistent(false).execute(conn).await?;
        Ok(())
    }

    fn left_over(&self) -> StoreError {
        match self.table {
            Some(table) => load_many::left_over(table),
            None => StoreError::Corrupt("organizations left over".into()),
        }
    }
}

impl Fields for PgRow {
    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(i)?)
    }
}
