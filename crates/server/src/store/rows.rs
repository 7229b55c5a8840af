//! The state tables, kept equal to the in-memory state: each event names the rows
//! it touches (`touched`, read from the state before it), and after the events are
//! folded those rows are written as the state now has them. One generic rule
//! instead of a hand-written SQL twin of every `apply` arm.

use super::script::Script;
use super::{Arg, Dialect, Head, StoreError};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};
use steward_core::{ApiKeyId, Change, InvitationId, ObjectId, OrgId, State, UserId, WebhookId};

/// One row (or group of rows) of the state tables.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Row {
    Org,
    Member(UserId),
    /// Every scope role the user holds.
    UserScopes(UserId),
    /// The user's roles on one scope.
    Scope(UserId, ObjectId),
    /// Every scope role held on the object.
    ObjectScopes(ObjectId),
    Object(ObjectId),
    Grant(ObjectId, UserId),
    UserGrants(UserId),
    ObjectGrants(ObjectId),
    Invitation(InvitationId),
    Nomination,
    ApiKey(ApiKeyId),
    Webhook(WebhookId),
}

/// The rows an event will change, named from the state before it is folded in.
pub fn touched(change: &Change, before: &State, out: &mut BTreeSet<Row>) {
    match change {
        Change::OrgCreated { owner_id, .. } => {
            out.insert(Row::Org);
            out.insert(Row::Member(owner_id.clone()));
        }
        Change::OrgDeleted { .. } => {
            out.insert(Row::Org);
        }
        Change::MemberInvited { invitation_id, .. }
        | Change::InvitationRevoked { invitation_id, .. }
        | Change::InvitationExpired { invitation_id, .. } => {
            out.insert(Row::Invitation(invitation_id.clone()));
        }
        Change::MemberJoined {
            invitation_id,
            user_id,
            ..
        } => {
            out.insert(Row::Member(user_id.clone()));
            out.insert(Row::UserScopes(user_id.clone()));
            if let Some(i) = invitation_id {
                out.insert(Row::Invitation(i.clone()));
            }
        }
        Change::MemberUpdated { user_id, .. }
        | Change::RoleChanged { user_id, .. }
        | Change::MemberSuspended { user_id, .. }
        | Change::MemberReinstated { user_id, .. } => {
            out.insert(Row::Member(user_id.clone()));
        }
        Change::MemberDeleted { user_id, .. } => {
            out.insert(Row::Member(user_id.clone()));
            out.insert(Row::UserScopes(user_id.clone()));
            out.insert(Row::UserGrants(user_id.clone()));
            out.insert(Row::Nomination);
            for o in before.objects() {
                if o.owner.as_ref() == Some(user_id) {
                    out.insert(Row::Object(o.id.clone()));
                }
            }
        }
        Change::ScopeRolesChanged {
            user_id, object_id, ..
        } => {
            out.insert(Row::Scope(user_id.clone(), object_id.clone()));
        }
        Change::TransferNominated { .. }
        | Change::TransferDeclined { .. }
        | Change::TransferCancelled { .. }
        | Change::TransferExpired { .. } => {
            out.insert(Row::Nomination);
        }
        Change::TransferAccepted { .. } => {
            out.insert(Row::Nomination);
            out.insert(Row::Org);
        }
        Change::DeprovisionChanged { .. } => {
            out.insert(Row::Org);
        }
        Change::ObjectCreated { object_id, .. } => {
            out.insert(Row::Object(object_id.clone()));
        }
        Change::ObjectDeleted { object_id } => {
            for o in before.subtree(object_id) {
                out.insert(Row::Object(o.id.clone()));
                out.insert(Row::ObjectScopes(o.id.clone()));
                out.insert(Row::ObjectGrants(o.id.clone()));
            }
        }
        Change::ObjectRenamed { object_id, .. } | Change::ObjectMoved { object_id, .. } => {
            out.insert(Row::Object(object_id.clone()));
        }
        Change::ObjectOwnerChanged { object_id, .. } => {
            for o in before.subtree(object_id) {
                out.insert(Row::Object(o.id.clone()));
            }
        }
        Change::GrantChanged {
            object_id, user_id, ..
        } => {
            out.insert(Row::Grant(object_id.clone(), user_id.clone()));
        }
        Change::ApiKeyCreated { key_id, .. } | Change::ApiKeyRevoked { key_id, .. } => {
            out.insert(Row::ApiKey(key_id.clone()));
        }
        Change::SecondFactorRequiredSet { .. } => {
            out.insert(Row::Org);
        }
        Change::WebhookConfigured { webhook_id, .. }
        | Change::WebhookRemoved { webhook_id, .. }
        | Change::WebhookDisabled { webhook_id, .. } => {
            out.insert(Row::Webhook(webhook_id.clone()));
        }
        Change::ImportApplied { .. }
        | Change::SecondFactorReset { .. }
        | Change::LoginFailed { .. }
        | Change::PasswordReset { .. }
        | Change::PasswordChanged { .. }
        | Change::DirectoryRefused { .. }
        | Change::SsoConfigured { .. }
        | Change::SsoRemoved { .. }
        | Change::SsoDomainProven { .. }
        | Change::SsoJoined { .. }
        | Change::SsoSignedIn { .. }
        | Change::BreakGlass { .. }
        | Change::WebhookSecretRotated { .. } => {}
    }
}

pub(super) async fn insert_org(
    conn: &mut AnyConnection,
    org: &OrgId,
    state: &State,
    head: &Head,
) -> Result<(), StoreError> {
    let info = state
        .org()
        .ok_or_else(|| StoreError::Corrupt(format!("creating {org} without org.created")))?;
    sqlx::query(
        "INSERT INTO organizations (id, name, owner_id, deleted, head_seq, head_hash) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org.as_str())
    .bind(info.name.as_str())
    .bind(info.owner.as_str())
    .bind(i64::from(info.deleted))
    .bind(head.seq)
    .bind(head.hash.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn set_head(
    conn: &mut AnyConnection,
    script: &mut Script,
    org: &OrgId,
    head: &Head,
) -> Result<(), StoreError> {
    script
        .add(
            conn,
            "UPDATE organizations SET head_seq = $1, head_hash = $2 WHERE id = $3",
            vec![Arg::Int(head.seq), t(head.hash.as_str()), t(org.as_str())],
        )
        .await
}

fn t(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

fn opt(s: Option<&impl ToString>) -> Arg {
    Arg::OptText(s.map(ToString::to_string))
}

/// A table of the organization's state, with its columns after `org_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Table {
    Memberships,
    ScopeRoles,
    Objects,
    Grants,
    Invitations,
    Nominations,
    ApiKeys,
    Webhooks,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Memberships => "memberships",
            Table::ScopeRoles => "scope_roles",
            Table::Objects => "objects",
            Table::Grants => "grants",
            Table::Invitations => "invitations",
            Table::Nominations => "nominations",
            Table::ApiKeys => "api_keys",
            Table::Webhooks => "webhooks",
        }
    }

    /// Tables with one row per key are upserted (one statement for a role change);
    /// the others are rewritten key by key: deleted, then inserted.
    fn upsert_key(self) -> Option<&'static str> {
        match self {
            Table::Memberships => Some("user_id"),
            Table::Objects => Some("id"),
            _ => None,
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Memberships => &["user_id", "email", "name", "role", "suspended"],
            Table::ScopeRoles => &["user_id", "object_id", "role"],
            Table::Objects => &["id", "type", "name", "parent_id", "owner_id"],
            Table::Grants => &["object_id", "user_id", "action"],
            Table::Invitations => &["id", "email", "name", "role", "scopes", "expires_at"],
            Table::Nominations => &["id", "from_user", "to_user", "expires_at"],
            // `revoked_at` stays NULL: a revoked key's row is deleted, as the state forgets it.
            Table::ApiKeys => &[
                "id",
                "key_hash",
                "name",
                "actions",
                "created_by",
                "created_at",
            ],
            Table::Webhooks => &["id", "url", "event_types", "enabled"],
        }
    }
}

/// The rows of a write, gathered so that a batch of 100,000 changes is a few
/// hundred statements: first every touched key's rows are deleted (or, for a
/// one-row key, the key is deleted only if gone), then the state's rows for those
/// keys are inserted (once each, however many keys name them).
#[derive(Default)]
struct Batch {
    /// (table, key columns) -> the keys' values.
    deletes: BTreeMap<(Table, &'static [&'static str]), Vec<Vec<Arg>>>,
    inserts: BTreeMap<Table, BTreeSet<Vec<Arg>>>,
}

impl Batch {
    fn delete(&mut self, table: Table, by: &'static [&'static str], key: Vec<Arg>) {
        self.deletes.entry((table, by)).or_default().push(key);
    }

    fn insert(&mut self, table: Table, row: Vec<Arg>) {
        self.inserts.entry(table).or_default().insert(row);
    }

    fn scope_roles(&mut self, user: &UserId, object: &ObjectId, roles: &BTreeSet<String>) {
        for role in roles {
            self.insert(
                Table::ScopeRoles,
                vec![t(user.as_str()), t(object.as_str()), t(role)],
            );
        }
    }

    fn grant(&mut self, object: &ObjectId, user: &UserId, actions: &BTreeSet<String>) {
        for action in actions {
            self.insert(
                Table::Grants,
                vec![t(object.as_str()), t(user.as_str()), t(action)],
            );
        }
    }
}

/// What `api_keys.created_by` holds for a key Steward itself created (the
/// operator's CLI): the column is NOT NULL, so "no member" needs a name of its own.
pub(super) const SYSTEM_CREATOR: &str = "system";

/// Parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;

/// Touched rows written per batch of statements.
const ROWS_PER_BATCH: usize = 5_000;

/// Writes each touched row as `state` has it now (absent: deleted), a slice at a
/// time: a 100,000-row import would otherwise hold every statement's arguments at
/// once (about 40 MB). Slices give the same rows as one batch: each row deletes
/// what it covers before inserting it, and every insert is the final state's.
pub(super) async fn write(
    conn: &mut AnyConnection,
    script: &mut Script,
    dialect: Dialect,
    org: &OrgId,
    rows: &[Row],
    state: &State,
) -> Result<(), StoreError> {
    for slice in rows.chunks(ROWS_PER_BATCH) {
        write_batch(conn, script, dialect, org, slice, state).await?;
    }
    Ok(())
}

async fn write_batch(
    conn: &mut AnyConnection,
    script: &mut Script,
    dialect: Dialect,
    org: &OrgId,
    rows: &[Row],
    state: &State,
) -> Result<(), StoreError> {
    let mut batch = Batch::default();
    for row in rows {
        match row {
            Row::Org => {
                if let Some(info) = state.org() {
                    script
                        .add(
                            conn,
                            "UPDATE organizations SET name = $1, owner_id = $2, deleted = $3, \
                         second_factor_required = $4, on_deprovision = $5 WHERE id = $6",
                            vec![
                                t(info.name.as_str()),
                                t(info.owner.as_str()),
                                Arg::Int(i64::from(info.deleted)),
                                Arg::Int(i64::from(info.second_factor_required)),
                                t(info.on_deprovision.as_str()),
                                t(org.as_str()),
                            ],
                        )
                        .await?;
                }
            }
            // Upserted, or deleted when gone: a role change is one statement.
            Row::Member(u) => match state.member(u) {
                Some(m) => batch.insert(
                    Table::Memberships,
                    vec![
                        t(u.as_str()),
                        t(m.email.as_str()),
                        t(m.name.as_str()),
                        t(&m.role),
                        Arg::Int(i64::from(m.suspended)),
                    ],
                ),
                None => batch.delete(Table::Memberships, &["user_id"], vec![t(u.as_str())]),
            },
            Row::UserScopes(u) => {
                batch.delete(Table::ScopeRoles, &["user_id"], vec![t(u.as_str())]);
                for (object, roles) in state.scopes_of(u) {
                    batch.scope_roles(u, object, roles);
                }
            }
            Row::Scope(u, object) => {
                batch.delete(
                    Table::ScopeRoles,
                    &["user_id", "object_id"],
                    vec![t(u.as_str()), t(object.as_str())],
                );
                if let Some(roles) = state.scope_roles(u, object) {
                    batch.scope_roles(u, object, roles);
                }
            }
            Row::ObjectScopes(object) => {
                batch.delete(Table::ScopeRoles, &["object_id"], vec![t(object.as_str())]);
                // Only a deleted object's scope roles are rewritten this way, and a
                // deleted object has none: the scan is for an object that exists.
                if state.object(object).is_some() {
                    for (u, obj, roles) in state.all_scope_roles() {
                        if obj == object {
                            batch.scope_roles(u, object, roles);
                        }
                    }
                }
            }
            Row::Object(id) => match state.object(id) {
                Some(obj) => batch.insert(
                    Table::Objects,
                    vec![
                        t(id.as_str()),
                        t(&obj.object_type),
                        t(obj.name.as_str()),
                        opt(obj.parent.as_ref()),
                        opt(obj.owner.as_ref()),
                    ],
                ),
                None => batch.delete(Table::Objects, &["id"], vec![t(id.as_str())]),
            },
            Row::Grant(object, u) => {
                batch.delete(
                    Table::Grants,
                    &["object_id", "user_id"],
                    vec![t(object.as_str()), t(u.as_str())],
                );
                if let Some(actions) = state.grant(object, u) {
                    batch.grant(object, u, actions);
                }
            }
            Row::UserGrants(u) => {
                batch.delete(Table::Grants, &["user_id"], vec![t(u.as_str())]);
                // Rewritten when a member leaves: then there is nothing to insert.
                if state.member(u).is_some() {
                    for (object, user, actions) in state.all_grants() {
                        if user == u {
                            batch.grant(object, u, actions);
                        }
                    }
                }
            }
            Row::ObjectGrants(object) => {
                batch.delete(Table::Grants, &["object_id"], vec![t(object.as_str())]);
                for (u, actions) in state.grants_on(object) {
                    batch.grant(object, u, actions);
                }
            }
            Row::Invitation(id) => {
                batch.delete(Table::Invitations, &["id"], vec![t(id.as_str())]);
                if let Some(i) = state.invitation(id) {
                    let scopes = serde_json::to_string(&i.scopes)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    batch.insert(
                        Table::Invitations,
                        vec![
                            t(id.as_str()),
                            t(i.email.as_str()),
                            opt(i.name.as_ref()),
                            t(&i.role),
                            Arg::Text(scopes),
                            Arg::Int(i.expires_at.0),
                        ],
                    );
                }
            }
            Row::Nomination => {
                batch.delete(Table::Nominations, &[], vec![]);
                if let Some(n) = state.nomination() {
                    batch.insert(
                        Table::Nominations,
                        vec![
                            t(n.id.as_str()),
                            t(n.from_user.as_str()),
                            t(n.to_user.as_str()),
                            Arg::Int(n.expires_at.0),
                        ],
                    );
                }
            }
            Row::ApiKey(id) => {
                batch.delete(Table::ApiKeys, &["id"], vec![t(id.as_str())]);
                if let Some(k) = state.api_key(id) {
                    let actions = serde_json::to_string(&k.permissions)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    batch.insert(
                        Table::ApiKeys,
                        vec![
                            t(id.as_str()),
                            t(&k.key_hash),
                            t(k.name.as_str()),
                            Arg::Text(actions),
                            t(k.created_by.as_ref().map_or(SYSTEM_CREATOR, |u| u.as_str())),
                            Arg::Int(k.created_at.0),
                        ],
                    );
                }
            }
            Row::Webhook(id) => {
                batch.delete(Table::Webhooks, &["id"], vec![t(id.as_str())]);
                if let Some(w) = state.webhook(id) {
                    let types = serde_json::to_string(&w.event_types)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    batch.insert(
                        Table::Webhooks,
                        vec![
                            t(id.as_str()),
                            t(&w.url),
                            Arg::Text(types),
                            Arg::Int(i64::from(w.enabled)),
                        ],
                    );
                }
            }
        }
    }
    for ((table, by), keys) in batch.deletes {
        if by.is_empty() {
            let sql = format!("DELETE FROM {} WHERE org_id = $1", table.name());
            script.add(conn, &sql, vec![t(org.as_str())]).await?;
            continue;
        }
        for chunk in keys.chunks(MAX_PARAMS / by.len()) {
            let sql = format!(
                "DELETE FROM {} WHERE org_id = {} AND ({}) IN (VALUES {})",
                table.name(),
                tuples(dialect, 1, 1, 1),
                by.join(", "),
                tuples(dialect, chunk.len(), by.len(), 2)
            );
            let args = std::iter::once(t(org.as_str()))
                .chain(chunk.iter().flatten().cloned())
                .collect();
            script.add(conn, &sql, args).await?;
        }
    }
    for (table, rows) in batch.inserts {
        let columns = table.columns();
        let width = columns.len() + 1;
        let rows: Vec<_> = rows.into_iter().collect();
        for chunk in rows.chunks(MAX_PARAMS / width) {
            let mut sql = format!(
                "INSERT INTO {} (org_id, {}) VALUES {}",
                table.name(),
                columns.join(", "),
                tuples(dialect, chunk.len(), width, 1)
            );
            if let Some(key) = table.upsert_key() {
                let set: Vec<String> = columns
                    .iter()
                    .filter(|c| **c != key)
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                sql.push_str(&format!(
                    " ON CONFLICT (org_id, {key}) DO UPDATE SET {}",
                    set.join(", ")
                ));
            }
            let args = chunk
                .iter()
                .flat_map(|row| std::iter::once(t(org.as_str())).chain(row.iter().cloned()))
                .collect();
            script.add(conn, &sql, args).await?;
        }
    }
    Ok(())
}

/// `($first, ...), (...)`: `rows` tuples of `width` parameters, numbered from
/// `first`. SQLite gets anonymous `?`s: it looks a numbered parameter up by a
/// linear scan, which made a 30,000-parameter statement take seconds.
pub(super) fn tuples(dialect: Dialect, rows: usize, width: usize, first: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 6);
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            match dialect {
                Dialect::Sqlite => sql.push('?'),
                Dialect::Postgres => {
                    sql.push('$');
                    sql.push_str(&(first + r * width + c).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests;
