//! Starts Steward in-process on port 0 against a fresh SQLite database, and speaks
//! to it over HTTP as a client would.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use steward::http::{AppState, HttpConfig};
use steward::service::Service;
use steward::store::Store;
use steward_core::Policy;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub app: AppState,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// One HTTP answer: its status and JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The `reason` of an error answer.
    pub fn reason(&self) -> &str {
        self.body["error"]["reason"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "answer: {}", self.body);
        self.body
    }

    #[track_caller]
    pub fn refused(&self, status: u16, reason: &str) {
        assert_eq!(
            (self.status.as_u16(), self.reason()),
            (status, reason),
            "answer: {}",
            self.body
        );
    }
}

pub async fn spawn_app(policy: Policy) -> TestApp {
    spawn_with_signup(policy, true).await
}

pub async fn spawn_with_signup(policy: Policy, signup: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    spawn_on(dir, policy, signup).await
}

/// A database file in `dir` (which the app keeps alive), maybe made by the CLI.
pub fn database_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("steward.db").display())
}

pub async fn spawn_on(dir: tempfile::TempDir, policy: Policy, signup: bool) -> TestApp {
    let url = database_url(&dir);
    let store = Store::open(&url).await.unwrap();
    let service = Service::open(store, policy).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = HttpConfig {
        signup,
        public_url: format!("http://{addr}"),
    };
    let app = AppState::new(service, config).await.unwrap();
    tokio::spawn(steward::http::serve(
        app.clone(),
        listener,
        std::future::pending(),
    ));
    TestApp {
        addr,
        app,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

pub async fn spawn_preset(name: &str) -> TestApp {
    spawn_app(Policy::preset(name).unwrap()).await
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
    pub refresh: String,
}

/// An organization and its owner.
pub struct Org {
    pub id: String,
    pub owner: User,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let response = req.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer { status, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login(&self, email: &str) -> User {
        let body = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await
            .expect(200);
        let token = body["access_token"].as_str().unwrap().to_string();
        let me = self.get("/api/v1/me", &token).await.expect(200);
        User {
            id: me["account"]["id"].as_str().unwrap().to_string(),
            token,
            refresh: body["refresh_token"].as_str().unwrap().to_string(),
        }
    }

    /// Signs `email` up with a new organization they own.
    pub async fn signup(&self, email: &str, org_name: &str) -> Org {
        let body = self
            .call(
                Method::POST,
                "/api/v1/signup",
                None,
                Some(json!({"email": email, "name": email.split('@').next().unwrap(), "password": PASSWORD, "org_name": org_name})),
            )
            .await
            .expect(201);
        let owner = self.login(email).await;
        Org {
            id: body["org"]["id"].as_str().unwrap().to_string(),
            owner,
        }
    }

    /// `inviter` invites `email` with `role`; the invitee accepts (a new account,
    /// or an existing one proving its password) and signs in.
    pub async fn join(&self, org: &str, inviter: &User, email: &str, role: Option<&str>) -> User {
        let mut invite = json!({"email": email, "name": email.split('@').next().unwrap()});
        if let Some(r) = role {
            invite["role"] = json!(r);
        }
        let inv = self
            .post(
                &format!("/api/v1/orgs/{org}/invitations"),
                &inviter.token,
                invite,
            )
            .await
            .expect(201);
        let token = inv["token"].as_str().unwrap();
        self.call(
            Method::POST,
            &format!("/api/v1/invitations/{token}/accept"),
            None,
            Some(json!({"password": PASSWORD})),
        )
        .await
        .expect(200);
        self.login(email).await
    }

    pub async fn role_of(&self, org: &str, viewer: &User, user: &User) -> String {
        let m = self
            .get(
                &format!("/api/v1/orgs/{org}/members/{}", user.id),
                &viewer.token,
            )
            .await
            .expect(200);
        m["role"].as_str().unwrap().to_string()
    }

    pub async fn set_role(&self, org: &str, actor: &User, user: &User, role: &str) -> Answer {
        self.patch(
            &format!("/api/v1/orgs/{org}/members/{}", user.id),
            &actor.token,
            json!({"role": role}),
        )
        .await
    }

    /// Makes an API key with `check` and `read` for the organization.
    pub async fn api_key(&self, org: &str, admin: &User) -> String {
        let body = self
            .post(
                &format!("/api/v1/orgs/{org}/api-keys"),
                &admin.token,
                json!({"name": "back-end", "permissions": ["check", "read"]}),
            )
            .await
            .expect(201);
        body["key"].as_str().unwrap().to_string()
    }

    pub async fn check(
        &self,
        org: &str,
        token: &str,
        user: &str,
        action: &str,
        object: &str,
    ) -> Value {
        self.post(
            &format!("/api/v1/orgs/{org}/check"),
            token,
            json!({"user_id": user, "action": action, "object_id": object}),
        )
        .await
        .expect(200)
    }
}

/// The claims of an access token, read without verifying (as a product would
/// after checking the signature with the JWKS).
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
