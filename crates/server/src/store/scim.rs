//! SCIM provisioning's own rows (migration 0007): what a directory knows of a
//! person or group beyond the model, the mapping of its groups to roles, and
//! the requests it sent. Members and roles are not here: they change through
//! `decide` like every other change.

use super::accounts::{insert_account, Account};
use super::{OrgTx, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

/// One person a directory provisioned (`scim_users`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimUserRow {
    pub user_id: String,
    /// Lower case: SCIM compares `userName` without case.
    pub user_name: String,
    pub external_id: Option<String>,
    pub active: bool,
    /// The SCIM attributes as last sent (JSON).
    pub body: String,
    pub updated_at: i64,
}

/// One directory group and the role it maps to (`scim_groups`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimGroupRow {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    /// `None`: the group means nothing in the organization yet.
    pub role: Option<String>,
    /// `None` with a role: the organization role; otherwise a role on this object.
    pub object_id: Option<String>,
    pub updated_at: i64,
}

/// One request a directory sent, as the Provisioning page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimRequestRow {
    /// Unix milliseconds.
    pub at: i64,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub outcome: String,
}

/// What a provisioning use case stores with a change, in the change's own
/// transaction (`Service::execute_in_turn_with`): the directory's record of a
/// person commits with the membership it maps, or neither does.
#[derive(Debug, Clone)]
pub enum Alongside {
    /// A new account, for a person the directory is the first to send.
    Account(Account),
    /// Inserts or replaces a person's record.
    ScimUser(ScimUserRow),
    /// Forgets a person's record (by account id), and their place in the
    /// directory's groups.
    ForgetScimUser(String),
    /// Inserts or replaces a group, and with `Some`, its members too.
    ScimGroup(ScimGroupRow, Option<Vec<String>>),
}

impl OrgTx {
    /// Stores `row` in this change, for its organization.
    pub async fn write_alongside(&mut self, row: &Alongside) -> Result<(), StoreError> {
        let org = self.org.as_str().to_string();
        let conn = super::group::live(&mut self.tx)?;
        match row {
            Alongside::Account(account) => insert_account(conn, account).await,
            Alongside::ScimUser(user) => put_user(conn, &org, user).await,
            Alongside::ForgetScimUser(user) => forget_user(conn, &org, user).await,
            Alongside::ScimGroup(group, members) => {
                put_group(conn, &org, group, members.as_deref()).await
            }
        }
    }
}

async fn put_user(
    conn: &mut AnyConnection,
    org: &str,
    row: &ScimUserRow,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM scim_users WHERE org_id = $1 AND user_id = $2")
        .bind(org)
        .bind(&row.user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO scim_users (org_id, user_id, user_name, external_id, active, body, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org)
    .bind(&row.user_id)
    .bind(&row.user_name)
    .bind(row.external_id.clone())
    .bind(i64::from(row.active))
    .bind(&row.body)
    .bind(row.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn forget_user(conn: &mut AnyConnection, org: &str, user: &str) -> Result<(), StoreError> {
    for table in ["scim_users", "scim_group_members"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE org_id = $1 AND user_id = $2"
        ))
        .bind(org)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn put_group(
    conn: &mut AnyConnection,
    org: &str,
    row: &ScimGroupRow,
    members: Option<&[String]>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM scim_groups WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(&row.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO scim_groups (org_id, id, display_name, external_id, role, object_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org)
    .bind(&row.id)
    .bind(&row.display_name)
    .bind(row.external_id.clone())
    .bind(row.role.clone())
    .bind(row.object_id.clone())
    .bind(row.updated_at)
    .execute(&mut *conn)
    .await?;
    if let Some(members) = members {
        sqlx::query("DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2")
            .bind(org)
            .bind(&row.id)
            .execute(&mut *conn)
            .await?;
        for user in members {
            sqlx::query(
                "INSERT INTO scim_group_members (org_id, group_id, user_id) VALUES ($1, $2, $3)",
            )
            .bind(org)
            .bind(&row.id)
            .bind(user)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// How many requests are kept per organization.
const REQUESTS_KEPT: i64 = 200;

/// Requests per INSERT statement (6 parameters each: well under SQLite's limit).
const REQUESTS_PER_INSERT: usize = 100;

fn user_row(r: &AnyRow) -> Result<ScimUserRow, StoreError> {
    Ok(ScimUserRow {
        user_id: r.try_get(0)?,
        user_name: r.try_get(1)?,
        external_id: r.try_get(2)?,
        active: r.try_get::<i64, _>(3)? != 0,
        body: r.try_get(4)?,
        updated_at: r.try_get(5)?,
    })
}

fn group_row(r: &AnyRow) -> Result<ScimGroupRow, StoreError> {
    Ok(ScimGroupRow {
        id: r.try_get(0)?,
        display_name: r.try_get(1)?,
        external_id: r.try_get(2)?,
        role: r.try_get(3)?,
        object_id: r.try_get(4)?,
        updated_at: r.try_get(5)?,
    })
}

const USER_COLUMNS: &str = "user_id, user_name, external_id, active, body, updated_at";
const GROUP_COLUMNS: &str = "id, display_name, external_id, role, object_id, updated_at";

impl Store {
    pub async fn scim_users(&self, org: &str) -> Result<Vec<ScimUserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM scim_users WHERE org_id = $1");
        let rows = sqlx::query(&sql).bind(org).fetch_all(self.pool()).await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn scim_user(
        &self,
        org: &str,
        user: &str,
    ) -> Result<Option<ScimUserRow>, StoreError> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM scim_users WHERE org_id = $1 AND user_id = $2");
        let row = sqlx::query(&sql)
            .bind(org)
            .bind(user)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// The person a `userName` (lower case) names, if any.
    pub async fn scim_user_by_name(
        &self,
        org: &str,
        user_name: &str,
    ) -> Result<Option<ScimUserRow>, StoreError> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM scim_users WHERE org_id = $1 AND user_name = $2");
        let row = sqlx::query(&sql)
            .bind(org)
            .bind(user_name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// Inserts or replaces the person's row.
    pub async fn put_scim_user(&self, org: &str, row: &ScimUserRow) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        put_user(&mut tx, org, row).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the person, and their place in the directory's groups.
    pub async fn delete_scim_user(&self, org: &str, user: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        forget_user(&mut tx, org, user).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn scim_groups(&self, org: &str) -> Result<Vec<ScimGroupRow>, StoreError> {
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM scim_groups WHERE org_id = $1 ORDER BY display_name"
        );
        let rows = sqlx::query(&sql).bind(org).fetch_all(self.pool()).await?;
        rows.iter().map(group_row).collect()
    }

    pub async fn scim_group(
        &self,
        org: &str,
        group: &str,
    ) -> Result<Option<ScimGroupRow>, StoreError> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM scim_groups WHERE org_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(org)
            .bind(group)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(group_row).transpose()
    }

    /// Inserts or replaces the group, and with `members`, its members too.
    pub async fn put_scim_group(
        &self,
        org: &str,
        row: &ScimGroupRow,
        members: Option<&[String]>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        put_group(&mut tx, org, row, members).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_scim_group(&self, org: &str, group: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for (table, column) in [("scim_groups", "id"), ("scim_group_members", "group_id")] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE org_id = $1 AND {column} = $2"
            ))
            .bind(org)
            .bind(group)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every (group, member) pair of the organization's directory groups.
    pub async fn scim_group_members(&self, org: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT group_id, user_id FROM scim_group_members WHERE org_id = $1 ORDER BY group_id, user_id",
        )
        .bind(org)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// The members of one group.
    pub async fn scim_group_member_ids(
        &self,
        org: &str,
        group: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id FROM scim_group_members WHERE org_id = $1 AND group_id = $2 ORDER BY user_id",
        )
        .bind(org)
        .bind(group)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Keeps requests for the Provisioning page (organization, request), all
    /// in one transaction, and only the last `REQUESTS_KEPT` of each
    /// organization they name.
    pub async fn log_scim_requests(
        &self,
        requests: &[(String, ScimRequestRow)],
    ) -> Result<(), StoreError> {
        if requests.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for chunk in requests.chunks(REQUESTS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO scim_requests (org_id, at, method, path, status, outcome) VALUES {}",
                super::rows::tuples(self.dialect(), chunk.len(), 6, 1)
            );
            let mut query = sqlx::query(&sql);
            for (org, row) in chunk {
                query = query
                    .bind(org.as_str())
                    .bind(row.at)
                    .bind(row.method.as_str())
                    .bind(row.path.as_str())
                    .bind(row.status)
                    .bind(row.outcome.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        let orgs: std::collections::BTreeSet<&str> =
            requests.iter().map(|(org, _)| org.as_str()).collect();
        for org in orgs {
            sqlx::query(
                "DELETE FROM scim_requests WHERE org_id = $1 AND at < \
                 (SELECT MIN(at) FROM (SELECT at FROM scim_requests WHERE org_id = $1 \
                  ORDER BY at DESC LIMIT $2) AS kept)",
            )
            .bind(org)
            .bind(REQUESTS_KEPT)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The last requests, newest first.
    pub async fn scim_requests(
        &self,
        org: &str,
        limit: i64,
    ) -> Result<Vec<ScimRequestRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, method, path, status, outcome FROM scim_requests WHERE org_id = $1 \
             ORDER BY at DESC LIMIT $2",
        )
        .bind(org)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ScimRequestRow {
                    at: r.try_get(0)?,
                    method: r.try_get(1)?,
                    path: r.try_get(2)?,
                    status: r.try_get(3)?,
                    outcome: r.try_get(4)?,
                })
            })
            .collect()
    }
}
