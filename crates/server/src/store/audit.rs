//! The audit log: each organization's events, numbered and hash-chained. An event's
//! hash covers the organization, its number, the previous hash and its canonical
//! JSON, so an edited, removed or reordered event breaks the chain.

use super::script::Script;
use super::{bind_all, Arg, Dialect, StoreError};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row as _};
use std::collections::BTreeMap;
use steward_core::{Actor, Event, OrgId};

/// The last event of a chain: its number and hash (`seq` 0: no events yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Head {
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: "0".repeat(64),
        }
    }
}

/// One event as the audit log shows it (described in the OpenAPI document, so
/// generated clients see its fields where the feed and the list flatten it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    /// The event's own fields (as in the audit log's `type`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// The names of the people and objects the event mentions, as they were
    /// when it was recorded (`{id: name}`; empty for events from before names
    /// were kept).
    pub names: BTreeMap<String, String>,
    pub hash: String,
    pub prev_hash: String,
    /// The event's JSON exactly as stored and hashed (`chain_hash`'s `body`):
    /// what the feed and the export carry so a reader can verify the chain
    /// without Steward (docs/audit.md#the-hash).
    #[serde(skip)]
    pub body: String,
}

/// Which events to list, newest first; `before` is the cursor (a `seq`).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub event_type: Option<String>,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub since: Option<i64>,
    /// Unix seconds: only events before this moment.
    pub until: Option<i64>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// What `verify` found: `first_bad_seq` is the first event whose hash, number or
/// link does not hold (or the head's number when events after the last are gone).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    pub ok: bool,
    pub events: i64,
    pub first_bad_seq: Option<i64>,
}

/// The hex SHA-256 that chains event `seq` to `prev`.
pub fn chain_hash(org: &OrgId, seq: i64, prev: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(org.as_str().as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The id the log files a change under: the member's, or the SCIM token's for a
/// directory (so the log names the directory, not the member who made the token).
pub fn actor_id(actor: &Actor) -> Option<&str> {
    match actor {
        Actor::User(u) => Some(u.as_str()),
        Actor::Directory { key_id, .. } => Some(key_id.as_str()),
        Actor::System => None,
    }
}

/// Rows per INSERT: 9 parameters each stays far below both databases' limits, and
/// a 100,000-row import is 200 statements, not 100,000.
const ROWS_PER_INSERT: usize = 500;

pub(super) async fn append(
    conn: &mut AnyConnection,
    script: &mut Script,
    dialect: Dialect,
    org: &OrgId,
    head: &Head,
    events: &[Event],
) -> Result<Head, StoreError> {
    let mut head = head.clone();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO events (org_id, seq, at, type, actor_id, target_id, body, prev_hash, hash) VALUES {}",
            super::rows::tuples(dialect, chunk.len(), 9, 1)
        );
        let mut args = Vec::with_capacity(chunk.len() * 9);
        for event in chunk {
            let body = serde_json::to_string(event)
                .map_err(|e| StoreError::Corrupt(format!("event does not serialize: {e}")))?;
            let seq = head.seq + 1;
            let hash = chain_hash(org, seq, &head.hash, &body);
            args.extend([
                Arg::Text(org.as_str().to_string()),
                Arg::Int(seq),
                Arg::Int(event.at.0),
                Arg::Text(event.change.type_name().to_string()),
                Arg::OptText(actor_id(&event.actor).map(str::to_string)),
                Arg::OptText(event.change.target().map(str::to_string)),
                Arg::Text(body),
                Arg::Text(std::mem::take(&mut head.hash)),
                Arg::Text(hash.clone()),
            ]);
            head = Head { seq, hash };
        }
        script.add(conn, &sql, args).await?;
    }
    Ok(head)
}

/// The events after `seq`, and the head they end at (`None`: there are none).
pub(super) async fn events_after(
    conn: &mut AnyConnection,
    org: &OrgId,
    seq: i64,
) -> Result<(Vec<Event>, Option<Head>), StoreError> {
    let rows = sqlx::query(
        "SELECT seq, body, hash FROM events WHERE org_id = $1 AND seq > $2 ORDER BY seq",
    )
    .bind(org.as_str())
    .bind(seq)
    .fetch_all(&mut *conn)
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    let mut head = None;
    for r in &rows {
        let seq: i64 = r.try_get(0)?;
        let body: String = r.try_get(1)?;
        events.push(
            serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("event {seq} of {org}: {e}")))?,
        );
        head = Some(Head {
            seq,
            hash: r.try_get(2)?,
        });
    }
    Ok((events, head))
}

/// An event row (`seq, at, type, actor_id, target_id, body, hash, prev_hash`) as
/// the audit log shows it.
fn entry(r: &AnyRow) -> Result<AuditEntry, StoreError> {
    let seq: i64 = r.try_get(0)?;
    let text: String = r.try_get(5)?;
    let body: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("event {seq}: {e}")))?;
    Ok(AuditEntry {
        body: text,
        seq,
        at: r.try_get(1)?,
        event_type: r.try_get(2)?,
        actor_id: r.try_get(3)?,
        target_id: r.try_get(4)?,
        data: body.get("data").cloned().unwrap_or(serde_json::Value::Null),
        names: body
            .get("names")
            .and_then(|n| serde_json::from_value(n.clone()).ok())
            .unwrap_or_default(),
        hash: r.try_get(6)?,
        prev_hash: r.try_get(7)?,
    })
}

impl super::Store {
    /// The events another node committed after `seq` (no lock: what has committed).
    pub async fn events_after(
        &self,
        org: &OrgId,
        seq: i64,
    ) -> Result<(Vec<Event>, Option<Head>), StoreError> {
        let mut conn = self.pool().acquire().await?;
        events_after(&mut conn, org, seq).await
    }

    /// Events of one organization, newest first.
    pub async fn audit(
        &self,
        org: &OrgId,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = String::from(
            "SELECT seq, at, type, actor_id, target_id, body, hash, prev_hash FROM events WHERE org_id = $1",
        );
        let mut args: Vec<Arg> = vec![Arg::Text(org.to_string())];
        let mut push = |clause: &str, arg: Arg| {
            args.push(arg);
            sql.push_str(&format!(" AND {clause} ${}", args.len()));
        };
        if let Some(t) = &filter.event_type {
            push("type =", Arg::Text(t.clone()));
        }
        if let Some(a) = &filter.actor {
            push("actor_id =", Arg::Text(a.clone()));
        }
        if let Some(t) = &filter.target {
            push("target_id =", Arg::Text(t.clone()));
        }
        if let Some(s) = filter.since {
            push("at >=", Arg::Int(s));
        }
        if let Some(u) = filter.until {
            push("at <", Arg::Int(u));
        }
        if let Some(b) = filter.before {
            push("seq <", Arg::Int(b));
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", filter.limit.max(0)));
        let rows = bind_all(sqlx::query::<Any>(&sql), args)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry).collect()
    }

    /// The events after `after` and up to `through`, oldest first, at most `limit`:
    /// one page of an export, found by its key (`seq`), so a long log is read a
    /// page at a time and never held whole.
    pub async fn audit_page(
        &self,
        org: &OrgId,
        after: i64,
        through: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, type, actor_id, target_id, body, hash, prev_hash FROM events \
             WHERE org_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
        )
        .bind(org.as_str())
        .bind(after)
        .bind(through)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect()
    }

    /// Walks the organization's chain from its first event to its head, a page at a
    /// time (a long log is never held whole).
    pub async fn verify(&self, org: &OrgId) -> Result<ChainReport, StoreError> {
        let Some(head) = self.head(org).await? else {
            return Err(StoreError::NoSuchOrganization(org.to_string()));
        };
        const PAGE: i64 = 5_000;
        let mut prev = Head::genesis();
        let mut count = 0;
        let bad = |seq: i64, count: i64| ChainReport {
            ok: false,
            events: count,
            first_bad_seq: Some(seq),
        };
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, type, actor_id, target_id, body, prev_hash, hash FROM events \
                 WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(org.as_str())
            .bind(prev.seq)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            for r in &rows {
                let seq: i64 = r.try_get(0)?;
                count += 1;
                let expected_seq = prev.seq + 1;
                if seq != expected_seq {
                    return Ok(bad(expected_seq, count));
                }
                let body: String = r.try_get(5)?;
                let prev_hash: String = r.try_get(6)?;
                let hash: String = r.try_get(7)?;
                let columns_agree = serde_json::from_str::<Event>(&body).is_ok_and(|e| {
                    r.try_get::<i64, _>(1).ok() == Some(e.at.0)
                        && r.try_get::<String, _>(2).ok().as_deref() == Some(e.change.type_name())
                        && r.try_get::<Option<String>, _>(3).ok().flatten().as_deref()
                            == actor_id(&e.actor)
                        && r.try_get::<Option<String>, _>(4).ok().flatten().as_deref()
                            == e.change.target()
                });
                if prev_hash != prev.hash
                    || hash != chain_hash(org, seq, &prev_hash, &body)
                    || !columns_agree
                {
                    return Ok(bad(seq, count));
                }
                prev = Head { seq, hash };
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        if prev != head {
            // The log ends before the head the organization row records: its last
            // events are gone.
            return Ok(bad(prev.seq + 1, count));
        }
        Ok(ChainReport {
            ok: true,
            events: count,
            first_bad_seq: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_hash_covers_org_number_link_and_body() {
        let org = OrgId::parse("acme").unwrap();
        let genesis = Head::genesis().hash;
        let h = chain_hash(&org, 1, &genesis, "{}");
        // sha256("acme\n1\n" + 64 zeros + "\n{}"), computed independently with sha256sum.
        assert_eq!(
            h,
            "41b43d269808a37fd30801fe9cea62c60a99923d75e18f9f726c3e5c0f4aa8bb"
        );
        assert_ne!(
            h,
            chain_hash(&OrgId::parse("other").unwrap(), 1, &genesis, "{}")
        );
        assert_ne!(h, chain_hash(&org, 2, &genesis, "{}"));
        assert_ne!(h, chain_hash(&org, 1, &h, "{}"));
        assert_ne!(h, chain_hash(&org, 1, &genesis, "{ }"));
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
