//! The audit log: newest first with filters, and the verification of its chain.

use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Caller};
use crate::application::audit::{AuditEvent, AuditQuery, ChainView};
use crate::application::{Application, Page};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/audit", get(list))
        .route("/api/v1/orgs/{org}/audit/verify", get(verify))
}

#[utoipa::path(get, operation_id = "listAuditEvents", path = "/api/v1/orgs/{org}/audit", tag = "audit",
    params(("org" = String, Path), AuditQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = 403), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEvent>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.audit(&org, q).await?))
}

#[utoipa::path(get, operation_id = "verifyAuditLog", path = "/api/v1/orgs/{org}/audit/verify", tag = "audit",
    params(("org" = String, Path)),
    responses((status = 200, body = ChainView), (status = 403), (status = 404)))]
pub(crate) async fn verify(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<ChainView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.verify_audit(&org).await?))
}
