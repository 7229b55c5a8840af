//! The second factor over HTTP: its holder's enrolment (`/me/second-factor`),
//! the login's second step, the organization's setting and an admin's reset
//! of a member's, over application/second_factor (docs/two-factor.md).

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::second_factor::{
    CodeBody, DisableBody, EnrolmentAnswer, RecoveryCodesAnswer, SecondFactorLoginBody,
    SecondFactorSetting, SecondFactorStatus,
};
use crate::application::sessions::TokenAnswer;
use crate::application::{parse_user, Application};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use std::net::SocketAddr;

pub fn router() -> Router<Application> {
    Router::new()
        .route(
            "/api/v1/me/second-factor",
            get(status).post(begin).delete(disable),
        )
        .route("/api/v1/me/second-factor/confirm", post(confirm))
        .route("/api/v1/auth/login/second-factor", post(login))
        .route(
            "/api/v1/orgs/{org}/second-factor-policy",
            get(setting).put(set_setting),
        )
        .route(
            "/api/v1/orgs/{org}/members/{user}/second-factor",
            delete(reset),
        )
}

#[utoipa::path(get, operation_id = "getSecondFactor", path = "/api/v1/me/second-factor", tag = "accounts",
    responses((status = 200, body = SecondFactorStatus), (status = 401)))]
pub(crate) async fn status(
    State(app): State<Application>,
    caller: Caller,
) -> Result<Json<SecondFactorStatus>, ApiError> {
    Ok(Json(app.second_factor_status(caller).await?))
}

#[utoipa::path(post, operation_id = "beginSecondFactor", path = "/api/v1/me/second-factor", tag = "accounts",
    responses((status = 201, body = EnrolmentAnswer, description = "a new key, not in force until confirmed with a code"), (status = 401), (status = 409, description = "`second_factor_enrolled`: turn the current one off first")))]
pub(crate) async fn begin(
    State(app): State<Application>,
    caller: Caller,
) -> Result<(StatusCode, Json<EnrolmentAnswer>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.begin_second_factor(caller).await?),
    ))
}

#[utoipa::path(post, operation_id = "confirmSecondFactor", path = "/api/v1/me/second-factor/confirm", tag = "accounts",
    request_body(content = CodeBody, example = json!({"code": "123456"})),
    responses((status = 200, body = RecoveryCodesAnswer, description = "in force; the ten recovery codes, shown this once"), (status = 400, description = "`code`: not the app's current code"), (status = 404, description = "`no_second_factor`: start the setup first"), (status = 429)))]
pub(crate) async fn confirm(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    caller: Caller,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<RecoveryCodesAnswer>, ApiError> {
    Ok(Json(
        app.confirm_second_factor(caller, &body.code, client.ip())
            .await?,
    ))
}

#[utoipa::path(delete, operation_id = "disableSecondFactor", path = "/api/v1/me/second-factor", tag = "accounts",
    request_body(content = DisableBody, example = json!({"code": "123456"})),
    responses((status = 204), (status = 400), (status = 401), (status = 404), (status = 429)))]
pub(crate) async fn disable(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    caller: Caller,
    ApiJson(body): ApiJson<DisableBody>,
) -> Result<StatusCode, ApiError> {
    app.disable_second_factor(caller, body, client.ip()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "logInSecondFactor", security(()), path = "/api/v1/auth/login/second-factor", tag = "accounts",
    request_body(content = SecondFactorLoginBody, example = json!({"challenge": "stw_2fa_...", "code": "123456"})),
    responses((status = 200, body = TokenAnswer), (status = 401, description = "`invalid_second_factor_code` or `invalid_challenge`"), (status = 429)))]
pub(crate) async fn login(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<SecondFactorLoginBody>,
) -> Result<Json<TokenAnswer>, ApiError> {
    Ok(Json(app.login_second_factor(body, client.ip()).await?))
}

#[utoipa::path(get, operation_id = "getSecondFactorPolicy", path = "/api/v1/orgs/{org}/second-factor-policy", tag = "orgs",
    params(("org" = String, Path)),
    responses((status = 200, body = SecondFactorSetting), (status = 404)))]
pub(crate) async fn setting(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<SecondFactorSetting>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.second_factor_setting(&org)))
}

#[utoipa::path(put, operation_id = "setSecondFactorPolicy", path = "/api/v1/orgs/{org}/second-factor-policy", tag = "orgs",
    params(("org" = String, Path)),
    request_body(content = SecondFactorSetting, example = json!({"second_factor_required": true})),
    responses((status = 200, body = SecondFactorSetting), (status = 403, description = "`not_permitted`: only owners and admins"), (status = 404)))]
pub(crate) async fn set_setting(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<SecondFactorSetting>,
) -> Result<Json<SecondFactorSetting>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(
        app.steward
            .set_second_factor_required(&org, body.second_factor_required)
            .await?,
    ))
}

#[utoipa::path(delete, operation_id = "resetMemberSecondFactor", path = "/api/v1/orgs/{org}/members/{user}/second-factor", tag = "members",
    params(("org" = String, Path), ("user" = String, Path)),
    responses((status = 204, description = "reset; the member's sessions and refresh tokens ended"), (status = 403, description = "`owner_immutable`, `self_change`, `above_own_rank`, `not_permitted` or `member_of_other_organizations`"), (status = 404)))]
pub(crate) async fn reset(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, user)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let user = parse_user(&user)?;
    app.steward.reset_second_factor(&org, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
