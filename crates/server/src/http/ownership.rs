//! The ownership transfer over HTTP: each handler calls one use case of
//! `application::ownership` and answers.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::ownership::{NominateBody, TransferView};
use crate::application::{parse_user, Application};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

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

#[utoipa::path(post, operation_id = "nominateOwner", path = "/api/v1/orgs/{org}/ownership-transfer", tag = "ownership",
    params(("org" = String, Path)), request_body = NominateBody,
    responses((status = 201, body = TransferView), (status = 403), (status = 404), (status = 409)))]
pub(crate) async fn nominate(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<NominateBody>,
) -> Result<(StatusCode, Json<TransferView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let to_user = parse_user(&body.to_user)?;
    let view = app.steward.nominate_owner(&org, &to_user).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, operation_id = "getOwnershipTransfer", path = "/api/v1/orgs/{org}/ownership-transfer", tag = "ownership",
    params(("org" = String, Path)),
    responses((status = 200, body = TransferView), (status = 404)))]
pub(crate) async fn pending(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<TransferView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.pending_transfer(&org).await?))
}

#[utoipa::path(delete, operation_id = "cancelOwnershipTransfer", path = "/api/v1/orgs/{org}/ownership-transfer", tag = "ownership",
    params(("org" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn cancel(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.cancel_transfer(&org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "acceptOwnershipTransfer", path = "/api/v1/orgs/{org}/ownership-transfer/accept", tag = "ownership",
    params(("org" = String, Path)),
    responses((status = 200, body = TransferView), (status = 403), (status = 404)))]
pub(crate) async fn accept(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<TransferView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.accept_transfer(&org).await?))
}

#[utoipa::path(post, operation_id = "declineOwnershipTransfer", path = "/api/v1/orgs/{org}/ownership-transfer/decline", tag = "ownership",
    params(("org" = String, Path)),
    responses((status = 200, body = TransferView), (status = 403), (status = 404)))]
pub(crate) async fn decline(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<TransferView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.decline_transfer(&org).await?))
}
