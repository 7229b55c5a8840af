//! Accounts and sessions: signup, login, token refresh and logout, `/me`, the
//! public keys of `/.well-known/jwks.json`, and accepting an invitation, over
//! the application's use cases (application/{accounts,sessions,joining}.rs).

use super::error::ApiError;
use super::extract::{bearer, ApiBytes, ApiJson, ApiPath, Caller};
use crate::application::accounts::{MeView, SignupAnswer, SignupBody};
use crate::application::joining::{AcceptAnswer, AcceptBody};
use crate::application::members::MemberView;
use crate::application::passwords::{
    ChangePasswordBody, NewPasswordBody, ResetRequestBody, VerifyBody,
};
use crate::application::second_factor::{ChallengeAnswer, SignInStep};
use crate::application::sessions::{LoginBody, RefreshBody, TokenAnswer};
use crate::application::Application;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::net::SocketAddr;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/signup", post(signup))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/password", post(change_password))
        .route("/api/v1/auth/password-reset", post(request_password_reset))
        .route("/api/v1/auth/password-reset/{token}", post(reset_password))
        .route("/api/v1/auth/verify-email/{token}", post(verify_email))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/api/v1/invitations/{token}/accept",
            post(accept_invitation),
        )
}

#[utoipa::path(post, operation_id = "signUp", security(()), path = "/api/v1/signup", tag = "accounts",
    request_body(content = SignupBody, example = json!({"email": "ada@acme.test", "name": "Ada", "password": "a long password", "org_name": "Acme"})),
    responses((status = 201, body = SignupAnswer), (status = 400), (status = 404, description = "signup is turned off"), (status = 409)))]
pub(crate) async fn signup(
    State(app): State<Application>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<(StatusCode, Json<SignupAnswer>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.signup(body).await?)))
}

#[utoipa::path(post, operation_id = "logIn", security(()), path = "/api/v1/auth/login", tag = "accounts",
    request_body(content = LoginBody, example = json!({"email": "ada@acme.test", "password": "a long password"})),
    responses((status = 200, body = TokenAnswer), (status = 202, body = ChallengeAnswer, description = "the account has a second factor: send the challenge and a code to /api/v1/auth/login/second-factor"), (status = 401), (status = 429)))]
pub(crate) async fn login(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    Ok(match app.login(body, client.ip()).await? {
        SignInStep::Done(tokens) => Json(tokens).into_response(),
        SignInStep::SecondFactor(challenge) => {
            (StatusCode::ACCEPTED, Json(challenge)).into_response()
        }
    })
}

#[utoipa::path(post, operation_id = "refreshToken", security(()), path = "/api/v1/auth/refresh", tag = "accounts", request_body = RefreshBody,
    responses((status = 200, body = TokenAnswer), (status = 401)))]
pub(crate) async fn refresh(
    State(app): State<Application>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenAnswer>, ApiError> {
    Ok(Json(app.refresh(&body.refresh_token).await?))
}

#[utoipa::path(post, operation_id = "logOut", security(()), path = "/api/v1/auth/logout", tag = "accounts", request_body = RefreshBody,
    responses((status = 204)))]
pub(crate) async fn logout(
    State(app): State<Application>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<StatusCode, ApiError> {
    app.steward.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "getMe", path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401)))]
pub(crate) async fn me(
    State(app): State<Application>,
    caller: Caller,
) -> Result<Json<MeView>, ApiError> {
    Ok(Json(app.steward.me(caller).await?))
}

#[utoipa::path(get, operation_id = "getJwks", security(()), path = "/.well-known/jwks.json", tag = "accounts",
    responses((status = 200, description = "the Ed25519 public keys (JWK set) that sign access tokens")))]
pub(crate) async fn jwks(State(app): State<Application>) -> Json<serde_json::Value> {
    Json(app.jwks())
}

#[utoipa::path(post, operation_id = "acceptInvitation", security((), ("bearer" = [])), path = "/api/v1/invitations/{token}/accept", tag = "invitations",
    params(("token" = String, Path, description = "the invitation's token, or a setup link's")),
    request_body = AcceptBody,
    responses((status = 200, body = MemberView), (status = 400), (status = 401, description = "`sign_in_required`: the address has an account; accept with its access token"), (status = 404), (status = 409)))]
pub(crate) async fn accept_invitation(
    State(app): State<Application>,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<AcceptAnswer>, ApiError> {
    // The body is optional: a signed-in invitee needs to send nothing.
    let body: AcceptBody = if body.iter().all(u8::is_ascii_whitespace) {
        AcceptBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", e.to_string()))?
    };
    Ok(Json(app.accept_link(&token, body, bearer(&headers)).await?))
}

#[utoipa::path(post, operation_id = "requestPasswordReset", security(()), path = "/api/v1/auth/password-reset", tag = "accounts", request_body = ResetRequestBody,
    responses((status = 202, description = "the same answer whether or not the address has an account; a one-time link (1 hour) is mailed when it has"), (status = 429)))]
pub(crate) async fn request_password_reset(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<ResetRequestBody>,
) -> Result<StatusCode, ApiError> {
    app.request_password_reset(&body.email, client.ip()).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, operation_id = "resetPassword", security(()), path = "/api/v1/auth/password-reset/{token}", tag = "accounts",
    params(("token" = String, Path, description = "the secret of the mailed link")),
    request_body = NewPasswordBody,
    responses((status = 204, description = "the password is set; every session and refresh token of the account ended"), (status = 400), (status = 404, description = "`unknown_link`: unknown, used or expired")))]
pub(crate) async fn reset_password(
    State(app): State<Application>,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<NewPasswordBody>,
) -> Result<StatusCode, ApiError> {
    app.reset_password(&token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "verifyEmail", security(()), path = "/api/v1/auth/verify-email/{token}", tag = "accounts",
    params(("token" = String, Path, description = "the secret of the mailed link")),
    request_body = VerifyBody,
    responses((status = 200, body = TokenAnswer, description = "the address is proven; signed in"), (status = 401), (status = 404, description = "`unknown_link`"), (status = 429)))]
pub(crate) async fn verify_email(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<TokenAnswer>, ApiError> {
    Ok(Json(
        app.verify_address_tokens(&token, &body.password, client.ip())
            .await?,
    ))
}

#[utoipa::path(post, operation_id = "changePassword", path = "/api/v1/me/password", tag = "accounts", request_body = ChangePasswordBody,
    responses((status = 204, description = "changed; every console session and refresh token of the account ended"), (status = 400), (status = 401), (status = 429)))]
pub(crate) async fn change_password(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    caller: Caller,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> Result<StatusCode, ApiError> {
    app.change_password(caller, body, client.ip(), None).await?;
    Ok(StatusCode::NO_CONTENT)
}
