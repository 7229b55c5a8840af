//! The event feed: pages oldest first after a `seq`, long-polls that wake on a
//! commit, Server-Sent Events that resume, who may follow it, and on PostgreSQL
//! a change on one node waking a feed on another, and the binary ending open
//! feeds when it is asked to stop.

use crate::cli::serve;
use crate::support::{database_url, spawn_node_on, spawn_preset, Org, TestApp, User, PASSWORD};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::process::Command;
use std::time::{Duration, Instant};

fn events(org: &str, query: &str) -> String {
    format!("/api/v1/orgs/{org}/events?{query}")
}

/// An organization with a few events: its creation and two members joining.
async fn org_with_members(app: &TestApp) -> (Org, User, User) {
    let org = app.signup("olivia@acme.test", "Acme").await;
    let ann = app
        .join(&org.id, &org.owner, "ann@acme.test", Some("admin"))
        .await;
    let vic = app
        .join(&org.id, &org.owner, "vic@acme.test", Some("viewer"))
        .await;
    (org, ann, vic)
}

fn seqs(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect()
}

/// The hash as docs/audit.md states it, computed here from the event alone.
fn hash_of(event: &Value) -> String {
    let text = format!(
        "{}\n{}\n{}\n{}",
        event["org_id"].as_str().unwrap(),
        event["seq"],
        event["prev_hash"].as_str().unwrap(),
        event["body"].as_str().unwrap()
    );
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn head(app: &TestApp, org: &Org) -> i64 {
    let page = app
        .get(&events(&org.id, "limit=1000"), &org.owner.token)
        .await
        .expect(200);
    page["after"].as_i64().unwrap()
}

#[tokio::test]
async fn the_feed_pages_oldest_first_and_after_continues_where_a_page_ended() {
    let app = spawn_preset("operations").await;
    let (org, _, _) = org_with_members(&app).await;
    let first = app
        .get(&events(&org.id, "limit=2"), &org.owner.token)
        .await
        .expect(200);
    assert_eq!(seqs(&first), [1, 2]);
    assert_eq!(first["after"], 2);
    let rest = app
        .get(&events(&org.id, "after=2&limit=1000"), &org.owner.token)
        .await
        .expect(200);
    let rest_seqs = seqs(&rest);
    assert!(rest_seqs.len() >= 2, "{rest}");
    assert!(rest_seqs.windows(2).all(|w| w[1] == w[0] + 1) && rest_seqs[0] == 3);
    // Each event carries what its hash covers, and the chain links.
    let all: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .collect();
    let mut prev = "0".repeat(64);
    for event in all {
        assert_eq!(event["org_id"], org.id.as_str());
        assert_eq!(event["prev_hash"], prev.as_str());
        assert_eq!(event["hash"].as_str().unwrap(), hash_of(event), "{event}");
        prev = event["hash"].as_str().unwrap().to_string();
    }
    // Nothing after the last: an empty page with the same `after`.
    let last = *rest_seqs.last().unwrap();
    let empty = app
        .get(&events(&org.id, &format!("after={last}")), &org.owner.token)
        .await
        .expect(200);
    assert_eq!(empty, json!({"items": [], "after": last}));
    app.get(&events(&org.id, "after=-1"), &org.owner.token)
        .await
        .refused(400, "after");
    app.get(&events(&org.id, "wait=31"), &org.owner.token)
        .await
        .refused(400, "wait");
}

#[tokio::test]
async fn a_long_poll_wakes_on_a_change_and_answers_empty_when_its_time_is_up() {
    let app = spawn_preset("operations").await;
    let (org, _, vic) = org_with_members(&app).await;
    let last = head(&app, &org).await;
    let started = Instant::now();
    let idle = app
        .get(
            &events(&org.id, &format!("after={last}&wait=1")),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(idle, json!({"items": [], "after": last}));
    assert!(started.elapsed() >= Duration::from_millis(950));

    let url = app.url(&events(&org.id, &format!("after={last}&wait=20")));
    let poll = app.http.get(url).bearer_auth(&org.owner.token).send();
    let poll = tokio::spawn(async move {
        let answer: Value = poll.await.unwrap().json().await.unwrap();
        (answer, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let changed = Instant::now();
    app.set_role(&org.id, &org.owner, &vic, "operator")
        .await
        .expect(200);
    let (page, woke) = poll.await.unwrap();
    assert_eq!(seqs(&page), [last + 1], "{page}");
    assert_eq!(page["items"][0]["type"], "user.role_changed");
    assert!(
        woke.duration_since(changed) < Duration::from_secs(5),
        "woken by the change, not the timeout"
    );
}

/// Reads Server-Sent Events from `response` until `count` events came: their
/// ids and data.
async fn read_events(response: &mut reqwest::Response, count: usize) -> Vec<(i64, Value)> {
    let mut text = String::new();
    let mut seen = Vec::new();
    while seen.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream goes on");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let message: String = text.drain(..end + 2).collect();
            let mut id = None;
            let mut data = None;
            for line in message.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().parse::<i64>().unwrap());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = Some(serde_json::from_str::<Value>(v.trim()).unwrap());
                }
            }
            if let (Some(id), Some(data)) = (id, data) {
                seen.push((id, data));
            }
        }
    }
    seen
}

async fn stream(
    app: &TestApp,
    org: &str,
    token: &str,
    last_event_id: Option<i64>,
) -> reqwest::Response {
    let mut req = app
        .http
        .get(app.url(&format!("/api/v1/orgs/{org}/events")))
        .bearer_auth(token)
        .header("accept", "text/event-stream");
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id.to_string());
    }
    let response = req.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    response
}

#[tokio::test]
async fn a_stream_delivers_a_change_and_resumes_after_the_last_event_id() {
    let app = spawn_preset("operations").await;
    let (org, _, vic) = org_with_members(&app).await;
    let last = head(&app, &org).await;
    let mut sse = stream(&app, &org.id, &org.owner.token, None).await;
    let backlog = read_events(&mut sse, last as usize).await;
    assert_eq!(
        backlog.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        (1..=last).collect::<Vec<_>>()
    );
    app.set_role(&org.id, &org.owner, &vic, "operator")
        .await
        .expect(200);
    let live = read_events(&mut sse, 1).await;
    assert_eq!(live[0].0, last + 1);
    assert_eq!(live[0].1["type"], "user.role_changed");
    assert_eq!(live[0].1["hash"].as_str().unwrap(), hash_of(&live[0].1));
    drop(sse);

    // Disconnected, two changes happen; reconnecting with the last id seen
    // gives exactly those.
    app.set_role(&org.id, &org.owner, &vic, "viewer")
        .await
        .expect(200);
    app.set_role(&org.id, &org.owner, &vic, "operator")
        .await
        .expect(200);
    let mut again = stream(&app, &org.id, &org.owner.token, Some(last + 1)).await;
    let resumed = read_events(&mut again, 2).await;
    assert_eq!(
        resumed.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [last + 2, last + 3]
    );
}

async fn key_with(app: &TestApp, org: &Org, permissions: &[&str]) -> String {
    let body = app
        .post(
            &format!("/api/v1/orgs/{}/api-keys", org.id),
            &org.owner.token,
            json!({"name": "feed", "permissions": permissions}),
        )
        .await
        .expect(201);
    body["key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_api_key_follows_the_feed_only_with_the_events_permission() {
    let app = spawn_preset("operations").await;
    let (org, _, _) = org_with_members(&app).await;
    let reader = key_with(&app, &org, &["check", "read"]).await;
    let denied = app.get(&events(&org.id, ""), &reader).await;
    denied.refused(403, "not_permitted");
    assert!(
        denied.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("events permission"),
        "{}",
        denied.body
    );
    let follower = key_with(&app, &org, &["events"]).await;
    let page = app.get(&events(&org.id, ""), &follower).await.expect(200);
    assert_eq!(seqs(&page)[0], 1);
    // The stream is refused before it begins, in the API's error shape.
    let refused = app
        .http
        .get(app.url(&events(&org.id, "")))
        .bearer_auth(&reader)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn a_member_who_may_not_read_the_audit_log_may_not_follow_the_feed() {
    let app = spawn_preset("operations").await;
    let (org, ann, vic) = org_with_members(&app).await;
    app.get(&events(&org.id, ""), &vic.token)
        .await
        .refused(403, "not_permitted");
    app.get(&format!("/api/v1/orgs/{}/audit", org.id), &vic.token)
        .await
        .refused(403, "not_permitted");
    app.get(&events(&org.id, ""), &ann.token).await.expect(200);
}

#[tokio::test]
async fn a_stream_ends_when_the_node_shuts_down() {
    let app = spawn_preset("operations").await;
    let (org, _, _) = org_with_members(&app).await;
    let last = head(&app, &org).await;
    let mut sse = stream(&app, &org.id, &org.owner.token, Some(last)).await;
    app.app.service().close();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while sse.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(end.is_ok(), "the stream ended");
}

#[tokio::test]
async fn on_postgresql_a_change_on_one_node_wakes_a_feed_on_the_other() {
    let app = spawn_preset("operations").await;
    let Some(url) = app.postgres_url() else {
        eprintln!("not on PostgreSQL (STEWARD_TEST_API_BACKEND=postgres): not run");
        return;
    };
    let (org, _, vic) = org_with_members(&app).await;
    let other = spawn_node_on(
        &url,
        steward_core::Policy::preset("operations").unwrap(),
        None,
    )
    .await;
    other
        .app
        .service()
        .spawn_change_listener()
        .await
        .unwrap()
        .expect("a listener on PostgreSQL");
    let owner_there = other.login("olivia@acme.test").await;
    let last = head(&app, &org).await;
    let mut sse = stream(&other, &org.id, &owner_there.token, Some(last)).await;
    let poll_url = other.url(&events(&org.id, &format!("after={last}&wait=20")));
    let poll = other
        .http
        .get(poll_url)
        .bearer_auth(&owner_there.token)
        .send();
    let poll = tokio::spawn(async move { poll.await.unwrap().json::<Value>().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.set_role(&org.id, &org.owner, &vic, "operator")
        .await
        .expect(200);
    let page = tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the long-poll on the other node wakes")
        .unwrap();
    assert_eq!(seqs(&page), [last + 1]);
    let live = read_events(&mut sse, 1).await;
    assert_eq!(live[0].0, last + 1);
}

#[tokio::test]
async fn a_member_demoted_while_following_stops_receiving() {
    let app = spawn_preset("operations").await;
    let (org, ann, vic) = org_with_members(&app).await;
    let last = head(&app, &org).await;
    let mut sse = stream(&app, &org.id, &ann.token, Some(last)).await;
    app.set_role(&org.id, &org.owner, &vic, "operator")
        .await
        .expect(200);
    assert_eq!(read_events(&mut sse, 1).await[0].0, last + 1);
    app.set_role(&org.id, &org.owner, &ann, "viewer")
        .await
        .expect(200);
    app.set_role(&org.id, &org.owner, &vic, "viewer")
        .await
        .expect(200);
    let mut after_demotion = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = sse.chunk().await.unwrap() {
            after_demotion.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    assert!(!after_demotion.contains("id:"), "{after_demotion}");
}

#[tokio::test]
async fn the_binary_ends_open_streams_and_long_polls_when_asked_to_stop() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let mut node = serve(&db, &["--policy", "operations"]).unwrap();
    let http = reqwest::Client::new();
    let signup: serde_json::Value = http
        .post(format!("{}/api/v1/signup", node.url))
        .json(&json!({"email": "owner@acme.test", "name": "Owner", "password": PASSWORD, "org_name": "Acme"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org = signup["org"]["id"].as_str().unwrap().to_string();
    let proof = node.mailed_link("owner@acme.test", "/verify-email/").await;
    let proved: serde_json::Value = http
        .post(format!(
            "{}/api/v1/auth/verify-email/{}",
            node.url,
            proof.trim_start_matches("/verify-email/")
        ))
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = proved["access_token"].as_str().unwrap().to_string();
    let mut stream = http
        .get(format!("{}/api/v1/orgs/{org}/events", node.url))
        .bearer_auth(&token)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    // The backlog first: the organization's creation.
    let first = stream.chunk().await.unwrap().unwrap();
    assert!(
        String::from_utf8_lossy(&first).contains("id: 1"),
        "{first:?}"
    );
    let long_poll = http
        .get(format!(
            "{}/api/v1/orgs/{org}/events?after=1000&wait=30",
            node.url
        ))
        .bearer_auth(&token)
        .send();
    let long_poll = tokio::spawn(long_poll);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let stopping = std::time::Instant::now();
    let term = Command::new("kill")
        .args(["-TERM", &node.child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while stream.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    let answer = long_poll.await.unwrap().unwrap();
    assert_eq!(answer.status(), 200, "the long-poll answered, empty");
    let status = node.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        stopping.elapsed() < std::time::Duration::from_secs(10),
        "stopped in {:?}",
        stopping.elapsed()
    );
}
