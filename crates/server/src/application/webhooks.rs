//! Webhook endpoints and their delivery log (docs/webhooks.md): managed by
//! whoever manages members, as API keys are; the core's `ConfigureWebhook`,
//! `RotateWebhookSecret` and `RemoveWebhook` decide who may. The secret is
//! made here, shown once, and stored beside the state, never in an event. An
//! endpoint the courier gives up on is turned off here, and whoever may turn it
//! on again is mailed (`turn_off_failing_webhook`).

use super::{AppError, InOrg, Page, Steward};
use crate::mail::Mail;
use crate::store::{now_ms, AuditFilter, DeliveryRecord};
use crate::webhooks::signature::new_secret;
use serde::{Deserialize, Serialize};
use steward_core::event::event_type;
use steward_core::{Actor, Command, OrgId, Webhook, WebhookId};

/// The deliveries the log shows, newest first.
const LOG_LENGTH: i64 = 100;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed: `https://` (or `http://`).
    pub url: String,
    /// The event types sent (`member.deleted`...); absent or empty: all.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Default `true`.
    pub enabled: Option<bool>,
}

/// A change to an endpoint: what is absent stays as it is.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    #[schema(value_type = String)]
    pub id: WebhookId,
    pub url: String,
    /// Empty: every event type.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// The signing secret (`whsec_...`), shown once: when the endpoint is made
    /// and when its secret is rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<&Webhook> for WebhookView {
    fn from(w: &Webhook) -> WebhookView {
        WebhookView {
            id: w.id.clone(),
            url: w.url.clone(),
            event_types: w.event_types.clone(),
            enabled: w.enabled,
            secret: None,
        }
    }
}

/// One delivery as the log shows it (times in Unix milliseconds).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    /// The event's number in the organization's log.
    pub seq: i64,
    /// The `webhook-id` it is sent with.
    pub message_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

impl DeliveryView {
    fn new(org: &str, d: DeliveryRecord) -> DeliveryView {
        DeliveryView {
            message_id: crate::webhooks::message_id(org, d.seq),
            next_attempt_at: (d.status == "pending").then_some(d.next_attempt_at),
            seq: d.seq,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// What reading endpoints and their log needs: the API's reads and the
/// console's navigation ask this, once.
pub fn require_webhooks(org: &InOrg) -> Result<(), AppError> {
    org.require("members:manage")
}

/// What a page shows of an endpoint beside its settings.
#[derive(Debug)]
pub struct WebhookStanding {
    /// Why Steward turned it off (`webhook.disabled`'s reason), when it is off
    /// for that and was not changed since.
    pub disabled_reason: Option<String>,
    /// Its newest delivery.
    pub last_delivery: Option<DeliveryView>,
}

fn webhook_id(id: &str) -> Result<WebhookId, AppError> {
    WebhookId::parse(id).map_err(|_| AppError::NoSuchWebhook)
}

impl Steward {
    /// The endpoint as the state has it now.
    async fn webhook_view(&self, org: &InOrg, id: &WebhookId) -> Result<WebhookView, AppError> {
        self.service()
            .read(&org.org, |state| state.webhook(id).map(WebhookView::from))
            .await?
            .ok_or_else(|| steward_core::Refusal::UnknownWebhook(id.clone()).into())
    }

    /// A new endpoint; its secret is in the answer and shown nowhere else.
    pub async fn create_webhook(
        &self,
        org: &InOrg,
        input: NewWebhook,
    ) -> Result<WebhookView, AppError> {
        let id = webhook_id(&crate::secrets::random_id("wh"))?;
        let secret = new_secret();
        // The secret first: an endpoint never exists without one. A refused
        // command leaves it behind for no endpoint, so it is taken back.
        let store = self.service().store();
        store
            .set_webhook_secret(&org.org, &id, &secret, now_ms())
            .await
            .map_err(crate::service::ServiceError::from)?;
        let command = Command::ConfigureWebhook {
            webhook_id: id.clone(),
            url: input.url,
            event_types: input.event_types,
            enabled: input.enabled.unwrap_or(true),
        };
        let actor = org.actor()?;
        if let Err(e) = self.service().execute(&org.org, &actor, command).await {
            let _ = store.delete_webhook_secret(&org.org, &id).await;
            return Err(e.into());
        }
        let mut view = self.webhook_view(org, &id).await?;
        view.secret = Some(secret);
        Ok(view)
    }

    /// The organization's endpoints, without their secrets.
    pub async fn webhooks(&self, org: &InOrg) -> Result<Page<WebhookView>, AppError> {
        require_webhooks(org)?;
        let items = self
            .service()
            .read(&org.org, |state| {
                state.webhooks().map(WebhookView::from).collect()
            })
            .await?;
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    pub async fn webhook(&self, org: &InOrg, id: &str) -> Result<WebhookView, AppError> {
        require_webhooks(org)?;
        self.webhook_view(org, &webhook_id(id)?).await
    }

    /// Changes an endpoint's URL, event types or whether it is on.
    pub async fn update_webhook(
        &self,
        org: &InOrg,
        id: &str,
        change: WebhookChange,
    ) -> Result<WebhookView, AppError> {
        require_webhooks(org)?;
        let id = webhook_id(id)?;
        let now = self.webhook_view(org, &id).await?;
        let command = Command::ConfigureWebhook {
            webhook_id: id.clone(),
            url: change.url.unwrap_or(now.url),
            event_types: change.event_types.unwrap_or(now.event_types),
            enabled: change.enabled.unwrap_or(now.enabled),
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        self.webhook_view(org, &id).await
    }

    /// Removes an endpoint; its pending deliveries are not sent.
    pub async fn delete_webhook(&self, org: &InOrg, id: &str) -> Result<(), AppError> {
        let webhook_id = webhook_id(id)?;
        self.service()
            .execute(
                &org.org,
                &org.actor()?,
                Command::RemoveWebhook {
                    webhook_id: webhook_id.clone(),
                },
            )
            .await?;
        self.service()
            .store()
            .delete_webhook_secret(&org.org, &webhook_id)
            .await
            .map_err(crate::service::ServiceError::from)?;
        Ok(())
    }

    /// A new secret for the endpoint, shown once; the old one signs nothing more.
    pub async fn rotate_webhook_secret(
        &self,
        org: &InOrg,
        id: &str,
    ) -> Result<WebhookView, AppError> {
        let webhook_id = webhook_id(id)?;
        let command = Command::RotateWebhookSecret {
            webhook_id: webhook_id.clone(),
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        let secret = new_secret();
        self.service()
            .store()
            .set_webhook_secret(&org.org, &webhook_id, &secret, now_ms())
            .await
            .map_err(crate::service::ServiceError::from)?;
        let mut view = self.webhook_view(org, &webhook_id).await?;
        view.secret = Some(secret);
        Ok(view)
    }

    /// The endpoint's latest deliveries, newest first.
    pub async fn webhook_deliveries(
        &self,
        org: &InOrg,
        id: &str,
    ) -> Result<Page<DeliveryView>, AppError> {
        require_webhooks(org)?;
        let id = webhook_id(id)?;
        self.webhook_view(org, &id).await?;
        let items = self
            .service()
            .store()
            .webhook_deliveries(&org.org, &id, LOG_LENGTH)
            .await
            .map_err(crate::service::ServiceError::from)?
            .into_iter()
            .map(|d| DeliveryView::new(org.org.as_str(), d))
            .collect();
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    /// Sends a delivery again (same `webhook-id`), when its turn comes.
    pub async fn redeliver(&self, org: &InOrg, id: &str, seq: i64) -> Result<(), AppError> {
        require_webhooks(org)?;
        let id = webhook_id(id)?;
        self.webhook_view(org, &id).await?;
        let found = self
            .service()
            .store()
            .redeliver(&org.org, &id, seq, now_ms())
            .await
            .map_err(crate::service::ServiceError::from)?;
        if !found {
            return Err(AppError::UnknownDelivery);
        }
        self.service().commits().notify_one();
        Ok(())
    }

    /// Why an endpoint is off, if Steward turned it off, and its newest
    /// delivery: two short reads, for a page listing the few endpoints.
    pub async fn webhook_standing(
        &self,
        org: &InOrg,
        webhook: &WebhookView,
    ) -> Result<WebhookStanding, AppError> {
        require_webhooks(org)?;
        let store = self.service().store();
        let newest = |event_type: &str| AuditFilter {
            event_type: Some(event_type.to_string()),
            target: Some(webhook.id.to_string()),
            limit: 1,
            ..AuditFilter::default()
        };
        let disabled_reason = if webhook.enabled {
            None
        } else {
            let disabled = store
                .audit(&org.org, &newest(event_type::WEBHOOK_DISABLED))
                .await?;
            let configured = store
                .audit(&org.org, &newest(event_type::WEBHOOK_CONFIGURED))
                .await?;
            // Turned on (or changed) again since: the reason no longer holds.
            disabled
                .into_iter()
                .next()
                .filter(|d| configured.first().is_none_or(|c| c.seq < d.seq))
                .and_then(|d| d.data.get("reason")?.as_str().map(str::to_string))
        };
        let last_delivery = store
            .webhook_deliveries(&org.org, &webhook.id, 1)
            .await
            .map_err(crate::service::ServiceError::from)?
            .into_iter()
            .next()
            .map(|d| DeliveryView::new(org.org.as_str(), d));
        Ok(WebhookStanding {
            disabled_reason,
            last_delivery,
        })
    }

    /// Turns off an endpoint whose deliveries failed for 3 days (the core's
    /// `DisableWebhook`: `webhook.disabled` with `reason`, in the audit log) and
    /// mails the notice to each member who may turn it on again (owners and
    /// admins, by the core's rule for managing webhooks). Once per disabling: an
    /// endpoint already off (another node gave up first) records nothing and
    /// mails no one. The mail is queued right after the commit, as every
    /// organization change's mail is (mailing.rs).
    pub async fn turn_off_failing_webhook(
        &self,
        org: &OrgId,
        webhook: &WebhookId,
        reason: String,
    ) -> Result<(), AppError> {
        let command = Command::DisableWebhook {
            webhook_id: webhook.clone(),
            reason: reason.clone(),
        };
        let events = self.service().execute(org, &Actor::System, command).await?;
        if events.is_empty() {
            return Ok(());
        }
        let policy = self.service().policy().clone();
        let (org_name, url, managers) = self
            .service()
            .read(org, |state| {
                let managers: Vec<String> = state
                    .members()
                    .filter(|m| {
                        let actor = Actor::User(m.user_id.clone());
                        steward_core::decide::webhook_refusal(&policy, state, &actor).is_none()
                    })
                    .map(|m| m.email.as_str().to_string())
                    .collect();
                let name = state.org().map(|o| o.name.to_string()).unwrap_or_default();
                let url = state.webhook(webhook).map(|w| w.url.clone());
                (name, url.unwrap_or_default(), managers)
            })
            .await?;
        let link = self
            .settings()
            .link(&format!("/orgs/{org}/settings/webhooks/{webhook}"));
        for to in managers {
            let mail = Mail::WebhookDisabled {
                org: &org_name,
                url: &url,
                reason: &reason,
                link: &link,
            };
            self.queue_mail(&to, mail).await?;
        }
        Ok(())
    }
}
