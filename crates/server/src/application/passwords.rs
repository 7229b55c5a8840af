//! Passwords and proof of address: a reset by a mailed one-time link, a change
//! by the signed-in holder, and the link that proves an address (which asks for
//! the account's password too, so neither a squatter who chose the password nor
//! the address's holder alone can prove it for the other). Every path checks
//! passwords through the login's limiter, timing and audit (sessions.rs).

use super::sessions::TokenAnswer;
use super::{AppError, Application, Caller, Denied, Steward};
use crate::auth::Password;
use crate::mail::Mail;
use crate::store::{Account, LinkPurpose};
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Instant;
use steward_core::{Actor, Command, Email, OrgId, UserId};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    pub email: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordBody {
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// The account's password: the link alone does not prove the address.
    pub password: String,
}

fn new_password(password: &str) -> Result<Password, AppError> {
    Password::parse(password).map_err(|e| AppError::field("password", e))
}

impl Application {
    /// `POST /auth/password-reset`: mails a one-time link when the address has an
    /// account. The answer, and the time it takes, are the same either way: the
    /// link is made and queued off the request. Each request counts against the
    /// address in the login's limiter, so links cannot be asked for endlessly.
    pub async fn request_password_reset(
        &self,
        email: &str,
        client: IpAddr,
    ) -> Result<(), AppError> {
        let key = email.trim().to_lowercase();
        // Never `succeeded`: a request is one more attempt on the address.
        let _attempt = self
            .sign_in
            .limiter
            .admit(&key, client, Instant::now())
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let account = match Email::parse(email) {
            Ok(email) => self.service().store().account_by_email(&email).await?,
            Err(_) => None,
        };
        if let Some(account) = account {
            let steward = self.steward.clone();
            tokio::spawn(async move {
                if let Err(e) = steward
                    .mail_account_link(&account, LinkPurpose::Reset)
                    .await
                {
                    tracing::warn!(error = %e, "could not queue a password-reset mail");
                }
            });
        }
        Ok(())
    }

    /// Whether a reset link is live (the console's page asks before the form).
    pub async fn reset_link_is_live(&self, token: &str) -> Result<bool, AppError> {
        let now = self.service().clock().now().0;
        let store = self.service().store();
        Ok(store
            .account_link(token, LinkPurpose::Reset, now)
            .await?
            .is_some())
    }

    /// `POST /auth/password-reset/{token}`: sets the password once, proves the
    /// address (the link came by mail), ends every session and refresh token of
    /// the account, and writes `auth.password_reset` to its organizations' logs.
    pub async fn reset_password(&self, token: &str, password: &str) -> Result<UserId, AppError> {
        let password = new_password(password)?;
        // A busy node refuses before the link is used up.
        let turn = self.sign_in.passwords.turn().await?;
        let now = self.service().clock().now().0;
        let store = self.service().store();
        let account = store
            .take_account_link(token, LinkPurpose::Reset, now)
            .await?
            .ok_or(AppError::UnknownMailLink)?;
        let account = UserId::parse(&account)
            .map_err(|e| AppError::Internal(format!("a reset link's account: {e}")))?;
        let hash = turn.hash(&password).await?;
        store.set_password(&account, &hash).await?;
        store.mark_email_verified(&account, now).await?;
        self.steward.end_everywhere(&account, None).await?;
        self.steward.record_password_set(&account, true).await;
        tracing::info!(account = %account, "a password was reset by a mailed link");
        Ok(account)
    }

    /// `POST /me/password`: the signed-in holder changes the password, giving the
    /// current one (through the login's limiter). Every other session and every
    /// refresh token ends; `keep` is the console session making the change.
    pub async fn change_password(
        &self,
        caller: Caller,
        body: ChangePasswordBody,
        client: IpAddr,
        keep: Option<&str>,
    ) -> Result<(), AppError> {
        let Caller::Account(user) = caller else {
            return Err(Denied::KeyHasNoAccount.into());
        };
        let account = self.steward.account(&user).await?;
        let password =
            Password::parse(&body.new_password).map_err(|e| AppError::field("new_password", e))?;
        let account = self
            .password_matches(account.email.as_str(), &body.current_password, client)
            .await?;
        let hash = self.sign_in.passwords.hash(&password).await?;
        self.service()
            .store()
            .set_password(&account.id, &hash)
            .await?;
        self.steward.end_everywhere(&account.id, keep).await?;
        self.steward.record_password_set(&account.id, false).await;
        self.steward
            .queue_mail(account.email.as_str(), Mail::PasswordChanged)
            .await?;
        Ok(())
    }

    /// The account a live proof-of-address link is for (the console's page).
    pub async fn verify_link_account(&self, token: &str) -> Result<Account, AppError> {
        let now = self.service().clock().now().0;
        let store = self.service().store();
        let account = store
            .account_link(token, LinkPurpose::Verify, now)
            .await?
            .ok_or(AppError::UnknownMailLink)?;
        let account = UserId::parse(&account)
            .map_err(|e| AppError::Internal(format!("a verify link's account: {e}")))?;
        store
            .account_by_id(&account)
            .await?
            .ok_or(AppError::UnknownMailLink)
    }

    /// Proves an address: the mailed link and the account's password, checked
    /// as a login is. Answers the account, now able to sign in.
    pub async fn verify_address(
        &self,
        token: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<UserId, AppError> {
        let account = self.verify_link_account(token).await?;
        let account = self
            .password_matches(account.email.as_str(), password, client)
            .await?;
        let now = self.service().clock().now().0;
        let store = self.service().store();
        store
            .take_account_link(token, LinkPurpose::Verify, now)
            .await?
            .ok_or(AppError::UnknownMailLink)?;
        store.mark_email_verified(&account.id, now).await?;
        Ok(account.id)
    }

    /// The API's proof of address: signed in once it holds.
    pub async fn verify_address_tokens(
        &self,
        token: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<TokenAnswer, AppError> {
        let user = self.verify_address(token, password, client).await?;
        self.new_tokens(&user).await
    }
}

impl Steward {
    /// Ends the account's console sessions (all but `keep`) and refresh tokens.
    async fn end_everywhere(&self, account: &UserId, keep: Option<&str>) -> Result<(), AppError> {
        let store = self.service().store();
        let now = self.service().clock().now().0;
        store
            .end_account_sessions_but(account.as_str(), keep)
            .await?;
        store
            .revoke_account_refresh_tokens(account.as_str(), now)
            .await?;
        Ok(())
    }

    /// `auth.password_reset` or `auth.password_changed` in the log of every
    /// organization the account is in.
    async fn record_password_set(&self, user: &UserId, by_reset: bool) {
        let memberships = match self.service().store().memberships_of(user.as_str()).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "could not record a new password");
                return;
            }
        };
        for m in memberships {
            let Ok(org) = OrgId::parse(&m.org_id) else {
                continue;
            };
            let command = Command::RecordPasswordSet {
                user_id: user.clone(),
                by_reset,
            };
            if let Err(e) = self.service().execute(&org, &Actor::System, command).await {
                tracing::warn!(%org, error = %e, "could not record a new password");
            }
        }
    }
}
