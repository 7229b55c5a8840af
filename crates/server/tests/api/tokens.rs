//! Credentials: access tokens (tampered, expired, signed elsewhere), refresh
//! rotation and reuse, logout, login answers and limits, API keys.

use crate::support::{claims, spawn_preset, PASSWORD};
use base64::Engine;
use reqwest::Method;
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn a_tampered_expired_or_foreign_token_is_401() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let me = "/api/v1/me";
    app.get(me, &org.owner.token).await.expect(200);

    // Tampered: the payload claims another account, the signature is the old one.
    let parts: Vec<&str> = org.owner.token.split('.').collect();
    let mut forged = claims(&org.owner.token);
    forged["sub"] = json!("usr_someone_else");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(forged.to_string().as_bytes()),
        parts[2]
    );
    app.get(me, &tampered).await.refused(401, "invalid_token");
    app.get(me, "not-a-token")
        .await
        .refused(401, "invalid_token");
    app.call(Method::GET, me, None, None)
        .await
        .refused(401, "missing_credentials");

    // Signed by another deployment's key.
    let other = spawn_preset("operations").await;
    let stranger = other.signup("owner@acme.test", "Acme").await;
    app.get(me, &stranger.owner.token)
        .await
        .refused(401, "invalid_token");

    // Expired: 15 minutes later.
    app.app.service().clock().advance_secs(16 * 60);
    app.get(me, &org.owner.token)
        .await
        .refused(401, "token_expired");
}

#[tokio::test]
async fn an_access_token_carries_the_contracts_claims_and_the_jwks_verifies_it() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let c = claims(&org.owner.token);
    assert_eq!(c["sub"], org.owner.id.as_str());
    assert_eq!(c["org"][&org.id], "owner");
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    assert!(c["jti"].as_str().unwrap().len() > 8);
    assert_eq!(c["iss"], format!("http://{}", app.addr));
    assert_eq!(c["aud"], "steward");
    let jwks = app
        .call(Method::GET, "/.well-known/jwks.json", None, None)
        .await
        .expect(200);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwks["keys"][0].clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.set_audience(&["steward"]);
    validation.set_issuer(&[format!("http://{}", app.addr)]);
    jsonwebtoken::decode::<serde_json::Value>(&org.owner.token, &key, &validation)
        .expect("the published key verifies the token");
}

#[tokio::test]
async fn a_refresh_token_rotates_and_its_reuse_revokes_the_family() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let refresh = |t: &str| {
        let t = t.to_string();
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/refresh",
                None,
                Some(json!({"refresh_token": t})),
            )
            .await
        }
    };
    let first = refresh(&org.owner.refresh).await.expect(200);
    let second_token = first["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second_token, org.owner.refresh);
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 900);
    app.get("/api/v1/me", first["access_token"].as_str().unwrap())
        .await
        .expect(200);
    // The rotated token used again after the retry grace period (10 s): the
    // whole family is revoked, the newest too.
    app.app.service().clock().advance_secs(11);
    refresh(&org.owner.refresh)
        .await
        .refused(401, "refresh_token_reused");
    refresh(&second_token)
        .await
        .refused(401, "refresh_token_revoked");
    // Another login is another family, untouched.
    let again = app.login("owner@acme.test").await;
    refresh(&again.refresh).await.expect(200);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    app.call(
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(json!({"refresh_token": org.owner.refresh})),
    )
    .await
    .expect(204);
    let answer = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": org.owner.refresh})),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 401, "{}", answer.body);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_and_are_limited() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let login = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await
        }
    };
    let wrong = login("owner@acme.test", "not the password").await;
    let unknown = login("nobody@acme.test", "not the password").await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    wrong.refused(401, "invalid_credentials");
    // The failure is in the organization's audit log (written in the background).
    let mut found = false;
    for _ in 0..100 {
        let audit = app
            .get(
                &format!("/api/v1/orgs/{}/audit?type=auth.login_failed", org.id),
                &org.owner.token,
            )
            .await
            .expect(200);
        if audit["items"].as_array().is_some_and(|i| !i.is_empty()) {
            assert_eq!(audit["items"][0]["target_id"], org.owner.id.as_str());
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(found, "no auth.login_failed event");
    // Five failures in all lock the account for a while, even with the right password.
    for _ in 0..4 {
        login("owner@acme.test", "still wrong")
            .await
            .refused(401, "invalid_credentials");
    }
    let limited = login("owner@acme.test", PASSWORD).await;
    limited.refused(429, "too_many_attempts");
    assert_eq!(limited.body["error"]["code"], "RATE_LIMITED");
}

#[tokio::test]
async fn an_api_key_checks_its_organization_and_stops_at_once_when_revoked() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let created = app
        .post(
            &format!("/api/v1/orgs/{}/api-keys", org.id),
            &org.owner.token,
            json!({"name": "back-end"}),
        )
        .await
        .expect(201);
    let key = created["key"].as_str().unwrap();
    assert_eq!(created["permissions"], json!(["check"]));
    let answer = app
        .check(&org.id, key, &org.owner.id, "org:delete", &org.id)
        .await;
    assert_eq!(
        answer,
        json!({"allowed": true, "reason": format!("role:owner@{}", org.id)})
    );
    // A check-only key reads nothing and changes nothing.
    app.get(&format!("/api/v1/orgs/{}/members", org.id), key)
        .await
        .refused(403, "not_permitted");
    app.post(
        &format!("/api/v1/orgs/{}/invitations", org.id),
        key,
        json!({"email": "x@y.test"}),
    )
    .await
    .refused(403, "not_permitted");
    // The list shows no secret.
    let list = app
        .get(
            &format!("/api/v1/orgs/{}/api-keys", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert!(!list.to_string().contains(key));
    app.delete(
        &format!(
            "/api/v1/orgs/{}/api-keys/{}",
            org.id,
            created["id"].as_str().unwrap()
        ),
        &org.owner.token,
    )
    .await
    .expect(204);
    app.post(
        &format!("/api/v1/orgs/{}/check", org.id),
        key,
        json!({"user_id": org.owner.id, "action": "org:delete", "object_id": org.id}),
    )
    .await
    .refused(401, "invalid_api_key");
    let audit = app
        .get(
            &format!("/api/v1/orgs/{}/audit?type=api_key.created", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn signup_can_be_turned_off() {
    let app = crate::support::spawn_with_signup(
        steward_core::Policy::preset("operations").unwrap(),
        false,
    )
    .await;
    app.call(
        Method::POST,
        "/api/v1/signup",
        None,
        Some(
            json!({"email": "owner@acme.test", "name": "X", "password": PASSWORD, "org_name": "B"}),
        ),
    )
    .await
    .refused(404, "signup_disabled");
}

#[tokio::test]
async fn one_email_signs_up_once() {
    let app = spawn_preset("operations").await;
    app.signup("owner@acme.test", "Acme").await;
    let again = app
        .call(
            Method::POST,
            "/api/v1/signup",
            None,
            Some(json!({"email": "owner@acme.test", "name": "X", "password": PASSWORD, "org_name": "B"})),
        )
        .await;
    again.refused(409, "duplicate_email");
}

/// The per-address limit counts failures only: an office behind one NAT address
/// signs in all morning, while one address trying passwords on many accounts is
/// still stopped.
#[tokio::test]
async fn forty_good_logins_from_one_address_pass_and_thirty_failures_are_limited() {
    let app = spawn_preset("operations").await;
    app.signup("owner@acme.test", "Acme").await;
    let login = |email: String, password: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await
        }
    };
    for i in 0..40 {
        let answer = login("owner@acme.test".into(), PASSWORD).await;
        assert_eq!(answer.status.as_u16(), 200, "login {i}: {}", answer.body);
    }
    // Each e-mail once, so no account's own limit (5) is what stops them.
    for i in 0..30 {
        login(format!("person{i}@acme.test"), "a guessed password")
            .await
            .refused(401, "invalid_credentials");
    }
    login("someone.else@acme.test".into(), "a guessed password")
        .await
        .refused(429, "too_many_attempts");
    login("owner@acme.test".into(), PASSWORD)
        .await
        .refused(429, "too_many_attempts");
}

async fn refresh(app: &crate::support::TestApp, token: &str) -> crate::support::Answer {
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": token})),
    )
    .await
}

/// A client that times out and retries its refresh must not lose its session.
#[tokio::test]
async fn two_concurrent_refreshes_with_one_token_both_succeed_with_the_same_successor() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    for round in 0..10 {
        let login = app.login("owner@acme.test").await;
        let (a, b) = tokio::join!(refresh(&app, &login.refresh), refresh(&app, &login.refresh));
        let (a, b) = (a.expect(200), b.expect(200));
        assert_eq!(a["refresh_token"], b["refresh_token"], "round {round}");
        app.get("/api/v1/me", b["access_token"].as_str().unwrap())
            .await
            .expect(200);
        // The one successor carries the session on.
        refresh(&app, a["refresh_token"].as_str().unwrap())
            .await
            .expect(200);
    }
    app.get("/api/v1/me", &org.owner.token).await.expect(200);
}

#[tokio::test]
async fn a_refresh_retried_within_ten_seconds_gets_the_same_successor_and_later_revokes() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let first = refresh(&app, &org.owner.refresh).await.expect(200);
    let successor = first["refresh_token"].as_str().unwrap().to_string();
    app.app.service().clock().advance_secs(5);
    let retried = refresh(&app, &org.owner.refresh).await.expect(200);
    assert_eq!(retried["refresh_token"].as_str(), Some(successor.as_str()));
    // Past the grace period the old token is a replay again: the family ends.
    app.app.service().clock().advance_secs(6);
    refresh(&app, &org.owner.refresh)
        .await
        .refused(401, "refresh_token_reused");
    refresh(&app, &successor)
        .await
        .refused(401, "refresh_token_revoked");
}

/// A family ended by logout stays ended, even for a retry within the grace period.
#[tokio::test]
async fn a_retry_after_logout_is_refused_within_the_grace_period() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let first = refresh(&app, &org.owner.refresh).await.expect(200);
    let successor = first["refresh_token"].as_str().unwrap();
    app.call(
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(json!({"refresh_token": successor})),
    )
    .await
    .expect(204);
    let retried = refresh(&app, &org.owner.refresh).await;
    assert_eq!(retried.status.as_u16(), 401, "{}", retried.body);
    refresh(&app, successor)
        .await
        .refused(401, "refresh_token_revoked");
}
