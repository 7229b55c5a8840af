//! Reads an organization's state tables back into a `State`.

use super::rows::SYSTEM_CREATOR;
use super::{parse_id, parse_opt_id, Head, Store, StoreError};
use sqlx::{AnyConnection, Row as _};
use std::collections::BTreeSet;
use steward_core::state::{Invitation, Member, Nomination, Object, OrgInfo};
use steward_core::{
    ApiKey, ApiKeyId, Deprovision, Email, InvitationId, Name, NominationId, ObjectId, OrgId, State,
    StateRows, Timestamp, UserId, Webhook, WebhookId,
};

impl Store {
    /// The organization's state and the head of its chain, read in one snapshot of
    /// the database (a transaction) so the two agree: each table below is read
    /// in that same transaction.
    pub async fn load_org(&self, org: &OrgId) -> Result<(State, Head), StoreError> {
        let mut tx = self.begin_read().await?;
        let (info, head) = organization(&mut tx, org).await?;
        let rows = StateRows {
            org: Some(info),
            members: members(&mut tx, org).await?,
            scope_roles: scope_roles(&mut tx, org).await?,
            objects: objects(&mut tx, org).await?,
            grants: grants(&mut tx, org).await?,
            invitations: invitations(&mut tx, org).await?,
            nomination: nomination(&mut tx, org).await?,
            api_keys: api_keys(&mut tx, org).await?,
            webhooks: webhooks(&mut tx, org).await?,
        };
        tx.commit().await?;
        Ok((State::restore(rows), head))
    }
}

/// The organization's own row, and the head of its chain.
async fn organization(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<(OrgInfo, Head), StoreError> {
    let Some(r) = sqlx::query(
        "SELECT name, owner_id, deleted, head_seq, head_hash, second_factor_required, \
         on_deprovision FROM organizations WHERE id = $1",
    )
    .bind(org.as_str())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Err(StoreError::NoSuchOrganization(org.to_string()));
    };
    let head = Head {
        seq: r.try_get(3)?,
        hash: r.try_get(4)?,
    };
    let info = OrgInfo {
        id: org.clone(),
        name: parse_id(&r, 0, Name::parse)?,
        owner: parse_id(&r, 1, UserId::parse)?,
        deleted: r.try_get::<i64, _>(2)? != 0,
        second_factor_required: r.try_get::<i64, _>(5)? != 0,
        on_deprovision: parse_id(&r, 6, |s| {
            Deprovision::parse(s).ok_or_else(|| format!("unknown on_deprovision {s:?}"))
        })?,
    };
    Ok((info, head))
}

async fn members(conn: &mut AnyConnection, org: &OrgId) -> Result<Vec<Member>, StoreError> {
    sqlx::query("SELECT user_id, email, name, role, suspended FROM memberships WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Member {
                user_id: parse_id(r, 0, UserId::parse)?,
                email: parse_id(r, 1, Email::from_stored)?,
                name: parse_id(r, 2, Name::parse)?,
                role: r.try_get(3)?,
                suspended: r.try_get::<i64, _>(4)? != 0,
            })
        })
        .collect()
}

async fn scope_roles(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Vec<(UserId, ObjectId, String)>, StoreError> {
    sqlx::query("SELECT user_id, object_id, role FROM scope_roles WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                parse_id(r, 0, UserId::parse)?,
                parse_id(r, 1, ObjectId::parse)?,
                r.try_get(2)?,
            ))
        })
        .collect()
}

async fn objects(conn: &mut AnyConnection, org: &OrgId) -> Result<Vec<Object>, StoreError> {
    sqlx::query("SELECT id, type, name, parent_id, owner_id FROM objects WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Object {
                id: parse_id(r, 0, ObjectId::parse)?,
                object_type: r.try_get(1)?,
                name: parse_id(r, 2, Name::parse)?,
                parent: parse_opt_id(r, 3, ObjectId::parse)?,
                owner: parse_opt_id(r, 4, UserId::parse)?,
                children: BTreeSet::new(),
            })
        })
        .collect()
}

async fn grants(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Vec<(ObjectId, UserId, String)>, StoreError> {
    sqlx::query("SELECT object_id, user_id, action FROM grants WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                parse_id(r, 0, ObjectId::parse)?,
                parse_id(r, 1, UserId::parse)?,
                r.try_get(2)?,
            ))
        })
        .collect()
}

async fn invitations(conn: &mut AnyConnection, org: &OrgId) -> Result<Vec<Invitation>, StoreError> {
    sqlx::query(
        "SELECT id, email, name, role, scopes, expires_at FROM invitations WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let scopes: String = r.try_get(4)?;
        Ok(Invitation {
            id: parse_id(r, 0, InvitationId::parse)?,
            email: parse_id(r, 1, Email::from_stored)?,
            name: parse_opt_id(r, 2, Name::parse)?,
            role: r.try_get(3)?,
            scopes: serde_json::from_str(&scopes)
                .map_err(|e| StoreError::Corrupt(format!("invitation scopes: {e}")))?,
            expires_at: Timestamp(r.try_get(5)?),
        })
    })
    .collect()
}

/// The pending ownership transfer; an organization has at most one.
async fn nomination(
    conn: &mut AnyConnection,
    org: &OrgId,
) -> Result<Option<Nomination>, StoreError> {
    sqlx::query("SELECT id, from_user, to_user, expires_at FROM nominations WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| {
            Ok(Nomination {
                id: parse_id(&r, 0, NominationId::parse)?,
                from_user: parse_id(&r, 1, UserId::parse)?,
                to_user: parse_id(&r, 2, UserId::parse)?,
                expires_at: Timestamp(r.try_get(3)?),
            })
        })
        .transpose()
}

async fn api_keys(conn: &mut AnyConnection, org: &OrgId) -> Result<Vec<ApiKey>, StoreError> {
    sqlx::query(
        "SELECT id, key_hash, name, actions, created_by, created_at FROM api_keys \
         WHERE org_id = $1",
    )
    .bind(org.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let actions: String = r.try_get(3)?;
        Ok(ApiKey {
            id: parse_id(r, 0, ApiKeyId::parse)?,
            key_hash: r.try_get(1)?,
            name: parse_id(r, 2, Name::parse)?,
            permissions: serde_json::from_str(&actions)
                .map_err(|e| StoreError::Corrupt(format!("API key actions: {e}")))?,
            created_by: parse_id(r, 4, |s| match s {
                SYSTEM_CREATOR => Ok(None),
                u => UserId::parse(u).map(Some),
            })?,
            created_at: Timestamp(r.try_get(5)?),
        })
    })
    .collect()
}

async fn webhooks(conn: &mut AnyConnection, org: &OrgId) -> Result<Vec<Webhook>, StoreError> {
    sqlx::query("SELECT id, url, event_types, enabled FROM webhooks WHERE org_id = $1")
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let types: String = r.try_get(2)?;
            let enabled: i64 = r.try_get(3)?;
            Ok(Webhook {
                id: parse_id(r, 0, WebhookId::parse)?,
                url: r.try_get(1)?,
                event_types: serde_json::from_str(&types)
                    .map_err(|e| StoreError::Corrupt(format!("webhook event types: {e}")))?,
                enabled: enabled != 0,
            })
        })
        .collect()
}
