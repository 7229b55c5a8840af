//! Webhook delivery: the courier that takes the outbox (store/webhooks.rs) to
//! each endpoint, one node per endpoint at a time and strictly in order, signed
//! as Standard Webhooks says, retried with backoff for up to 3 days; an endpoint
//! still failing then is handed to the application's `GiveUp` (turned off,
//! `webhook.disabled` decided in the core, and its managers mailed).
//! docs/webhooks.md is the contract.

mod address;
pub mod signature;

pub use address::{is_public, CheckedResolver};

use crate::service::Service;
use crate::store::{now_ms, ClaimedWebhook, DueDelivery};
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward_core::{OrgId, WebhookId};

/// How long a node holds an endpoint it claimed before another may take it.
const LEASE_MS: i64 = 60_000;
/// A node lets go of an endpoint after this long, so its lease never runs out
/// while it still delivers (a request takes at most `TIMEOUT`).
const ROUND: Duration = Duration::from_secs(20);
/// The longest a receiver is waited for.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the outbox is looked at without a commit ringing (retries).
const POLL: Duration = Duration::from_secs(1);
/// The first retry comes after about this long; each after, twice as late.
const FIRST_RETRY_MS: i64 = 1_000;
/// The longest wait between two tries.
const MAX_RETRY_MS: i64 = 6 * 3_600_000;
/// A delivery failing this long is given up, and its endpoint turned off.
pub const GIVE_UP_MS: i64 = 3 * 86_400_000;
/// Endpoints served at once by one node, and deliveries read per endpoint.
const ENDPOINTS_PER_ROUND: i64 = 16;
const DELIVERIES_PER_READ: i64 = 100;

/// Milliseconds before the next try of a delivery tried `attempts` times
/// (failed ones included): doubling from `FIRST_RETRY_MS` up to
/// `MAX_RETRY_MS`, each drawn between half and all of it so that endpoints
/// failing together do not come back together.
pub fn backoff_ms(attempts: i64, jitter: f64) -> i64 {
    let full = (FIRST_RETRY_MS << attempts.clamp(0, 20)).min(MAX_RETRY_MS);
    full / 2 + ((full / 2) as f64 * jitter.clamp(0.0, 1.0)) as i64
}

/// The `webhook-id` of an event's delivery: the same for every try, so a
/// receiver drops the repeats of at-least-once delivery by it.
pub fn message_id(org: &str, seq: i64) -> String {
    format!("msg_{org}_{seq}")
}

/// What becomes of an endpoint the courier gave up on, with the reason: the
/// application's use case (turn it off, tell its managers), handed in so that
/// the courier, beside the service, knows nothing of the use cases above it.
pub type GiveUp = Arc<dyn Fn(OrgId, WebhookId, String) -> BoxFuture<'static, ()> + Send + Sync>;

/// Delivers webhooks until the process ends. `allow_private`: the operator's
/// `--webhooks-allow-private` (the SSRF rule is off).
pub fn spawn_courier(
    service: Service,
    allow_private: bool,
    give_up: GiveUp,
) -> tokio::task::JoinHandle<()> {
    // reqwest's rustls takes the process's crypto provider: aws-lc-rs, as mail.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(CheckedResolver { allow_private }))
        .user_agent("Steward-Webhooks/1")
        .build();
    let node = crate::secrets::random_id("node");
    // The lease's holder in webhook_couriers.claimed_by: the burst test
    // (tests/webhooks) reads it to kill the node that holds an endpoint.
    tracing::info!(node = %node, "delivering webhooks");
    if allow_private {
        tracing::warn!(
            "--webhooks-allow-private: webhooks may be sent to private and loopback addresses"
        );
    }
    tokio::spawn(async move {
        let client = match client {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "no HTTP client for webhooks: none will be delivered");
                return;
            }
        };
        let courier = Courier {
            service,
            client,
            node,
            allow_private,
            give_up,
        };
        loop {
            if courier.round().await == 0 {
                let _ = tokio::time::timeout(POLL, courier.service.commits().notified()).await;
            }
        }
    })
}

struct Courier {
    service: Service,
    client: reqwest::Client,
    node: String,
    allow_private: bool,
    give_up: GiveUp,
}

/// How one try went.
struct Outcome {
    status: Option<i64>,
    error: Option<String>,
}

impl Courier {
    /// Claims the endpoints with a delivery due and serves them side by side:
    /// answers how many deliveries were tried.
    async fn round(&self) -> usize {
        let store = self.service.store();
        let now = self.now_ms();
        let claimed = match store
            .claim_webhooks(&self.node, now, now + LEASE_MS, ENDPOINTS_PER_ROUND)
            .await
        {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the webhook outbox");
                return 0;
            }
        };
        let served = futures_util::future::join_all(claimed.iter().map(|c| self.serve(c))).await;
        for c in &claimed {
            if let Err(e) = store.release_webhook(&c.org, &c.webhook, &self.node).await {
                // Its lease runs out and another round takes it.
                tracing::warn!(webhook = %c.webhook, error = %e, "could not release a webhook");
            }
        }
        served.into_iter().sum()
    }

    /// Delivers the endpoint's due deliveries in order until one fails or the
    /// round is over.
    async fn serve(&self, endpoint: &ClaimedWebhook) -> usize {
        let started = Instant::now();
        let store = self.service.store();
        let mut tried = 0;
        while started.elapsed() < ROUND {
            let due = match store
                .due_deliveries(
                    &endpoint.org,
                    &endpoint.webhook,
                    self.now_ms(),
                    DELIVERIES_PER_READ,
                )
                .await
            {
                Ok(due) if !due.is_empty() => due,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(webhook = %endpoint.webhook, error = %e, "could not read deliveries");
                    break;
                }
            };
            for delivery in due {
                tried += 1;
                if !self.deliver(endpoint, &delivery).await || started.elapsed() >= ROUND {
                    return tried;
                }
            }
        }
        tried
    }

    /// One try, recorded: answers whether it went through.
    async fn deliver(&self, endpoint: &ClaimedWebhook, delivery: &DueDelivery) -> bool {
        let outcome = self.send(endpoint, delivery).await;
        let store = self.service.store();
        let now = self.now_ms();
        let key = (
            endpoint.org.as_str(),
            endpoint.webhook.as_str(),
            delivery.seq,
        );
        let Some(error) = outcome.error else {
            let status = outcome.status.unwrap_or(200);
            if let Err(e) = store
                .delivery_succeeded(key.0, key.1, key.2, status, now)
                .await
            {
                // Sent again later: at least once, never lost.
                tracing::warn!(webhook = %endpoint.webhook, seq = delivery.seq, error = %e, "could not record a delivery");
            }
            return true;
        };
        let failing_since = delivery.failing_since.unwrap_or(now);
        let give_up = now - failing_since >= GIVE_UP_MS;
        let retry_at = (!give_up).then(|| now + backoff_ms(delivery.attempts, rand::random()));
        tracing::warn!(webhook = %endpoint.webhook, seq = delivery.seq, attempts = delivery.attempts + 1, %error, give_up, "a webhook delivery failed");
        if let Err(e) = store
            .delivery_failed(key, outcome.status, &error, now, retry_at)
            .await
        {
            tracing::warn!(webhook = %endpoint.webhook, error = %e, "could not record a failed delivery");
        }
        if give_up {
            self.disable(endpoint, &error).await;
        }
        false
    }

    async fn send(&self, endpoint: &ClaimedWebhook, delivery: &DueDelivery) -> Outcome {
        let failed = |error: String| Outcome {
            status: None,
            error: Some(error),
        };
        let url = match reqwest::Url::parse(&endpoint.url) {
            Ok(url) => url,
            Err(e) => return failed(format!("the URL does not parse: {e}")),
        };
        if let Some(refused) = address::literal_refusal(&url, self.allow_private) {
            return failed(refused.to_string());
        }
        let id = message_id(&endpoint.org, delivery.seq);
        let timestamp = now_ms() / 1000;
        let Some(signature) = signature::sign(&endpoint.secret, &id, timestamp, &delivery.payload)
        else {
            return failed("the endpoint's secret is not a whsec_ secret".into());
        };
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.payload.clone())
            .send()
            .await;
        match sent {
            Ok(answer) => {
                let status = i64::from(answer.status().as_u16());
                Outcome {
                    status: Some(status),
                    error: (!answer.status().is_success())
                        .then(|| format!("the receiver answered {status}")),
                }
            }
            Err(e) => failed(error_chain(&e)),
        }
    }

    /// Hands the endpoint to the application to be turned off (and its
    /// managers told), with why.
    async fn disable(&self, endpoint: &ClaimedWebhook, error: &str) {
        let (Ok(org), Ok(webhook)) = (
            OrgId::parse(&endpoint.org),
            WebhookId::parse(&endpoint.webhook),
        ) else {
            return;
        };
        let reason = format!("its deliveries failed for 3 days (last: {error})");
        (self.give_up)(org, webhook, reason).await;
    }

    /// The service's clock, in milliseconds: when a delivery is due and when
    /// one has failed long enough (tests move it forward). The signature's
    /// `webhook-timestamp` stays the wall clock's, as receivers compare it with
    /// theirs.
    fn now_ms(&self) -> i64 {
        self.service.clock().now_ms()
    }
}

/// An error and its causes in one line (reqwest's own says only "error
/// sending request"; the cause says the address was refused, or timed out).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_with_jitter_up_to_six_hours() {
        assert_eq!(backoff_ms(0, 1.0), 1_000);
        assert_eq!(backoff_ms(0, 0.0), 500);
        assert_eq!(backoff_ms(3, 1.0), 8_000);
        assert_eq!(backoff_ms(40, 1.0), MAX_RETRY_MS);
        // Tried every few hours at most, a failing endpoint gives up within a
        // few dozen tries.
        let mut waited = 0;
        let mut tries = 0;
        while waited < GIVE_UP_MS {
            waited += backoff_ms(tries, 0.0);
            tries += 1;
        }
        assert!(tries < 40, "{tries}");
    }
}
