//! Fresh databases for the storage tests: an SQLite file in a temporary folder, or
//! a PostgreSQL database created for the test and dropped after it (the server
//! named by `STEWARD_TEST_POSTGRES_URL`).
#![allow(dead_code)]

use sqlx::{Connection, PgConnection};
use std::collections::BTreeMap;
use steward::service::{Service, ServiceError};
use steward::store::Store;
use steward_core::{
    Actor, Command, Email, Event, InvitationId, Name, NominationId, ObjectId, OrgId, Policy,
    ScopeRoles, State, Timestamp, UserId,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const POSTGRES_URL_VAR: &str = "STEWARD_TEST_POSTGRES_URL";

/// Runs each listed `async fn name(Backend)` once per backend: `sqlite::name` and
/// `postgres::name`. The same functions, so both stores answer to one suite.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if $crate::support::postgres_admin_url().is_none() {
                        eprintln!("{} is not set: PostgreSQL test not run", $crate::support::POSTGRES_URL_VAR);
                        return;
                    }
                    super::$name($crate::support::Backend::Postgres).await
                }
            )*
        }
    };
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|s| !s.is_empty())
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("steward.db").display());
                TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("the PostgreSQL suite needs its URL");
                let name = format!("steward_test_{}", steward::secrets::random_id("db"));
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin} does not answer: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                TestDb {
                    url: database_url(&admin, &name),
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub async fn store(&self) -> Store {
        Store::open(&self.url).await.unwrap()
    }

    /// A service (a node) on this database.
    pub async fn service(&self, policy: Policy) -> Service {
        Service::open(self.store().await, policy).await.unwrap()
    }
}

/// The admin URL with its database name replaced.
pub fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(name), Some(admin)) = (self.pg_name.take(), postgres_admin_url()) else {
            return;
        };
        // Drop runs inside the test's runtime; a thread with its own does the async work.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join()
        .ok();
    }
}

pub const DAY: i64 = 86_400;

pub fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}
pub fn oid(s: &str) -> ObjectId {
    ObjectId::parse(s).unwrap()
}
pub fn email_of(user: &str) -> Email {
    Email::parse(&format!("{user}@acme.test")).unwrap()
}
pub fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}
pub fn actor(s: &str) -> Actor {
    Actor::User(uid(s))
}

/// An organization on a service, created by "owner".
pub struct TestOrg {
    pub svc: Service,
    pub org: OrgId,
}

impl TestOrg {
    pub async fn create(svc: &Service, id: &str) -> TestOrg {
        let org = OrgId::parse(id).unwrap();
        svc.create_organization(
            &actor("owner"),
            Command::CreateOrganization {
                org_id: org.clone(),
                name: name("Acme"),
                owner_id: uid("owner"),
                owner_email: email_of("owner"),
                owner_name: name("Olive Owner"),
            },
        )
        .await
        .unwrap();
        TestOrg {
            svc: svc.clone(),
            org,
        }
    }

    /// The same organization as seen through another node.
    pub fn on(&self, svc: &Service) -> TestOrg {
        TestOrg {
            svc: svc.clone(),
            org: self.org.clone(),
        }
    }

    pub async fn run(&self, by: &str, command: Command) -> Result<Vec<Event>, ServiceError> {
        self.svc.execute(&self.org, &actor(by), command).await
    }

    /// "ok", or the refusal's API reason.
    pub async fn outcome(&self, by: &str, command: Command) -> String {
        match self.run(by, command).await {
            Ok(_) => "ok".into(),
            Err(ServiceError::Refused(r)) => r.reason().into(),
            Err(e) => panic!("store failed: {e}"),
        }
    }

    pub async fn add(&self, user: &str, role: &str) {
        self.add_with_scopes(user, role, vec![]).await
    }

    pub async fn add_with_scopes(&self, user: &str, role: &str, scopes: Vec<ScopeRoles>) {
        let invitation_id = InvitationId::parse(&format!("inv-{user}")).unwrap();
        let now = self.svc.clock().now();
        self.run(
            "owner",
            Command::Invite {
                invitation_id: invitation_id.clone(),
                email: email_of(user),
                name: None,
                role: Some(role.into()),
                scopes,
                expires_at: Timestamp(now.0 + 7 * DAY),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("inviting {user}: {e}"));
        self.run(
            user,
            Command::Join {
                invitation_id,
                user_id: uid(user),
                name: Some(name(&format!("{user} name"))),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{user} joining: {e}"));
    }

    pub async fn change_role(&self, by: &str, user: &str, role: &str) -> String {
        self.outcome(
            by,
            Command::ChangeRole {
                user_id: uid(user),
                role: role.into(),
            },
        )
        .await
    }

    pub async fn nominate(&self, by: &str, to: &str) -> String {
        self.outcome(
            by,
            Command::NominateOwner {
                nomination_id: NominationId::parse(&format!("nom-{to}")).unwrap(),
                to_user: uid(to),
            },
        )
        .await
    }

    pub async fn create_object(&self, by: &str, id: &str, ty: &str, parent: Option<&str>) {
        self.run(
            by,
            Command::CreateObject {
                object_id: oid(id),
                object_type: ty.into(),
                name: name(id),
                parent_id: parent.map(oid),
                owner_id: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("creating {id}: {e}"));
    }

    /// The state held in memory.
    pub async fn state(&self) -> State {
        self.svc.read(&self.org, State::clone).await.unwrap()
    }

    pub async fn role_of(&self, user: &str) -> Option<String> {
        let user = uid(user);
        self.svc
            .read(&self.org, |s| s.member(&user).map(|m| m.role.to_string()))
            .await
            .unwrap()
    }

    pub async fn owner_count(&self) -> usize {
        let policy = self.svc.policy().clone();
        self.svc
            .read(&self.org, |s| s.owner_count(&policy))
            .await
            .unwrap()
    }

    /// Every stored event of the organization, oldest first.
    pub async fn stored_events(&self) -> Vec<Event> {
        self.svc.store().events_after(&self.org, 0).await.unwrap().0
    }
}

/// Every row of every table, as text, so two moments of a database compare.
pub async fn dump(store: &Store) -> BTreeMap<&'static str, Vec<String>> {
    const TABLES: &[(&str, &str)] = &[
        ("accounts", "id, email, name, password_hash, created_at"),
        (
            "organizations",
            "id, name, owner_id, deleted, head_seq, head_hash",
        ),
        ("memberships", "org_id, user_id, email, name, role"),
        ("scope_roles", "org_id, user_id, object_id, role"),
        ("objects", "org_id, id, type, name, parent_id, owner_id"),
        ("grants", "org_id, object_id, user_id, action"),
        (
            "invitations",
            "org_id, id, email, name, role, scopes, expires_at",
        ),
        ("nominations", "org_id, id, from_user, to_user, expires_at"),
        (
            "api_keys",
            "org_id, id, key_hash, name, actions, created_by, created_at, revoked_at",
        ),
        (
            "events",
            "org_id, seq, at, type, actor_id, target_id, body, prev_hash, hash",
        ),
    ];
    let mut out = BTreeMap::new();
    for (table, columns) in TABLES {
        let text = columns
            .split(", ")
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '-')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {text} FROM {table}");
        let mut rows: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(store.pool())
            .await
            .unwrap();
        rows.sort();
        out.insert(*table, rows);
    }
    out
}

/// Starts this test binary again as a separate process running one ignored test
/// (`name`), with `env` set: the way these tests get a second `steward` process.
pub fn spawn_child(name: &str, env: &[(&str, String)]) -> tokio::process::Child {
    let mut command = tokio::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().unwrap()
}

/// Microseconds since the Unix epoch: both processes read the same clock.
pub fn unix_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}
