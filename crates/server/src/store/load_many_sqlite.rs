//! `load_many.rs`'s scans on an SQLite file: one read-only rusqlite connection,
//! one read transaction, a statement per table stepped side by side, each
//! stopping at the first row of the next organization.

use super::load_many::{self, Fields, Loaded, Table, ORGANIZATIONS, TABLES};
use super::load_sqlite::each;
use super::StoreError;
use fallible_streaming_iterator::FallibleStreamingIterator as _;
use rusqlite::{Connection, OpenFlags, Row, Rows};
use steward_core::StateRows;
use tokio::sync::mpsc::Sender;

/// Reads every organization and sends each, restored, to `out`; returns early
/// (`Ok`) when `out`'s receiver is gone.
pub(super) fn scan(path: &str, out: &Sender<Result<Loaded, StoreError>>) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // One read transaction: every scan sees the same commit.
    conn.execute_batch("BEGIN")?;
    let tx = &conn;
    let mut ids = Vec::new();
    each(tx, &load_many::large_sql(), |r| {
        ids.push(r.text(0)?.to_string());
        Ok(())
    })?;
    let (large, large_ids) = load_many::large_set(ids)?;
    let mut statements = TABLES
        .iter()
        .map(|t| tx.prepare(&t.select(&large)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut scans = statements
        .iter_mut()
        .zip(&TABLES)
        .map(|(s, table)| Scan::new(s, table))
        .collect::<Result<Vec<_>, _>>()?;
    let mut organizations = tx.prepare(ORGANIZATIONS)?;
    let mut organizations = organizations.query([])?;
    while let Some(r) = organizations.next()? {
        let loaded = if large_ids.contains(r.text(0)?) {
            Loaded::Alone(load_many::large_id(r.text(0)?)?)
        } else {
            let (org, mut rows, head) = load_many::organization(r)?;
            for scan in &mut scans {
                scan.take(org.as_str(), &mut rows)?;
            }
            load_many::restored(org, rows, head)
        };
        if out.blocking_send(Ok(loaded)).is_err() {
            return Ok(());
        }
    }
    if let Some(scan) = scans.iter().find(|s| s.rows.get().is_some()) {
        return Err(load_many::left_over(scan.table));
    }
    drop(scans);
    drop(statements);
    drop(organizations);
    conn.execute_batch("COMMIT")?;
    Ok(())
}

/// One table's rows, positioned at the first row not yet taken.
struct Scan<'s> {
    rows: Rows<'s>,
    table: &'static Table,
}

impl<'s> Scan<'s> {
    fn new(
        statement: &'s mut rusqlite::Statement<'_>,
        table: &'static Table,
    ) -> Result<Scan<'s>, StoreError> {
        let mut rows = statement.query([])?;
        rows.advance()?;
        Ok(Scan { rows, table })
    }

    /// Adds the rows of `org` at the front of the scan to `into`.
    fn take(&mut self, org: &str, into: &mut StateRows) -> Result<(), StoreError> {
        while let Some(r) = self.rows.get() {
            if r.text(0)? != org {
                break;
            }
            (self.table.add)(r, into)?;
            self.rows.advance()?;
        }
        Ok(())
    }
}

impl Fields for Row<'_> {
    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        self.get_ref(i)?
            .as_str_or_null()
            .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
    }

    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.get(i)?)
    }
}
