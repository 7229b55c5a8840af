//! The Webhooks page of the organization's settings: its endpoints (where
//! they send, which events, on or off and why, the last delivery), adding one
//! with its signing secret shown once, turning one on or off, rotating its
//! secret and removing it; every change through the use cases the API calls
//! (application/webhooks.rs, docs/webhooks.md). Each endpoint's delivery log
//! is webhooks_log.rs.

use super::form::{PageQuery, Posted};
use super::page::{after_change, closed_section, render, DoneQuery, Frame, Notice, PageError};
use super::session::Browser;
use super::webhooks_log::DeliveryRow;
use crate::application::webhooks::{NewWebhook, WebhookChange, WebhookView};
use crate::application::{AppError, Application, ErrorKind};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use steward_core::Change;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/settings/webhooks", get(page).post(create))
        .route(
            "/orgs/{org}/settings/webhooks/{webhook}/enabled",
            post(set_enabled),
        )
        .route(
            "/orgs/{org}/settings/webhooks/{webhook}/rotate-secret",
            post(rotate_secret),
        )
        .route(
            "/orgs/{org}/settings/webhooks/{webhook}/delete",
            post(delete),
        )
        .merge(super::webhooks_log::router())
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    frame: Frame,
    endpoints: Vec<EndpointCard>,
    /// An endpoint's secret just made (on creation or rotation), shown this once.
    secret: Option<ShownSecret>,
    form: EndpointForm,
    /// Every event type the audit log knows, to choose from.
    event_types: &'static [&'static str],
}

struct ShownSecret {
    url: String,
    value: String,
}

/// One endpoint as the page shows it.
pub(super) struct EndpointCard {
    pub id: String,
    pub url: String,
    /// "All event types", or the types listed.
    pub events: String,
    pub enabled: bool,
    /// Why Steward turned it off after failing, when it did.
    pub disabled_reason: Option<String>,
    pub last: Option<DeliveryRow>,
}

/// The add form as typed, and what was wrong with it, next to its field.
#[derive(Default)]
struct EndpointForm {
    url: String,
    /// Only some event types (else every one).
    some: bool,
    chosen: Vec<String>,
    url_error: Option<String>,
    events_error: Option<String>,
}

impl EndpointForm {
    fn chose(&self, event_type: &&str) -> bool {
        self.chosen.iter().any(|c| c == event_type)
    }
}

impl EndpointCard {
    pub(super) async fn load(
        app: &Application,
        in_org: &crate::application::InOrg,
        webhook: WebhookView,
    ) -> Result<EndpointCard, AppError> {
        let standing = app.steward.webhook_standing(in_org, &webhook).await?;
        Ok(EndpointCard {
            events: if webhook.event_types.is_empty() {
                "All event types".to_string()
            } else {
                webhook.event_types.join(", ")
            },
            id: webhook.id.to_string(),
            url: webhook.url,
            enabled: webhook.enabled,
            disabled_reason: standing.disabled_reason,
            last: standing.last_delivery.map(DeliveryRow::of),
        })
    }
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(done): PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match done.done.as_deref() {
        Some("enabled") => Some(Notice::ok(
            "The endpoint is on: the events it waited for are sent now, in order.",
        )),
        Some("disabled") => Some(Notice::ok(
            "The endpoint is off: its events wait until it is turned on again.",
        )),
        Some("deleted") => Some(Notice::ok(
            "The endpoint is removed: nothing more is sent to it.",
        )),
        _ => None,
    };
    show(&app, &browser, &org, notice, None, EndpointForm::default()).await
}

async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    notice: Option<Notice>,
    secret: Option<ShownSecret>,
    form: EndpointForm,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "webhooks").await?;
    frame.notice = notice;
    let webhooks = match app.steward.webhooks(&in_org).await {
        Ok(page) => page.items,
        Err(e) => return closed_section(frame, "Webhooks", e),
    };
    let mut endpoints = Vec::with_capacity(webhooks.len());
    for webhook in webhooks {
        endpoints.push(EndpointCard::load(app, &in_org, webhook).await?);
    }
    Ok(render(&WebhooksPage {
        frame,
        endpoints,
        secret,
        form,
        event_types: Change::TYPE_NAMES,
    })?
    .into_response())
}

/// The add form: the same use case as `POST /api/v1/orgs/{org}/webhooks`. A
/// refusal comes back beside the field it is about, the form as it was typed.
async fn create(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let f = &posted.fields;
    let mut form = EndpointForm {
        url: f.get("url").unwrap_or("").to_string(),
        some: f.get("events") == Some("some"),
        chosen: f.all("event_types").map(str::to_string).collect(),
        ..EndpointForm::default()
    };
    let outcome = if form.some && form.chosen.is_empty() {
        // The API reads no types as every type; the form asked for some.
        Err(AppError::invalid(
            "event_types",
            "choose at least one event type, or every type",
        ))
    } else {
        let event_types = if form.some {
            form.chosen.clone()
        } else {
            Vec::new()
        };
        app.steward
            .create_webhook(
                &in_org,
                NewWebhook {
                    url: form.url.clone(),
                    event_types,
                    enabled: None,
                },
            )
            .await
    };
    match outcome {
        // Shown on this answer and never again: no redirect that would lose it.
        Ok(made) => {
            let secret = made.secret.map(|value| ShownSecret {
                url: made.url.clone(),
                value,
            });
            let notice = Notice::ok(
                "The endpoint is added. Copy its signing secret now: it is not shown again.",
            );
            show(
                &app,
                &posted.browser,
                &org,
                Some(notice),
                secret,
                EndpointForm::default(),
            )
            .await
        }
        Err(e) if e.kind() == ErrorKind::Internal => Err(e.into()),
        Err(e) => {
            let text = super::page::words(&e);
            match e.reason() {
                "invalid_webhook_url" => form.url_error = Some(text),
                "unknown_event_type" | "event_types" => form.events_error = Some(text),
                _ => {}
            }
            let notice = Notice::error(&e);
            show(&app, &posted.browser, &org, Some(notice), None, form).await
        }
    }
}

async fn set_enabled(
    State(app): State<Application>,
    Path((org, webhook)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let enabled = posted.fields.get("enabled") == Some("1");
    let change = WebhookChange {
        enabled: Some(enabled),
        ..WebhookChange::default()
    };
    let outcome = app
        .steward
        .update_webhook(&in_org, &webhook, change)
        .await
        .map(|_| ());
    let done = if enabled { "enabled" } else { "disabled" };
    finish(&app, &posted, &org, outcome, done).await
}

/// A new secret, shown on this answer once; the old one signs nothing more.
async fn rotate_secret(
    State(app): State<Application>,
    Path((org, webhook)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    match app.steward.rotate_webhook_secret(&in_org, &webhook).await {
        Ok(rotated) => {
            let secret = rotated.secret.map(|value| ShownSecret {
                url: rotated.url.clone(),
                value,
            });
            let notice = Notice::ok(
                "The secret is replaced: the next delivery is signed with the new one. Copy it now.",
            );
            show(
                &app,
                &posted.browser,
                &org,
                Some(notice),
                secret,
                EndpointForm::default(),
            )
            .await
        }
        Err(e) => finish(&app, &posted, &org, Err(e), "rotated").await,
    }
}

async fn delete(
    State(app): State<Application>,
    Path((org, webhook)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.delete_webhook(&in_org, &webhook).await;
    finish(&app, &posted, &org, outcome, "deleted").await
}

async fn finish(
    app: &Application,
    posted: &Posted,
    org: &str,
    outcome: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let done_url = format!("/orgs/{org}/settings/webhooks?done={done}");
    after_change(outcome, done_url, |notice| {
        show(
            app,
            &posted.browser,
            org,
            Some(notice),
            None,
            EndpointForm::default(),
        )
    })
    .await
}
