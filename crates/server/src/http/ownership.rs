//! The ownership transfer: the owner nominates, the nominee accepts or declines
//! within the policy's days, the owner may cancel.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller, InOrg};
use super::members::parse_user;
use crate::application::Application;
use crate::secrets::random_id;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use steward_core::{Command, NominationId, Refusal};

pub fn router() -> Router<Application> {
    Router::new()
        .route(
            "/api/v1/orgs/{org}/ownership-transfer",
            get(pending).post(nominate).delete(cancel),
        )
        .route("/api/v1/orgs/{org}/ownership-transfer/accept", post(accept))
        .route(
            "/api/v1/orgs/{org}/ownership-transfer/decline",
            post(decline),
        )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominateBody {
    pub to_user: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub id: String,
    pub from_user: String,
    pub to_user: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// `pending`, or what ended it: `accepted`, `declined`, `cancelled`.
    pub status: &'static str,
}

pub(crate) async fn pending_view(
    app: &Application,
    org: &InOrg,
) -> Result<Option<TransferView>, ApiError> {
    Ok(app
        .service()
        .read(&org.org, |state| {
            state.nomination().map(|n| TransferView {
                id: n.id.to_string(),
                from_user: n.from_user.to_string(),
                to_user: n.to_user.to_string(),
                expires_at: n.expires_at.0,
                status: "pending",
            })
        })
        .await?)
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/ownership-transfer", tag = "ownership",
    params(("org" = String, Path)), request_body = NominateBody,
    responses((status = 201, body = TransferView), (status = 403), (status = 404), (status = 409)))]
pub(crate) async fn nominate(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<NominateBody>,
) -> Result<(StatusCode, Json<TransferView>), ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let command = Command::NominateOwner {
        nomination_id: NominationId::parse(&random_id("nom"))?,
        to_user: parse_user(&body.to_user)?,
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    let view = pending_view(&app, &org)
        .await?
        .ok_or_else(|| ApiError::Internal("the nomination vanished after it was made".into()))?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/ownership-transfer", tag = "ownership",
    params(("org" = String, Path)),
    responses((status = 200, body = TransferView), (status = 404)))]
pub(crate) async fn pending(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<TransferView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    pending_view(&app, &org)
        .await?
        .map(Json)
        .ok_or_else(|| Refusal::NoPendingTransfer.into())
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/ownership-transfer", tag = "ownership",
    params(("org" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn cancel(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    app.service()
        .execute(&org.org, &org.actor()?, Command::CancelNomination)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept or decline: the nominee only; answers what the transfer became.
pub(crate) async fn answer(
    app: Application,
    caller: Caller,
    org: String,
    command: Command,
    status: &'static str,
) -> Result<Json<TransferView>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let mut view = pending_view(&app, &org)
        .await?
        .ok_or(Refusal::NoPendingTransfer)?;
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    view.status = status;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/ownership-transfer/accept", tag = "ownership",
    params(("org" = String, Path)),
    responses((status = 200, body = TransferView), (status = 403), (status = 404)))]
pub(crate) async fn accept(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<TransferView>, ApiError> {
    answer(app, caller, org, Command::AcceptNomination, "accepted").await
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/ownership-transfer/decline", tag = "ownership",
    params(("org" = String, Path)),
    responses((status = 200, body = TransferView), (status = 403), (status = 404)))]
pub(crate) async fn decline(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<TransferView>, ApiError> {
    answer(app, caller, org, Command::DeclineNomination, "declined").await
}
