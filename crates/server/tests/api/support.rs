//! Starts Steward in-process on port 0 against a fresh SQLite database, and speaks
//! to it over HTTP as a client would.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use steward::application::{Application, Settings, SignIn};
use steward::auth::Passwords;
use steward::mail::Transport;
use steward::service::Service;
use steward::store::Store;
use steward_core::Policy;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub app: Application,
    pub http: reqwest::Client,
    _database: Database,
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

/// On SQLite, or on a fresh PostgreSQL database when `STEWARD_TEST_API_BACKEND`
/// is `postgres` (with `STEWARD_TEST_POSTGRES_URL`, as `.ci/run` sets both).
pub async fn spawn_with_signup(policy: Policy, signup: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    if std::env::var("STEWARD_TEST_API_BACKEND").as_deref() == Ok("postgres") {
        let db = PgDatabase::create().await;
        let url = db.url.clone();
        return start(&url, Database::Postgres(db, dir), policy, signup).await;
    }
    spawn_on(dir, policy, signup).await
}

/// A database file in `dir` (which the app keeps alive), maybe made by the CLI.
pub fn database_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("steward.db").display())
}

/// On the SQLite file in `dir`, whatever the backend setting (the CLI's tests
/// share the file with the binary).
pub async fn spawn_on(dir: tempfile::TempDir, policy: Policy, signup: bool) -> TestApp {
    let url = database_url(&dir);
    start(&url, Database::Sqlite(dir), policy, signup).await
}

/// On SQLite, hashing passwords within `passwords`' limits (a test sets the bound
/// to 1 and holds it).
pub async fn spawn_with_passwords(policy: Policy, passwords: Passwords) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(&dir);
    start_with(&url, Database::Sqlite(dir), policy, true, Some(passwords)).await
}

async fn start(url: &str, database: Database, policy: Policy, signup: bool) -> TestApp {
    start_with(url, database, policy, signup, None).await
}

/// With its mail delivered over SMTP to `smtp_url` (a sink the test starts,
/// maybe later), on the backend the settings choose.
pub async fn spawn_with_mail(policy: Policy, smtp_url: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let transport = Transport::smtp(smtp_url, "Steward <steward@steward.test>").unwrap();
    if std::env::var("STEWARD_TEST_API_BACKEND").as_deref() == Ok("postgres") {
        let db = PgDatabase::create().await;
        let url = db.url.clone();
        return start_mailing(&url, Database::Postgres(db, dir), policy, Some(transport)).await;
    }
    let url = database_url(&dir);
    start_mailing(&url, Database::Sqlite(dir), policy, Some(transport)).await
}

/// Another server on the database of `url` (which another test app keeps), as
/// a node restarted on it; with its mail delivered to `smtp_url`, or none.
pub async fn spawn_node_on(url: &str, policy: Policy, smtp_url: Option<&str>) -> TestApp {
    let transport = smtp_url.map(|u| Transport::smtp(u, "Steward <steward@steward.test>").unwrap());
    start_mailing(url, Database::Elsewhere, policy, transport).await
}

async fn start_with(
    url: &str,
    database: Database,
    policy: Policy,
    signup: bool,
    passwords: Option<Passwords>,
) -> TestApp {
    start_full(url, database, policy, signup, passwords, None, None).await
}

async fn start_mailing(
    url: &str,
    database: Database,
    policy: Policy,
    mail: Option<Transport>,
) -> TestApp {
    start_full(url, database, policy, true, None, mail, None).await
}

/// Under a memory limit (`serve --memory-limit`), on either database as
/// `spawn_app`; no shedding task runs: the test drops organizations with
/// `Service::shed`.
pub async fn spawn_holding(policy: Policy, limit: steward::service::MemoryLimit) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let limit = Some(limit);
    if std::env::var("STEWARD_TEST_API_BACKEND").as_deref() == Ok("postgres") {
        let db = PgDatabase::create().await;
        let url = db.url.clone();
        let database = Database::Postgres(db, dir);
        return start_full(&url, database, policy, true, None, None, limit).await;
    }
    let url = database_url(&dir);
    start_full(&url, Database::Sqlite(dir), policy, true, None, None, limit).await
}

/// Without `mail`, no courier runs: the mails stay in the outbox, where
/// `mail_link` reads them (as an operator reads the log).
async fn start_full(
    url: &str,
    database: Database,
    policy: Policy,
    signup: bool,
    passwords: Option<Passwords>,
    mail: Option<Transport>,
    memory_limit: Option<steward::service::MemoryLimit>,
) -> TestApp {
    let store = Store::open(url).await.unwrap();
    let loading = steward::service::Loading {
        memory_limit,
        ..Default::default()
    };
    let service = Service::open_counting(store, policy, &loading)
        .await
        .unwrap();
    // As `serve` does: the CLI's commits on the same file reach this server.
    service
        .spawn_file_watcher(std::time::Duration::from_millis(20))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Settings {
        signup,
        public_url: format!("http://{addr}"),
        token_audience: steward::auth::DEFAULT_TOKEN_AUDIENCE.into(),
    };
    let mut app = Application::open(service, config).await.unwrap();
    if let Some(transport) = mail {
        app.deliver_mail(transport);
    }
    if let Some(passwords) = passwords {
        let sign_in = Arc::new(SignIn {
            signer: app.sign_in.signer.clone(),
            passwords,
            limiter: app.sign_in.limiter.clone(),
        });
        app.unshared().sign_in = sign_in;
    }
    tokio::spawn(steward::app::serve(
        app.clone(),
        listener,
        std::future::pending(),
    ));
    TestApp {
        addr,
        app,
        http: reqwest::Client::new(),
        _database: database,
    }
}

/// What the test's database is, kept until the test ends.
#[allow(dead_code)]
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase, tempfile::TempDir),
    /// Kept by another test app on the same database.
    Elsewhere,
}

/// A PostgreSQL database made for one test and dropped after it.
pub struct PgDatabase {
    url: String,
    admin: String,
    name: String,
}

impl PgDatabase {
    async fn create() -> PgDatabase {
        use sqlx::Connection;
        let admin = std::env::var("STEWARD_TEST_POSTGRES_URL")
            .expect("STEWARD_TEST_API_BACKEND=postgres needs STEWARD_TEST_POSTGRES_URL");
        let name = format!("steward_test_{}", steward::secrets::random_id("api"));
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        PgDatabase {
            url: format!("{base}/{name}"),
            admin,
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // The test's runtime may be gone: drop the database from a thread of its own.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
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
    /// The PostgreSQL database this app made (`None` on SQLite), for a second
    /// node on it.
    pub fn postgres_url(&self) -> Option<String> {
        match &self._database {
            Database::Postgres(db, _) => Some(db.url.clone()),
            _ => None,
        }
    }

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
        self.prove_address(email).await;
        let owner = self.login(email).await;
        Org {
            id: body["org"]["id"].as_str().unwrap().to_string(),
            owner,
        }
    }

    /// `inviter` invites `email` with `role`; the invitee accepts (a new account
    /// choosing its password, or an existing one signed in) and signs in.
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
        let accept = format!(
            "/api/v1/invitations/{}/accept",
            inv["token"].as_str().unwrap()
        );
        let answer = self
            .call(
                Method::POST,
                &accept,
                None,
                Some(json!({"password": PASSWORD})),
            )
            .await;
        if answer.reason() == "sign_in_required" {
            let existing = self.login(email).await;
            self.call(Method::POST, &accept, Some(&existing.token), None)
                .await
                .expect(200);
        } else {
            answer.expect(200);
            // The inviter was shown the link: the new account proves its address.
            self.prove_address(email).await;
        }
        self.login(email).await
    }

    /// The newest link to `path` (`/verify-email/`...) in the mails queued for
    /// `to`: the test reads the outbox as an operator reads the log.
    pub async fn mail_link(&self, to: &str, path: &str) -> Option<String> {
        let letters = self
            .app
            .service()
            .store()
            .pending_mail_to(to)
            .await
            .unwrap();
        letters.iter().rev().find_map(|l| {
            let at = l.text.find(path)?;
            let end = l.text[at..]
                .find(char::is_whitespace)
                .map_or(l.text.len(), |n| at + n);
            Some(l.text[at..end].to_string())
        })
    }

    /// Opens the address link mailed to `email` with the account's password.
    pub async fn prove_address(&self, email: &str) {
        let link = self
            .mail_link(email, "/verify-email/")
            .await
            .unwrap_or_else(|| panic!("no address link was mailed to {email}"));
        let token = link.trim_start_matches("/verify-email/");
        self.call(
            Method::POST,
            &format!("/api/v1/auth/verify-email/{token}"),
            None,
            Some(json!({"password": PASSWORD})),
        )
        .await
        .expect(200);
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

/// The newest `path` link (`/verify-email/...`) a `steward serve` log shows in
/// a mail to `to` (without --smtp-url mails are written there), waiting for the
/// courier to write it.
pub async fn mailed_link_in_log(log: &std::path::Path, to: &str, path: &str) -> String {
    for _ in 0..100 {
        let log = std::fs::read_to_string(log).unwrap();
        let found = log
            .split("mail written to the log")
            .skip(1)
            .filter(|m| {
                m.lines()
                    .next()
                    .unwrap_or("")
                    .contains(&format!(" to={to} "))
            })
            .filter_map(|m| {
                let at = m.find(path)?;
                let end = m[at..]
                    .find(char::is_whitespace)
                    .map_or(m.len(), |n| at + n);
                Some(m[at..end].to_string())
            })
            .last();
        if let Some(link) = found {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail to {to} with a {path} link in the log");
}
