//! Reads an organization's state tables back into a `State`: through a bulk reader
//! made for the start-up's millions of rows (rusqlite for an SQLite file,
//! binary `COPY` for PostgreSQL), or row by row through sqlx (an in-memory SQLite
//! database, and the reference the bulk readers are tested against). Either way each
//! row becomes the core's value through the one set of functions below.

use super::rows::SYSTEM_CREATOR;
use super::{load_postgres, load_sqlite, sqlite_file, Dialect, Head, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use steward_core::state::{Children, Invitation, Member, Nomination, Object, OrgInfo};
use steward_core::{
    ApiKey, ApiKeyId, Deprovision, Email, InvitationId, Name, NominationId, ObjectId, OrgId, State,
    StateRows, Timestamp, UserId, Webhook, WebhookId,
};

impl Store {
    /// The organization's state and the head of its chain, read in one snapshot of
    /// the database (a transaction) so the two agree.
    pub async fn load_org(&self, org: &OrgId) -> Result<(State, Head), StoreError> {
        let (rows, head) = self.load_rows(org).await?;
        Ok((State::restore(rows), head))
    }

    /// `load_org`'s rows, before `State::restore` (the bench times the two apart).
    pub async fn load_rows(&self, org: &OrgId) -> Result<(StateRows, Head), StoreError> {
        Ok(match self.dialect {
            Dialect::Sqlite => {
                let url = self.url.expose();
                match url.strip_prefix("sqlite:").and_then(sqlite_file) {
                    Some(path) => load_sqlite::read(path, org.clone()).await?,
                    // rusqlite cannot see sqlx's in-memory database.
                    None => self.rows_one_by_one(org).await?,
                }
            }
            Dialect::Postgres => load_postgres::read(self.bulk_pool()?, org).await?,
        })
    }

    /// `load_org` row by row through sqlx's `Any` driver: what an in-memory SQLite
    /// database is read with, and what the bulk readers must equal
    /// (tests/storage/bulk_load.rs).
    pub async fn load_org_by_rows(&self, org: &OrgId) -> Result<(State, Head), StoreError> {
        let (rows, head) = self.rows_one_by_one(org).await?;
        Ok((State::restore(rows), head))
    }

    async fn rows_one_by_one(&self, org: &OrgId) -> Result<(StateRows, Head), StoreError> {
        let mut tx = self.begin_read().await?;
        let conn = &mut *tx;
        let org_row = sqlx::query(&sql::organization(org))
            .fetch_optional(&mut *conn)
            .await?;
        let Some(r) = org_row else {
            return Err(StoreError::NoSuchOrganization(org.to_string()));
        };
        let head = Head {
            seq: r.try_get(3)?,
            hash: r.try_get(4)?,
        };
        let info = org_info(
            org,
            &text(&r, 0)?,
            &text(&r, 1)?,
            int(&r, 2)?,
            int(&r, 5)?,
            &text(&r, 6)?,
        )?;
        let mut rows = StateRows {
            org: Some(info),
            ..StateRows::default()
        };
        for r in all(conn, &sql::members(org)).await? {
            let (u, e, n, role) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?, text(&r, 3)?);
            rows.members.push(member(&u, &e, &n, &role, int(&r, 4)?)?);
        }
        for r in all(conn, &sql::scope_roles(org)).await? {
            let (u, o, role) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            rows.scope_roles.push(scope_role(&u, &o, &role)?);
        }
        for r in all(conn, &sql::objects(org)).await? {
            let (id, ty, n) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            let (parent, owner) = (opt_text(&r, 3)?, opt_text(&r, 4)?);
            let before = rows.objects.last();
            let o = object(&id, &ty, &n, parent.as_deref(), owner.as_deref(), before)?;
            rows.objects.push(o);
        }
        for r in all(conn, &sql::grants(org)).await? {
            let (o, u, action) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            rows.grants.push(grant(&o, &u, &action)?);
        }
        for r in all(conn, &sql::invitations(org)).await? {
            let (id, e, n) = (text(&r, 0)?, text(&r, 1)?, opt_text(&r, 2)?);
            let (role, scopes) = (text(&r, 3)?, text(&r, 4)?);
            let i = invitation(&id, &e, n.as_deref(), &role, &scopes, int(&r, 5)?)?;
            rows.invitations.push(i);
        }
        for r in all(conn, &sql::nominations(org)).await? {
            let (id, from, to) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            rows.nomination = Some(nomination(&id, &from, &to, int(&r, 3)?)?);
        }
        for r in all(conn, &sql::api_keys(org)).await? {
            let (id, hash, n, actions) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?, text(&r, 3)?);
            let by = text(&r, 4)?;
            rows.api_keys
                .push(api_key(&id, &hash, &n, &actions, &by, int(&r, 5)?)?);
        }
        for r in all(conn, &sql::webhooks(org)).await? {
            let (id, url, types) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            rows.webhooks.push(webhook(&id, &url, &types, int(&r, 3)?)?);
        }
        tx.commit().await?;
        Ok((rows, head))
    }
}

async fn all(conn: &mut AnyConnection, sql: &str) -> Result<Vec<AnyRow>, StoreError> {
    Ok(sqlx::query(sql).fetch_all(conn).await?)
}

fn text(r: &AnyRow, i: usize) -> Result<String, StoreError> {
    Ok(r.try_get(i)?)
}

fn opt_text(r: &AnyRow, i: usize) -> Result<Option<String>, StoreError> {
    Ok(r.try_get(i)?)
}

fn int(r: &AnyRow, i: usize) -> Result<i64, StoreError> {
    Ok(r.try_get(i)?)
}

/// The statements every reader runs, so that all of them read the same columns in
/// the same order. The organization's id is written into the text (a validated id:
/// letters, digits, `-`, `_` and `.`): PostgreSQL's `COPY` takes no parameters.
pub(super) mod sql {
    use steward_core::OrgId;

    fn of(org: &OrgId, columns: &str, table: &str, order: &str) -> String {
        format!("SELECT {columns} FROM {table} WHERE org_id = '{org}'{order}")
    }

    /// The organization and its head. Every column is TEXT or BIGINT (the schema
    /// has no other types), which the binary `COPY` decodes as eight bytes.
    pub fn organization(org: &OrgId) -> String {
        format!(
            "SELECT name, owner_id, deleted, head_seq, head_hash, second_factor_required, \
             on_deprovision FROM organizations WHERE id = '{org}'"
        )
    }

    /// Members and objects in key order, which the PRIMARY KEY's index gives SQLite
    /// for free and which lets `State::restore` build its trees without sorting.
    /// PostgreSQL orders text by its collation, not byte by byte as Rust does, so
    /// there the order is left to the restore.
    pub fn members(org: &OrgId) -> String {
        of(
            org,
            "user_id, email, name, role, suspended",
            "memberships",
            "",
        )
    }
    pub fn members_ordered(org: &OrgId) -> String {
        of(
            org,
            "user_id, email, name, role, suspended",
            "memberships",
            " ORDER BY user_id",
        )
    }
    pub fn objects(org: &OrgId) -> String {
        of(org, "id, type, name, parent_id, owner_id", "objects", "")
    }
    pub fn objects_ordered(org: &OrgId) -> String {
        of(
            org,
            "id, type, name, parent_id, owner_id",
            "objects",
            " ORDER BY id",
        )
    }
    pub fn scope_roles(org: &OrgId) -> String {
        of(org, "user_id, object_id, role", "scope_roles", "")
    }
    pub fn grants(org: &OrgId) -> String {
        of(org, "object_id, user_id, action", "grants", "")
    }
    pub fn invitations(org: &OrgId) -> String {
        let columns = "id, email, name, role, scopes, expires_at";
        of(org, columns, "invitations", "")
    }
    /// An organization has at most one pending ownership transfer.
    pub fn nominations(org: &OrgId) -> String {
        of(org, "id, from_user, to_user, expires_at", "nominations", "")
    }
    pub fn api_keys(org: &OrgId) -> String {
        let columns = "id, key_hash, name, actions, created_by, created_at";
        of(org, columns, "api_keys", "")
    }
    pub fn webhooks(org: &OrgId) -> String {
        of(org, "id, url, event_types, enabled", "webhooks", "")
    }
}

/// Parses a stored id with the core's own parser: a row edited by hand is refused
/// by name, not held.
fn id<T, E: std::fmt::Display>(
    s: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(s).map_err(|e| StoreError::Corrupt(format!("{s:?}: {e}")))
}

fn opt_id<T, E: std::fmt::Display>(
    s: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    s.map(|s| id(s, parse)).transpose()
}

fn json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(super) fn org_info(
    org: &OrgId,
    name: &str,
    owner: &str,
    deleted: i64,
    second_factor_required: i64,
    on_deprovision: &str,
) -> Result<OrgInfo, StoreError> {
    Ok(OrgInfo {
        id: org.clone(),
        name: id(name, Name::parse)?,
        owner: id(owner, UserId::parse)?,
        deleted: deleted != 0,
        second_factor_required: second_factor_required != 0,
        on_deprovision: id(on_deprovision, |s| {
            Deprovision::parse(s).ok_or_else(|| format!("unknown on_deprovision {s:?}"))
        })?,
    })
}

pub(super) fn member(
    user_id: &str,
    email: &str,
    name: &str,
    role: &str,
    suspended: i64,
) -> Result<Member, StoreError> {
    Ok(Member {
        user_id: id(user_id, UserId::parse)?,
        email: id(email, Email::from_stored)?,
        name: id(name, Name::parse)?,
        role: role.into(),
        suspended: suspended != 0,
    })
}

pub(super) fn scope_role(
    user: &str,
    object: &str,
    role: &str,
) -> Result<(UserId, ObjectId, String), StoreError> {
    Ok((
        id(user, UserId::parse)?,
        id(object, ObjectId::parse)?,
        role.to_string(),
    ))
}

/// An object's row. `before` is the object read just before it, if any: when
/// both have the same owner the new one shares its string rather than parsing
/// and allocating one (objects mostly have a few owners; half of the start-up's
/// 1,000,000 sites name the same one), as `State::restore` would share it anyway.
pub(super) fn object(
    object_id: &str,
    object_type: &str,
    name: &str,
    parent: Option<&str>,
    owner: Option<&str>,
    before: Option<&Object>,
) -> Result<Object, StoreError> {
    let owner = match (owner, before.and_then(|b| b.owner.as_ref())) {
        (Some(o), Some(last)) if o == last.as_str() => Some(last.clone()),
        (o, _) => opt_id(o, UserId::parse)?,
    };
    Ok(Object {
        id: id(object_id, ObjectId::parse)?,
        object_type: object_type.into(),
        name: id(name, Name::parse)?,
        parent: opt_id(parent, ObjectId::parse)?,
        owner,
        children: Children::new(),
    })
}

pub(super) fn grant(
    object: &str,
    user: &str,
    action: &str,
) -> Result<(ObjectId, UserId, String), StoreError> {
    Ok((
        id(object, ObjectId::parse)?,
        id(user, UserId::parse)?,
        action.to_string(),
    ))
}

pub(super) fn invitation(
    invitation_id: &str,
    email: &str,
    name: Option<&str>,
    role: &str,
    scopes: &str,
    expires_at: i64,
) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id: id(invitation_id, InvitationId::parse)?,
        email: id(email, Email::from_stored)?,
        name: opt_id(name, Name::parse)?,
        role: role.to_string(),
        scopes: json(scopes, "invitation scopes")?,
        expires_at: Timestamp(expires_at),
    })
}

pub(super) fn nomination(
    nomination_id: &str,
    from_user: &str,
    to_user: &str,
    expires_at: i64,
) -> Result<Nomination, StoreError> {
    Ok(Nomination {
        id: id(nomination_id, NominationId::parse)?,
        from_user: id(from_user, UserId::parse)?,
        to_user: id(to_user, UserId::parse)?,
        expires_at: Timestamp(expires_at),
    })
}

pub(super) fn api_key(
    key_id: &str,
    key_hash: &str,
    name: &str,
    actions: &str,
    created_by: &str,
    created_at: i64,
) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: id(key_id, ApiKeyId::parse)?,
        key_hash: key_hash.to_string(),
        name: id(name, Name::parse)?,
        permissions: json(actions, "API key actions")?,
        created_by: id(created_by, |s| match s {
            SYSTEM_CREATOR => Ok(None),
            u => UserId::parse(u).map(Some),
        })?,
        created_at: Timestamp(created_at),
    })
}

pub(super) fn webhook(
    webhook_id: &str,
    url: &str,
    event_types: &str,
    enabled: i64,
) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: id(webhook_id, WebhookId::parse)?,
        url: url.to_string(),
        event_types: json(event_types, "webhook event types")?,
        enabled: enabled != 0,
    })
}
