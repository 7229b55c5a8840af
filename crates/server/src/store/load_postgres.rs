//! The PostgreSQL bulk reader: each state table comes as one binary `COPY ... TO
//! STDOUT`, decoded as it streams in (the server produces the next rows on its own
//! process while these are parsed), every field borrowed from the stream's buffer
//! and parsed into the core's value. sqlx's `Any` rows cost 1.8 s of fetching and
//! about 3 s of decoding for 2,000,000 rows (docs/benchmarks.md#storage).

use super::load::{self, sql};
use super::load_many_postgres;
use super::{Head, StoreError};
use futures_util::StreamExt as _;
use sqlx::postgres::{PgConnection, PgPool};
use steward_core::{OrgId, StateRows};

/// The widest row read (the organization's).
const MAX_FIELDS: usize = 7;

/// From this many members or objects on, the members are read on a second
/// connection while the first reads the rest.
const TWO_CONNECTIONS_FROM: usize = 25_000;
/// How long a large organization's load waits for the second connection before
/// reading everything on the first.
const SECOND_CONNECTION_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// The organization's rows and head, read in one repeatable-read transaction so
/// they agree. A large organization's members are read at the same time on a
/// second connection whose transaction imports the first one's snapshot
/// (`pg_export_snapshot()`, `SET TRANSACTION SNAPSHOT`): both see the same commit,
/// and each connection's rows are decoded on their own task. When the pool has
/// no second connection to give, everything is read on the first.
pub(super) async fn read(pool: &PgPool, org: &OrgId) -> Result<(StateRows, Head), StoreError> {
    let mut tx = pool.begin_with(READ_ONLY).await?;
    let (mut rows, head) = organization(&mut tx, org).await?;
    // The pool opens a second connection if it has none idle; one busy with
    // another organization's load is not waited for long.
    let people = match is_large(&mut tx, org).await? {
        true => tokio::time::timeout(SECOND_CONNECTION_WAIT, pool.acquire())
            .await
            .ok()
            .and_then(Result::ok),
        false => None,
    };
    match people {
        Some(mut conn) => {
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await?;
            // A snapshot's name is hex digits and dashes; it is written into the
            // statement, which takes no parameters.
            if !snapshot.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
                return Err(StoreError::Corrupt(format!(
                    "a snapshot named {snapshot:?}"
                )));
            }
            let of = org.clone();
            let people = tokio::spawn(async move {
                let mut tx = sqlx::Connection::begin_with(&mut *conn, READ_ONLY).await?;
                let import = format!("SET TRANSACTION SNAPSHOT '{snapshot}'");
                sqlx::query(&import).execute(&mut *tx).await?;
                let mut rows = StateRows::default();
                read_people(&mut tx, &of, &mut rows).await?;
                tx.commit().await?;
                // Restored while the other connection may still be reading.
                restored(rows, StateRows::restore_members_now).await
            });
            // The snapshot stays importable while this transaction is open.
            read_things(&mut tx, org, &mut rows).await?;
            let mut rows = restored(rows, StateRows::restore_objects_now).await?;
            let mut people = people
                .await
                .map_err(|e| StoreError::Corrupt(format!("reading the members stopped: {e}")))??;
            rows.take_people(&mut people);
            tx.commit().await?;
            return Ok((rows, head));
        }
        None => {
            read_people(&mut tx, org, &mut rows).await?;
            read_things(&mut tx, org, &mut rows).await?;
        }
    }
    tx.commit().await?;
    Ok((rows, head))
}

/// `rows` after `restore` (a part of `State::restore`, CPU-bound for a large
/// organization) ran on a blocking thread, so the other connection's rows keep
/// being read and decoded meanwhile (docs/scaling.md#start-up).
async fn restored(
    mut rows: StateRows,
    restore: fn(&mut StateRows),
) -> Result<StateRows, StoreError> {
    tokio::task::spawn_blocking(move || {
        restore(&mut rows);
        rows
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("restoring the rows stopped: {e}")))
}

const READ_ONLY: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

async fn organization(
    conn: &mut PgConnection,
    org: &OrgId,
) -> Result<(StateRows, Head), StoreError> {
    let mut found = None;
    copy(conn, &sql::organization(org), |f| {
        let head = Head {
            seq: int(f, 3)?,
            hash: text(f, 4)?.to_string(),
        };
        let (name, owner, deleted) = (text(f, 0)?, text(f, 1)?, int(f, 2)?);
        let info = load::org_info(org, name, owner, deleted, int(f, 5)?, text(f, 6)?)?;
        found = Some((info, head));
        Ok(())
    })
    .await?;
    let (info, head) = found.ok_or_else(|| StoreError::NoSuchOrganization(org.to_string()))?;
    let rows = StateRows {
        org: Some(info),
        ..StateRows::default()
    };
    Ok((rows, head))
}

/// Whether the organization has at least `TWO_CONNECTIONS_FROM` members or
/// objects: one step through each primary-key index, not a count of them all,
/// planned as index scans whether or not the tables have statistics
/// (`load_many_postgres::index_scans_only`).
async fn is_large(conn: &mut PgConnection, org: &OrgId) -> Result<bool, StoreError> {
    let sql = "SELECT EXISTS (SELECT 1 FROM memberships WHERE org_id = $1 OFFSET $2) \
               OR EXISTS (SELECT 1 FROM objects WHERE org_id = $1 OFFSET $2)";
    load_many_postgres::index_scans_only(&mut *conn).await?;
    let large = sqlx::query_scalar(sql)
        .bind(org.as_str())
        .bind(TWO_CONNECTIONS_FROM as i64)
        .fetch_one(&mut *conn)
        .await?;
    load_many_postgres::planner_as_before(conn).await?;
    Ok(large)
}

/// The members and their scope roles.
async fn read_people(
    conn: &mut PgConnection,
    org: &OrgId,
    rows: &mut StateRows,
) -> Result<(), StoreError> {
    copy(conn, &sql::members(org), |f| {
        let (user, email, name, role) = (text(f, 0)?, text(f, 1)?, text(f, 2)?, text(f, 3)?);
        rows.members
            .push(load::member(user, email, name, role, int(f, 4)?)?);
        Ok(())
    })
    .await?;
    copy(conn, &sql::scope_roles(org), |f| {
        let s = load::scope_role(text(f, 0)?, text(f, 1)?, text(f, 2)?)?;
        rows.scope_roles.push(s);
        Ok(())
    })
    .await
}

/// Everything but the members: objects, grants, invitations, the nomination, API
/// keys and webhooks.
async fn read_things(
    conn: &mut PgConnection,
    org: &OrgId,
    rows: &mut StateRows,
) -> Result<(), StoreError> {
    copy(conn, &sql::objects(org), |f| {
        let (parent, owner) = (opt_text(f, 3)?, opt_text(f, 4)?);
        let o = load::object(
            text(f, 0)?,
            text(f, 1)?,
            text(f, 2)?,
            parent,
            owner,
            rows.objects.last(),
        )?;
        rows.objects.push(o);
        Ok(())
    })
    .await?;
    copy(conn, &sql::grants(org), |f| {
        rows.grants
            .push(load::grant(text(f, 0)?, text(f, 1)?, text(f, 2)?)?);
        Ok(())
    })
    .await?;
    copy(conn, &sql::invitations(org), |f| {
        let (id, email, name) = (text(f, 0)?, text(f, 1)?, opt_text(f, 2)?);
        let (role, scopes) = (text(f, 3)?, text(f, 4)?);
        let i = load::invitation(id, email, name, role, scopes, int(f, 5)?)?;
        rows.invitations.push(i);
        Ok(())
    })
    .await?;
    copy(conn, &sql::nominations(org), |f| {
        let n = load::nomination(text(f, 0)?, text(f, 1)?, text(f, 2)?, int(f, 3)?)?;
        rows.nomination = Some(n);
        Ok(())
    })
    .await?;
    copy(conn, &sql::api_keys(org), |f| {
        let (id, hash, name, actions) = (text(f, 0)?, text(f, 1)?, text(f, 2)?, text(f, 3)?);
        let k = load::api_key(id, hash, name, actions, text(f, 4)?, int(f, 5)?)?;
        rows.api_keys.push(k);
        Ok(())
    })
    .await?;
    copy(conn, &sql::webhooks(org), |f| {
        let w = load::webhook(text(f, 0)?, text(f, 1)?, text(f, 2)?, int(f, 3)?)?;
        rows.webhooks.push(w);
        Ok(())
    })
    .await
}

/// The fields of one row; `None` is SQL's NULL.
type Fields<'a> = [Option<&'a [u8]>];

/// Runs `select` as a binary `COPY` and hands each row's fields to `row` as soon
/// as the row has arrived whole.
async fn copy(
    conn: &mut PgConnection,
    select: &str,
    mut row: impl FnMut(&Fields<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let statement = format!("COPY ({select}) TO STDOUT (FORMAT binary)");
    let mut stream = conn.copy_out_raw(&statement).await?;
    let mut copied = Copied::default();
    // Only a row split between two messages is copied here: PostgreSQL sends one
    // message per row, parsed where it lies.
    let mut partial: Vec<u8> = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if partial.is_empty() {
            let used = copied.rows(&chunk, &mut row)?;
            partial.extend_from_slice(&chunk[used..]);
        } else {
            partial.extend_from_slice(&chunk);
            let used = copied.rows(&partial, &mut row)?;
            partial.drain(..used);
        }
    }
    if !copied.ended {
        return Err(StoreError::Corrupt(format!(
            "{select}: the COPY ended early"
        )));
    }
    Ok(())
}

/// How far a binary COPY's stream has been read.
#[derive(Default)]
struct Copied {
    header: bool,
    ended: bool,
}

impl Copied {
    /// Hands every whole row at the front of `data` to `row`; returns how many
    /// bytes were used.
    fn rows(
        &mut self,
        data: &[u8],
        row: &mut impl FnMut(&Fields<'_>) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let mut at = 0;
        if !self.header {
            match parse_header(data)? {
                Some(len) => (at, self.header) = (len, true),
                None => return Ok(0),
            }
        }
        let mut fields = [None; MAX_FIELDS];
        while !self.ended {
            match parse_row(&data[at..], &mut fields)? {
                Parsed::Row { fields: n, len } => {
                    row(&fields[..n])?;
                    at += len;
                }
                Parsed::End => {
                    self.ended = true;
                    at += 2;
                }
                Parsed::Incomplete => break,
            }
        }
        Ok(at)
    }
}

/// The binary COPY's signature (PostgreSQL's docs, "Binary Format").
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// The header's length, once it has all arrived.
fn parse_header(buf: &[u8]) -> Result<Option<usize>, StoreError> {
    let fixed = SIGNATURE.len() + 8;
    if buf.len() < fixed {
        return Ok(None);
    }
    if &buf[..SIGNATURE.len()] != SIGNATURE {
        return Err(StoreError::Corrupt("not a binary COPY".into()));
    }
    let extension = be_i32(&buf[fixed - 4..]) as usize;
    Ok((buf.len() >= fixed + extension).then_some(fixed + extension))
}

enum Parsed {
    Row { fields: usize, len: usize },
    End,
    Incomplete,
}

/// One row from the front of `buf`, its fields pointing into it.
fn parse_row<'b>(buf: &'b [u8], fields: &mut [Option<&'b [u8]>]) -> Result<Parsed, StoreError> {
    if buf.len() < 2 {
        return Ok(Parsed::Incomplete);
    }
    let count = i16::from_be_bytes([buf[0], buf[1]]);
    if count == -1 {
        return Ok(Parsed::End);
    }
    let count = usize::try_from(count)
        .ok()
        .filter(|&n| n <= fields.len())
        .ok_or_else(|| StoreError::Corrupt(format!("a COPY row of {count} fields")))?;
    let mut at = 2;
    for field in fields.iter_mut().take(count) {
        if buf.len() < at + 4 {
            return Ok(Parsed::Incomplete);
        }
        let len = be_i32(&buf[at..]);
        at += 4;
        *field = match usize::try_from(len) {
            Err(_) => None, // -1: NULL
            Ok(len) if buf.len() < at + len => return Ok(Parsed::Incomplete),
            Ok(len) => {
                at += len;
                Some(&buf[at - len..at])
            }
        };
    }
    Ok(Parsed::Row {
        fields: count,
        len: at,
    })
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn field<'f>(f: &Fields<'f>, i: usize) -> Result<Option<&'f [u8]>, StoreError> {
    f.get(i)
        .copied()
        .ok_or_else(|| StoreError::Corrupt(format!("no column {i} in a COPY row")))
}

fn opt_text<'f>(f: &Fields<'f>, i: usize) -> Result<Option<&'f str>, StoreError> {
    field(f, i)?
        .map(|b| {
            std::str::from_utf8(b).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
        })
        .transpose()
}

fn text<'f>(f: &Fields<'f>, i: usize) -> Result<&'f str, StoreError> {
    opt_text(f, i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
}

/// A BIGINT: eight bytes, big-endian.
fn int(f: &Fields<'_>, i: usize) -> Result<i64, StoreError> {
    match field(f, i)? {
        Some(b) => <[u8; 8]>::try_from(b)
            .map(i64::from_be_bytes)
            .map_err(|_| StoreError::Corrupt(format!("column {i} is not a BIGINT"))),
        None => Err(StoreError::Corrupt(format!("column {i} is NULL"))),
    }
}
