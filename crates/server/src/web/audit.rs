//! The audit log, newest first, with its filters and the chain's status.

use super::form::PageQuery;
use super::page::{
    closed_section, find_member, parse_date, render, role_label, when, Frame, MemberPicker,
    PageError,
};
use super::session::Browser;
use crate::application::audit::{AuditEvent, AuditQuery};
use crate::application::exports::{ExportQuery, Format};
use crate::application::{AppError, Application, Caller};
use crate::download::attachment;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use steward_core::event::event_type;
use steward_core::{Change, Policy};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/audit", get(page))
        .route("/orgs/{org}/audit/export", get(export))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    rows: Vec<AuditRow>,
    types: Vec<(&'static str, bool)>,
    picker: MemberPicker,
    filter: Filter,
    chain_ok: bool,
    chain_events: i64,
    first_bad: Option<i64>,
    next: Option<String>,
    /// The current filter as a query string, for the next page's link.
    query: String,
}

struct AuditRow {
    seq: i64,
    at: String,
    event_type: String,
    actor: String,
    target: String,
    detail: String,
}

#[derive(Deserialize, Default, Clone)]
struct Filter {
    #[serde(rename = "type", default)]
    event_type: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    cursor: Option<String>,
}

impl AuditRow {
    /// One event as the table shows it: ids by the names people know them by,
    /// a role change in the policy's words, any other data as its JSON.
    fn of(event: &AuditEvent, policy: &Policy, names: &HashMap<String, String>) -> AuditRow {
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        let entry = &event.entry;
        let data = &entry.data;
        let text = |key: &str| data.get(key).and_then(|v| v.as_str()).unwrap_or("");
        let detail = match entry.event_type.as_str() {
            event_type::USER_ROLE_CHANGED => format!(
                "{} → {}",
                role_label(policy, text("previous_role")),
                role_label(policy, text("new_role"))
            ),
            _ => match data {
                serde_json::Value::Object(m) if m.is_empty() => String::new(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            },
        };
        AuditRow {
            seq: entry.seq,
            at: when(entry.at),
            event_type: entry.event_type.clone(),
            actor: entry
                .actor_id
                .as_deref()
                .map_or_else(|| "Steward".to_string(), name),
            target: entry.target_id.as_deref().map(name).unwrap_or_default(),
            detail,
        }
    }
}

impl Filter {
    /// The filter as a query string (without the cursor), for the next page's link.
    fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("type", &self.event_type)
            .append_pair("actor", &self.actor)
            .append_pair("target", &self.target)
            .append_pair("since", &self.since)
            .append_pair("until", &self.until)
            .finish()
    }
}

fn date(field: &'static str, value: &str) -> Result<Option<i64>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    parse_date(value).map(Some).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("{field}: {value:?} is not a date (YYYY-MM-DD)"),
        )
    })
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(filter): PageQuery<Filter>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "audit").await?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    // The actor by e-mail; a former member's id (still in the log) as typed.
    let (actor, picker) = app
        .service()
        .read(&in_org.org, |state| {
            let actor = find_member(state, &filter.actor).map(|u| u.to_string());
            (actor, MemberPicker::new(state, &filter.actor))
        })
        .await?;
    let query = AuditQuery {
        event_type: non_empty(&filter.event_type),
        actor: actor.or_else(|| non_empty(&filter.actor)),
        target: non_empty(&filter.target),
        since: date("since", &filter.since)?,
        // The whole of the `until` day.
        until: date("until", &filter.until)?.map(|d| d + 86_400),
        limit: Some(50),
        cursor: filter.cursor.clone(),
    };
    let events = match app.steward.audit(&in_org, query).await {
        Ok(events) => events,
        Err(e) => return closed_section(frame, "Audit log", e),
    };
    let chain = app.steward.verify_audit(&in_org).await?;
    let names = app.steward.audit_names(&in_org, &events.items).await?;
    let policy = app.service().policy().clone();
    let rows = events
        .items
        .iter()
        .map(|event| AuditRow::of(event, &policy, &names))
        .collect();
    let query = filter.query();
    Ok(render(&AuditPage {
        frame,
        rows,
        types: Change::TYPE_NAMES
            .iter()
            .map(|t| (*t, *t == filter.event_type))
            .collect(),
        picker,
        chain_ok: chain.ok,
        chain_events: chain.events,
        first_bad: chain.first_bad_seq,
        next: events.next_cursor,
        query,
        filter,
    })?
    .into_response())
}

/// The download links: the same streamed export as the API's, for the
/// signed-in browser.
async fn export(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(q): PageQuery<ExportQuery>,
) -> Result<Response, PageError> {
    let org = app
        .steward
        .in_org(Caller::Account(browser.user.clone()), &org)?;
    let format = Format::parse(q.format.as_deref())?;
    Ok(attachment(app.steward.audit_export(&org, format).await?))
}
