//! Password hashing under load: a bound on hashes at once shared by every path that
//! hashes, a busy node answering 503 with `Retry-After` and leaving no trace, and
//! a taken address refused before any hash is computed.

use crate::support::{spawn_preset, spawn_with_passwords, Answer, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use steward::auth::{HashingLimits, Passwords};
use steward::store::Account;
use steward_core::{Email, Name, Policy, Timestamp, UserId};

/// One hash at a time, and a short queue: a test holds the one turn.
fn one_at_a_time() -> Passwords {
    Passwords::with_limits(HashingLimits {
        concurrent: 1,
        queue: Duration::from_millis(100),
    })
}

/// A POST without credentials, with its `Retry-After` header.
async fn post(app: &TestApp, path: &str, body: Value) -> (Answer, Option<String>) {
    let response = app
        .http
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let status = response.status();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    (Answer { status, body }, retry_after)
}

#[track_caller]
fn busy(answer: &(Answer, Option<String>)) {
    let (answer, retry_after) = answer;
    answer.refused(503, "busy");
    assert_eq!(answer.body["error"]["code"], "UNAVAILABLE");
    assert!(
        retry_after
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().unwrap() >= 1),
        "Retry-After: {retry_after:?}"
    );
}

fn signup_body(email: &str) -> Value {
    json!({"email": email, "name": "Sam", "password": PASSWORD, "org_name": "Acme"})
}

#[tokio::test]
async fn a_signup_past_the_hashing_bound_is_503_with_retry_after_and_leaves_no_account() {
    let passwords = one_at_a_time();
    let app = spawn_with_passwords(Policy::preset("operations").unwrap(), passwords.clone()).await;
    let held = passwords.turn().await.unwrap();
    busy(&post(&app, "/api/v1/signup", signup_body("sam@acme.test")).await);
    drop(held);
    // Nothing was written: the same address signs up now.
    let (answer, _) = post(&app, "/api/v1/signup", signup_body("sam@acme.test")).await;
    answer.expect(201);
}

#[tokio::test]
async fn accepting_an_invitation_past_the_hashing_bound_is_503_and_the_invitation_stays() {
    let passwords = one_at_a_time();
    let app = spawn_with_passwords(Policy::preset("operations").unwrap(), passwords.clone()).await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let invitation = app
        .post(
            &format!("/api/v1/orgs/{}/invitations", org.id),
            &org.owner.token,
            json!({"email": "new@acme.test", "name": "New"}),
        )
        .await
        .expect(201);
    let accept = format!(
        "/api/v1/invitations/{}/accept",
        invitation["token"].as_str().unwrap()
    );
    let held = passwords.turn().await.unwrap();
    busy(&post(&app, &accept, json!({"password": PASSWORD})).await);
    drop(held);
    let (answer, _) = post(&app, &accept, json!({"password": PASSWORD})).await;
    assert_eq!(answer.expect(200)["email"], "new@acme.test");
}

#[tokio::test]
async fn a_setup_link_past_the_hashing_bound_is_503_and_still_works_after() {
    let passwords = one_at_a_time();
    let app = spawn_with_passwords(Policy::preset("operations").unwrap(), passwords.clone()).await;
    let store = app.app.service().store();
    let account = Account {
        id: UserId::parse("usr_owner").unwrap(),
        email: Email::parse("owner@acme.test").unwrap(),
        name: Name::parse("Owner").unwrap(),
        password_hash: None,
        created_at: Timestamp(0),
    };
    store.create_account(&account).await.unwrap();
    let now = app.app.service().clock().now().0;
    let link = store
        .create_setup_token(account.id.as_str(), now, now + 3600)
        .await
        .unwrap();
    let accept = format!("/api/v1/invitations/{link}/accept");
    let held = passwords.turn().await.unwrap();
    busy(&post(&app, &accept, json!({"password": PASSWORD})).await);
    drop(held);
    // The refusal came before the one-time link was used up.
    let (answer, _) = post(&app, &accept, json!({"password": PASSWORD})).await;
    assert_eq!(answer.expect(200)["account"]["id"], "usr_owner");
    app.login("owner@acme.test").await;
}

#[tokio::test]
async fn a_taken_email_is_refused_before_its_password_is_hashed() {
    let app = spawn_preset("operations").await;
    app.signup("owner@acme.test", "Acme").await;
    let passwords = &app.app.sign_in.passwords;
    let before = passwords.computed();
    app.call(
        Method::POST,
        "/api/v1/signup",
        None,
        Some(signup_body("owner@acme.test")),
    )
    .await
    .refused(409, "duplicate_email");
    assert_eq!(passwords.computed(), before, "the duplicate was hashed");
    // The counter counts: a new address is hashed once.
    app.call(
        Method::POST,
        "/api/v1/signup",
        None,
        Some(signup_body("other@acme.test")),
    )
    .await
    .expect(201);
    assert_eq!(passwords.computed(), before + 1);
}
