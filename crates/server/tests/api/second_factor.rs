//! The second factor (docs/two-factor.md): enrolment, the login's second step,
//! its limiter and audit, the organization setting and an admin's reset, over
//! the real server. Codes are computed here with totp-rs, as an app would.

use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code an app shows `steps` steps from now.
fn code(secret: &str, steps: i64) -> String {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate((now() as i64 + steps * 30) as u64)
}

/// Sets up and confirms `user`'s second factor: its key and recovery codes.
async fn enrol(app: &TestApp, user: &User) -> (String, Vec<String>) {
    let begun = app
        .post("/api/v1/me/second-factor", &user.token, json!({}))
        .await
        .expect(201);
    let secret = begun["secret"].as_str().unwrap().to_string();
    let codes = app
        .post(
            "/api/v1/me/second-factor/confirm",
            &user.token,
            json!({"code": code(&secret, 0)}),
        )
        .await
        .expect(200);
    let codes = codes["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

async fn password_login(app: &TestApp, email: &str) -> Answer {
    app.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await
}

/// The password step: the challenge of the 202.
async fn challenge(app: &TestApp, email: &str) -> String {
    let body = password_login(app, email).await.expect(202);
    assert_eq!(body["second_factor_required"], true);
    assert!(body.get("access_token").is_none(), "{body}");
    body["challenge"].as_str().unwrap().to_string()
}

async fn second_step(app: &TestApp, challenge: &str, code: &str) -> Answer {
    app.call(
        Method::POST,
        "/api/v1/auth/login/second-factor",
        None,
        Some(json!({"challenge": challenge, "code": code})),
    )
    .await
}

async fn audit_of(app: &TestApp, org: &str, viewer: &User, event: &str) -> Vec<Value> {
    // Failed logins are written in the background.
    for _ in 0..100 {
        let audit = app
            .get(
                &format!("/api/v1/orgs/{org}/audit?type={event}"),
                &viewer.token,
            )
            .await
            .expect(200);
        let items = audit["items"].as_array().cloned().unwrap_or_default();
        if !items.is_empty() {
            return items;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn once_confirmed_a_second_factor_is_asked_at_login_and_its_code_gives_the_tokens() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let begun = app
        .post("/api/v1/me/second-factor", &org.owner.token, json!({}))
        .await
        .expect(201);
    let secret = begun["secret"].as_str().unwrap();
    let uri = begun["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Steward%3Aowner%40acme.test?secret="),
        "{uri}"
    );
    assert!(uri.contains("issuer=Steward"), "{uri}");
    assert!(begun["qr_svg"].as_str().unwrap().starts_with("<svg"));
    // Not in force before a first code confirms it.
    password_login(&app, "owner@acme.test").await.expect(200);
    app.post(
        "/api/v1/me/second-factor/confirm",
        &org.owner.token,
        json!({"code": "000000"}),
    )
    .await
    .refused(400, "code");
    let codes = app
        .post(
            "/api/v1/me/second-factor/confirm",
            &org.owner.token,
            json!({"code": code(secret, 0)}),
        )
        .await
        .expect(200);
    assert_eq!(codes["recovery_codes"].as_array().unwrap().len(), 10);
    let status = app
        .get("/api/v1/me/second-factor", &org.owner.token)
        .await
        .expect(200);
    assert_eq!(status, json!({"enrolled": true, "recovery_codes_left": 10}));

    let challenge = challenge(&app, "owner@acme.test").await;
    let tokens = second_step(&app, &challenge, &code(secret, 1))
        .await
        .expect(200);
    let token = tokens["access_token"].as_str().unwrap();
    app.get("/api/v1/me", token).await.expect(200);
    // The challenge is used up.
    second_step(&app, &challenge, &code(secret, 1))
        .await
        .refused(401, "invalid_challenge");
}

#[tokio::test]
async fn a_totp_code_is_accepted_once_and_never_replayed_within_its_window() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let (secret, _) = enrol(&app, &org.owner).await;
    let first = challenge(&app, "owner@acme.test").await;
    let code = code(&secret, 1);
    second_step(&app, &first, &code).await.expect(200);
    let again = challenge(&app, "owner@acme.test").await;
    second_step(&app, &again, &code)
        .await
        .refused(401, "invalid_second_factor_code");
    // The code confirming the enrolment was taken too.
    let earlier = crate::second_factor::code(&secret, 0);
    second_step(&app, &again, &earlier)
        .await
        .refused(401, "invalid_second_factor_code");
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let (_, codes) = enrol(&app, &org.owner).await;
    let recovery = &codes[3];
    let first = challenge(&app, "owner@acme.test").await;
    second_step(&app, &first, &recovery.to_uppercase())
        .await
        .expect(200);
    let again = challenge(&app, "owner@acme.test").await;
    second_step(&app, &again, recovery)
        .await
        .refused(401, "invalid_second_factor_code");
    let status = app
        .get("/api/v1/me/second-factor", &org.owner.token)
        .await
        .expect(200);
    assert_eq!(status["recovery_codes_left"], 9);
}

#[tokio::test]
async fn code_guesses_are_counted_by_the_login_limiter_and_audited_as_failed_logins() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let (secret, _) = enrol(&app, &org.owner).await;
    let challenge = challenge(&app, "owner@acme.test").await;
    for _ in 0..5 {
        second_step(&app, &challenge, "000000")
            .await
            .refused(401, "invalid_second_factor_code");
    }
    // Locked as a login is, even with the right code, and a new password step
    // does not forgive the guesses.
    let limited = second_step(&app, &challenge, &code(&secret, 1)).await;
    limited.refused(429, "too_many_attempts");
    assert_eq!(limited.body["error"]["code"], "RATE_LIMITED");
    let fresh = crate::second_factor::challenge(&app, "owner@acme.test").await;
    second_step(&app, &fresh, &code(&secret, 1))
        .await
        .refused(429, "too_many_attempts");
    let failed = audit_of(&app, &org.id, &org.owner, "auth.login_failed").await;
    assert!(!failed.is_empty(), "no auth.login_failed event");
    assert_eq!(failed[0]["target_id"], org.owner.id.as_str());
}

#[tokio::test]
async fn while_the_organization_requires_it_an_unenrolled_admin_is_refused_management() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let ada = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    let vera = app
        .join(&org.id, &org.owner, "vera@acme.test", Some("viewer"))
        .await;
    let policy = format!("/api/v1/orgs/{}/second-factor-policy", org.id);
    app.call(
        Method::PUT,
        &policy,
        Some(&vera.token),
        Some(json!({"second_factor_required": true})),
    )
    .await
    .refused(403, "not_permitted");
    app.call(
        Method::PUT,
        &policy,
        Some(&org.owner.token),
        Some(json!({"second_factor_required": true})),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&policy, &vera.token).await.expect(200),
        json!({"second_factor_required": true})
    );
    let invite = |who: &'static str| json!({"email": format!("{who}@acme.test")});
    let invitations = format!("/api/v1/orgs/{}/invitations", org.id);
    let refused = app.post(&invitations, &ada.token, invite("bob")).await;
    refused.refused(403, "second_factor_required");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("second factor"),
        "{}",
        refused.body
    );
    app.post(&invitations, &org.owner.token, invite("bob"))
        .await
        .refused(403, "second_factor_required");
    // Reads still work, and the way out is to enrol.
    app.get(&format!("/api/v1/orgs/{}/members", org.id), &ada.token)
        .await
        .expect(200);
    enrol(&app, &ada).await;
    app.post(&invitations, &ada.token, invite("bob"))
        .await
        .expect(201);
    let setting = audit_of(&app, &org.id, &org.owner, "org.second_factor_required").await;
    assert_eq!(setting.len(), 1);
}

#[tokio::test]
async fn an_admin_resets_a_members_second_factor_which_signs_them_out_and_is_audited() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let ada = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    let vera = app
        .join(&org.id, &org.owner, "vera@acme.test", Some("viewer"))
        .await;
    enrol(&app, &vera).await;
    app.delete(
        &format!("/api/v1/orgs/{}/members/{}/second-factor", org.id, vera.id),
        &ada.token,
    )
    .await
    .expect(204);
    // Every refresh token of hers ended; her password alone signs her in again.
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": vera.refresh})),
    )
    .await
    .refused(401, "refresh_token_revoked");
    password_login(&app, "vera@acme.test").await.expect(200);
    let reset = audit_of(&app, &org.id, &org.owner, "auth.second_factor_reset").await;
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0]["target_id"], vera.id.as_str());
    assert_eq!(reset[0]["actor_id"], ada.id.as_str());
}

#[tokio::test]
async fn a_viewer_cannot_reset_a_second_factor_and_nobody_resets_the_owners() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let ada = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    let vera = app
        .join(&org.id, &org.owner, "vera@acme.test", Some("viewer"))
        .await;
    let otto = app
        .join(&org.id, &org.owner, "otto@acme.test", Some("operator"))
        .await;
    enrol(&app, &org.owner).await;
    let reset = |user: &str| format!("/api/v1/orgs/{}/members/{user}/second-factor", org.id);
    app.delete(&reset(&otto.id), &vera.token)
        .await
        .refused(403, "not_permitted");
    app.delete(&reset(&org.owner.id), &ada.token)
        .await
        .refused(403, "owner_immutable");
    app.delete(&reset(&ada.id), &ada.token)
        .await
        .refused(403, "self_change");
    let status = app
        .get("/api/v1/me/second-factor", &org.owner.token)
        .await
        .expect(200);
    assert_eq!(status["enrolled"], true, "nothing was reset");
}

#[tokio::test]
async fn an_organization_does_not_reset_someone_another_organization_also_counts_on() {
    let app = spawn_preset("operations").await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    let globex = app.signup("owner@globex.test", "Globex").await;
    let vera = app
        .join(&acme.id, &acme.owner, "vera@acme.test", Some("viewer"))
        .await;
    app.join(&globex.id, &globex.owner, "vera@acme.test", Some("viewer"))
        .await;
    app.delete(
        &format!("/api/v1/orgs/{}/members/{}/second-factor", acme.id, vera.id),
        &acme.owner.token,
    )
    .await
    .refused(403, "member_of_other_organizations");
}
