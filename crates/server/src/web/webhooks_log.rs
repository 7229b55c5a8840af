//! One webhook endpoint's delivery log in the console: its deliveries newest
//! first, a page at a time (the newest 100, as the API's log), each with its
//! attempts, the receiver's answer or the error, when it is tried next, and a
//! Redeliver button (docs/webhooks.md#delivery-at-least-once-in-order-never-lost).

use super::form::{PageQuery, Posted};
use super::page::{after_change, closed_section, render, when, Frame, Notice, PageError};
use super::session::Browser;
use super::webhooks::EndpointCard;
use crate::application::webhooks::DeliveryView;
use crate::application::Application;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

/// Deliveries on one page of the log.
const PER_PAGE: usize = 20;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/settings/webhooks/{webhook}", get(page))
        .route(
            "/orgs/{org}/settings/webhooks/{webhook}/deliveries/{seq}/redeliver",
            post(redeliver),
        )
}

#[derive(Template)]
#[template(path = "webhooks_log.html")]
struct LogPage {
    frame: Frame,
    endpoint: EndpointCard,
    deliveries: Vec<DeliveryRow>,
    /// 1-based.
    page: usize,
    pages: usize,
    total: usize,
}

/// One delivery as the log and an endpoint's card show it.
pub(super) struct DeliveryRow {
    pub seq: i64,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    /// The receiver's status code, or the error, or nothing yet.
    pub answer: String,
    /// When a pending one is tried next, or when it was delivered.
    pub when: String,
}

impl DeliveryRow {
    pub(super) fn of(d: DeliveryView) -> DeliveryRow {
        let answer = match (d.last_status, &d.last_error) {
            (Some(code), Some(error)) => format!("{code}: {error}"),
            (Some(code), None) => format!("HTTP {code}"),
            (None, Some(error)) => error.clone(),
            (None, None) => String::new(),
        };
        let when_ms = |ms: i64| when(ms / 1000);
        DeliveryRow {
            when: match (d.next_attempt_at, d.delivered_at) {
                (Some(next), _) => format!("next try {}", when_ms(next)),
                (None, Some(done)) => format!("delivered {}", when_ms(done)),
                (None, None) => String::new(),
            },
            seq: d.seq,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            answer,
        }
    }
}

#[derive(serde::Deserialize)]
struct LogQuery {
    page: Option<usize>,
    done: Option<String>,
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path((org, webhook)): Path<(String, String)>,
    PageQuery(q): PageQuery<LogQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("redelivered") => Some(Notice::ok(
            "The delivery is sent again, with the same webhook-id, as soon as its turn comes.",
        )),
        _ => None,
    };
    show(&app, &browser, &org, &webhook, q.page.unwrap_or(1), notice).await
}

async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    webhook: &str,
    page: usize,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "webhooks").await?;
    frame.notice = notice;
    let view = match app.steward.webhook(&in_org, webhook).await {
        Ok(view) => view,
        Err(e) => return closed_section(frame, "Webhooks", e),
    };
    let log = app
        .steward
        .webhook_deliveries(&in_org, webhook)
        .await?
        .items;
    let total = log.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let deliveries = log
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(DeliveryRow::of)
        .collect();
    Ok(render(&LogPage {
        frame,
        endpoint: EndpointCard::load(app, &in_org, view).await?,
        deliveries,
        page,
        pages,
        total,
    })?
    .into_response())
}

/// The same use case as the API's `.../deliveries/{seq}/redeliver`.
async fn redeliver(
    State(app): State<Application>,
    Path((org, webhook, seq)): Path<(String, String, i64)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.redeliver(&in_org, &webhook, seq).await;
    let page = posted
        .fields
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let done_url = format!("/orgs/{org}/settings/webhooks/{webhook}?done=redelivered&page={page}");
    after_change(outcome, done_url, |notice| {
        show(&app, &posted.browser, &org, &webhook, page, Some(notice))
    })
    .await
}
