//! Single sign-on per organization (docs/sign-in.md#single-sign-on): its
//! settings (the provider, the domains it covers and their proof, whether
//! members must use it, whether a new SSO sign-in is mailed), read and changed
//! by the owner or an admin as steward-core decides. The sign-in itself is in
//! `sign_in.rs`, the provider's protocol in `provider.rs`.

mod provider;
mod sign_in;

pub use provider::Providers;
pub use sign_in::SsoCallback;

use super::{AppError, InOrg, Steward};
use crate::store::{DomainTaken, SsoProviderRow};
use serde::{Deserialize, Serialize};
use steward_core::decide::sso_settings_refusal;
use steward_core::{Command, Email};

/// The redirect URI every provider is given: `{public_url}/sso/callback`.
pub const CALLBACK_PATH: &str = "/sso/callback";

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSettingsBody {
    /// The provider's issuer URL (`https://id.acme.test/realms/acme`): its
    /// discovery document is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Required the first time; left out (or empty), the stored one is kept.
    /// Never answered back.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The e-mail domains the provider covers (`acme.test`); each routes nobody
    /// until proven.
    pub domains: Vec<String>,
    /// Password sign-in is refused for members whose address is on a proven
    /// domain (the owner keeps an audited break-glass sign-in).
    #[serde(default)]
    pub require_sso: bool,
    /// A mail to the person on a just-in-time join or a first sign-in through
    /// the provider.
    #[serde(default)]
    pub notify_new_sign_in: bool,
}

/// The secret stays out of every log.
impl std::fmt::Debug for SsoSettingsBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettingsBody")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("domains", &self.domains)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SsoDomainView {
    pub domain: String,
    /// Whether a verified address proved it: only a proven domain routes anyone.
    pub proven: bool,
    /// The verified address that proved it.
    pub proven_by: Option<String>,
}

/// An organization's single sign-on, without its secret.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SsoView {
    pub issuer: String,
    pub client_id: String,
    /// Whether a client secret is stored (it is never shown).
    pub client_secret_set: bool,
    pub domains: Vec<SsoDomainView>,
    pub require_sso: bool,
    pub notify_new_sign_in: bool,
    /// What to register at the provider as the redirect URI.
    pub redirect_uri: String,
}

/// A domain as typed: lower case, without spaces or `@`, with a dot.
fn parse_domain(text: &str) -> Result<String, AppError> {
    let domain = text.trim().trim_end_matches('.').to_lowercase();
    let fine = domain.contains('.')
        && !domain.starts_with('.')
        && domain.len() <= 253
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if fine {
        Ok(domain)
    } else {
        Err(AppError::invalid(
            "domains",
            format!("{text:?} is not an e-mail domain (like acme.test)"),
        ))
    }
}

fn parse_issuer(text: &str) -> Result<String, AppError> {
    let issuer = text.trim();
    match url::Url::parse(issuer) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host().is_some() => {
            Ok(issuer.to_string())
        }
        _ => Err(AppError::invalid(
            "issuer",
            "issuer: the provider's issuer URL, like https://id.acme.test/realms/acme",
        )),
    }
}

impl Steward {
    /// The owner's or an admin's, as steward-core says.
    async fn require_sso_admin(&self, org: &InOrg) -> Result<(), AppError> {
        let actor = org.actor()?;
        let policy = self.service().policy().clone();
        let refusal = self
            .service()
            .read(&org.org, |state| {
                sso_settings_refusal(&policy, state, &actor)
            })
            .await?;
        match refusal {
            Some(refusal) => Err(refusal.into()),
            None => Ok(()),
        }
    }

    /// The organization's single sign-on; `sso_not_configured` if it has none.
    pub async fn sso_settings(&self, org: &InOrg) -> Result<SsoView, AppError> {
        self.require_sso_admin(org).await?;
        let store = self.service().store();
        let provider = store
            .sso_provider(org.org.as_str())
            .await?
            .ok_or(AppError::SsoNotConfigured)?;
        let domains = store.sso_domains(org.org.as_str()).await?;
        Ok(SsoView {
            issuer: provider.issuer,
            client_id: provider.client_id,
            client_secret_set: !provider.client_secret.is_empty(),
            domains: domains
                .into_iter()
                .map(|d| SsoDomainView {
                    domain: d.domain,
                    proven: d.proven_at.is_some(),
                    proven_by: d.proven_by,
                })
                .collect(),
            require_sso: provider.require_sso,
            notify_new_sign_in: provider.notify_new_sign_in,
            redirect_uri: self.settings().link(CALLBACK_PATH),
        })
    }

    /// Sets the organization's provider and domains (`sso.configured`, without
    /// the secret). A domain another organization claims refuses it all.
    pub async fn configure_sso(
        &self,
        org: &InOrg,
        body: SsoSettingsBody,
    ) -> Result<SsoView, AppError> {
        self.require_sso_admin(org).await?;
        let issuer = parse_issuer(&body.issuer)?;
        let client_id = body.client_id.trim().to_string();
        if client_id.is_empty() {
            return Err(AppError::invalid(
                "client_id",
                "client_id: the client id the provider gave",
            ));
        }
        let mut domains = body
            .domains
            .iter()
            .map(|d| parse_domain(d))
            .collect::<Result<Vec<_>, _>>()?;
        domains.sort();
        domains.dedup();
        if domains.is_empty() {
            return Err(AppError::invalid(
                "domains",
                "domains: at least one e-mail domain",
            ));
        }
        let store = self.service().store();
        let current = store.sso_provider(org.org.as_str()).await?;
        let client_secret = match (body.client_secret.filter(|s| !s.is_empty()), current) {
            (Some(secret), _) => secret,
            (None, Some(current)) => current.client_secret,
            (None, None) => {
                return Err(AppError::invalid(
                    "client_secret",
                    "client_secret: the client secret the provider gave",
                ))
            }
        };
        for domain in &domains {
            if let Some(claimed) = store.sso_domain(domain).await? {
                if claimed.org_id != org.org.as_str() {
                    return Err(AppError::SsoDomainTaken(domain.clone()));
                }
            }
        }
        let command = Command::ConfigureSso {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            domains: domains.clone(),
            require_sso: body.require_sso,
            notify_new_sign_in: body.notify_new_sign_in,
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        let row = SsoProviderRow {
            org_id: org.org.to_string(),
            issuer,
            client_id,
            client_secret,
            require_sso: body.require_sso,
            notify_new_sign_in: body.notify_new_sign_in,
            updated_at: self.service().clock().now().0,
        };
        if let Err(DomainTaken(domain)) = store.put_sso_provider(&row, &domains).await? {
            return Err(AppError::SsoDomainTaken(domain));
        }
        self.sso_settings(org).await
    }

    /// Ends the organization's single sign-on and frees its domains.
    pub async fn remove_sso(&self, org: &InOrg) -> Result<(), AppError> {
        self.require_sso_admin(org).await?;
        let store = self.service().store();
        let provider = store
            .sso_provider(org.org.as_str())
            .await?
            .ok_or(AppError::SsoNotConfigured)?;
        self.service()
            .execute(
                &org.org,
                &org.actor()?,
                Command::RemoveSso {
                    issuer: provider.issuer,
                },
            )
            .await?;
        store.delete_sso_provider(org.org.as_str()).await?;
        Ok(())
    }

    /// Proves one of the organization's domains by a verified address on it:
    /// the caller's own, or else any member's (docs/sign-in.md#domain-proof; a
    /// DNS TXT record is not built).
    pub async fn prove_sso_domain(&self, org: &InOrg, domain: &str) -> Result<SsoView, AppError> {
        self.require_sso_admin(org).await?;
        let domain = parse_domain(domain)?;
        let store = self.service().store();
        match store.sso_domain(&domain).await? {
            Some(claimed) if claimed.org_id == org.org.as_str() => {}
            _ => {
                return Err(AppError::invalid(
                    "domain",
                    format!("domain: {domain} is not among this organization's SSO domains"),
                ))
            }
        }
        let on_domain: Vec<(steward_core::UserId, Email)> = self
            .service()
            .read(&org.org, |state| {
                state
                    .members()
                    .filter(|m| m.email.domain() == domain)
                    .map(|m| (m.user_id.clone(), m.email.clone()))
                    .collect()
            })
            .await?;
        // The caller's own address first: the proof names who gave it.
        let mut candidates = on_domain;
        candidates.sort_by_key(|(user, _)| Some(user) != org.user());
        let mut proof = None;
        for (user, email) in candidates {
            if store.is_email_verified(&user).await? {
                proof = Some(email);
                break;
            }
        }
        let proven_by = proof.ok_or_else(|| AppError::SsoNoProof(domain.clone()))?;
        self.service()
            .execute(
                &org.org,
                &org.actor()?,
                Command::ProveSsoDomain {
                    domain: domain.clone(),
                    proven_by: proven_by.clone(),
                },
            )
            .await?;
        let now = self.service().clock().now().0;
        store
            .prove_sso_domain(org.org.as_str(), &domain, proven_by.as_str(), now)
            .await?;
        self.sso_settings(org).await
    }
}
