//! Single sign-on over the API: an organization's provider settings
//! (`GET`/`PUT`/`DELETE /api/v1/orgs/{org}/sso`), a domain's proof
//! (`POST .../sso/domains/{domain}/prove`), and the public start of a sign-in
//! (`POST /api/v1/auth/sso/start`), whose provider answers to the console's
//! `/sso/callback` (docs/sign-in.md#single-sign-on).

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::sso::{SsoSettingsBody, SsoView};
use crate::application::Application;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<Application> {
    Router::new()
        .route(
            "/api/v1/orgs/{org}/sso",
            get(read).put(configure).delete(remove),
        )
        .route(
            "/api/v1/orgs/{org}/sso/domains/{domain}/prove",
            post(prove_domain),
        )
        .route("/api/v1/auth/sso/start", post(start))
}

#[utoipa::path(get, operation_id = "getSso", path = "/api/v1/orgs/{org}/sso", tag = "sso",
    params(("org" = String, Path)),
    responses((status = 200, body = SsoView, description = "the provider, its domains and their proof; never the client secret"),
        (status = 403), (status = 404, description = "`sso_not_configured`, or `unknown_org`")))]
pub(super) async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<SsoView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.sso_settings(&org).await?))
}

#[utoipa::path(put, operation_id = "configureSso", path = "/api/v1/orgs/{org}/sso", tag = "sso",
    params(("org" = String, Path)), request_body = SsoSettingsBody,
    responses((status = 200, body = SsoView), (status = 400), (status = 403),
        (status = 404), (status = 409, description = "`sso_domain_taken`: another organization claims a domain")))]
pub(super) async fn configure(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<SsoSettingsBody>,
) -> Result<Json<SsoView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.configure_sso(&org, body).await?))
}

#[utoipa::path(delete, operation_id = "removeSso", path = "/api/v1/orgs/{org}/sso", tag = "sso",
    params(("org" = String, Path)),
    responses((status = 204, description = "single sign-on ended; its domains are free"), (status = 403), (status = 404)))]
pub(super) async fn remove(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.remove_sso(&org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "proveSsoDomain", path = "/api/v1/orgs/{org}/sso/domains/{domain}/prove", tag = "sso",
    params(("org" = String, Path), ("domain" = String, Path)),
    responses((status = 200, body = SsoView, description = "proven by a verified address on the domain: the caller's own, or a member's"),
        (status = 400, description = "`sso_no_proof`: nobody has a verified address on it"), (status = 403), (status = 404)))]
pub(super) async fn prove_domain(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, domain)): ApiPath<(String, String)>,
) -> Result<Json<SsoView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.prove_sso_domain(&org, &domain).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StartBody {
    email: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct StartAnswer {
    /// Send the person's browser here; the provider answers to `/sso/callback`,
    /// which signs them in to the console.
    authorization_url: String,
}

#[utoipa::path(post, operation_id = "startSso", security(()), path = "/api/v1/auth/sso/start", tag = "sso",
    request_body = StartBody,
    responses((status = 200, body = StartAnswer),
        (status = 404, description = "`sso_not_configured`: no proven SSO domain covers the address")))]
pub(super) async fn start(
    State(app): State<Application>,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<Json<StartAnswer>, ApiError> {
    Ok(Json(StartAnswer {
        authorization_url: app.sso_start(&body.email).await?,
    }))
}
