//! The rows one check needs, and no others (`steward check`): the organization,
//! the user's membership, the object and its ancestors with their owners, and
//! the user's scope roles and grants on those. Each is read by its primary key,
//! so the cost is a few index probes however large the organization; the core's
//! own check then answers from this small state exactly as it would from the
//! whole one (docs/benchmarks.md#the-cli-check-at-1000000--1000000).

use super::load::{self, sql};
use super::{Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use std::collections::BTreeSet;
use steward_core::state::Object;
use steward_core::{ObjectId, OrgId, State, StateRows, UserId};

/// Parent links followed at most: a chain longer than any policy's levels is a
/// cycle or a corrupt table, and the check answers from the part read.
const MAX_DEPTH: usize = 1024;

impl Store {
    /// The part of the organization's state that the check of (`user`, any
    /// action, `object`) reads, in one snapshot of the database. `user` and
    /// `object` are the question's ids as asked: one that does not parse is one
    /// that does not exist.
    pub async fn load_question(
        &self,
        org: &OrgId,
        user: &str,
        object: &str,
    ) -> Result<State, StoreError> {
        let mut tx = self.begin_read().await?;
        let conn = &mut *tx;
        let org_row = sqlx::query(&sql::organization(org))
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NoSuchOrganization(org.to_string()))?;
        let info = load::org_info(
            org,
            &text(&org_row, 0)?,
            &text(&org_row, 1)?,
            int(&org_row, 2)?,
            int(&org_row, 5)?,
            &text(&org_row, 6)?,
        )?;
        let mut rows = StateRows {
            org: Some(info),
            ..StateRows::default()
        };
        // The organization's own id asks about its root, which has no row.
        if let Ok(object) = ObjectId::parse(object) {
            if object.as_str() != org.as_str() {
                rows.objects = chain(conn, org, object).await?;
            }
        }
        if let Ok(user) = UserId::parse(user) {
            let member = sqlx::query(
                "SELECT user_id, email, name, role, suspended FROM memberships \
                 WHERE org_id = $1 AND user_id = $2",
            )
            .bind(org.as_str())
            .bind(user.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(r) = member {
                let (u, e, n, role) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?, text(&r, 3)?);
                rows.members
                    .push(load::member(&u, &e, &n, &role, int(&r, 4)?)?);
                held_on_chain(conn, org, &user, &mut rows).await?;
            }
        }
        tx.commit().await?;
        Ok(State::restore(rows))
    }
}

/// `object` and its ancestors, child first, as far as the rows go: a parent
/// with no row ends the chain there, as it does when the whole organization is
/// read (such an object hangs from nothing the check can reach).
async fn chain(
    conn: &mut AnyConnection,
    org: &OrgId,
    object: ObjectId,
) -> Result<Vec<Object>, StoreError> {
    let mut objects = Vec::new();
    let mut seen = BTreeSet::new();
    let mut next = Some(object);
    while let Some(id) = next.take() {
        if objects.len() >= MAX_DEPTH || !seen.insert(id.clone()) {
            break;
        }
        let row = sqlx::query(
            "SELECT id, type, name, parent_id, owner_id FROM objects \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(r) = row else { break };
        let (id, ty, n) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
        let (parent, owner) = (opt_text(&r, 3)?, opt_text(&r, 4)?);
        let o = load::object(&id, &ty, &n, parent.as_deref(), owner.as_deref(), None)?;
        next = o.parent.clone();
        objects.push(o);
    }
    Ok(objects)
}

/// The user's scope roles and grants on the objects of the chain: one probe of
/// each table's primary key per object.
async fn held_on_chain(
    conn: &mut AnyConnection,
    org: &OrgId,
    user: &UserId,
    rows: &mut StateRows,
) -> Result<(), StoreError> {
    for object in &rows.objects {
        let roles = sqlx::query(
            "SELECT user_id, object_id, role FROM scope_roles \
             WHERE org_id = $1 AND user_id = $2 AND object_id = $3",
        )
        .bind(org.as_str())
        .bind(user.as_str())
        .bind(object.id.as_str())
        .fetch_all(&mut *conn)
        .await?;
        for r in roles {
            let (u, o, role) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            rows.scope_roles.push(load::scope_role(&u, &o, &role)?);
        }
        let grants = sqlx::query(
            "SELECT object_id, user_id, action FROM grants \
             WHERE org_id = $1 AND object_id = $2 AND user_id = $3",
        )
        .bind(org.as_str())
        .bind(object.id.as_str())
        .bind(user.as_str())
        .fetch_all(&mut *conn)
        .await?;
        for r in grants {
            let (o, u, action) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
            rows.grants.push(load::grant(&o, &u, &action)?);
        }
    }
    Ok(())
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
