//! `load_many.rs`'s scans on an SQLite file: one read-only rusqlite connection,
//! one read transaction, a statement per table stepped side by side, each
//! stopping at the first row of the next organization.

use super::load_many::{self, Fields, Loaded, Table, ORGANIZATIONS, TABLES};
use super::load_sqlite::{self, each};
use super::StoreError;
use fallible_streaming_iterator::FallibleStreamingIterator as _;
use rusqlite::{Row, Rows};
use std::collections::HashSet;
use steward_core::StateRows;
use tokio::sync::mpsc::Sender;

/// Reads every organization and sends each, restored, to `out`; returns early
/// (`Ok`) when `out`'s receiver is gone. The scans run from one large
/// organization to the next and start again after it (a step into each index),
/// so a large organization's rows are never stepped over: a `NOT IN` filter
/// stepped through all 2,000,000 of one with 1,000,000 members and objects.
pub(super) fn scan(path: &str, out: &Sender<Result<Loaded, StoreError>>) -> Result<(), StoreError> {
    let conn = load_sqlite::open(path)?;
    // One read transaction: every scan sees the same commit.
    conn.execute_batch("BEGIN")?;
    let tx = &conn;
    let mut count = 0;
    each(tx, load_many::COUNT_ORGANIZATIONS, |r| {
        count = r.int(0)?;
        Ok(())
    })?;
    let mut large = HashSet::new();
    each(tx, &load_many::large_sql(count), |r| {
        large.insert(r.text(0)?.to_string());
        Ok(())
    })?;
    let mut organizations = tx.prepare(ORGANIZATIONS)?;
    let mut organizations = organizations.query([])?;
    // Where the scans start: after the last large organization passed.
    let mut after = String::new();
    'scans: loop {
        let mut statements = TABLES
            .iter()
            .map(|t| tx.prepare(&t.select(&after)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut scans = statements
            .iter_mut()
            .zip(&TABLES)
            .map(|(s, table)| Scan::new(s, table))
            .collect::<Result<Vec<_>, _>>()?;
        while let Some(r) = organizations.next()? {
            let id = r.text(0)?;
            let loaded = if large.contains(id) {
                for scan in &scans {
                    // SQLite orders text byte by byte, as Rust does.
                    if scan.front()?.is_some_and(|front| front < id) {
                        return Err(load_many::left_over(scan.table));
                    }
                }
                after = id.to_string();
                Loaded::Alone(load_many::large_id(id)?)
            } else {
                let (org, mut rows, head) = load_many::organization(r)?;
                for scan in &mut scans {
                    scan.take(org.as_str(), &mut rows)?;
                }
                load_many::restored(org, rows, head)
            };
            let alone = matches!(loaded, Loaded::Alone(_));
            if out.blocking_send(Ok(loaded)).is_err() {
                return Ok(());
            }
            if alone {
                continue 'scans;
            }
        }
        if let Some(scan) = scans.iter().find(|s| s.rows.get().is_some()) {
            return Err(load_many::left_over(scan.table));
        }
        break;
    }
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

    /// The organization of the next row not yet taken.
    fn front(&self) -> Result<Option<&str>, StoreError> {
        self.rows.get().map(|r| r.text(0)).transpose()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::load_many::{large_sql, LARGE_FROM, PROBE_UP_TO};
    use rusqlite::Connection;

    fn large(conn: &Connection, organizations: i64) -> Vec<String> {
        let mut found: Vec<String> = conn
            .prepare(&large_sql(organizations))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        found.sort();
        found
    }

    #[test]
    fn probing_each_organization_finds_the_large_ones_as_counting_every_row_does() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE organizations (id TEXT PRIMARY KEY);
             CREATE TABLE memberships (org_id TEXT, user_id TEXT, PRIMARY KEY (org_id, user_id));
             CREATE TABLE objects (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id));",
        )
        .unwrap();
        // Members and objects just under, at and past the line, in either table.
        let sizes = [
            ("a", LARGE_FROM - 1, LARGE_FROM - 1),
            ("b", LARGE_FROM, 0),
            ("c", 3, LARGE_FROM),
            ("d", 0, 0),
            ("e", LARGE_FROM + 1, 5),
        ];
        for (org, members, objects) in sizes {
            conn.execute("INSERT INTO organizations VALUES (?1)", [org])
                .unwrap();
            for (table, n) in [("memberships", members), ("objects", objects)] {
                conn.execute(
                    &format!(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
                         INSERT INTO {table} SELECT '{org}', 'x' || i FROM n WHERE {n} > 0"
                    ),
                    [],
                )
                .unwrap();
            }
        }
        let probed = large(&conn, 5);
        assert_eq!(probed, ["b", "c", "e"]);
        assert_eq!(probed, large(&conn, PROBE_UP_TO + 1));
    }
}
