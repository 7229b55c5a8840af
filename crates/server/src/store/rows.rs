//! The state tables, kept equal to the in-memory state: each event names the rows
//! it touches (`touched`, read from the state before it), and after the events are
//! folded those rows are written as the state now has them. One generic rule
//! instead of a hand-written SQL twin of every `apply` arm.

use super::{bind_all, Arg, Head, StoreError};
use sqlx::{Any, AnyConnection};
use std::collections::BTreeSet;
use steward_core::{Change, InvitationId, ObjectId, OrgId, State, UserId};

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
        Change::MemberUpdated { user_id, .. } | Change::RoleChanged { user_id, .. } => {
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
        Change::ImportApplied { .. } => {}
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
    org: &OrgId,
    head: &Head,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE organizations SET head_seq = $1, head_hash = $2 WHERE id = $3")
        .bind(head.seq)
        .bind(head.hash.as_str())
        .bind(org.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn run(conn: &mut AnyConnection, sql: &str, args: Vec<Arg>) -> Result<(), StoreError> {
    bind_all(sqlx::query::<Any>(sql), args)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn t(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

/// Writes each touched row as `state` has it now (absent: deleted).
pub(super) async fn write(
    conn: &mut AnyConnection,
    org: &OrgId,
    rows: &[Row],
    state: &State,
) -> Result<(), StoreError> {
    let o = org.as_str();
    for row in rows {
        match row {
            Row::Org => {
                if let Some(info) = state.org() {
                    run(
                        conn,
                        "UPDATE organizations SET name = $1, owner_id = $2, deleted = $3 WHERE id = $4",
                        vec![
                            t(info.name.as_str()),
                            t(info.owner.as_str()),
                            Arg::Int(i64::from(info.deleted)),
                            t(o),
                        ],
                    )
                    .await?;
                }
            }
            Row::Member(u) => match state.member(u) {
                Some(m) => {
                    run(
                        conn,
                        "INSERT INTO memberships (org_id, user_id, email, name, role) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (org_id, user_id) DO UPDATE SET name = excluded.name, role = excluded.role",
                        vec![t(o), t(u.as_str()), t(m.email.as_str()), t(m.name.as_str()), t(&m.role)],
                    )
                    .await?
                }
                None => {
                    run(
                        conn,
                        "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2",
                        vec![t(o), t(u.as_str())],
                    )
                    .await?
                }
            },
            Row::UserScopes(u) => {
                run(
                    conn,
                    "DELETE FROM scope_roles WHERE org_id = $1 AND user_id = $2",
                    vec![t(o), t(u.as_str())],
                )
                .await?;
                for (object, roles) in state.scopes_of(u) {
                    insert_scope_roles(conn, o, u, object, roles).await?;
                }
            }
            Row::Scope(u, object) => {
                run(
                    conn,
                    "DELETE FROM scope_roles WHERE org_id = $1 AND user_id = $2 AND object_id = $3",
                    vec![t(o), t(u.as_str()), t(object.as_str())],
                )
                .await?;
                if let Some(roles) = state.scope_roles(u, object) {
                    insert_scope_roles(conn, o, u, object, roles).await?;
                }
            }
            Row::ObjectScopes(object) => {
                run(
                    conn,
                    "DELETE FROM scope_roles WHERE org_id = $1 AND object_id = $2",
                    vec![t(o), t(object.as_str())],
                )
                .await?;
                if state.object(object).is_some() {
                    for (u, obj, roles) in state.all_scope_roles() {
                        if obj == object {
                            insert_scope_roles(conn, o, u, object, roles).await?;
                        }
                    }
                }
            }
            Row::Object(id) => match state.object(id) {
                Some(obj) => {
                    run(
                        conn,
                        "INSERT INTO objects (org_id, id, type, name, parent_id, owner_id) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (org_id, id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, \
                         owner_id = excluded.owner_id",
                        vec![
                            t(o),
                            t(id.as_str()),
                            t(&obj.object_type),
                            t(obj.name.as_str()),
                            Arg::OptText(obj.parent.as_ref().map(|p| p.to_string())),
                            Arg::OptText(obj.owner.as_ref().map(|p| p.to_string())),
                        ],
                    )
                    .await?
                }
                None => {
                    run(
                        conn,
                        "DELETE FROM objects WHERE org_id = $1 AND id = $2",
                        vec![t(o), t(id.as_str())],
                    )
                    .await?
                }
            },
            Row::Grant(object, u) => {
                run(
                    conn,
                    "DELETE FROM grants WHERE org_id = $1 AND object_id = $2 AND user_id = $3",
                    vec![t(o), t(object.as_str()), t(u.as_str())],
                )
                .await?;
                if let Some(actions) = state.grant(object, u) {
                    insert_grant(conn, o, object, u, actions).await?;
                }
            }
            Row::UserGrants(u) => {
                run(
                    conn,
                    "DELETE FROM grants WHERE org_id = $1 AND user_id = $2",
                    vec![t(o), t(u.as_str())],
                )
                .await?;
                if state.member(u).is_some() {
                    for (object, user, actions) in state.all_grants() {
                        if user == u {
                            insert_grant(conn, o, object, u, actions).await?;
                        }
                    }
                }
            }
            Row::ObjectGrants(object) => {
                run(
                    conn,
                    "DELETE FROM grants WHERE org_id = $1 AND object_id = $2",
                    vec![t(o), t(object.as_str())],
                )
                .await?;
                for (u, actions) in state.grants_on(object) {
                    insert_grant(conn, o, object, u, actions).await?;
                }
            }
            Row::Invitation(id) => {
                run(
                    conn,
                    "DELETE FROM invitations WHERE org_id = $1 AND id = $2",
                    vec![t(o), t(id.as_str())],
                )
                .await?;
                if let Some(i) = state.invitation(id) {
                    let scopes = serde_json::to_string(&i.scopes)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    run(
                        conn,
                        "INSERT INTO invitations (org_id, id, email, name, role, scopes, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        vec![
                            t(o),
                            t(id.as_str()),
                            t(i.email.as_str()),
                            Arg::OptText(i.name.as_ref().map(|n| n.to_string())),
                            t(&i.role),
                            Arg::Text(scopes),
                            Arg::Int(i.expires_at.0),
                        ],
                    )
                    .await?;
                }
            }
            Row::Nomination => {
                run(conn, "DELETE FROM nominations WHERE org_id = $1", vec![t(o)]).await?;
                if let Some(n) = state.nomination() {
                    run(
                        conn,
                        "INSERT INTO nominations (org_id, id, from_user, to_user, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                        vec![
                            t(o),
                            t(n.id.as_str()),
                            t(n.from_user.as_str()),
                            t(n.to_user.as_str()),
                            Arg::Int(n.expires_at.0),
                        ],
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

async fn insert_scope_roles(
    conn: &mut AnyConnection,
    org: &str,
    user: &UserId,
    object: &ObjectId,
    roles: &BTreeSet<String>,
) -> Result<(), StoreError> {
    for role in roles {
        run(
            conn,
            "INSERT INTO scope_roles (org_id, user_id, object_id, role) VALUES ($1, $2, $3, $4)",
            vec![t(org), t(user.as_str()), t(object.as_str()), t(role)],
        )
        .await?;
    }
    Ok(())
}

async fn insert_grant(
    conn: &mut AnyConnection,
    org: &str,
    object: &ObjectId,
    user: &UserId,
    actions: &BTreeSet<String>,
) -> Result<(), StoreError> {
    for action in actions {
        run(
            conn,
            "INSERT INTO grants (org_id, object_id, user_id, action) VALUES ($1, $2, $3, $4)",
            vec![t(org), t(object.as_str()), t(user.as_str()), t(action)],
        )
        .await?;
    }
    Ok(())
}
