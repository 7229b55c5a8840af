//! The audit log: newest first with filters, and the verification of its chain.

use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Caller, InOrg};
use super::members::{page_limit, Page};
use crate::application::Application;
use crate::store::{AuditEntry, AuditFilter, ChainReport};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/audit", get(list))
        .route("/api/v1/orgs/{org}/audit/verify", get(verify))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// An event type, e.g. `user.role_changed`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<String>,
    /// The user who made the change.
    pub actor: Option<String>,
    /// The user or object it was about.
    pub target: Option<String>,
    /// Unix seconds: only events at or after.
    pub since: Option<i64>,
    /// Unix seconds: only events before.
    pub until: Option<i64>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// One event of the log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: String,
    #[serde(flatten)]
    #[schema(inline, value_type = Object)]
    pub entry: AuditEntry,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit", tag = "audit",
    params(("org" = String, Path), AuditQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = 403), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEvent>>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    org.require("audit:view")?;
    // Events about an object the caller may not see are asked for as about one
    // that does not exist.
    let object = q
        .target
        .as_deref()
        .filter(|t| org.snapshot.node(t).is_some());
    if let Some(target) = object {
        org.visible_object(target)?;
    }
    let limit = page_limit(q.limit)?;
    let before = q
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::invalid("cursor", "not a cursor this API gave"))
        })
        .transpose()?;
    let filter = AuditFilter {
        event_type: q.event_type,
        actor: q.actor,
        target: q.target,
        since: q.since,
        before,
        until: q.until,
        limit: limit as i64 + 1,
    };
    let mut entries = app.service().store().audit(&org.org, &filter).await?;
    let next_cursor = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.seq.to_string())
    } else {
        None
    };
    let items = entries
        .into_iter()
        .map(|entry| AuditEvent {
            id: entry.seq.to_string(),
            entry,
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainView {
    pub ok: bool,
    pub events: i64,
    pub first_bad_seq: Option<i64>,
}

impl From<ChainReport> for ChainView {
    fn from(r: ChainReport) -> ChainView {
        ChainView {
            ok: r.ok,
            events: r.events,
            first_bad_seq: r.first_bad_seq,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit/verify", tag = "audit",
    params(("org" = String, Path)),
    responses((status = 200, body = ChainView), (status = 403), (status = 404)))]
pub(crate) async fn verify(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<ChainView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    org.require("audit:view")?;
    Ok(Json(app.service().verify(&org.org).await?.into()))
}
