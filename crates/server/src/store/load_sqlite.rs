//! The SQLite bulk reader: an organization's state tables read straight from the
//! file with rusqlite, on a blocking thread (two for a large organization, members
//! on one and the rest on the other), each row's text borrowed from SQLite
//! and parsed into the core's value with no copy in between. sqlx's driver spent
//! 8.2 s fetching the 2,000,000 rows of a 1,000,000-member organization, where
//! SQLite itself reads them in under a second (docs/benchmarks.md#storage).

use super::load::{self, sql};
use super::{Head, StoreError};
use rusqlite::{Connection, OpenFlags, Row};
use std::time::Instant;
use steward_core::{OrgId, StateRows};

/// The organization's rows and head, read in one read transaction so they agree
/// (two, for a large organization: see `read_file`).
pub(super) async fn read(path: String, org: OrgId) -> Result<(StateRows, Head), StoreError> {
    tokio::task::spawn_blocking(move || read_file(&path, &org))
        .await
        .map_err(|e| StoreError::Corrupt(format!("reading the SQLite file stopped: {e}")))?
}

/// From this many members or objects on, the members and the objects are read on
/// two threads, each with its own connection.
const TWO_THREADS_FROM: usize = 25_000;
/// How many times the two threads read again when a write came between their
/// read transactions.
const ATTEMPTS: usize = 5;

/// A large organization is read by two connections at once, members on one and the
/// rest on the other, each in its own read transaction, and each side restored
/// (`StateRows::restore_members_now`, `restore_objects_now`) on its thread as soon
/// as it is read, while the other may still be reading. Both read the head of the
/// organization's chain, which every write to its tables moves in the same
/// transaction: when the two heads are equal, both saw the same commit, and when
/// they are not (a write committed between the two `BEGIN`s), both read again.
fn read_file(path: &str, org: &OrgId) -> Result<(StateRows, Head), StoreError> {
    let mut conn = open(path)?;
    if !is_large(&conn, org)? {
        let tx = conn.transaction()?;
        let (mut rows, head) = organization(&tx, org)?;
        read_people(&tx, org, &mut rows)?;
        read_things(&tx, org, &mut rows)?;
        tx.commit()?;
        return Ok((rows, head));
    }
    for _ in 0..ATTEMPTS {
        let (people, things) = std::thread::scope(|s| {
            let people = s.spawn(|| {
                let start = Instant::now();
                let mut conn = open(path)?;
                let tx = conn.transaction()?;
                let (mut rows, head) = organization(&tx, org)?;
                read_people(&tx, org, &mut rows)?;
                tx.commit()?;
                let read = start.elapsed();
                // Restored while the other thread may still be reading.
                rows.restore_members_now();
                tracing::debug!(%org, ?read, restored = ?start.elapsed() - read, "members read");
                Ok::<_, StoreError>((rows, head))
            });
            let things = (|| {
                let start = Instant::now();
                let tx = conn.transaction()?;
                let (mut rows, head) = organization(&tx, org)?;
                read_things(&tx, org, &mut rows)?;
                tx.commit()?;
                let read = start.elapsed();
                rows.restore_objects_now();
                tracing::debug!(%org, ?read, restored = ?start.elapsed() - read, "objects read");
                Ok::<_, StoreError>((rows, head))
            })();
            let people = people
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (people, things)
        });
        let ((mut people, seen), (mut rows, head)) = (people?, things?);
        if seen == head {
            rows.take_people(&mut people);
            return Ok((rows, head));
        }
    }
    Err(StoreError::Corrupt(format!(
        "organization {org} changed under each of {ATTEMPTS} reads"
    )))
}

/// A read-only connection: it never writes, so it never waits for the writer;
/// WAL lets it read beside one. It reads the file through a memory map
/// (`mmap_size`, as far as SQLite allows): a bulk read steps through every
/// page of its tables once, and through SQLite's page cache each page was a
/// `pread` copying it into a 2 MB cache that keeps none of them for long.
/// SQLite maps the file again when it grows; the map goes with the connection.
pub(super) fn open(path: &str) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_SIZE}"))?;
    Ok(conn)
}

/// Bytes of the file a bulk reader maps: SQLite caps it at its build's
/// `SQLITE_MAX_MMAP_SIZE` (2 GB by default) and reads any further pages as before.
const MMAP_SIZE: i64 = 1 << 40;

/// Whether the organization has at least `TWO_THREADS_FROM` members or objects:
/// one step through each table's primary-key index, skipping that many entries
/// (about a millisecond), rather than a count of them all.
fn is_large(conn: &Connection, org: &OrgId) -> Result<bool, StoreError> {
    let mut large = false;
    for table in ["memberships", "objects"] {
        let sql = format!(
            "SELECT 1 FROM {table} WHERE org_id = '{org}' LIMIT 1 OFFSET {TWO_THREADS_FROM}"
        );
        each(conn, &sql, |_| {
            large = true;
            Ok(())
        })?;
    }
    Ok(large)
}

/// The members and their scope roles.
fn read_people(tx: &Connection, org: &OrgId, rows: &mut StateRows) -> Result<(), StoreError> {
    each(tx, &sql::members_ordered(org), |r| {
        let m = load::member(
            text(r, 0)?,
            text(r, 1)?,
            text(r, 2)?,
            text(r, 3)?,
            r.get(4)?,
        )?;
        rows.members.push(m);
        Ok(())
    })?;
    each(tx, &sql::scope_roles(org), |r| {
        let s = load::scope_role(text(r, 0)?, text(r, 1)?, text(r, 2)?)?;
        rows.scope_roles.push(s);
        Ok(())
    })
}

/// Everything but the members: objects, grants, invitations, the nomination, API
/// keys and webhooks.
fn read_things(tx: &Connection, org: &OrgId, rows: &mut StateRows) -> Result<(), StoreError> {
    each(tx, &sql::objects_ordered(org), |r| {
        let (parent, owner) = (opt_text(r, 3)?, opt_text(r, 4)?);
        let o = load::object(
            text(r, 0)?,
            text(r, 1)?,
            text(r, 2)?,
            parent,
            owner,
            rows.objects.last(),
        )?;
        rows.objects.push(o);
        Ok(())
    })?;
    each(tx, &sql::grants(org), |r| {
        rows.grants
            .push(load::grant(text(r, 0)?, text(r, 1)?, text(r, 2)?)?);
        Ok(())
    })?;
    each(tx, &sql::invitations(org), |r| {
        let (id, email, name) = (text(r, 0)?, text(r, 1)?, opt_text(r, 2)?);
        let (role, scopes) = (text(r, 3)?, text(r, 4)?);
        let i = load::invitation(id, email, name, role, scopes, r.get(5)?)?;
        rows.invitations.push(i);
        Ok(())
    })?;
    each(tx, &sql::nominations(org), |r| {
        let n = load::nomination(text(r, 0)?, text(r, 1)?, text(r, 2)?, r.get(3)?)?;
        rows.nomination = Some(n);
        Ok(())
    })?;
    each(tx, &sql::api_keys(org), |r| {
        let (id, hash, name, actions) = (text(r, 0)?, text(r, 1)?, text(r, 2)?, text(r, 3)?);
        let k = load::api_key(id, hash, name, actions, text(r, 4)?, r.get(5)?)?;
        rows.api_keys.push(k);
        Ok(())
    })?;
    each(tx, &sql::webhooks(org), |r| {
        let w = load::webhook(text(r, 0)?, text(r, 1)?, text(r, 2)?, r.get(3)?)?;
        rows.webhooks.push(w);
        Ok(())
    })
}

fn organization(conn: &Connection, org: &OrgId) -> Result<(StateRows, Head), StoreError> {
    let mut found = None;
    each(conn, &sql::organization(org), |r| {
        let head = Head {
            seq: r.get(3)?,
            hash: r.get(4)?,
        };
        let (name, owner) = (text(r, 0)?, text(r, 1)?);
        let info = load::org_info(org, name, owner, r.get(2)?, r.get(5)?, text(r, 6)?)?;
        found = Some((info, head));
        Ok(())
    })?;
    let (info, head) = found.ok_or_else(|| StoreError::NoSuchOrganization(org.to_string()))?;
    let rows = StateRows {
        org: Some(info),
        ..StateRows::default()
    };
    Ok((rows, head))
}

/// Runs `sql` and hands each row to `row`, as SQLite steps through them.
pub(super) fn each(
    conn: &Connection,
    sql: &str,
    mut row: impl FnMut(&Row<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare(sql)?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        row(r)?;
    }
    Ok(())
}

/// Column `i` as text, borrowed from SQLite's buffer.
fn text<'r>(r: &'r Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

fn opt_text<'r>(r: &'r Row<'_>, i: usize) -> Result<Option<&'r str>, StoreError> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}
