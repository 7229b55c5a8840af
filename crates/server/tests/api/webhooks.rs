//! Webhooks over HTTP (docs/webhooks.md): endpoints managed by owners and
//! admins, deliveries signed as Standard Webhooks says and checked here with
//! HMAC-SHA256 independently of the server's code, kept in order per endpoint
//! while a receiver fails, refused for private addresses unless allowed, and
//! turned off after 3 days of failures with a mail to whoever may turn it on.

use crate::support::{spawn_preset, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// Requests still to answer 503 before the receiver recovers.
    failures_left: usize,
}

type Receiver = Arc<Mutex<Inbox>>;

async fn receive(State(inbox): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut inbox = inbox.lock().unwrap();
    inbox.received.push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    if inbox.failures_left > 0 {
        inbox.failures_left -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::NO_CONTENT
}

/// An HTTP receiver on 127.0.0.1 that answers 503 `failures` times first.
async fn start_receiver(failures: usize) -> (String, Receiver) {
    let inbox: Receiver = Arc::new(Mutex::new(Inbox {
        received: Vec::new(),
        failures_left: failures,
    }));
    let app = axum::Router::new()
        .route("/in", axum::routing::post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/in", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, inbox)
}

/// The Standard Webhooks check, written from the specification.
fn verifies(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", r.id, r.timestamp, r.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    r.signature.split(' ').any(|s| s == expected)
}

/// Waits until `done` holds of the receiver's requests (or fails after 30 s).
async fn wait_for(inbox: &Receiver, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
    for _ in 0..300 {
        {
            let inbox = inbox.lock().unwrap();
            if done(&inbox.received) {
                return inbox.received.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the receiver got only {:?}", inbox.lock().unwrap().received);
}

fn body(r: &Received) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

async fn webhooks_app(allow_private: bool) -> TestApp {
    let app = spawn_preset("operations").await;
    app.app.deliver_webhooks(allow_private);
    app
}

#[tokio::test]
async fn a_change_is_delivered_signed_and_the_secret_is_shown_only_once() {
    let app = webhooks_app(true).await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    let (url, inbox) = start_receiver(0).await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(
            &hooks,
            &acme.owner.token,
            json!({"url": url, "event_types": ["member.joined", "user.role_changed"]}),
        )
        .await
        .expect(201);
    let secret = made["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{made}");
    let id = made["id"].as_str().unwrap();
    let read = app
        .get(&format!("{hooks}/{id}"), &acme.owner.token)
        .await
        .expect(200);
    assert!(read.get("secret").is_none(), "{read}");
    let listed = app.get(&hooks, &acme.owner.token).await.expect(200);
    assert!(!listed.to_string().contains(&secret));

    let ann = app
        .join(&acme.id, &acme.owner, "ann@acme.test", Some("viewer"))
        .await;
    app.set_role(&acme.id, &acme.owner, &ann, "operator")
        .await
        .expect(200);
    let got = wait_for(&inbox, |r| r.len() >= 2).await;
    let types: Vec<_> = got.iter().map(|r| body(r)["type"].clone()).collect();
    assert_eq!(types, [json!("member.joined"), json!("user.role_changed")]);
    for r in &got {
        assert!(verifies(&secret, r), "{r:?}");
        assert_eq!(r.id, format!("msg_{}_{}", acme.id, body(r)["data"]["seq"]));
    }
    assert_eq!(body(&got[1])["data"]["event"]["new_role"], "operator");

    // A rotated secret signs what comes next; the old one no longer does.
    let rotated = app
        .post(
            &format!("{hooks}/{id}/rotate-secret"),
            &acme.owner.token,
            json!({}),
        )
        .await
        .expect(200);
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    app.set_role(&acme.id, &acme.owner, &ann, "viewer")
        .await
        .expect(200);
    let got = wait_for(&inbox, |r| r.len() >= 3).await;
    assert!(verifies(&new_secret, &got[2]));
    assert!(!verifies(&secret, &got[2]));

    // The receiver has the request before the courier records its answer: read
    // the log until the newest delivery is settled (at most 3 s).
    let mut log = Value::Null;
    for _ in 0..30 {
        log = app
            .get(&format!("{hooks}/{id}/deliveries"), &acme.owner.token)
            .await
            .expect(200);
        if log["items"][0]["status"] != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(log["items"][0]["status"], "delivered", "{log}");
    assert_eq!(log["items"][0]["last_status"], 204, "{log}");
}

#[tokio::test]
async fn deliveries_keep_their_order_while_the_receiver_fails_then_recovers() {
    let app = webhooks_app(true).await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    // Two failures: the first event waits about 1.5 s, and every later one
    // waits behind it.
    let (url, inbox) = start_receiver(2).await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(
            &hooks,
            &acme.owner.token,
            json!({"url": url, "event_types": ["user.role_changed"]}),
        )
        .await
        .expect(201);
    let ann = app
        .join(&acme.id, &acme.owner, "ann@acme.test", Some("viewer"))
        .await;
    let roles = ["operator", "admin", "viewer", "operator", "viewer"];
    for role in roles {
        app.set_role(&acme.id, &acme.owner, &ann, role)
            .await
            .expect(200);
    }
    let got = wait_for(&inbox, |r| r.len() >= roles.len() + 2).await;
    let seqs: Vec<i64> = got
        .iter()
        .map(|r| body(r)["data"]["seq"].as_i64().unwrap())
        .collect();
    // The first is tried three times; nothing after it goes before it went.
    assert_eq!(seqs[0], seqs[1]);
    assert_eq!(seqs[1], seqs[2]);
    let delivered = &seqs[2..];
    assert!(
        delivered.windows(2).all(|w| w[0] < w[1]),
        "out of order: {seqs:?}"
    );
    let new_roles: Vec<_> = got[2..]
        .iter()
        .map(|r| body(r)["data"]["event"]["new_role"].clone())
        .collect();
    assert_eq!(new_roles, roles.map(|r| json!(r)));
    let secret = made["secret"].as_str().unwrap();
    assert!(got.iter().all(|r| verifies(secret, r)));

    // Redelivered on request, with the same webhook-id.
    let id = made["id"].as_str().unwrap();
    app.post(
        &format!("{hooks}/{id}/deliveries/{}/redeliver", seqs[2]),
        &acme.owner.token,
        json!({}),
    )
    .await
    .expect(202);
    let again = wait_for(&inbox, |r| r.len() >= roles.len() + 3).await;
    assert_eq!(again.last().unwrap().id, got[2].id);
}

#[tokio::test]
async fn a_private_address_is_refused_unless_the_operator_allows_it() {
    let app = webhooks_app(false).await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    let (url, inbox) = start_receiver(0).await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(&hooks, &acme.owner.token, json!({"url": url}))
        .await
        .expect(201);
    let id = made["id"].as_str().unwrap();
    app.join(&acme.id, &acme.owner, "ann@acme.test", Some("viewer"))
        .await;
    let log_path = format!("{hooks}/{id}/deliveries");
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app.get(&log_path, &acme.owner.token).await.expect(200);
        let failed = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["attempts"].as_i64() > Some(0));
        if failed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tried = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["attempts"].as_i64() > Some(0))
        .unwrap_or_else(|| panic!("never tried: {log}"));
    assert_eq!(tried["status"], "pending");
    let error = tried["last_error"].as_str().unwrap();
    assert!(
        error.contains("127.0.0.1") && error.contains("private"),
        "{error}"
    );
    assert!(inbox.lock().unwrap().received.is_empty());
}

/// The "turned off" notices queued for `to`.
async fn notices_of_turning_off(app: &TestApp, to: &str) -> Vec<steward::store::Letter> {
    let letters = app.app.service().store().pending_mail_to(to).await.unwrap();
    letters
        .into_iter()
        .filter(|l| l.subject.contains("webhook") && l.subject.contains("turned off"))
        .collect()
}

/// Reads `path` until `done` holds of it (or fails after 30 s).
async fn read_until(
    app: &TestApp,
    path: &str,
    token: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let mut read = Value::Null;
    for _ in 0..300 {
        read = app.get(path, token).await.expect(200);
        if done(&read) {
            return read;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never came to be as expected: {read}");
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_turned_off_and_its_managers_are_mailed_once() {
    let app = webhooks_app(true).await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    app.join(&acme.id, &acme.owner, "ada@acme.test", Some("admin"))
        .await;
    let vic = app
        .join(&acme.id, &acme.owner, "vic@acme.test", Some("viewer"))
        .await;
    let (url, _inbox) = start_receiver(usize::MAX).await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(
            &hooks,
            &acme.owner.token,
            json!({"url": url, "event_types": ["user.role_changed"]}),
        )
        .await
        .expect(201);
    let id = made["id"].as_str().unwrap();
    // The second change waits behind the first, which fails.
    for role in ["operator", "viewer"] {
        app.set_role(&acme.id, &acme.owner, &vic, role)
            .await
            .expect(200);
    }
    let log_path = format!("{hooks}/{id}/deliveries");
    read_until(&app, &log_path, &acme.owner.token, |log| {
        log["items"][1]["attempts"].as_i64() >= Some(1)
    })
    .await;
    assert!(notices_of_turning_off(&app, "owner@acme.test")
        .await
        .is_empty());

    // Failing since the first try: the next one, 3 days later, gives up.
    app.app.service().clock().advance_days(3);
    let owner = app.login("owner@acme.test").await;
    let endpoint = format!("{hooks}/{id}");
    read_until(&app, &endpoint, &owner.token, |w| w["enabled"] == false).await;
    let log = app.get(&log_path, &owner.token).await.expect(200);
    assert_eq!(log["items"][1]["status"], "failed", "{log}");

    for manager in ["owner@acme.test", "ada@acme.test"] {
        let notices = notices_of_turning_off(&app, manager).await;
        assert_eq!(notices.len(), 1, "{manager}: {notices:?}");
        let text = &notices[0].text;
        assert!(text.contains(&url), "{text}");
        assert!(text.contains("failed for 3 days"), "{text}");
        assert!(text.contains("the receiver answered 503"), "{text}");
        assert!(
            text.contains(&format!("/orgs/{}/settings/webhooks/{id}", acme.id)),
            "{text}"
        );
    }
    assert!(notices_of_turning_off(&app, "vic@acme.test")
        .await
        .is_empty());

    // Once per disabling: the courier's later rounds leave the endpoint, and
    // the delivery waiting behind the failed one, alone, and tell no one again.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    for manager in ["owner@acme.test", "ada@acme.test"] {
        assert_eq!(notices_of_turning_off(&app, manager).await.len(), 1);
    }
    let log = app.get(&log_path, &owner.token).await.expect(200);
    assert_eq!(log["items"][0]["status"], "pending", "{log}");
    assert_eq!(log["items"][0]["attempts"], 0, "{log}");
}

#[tokio::test]
async fn a_viewer_cannot_manage_webhooks_and_a_bad_endpoint_is_refused() {
    let app = webhooks_app(true).await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(
            &hooks,
            &acme.owner.token,
            json!({"url": "https://hooks.acme.test/in"}),
        )
        .await
        .expect(201);
    let id = made["id"].as_str().unwrap();
    let viewer = app
        .join(&acme.id, &acme.owner, "vic@acme.test", Some("viewer"))
        .await;
    app.post(&hooks, &viewer.token, json!({"url": "https://evil.test/"}))
        .await
        .refused(403, "not_permitted");
    app.get(&hooks, &viewer.token)
        .await
        .refused(403, "not_permitted");
    app.get(&format!("{hooks}/{id}"), &viewer.token)
        .await
        .refused(403, "not_permitted");
    app.patch(
        &format!("{hooks}/{id}"),
        &viewer.token,
        json!({"enabled": false}),
    )
    .await
    .refused(403, "not_permitted");
    app.post(
        &format!("{hooks}/{id}/rotate-secret"),
        &viewer.token,
        json!({}),
    )
    .await
    .refused(403, "not_permitted");
    app.delete(&format!("{hooks}/{id}"), &viewer.token)
        .await
        .refused(403, "not_permitted");
    app.get(&format!("{hooks}/{id}/deliveries"), &viewer.token)
        .await
        .refused(403, "not_permitted");

    app.post(
        &hooks,
        &acme.owner.token,
        json!({"url": "https://hooks.acme.test/", "event_types": ["member.vanished"]}),
    )
    .await
    .refused(400, "unknown_event_type");
    app.post(
        &hooks,
        &acme.owner.token,
        json!({"url": "ftp://hooks.acme.test/"}),
    )
    .await
    .refused(400, "invalid_webhook_url");
    app.get(&format!("{hooks}/wh_nope"), &acme.owner.token)
        .await
        .refused(404, "unknown_webhook");
    // Refused, nothing is left: still the one endpoint.
    let listed = app.get(&hooks, &acme.owner.token).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let off = app
        .patch(
            &format!("{hooks}/{id}"),
            &acme.owner.token,
            json!({"enabled": false}),
        )
        .await
        .expect(200);
    assert_eq!(off["enabled"], false);
    app.delete(&format!("{hooks}/{id}"), &acme.owner.token)
        .await
        .expect(204);
    app.get(&format!("{hooks}/{id}"), &acme.owner.token)
        .await
        .refused(404, "unknown_webhook");
}
