//! Webhook endpoints: added, changed, rotated and removed by whoever manages
//! members (owners and admins), as API keys are; turned off by Steward when
//! they keep failing (docs/webhooks.md).

use super::Context;
use crate::event::{Actor, Change};
use crate::id::WebhookId;
use crate::refusal::Refusal;
use crate::webhook::{is_webhook_url, unknown_event_type};

/// An endpoint receives every event of the organization, as a key acts for all
/// of it: managing one is the API keys' rule (the right to manage members;
/// Steward's operator may as well; a directory may not), kept once there.
fn check_may_manage_webhooks(cx: &Context) -> Result<(), Refusal> {
    super::api_keys::check_may_manage_keys(cx)
}

/// Why `actor` may not manage webhooks now, if they may not (for a page that
/// offers the controls).
pub fn webhook_refusal(
    policy: &crate::policy::Policy,
    state: &crate::state::State,
    actor: &Actor,
) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor,
        now: crate::id::Timestamp(0),
    };
    check_may_manage_webhooks(&cx).err()
}

pub(super) fn configure(
    cx: &Context,
    webhook_id: WebhookId,
    url: String,
    event_types: Vec<String>,
    enabled: bool,
) -> Result<Vec<Change>, Refusal> {
    check_may_manage_webhooks(cx)?;
    if !is_webhook_url(&url) {
        return Err(Refusal::InvalidWebhookUrl(url));
    }
    if let Some(unknown) = unknown_event_type(&event_types) {
        return Err(Refusal::UnknownEventType(unknown.clone()));
    }
    let mut event_types = event_types;
    event_types.sort();
    event_types.dedup();
    if let Some(w) = cx.state.webhook(&webhook_id) {
        if w.url == url && w.event_types == event_types && w.enabled == enabled {
            return Ok(vec![]);
        }
    }
    Ok(vec![Change::WebhookConfigured {
        webhook_id,
        url,
        event_types,
        enabled,
    }])
}

fn known(cx: &Context, webhook_id: &WebhookId) -> Result<(), Refusal> {
    cx.state
        .webhook(webhook_id)
        .map(|_| ())
        .ok_or_else(|| Refusal::UnknownWebhook(webhook_id.clone()))
}

pub(super) fn rotate_secret(cx: &Context, webhook_id: WebhookId) -> Result<Vec<Change>, Refusal> {
    check_may_manage_webhooks(cx)?;
    known(cx, &webhook_id)?;
    Ok(vec![Change::WebhookSecretRotated { webhook_id }])
}

pub(super) fn remove(cx: &Context, webhook_id: WebhookId) -> Result<Vec<Change>, Refusal> {
    check_may_manage_webhooks(cx)?;
    let w = cx
        .state
        .webhook(&webhook_id)
        .ok_or_else(|| Refusal::UnknownWebhook(webhook_id.clone()))?;
    Ok(vec![Change::WebhookRemoved {
        url: w.url.clone(),
        webhook_id,
    }])
}

/// Only Steward turns an endpoint off for failing; one already off stays as it is.
pub(super) fn disable(
    cx: &Context,
    webhook_id: WebhookId,
    reason: String,
) -> Result<Vec<Change>, Refusal> {
    cx.org()?;
    if *cx.actor != Actor::System {
        return Err(Refusal::NotPermitted);
    }
    let w = cx
        .state
        .webhook(&webhook_id)
        .ok_or_else(|| Refusal::UnknownWebhook(webhook_id.clone()))?;
    if !w.enabled {
        return Ok(vec![]);
    }
    Ok(vec![Change::WebhookDisabled { webhook_id, reason }])
}
