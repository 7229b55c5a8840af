//! Exports as downloads: the audit log (`?format=jsonl|csv`, streamed) and the
//! member list (CSV); the use cases are `Steward::audit_export` and
//! `Steward::members_export`.

use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Caller};
use crate::application::exports::{ExportQuery, Format};
use crate::application::Application;
use crate::download::attachment;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/audit/export", get(audit_export))
        .route("/api/v1/orgs/{org}/members/export", get(members_export))
}

/// The whole log, oldest first, up to the head as it stood when the export began.
#[utoipa::path(get, operation_id = "exportAuditLog", path = "/api/v1/orgs/{org}/audit/export", tag = "audit",
    params(("org" = String, Path), ExportQuery),
    responses(
        (status = 200, description = "the log, oldest first", content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn audit_export(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let format = Format::parse(q.format.as_deref())?;
    Ok(attachment(app.steward.audit_export(&org, format).await?))
}

/// The members as CSV with the columns the import reads, `email,name,role,scopes`.
#[utoipa::path(get, operation_id = "exportMembers", path = "/api/v1/orgs/{org}/members/export", tag = "members",
    params(("org" = String, Path)),
    responses(
        (status = 200, description = "email,name,role,scopes", content_type = "text/csv"),
        (status = 403), (status = 404)))]
pub(crate) async fn members_export(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Response, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(attachment(app.steward.members_export(&org).await?))
}
