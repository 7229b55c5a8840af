//! Signing in: the one credentials check every sign-in path shares (the login
//! limiter, the same work and answer for an unknown e-mail as for a wrong
//! password, every failure audited), the API's tokens (access, refresh with its
//! retry grace, logout, the public keys) and the console's sessions.

use super::accounts::AccountView;
use super::second_factor::SignInStep;
use super::{AppError, Application, Steward, Unauthenticated};
use crate::auth::{AccessClaims, ACCESS_TOKEN_SECONDS};
use crate::secrets::random_id;
use crate::store::{Account, RefreshRefusal};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Instant;
use steward_core::{Actor, Command, Email, OrgId, UserId};

pub use crate::store::{Session, SESSION_SECONDS};

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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    pub refresh_token: String,
}

/// A live console session and whose it is.
pub struct SignedIn {
    pub account: AccountView,
    pub session: Session,
}

impl Application {
    /// The API's login: an access token and the first refresh token of a new
    /// family; or, for an account with a second factor, the challenge its code
    /// goes with (docs/two-factor.md#sign-in).
    pub async fn login(
        &self,
        body: LoginBody,
        client: IpAddr,
    ) -> Result<SignInStep<TokenAnswer>, AppError> {
        let account = self
            .credentials(&body.email, &body.password, client)
            .await?;
        if let Some(challenge) = self.second_factor_challenge(&account).await? {
            return Ok(SignInStep::SecondFactor(challenge));
        }
        let now = self.service().clock().now();
        let refresh_token = self
            .service()
            .store()
            .issue_refresh_token(account.id.as_str(), now.0)
            .await?;
        Ok(SignInStep::Done(
            self.tokens(&account.id, refresh_token).await?,
        ))
    }

    /// The console's sign-in: the same check as the API's login, then a
    /// session; answers the session cookie's secret, or the challenge of the
    /// second step for an account with a second factor.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<SignInStep<String>, AppError> {
        let account = self.credentials(email, password, client).await?;
        if let Some(challenge) = self.second_factor_challenge(&account).await? {
            return Ok(SignInStep::SecondFactor(challenge));
        }
        Ok(SignInStep::Done(
            self.steward.start_session(&account.id).await?,
        ))
    }

    /// Exchanges a refresh token for new tokens. A retry within the store's grace
    /// period gets the same successor; a replay after it ends the whole family.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenAnswer, AppError> {
        let now = self.service().clock().now();
        let (account, refresh_token) = self
            .service()
            .store()
            .rotate_refresh_token(refresh_token, now.0)
            .await?
            .map_err(|refusal| match refusal {
                RefreshRefusal::Reused => {
                    tracing::warn!("a rotated refresh token was used again; its family is revoked");
                    Unauthenticated::RefreshTokenReused
                }
                RefreshRefusal::Revoked => Unauthenticated::RefreshTokenRevoked,
                RefreshRefusal::Expired => Unauthenticated::RefreshTokenExpired,
                RefreshRefusal::Unknown => Unauthenticated::InvalidRefreshToken,
            })?;
        let account = UserId::parse(&account)
            .map_err(|e| AppError::Internal(format!("a refresh token's account: {e}")))?;
        self.tokens(&account, refresh_token).await
    }

    /// The public keys (a JWK set) that verify this deployment's access tokens.
    pub fn jwks(&self) -> serde_json::Value {
        self.sign_in.signer.jwks(self.service().clock().now().0)
    }

    /// A new access token and the first refresh token of a new family, for an
    /// account whose credentials were just checked (login, proof of address).
    pub(super) async fn new_tokens(&self, user: &UserId) -> Result<TokenAnswer, AppError> {
        let now = self.service().clock().now();
        let refresh_token = self
            .service()
            .store()
            .issue_refresh_token(user.as_str(), now.0)
            .await?;
        self.tokens(user, refresh_token).await
    }

    async fn tokens(&self, user: &UserId, refresh_token: String) -> Result<TokenAnswer, AppError> {
        Ok(TokenAnswer {
            access_token: self.access_token(user).await?,
            refresh_token,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TOKEN_SECONDS,
        })
    }

    /// An access token for the account, carrying its memberships as they are now.
    async fn access_token(&self, user: &UserId) -> Result<String, AppError> {
        let now = self.service().clock().now();
        let org = self
            .service()
            .store()
            .memberships_of(user.as_str())
            .await?
            .into_iter()
            .map(|m| (m.org_id, m.role))
            .collect();
        let identity = self.sign_in.signer.identity();
        self.sign_in
            .signer
            .issue(&AccessClaims {
                iss: identity.issuer.clone(),
                sub: user.to_string(),
                aud: identity.audience.clone(),
                org,
                iat: now.0,
                exp: now.0 + ACCESS_TOKEN_SECONDS,
                jti: random_id("jti"),
            })
            .map_err(|e| AppError::Internal(format!("signing an access token: {e}")))
    }

    /// The account behind an e-mail and password, for the API's login and the
    /// console's sign-in alike: rate limited, the same work and answer for an
    /// unknown e-mail as for a wrong password, and every failure audited. The one
    /// place a password is checked: every other credential path (accepting an
    /// invitation for an existing account) sends people through sign-in. An
    /// account whose address is not proven is refused after its password
    /// matched (`email_unverified`), and sent a new link.
    async fn credentials(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Account, AppError> {
        let account = self.password_matches(email, password, client).await?;
        let store = self.service().store();
        if !store.is_email_verified(&account.id).await? {
            self.steward
                .mail_account_link(&account, crate::store::LinkPurpose::Verify)
                .await?;
            return Err(Unauthenticated::EmailUnverified.into());
        }
        self.password_allowed_by_sso(&account).await?;
        Ok(account)
    }

    /// The account whose password this is, through the login's limiter, timing
    /// and audit; whether its address is proven is the caller's question.
    pub(super) async fn password_matches(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Account, AppError> {
        let key = email.trim().to_lowercase();
        // Counted as a failure unless it succeeds below (an error on the way too).
        let attempt = self
            .sign_in
            .limiter
            .admit(&key, client, Instant::now())
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let account = match Email::parse(email) {
            Ok(email) => self.service().store().account_by_email(&email).await?,
            Err(_) => None,
        };
        // Unknown or not: the same hash work, the same answer.
        let stored = account.as_ref().and_then(|a| a.password_hash.as_deref());
        let ok = self.sign_in.passwords.verify(stored, password).await;
        match (ok, account) {
            (true, Some(account)) => {
                self.sign_in.limiter.succeeded(attempt);
                Ok(account)
            }
            (_, account) => {
                if let Some(account) = account {
                    self.steward.record_failed_login(account.id);
                }
                tracing::info!("a login failed");
                Err(Unauthenticated::InvalidCredentials.into())
            }
        }
    }
}

impl Steward {
    /// Logout: ends the refresh token's whole family (an unknown one too is done).
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AppError> {
        let now = self.service().clock().now();
        self.service()
            .store()
            .revoke_refresh_family(refresh_token, now.0)
            .await?;
        Ok(())
    }

    /// A console session for the account; answers the cookie's secret.
    pub async fn start_session(&self, user: &UserId) -> Result<String, AppError> {
        let now = self.service().clock().now();
        let (secret, _) = self.service().store().create_session(user, now).await?;
        Ok(secret)
    }

    /// The session behind a cookie's secret, unless it ended, expired or its
    /// account is gone: looked up on every request, so an ended one stops at once.
    pub async fn signed_in(&self, secret: &str) -> Result<Option<SignedIn>, AppError> {
        let store = self.service().store();
        let now = self.service().clock().now();
        let Some(session) = store.session(secret, now).await? else {
            return Ok(None);
        };
        Ok(store
            .account_by_id(&session.account_id)
            .await?
            .map(|account| SignedIn {
                account: (&account).into(),
                session,
            }))
    }

    /// Signs one browser out.
    pub async fn sign_out(&self, secret: &str) -> Result<(), AppError> {
        Ok(self.service().store().end_session(secret).await?)
    }

    /// `auth.login_failed` in the audit log of every organization the account is
    /// in; in the background, so the answer takes as long as for an unknown e-mail.
    pub(super) fn record_failed_login(&self, user: UserId) {
        let steward = self.clone();
        tokio::spawn(async move {
            let memberships = match steward
                .service()
                .store()
                .memberships_of(user.as_str())
                .await
            {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, "could not record a failed login");
                    return;
                }
            };
            for m in memberships {
                let Ok(org) = OrgId::parse(&m.org_id) else {
                    continue;
                };
                let command = Command::RecordLoginFailure {
                    user_id: user.clone(),
                };
                if let Err(e) = steward
                    .service()
                    .execute(&org, &Actor::System, command)
                    .await
                {
                    tracing::warn!(%org, error = %e, "could not record a failed login");
                }
            }
        });
    }
}
