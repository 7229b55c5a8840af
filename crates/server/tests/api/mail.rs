//! Mail over a real SMTP server (the sink the tests start): invitations followed
//! to a membership, password resets, the proof of address that closes the
//! squatting path, and delivery that survives a relay that is down and a restart.

use crate::smtp_sink::{free_port, SmtpSink};
use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use steward_core::Policy;

const WAIT: Duration = Duration::from_secs(20);

fn operations() -> Policy {
    Policy::preset("operations").unwrap()
}

async fn anonymous(app: &TestApp, path: &str, body: Value) -> Answer {
    app.call(Method::POST, path, None, Some(body)).await
}

async fn login_with(app: &TestApp, email: &str, password: &str) -> Answer {
    anonymous(
        app,
        "/api/v1/auth/login",
        json!({"email": email, "password": password}),
    )
    .await
}

/// The path and token of a mailed link (`http://host/verify-email/stw_...`).
fn token_of(link: &str, path: &str) -> String {
    link.split(path).nth(1).unwrap().to_string()
}

/// Signs up over a relay: the address link arrives at the sink and is opened.
async fn sign_up_by_mail(app: &TestApp, sink: &SmtpSink, email: &str) -> (String, User) {
    let body = anonymous(
        app,
        "/api/v1/signup",
        json!({"email": email, "name": "Olivia", "password": PASSWORD, "org_name": "Acme"}),
    )
    .await
    .expect(201);
    assert_eq!(body["email_verified"], json!(false));
    let mail = sink.mail_to(email, "/verify-email/", WAIT).await;
    let token = token_of(&mail.link("/verify-email/").unwrap(), "/verify-email/");
    anonymous(
        app,
        &format!("/api/v1/auth/verify-email/{token}"),
        json!({"password": PASSWORD}),
    )
    .await
    .expect(200);
    let org = body["org"]["id"].as_str().unwrap().to_string();
    (org, app.login(email).await)
}

#[tokio::test]
async fn an_invitation_arrives_by_mail_and_its_link_joins_without_anyone_else_seeing_it() {
    let (sink, relay) = SmtpSink::start().await;
    let app = spawn_with_mail(operations(), &format!("smtp://{relay}")).await;
    let (org, owner) = sign_up_by_mail(&app, &sink, "olivia@acme.test").await;

    let invitation = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &owner.token,
            json!({"email": "ann@acme.test", "name": "Ann"}),
        )
        .await
        .expect(201);
    // With a relay, the link goes only to the address.
    assert!(invitation.get("token").is_none(), "{invitation}");
    assert!(invitation.get("accept_url").is_none(), "{invitation}");

    let mail = sink.mail_to("ann@acme.test", "/invitations/", WAIT).await;
    assert!(
        mail.data.contains("Acme"),
        "the mail names the organization"
    );
    assert!(mail.data.contains("text/html"), "a text and an HTML part");
    let link = mail.link("/invitations/").unwrap();
    let token = token_of(&link, "/invitations/");
    anonymous(
        &app,
        &format!("/api/v1/invitations/{token}/accept"),
        json!({"password": PASSWORD}),
    )
    .await
    .expect(200);
    // The mailed link proved the address: Ann signs in at once.
    let ann = app.login("ann@acme.test").await;
    assert_eq!(
        app.role_of(&org, &owner, &ann).await,
        invitation["role"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_reset_mail_sets_a_new_password_and_ends_every_session_of_the_account() {
    let (sink, relay) = SmtpSink::start().await;
    let app = spawn_with_mail(operations(), &format!("smtp://{relay}")).await;
    let (org, owner) = sign_up_by_mail(&app, &sink, "olivia@acme.test").await;

    anonymous(
        &app,
        "/api/v1/auth/password-reset",
        json!({"email": "olivia@acme.test"}),
    )
    .await
    .expect(202);
    let mail = sink
        .mail_to("olivia@acme.test", "/password-reset/", WAIT)
        .await;
    let token = token_of(&mail.link("/password-reset/").unwrap(), "/password-reset/");
    let reset = format!("/api/v1/auth/password-reset/{token}");
    let new_password = "a brand new passphrase";
    anonymous(&app, &reset, json!({"password": new_password}))
        .await
        .expect(204);

    login_with(&app, "olivia@acme.test", PASSWORD)
        .await
        .refused(401, "invalid_credentials");
    let fresh = login_with(&app, "olivia@acme.test", new_password)
        .await
        .expect(200);
    let refreshed = anonymous(
        &app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": owner.refresh}),
    )
    .await;
    refreshed.refused(401, "refresh_token_revoked");
    // Once only.
    anonymous(&app, &reset, json!({"password": "yet another passphrase"}))
        .await
        .refused(404, "unknown_link");
    // Audited in the account's organizations.
    let token = fresh["access_token"].as_str().unwrap();
    let audit = app
        .get(
            &format!("/api/v1/orgs/{org}/audit?type=auth.password_reset"),
            token,
        )
        .await
        .expect(200);
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
}

#[tokio::test]
async fn a_reset_request_for_an_unknown_address_answers_as_for_a_known_one_and_mails_nothing() {
    let app = spawn_preset("operations").await;
    app.signup("olivia@acme.test", "Acme").await;
    let known = anonymous(
        &app,
        "/api/v1/auth/password-reset",
        json!({"email": "olivia@acme.test"}),
    )
    .await;
    let unknown = anonymous(
        &app,
        "/api/v1/auth/password-reset",
        json!({"email": "nobody@acme.test"}),
    )
    .await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    assert_eq!(known.status.as_u16(), 202);
    // The link is made off the request.
    let mut link = None;
    for _ in 0..50 {
        link = app.mail_link("olivia@acme.test", "/password-reset/").await;
        if link.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(link.is_some(), "the known address got a link");
    assert_eq!(app.mail_link("nobody@acme.test", "/").await, None);
}

#[tokio::test]
async fn an_admin_cannot_squat_an_address_by_accepting_its_invitation_with_a_password_they_chose() {
    let app = spawn_preset("operations").await;
    let org = app.signup("mallory@evil.test", "Evil").await;
    // Without a relay the inviter is shown the link, and uses it.
    let invitation = app
        .post(
            &format!("/api/v1/orgs/{}/invitations", org.id),
            &org.owner.token,
            json!({"email": "victim@acme.test", "name": "Victim"}),
        )
        .await
        .expect(201);
    let token = invitation["token"].as_str().unwrap();
    anonymous(
        &app,
        &format!("/api/v1/invitations/{token}/accept"),
        json!({"password": "mallory's own password"}),
    )
    .await
    .expect(200);
    // The account cannot be used until its address is proven, and the proof went
    // to the victim's mailbox, and needs the password too.
    login_with(&app, "victim@acme.test", "mallory's own password")
        .await
        .refused(401, "email_unverified");

    // The real person takes the address back by a reset.
    anonymous(
        &app,
        "/api/v1/auth/password-reset",
        json!({"email": "victim@acme.test"}),
    )
    .await
    .expect(202);
    let mut link = None;
    for _ in 0..50 {
        link = app.mail_link("victim@acme.test", "/password-reset/").await;
        if link.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let token = token_of(&link.unwrap(), "/password-reset/");
    anonymous(
        &app,
        &format!("/api/v1/auth/password-reset/{token}"),
        json!({"password": PASSWORD}),
    )
    .await
    .expect(204);
    app.login("victim@acme.test").await;
    login_with(&app, "victim@acme.test", "mallory's own password")
        .await
        .refused(401, "invalid_credentials");
}

#[tokio::test]
async fn signing_up_with_someone_elses_address_gives_an_account_that_cannot_sign_in() {
    let app = spawn_preset("operations").await;
    anonymous(
        &app,
        "/api/v1/signup",
        json!({"email": "victim@acme.test", "name": "Mallory", "password": "mallory's own password", "org_name": "Evil"}),
    )
    .await
    .expect(201);
    login_with(&app, "victim@acme.test", "mallory's own password")
        .await
        .refused(401, "email_unverified");
    // Opening the mailed link is not enough without the password: the address's
    // holder cannot be tricked into proving it for the squatter.
    let link = app
        .mail_link("victim@acme.test", "/verify-email/")
        .await
        .unwrap();
    let token = token_of(&link, "/verify-email/");
    anonymous(
        &app,
        &format!("/api/v1/auth/verify-email/{token}"),
        json!({"password": "a guess"}),
    )
    .await
    .refused(401, "invalid_credentials");
}

#[tokio::test]
async fn changing_the_password_takes_the_current_one_and_ends_the_refresh_tokens() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@acme.test", "Acme").await;
    let owner = org.owner;
    app.post(
        "/api/v1/me/password",
        &owner.token,
        json!({"current_password": "a wrong guess", "new_password": "a brand new passphrase"}),
    )
    .await
    .refused(401, "invalid_credentials");
    app.post(
        "/api/v1/me/password",
        &owner.token,
        json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
    )
    .await
    .expect(204);
    login_with(&app, "olivia@acme.test", "a brand new passphrase")
        .await
        .expect(200);
    anonymous(
        &app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": owner.refresh}),
    )
    .await
    .refused(401, "refresh_token_revoked");
}

#[tokio::test]
async fn a_mail_queued_while_the_relay_is_down_arrives_once_it_is_up() {
    let relay = free_port().await;
    let app = spawn_with_mail(operations(), &format!("smtp://{relay}")).await;
    anonymous(
        &app,
        "/api/v1/signup",
        json!({"email": "olivia@acme.test", "name": "Olivia", "password": PASSWORD, "org_name": "Acme"}),
    )
    .await
    .expect(201);
    // The first try finds nobody listening, and is retried after a backoff.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let sink = SmtpSink::start_on(relay).await;
    sink.mail_to("olivia@acme.test", "/verify-email/", WAIT)
        .await;
}

#[tokio::test]
async fn a_restart_does_not_lose_a_queued_mail() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(&dir);
    // The first node queues the mail and stops before delivering it.
    let first = spawn_node_on(&url, operations(), None).await;
    anonymous(
        &first,
        "/api/v1/signup",
        json!({"email": "olivia@acme.test", "name": "Olivia", "password": PASSWORD, "org_name": "Acme"}),
    )
    .await
    .expect(201);
    assert!(first
        .mail_link("olivia@acme.test", "/verify-email/")
        .await
        .is_some());
    // The node started again on the same database delivers it.
    let (sink, relay) = SmtpSink::start().await;
    let _second = spawn_node_on(&url, operations(), Some(&format!("smtp://{relay}"))).await;
    sink.mail_to("olivia@acme.test", "/verify-email/", WAIT)
        .await;
}

#[tokio::test]
async fn a_nominee_is_mailed_the_nomination_and_the_owner_its_answer() {
    let (sink, relay) = SmtpSink::start().await;
    let app = spawn_with_mail(operations(), &format!("smtp://{relay}")).await;
    let (org, owner) = sign_up_by_mail(&app, &sink, "olivia@acme.test").await;
    app.post(
        &format!("/api/v1/orgs/{org}/invitations"),
        &owner.token,
        json!({"email": "ada@acme.test", "name": "Ada", "role": "admin"}),
    )
    .await
    .expect(201);
    let invitation = sink.mail_to("ada@acme.test", "/invitations/", WAIT).await;
    let token = token_of(&invitation.link("/invitations/").unwrap(), "/invitations/");
    anonymous(
        &app,
        &format!("/api/v1/invitations/{token}/accept"),
        json!({"password": PASSWORD}),
    )
    .await
    .expect(200);
    let ada = app.login("ada@acme.test").await;

    let transfer = format!("/api/v1/orgs/{org}/ownership-transfer");
    app.post(&transfer, &owner.token, json!({"to_user": ada.id}))
        .await
        .expect(201);
    let nomination = sink.mail_to("ada@acme.test", "/ownership", WAIT).await;
    assert!(
        nomination.data.contains("owner of Acme"),
        "{}",
        nomination.data
    );
    app.post(&format!("{transfer}/accept"), &ada.token, json!({}))
        .await
        .expect(200);
    let answer = sink.mail_to("olivia@acme.test", "/ownership", WAIT).await;
    assert!(
        answer.data.contains("Ada is now the owner of Acme"),
        "{}",
        answer.data
    );
}
