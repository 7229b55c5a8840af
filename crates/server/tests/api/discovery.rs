//! Steward's tokens as stock JWT middleware sees them: the discovery document
//! names the issuer and the JWKS, jsonwebtoken validates a token against them
//! with issuer and audience required, and a rotation (`steward keys rotate`, run
//! as the real binary on the server's database) keeps earlier tokens valid.

use crate::support::{claims, database_url, spawn_on, TestApp};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use reqwest::Method;
use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use steward::application::{Application, Settings};
use steward::auth::{ACCESS_TOKEN_SECONDS, KEY_PUBLISH_SECONDS, KEY_RETIRE_GRACE_SECONDS};
use steward::service::{PolicyChoice, PolicySource, Service, Unstored};
use steward::store::Store;
use steward_core::Policy;

/// What a gateway does: the discovery document from the issuer, the JWK set it
/// names, then the token decoded with the issuer and `audience` required.
async fn validate(issuer: &str, audience: &str, token: &str) -> Result<Value, String> {
    let http = reqwest::Client::new();
    let discovery: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        serde_json::json!(["EdDSA"])
    );
    let jwks: JwkSet = http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks.find(&kid).ok_or(format!("{kid} is not in the JWKS"))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[discovery["issuer"].as_str().unwrap()]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .map(|data| data.claims)
        .map_err(|e| format!("{:?}", e.kind()))
}

fn issuer(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

#[tokio::test]
async fn a_stock_jwt_library_validates_a_token_from_the_discovery_document() {
    let app = spawn_on(tempfile::tempdir().unwrap(), preset(), true).await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let c = claims(&org.owner.token);
    assert_eq!(c["iss"], issuer(&app));
    assert_eq!(c["aud"], "steward");

    let validated = validate(&issuer(&app), "steward", &org.owner.token).await;
    assert_eq!(validated.unwrap()["sub"], org.owner.id.as_str());
    assert_eq!(
        validate(&issuer(&app), "billing", &org.owner.token).await,
        Err("InvalidAudience".into())
    );
    // RFC 8414's name for the same document.
    let oauth = app
        .call(
            Method::GET,
            "/.well-known/oauth-authorization-server",
            None,
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        oauth["jwks_uri"],
        format!("{}/.well-known/jwks.json", issuer(&app))
    );
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let app = spawn_on(dir, preset(), true).await;
    let org = app.signup("owner@acme.test", "Acme").await;
    // Another deployment's settings on the same database, so the same keys: only
    // the audience, or only the issuer, differs.
    for (public_url, audience) in [
        (issuer(&app), "billing"),
        ("http://elsewhere.test".into(), "steward"),
    ] {
        let other = node(&db, &public_url, audience).await;
        let token = login(other, "owner@acme.test").await;
        assert_eq!(claims(&token)["aud"], audience);
        app.get("/api/v1/me", &token)
            .await
            .refused(401, "invalid_token");
    }
    app.get("/api/v1/me", &org.owner.token).await.expect(200);
}

#[tokio::test]
async fn a_token_signed_before_a_rotation_still_validates_after_it_until_the_old_key_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    store_the_policy(&db).await;
    let app = spawn_on(dir, preset(), true).await;
    // As `serve` does, faster: the binary's rotation reaches this server.
    app.app.spawn_key_refresh(Duration::from_millis(20));
    let org = app.signup("owner@acme.test", "Acme").await;
    let before = org.owner.token.clone();
    let old_kid = decode_header(&before).unwrap().kid.unwrap();

    let out = steward(&["keys", "rotate"], &db);
    assert!(out.contains("Rotated: key_"), "{out}");
    let jwks = wait_for_keys(&app, 2).await;
    let new_kid = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .find(|kid| *kid != old_kid)
        .unwrap();

    // Published, not yet signing: every node has a minute to load it.
    let still_old = app.login("owner@acme.test").await.token;
    assert_eq!(
        decode_header(&still_old).unwrap().kid,
        Some(old_kid.clone())
    );
    app.app.service().clock().advance_secs(KEY_PUBLISH_SECONDS);
    let after = app.login("owner@acme.test").await.token;
    assert_eq!(decode_header(&after).unwrap().kid, Some(new_kid.clone()));

    for token in [&before, &after] {
        assert!(validate(&issuer(&app), "steward", token).await.is_ok());
        app.get("/api/v1/me", token).await.expect(200);
    }

    // `keys list`: both, the old one with the time it leaves, no private key.
    let listed = steward(&["keys", "list"], &db);
    let old_line = listed.lines().find(|l| l.starts_with(&old_kid)).unwrap();
    let new_line = listed.lines().find(|l| l.starts_with(&new_kid)).unwrap();
    assert!(old_line.trim_end().ends_with('Z'), "{listed}");
    assert!(new_line.trim_end().ends_with('-'), "{listed}");
    let store = Store::open(&db).await.unwrap();
    for key in store.signing_keys(0).await.unwrap() {
        assert!(!listed.contains(&key.private_der), "{listed}");
    }

    // Once the last token the old key signed has expired, it is dropped.
    app.app
        .service()
        .clock()
        .advance_secs(ACCESS_TOKEN_SECONDS + KEY_RETIRE_GRACE_SECONDS);
    let jwks = app
        .call(Method::GET, "/.well-known/jwks.json", None, None)
        .await
        .expect(200);
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [new_kid.as_str()]);
}

#[tokio::test]
async fn the_keys_commands_explain_rotation_and_a_new_database_has_no_key_to_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let keys = steward(&["keys", "--help"], &db);
    assert!(keys.contains("list") && keys.contains("rotate"), "{keys}");
    let rotate = steward(&["keys", "rotate", "--help"], &db);
    assert!(rotate.contains("signs a minute later"), "{rotate}");
    assert!(
        rotate.contains("until the last token it signed has expired"),
        "{rotate}"
    );
    let serve = steward(&["serve", "--help"], &db);
    assert!(serve.contains("--token-audience"), "{serve}");
    // A new database is made by `steward migrate` (no other command makes one).
    steward(&["migrate"], &db);
    assert!(steward(&["keys", "list"], &db).contains("No signing key yet"));
}

fn preset() -> Policy {
    Policy::preset("operations").unwrap()
}

/// Stores the policy as `serve`'s first start does, so the binary finds it.
async fn store_the_policy(db: &str) {
    let store = Store::open(db).await.unwrap();
    let choice = PolicyChoice {
        given: PolicySource::preset("operations"),
        replace: false,
        unstored: Unstored::Default,
    };
    Service::start(store, choice).await.unwrap();
}

/// Runs the binary on `db`; its stdout.
fn steward(args: &[&str], db: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("STEWARD_DATABASE_URL", db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "steward {args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The JWKS once it holds `n` keys (the server reloads every 20 ms).
async fn wait_for_keys(app: &TestApp, n: usize) -> Value {
    for _ in 0..250 {
        let jwks = app
            .call(Method::GET, "/.well-known/jwks.json", None, None)
            .await
            .expect(200);
        if jwks["keys"].as_array().unwrap().len() == n {
            return jwks;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the JWKS never held {n} keys");
}

/// A second server on `db` with its own public URL and audience; its address.
async fn node(db: &str, public_url: &str, audience: &str) -> std::net::SocketAddr {
    let store = Store::open(db).await.unwrap();
    let service = Service::open(store, preset()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let settings = Settings {
        signup: false,
        public_url: public_url.to_string(),
        token_audience: audience.to_string(),
    };
    let app = Application::open(service, settings).await.unwrap();
    tokio::spawn(steward::app::serve(app, listener, std::future::pending()));
    addr
}

async fn login(addr: std::net::SocketAddr, email: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_string()
}
