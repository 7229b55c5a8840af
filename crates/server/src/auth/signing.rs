//! Access tokens: JWTs signed with Ed25519, naming this deployment as issuer and
//! its audience. The keys live in the database so every node signs and verifies
//! alike; the public halves are published as a JWKS for products that verify
//! tokens offline. Keys rotate (docs/tokens.md): a new key is published before
//! it signs, and an old one is served until the last token it signed expired.

use crate::store::{SigningKeyRow, Store, StoreError};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

/// Has aws-lc seed its random number generator now, on a thread of its own.
/// Its first use gathers CPU-jitter entropy (about 30 ms of CPU here); `serve`
/// calls this as it starts, while it waits for the database, so that the first
/// use at the end of the start-up (the application's keys and TLS clients) no
/// longer pays it on the way to ready (docs/benchmarks.md#start-up-and-memory-on-a-quiet-machine-issue-20-stop-30).
pub fn seed_random_early() {
    std::thread::spawn(|| {
        let mut seed = [0u8; 16];
        let _ = aws_lc_rs::rand::fill(&mut seed);
    });
}

/// An access token's life: also how stale the roles it carries may be.
pub const ACCESS_TOKEN_SECONDS: i64 = 900;

/// How long a rotated-in key is published before it signs: longer than the
/// time a node takes to load it (`serve` looks every 10 seconds), so no node
/// meets a token signed by a key it has not loaded.
pub const KEY_PUBLISH_SECONDS: i64 = 60;

/// How long an old key stays served after the last token it may have signed
/// expired: room for clocks that differ between nodes, and for a node that
/// loaded the new key late.
pub const KEY_RETIRE_GRACE_SECONDS: i64 = 60;

/// The audience of access tokens unless `serve --token-audience` says otherwise.
pub const DEFAULT_TOKEN_AUDIENCE: &str = "steward";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AccessClaims {
    /// This deployment's public URL. Missing in tokens of releases before it was
    /// added, which are then refused as from another issuer.
    #[serde(default)]
    pub iss: String,
    /// The account id.
    pub sub: String,
    /// Who the token is for (`steward` unless configured).
    #[serde(default)]
    pub aud: String,
    /// Organization id -> the account's role there.
    pub org: BTreeMap<String, String>,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// What this deployment's tokens say they come from and are for; verification
/// requires both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenIdentity {
    /// The public URL, without a trailing slash (as `iss` and in discovery).
    pub issuer: String,
    pub audience: String,
}

impl TokenIdentity {
    pub fn new(public_url: &str, audience: &str) -> TokenIdentity {
        TokenIdentity {
            issuer: public_url.trim_end_matches('/').to_string(),
            audience: audience.to_string(),
        }
    }
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
    #[error("the token was issued by someone else")]
    WrongIssuer,
    #[error("the token is meant for another audience")]
    WrongAudience,
}

/// Why the signing keys could not be loaded, made or rotated.
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

/// Why a token could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// Every key loaded has left the JWKS (the node has not reloaded for longer
    /// than an access token lives).
    #[error("no signing key is served at {0}")]
    NoKey(i64),
    /// jsonwebtoken's or aws-lc's: the key was parsed at load and the claims are
    /// plain data.
    #[error(transparent)]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

/// Signs with the key whose turn it is and verifies with every key served.
/// Clones share the keys, and a reload reaches them all.
#[derive(Clone)]
pub struct Signer {
    identity: Arc<TokenIdentity>,
    keys: Arc<RwLock<Arc<Keys>>>,
}

/// The keys as loaded from the database, oldest first.
struct Keys(Vec<Key>);

struct Key {
    kid: String,
    /// The JWK's `x`.
    public: String,
    signs_from: i64,
    retiring_at: Option<i64>,
    signing: EncodingKey,
    verifying: DecodingKey,
}

impl Key {
    fn served_at(&self, now: i64) -> bool {
        self.retiring_at.is_none_or(|at| now < at)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<String> = self.current().0.iter().map(|k| k.kid.clone()).collect();
        f.debug_struct("Signer")
            .field("identity", &self.identity)
            .field("kids", &kids)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads the keys, creating the first one if the database has none. The
    /// candidate is generated first (microseconds), so that a host without
    /// randomness fails here rather than inside the store's transaction.
    pub async fn load_or_create(
        store: &Store,
        identity: TokenIdentity,
        now_unix: i64,
    ) -> Result<Signer, KeyError> {
        let first = generate_key(now_unix, now_unix)?;
        let rows = store.ensure_signing_key(first, now_unix).await?;
        Ok(Signer {
            identity: Arc::new(identity),
            keys: Arc::new(RwLock::new(Arc::new(Keys::from_rows(&rows)?))),
        })
    }

    /// Reads the keys again (another node or `steward keys rotate` may have
    /// rotated them). On an error the keys loaded before stay in use.
    pub async fn reload(&self, store: &Store, now_unix: i64) -> Result<(), KeyError> {
        let rows = store.signing_keys(now_unix).await?;
        let keys = Arc::new(Keys::from_rows(&rows)?);
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys;
        Ok(())
    }

    pub fn identity(&self) -> &TokenIdentity {
        &self.identity
    }

    fn current(&self) -> Arc<Keys> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The id of the key that signs at `now_unix`.
    pub fn signing_kid(&self, now_unix: i64) -> Option<String> {
        self.current().signing(now_unix).map(|k| k.kid.clone())
    }

    /// The signed token, by the key whose turn it is at the claims' `iat`.
    pub fn issue(&self, claims: &AccessClaims) -> Result<String, SignError> {
        let keys = self.current();
        let key = keys
            .signing(claims.iat)
            .ok_or(SignError::NoKey(claims.iat))?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &key.signing)?)
    }

    /// The token's claims if it is signed by a key served at `now_unix`, names
    /// this deployment as issuer and audience, and `exp` is after `now_unix` (no
    /// leeway: every node reads the same clock source).
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            // Refuse before choosing a key: an `alg` from the token must never pick
            // how it is checked.
            return Err(TokenError::BadSignature);
        }
        let keys = self.current();
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| keys.0.iter().find(|k| k.kid == kid))
            .filter(|k| k.served_at(now_unix))
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        // Expiry is checked below against the caller's clock, which tests control;
        // jsonwebtoken would read the system clock. Issuer and audience too, to
        // tell them apart from a malformed token.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key.verifying, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature | ErrorKind::InvalidEddsaKey => {
                    TokenError::BadSignature
                }
                _ => TokenError::Malformed,
            })?;
        if data.claims.iss != self.identity.issuer {
            return Err(TokenError::WrongIssuer);
        }
        if data.claims.aud != self.identity.audience {
            return Err(TokenError::WrongAudience);
        }
        if now_unix >= data.claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(data.claims)
    }

    /// The public keys served at `now_unix`, as at `/.well-known/jwks.json`.
    pub fn jwks(&self, now_unix: i64) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .current()
            .0
            .iter()
            .filter(|k| k.served_at(now_unix))
            .map(|k| {
                serde_json::json!({
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": k.public,
                    "kid": k.kid,
                    "alg": "EdDSA",
                    "use": "sig",
                })
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

impl Keys {
    fn from_rows(rows: &[SigningKeyRow]) -> Result<Keys, StoreError> {
        if rows.is_empty() {
            return Err(StoreError::Corrupt("no signing key is served".into()));
        }
        rows.iter()
            .map(Key::from_row)
            .collect::<Result<_, _>>()
            .map(Keys)
    }

    /// The key that signs at `now`: of those served whose turn has come, the
    /// latest to start (before a rotated-in key's turn, the one it replaces).
    /// Between two starting at once (concurrent rotations), the one left live.
    /// A clock behind the one that made the first key finds none whose turn
    /// has come, and takes the first to start.
    fn signing(&self, now: i64) -> Option<&Key> {
        let served = || self.0.iter().filter(|k| k.served_at(now));
        let turn = |k: &&Key| (k.signs_from, k.retiring_at.is_none(), k.kid.clone());
        served()
            .filter(|k| k.signs_from <= now)
            .max_by_key(turn)
            .or_else(|| served().min_by_key(turn))
    }
}

impl Key {
    fn from_row(row: &SigningKeyRow) -> Result<Key, StoreError> {
        let der = STANDARD.decode(&row.private_der).map_err(|e| {
            StoreError::Corrupt(format!("signing key {}: private key: {e}", row.id))
        })?;
        // EncodingKey takes any bytes; parsing here finds a damaged key at load
        // rather than at the first login.
        Ed25519KeyPair::from_pkcs8(&der).map_err(|e| {
            StoreError::Corrupt(format!("signing key {}: private key: {e}", row.id))
        })?;
        let raw = URL_SAFE_NO_PAD
            .decode(&row.public_key)
            .ok()
            .filter(|raw| raw.len() == 32)
            .ok_or_else(|| StoreError::Corrupt(format!("signing key {}: public key", row.id)))?;
        Ok(Key {
            kid: row.id.clone(),
            public: row.public_key.clone(),
            signs_from: row.signs_from,
            retiring_at: row.retiring_at,
            signing: EncodingKey::from_ed_der(&der),
            verifying: DecodingKey::from_ed_der(&raw),
        })
    }
}

/// Makes a new key the signing one (`steward keys rotate`): published at
/// `now_unix`, signing from `KEY_PUBLISH_SECONDS` later; every key signing
/// before it is served until the last token it may sign has expired, and keys
/// past that are deleted. Answers the keys served now, oldest first.
pub async fn rotate(store: &Store, now_unix: i64) -> Result<Vec<SigningKeyRow>, KeyError> {
    let next = generate_key(now_unix, now_unix + KEY_PUBLISH_SECONDS)?;
    let retiring_at = next.signs_from + ACCESS_TOKEN_SECONDS + KEY_RETIRE_GRACE_SECONDS;
    Ok(store
        .rotate_signing_key(next, retiring_at, now_unix)
        .await?)
}

fn generate_key(now_unix: i64, signs_from: i64) -> Result<SigningKeyRow, KeyError> {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(KeyError::Generate)?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(KeyError::Rejected)?;
    Ok(SigningKeyRow {
        id: crate::secrets::random_id("key"),
        private_der: STANDARD.encode(pkcs8.as_ref()),
        public_key: URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        created_at: now_unix,
        signs_from,
        retiring_at: None,
    })
}

#[cfg(test)]
mod tests;
