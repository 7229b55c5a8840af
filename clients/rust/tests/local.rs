//! The local copy (feature `local`) against a live Steward: it answers as the
//! server does, follows changes made through the API within its staleness
//! bound, and answers by the server when it has a gap in the feed or has not
//! heard from the server for longer than the bound. A small proxy between the
//! copy and Steward drops or holds back the feed's pages to make those happen.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward_client::{
    from_path, Answered, LocalCopy, Question, RequirePermission, Steward, DEFAULT_STALENESS_BOUND,
};

mod support;
use support::{live_steward, Live, STRANGER};

const FEED: &[&str] = &["check", "events"];

async fn copy_of(live: &Live) -> LocalCopy {
    LocalCopy::load(Steward::new(&live.url, &live.org, &live.key))
        .await
        .unwrap()
}

/// Asks the copy alone until `done` holds of its answer, at most `within`;
/// how long that took.
async fn until(
    copy: &LocalCopy,
    question: (&str, &str, &str),
    within: Duration,
    done: impl Fn(Option<bool>) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let answer = copy.check_here(question.0, question.1, question.2);
        if done(answer) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "the copy still answers {answer:?} for {question:?} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn the_copy_answers_every_question_as_the_server_does() {
    let live = live_steward(FEED).await;
    let south = live.create_site("South").await;
    let ann = live.join("ann@acme.test", "admin").await;
    let oli = live.join("oli@acme.test", "operator").await;
    let vic = live.join("vic@acme.test", "viewer").await;
    live.set_scope_roles(&vic, &live.site, &["operator"]).await;
    let val = live.join("val@acme.test", "viewer").await;
    let copy = copy_of(&live).await;
    let steward = Steward::new(&live.url, &live.org, &live.key);

    let policy = steward_core::Policy::preset("operations").unwrap();
    let mut actions: Vec<&str> = policy.actions.iter().map(|a| a.name.as_str()).collect();
    actions.push("site:fly");
    let users = [&live.owner, &ann, &oli, &vic, &val, STRANGER, "nobody"];
    let objects = [
        live.site.as_str(),
        south.as_str(),
        live.org.as_str(),
        "site_00000000000000000000000000",
        "nothing",
    ];
    let mut questions = Vec::new();
    for user in users {
        for action in &actions {
            for object in objects {
                questions.push(Question::new(user, *action, object));
            }
        }
    }
    let server = steward.check_batch(&questions).await.unwrap();
    let mut reason = String::new();
    for (question, by_server) in questions.iter().zip(&server) {
        let here = copy.check_here_with_reason(
            &question.user_id,
            &question.action,
            &question.object_id,
            &mut reason,
        );
        assert_eq!(here, Some(by_server.allowed), "{question:?}");
        assert_eq!(reason, by_server.reason, "{question:?}");
    }
    assert_eq!(copy.counts().answered_by_server, 0);
}

#[tokio::test]
async fn a_role_changed_through_the_api_reaches_the_copy_within_the_bound() {
    let live = live_steward(FEED).await;
    let vic = live.join("vic@acme.test", "viewer").await;
    let copy = copy_of(&live).await;
    let operate = (vic.as_str(), "site:operate", live.site.as_str());
    assert_eq!(
        copy.check_here(operate.0, operate.1, operate.2),
        Some(false)
    );

    live.set_role(&vic, "operator").await;
    let took = until(&copy, operate, DEFAULT_STALENESS_BOUND, |a| a == Some(true)).await;
    assert!(took < DEFAULT_STALENESS_BOUND, "{took:?}");
    let answer = copy
        .check(&Question::new(operate.0, operate.1, operate.2))
        .await
        .unwrap();
    assert_eq!(answer.answered, Answered::Locally);
    assert_eq!(
        answer.decision.reason,
        format!("role:operator@{}", live.org)
    );
    assert!(copy.counts().events_applied >= 1);
}

#[tokio::test]
async fn a_removed_member_is_denied_by_the_copy() {
    let live = live_steward(FEED).await;
    let ann = live.join("ann@acme.test", "operator").await;
    let copy = copy_of(&live).await;
    let view = (ann.as_str(), "site:view", live.site.as_str());
    assert_eq!(copy.check_here(view.0, view.1, view.2), Some(true));

    live.remove(&ann).await;
    until(&copy, view, DEFAULT_STALENESS_BOUND, |a| a == Some(false)).await;
    let mut reason = String::new();
    copy.check_here_with_reason(view.0, view.1, view.2, &mut reason);
    assert_eq!(reason, "not_a_member");
}

#[tokio::test]
async fn the_layer_can_ask_the_copy() {
    let live = live_steward(FEED).await;
    let copy = copy_of(&live).await;
    let app = Router::new()
        .route("/sites/{id}", get(|| async { "seen" }))
        .route_layer(
            RequirePermission::new("site:view", from_path("id"))
                .user(steward_client::from_header("x-user-id"))
                .with_client(copy.clone()),
        );
    let customer = serve(app).await;
    let http = reqwest::Client::new();
    let at = format!("{customer}/sites/{}", live.site);
    let owner = http.get(&at).header("x-user-id", &live.owner);
    assert_eq!(owner.send().await.unwrap().status(), 200);
    let stranger = http.get(&at).header("x-user-id", STRANGER);
    let refused = stranger.send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["reason"], "not_a_member");
    assert_eq!(copy.counts().answered_by_server, 0);
}

#[tokio::test]
async fn a_gap_in_the_feed_reloads_the_copy() {
    let live = live_steward(FEED).await;
    let vic = live.join("vic@acme.test", "viewer").await;
    let proxy = Tamper::between(&live).await;
    let copy = LocalCopy::load(Steward::new(&proxy.url, &live.org, &live.key))
        .await
        .unwrap();
    assert_eq!(copy.counts().loads, 1);

    // The next event the copy reads says it comes one later than it does.
    proxy.skip_seq.store(true, Ordering::SeqCst);
    live.set_role(&vic, "operator").await;
    let operate = (vic.as_str(), "site:operate", live.site.as_str());
    until(&copy, operate, Duration::from_secs(10), |a| a == Some(true)).await;
    let counts = copy.counts();
    assert_eq!(counts.gaps, 1, "{counts:?}");
    assert_eq!(counts.loads, 2, "{counts:?}");
}

#[tokio::test]
async fn a_copy_past_its_bound_asks_the_server_until_it_hears_again() {
    let live = live_steward(FEED).await;
    let vic = live.join("vic@acme.test", "viewer").await;
    let proxy = Tamper::between(&live).await;
    let copy = LocalCopy::load(Steward::new(&proxy.url, &live.org, &live.key))
        .await
        .unwrap();
    let operate = Question::new(&vic, "site:operate", &live.site);
    assert_eq!(
        copy.check(&operate).await.unwrap().answered,
        Answered::Locally
    );

    // The feed goes quiet; a change happens meanwhile, which the copy cannot see.
    proxy.stalled.store(true, Ordering::SeqCst);
    live.set_role(&vic, "operator").await;
    let stale = (vic.as_str(), "site:operate", live.site.as_str());
    until(&copy, stale, Duration::from_secs(10), |a| a.is_none()).await;
    assert!(copy.staleness() > DEFAULT_STALENESS_BOUND);
    let answer = copy.check(&operate).await.unwrap();
    assert_eq!(answer.answered, Answered::ByServer);
    assert!(answer.decision.allowed, "the server's answer: {answer:?}");
    assert!(copy.counts().answered_by_server >= 1);

    proxy.stalled.store(false, Ordering::SeqCst);
    until(&copy, stale, Duration::from_secs(10), |a| a == Some(true)).await;
    assert!(copy.is_current());
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A proxy in front of Steward that, on the feed only, adds one to the `seq` of
/// the first event of the next page that has one (`skip_seq`: as if an event
/// were lost on the way) or holds every answer back (`stalled`).
#[derive(Clone)]
struct Tamper {
    url: String,
    upstream: String,
    http: reqwest::Client,
    skip_seq: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
}

impl Tamper {
    async fn between(live: &Live) -> Tamper {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tamper = Tamper {
            url: format!("http://{}", listener.local_addr().unwrap()),
            upstream: live.url.clone(),
            http: reqwest::Client::new(),
            skip_seq: Arc::default(),
            stalled: Arc::default(),
        };
        let app = Router::new().fallback(forward).with_state(tamper.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        tamper
    }
}

async fn forward(State(t): State<Tamper>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or(String::new(), |p| p.as_str().to_string());
    let method = request.method().clone();
    let headers = request.headers().clone();
    let body: Bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut out = t
        .http
        .request(method, format!("{}{path}", t.upstream))
        .body(body);
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE] {
        if let Some(value) = headers.get(&name) {
            out = out.header(name, value);
        }
    }
    let response = out.send().await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let mut text = response.text().await.unwrap();
    if path.contains("/events") {
        while t.stalled.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut page: Value = serde_json::from_str(&text).unwrap();
        if let Some(items) = page["items"].as_array_mut() {
            if !items.is_empty() && t.skip_seq.swap(false, Ordering::SeqCst) {
                let seq = items[0]["seq"].as_i64().unwrap();
                items[0]["seq"] = (seq + 1).into();
                text = page.to_string();
            }
        }
    }
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}
