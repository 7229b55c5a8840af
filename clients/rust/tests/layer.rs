//! The client and the layer against a live Steward (in-process, on a random port,
//! on a fresh SQLite file): a tiny axum service of "the customer" protects a
//! route with `RequirePermission` and answers 403 with Steward's reason.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};
use steward::application::{Application, Settings};
use steward::service::Service;
use steward::store::Store;
use steward_client::{
    from_header, from_path, Decision, Question, RequirePermission, Steward, UserId,
};
use steward_core::Policy;

struct Live {
    url: String,
    org: String,
    owner: String,
    key: String,
    site: String,
    _dir: tempfile::TempDir,
}

async fn live_steward() -> Live {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("steward.db").display());
    let store = Store::open(&db).await.unwrap();
    let service = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let settings = Settings {
        signup: true,
        public_url: url.clone(),
        token_audience: steward::auth::DEFAULT_TOKEN_AUDIENCE.into(),
    };
    let app = Application::open(service, settings).await.unwrap();
    // No courier runs here: mails stay in the outbox, where the owner's address
    // link is read.
    let outbox = app.service().store().clone();
    tokio::spawn(steward::app::serve(app, listener, std::future::pending()));

    let http = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = http.post(format!("{url}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let password = "correct horse battery staple";
    let signup = post(
        "/api/v1/signup",
        None,
        json!({"email": "owner@acme.test", "name": "Owner", "password": password, "org_name": "Acme"}),
    )
    .await;
    let org = signup["org"]["id"].as_str().unwrap().to_string();
    // A new account proves its address (the mailed link and its password)
    // before it signs in; that answers as a login does.
    let letters = outbox.pending_mail_to("owner@acme.test").await.unwrap();
    let link = letters
        .iter()
        .find_map(|l| {
            let at = l.text.find("/verify-email/")? + "/verify-email/".len();
            let end = l.text[at..]
                .find(char::is_whitespace)
                .map_or(l.text.len(), |n| at + n);
            Some(l.text[at..end].to_string())
        })
        .unwrap();
    let login = post(
        &format!("/api/v1/auth/verify-email/{link}"),
        None,
        json!({"password": password}),
    )
    .await;
    let token = login["access_token"].as_str().unwrap().to_string();
    let me: Value = http
        .get(format!("{url}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owner = me["account"]["id"].as_str().unwrap().to_string();
    let key = post(
        &format!("/api/v1/orgs/{org}/api-keys"),
        Some(&token),
        json!({"name": "back-end", "permissions": ["check"]}),
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let site = post(
        &format!("/api/v1/orgs/{org}/objects"),
        Some(&token),
        json!({"type": "site", "name": "North"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    Live {
        url,
        org,
        owner,
        key,
        site,
        _dir: dir,
    }
}

/// A user id nobody has: a member of no organization.
const STRANGER: &str = "usr_00000000000000000000000000";

#[tokio::test]
async fn the_client_asks_one_question_and_a_batch() {
    let live = live_steward().await;
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
    let live = live_steward().await;
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
    let live = live_steward().await;
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
    let live = live_steward().await;
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
