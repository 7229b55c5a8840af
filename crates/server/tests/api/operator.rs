//! The operator's start-up, run as the real binary: a `serve` that listens
//! before it has loaded, and migrations applied only on purpose; the helpers
//! `operator_tools` shares.

use crate::support::database_url;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test: this build's, or `STEWARD_TEST_BINARY` (to run these
/// tests against a release build, or the build before a change).
fn binary() -> String {
    std::env::var("STEWARD_TEST_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_steward").into())
}

/// Runs the binary with `env`: whether it succeeded, its stdout and its stderr.
pub fn run_with(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(binary())
        .args(args)
        .env_remove("STEWARD_CONFIG")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

pub fn run(args: &[&str], db: &str) -> (bool, String, String) {
    run_with(args, &[("STEWARD_DATABASE_URL", db)])
}

#[track_caller]
pub fn steward(args: &[&str], db: &str) -> String {
    let (ok, out, err) = run(args, db);
    assert!(ok, "steward {args:?}: {out}{err}");
    out
}

/// A database made by `steward migrate`, with `orgs` organizations.
pub fn database_with(dir: &tempfile::TempDir, orgs: usize) -> String {
    let db = database_url(dir);
    steward(&["migrate"], &db);
    for i in 0..orgs {
        let email = format!("owner{i}@acme.test");
        steward(
            &["orgs", "create", "--name", "Acme", "--owner-email", &email],
            &db,
        );
    }
    db
}

/// A `steward serve` process, stopped when dropped.
pub struct Serving {
    child: std::process::Child,
    pub url: String,
    pub log: tempfile::NamedTempFile,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serving {
    /// Everything it logged on stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

/// Starts `steward serve ARGS` on a free port and returns as soon as it listens
/// (before it may be ready); Err: what it printed before it exited.
pub fn serve_with(args: &[&str], env: &[(&str, &str)]) -> Result<Serving, String> {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(binary())
        .arg("serve")
        .args(args)
        .args(["--bind", "127.0.0.1:0"])
        .env_remove("STEWARD_CONFIG")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = String::new();
    for line in stdout.by_ref() {
        let line = line.unwrap();
        out.push_str(&line);
        out.push('\n');
        // A build that prints no "listening" line (the one before it) says
        // "running at URL/" once it is ready.
        let url = match line.strip_prefix("Steward is listening on ") {
            Some(rest) => rest.split(';').next(),
            None => line
                .strip_prefix("Steward is running at ")
                .and_then(|rest| rest.split("/ ").next()),
        };
        if let Some(url) = url {
            let url = url.to_string();
            std::thread::spawn(move || stdout.for_each(drop));
            return Ok(Serving { child, url, log });
        }
    }
    // Let it finish the error it writes as it exits.
    child.wait().unwrap();
    Err(out + &std::fs::read_to_string(log.path()).unwrap())
}

pub fn serve(db: &str, args: &[&str]) -> Result<Serving, String> {
    serve_with(args, &[("STEWARD_DATABASE_URL", db)])
}

/// Runs `steward serve ARGS` on `db`, which must exit with an error (within 30
/// s): what it printed.
fn serve_refused(db: &str, args: &[&str]) -> String {
    let served = serve(db, args).unwrap();
    let mut child = served;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.child.try_wait().unwrap() {
            assert!(!status.success(), "serve exited 0: {}", child.log());
            return child.log();
        }
        assert!(
            Instant::now() < deadline,
            "serve kept running: {}",
            child.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls `/readyz` until it answers 200 (at most 30 s).
pub async fn wait_ready(url: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(format!("{url}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} never became ready");
}

#[tokio::test]
async fn serve_is_live_at_once_and_ready_only_when_its_organizations_are_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with(&dir, 3);
    let served = serve_with(
        &[],
        &[
            ("STEWARD_DATABASE_URL", &db),
            // Each organization takes a moment, as a large one would.
            ("STEWARD_TEST_LOAD_PAUSE_MS", "700"),
        ],
    )
    .unwrap();
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", served.url)).send();

    let live = get("/healthz").await.unwrap();
    assert_eq!(live.status(), 200);
    // First it opens the database, then it loads: /readyz says which.
    let body = loop {
        let ready = get("/readyz").await.unwrap();
        assert_eq!(ready.status(), 503);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["ready"], false, "{body}");
        if body["organizations"]["total"] == 3 {
            break body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(body["phase"], "loading organizations", "{body}");
    assert!(
        body["organizations"]["loaded"].as_u64().unwrap() < 3,
        "{body}"
    );

    let api = get("/api/v1/me").await.unwrap();
    assert_eq!(api.status(), 503);
    assert_eq!(api.headers()["retry-after"], "1");
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "UNAVAILABLE", "{body}");
    assert_eq!(body["error"]["reason"], "not_ready", "{body}");
    let page = http
        .get(format!("{}/orgs", served.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);

    wait_ready(&served.url).await;
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    // Now the API itself answers: no credentials, 401.
    assert_eq!(get("/api/v1/me").await.unwrap().status(), 401);
}

#[test]
fn commands_never_create_or_migrate_a_database_and_name_steward_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let (ok, _, err) = run(
        &["orgs", "create", "--name", "A", "--owner-email", "a@a.test"],
        &db,
    );
    assert!(!ok);
    assert!(err.contains("`steward migrate`"), "{err}");
    assert!(
        !dir.path().join("steward.db").exists(),
        "a command made the file"
    );

    // An empty file (a database made by hand, say) is not migrated either.
    std::fs::write(dir.path().join("steward.db"), b"").unwrap();
    let (ok, _, err) = run(&["policy", "history"], &db);
    assert!(!ok);
    assert!(err.contains("no Steward schema yet"), "{err}");
    assert!(err.contains("`steward migrate`"), "{err}");
}

/// A database made by the release before the last migration: every migration
/// but the last applied; returns that last one's number and name.
async fn database_one_migration_behind(dir: &tempfile::TempDir) -> (String, String) {
    let db = database_url(dir);
    let store = steward::store::Store::connect(&db, true).await.unwrap();
    let mut older = sqlx::migrate!("../../migrations");
    let last = older.migrations.last().unwrap().clone();
    older.migrations = older.migrations[..older.migrations.len() - 1]
        .to_vec()
        .into();
    older.run(store.pool()).await.unwrap();
    let name = format!("{:04} {}", last.version, last.description);
    (db, name)
}

/// Records a migration this release does not know, as a newer one would.
async fn record_a_newer_migration(db: &str, version: i64, description: &str) {
    let store = steward::store::Store::connect(db, false).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, $2, TRUE, $3, 0)",
    )
    .bind(version)
    .bind(description)
    .bind(vec![0u8; 4])
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn migrate_check_lists_what_is_pending_and_fails_until_migrate_applies_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, last) = database_one_migration_behind(&dir).await;
    let (ok, out, err) = run(&["migrate", "--check"], &db);
    assert!(!ok);
    assert!(out.contains("1 pending migration(s)"), "{out}");
    assert!(out.contains(&last), "{out}");
    assert!(err.contains("`steward migrate`"), "{err}");
    // --check applied nothing; every other command refuses, naming the fix.
    let (ok, _, err) = run(&["migrate", "--check"], &db);
    assert!(!ok, "{err}");
    let (ok, _, err) = run(&["policy", "history"], &db);
    assert!(!ok);
    assert!(
        err.contains(&last) && err.contains("run `steward migrate`"),
        "{err}"
    );

    let out = steward(&["migrate"], &db);
    assert!(out.contains(&format!("Applied {last}")), "{out}");
    let out = steward(&["migrate", "--check"], &db);
    assert!(out.contains("The schema is current"), "{out}");
    steward(&["policy", "history"], &db);
}

#[tokio::test]
async fn serve_migrates_a_new_database_but_refuses_one_behind_unless_told_to_migrate() {
    let dir = tempfile::tempdir().unwrap();
    // A new file: the first start just works.
    let served = serve(&database_url(&dir), &[]).unwrap();
    wait_ready(&served.url).await;
    drop(served);

    let dir = tempfile::tempdir().unwrap();
    let (db, last) = database_one_migration_behind(&dir).await;
    let refused = serve_refused(&db, &[]);
    assert!(refused.contains(&last), "{refused}");
    assert!(refused.contains("run `steward migrate`"), "{refused}");
    assert!(refused.contains("--migrate auto"), "{refused}");
    let refused = serve_refused(&db, &["--migrate", "never"]);
    assert!(refused.contains("run `steward migrate`"), "{refused}");

    let served = serve(&db, &["--migrate", "auto"]).unwrap();
    wait_ready(&served.url).await;
    steward(&["migrate", "--check"], &db);
}

#[tokio::test]
async fn an_older_serve_runs_beside_a_newer_schema_that_only_adds_and_refuses_a_breaking_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with(&dir, 1);
    record_a_newer_migration(&db, 9001, "add a table").await;
    let served = serve(&db, &[]).unwrap();
    wait_ready(&served.url).await;
    assert!(
        served.log().contains("9001 add a table"),
        "{}",
        served.log()
    );
    // The other commands too: the schema has everything they use.
    steward(&["policy", "history"], &db);
    drop(served);

    record_a_newer_migration(&db, 9002, "breaking drop a column").await;
    let refused = serve_refused(&db, &[]);
    assert!(refused.contains("9002 breaking drop a column"), "{refused}");
    assert!(refused.contains("ahead of this release"), "{refused}");
    let (ok, _, err) = run(&["policy", "history"], &db);
    assert!(!ok && err.contains("ahead of this release"), "{err}");
    let (ok, _, err) = run(&["migrate"], &db);
    assert!(!ok && err.contains("ahead of this release"), "{err}");
}
