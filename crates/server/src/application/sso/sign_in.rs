//! Signing in through an organization's provider: an address on a proven
//! domain is sent there (state, nonce and PKCE verifier kept server-side, used
//! once), and the answer is checked, the account found or made, the person
//! joined just in time with the policy's default role (as steward-core
//! decides), the sign-in audited and, if the organization asks, mailed. Every
//! failure goes through the login's limiter and audit. Also the password
//! sign-in's question for SSO: whether the organization requires it.

use super::provider::{ProviderFailure, ProviderSettings};
use super::CALLBACK_PATH;
use crate::application::{AppError, Application, Unauthenticated};
use crate::mail::Mail;
use crate::secrets::secret_hash_hex;
use crate::store::{Account, SsoAttemptRow, SsoProviderRow, StoreError};
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Instant;
use steward_core::{Actor, Command, Email, Name, OrgId, Timestamp, UserId};

/// How long a sign-in sent to a provider may take to come back.
const ATTEMPT_SECONDS: i64 = 600;
/// The limiter's key for answers whose state names no sign-in (a replay, a
/// forgery): counted together, and against the client's address.
const UNKNOWN_STATE_KEY: &str = "sso:unknown-state";

/// What the provider sends back to `/sso/callback` (its query string).
#[derive(Deserialize)]
pub struct SsoCallback {
    pub state: Option<String>,
    pub code: Option<String>,
    /// The provider's refusal (`access_denied`...), instead of a code.
    pub error: Option<String>,
}

impl std::fmt::Debug for SsoCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoCallback")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// The provider's URL for someone whose address is on a proven domain of an
    /// organization with single sign-on; `sso_not_configured` for anyone else.
    pub async fn sso_start(&self, email: &str) -> Result<String, AppError> {
        let email = Email::parse(email).map_err(|e| AppError::field("email", e))?;
        let store = self.service().store();
        let provider = match store.sso_domain(email.domain()).await? {
            Some(domain) if domain.proven_at.is_some() => {
                store.sso_provider(&domain.org_id).await?
            }
            _ => None,
        }
        .ok_or(AppError::SsoNotConfigured)?;
        let redirect_uri = self.settings().link(CALLBACK_PATH);
        let sent = self
            .sso
            .send(&settings_of(&provider, &redirect_uri), email.as_str())
            .await
            .map_err(provider_failure)?;
        let now = self.service().clock().now().0;
        store
            .put_sso_attempt(&SsoAttemptRow {
                state_hash: secret_hash_hex(&sent.state),
                org_id: provider.org_id,
                email: email.to_string(),
                nonce: sent.nonce,
                pkce_verifier: sent.pkce_verifier,
                created_at: now,
                expires_at: now + ATTEMPT_SECONDS,
            })
            .await?;
        Ok(sent.url)
    }

    /// The provider's answer: the account it vouched for, joined to the
    /// organization if it was not a member. The state is taken first, so it
    /// works once whatever follows.
    pub async fn sso_finish(
        &self,
        callback: SsoCallback,
        client: IpAddr,
    ) -> Result<UserId, AppError> {
        let now = self.service().clock().now();
        let taken = match callback.state.as_deref() {
            Some(state) => {
                self.service()
                    .store()
                    .take_sso_attempt(&secret_hash_hex(state), now.0)
                    .await?
            }
            None => None,
        };
        let key = taken
            .as_ref()
            .map_or(UNKNOWN_STATE_KEY, |a| a.email.as_str());
        // Counted as a failure unless it succeeds below, as a password is.
        let attempt = self
            .sign_in
            .limiter
            .admit(key, client, Instant::now())
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let Some(taken) = taken else {
            tracing::info!("a single sign-on came back with an unknown, used or expired state");
            return Err(Unauthenticated::SsoStateInvalid.into());
        };
        match self.sso_account(&taken, callback, now).await {
            Ok(user) => {
                self.sign_in.limiter.succeeded(attempt);
                Ok(user)
            }
            Err(e) => {
                let started_by = Email::parse(&taken.email).ok();
                if let Some(account) = match started_by {
                    Some(email) => self.service().store().account_by_email(&email).await?,
                    None => None,
                } {
                    self.steward.record_failed_login(account.id);
                }
                tracing::info!(reason = e.reason(), "a single sign-on failed");
                Err(e)
            }
        }
    }

    async fn sso_account(
        &self,
        taken: &SsoAttemptRow,
        callback: SsoCallback,
        now: Timestamp,
    ) -> Result<UserId, AppError> {
        let store = self.service().store();
        let org = OrgId::parse(&taken.org_id).map_err(|_| AppError::SsoNotConfigured)?;
        let provider = store
            .sso_provider(&taken.org_id)
            .await?
            .ok_or(AppError::SsoNotConfigured)?;
        if let Some(error) = &callback.error {
            tracing::info!(%error, "the identity provider refused a sign-in");
            return Err(AppError::SsoProviderFailed);
        }
        let code = callback.code.ok_or(AppError::SsoProviderFailed)?;
        let redirect_uri = self.settings().link(CALLBACK_PATH);
        let vouched = self
            .sso
            .receive(
                &settings_of(&provider, &redirect_uri),
                &code,
                &taken.nonce,
                &taken.pkce_verifier,
            )
            .await
            .map_err(provider_failure)?;
        let email = Email::parse(&vouched.email).map_err(|_| Unauthenticated::SsoEmailRefused)?;
        // A provider vouches only for addresses on its organization's proven
        // domains: another organization's provider cannot sign anyone in here.
        let covered = store
            .sso_domain(email.domain())
            .await?
            .is_some_and(|d| d.org_id == taken.org_id && d.proven_at.is_some());
        if !covered {
            tracing::info!(
                email_verified = vouched.email_verified,
                "an ID token's address is not on a proven domain of the organization"
            );
            return Err(Unauthenticated::SsoEmailRefused.into());
        }
        let known = store.account_by_email(&email).await?;
        let member = match &known {
            Some(account) => {
                self.service()
                    .read(&org, |state| state.member(&account.id).is_some())
                    .await?
            }
            None => false,
        };
        // A join the rules refuse whoever joins leaves no account behind.
        if !member {
            if let Some(refusal) = steward_core::decide::sso_join_refusal(self.service().policy()) {
                return Err(refusal.into());
            }
        }
        let account = match known {
            Some(account) => account,
            None => {
                self.sso_account_for(&email, vouched.name.as_deref(), now)
                    .await?
            }
        };
        // The provider of a proven domain vouched for the address.
        store.mark_email_verified(&account.id, now.0).await?;
        let issuer = provider.issuer.clone();
        if !member {
            let join = Command::JoinBySso {
                user_id: account.id.clone(),
                email: account.email.clone(),
                name: account.name.clone(),
                issuer: issuer.clone(),
            };
            self.service().execute(&org, &Actor::System, join).await?;
        }
        let record = Command::RecordSsoSignIn {
            user_id: account.id.clone(),
            issuer: issuer.clone(),
        };
        self.service().execute(&org, &Actor::System, record).await?;
        let first = store
            .note_sso_sign_in(account.id.as_str(), &issuer, now.0)
            .await?;
        if provider.notify_new_sign_in && (first || !member) {
            let org_name = self.steward.org_name(&org).await?;
            let link = self.settings().link(&format!("/orgs/{org}"));
            let mail = Mail::SsoSignIn {
                org: &org_name,
                issuer: &issuer,
                joined: !member,
                link: &link,
            };
            self.steward
                .queue_mail(account.email.as_str(), mail)
                .await?;
        }
        Ok(account.id)
    }

    /// The account with the address, made (without a password) if there is none.
    async fn sso_account_for(
        &self,
        email: &Email,
        name: Option<&str>,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        let store = self.service().store();
        if let Some(account) = store.account_by_email(email).await? {
            return Ok(account);
        }
        let name = name
            .and_then(|n| Name::parse(n).ok())
            .or_else(|| {
                email
                    .as_str()
                    .split('@')
                    .next()
                    .and_then(|l| Name::parse(l).ok())
            })
            .unwrap_or_else(Name::fallback);
        let account = Account {
            id: crate::application::accounts::new_user_id()?,
            email: email.clone(),
            name,
            password_hash: None,
            created_at: now,
        };
        match store.create_account(&account).await {
            Ok(()) => Ok(account),
            // Made a moment ago by another request: that one is the account.
            Err(StoreError::DuplicateEmail) => store
                .account_by_email(email)
                .await?
                .ok_or_else(|| AppError::Internal("an account vanished as it was made".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the account may sign in with a password: not a member of an
    /// organization that requires single sign-on for its domain
    /// (`sso_required`, naming the provider), except its owner, whose
    /// break-glass sign-in is audited (`auth.break_glass`).
    pub(crate) async fn password_allowed_by_sso(&self, account: &Account) -> Result<(), AppError> {
        let store = self.service().store();
        let Some(domain) = store.sso_domain(account.email.domain()).await? else {
            return Ok(());
        };
        if domain.proven_at.is_none() {
            return Ok(());
        }
        let Some(provider) = store.sso_provider(&domain.org_id).await? else {
            return Ok(());
        };
        if !provider.require_sso {
            return Ok(());
        }
        let org = OrgId::parse(&domain.org_id)
            .map_err(|e| AppError::Internal(format!("an SSO domain's organization: {e}")))?;
        let policy = self.service().policy().clone();
        let (member, owner) = self
            .service()
            .read(&org, |state| {
                (
                    state.member(&account.id).is_some(),
                    state.is_owner(&policy, &account.id),
                )
            })
            .await?;
        if !member {
            return Ok(());
        }
        if owner {
            let glass = Command::RecordBreakGlass {
                user_id: account.id.clone(),
            };
            self.service().execute(&org, &Actor::System, glass).await?;
            tracing::warn!(%org, "the owner signed in with a password although single sign-on is required");
            return Ok(());
        }
        Err(AppError::SsoRequired {
            issuer: provider.issuer,
        })
    }
}

fn settings_of<'a>(provider: &'a SsoProviderRow, redirect_uri: &'a str) -> ProviderSettings<'a> {
    ProviderSettings {
        issuer: &provider.issuer,
        client_id: &provider.client_id,
        client_secret: &provider.client_secret,
        redirect_uri,
    }
}

fn provider_failure(failure: ProviderFailure) -> AppError {
    match failure {
        ProviderFailure::Unreachable(detail) => {
            tracing::warn!(%detail, "an identity provider failed");
            AppError::SsoProviderFailed
        }
        ProviderFailure::TokenRefused(detail) => {
            tracing::info!(%detail, "an ID token was refused");
            Unauthenticated::SsoTokenInvalid.into()
        }
    }
}
