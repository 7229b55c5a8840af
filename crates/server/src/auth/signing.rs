//! Access tokens: JWTs signed with Ed25519. The keys live in the database so every
//! node signs and verifies alike; the public halves are published as a JWKS for
//! products that verify tokens offline.

use crate::store::{SigningKeyRow, Store, StoreError};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

/// An access token's life: also how stale the roles it carries may be.
pub const ACCESS_TOKEN_SECONDS: i64 = 900;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AccessClaims {
    /// The account id.
    pub sub: String,
    /// Organization id -> the account's role there.
    pub org: BTreeMap<String, String>,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    /// Signed by a key this node does not know (another installation, or one retired).
    #[error("the token names an unknown signing key")]
    UnknownKey,
}

/// Why the signing keys could not be loaded or the first one made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The operating system had no randomness to give.
    #[error("no Ed25519 key could be generated: {0}")]
    Generate(aws_lc_rs::error::Unspecified),
    /// aws-lc refused the PKCS#8 document it had just written.
    #[error("the generated Ed25519 key does not read back: {0}")]
    Rejected(aws_lc_rs::error::KeyRejected),
}

/// Signs with the newest key and verifies with every key not retired. Clones share
/// the keys.
#[derive(Clone)]
pub struct Signer {
    inner: Arc<Inner>,
}

struct Inner {
    signing_kid: String,
    signing: EncodingKey,
    /// Oldest first, as published.
    public: Vec<(String, String)>,
    verifying: HashMap<String, DecodingKey>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("signing_kid", &self.inner.signing_kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads the keys, creating the first one if the database has none. The
    /// candidate is generated first (microseconds), so that a host without
    /// randomness fails here rather than inside the store's transaction.
    pub async fn load_or_create(store: &Store, now_unix: i64) -> Result<Signer, KeyError> {
        let first = generate_key(now_unix)?;
        let rows = store.ensure_signing_key(first).await?;
        Ok(Signer::from_rows(&rows)?)
    }

    fn from_rows(rows: &[SigningKeyRow]) -> Result<Signer, StoreError> {
        let newest = rows
            .iter()
            .max_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)))
            .ok_or_else(|| StoreError::Corrupt("no signing key after creating one".into()))?;
        let der = STANDARD.decode(&newest.private_der).map_err(|e| {
            StoreError::Corrupt(format!("signing key {}: private key: {e}", newest.id))
        })?;
        // EncodingKey takes any bytes; parsing here finds a damaged key at start
        // rather than at the first login.
        Ed25519KeyPair::from_pkcs8(&der).map_err(|e| {
            StoreError::Corrupt(format!("signing key {}: private key: {e}", newest.id))
        })?;
        let mut public = Vec::with_capacity(rows.len());
        let mut verifying = HashMap::with_capacity(rows.len());
        for row in rows {
            let raw = URL_SAFE_NO_PAD
                .decode(&row.public_key)
                .ok()
                .filter(|raw| raw.len() == 32)
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("signing key {}: public key", row.id))
                })?;
            verifying.insert(row.id.clone(), DecodingKey::from_ed_der(&raw));
            public.push((row.id.clone(), row.public_key.clone()));
        }
        Ok(Signer {
            inner: Arc::new(Inner {
                signing_kid: newest.id.clone(),
                signing: EncodingKey::from_ed_der(&der),
                public,
                verifying,
            }),
        })
    }

    /// The id of the key that signs.
    pub fn signing_kid(&self) -> &str {
        &self.inner.signing_kid
    }

    /// The signed token. The key was parsed at load and the claims are plain
    /// data, so an error here is jsonwebtoken's or aws-lc's, not the caller's.
    pub fn issue(&self, claims: &AccessClaims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.inner.signing_kid.clone());
        jsonwebtoken::encode(&header, claims, &self.inner.signing)
    }

    /// The token's claims if it is signed by one of our keys and `exp` is after
    /// `now_unix` (no leeway: every node reads the same clock source).
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            // Refuse before choosing a key: an `alg` from the token must never pick
            // how it is checked.
            return Err(TokenError::BadSignature);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.inner.verifying.get(kid))
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        // Expiry is checked below against the caller's clock, which tests control;
        // jsonwebtoken would read the system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<AccessClaims>(token, key, &validation).map_err(|e| {
            match e.kind() {
                ErrorKind::InvalidSignature | ErrorKind::InvalidEddsaKey => {
                    TokenError::BadSignature
                }
                _ => TokenError::Malformed,
            }
        })?;
        if now_unix >= data.claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(data.claims)
    }

    /// The public keys, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .inner
            .public
            .iter()
            .map(|(kid, x)| {
                serde_json::json!({
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": x,
                    "kid": kid,
                    "alg": "EdDSA",
                    "use": "sig",
                })
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

fn generate_key(now_unix: i64) -> Result<SigningKeyRow, KeyError> {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(KeyError::Generate)?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(KeyError::Rejected)?;
    Ok(SigningKeyRow {
        id: crate::secrets::random_id("key"),
        private_der: STANDARD.encode(pkcs8.as_ref()),
        public_key: URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        created_at: now_unix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::temp_store;

    const NOW: i64 = 1_800_000_000;

    fn claims(now: i64) -> AccessClaims {
        AccessClaims {
            sub: "acc_1".into(),
            org: BTreeMap::from([("acme".to_string(), "admin".to_string())]),
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
            jti: "jti_1".into(),
        }
    }

    #[tokio::test]
    async fn a_token_round_trips_until_it_expires() {
        let (_dir, store) = temp_store().await;
        let signer = Signer::load_or_create(&store, NOW).await.unwrap();
        let token = signer.issue(&claims(NOW)).unwrap();
        assert_eq!(signer.verify(&token, NOW), Ok(claims(NOW)));
        assert_eq!(
            signer.verify(&token, NOW + ACCESS_TOKEN_SECONDS - 1),
            Ok(claims(NOW))
        );
        assert_eq!(
            signer.verify(&token, NOW + ACCESS_TOKEN_SECONDS),
            Err(TokenError::Expired)
        );
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(signer.signing_kid()));
    }

    #[tokio::test]
    async fn a_tampered_payload_fails_the_signature() {
        let (_dir, store) = temp_store().await;
        let signer = Signer::load_or_create(&store, NOW).await.unwrap();
        let token = signer.issue(&claims(NOW)).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims(NOW);
        forged.org.insert("acme".into(), "owner".into());
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
        assert_eq!(signer.verify(&tampered, NOW), Err(TokenError::BadSignature));
    }

    #[tokio::test]
    async fn another_installations_token_is_refused() {
        let (_dir, store) = temp_store().await;
        let (_other_dir, other_store) = temp_store().await;
        let signer = Signer::load_or_create(&store, NOW).await.unwrap();
        let other = Signer::load_or_create(&other_store, NOW).await.unwrap();
        let token = other.issue(&claims(NOW)).unwrap();
        assert_eq!(signer.verify(&token, NOW), Err(TokenError::UnknownKey));
        // Even when it claims one of our key ids.
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(signer.signing_kid().to_string());
        let posing = jsonwebtoken::encode(&header, &claims(NOW), &other.inner.signing).unwrap();
        assert_eq!(signer.verify(&posing, NOW), Err(TokenError::BadSignature));
    }

    #[tokio::test]
    async fn garbage_is_malformed_and_other_algorithms_are_refused() {
        let (_dir, store) = temp_store().await;
        let signer = Signer::load_or_create(&store, NOW).await.unwrap();
        for garbage in ["", "abc", "a.b.c", "....", "eyJhbGciOiJFZERTQSJ9.e30"] {
            assert_eq!(
                signer.verify(garbage, NOW),
                Err(TokenError::Malformed),
                "{garbage:?}"
            );
        }
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(signer.signing_kid().to_string());
        let hmac = jsonwebtoken::encode(
            &header,
            &claims(NOW),
            &EncodingKey::from_secret(b"public key bytes").unwrap(),
        )
        .unwrap();
        assert_eq!(signer.verify(&hmac, NOW), Err(TokenError::BadSignature));
    }

    #[tokio::test]
    async fn the_jwks_verifies_our_tokens() {
        let (_dir, store) = temp_store().await;
        let signer = Signer::load_or_create(&store, NOW).await.unwrap();
        let token = signer.issue(&claims(NOW)).unwrap();
        let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(signer.jwks()).unwrap();
        assert_eq!(jwks.keys.len(), 1);
        let jwk = &jwks.keys[0];
        assert_eq!(jwk.common.key_id.as_deref(), Some(signer.signing_kid()));
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<AccessClaims>(&token, &key, &validation).unwrap();
        assert_eq!(data.claims, claims(NOW));
    }

    #[tokio::test]
    async fn every_load_on_one_database_uses_the_same_key() {
        let (_dir, store) = temp_store().await;
        let (a, b) = tokio::join!(
            Signer::load_or_create(&store, NOW),
            Signer::load_or_create(&store, NOW + 1)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.signing_kid(), b.signing_kid());
        assert_eq!(store.signing_keys().await.unwrap().len(), 1);
        let token = a.issue(&claims(NOW)).unwrap();
        assert_eq!(b.verify(&token, NOW), Ok(claims(NOW)));
        let again = Signer::load_or_create(&store, NOW + 100).await.unwrap();
        assert_eq!(again.signing_kid(), a.signing_kid());
        assert_eq!(again.jwks(), a.jwks());
    }

    #[tokio::test]
    async fn the_newest_key_signs_and_older_ones_still_verify() {
        let (_dir, store) = temp_store().await;
        let old = Signer::load_or_create(&store, NOW).await.unwrap();
        let old_token = old.issue(&claims(NOW)).unwrap();
        let mut rows = store.signing_keys().await.unwrap();
        rows.push(generate_key(NOW + 10).unwrap());
        let signer = Signer::from_rows(&rows).unwrap();
        assert_eq!(signer.signing_kid(), rows[1].id);
        assert_eq!(signer.verify(&old_token, NOW), Ok(claims(NOW)));
        assert_eq!(signer.jwks()["keys"].as_array().unwrap().len(), 2);
    }

    /// A key and a token made by an earlier release (jsonwebtoken 9 with ring):
    /// keys in existing databases keep signing, and the tokens they sign do not
    /// change by a byte (Ed25519 is deterministic), so products that verify them
    /// see no difference across an upgrade.
    const GOLDEN_KEY: &str = "MFECAQEwBQYDK2VwBCIEIHwjL/cjLafDcEXI/fSXNs3QXkuwFy/eYEvj3VX9/YvTgSEAyZX8PLSCXbXaxE4lLMnygLyZMPZbIb+Vc6k5/QuA950=";
    const GOLDEN_PUBLIC: &str = "yZX8PLSCXbXaxE4lLMnygLyZMPZbIb-Vc6k5_QuA950";
    const GOLDEN_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFZERTQSIsImtpZCI6ImtleV9nb2xkZW4ifQ.eyJzdWIiOiJ1c3JfZ29sZGVuIiwib3JnIjp7Im9yZ19hIjoib3duZXIiLCJvcmdfYiI6InZpZXdlciJ9LCJpYXQiOjE4MDAwMDAwMDAsImV4cCI6MTgwMDAwMDkwMCwianRpIjoianRpX2dvbGRlbiJ9.5JmGKIQG0Dxc1obA2LjYj28zZSlwYjCds43Y4B508D5M7h1G9pvQPOSXWc7xCp2pxq83R38O7nzTKo2T00BRDw";

    #[test]
    fn a_key_from_an_earlier_release_signs_the_same_token_bytes() {
        let signer = Signer::from_rows(&[SigningKeyRow {
            id: "key_golden".into(),
            private_der: GOLDEN_KEY.into(),
            public_key: GOLDEN_PUBLIC.into(),
            created_at: NOW,
        }])
        .unwrap();
        let claims = AccessClaims {
            sub: "usr_golden".into(),
            org: BTreeMap::from([
                ("org_a".to_string(), "owner".to_string()),
                ("org_b".to_string(), "viewer".to_string()),
            ]),
            iat: NOW,
            exp: NOW + ACCESS_TOKEN_SECONDS,
            jti: "jti_golden".into(),
        };
        assert_eq!(signer.issue(&claims).unwrap(), GOLDEN_TOKEN);
        assert_eq!(signer.verify(GOLDEN_TOKEN, NOW), Ok(claims));
    }

    #[test]
    fn debug_hides_the_private_key() {
        let row = generate_key(NOW).unwrap();
        let shown = format!("{row:?}");
        assert!(!shown.contains(&row.private_der));
        let signer = Signer::from_rows(&[row]).unwrap();
        assert!(!format!("{signer:?}").contains("private"));
    }
}
