//! The start-up's read of every organization: one scan per state table, ordered
//! by organization and then by key, split per organization as the rows stream,
//! all in one read transaction (docs/scaling.md#many-small-organizations). One
//! read per organization cost 26 ms each on a loaded machine, 43 minutes for
//! 100,000 of them, most of it waiting for the database. An organization of
//! `LARGE_FROM` members or objects or more is left out of the scans and read
//! alone by the bulk readers (`load_sqlite.rs`, `load_postgres.rs`).

use super::load;
use super::{load_many_postgres, load_many_sqlite, sqlite_file, Dialect, Head, Store, StoreError};
use steward_core::{OrgId, State, StateRows};
use tokio::sync::mpsc;

/// One organization from the scans, in id order.
pub enum Loaded {
    /// Read by the scans and restored on the reader's thread: what remains is
    /// its check snapshot.
    Restored(OrgId, Box<State>, Head),
    /// To read on its own (`Store::load_org`): a large organization, or every
    /// one of an in-memory SQLite database, which rusqlite cannot see.
    Alone(OrgId),
}

/// How many organizations the reader runs ahead of the one being built: it
/// restores on its own thread while the caller builds snapshots.
const AHEAD: usize = 64;

/// From this many members or objects on, an organization is read alone, by the
/// bulk readers (two connections, two threads: `load_sqlite.rs`).
pub(super) const LARGE_FROM: i64 = 25_000;

impl Store {
    /// Every organization, in id order, as the reader gets to it. The reader
    /// stops when the receiver is dropped; an error ends the stream.
    pub fn load_every_org(&self) -> mpsc::Receiver<Result<Loaded, StoreError>> {
        let (tx, rx) = mpsc::channel(AHEAD);
        let file = match self.dialect {
            Dialect::Sqlite => (self.url.expose().strip_prefix("sqlite:")).and_then(sqlite_file),
            Dialect::Postgres => None,
        };
        match (self.dialect, file, self.bulk.clone()) {
            (Dialect::Sqlite, Some(path), _) => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = load_many_sqlite::scan(&path, &tx) {
                        let _ = tx.blocking_send(Err(e));
                    }
                });
            }
            (Dialect::Postgres, _, Some(pool)) => {
                tokio::spawn(async move {
                    if let Err(e) = load_many_postgres::scan(pool, tx.clone()).await {
                        let _ = tx.send(Err(e)).await;
                    }
                });
            }
            _ => {
                let store = self.clone();
                tokio::spawn(async move {
                    match store.organization_ids().await {
                        Ok(ids) => {
                            for id in ids {
                                if tx.send(Ok(Loaded::Alone(id))).await.is_err() {
                                    return;
                                }
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e)).await;
                        }
                    }
                });
            }
        }
        rx
    }
}

/// A row's fields, from either database's driver, borrowed where they lie.
pub(super) trait Fields {
    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError>;
    fn int(&self, i: usize) -> Result<i64, StoreError>;
    fn text(&self, i: usize) -> Result<&str, StoreError> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
    }
}

/// One state table's scan: column 0 is `org_id`, then `columns`, ordered by
/// the organization and then `key` (the table's primary key, whose index SQLite
/// reads in that order; PostgreSQL's order of text is its collation's, which
/// the restore does not rely on).
pub(super) struct Table {
    name: &'static str,
    columns: &'static str,
    key: &'static str,
    /// Adds one row (its fields after `org_id`) to its organization's rows.
    pub add: fn(&dyn Fields, &mut StateRows) -> Result<(), StoreError>,
}

impl Table {
    /// The scan's statement from just after the organization `after` (a validated
    /// id, written into the text; `""` for the first): the rows up to the next
    /// large organization are what the scan reads (load_many_sqlite.rs).
    pub fn select(&self, after: &str) -> String {
        let (name, columns, key) = (self.name, self.columns, self.key);
        format!(
            "SELECT org_id, {columns} FROM {name} WHERE org_id > '{after}' ORDER BY org_id{key}"
        )
    }
}

/// The organizations, with their heads, in id order: what the scans are split by.
pub(super) const ORGANIZATIONS: &str = "SELECT id, name, owner_id, deleted, head_seq, head_hash, \
     second_factor_required, on_deprovision FROM organizations ORDER BY id";

/// How many organizations there are: `large_sql` chooses by it.
pub(super) const COUNT_ORGANIZATIONS: &str = "SELECT count(*) FROM organizations";

/// Up to this many organizations, the large ones are found by probing each (a
/// step into each table's primary-key index, `LARGE_FROM` entries along: a few
/// microseconds each, a few milliseconds in all; on PostgreSQL planned as index
/// scans whatever the statistics, `load_many_postgres::index_scans_only`); past
/// it, by counting every row of both tables once, which costs what the rows do
/// whatever their number of organizations. For one organization of 1,000,000
/// members and 1,000,000 objects the count was a scan of 2,000,000 index
/// entries before the organization itself was read
/// (docs/benchmarks.md#start-up-at-1000000--1000000).
pub(super) const PROBE_UP_TO: i64 = 1_000;

/// The organizations read alone: `LARGE_FROM` members or objects or more, among
/// `organizations` organizations (`COUNT_ORGANIZATIONS`).
pub(super) fn large_sql(organizations: i64) -> String {
    if organizations <= PROBE_UP_TO {
        let skip = LARGE_FROM - 1;
        let at = |table: &str| {
            format!("EXISTS (SELECT 1 FROM {table} WHERE org_id = o.id LIMIT 1 OFFSET {skip})")
        };
        return format!(
            "SELECT id FROM organizations o WHERE {} OR {}",
            at("memberships"),
            at("objects")
        );
    }
    let of = |table: &str| {
        format!("SELECT org_id FROM {table} GROUP BY org_id HAVING COUNT(*) >= {LARGE_FROM}")
    };
    format!("{} UNION {}", of("memberships"), of("objects"))
}

/// A large organization's id, as the database has it.
pub(super) fn large_id(id: &str) -> Result<OrgId, StoreError> {
    OrgId::parse(id).map_err(|e| StoreError::Corrupt(format!("{id:?}: {e}")))
}

/// An organization's row (`ORGANIZATIONS`): its id, its rows so far (the
/// organization's own), and its head.
pub(super) fn organization(f: &dyn Fields) -> Result<(OrgId, StateRows, Head), StoreError> {
    let org = large_id(f.text(0)?)?;
    let (name, owner, deleted) = (f.text(1)?, f.text(2)?, f.int(3)?);
    let info = load::org_info(&org, name, owner, deleted, f.int(6)?, f.text(7)?)?;
    let head = Head {
        seq: f.int(4)?,
        hash: f.text(5)?.to_string(),
    };
    let rows = StateRows {
        org: Some(info),
        ..StateRows::default()
    };
    Ok((org, rows, head))
}

/// The state tables, with the columns the per-organization readers read
/// (`load::sql`) and the same functions making each row the core's value.
pub(super) static TABLES: [Table; 8] = [
    Table {
        name: "memberships",
        columns: "user_id, email, name, role, suspended",
        key: ", user_id",
        add: |f, rows| {
            let (user, email, name, role) = (f.text(1)?, f.text(2)?, f.text(3)?, f.text(4)?);
            rows.members
                .push(load::member(user, email, name, role, f.int(5)?)?);
            Ok(())
        },
    },
    Table {
        name: "scope_roles",
        columns: "user_id, object_id, role",
        key: ", user_id, object_id, role",
        add: |f, rows| {
            let s = load::scope_role(f.text(1)?, f.text(2)?, f.text(3)?)?;
            rows.scope_roles.push(s);
            Ok(())
        },
    },
    Table {
        name: "objects",
        columns: "id, type, name, parent_id, owner_id",
        key: ", id",
        add: |f, rows| {
            let (parent, owner) = (f.opt_text(4)?, f.opt_text(5)?);
            let o = load::object(
                f.text(1)?,
                f.text(2)?,
                f.text(3)?,
                parent,
                owner,
                rows.objects.last(),
            )?;
            rows.objects.push(o);
            Ok(())
        },
    },
    Table {
        name: "grants",
        columns: "object_id, user_id, action",
        key: ", object_id, user_id, action",
        add: |f, rows| {
            rows.grants
                .push(load::grant(f.text(1)?, f.text(2)?, f.text(3)?)?);
            Ok(())
        },
    },
    Table {
        name: "invitations",
        columns: "id, email, name, role, scopes, expires_at",
        key: ", id",
        add: |f, rows| {
            let (id, email, name) = (f.text(1)?, f.text(2)?, f.opt_text(3)?);
            let (role, scopes) = (f.text(4)?, f.text(5)?);
            let i = load::invitation(id, email, name, role, scopes, f.int(6)?)?;
            rows.invitations.push(i);
            Ok(())
        },
    },
    Table {
        name: "nominations",
        columns: "id, from_user, to_user, expires_at",
        key: "",
        add: |f, rows| {
            let n = load::nomination(f.text(1)?, f.text(2)?, f.text(3)?, f.int(4)?)?;
            rows.nomination = Some(n);
            Ok(())
        },
    },
    Table {
        name: "api_keys",
        columns: "id, key_hash, name, actions, created_by, created_at",
        key: ", id",
        add: |f, rows| {
            let (id, hash, name, actions) = (f.text(1)?, f.text(2)?, f.text(3)?, f.text(4)?);
            let k = load::api_key(id, hash, name, actions, f.text(5)?, f.int(6)?)?;
            rows.api_keys.push(k);
            Ok(())
        },
    },
    Table {
        name: "webhooks",
        columns: "id, url, event_types, enabled",
        key: ", id",
        add: |f, rows| {
            let w = load::webhook(f.text(1)?, f.text(2)?, f.text(3)?, f.int(4)?)?;
            rows.webhooks.push(w);
            Ok(())
        },
    },
];

/// After the last organization, a scan with rows left had rows of an
/// organization `organizations` does not list (or not in its order); and so
/// did one whose next row, when the organizations reach a large one, comes
/// before that organization's rows: the scan goes on after the large one, and
/// would pass over it.
pub(super) fn left_over(table: &Table) -> StoreError {
    StoreError::Corrupt(format!(
        "{}: rows of an organization not in `organizations`, or out of its order",
        table.name
    ))
}

/// Restores an organization read by the scans (on the reader's thread).
pub(super) fn restored(org: OrgId, rows: StateRows, head: Head) -> Loaded {
    Loaded::Restored(org, Box::new(State::restore(rows)), head)
}
