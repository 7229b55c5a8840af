//! Webhooks in the database: the outbox rows written in the transaction of the
//! change that causes them (`enqueue`, called by `OrgTx::write`), the endpoints'
//! secrets, the lease that lets one node at a time deliver to an endpoint, and
//! the delivery log. docs/webhooks.md says what the rows promise.

use super::{Dialect, Store, StoreError};
use sqlx::{AnyConnection, Row as _};
use std::collections::BTreeSet;
use steward_core::{Event, OrgId, State, WebhookId};

/// Deliveries per INSERT (7 parameters each).
const ROWS_PER_INSERT: usize = 1_000;

/// Milliseconds since the epoch, the webhook tables' unit (latency is measured
/// in them).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The body a delivery sends (Standard Webhooks' `type`, `timestamp`, `data`).
fn payload(org: &OrgId, seq: i64, event: &Event) -> Result<String, StoreError> {
    let change = serde_json::to_value(&event.change)
        .map_err(|e| StoreError::Corrupt(format!("event does not serialize: {e}")))?;
    let body = serde_json::json!({
        "type": event.change.type_name(),
        "timestamp": event.at.rfc3339(),
        "data": {
            "org_id": org.as_str(),
            "seq": seq,
            "at": event.at.0,
            "actor": event.actor,
            "target_id": event.change.target(),
            "event": change.get("data").cloned().unwrap_or(serde_json::Value::Null),
            "names": event.names,
        }
    });
    Ok(body.to_string())
}

/// Writes a pending delivery of each event (numbered from `first_seq`) to each
/// enabled endpoint that wants its type, in the caller's transaction: the
/// deliveries exist exactly when the events do.
pub(super) async fn enqueue(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org: &OrgId,
    first_seq: i64,
    events: &[Event],
    state: &State,
) -> Result<(), StoreError> {
    let endpoints: Vec<_> = state.webhooks().filter(|w| w.enabled).collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let mut rows = Vec::new();
    let mut used = BTreeSet::new();
    for (i, event) in events.iter().enumerate() {
        let seq = first_seq + i as i64;
        let kind = event.change.type_name();
        let mut body = None;
        for w in endpoints.iter().filter(|w| w.wants(kind)) {
            if body.is_none() {
                body = Some(payload(org, seq, event)?);
            }
            used.insert(w.id.as_str());
            rows.push((w.id.as_str(), seq, kind, body.clone().unwrap_or_default()));
        }
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO webhook_deliveries (org_id, webhook_id, seq, event_type, payload, created_at, next_attempt_at) VALUES {}",
            super::rows::tuples(dialect, chunk.len(), 7, 1)
        );
        let mut q = sqlx::query::<sqlx::Any>(&sql);
        for (webhook, seq, kind, body) in chunk {
            q = q
                .bind(org.as_str())
                .bind(*webhook)
                .bind(*seq)
                .bind(*kind)
                .bind(body.as_str())
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    for webhook in used {
        sqlx::query(
            "INSERT INTO webhook_couriers (org_id, webhook_id) VALUES ($1, $2) \
             ON CONFLICT (org_id, webhook_id) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(webhook)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An endpoint a node claimed, with what it needs to deliver.
#[derive(Clone)]
pub struct ClaimedWebhook {
    pub org: String,
    pub webhook: String,
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for ClaimedWebhook {
    // The secret signs deliveries: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimedWebhook")
            .field("org", &self.org)
            .field("webhook", &self.webhook)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A delivery waiting its turn.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub seq: i64,
    pub payload: String,
    pub attempts: i64,
    pub created_at: i64,
    pub failing_since: Option<i64>,
}

/// A delivery as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryRecord {
    pub seq: i64,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
}

impl Store {
    /// Sets the endpoint's signing secret (a new endpoint's, or a rotation).
    pub async fn set_webhook_secret(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        secret: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webhook_secrets (org_id, webhook_id, secret, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, webhook_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at",
        )
        .bind(org.as_str())
        .bind(webhook.as_str())
        .bind(secret)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_webhook_secret(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webhook_secrets WHERE org_id = $1 AND webhook_id = $2")
            .bind(org.as_str())
            .bind(webhook.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Claims up to `limit` enabled endpoints whose next delivery (the oldest
    /// pending one: order is kept) is due, for `node` until `lease_until`.
    pub async fn claim_webhooks(
        &self,
        node: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedWebhook>, StoreError> {
        let skip_locked = match self.dialect {
            Dialect::Postgres => "FOR UPDATE OF c SKIP LOCKED",
            // SQLite's write transaction (BEGIN IMMEDIATE) is the only writer.
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "UPDATE webhook_couriers SET claimed_by = $1, claimed_until = $2 \
             WHERE (claimed_until IS NULL OR claimed_until <= $3) AND (org_id, webhook_id) IN ( \
               SELECT c.org_id, c.webhook_id FROM webhook_couriers c \
               WHERE (c.claimed_until IS NULL OR c.claimed_until <= $4) \
                 AND EXISTS (SELECT 1 FROM webhooks w WHERE w.org_id = c.org_id AND w.id = c.webhook_id AND w.enabled = 1) \
                 AND EXISTS (SELECT 1 FROM webhook_deliveries d \
                   WHERE d.org_id = c.org_id AND d.webhook_id = c.webhook_id AND d.status = 'pending' \
                     AND d.next_attempt_at <= $5 \
                     AND d.seq = (SELECT MIN(p.seq) FROM webhook_deliveries p \
                       WHERE p.org_id = c.org_id AND p.webhook_id = c.webhook_id AND p.status = 'pending')) \
               LIMIT $6 {skip_locked}) \
             RETURNING org_id, webhook_id"
        );
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&sql)
            .bind(node)
            .bind(lease_until)
            .bind(now)
            .bind(now)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for r in &rows {
            let org: String = r.try_get(0)?;
            let webhook: String = r.try_get(1)?;
            let target = sqlx::query(
                "SELECT w.url, s.secret FROM webhooks w JOIN webhook_secrets s \
                   ON s.org_id = w.org_id AND s.webhook_id = w.id \
                 WHERE w.org_id = $1 AND w.id = $2",
            )
            .bind(&org)
            .bind(&webhook)
            .fetch_optional(&self.pool)
            .await?;
            match target {
                Some(t) => claimed.push(ClaimedWebhook {
                    url: t.try_get(0)?,
                    secret: t.try_get(1)?,
                    org,
                    webhook,
                }),
                None => {
                    // Removed meanwhile, or no secret: nothing to send with.
                    self.release_webhook(&org, &webhook, node).await?;
                }
            }
        }
        Ok(claimed)
    }

    /// Lets another node (or this one, next round) deliver to the endpoint.
    pub async fn release_webhook(
        &self,
        org: &str,
        webhook: &str,
        node: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_couriers SET claimed_by = NULL, claimed_until = NULL \
             WHERE org_id = $1 AND webhook_id = $2 AND claimed_by = $3",
        )
        .bind(org)
        .bind(webhook)
        .bind(node)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The endpoint's next pending deliveries in order, up to the first one not
    /// yet due (a later one never goes before it).
    pub async fn due_deliveries(
        &self,
        org: &str,
        webhook: &str,
        now: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, payload, attempts, created_at, failing_since, next_attempt_at \
             FROM webhook_deliveries WHERE org_id = $1 AND webhook_id = $2 AND status = 'pending' \
             ORDER BY seq LIMIT $3",
        )
        .bind(org)
        .bind(webhook)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for r in &rows {
            let next: i64 = r.try_get(5)?;
            if next > now {
                break;
            }
            due.push(DueDelivery {
                seq: r.try_get(0)?,
                payload: r.try_get(1)?,
                attempts: r.try_get(2)?,
                created_at: r.try_get(3)?,
                failing_since: r.try_get(4)?,
            });
        }
        Ok(due)
    }

    /// The receiver answered 2xx.
    pub async fn delivery_succeeded(
        &self,
        org: &str,
        webhook: &str,
        seq: i64,
        status: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, \
               last_status = $1, last_error = NULL, failing_since = NULL, delivered_at = $2 \
             WHERE org_id = $3 AND webhook_id = $4 AND seq = $5",
        )
        .bind(status)
        .bind(now)
        .bind(org)
        .bind(webhook)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The delivery failed: tried again at `retry_at`, or given up (`None`).
    #[allow(clippy::too_many_arguments)]
    pub async fn delivery_failed(
        &self,
        (org, webhook, seq): (&str, &str, i64),
        status: Option<i64>,
        error: &str,
        now: i64,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let (state, next) = match retry_at {
            Some(at) => ("pending", at),
            None => ("failed", now),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
               last_status = $3, last_error = $4, failing_since = COALESCE(failing_since, $5) \
             WHERE org_id = $6 AND webhook_id = $7 AND seq = $8",
        )
        .bind(state)
        .bind(next)
        .bind(status)
        .bind(error)
        .bind(now)
        .bind(org)
        .bind(webhook)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The endpoint's deliveries, newest first (the delivery log).
    pub async fn webhook_deliveries(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, event_type, status, attempts, last_status, last_error, created_at, \
               next_attempt_at, delivered_at FROM webhook_deliveries \
             WHERE org_id = $1 AND webhook_id = $2 ORDER BY seq DESC LIMIT $3",
        )
        .bind(org.as_str())
        .bind(webhook.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeliveryRecord {
                    seq: r.try_get(0)?,
                    event_type: r.try_get(1)?,
                    status: r.try_get(2)?,
                    attempts: r.try_get(3)?,
                    last_status: r.try_get(4)?,
                    last_error: r.try_get(5)?,
                    created_at: r.try_get(6)?,
                    next_attempt_at: r.try_get(7)?,
                    delivered_at: r.try_get(8)?,
                })
            })
            .collect()
    }

    /// Sends the delivery `seq` again, as soon as its turn comes: `false` when
    /// the endpoint has no such delivery.
    pub async fn redeliver(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        seq: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, failing_since = NULL \
             WHERE org_id = $2 AND webhook_id = $3 AND seq = $4",
        )
        .bind(now)
        .bind(org.as_str())
        .bind(webhook.as_str())
        .bind(seq)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO webhook_couriers (org_id, webhook_id) VALUES ($1, $2) \
             ON CONFLICT (org_id, webhook_id) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(webhook.as_str())
        .execute(&self.pool)
        .await?;
        Ok(true)
    }
}
