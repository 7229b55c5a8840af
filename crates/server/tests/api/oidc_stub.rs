//! A small OpenID provider for the SSO tests: discovery, a JWK set and a token
//! endpoint that signs ID tokens (RS256) with a key it owns. The test plays
//! the person at the provider: `grant` reads Steward's authorization URL (its
//! state, nonce and PKCE challenge) and makes a code whose ID token carries the
//! claims the test chose; the token endpoint checks the PKCE verifier.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair, RSA_PKCS1_SHA256};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "steward-client";
pub const CLIENT_SECRET: &str = "stub-client-secret-9f2c";
const KID: &str = "stub-key-1";

struct Grant {
    claims: Value,
    code_challenge: String,
    /// Signed with a key the JWK set does not have.
    forged: bool,
}

struct Provider {
    issuer: String,
    key: RsaKeyPair,
    other_key: RsaKeyPair,
    codes: Mutex<HashMap<String, Grant>>,
}

pub struct OidcStub {
    pub issuer: String,
    provider: Arc<Provider>,
}

/// What a test changes in a grant.
#[derive(Default)]
pub struct Tweak {
    pub forged: bool,
    /// Claims set over the defaults (iss, aud, exp, nonce, email...).
    pub claims: Value,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sign(key: &RsaKeyPair, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KID});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", b64(&signature))
}

fn jwk(key: &RsaKeyPair) -> Value {
    let public = key.public_key();
    let n = public.modulus().big_endian_without_leading_zero().to_vec();
    let e = public.exponent().big_endian_without_leading_zero().to_vec();
    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID, "n": b64(&n), "e": b64(&e)})
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<Value> {
    Json(json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<Value> {
    Json(json!({"keys": [jwk(&p.key)]}))
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<Value>, (axum::http::StatusCode, Json<Value>)> {
    let refuse = |error: &str| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": error})),
        )
    };
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return Err(refuse("invalid_client"));
    }
    let code = form.get("code").ok_or_else(|| refuse("invalid_request"))?;
    let grant = p
        .codes
        .lock()
        .unwrap()
        .remove(code)
        .ok_or_else(|| refuse("invalid_grant"))?;
    let verifier = form
        .get("code_verifier")
        .ok_or_else(|| refuse("invalid_grant"))?;
    if b64(&Sha256::digest(verifier.as_bytes())) != grant.code_challenge {
        return Err(refuse("invalid_grant"));
    }
    let key = if grant.forged { &p.other_key } else { &p.key };
    Ok(Json(json!({
        "access_token": "stub-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": sign(key, &grant.claims),
    })))
}

impl OidcStub {
    pub async fn start() -> OidcStub {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let provider = Arc::new(Provider {
            issuer: issuer.clone(),
            key: RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
            other_key: RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
            codes: Mutex::default(),
        });
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        OidcStub { issuer, provider }
    }

    /// The person signs in at the provider as `email`: a code for Steward's
    /// callback, with the state Steward sent. Answers (state, code).
    pub fn grant(&self, authorization_url: &str, email: &str, tweak: Tweak) -> (String, String) {
        let url = url::Url::parse(authorization_url).unwrap();
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["client_id"], CLIENT_ID);
        assert_eq!(query["code_challenge_method"], "S256");
        let mut claims = json!({
            "iss": self.issuer,
            "sub": format!("sub-{email}"),
            "aud": CLIENT_ID,
            "iat": now(),
            "exp": now() + 300,
            "nonce": query["nonce"],
            "email": email,
            "email_verified": true,
            "name": "Nia Newcomer",
        });
        if let Value::Object(over) = tweak.claims {
            for (k, v) in over {
                claims[k] = v;
            }
        }
        let code = format!("code-{}", b64(&rand::random::<[u8; 16]>()));
        self.provider.codes.lock().unwrap().insert(
            code.clone(),
            Grant {
                claims,
                code_challenge: query["code_challenge"].clone(),
                forged: tweak.forged,
            },
        );
        (query["state"].clone(), code)
    }
}
