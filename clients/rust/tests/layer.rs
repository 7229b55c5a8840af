//! The client and the layer against a live Steward (in-process, on a random port,
//! on a fresh SQLite file): a tiny axum service of "the customer" protects a
//! route with `RequirePermission` and answers 403 with Steward's reason.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::Value;
use steward_client::{
    from_header, from_path, Decision, Question, RequirePermission, Steward, UserId,
};

mod support;
use support::{live_steward, STRANGER};

#[tokio::test]
async fn the_client_asks_one_question_and_a_batch() {
    let live = live_steward(&["check"]).await;
    let steward = Steward::new(&live.url, &live.org, &live.key);
    let owner = Question::new(&live.owner, "site:configure", &live.site);
    let decision = steward.check(&owner).await.unwrap();
    assert!(decision.allowed, "{decision:?}");
    let stranger = Question::new(STRANGER, "site:configure", &live.site);
    let answers = steward.check_batch(&[owner, stranger]).await.unwrap();
    assert_eq!(
        answers.iter().map(|d| d.allowed).collect::<Vec<_>>(),
        [true, false]
    );
    assert_eq!(answers[1].reason, "not_a_member");
}

#[tokio::test]
async fn a_check_with_a_wrong_key_is_an_error_not_a_denial() {
    let live = live_steward(&["check"]).await;
    let steward = Steward::new(&live.url, &live.org, "stw_key_wrong");
    let question = Question::new(&live.owner, "site:configure", &live.site);
    match steward.check(&question).await {
        Err(steward_client::Error::Refused { status, .. }) => assert_eq!(status, 401),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The customer's authentication: here, a header the test sets, put into the
/// `UserId` extension as a real session middleware would.
async fn sign_in(mut request: Request, next: Next) -> axum::response::Response {
    if let Some(user) = request.headers().get("x-test-user") {
        let user = UserId(user.to_str().unwrap().to_string());
        request.extensions_mut().insert(user);
    }
    next.run(request).await
}

async fn configure(Extension(decision): Extension<Decision>) -> String {
    format!("configured ({})", decision.reason)
}

async fn serve_customer(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn the_layer_lets_a_permitted_caller_through_and_answers_403_with_the_reason() {
    let live = live_steward(&["check"]).await;
    let steward = Steward::new(&live.url, &live.org, &live.key);
    let app = Router::new()
        .route("/sites/{id}/configure", get(configure))
        .route_layer(RequirePermission::new("site:configure", from_path("id")).with_client(steward))
        .layer(middleware::from_fn(sign_in));
    let customer = serve_customer(app).await;
    let http = reqwest::Client::new();
    let at = format!("{customer}/sites/{}/configure", live.site);

    let owner = http
        .get(&at)
        .header("x-test-user", &live.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status(), 200);
    assert_eq!(owner.text().await.unwrap(), "configured (owner)");

    let stranger = http
        .get(&at)
        .header("x-test-user", STRANGER)
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 403);
    let body: Value = stranger.json().await.unwrap();
    assert_eq!(body["error"]["reason"], "not_a_member", "{body}");

    let nobody = http.get(&at).send().await.unwrap();
    assert_eq!(nobody.status(), 401);
}

#[tokio::test]
async fn the_layer_takes_the_client_from_an_extension_and_the_user_from_a_header() {
    let live = live_steward(&["check"]).await;
    let steward = Steward::new(&live.url, &live.org, &live.key);
    let app = Router::new()
        .route("/sites/{id}", get(|| async { "seen" }))
        .route_layer(
            RequirePermission::new("site:view", from_path("id")).user(from_header("x-user-id")),
        )
        .layer(Extension(steward));
    let customer = serve_customer(app).await;
    let http = reqwest::Client::new();
    let at = format!("{customer}/sites/{}", live.site);
    let owner = http
        .get(&at)
        .header("x-user-id", &live.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status(), 200);
    let unknown_site = format!("{customer}/sites/site_00000000000000000000000000");
    let refused = http
        .get(&unknown_site)
        .header("x-user-id", &live.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}
