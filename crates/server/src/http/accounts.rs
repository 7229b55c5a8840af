//! Accounts and sessions: signup, login, token refresh and logout, `/me`, the
//! public keys of `/.well-known/jwks.json`, and accepting an invitation.

use super::error::ApiError;
use super::extract::{bearer, ApiBytes, ApiJson, ApiPath, Caller};
use super::members::{current_member, optional_name, MemberView};
use super::orgs::{create_organization, OrgView};
use crate::application::invitations::parse_invitation_token;
use crate::application::{Application, InOrg};
use crate::auth::{AccessClaims, Password, ACCESS_TOKEN_SECONDS};
use crate::secrets::random_id;
use crate::store::Account;
use crate::store::RefreshRefusal;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Instant;
use steward_core::{Actor, Command, Email, Name, Refusal, UserId};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/signup", post(signup))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/api/v1/invitations/{token}/accept",
            post(accept_invitation),
        )
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: String,
    pub email: String,
    pub name: String,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> AccountView {
        AccountView {
            id: a.id.clone(),
            email: a.email.clone(),
            name: a.name.clone(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    pub email: String,
    pub name: String,
    pub password: String,
    pub org_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignupAnswer {
    pub account: AccountView,
    pub org: OrgView,
}

/// Makes an account with a password; the e-mail must be free.
pub async fn create_account(
    app: &Application,
    email: &str,
    name: &str,
    password: &str,
) -> Result<Account, ApiError> {
    let email = Email::parse(email).map_err(|e| ApiError::field("email", e))?;
    let name = Name::parse(name).map_err(|e| ApiError::field("name", e))?;
    let password = Password::parse(password).map_err(|e| ApiError::field("password", e))?;
    let duplicate = || {
        ApiError::conflict(
            "duplicate_email",
            format!("an account with {email} already exists; sign in instead"),
        )
    };
    // Before the hash, so a taken address costs no Argon2 work; the insert's own
    // check stays for an account made in between.
    let store = app.service().store();
    if store.account_by_email(email.as_str()).await?.is_some() {
        return Err(duplicate());
    }
    let account = Account {
        id: random_id("usr"),
        email: email.to_string(),
        name: name.to_string(),
        password_hash: Some(app.sign_in.passwords.hash(&password).await?),
        created_at: app.service().clock().now().0,
    };
    match store.create_account(&account).await {
        Ok(()) => Ok(account),
        Err(crate::store::StoreError::DuplicateEmail) => Err(duplicate()),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/signup", tag = "accounts", request_body = SignupBody,
    responses((status = 201, body = SignupAnswer), (status = 400), (status = 404, description = "signup is turned off"), (status = 409)))]
pub(crate) async fn signup(
    State(app): State<Application>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<(StatusCode, Json<SignupAnswer>), ApiError> {
    if !app.settings().signup {
        return Err(ApiError::not_found(
            "signup_disabled",
            "signup is turned off here; ask an administrator for an invitation",
        ));
    }
    let org_name = Name::parse(&body.org_name).map_err(|e| ApiError::field("org_name", e))?;
    let account = create_account(&app, &body.email, &body.name, &body.password).await?;
    let owner = UserId::parse(&account.id)?;
    let org = create_organization(&app, &owner, org_name).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupAnswer {
            account: (&account).into(),
            org,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenAnswer {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the access token lasts (900).
    pub expires_in: i64,
}

/// An access token for the account, carrying its memberships as they are now.
pub(crate) async fn access_token(app: &Application, account_id: &str) -> Result<String, ApiError> {
    let now = app.service().clock().now().0;
    let org = app
        .service()
        .store()
        .memberships_of(account_id)
        .await?
        .into_iter()
        .map(|m| (m.org_id, m.role))
        .collect();
    Ok(app.sign_in.signer.issue(&AccessClaims {
        sub: account_id.to_string(),
        org,
        iat: now,
        exp: now + ACCESS_TOKEN_SECONDS,
        jti: random_id("jti"),
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginBody,
    responses((status = 200, body = TokenAnswer), (status = 401), (status = 429)))]
pub(crate) async fn login(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<TokenAnswer>, ApiError> {
    let account = verify_credentials(&app, &body.email, &body.password, client.ip()).await?;
    let now = app.service().clock().now().0;
    let refresh_token = app
        .service()
        .store()
        .issue_refresh_token(&account.id, now)
        .await?;
    Ok(Json(TokenAnswer {
        access_token: access_token(&app, &account.id).await?,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TOKEN_SECONDS,
    }))
}

/// The account behind an e-mail and password, for the API's login and the
/// console's sign-in alike: rate limited, the same work and answer for an
/// unknown e-mail as for a wrong password, and every failure audited. The one
/// place a password is checked: every other credential path (accepting an
/// invitation for an existing account) sends people through sign-in.
pub async fn verify_credentials(
    app: &Application,
    email: &str,
    password: &str,
    client: std::net::IpAddr,
) -> Result<Account, ApiError> {
    let key = email.trim().to_lowercase();
    // Counted as a failure unless it succeeds below (an error on the way too).
    let attempt = app
        .sign_in
        .limiter
        .admit(&key, client, Instant::now())
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let account = match Email::parse(email) {
        Ok(email) => {
            app.service()
                .store()
                .account_by_email(email.as_str())
                .await?
        }
        Err(_) => None,
    };
    // Unknown or not: the same hash work, the same answer.
    let stored = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let ok = app.sign_in.passwords.verify(stored, password).await;
    let account = match (ok, account) {
        (true, Some(account)) => account,
        (_, account) => {
            if let Some(account) = account {
                record_failed_login(app, account.id);
            }
            tracing::info!("a login failed");
            return Err(ApiError::unauthenticated(
                "invalid_credentials",
                "wrong e-mail or password",
            ));
        }
    };
    app.sign_in.limiter.succeeded(attempt);
    Ok(account)
}

/// `auth.login_failed` in the audit log of every organization the account is in;
/// in the background, so the answer takes as long as for an unknown e-mail.
fn record_failed_login(app: &Application, account_id: String) {
    let app = app.clone();
    tokio::spawn(async move {
        let Ok(user_id) = UserId::parse(&account_id) else {
            return;
        };
        let memberships = match app.service().store().memberships_of(&account_id).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "could not record a failed login");
                return;
            }
        };
        for m in memberships {
            let Ok(org) = steward_core::OrgId::parse(&m.org_id) else {
                continue;
            };
            let command = Command::RecordLoginFailure {
                user_id: user_id.clone(),
            };
            if let Err(e) = app.service().execute(&org, &Actor::System, command).await {
                tracing::warn!(%org, error = %e, "could not record a failed login");
            }
        }
    });
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    pub refresh_token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "accounts", request_body = RefreshBody,
    responses((status = 200, body = TokenAnswer), (status = 401)))]
pub(crate) async fn refresh(
    State(app): State<Application>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenAnswer>, ApiError> {
    let now = app.service().clock().now().0;
    let (account_id, refresh_token) = app
        .service()
        .store()
        .rotate_refresh_token(&body.refresh_token, now)
        .await?
        .map_err(|refusal| match refusal {
            RefreshRefusal::Reused => {
                tracing::warn!("a rotated refresh token was used again; its family is revoked");
                ApiError::unauthenticated(
                    "refresh_token_reused",
                    "this refresh token was already used; every session from that login is signed out",
                )
            }
            RefreshRefusal::Revoked => ApiError::unauthenticated(
                "refresh_token_revoked",
                "the refresh token was revoked; sign in again",
            ),
            RefreshRefusal::Expired => {
                ApiError::unauthenticated("refresh_token_expired", "the refresh token has expired")
            }
            RefreshRefusal::Unknown => {
                ApiError::unauthenticated("invalid_refresh_token", "the refresh token is not valid")
            }
        })?;
    Ok(Json(TokenAnswer {
        access_token: access_token(&app, &account_id).await?,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TOKEN_SECONDS,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", request_body = RefreshBody,
    responses((status = 204)))]
pub(crate) async fn logout(
    State(app): State<Application>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<StatusCode, ApiError> {
    let now = app.service().clock().now().0;
    app.service()
        .store()
        .revoke_refresh_family(&body.refresh_token, now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeView {
    pub account: AccountView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MembershipView {
    pub org: OrgRef,
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

pub(crate) async fn me_view(app: &Application, account: &Account) -> Result<MeView, ApiError> {
    let memberships = app
        .service()
        .store()
        .memberships_of(&account.id)
        .await?
        .into_iter()
        .map(|m| MembershipView {
            org: OrgRef {
                id: m.org_id,
                name: m.org_name,
            },
            role: m.role,
        })
        .collect();
    Ok(MeView {
        account: account.into(),
        memberships,
    })
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401)))]
pub(crate) async fn me(
    State(app): State<Application>,
    caller: Caller,
) -> Result<Json<MeView>, ApiError> {
    let Caller::Account(user) = caller else {
        return Err(ApiError::forbidden(
            "not_permitted",
            "an API key has no account; /me is for people",
        ));
    };
    let account = app
        .service()
        .store()
        .account_by_id(user.as_str())
        .await?
        .ok_or_else(|| {
            ApiError::unauthenticated("invalid_token", "the account no longer exists")
        })?;
    Ok(Json(me_view(&app, &account).await?))
}

#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "accounts",
    responses((status = 200, description = "the Ed25519 public keys (JWK set) that sign access tokens")))]
pub(crate) async fn jwks(State(app): State<Application>) -> Json<serde_json::Value> {
    Json(app.sign_in.signer.jwks())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The name to show; defaults to the one in the invitation.
    pub name: Option<String>,
    /// Sets the password of a new account (or of a setup link's). An existing
    /// account accepts signed in, with its access token: no password is checked
    /// here.
    pub password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "invitations",
    params(("token" = String, Path, description = "the invitation's token, or a setup link's")),
    request_body = AcceptBody,
    responses((status = 200, body = MemberView), (status = 400), (status = 401, description = "`sign_in_required`: the address has an account; accept with its access token"), (status = 404), (status = 409)))]
pub(crate) async fn accept_invitation(
    State(app): State<Application>,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    // The body is optional: a signed-in invitee needs to send nothing.
    let body: AcceptBody = if body.iter().all(u8::is_ascii_whitespace) {
        AcceptBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", e.to_string()))?
    };
    if token.starts_with(crate::store::SETUP_TOKEN_PREFIX) {
        return set_up_account(&app, &token, body).await;
    }
    let signed_in = match bearer(&headers) {
        Some(bearer) => match app.authenticate(bearer)? {
            Caller::Account(user) => Some(user),
            // A key is no one's to join with.
            Caller::Key(_) => return Err(Refusal::UnknownInvitation.into()),
        },
        None => None,
    };
    let member = accept(&app, &token, body, signed_in.as_ref()).await?;
    Ok(Json(
        serde_json::to_value(member).map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}

/// A live invitation, found by its token.
pub(crate) struct Invited {
    pub org: steward_core::OrgId,
    pub org_name: String,
    pub invitation: steward_core::state::Invitation,
    /// The account the invited address already has.
    pub account: Option<Account>,
}

/// The invitation behind `token`, if it is live: 404 `unknown_invitation`, or
/// 409 `invitation_expired` for one that expired.
pub(crate) async fn invited(app: &Application, token: &str) -> Result<Invited, ApiError> {
    let unknown = || ApiError::from(Refusal::UnknownInvitation);
    let (org, invitation_id) = parse_invitation_token(token).ok_or_else(unknown)?;
    let org = steward_core::OrgId::parse(&org).map_err(|_| unknown())?;
    app.service().snapshot(org.as_str()).ok_or_else(unknown)?;
    // Reading expires what is due (and `Join` decides expiry again), so an
    // invitation still here is live; a gone one's audit event says why.
    let (invitation, org_name) = app
        .service()
        .read(&org, |state| {
            let name = state.org().map(|o| o.name.to_string()).unwrap_or_default();
            (state.invitation(&invitation_id).cloned(), name)
        })
        .await?;
    let invitation = match invitation {
        Some(i) => i,
        None if has_expired(app, &org, &invitation_id).await? => {
            return Err(Refusal::InvitationExpired.into())
        }
        None => return Err(unknown()),
    };
    let account = app
        .service()
        .store()
        .account_by_email(invitation.email.as_str())
        .await?;
    Ok(Invited {
        org,
        org_name,
        invitation,
        account,
    })
}

/// Accepts an invitation, for the API and the console alike. Who joins: the
/// signed-in account the invitation is for, or a new account for the invited
/// address (with the password the body chooses). An address that already has an
/// account joins only signed in, so no password is ever checked here: a password
/// is checked only by `verify_credentials`, behind the login's limiter and audit.
pub(crate) async fn accept(
    app: &Application,
    token: &str,
    body: AcceptBody,
    signed_in: Option<&UserId>,
) -> Result<MemberView, ApiError> {
    let Invited {
        org,
        invitation,
        account,
        ..
    } = invited(app, token).await?;
    let name = optional_name(body.name.as_deref())?;
    let account = match (signed_in, account) {
        (Some(user), Some(account)) if account.id == user.as_str() => account,
        // The invitation is for someone else's address.
        (Some(_), _) => return Err(Refusal::UnknownInvitation.into()),
        (None, Some(_)) => {
            return Err(ApiError::unauthenticated(
                "sign_in_required",
                "an account with this address exists: sign in, then accept the invitation \
                 again with its access token",
            ))
        }
        (None, None) => {
            let display = name
                .clone()
                .or_else(|| invitation.name.clone())
                .ok_or_else(|| ApiError::invalid("name", "name: give the name to show"))?;
            let password = body.password.as_deref().ok_or_else(|| {
                ApiError::invalid(
                    "password",
                    "password: choose a password for the new account",
                )
            })?;
            create_account(app, invitation.email.as_str(), display.as_str(), password).await?
        }
    };
    let user_id = UserId::parse(&account.id)?;
    let command = Command::Join {
        invitation_id: invitation.id,
        user_id: user_id.clone(),
        name,
    };
    app.service()
        .execute(&org, &Actor::User(user_id.clone()), command)
        .await?;
    let snapshot = app
        .service()
        .snapshot(org.as_str())
        .ok_or_else(|| ApiError::from(Refusal::UnknownInvitation))?;
    let in_org = InOrg {
        org,
        snapshot,
        who: Caller::Account(user_id.clone()),
    };
    current_member(app, &in_org, &user_id).await
}

/// Whether the invitation existed and expired (its `invitation.expired` event).
pub(crate) async fn has_expired(
    app: &Application,
    org: &steward_core::OrgId,
    invitation: &steward_core::InvitationId,
) -> Result<bool, ApiError> {
    let filter = crate::store::AuditFilter {
        event_type: Some(steward_core::event::event_type::INVITATION_EXPIRED.into()),
        target: Some(invitation.to_string()),
        limit: 1,
        ..Default::default()
    };
    Ok(!app.service().store().audit(org, &filter).await?.is_empty())
}

/// A setup link (`steward orgs create` for an owner without a password): sets the
/// password once, and answers like `/me`.
pub(crate) async fn set_up_account(
    app: &Application,
    token: &str,
    body: AcceptBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let password = body.password.as_deref().ok_or_else(|| {
        ApiError::invalid("password", "password: choose a password for your account")
    })?;
    let password = Password::parse(password).map_err(|e| ApiError::field("password", e))?;
    // A busy node refuses before the link is used up.
    let turn = app.sign_in.passwords.turn().await?;
    let now = app.service().clock().now().0;
    let account_id = app
        .service()
        .store()
        .take_setup_token(token, now)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "unknown_invitation",
                "this link is unknown, used or expired",
            )
        })?;
    let hash = turn.hash(&password).await;
    app.service()
        .store()
        .set_password(&account_id, &hash)
        .await?;
    if let Some(name) = &body.name {
        let name = Name::parse(name).map_err(|e| ApiError::field("name", e))?;
        app.service()
            .store()
            .rename_account(&account_id, name.as_str())
            .await?;
    }
    let account = app
        .service()
        .store()
        .account_by_id(&account_id)
        .await?
        .ok_or_else(|| ApiError::Internal("a setup link's account is gone".into()))?;
    let me = me_view(app, &account).await?;
    Ok(Json(
        serde_json::to_value(me).map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}
