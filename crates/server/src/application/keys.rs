//! The keys that sign access tokens, as operators and verifiers see them:
//! `steward keys list` and `rotate`, each node's reload of the keys, and the
//! discovery document that points stock JWT middleware at the JWKS.

use super::{AppError, Application, Steward};
use crate::auth::signing;
use crate::store::SigningKeyRow;
use serde::Serialize;
use std::time::Duration;
use tokio::task::JoinHandle;

/// What the command line says about rotation and `serve` defaults to.
pub use crate::auth::{ACCESS_TOKEN_SECONDS, DEFAULT_TOKEN_AUDIENCE, KEY_PUBLISH_SECONDS};

/// A signing key without its private half.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningKeyView {
    /// The `kid` of the tokens it signs and of its JWK.
    pub kid: String,
    /// Published in the JWKS since.
    pub created_at: i64,
    /// Signs from (a rotated-in key is published a minute before).
    pub signs_from: i64,
    /// Leaves the JWKS at; `None` for the key that signs.
    pub retiring_at: Option<i64>,
}

impl From<&SigningKeyRow> for SigningKeyView {
    fn from(row: &SigningKeyRow) -> SigningKeyView {
        SigningKeyView {
            kid: row.id.clone(),
            created_at: row.created_at,
            signs_from: row.signs_from,
            retiring_at: row.retiring_at,
        }
    }
}

/// `/.well-known/openid-configuration` (and `oauth-authorization-server`): where
/// the keys are and what they sign with, for middleware that discovers them
/// from the issuer. Steward is not an OpenID provider: there is no
/// authorization endpoint, only the tokens of `/api/v1/auth/login`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DiscoveryDocument {
    /// The `iss` of every access token: the public URL.
    pub issuer: String,
    /// The JWK set of the keys served now.
    pub jwks_uri: String,
    /// Where access tokens come from (a JSON login, not an OAuth grant).
    pub token_endpoint: String,
    /// `["EdDSA"]` (Ed25519).
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    /// The claims of an access token (docs/tokens.md).
    pub claims_supported: Vec<String>,
}

impl Steward {
    /// The keys served now, oldest first; the last one signs (or soon will).
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyView>, AppError> {
        let now = self.service().clock().now().0;
        let rows = self.service().store().signing_keys(now).await?;
        Ok(rows.iter().map(SigningKeyView::from).collect())
    }

    /// Makes a new key the signing one; every node picks it up on its next
    /// reload, and it signs once published long enough for all of them.
    pub async fn rotate_signing_key(&self) -> Result<Vec<SigningKeyView>, AppError> {
        let now = self.service().clock().now().0;
        let rows = signing::rotate(self.service().store(), now).await?;
        tracing::info!(kid = ?rows.last().map(|r| &r.id), "rotated the token-signing key");
        Ok(rows.iter().map(SigningKeyView::from).collect())
    }
}

impl Application {
    /// Reloads the signing keys every `every`, so that a rotation made by the
    /// command line or another node reaches this one before the new key signs.
    pub fn spawn_key_refresh(&self, every: Duration) -> JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let now = app.service().clock().now().0;
                if let Err(e) = app.sign_in.signer.reload(app.service().store(), now).await {
                    tracing::warn!(error = %e, "could not reload the signing keys");
                }
            }
        })
    }

    pub fn discovery(&self) -> DiscoveryDocument {
        let issuer = self.sign_in.signer.identity().issuer.clone();
        let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect();
        DiscoveryDocument {
            jwks_uri: format!("{issuer}/.well-known/jwks.json"),
            token_endpoint: format!("{issuer}/api/v1/auth/login"),
            issuer,
            id_token_signing_alg_values_supported: words(&["EdDSA"]),
            subject_types_supported: words(&["public"]),
            claims_supported: words(&["iss", "sub", "aud", "org", "iat", "exp", "jti"]),
        }
    }
}
