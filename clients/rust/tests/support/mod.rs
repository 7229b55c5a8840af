//! A live Steward for the client's tests: in-process, on a random port, on a
//! fresh SQLite file, with an organization (Acme), its owner signed in, an API
//! key and a site; and the owner's calls that change it.

#![allow(dead_code)] // each test binary uses its own part

use serde_json::{json, Value};
use steward::application::{Application, Settings};
use steward::service::Service;
use steward::store::Store;
use steward_core::Policy;

pub struct Live {
    pub url: String,
    pub org: String,
    pub owner: String,
    /// The owner's access token.
    pub token: String,
    pub key: String,
    pub site: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// A user id nobody has: a member of no organization.
pub const STRANGER: &str = "usr_00000000000000000000000000";

const PASSWORD: &str = "correct horse battery staple";

/// Steward with Acme; the key has `key_permissions`.
pub async fn live_steward(key_permissions: &[&str]) -> Live {
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

    let mut live = Live {
        url,
        org: String::new(),
        owner: String::new(),
        token: String::new(),
        key: String::new(),
        site: String::new(),
        http: reqwest::Client::new(),
        _dir: dir,
    };
    let signup = live
        .call(
            reqwest::Method::POST,
            "/api/v1/signup",
            json!({"email": "owner@acme.test", "name": "Owner", "password": PASSWORD, "org_name": "Acme"}),
        )
        .await;
    live.org = signup["org"]["id"].as_str().unwrap().to_string();
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
    let login = live
        .post(
            &format!("/api/v1/auth/verify-email/{link}"),
            json!({"password": PASSWORD}),
        )
        .await;
    live.token = login["access_token"].as_str().unwrap().to_string();
    let me = live
        .call(reqwest::Method::GET, "/api/v1/me", Value::Null)
        .await;
    live.owner = me["account"]["id"].as_str().unwrap().to_string();
    let org = live.org.clone();
    live.key = live
        .post(
            &format!("/api/v1/orgs/{org}/api-keys"),
            json!({"name": "back-end", "permissions": key_permissions}),
        )
        .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    live.site = live.create_site("North").await;
    live
}

impl Live {
    /// The owner's call; panics unless it succeeds. `Null`: no body.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        if !body.is_null() {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, body).await
    }

    pub async fn create_site(&self, name: &str) -> String {
        let path = format!("/api/v1/orgs/{}/objects", self.org);
        self.post(&path, json!({"type": "site", "name": name}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Invites `email` with `role` and accepts as a new account: their user id.
    pub async fn join(&self, email: &str, role: &str) -> String {
        let path = format!("/api/v1/orgs/{}/invitations", self.org);
        let invitation = self
            .post(&path, json!({"email": email, "role": role}))
            .await;
        let token = invitation["token"].as_str().unwrap();
        let member = self
            .http
            .post(format!("{}/api/v1/invitations/{token}/accept", self.url))
            .json(&json!({"name": "Member", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        member["user_id"].as_str().unwrap().to_string()
    }

    pub async fn set_role(&self, user: &str, role: &str) {
        let path = format!("/api/v1/orgs/{}/members/{user}", self.org);
        self.call(reqwest::Method::PATCH, &path, json!({"role": role}))
            .await;
    }

    pub async fn set_scope_roles(&self, user: &str, object: &str, roles: &[&str]) {
        let path = format!("/api/v1/orgs/{}/members/{user}/scopes/{object}", self.org);
        self.call(reqwest::Method::PUT, &path, json!({"roles": roles}))
            .await;
    }

    pub async fn remove(&self, user: &str) {
        let path = format!("/api/v1/orgs/{}/members/{user}", self.org);
        self.call(reqwest::Method::DELETE, &path, Value::Null).await;
    }
}
