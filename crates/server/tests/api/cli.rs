//! The operator's commands, run as the real binary against the database a server
//! then opens: `orgs create` with its one-time link, `invitations`, `import`,
//! `check`.

use crate::support::{database_url, mailed_link_in_log, spawn_on, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::process::Command;
use steward::service::{PolicyChoice, PolicySource, Service, Unstored};
use steward::store::Store;
use steward_core::Policy;

/// Runs the binary: whether it succeeded, its stdout and its stderr.
fn run(args: &[&str], db: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("STEWARD_DATABASE_URL", db)
        .env("STEWARD_PUBLIC_URL", "http://steward.test")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn steward(args: &[&str], db: &str) -> String {
    let (ok, text, err) = run(args, db);
    assert!(ok, "steward {args:?}: {text}{err}");
    text
}

/// A new database in `dir`, its schema made by `steward migrate` (no other
/// command makes one); its URL.
fn migrated(dir: &tempfile::TempDir) -> String {
    let db = database_url(dir);
    steward(&["migrate"], &db);
    db
}

/// The in-process server on the CLI's database, once `preset` is stored there as
/// `serve`'s first start stores it.
async fn spawn_served(dir: tempfile::TempDir, preset: &str, signup: bool) -> TestApp {
    let store = Store::open(&database_url(&dir)).await.unwrap();
    let choice = PolicyChoice {
        given: PolicySource::preset(preset),
        replace: false,
        unstored: Unstored::Default,
    };
    Service::start(store, choice).await.unwrap();
    spawn_on(dir, Policy::preset(preset).unwrap(), signup).await
}

/// `steward orgs create`; its output.
fn orgs_create(db: &str, name: &str, owner_email: &str) -> String {
    steward(
        &[
            "orgs",
            "create",
            "--name",
            name,
            "--owner-email",
            owner_email,
        ],
        db,
    )
}

/// The id `orgs create` printed.
fn created_org(out: &str) -> String {
    out.split("with id ")
        .nth(1)
        .and_then(|r| r.split('.').next())
        .unwrap_or_else(|| panic!("no organization id in: {out}"))
        .to_string()
}

#[tokio::test]
async fn orgs_create_prints_a_one_time_link_that_sets_the_owners_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = migrated(&dir);
    let out = orgs_create(&db, "Acme", "Owner@Acme.test");
    let link = out
        .split_whitespace()
        .find(|w| w.starts_with("http://steward.test/invitations/"))
        .unwrap_or_else(|| panic!("no link in: {out}"));
    let token = link.rsplit('/').next().unwrap();
    let org = created_org(&out);

    // The CLI can invite, list and revoke as the owner.
    let invited = steward(
        &[
            "invitations",
            "create",
            "--org",
            &org,
            "--email",
            "bob@acme.test",
            "--role",
            "operator",
        ],
        &db,
    );
    assert!(
        invited.contains("Invited bob@acme.test as operator"),
        "{invited}"
    );
    let listed = steward(&["invitations", "list", "--org", &org], &db);
    let id = listed.split_whitespace().next().unwrap().to_string();
    assert!(listed.contains("bob@acme.test"), "{listed}");
    steward(&["invitations", "revoke", "--org", &org, "--id", &id], &db);
    assert!(
        steward(&["invitations", "list", "--org", &org], &db).contains("No pending invitations")
    );

    let app = spawn_served(dir, "operations", false).await;
    let accept = format!("/api/v1/invitations/{token}/accept");
    let me = app
        .call(
            Method::POST,
            &accept,
            None,
            Some(json!({"password": PASSWORD})),
        )
        .await
        .expect(200);
    assert_eq!(me["memberships"][0]["org"]["id"], org.as_str());
    assert_eq!(me["memberships"][0]["role"], "owner");
    // Once only.
    app.call(
        Method::POST,
        &accept,
        None,
        Some(json!({"password": PASSWORD})),
    )
    .await
    .refused(404, "unknown_invitation");
    let owner = app.login("owner@acme.test").await;
    let answer = app
        .check(&org, &owner.token, &owner.id, "org:delete", &org)
        .await;
    assert_eq!(answer["allowed"], true);
}

#[tokio::test]
async fn what_the_cli_commits_reaches_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let app = spawn_served(dir, "operations", true).await;
    let first = app.signup("owner@acme.test", "Acme").await;
    // The CLI makes an organization for the same owner, and an invitation in
    // the first one, while the server runs on the file.
    let out = orgs_create(&db, "Second", "owner@acme.test");
    let second = created_org(&out);
    let invited = steward(
        &[
            "invitations",
            "create",
            "--org",
            &first.id,
            "--email",
            "bob@acme.test",
        ],
        &db,
    );
    let token = invited.rsplit('/').next().unwrap().trim().to_string();
    let mut seen = false;
    for _ in 0..250 {
        if app
            .get(&format!("/api/v1/orgs/{second}"), &first.owner.token)
            .await
            .status
            == 200
        {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen, "the server never saw the CLI's organization");
    let accept = format!("/api/v1/invitations/{token}/accept");
    let bob = app
        .call(
            Method::POST,
            &accept,
            None,
            Some(json!({"password": PASSWORD, "name": "Bob"})),
        )
        .await
        .expect(200);
    assert_eq!(bob["name"], "Bob");
}

#[test]
fn steward_check_answers_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = migrated(&dir);
    let out = orgs_create(&db, "Acme", "o@acme.test");
    let org = &created_org(&out);
    let owner = out
        .split("Owner: o@acme.test (")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap();
    let yes = steward(
        &[
            "check",
            "--org",
            org,
            "--user",
            owner,
            "--action",
            "org:delete",
            "--object",
            org,
        ],
        &db,
    );
    assert_eq!(yes.trim(), format!("allowed (role:owner@{org})"));
    let no = steward(
        &[
            "check",
            "--org",
            org,
            "--user",
            "usr_nobody",
            "--action",
            "org:delete",
            "--object",
            org,
        ],
        &db,
    );
    assert_eq!(no.trim(), "denied (not_a_member)");
}

#[tokio::test]
async fn steward_import_previews_with_dry_run_then_applies_and_fails_on_a_refused_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = migrated(&dir);
    let org = created_org(&orgs_create(&db, "Acme", "owner@acme.test"));
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "email,name,role\nada@acme.test,Ada,admin\nbob@acme.test,,viewer\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let (ok, out, err) = run(&["import", file, "--org", &org, "--dry-run"], &db);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("Dry run, nothing stored: 2 would be created, 0 would be updated, 0 unchanged, 0 errors."),
        "{out}"
    );
    assert!(
        !out.contains("/invitations/"),
        "a dry run invites nobody: {out}"
    );
    // The progress went to stderr, phase by phase, ending at 100%.
    assert!(
        err.contains("parsing") && err.contains("100% 2 rows"),
        "{err}"
    );
    assert!(err.contains("deciding"), "{err}");
    assert!(steward(&["invitations", "list", "--org", &org], &db).contains("No pending"));

    let out = steward(&["import", file, "--org", &org], &db);
    assert!(
        out.contains("Applied: 2 created, 0 updated, 0 unchanged, 0 errors."),
        "{out}"
    );
    let link = out
        .lines()
        .find(|l| l.starts_with("invited ada@acme.test as admin: "))
        .unwrap_or_else(|| panic!("no link for ada in: {out}"));
    let token = link.rsplit('/').next().unwrap().to_string();

    // Ada joins; as her, a file that would demote the owner fails and says where.
    let app = spawn_served(dir, "operations", false).await;
    app.call(
        Method::POST,
        &format!("/api/v1/invitations/{token}/accept"),
        None,
        Some(json!({"password": PASSWORD})),
    )
    .await
    .expect(200);
    let bad = std::path::Path::new(file).with_file_name("bad.csv");
    std::fs::write(
        &bad,
        "email,name,role\ncarl@acme.test,,operator\nowner@acme.test,,viewer\n",
    )
    .unwrap();
    let args = [
        "import",
        bad.to_str().unwrap(),
        "--org",
        &org,
        "--as",
        "ada@acme.test",
    ];
    let (ok, out, err) = run(&args, &db);
    assert!(!ok, "a refused row fails the command: {out}");
    assert!(out.contains("line 3: owner@acme.test: "), "{out}");
    assert!(out.contains("(cannot_demote_owner)"), "{out}");
    assert!(out.contains("Nothing applied"), "{out}");
    assert!(err.contains("1 rows refused; nothing was applied"), "{err}");
    let listed = steward(&["invitations", "list", "--org", &org], &db);
    assert!(
        !listed.contains("carl@acme.test"),
        "nothing applied: {listed}"
    );

    // A file that is not a table is refused whole, with its line and column.
    std::fs::write(&bad, b"email,name,role\nbob@acme.test,B\xffb,viewer\n").unwrap();
    let (ok, _, err) = run(&["import", bad.to_str().unwrap(), "--org", &org], &db);
    assert!(!ok);
    assert!(err.contains("line 2, column 2: not UTF-8"), "{err}");
}

/// A `steward serve` process on a database, stopped when dropped.
pub(crate) struct Served {
    pub(crate) child: std::process::Child,
    pub(crate) url: String,
    /// What it printed on stdout up to "running".
    out: String,
    /// Its log (stderr), where mails go without --smtp-url.
    log: tempfile::NamedTempFile,
}

impl Served {
    pub(crate) async fn mailed_link(&self, to: &str, path: &str) -> String {
        mailed_link_in_log(self.log.path(), to, path).await
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `steward serve ARGS` on `db` (on a free port): the running server, or,
/// when it exits before it runs, everything it printed.
pub(crate) fn serve(db: &str, args: &[&str]) -> Result<Served, String> {
    use std::io::BufRead;
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("serve")
        .args(args)
        .args(["--bind", "127.0.0.1:0"])
        .env("STEWARD_DATABASE_URL", db)
        .stdout(std::process::Stdio::piped())
        // A file, not a pipe nobody reads: the server logs every request.
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = String::new();
    while let Some(line) = stdout.next() {
        let line = line.unwrap();
        out.push_str(&line);
        out.push('\n');
        if let Some(rest) = line.strip_prefix("Steward is running at ") {
            let url = rest.split('/').take(3).collect::<Vec<_>>().join("/");
            // Read on: a closed pipe would fail the server's next line.
            std::thread::spawn(move || stdout.for_each(drop));
            return Ok(Served {
                child,
                url,
                out,
                log,
            });
        }
    }
    child.wait().unwrap();
    Err(out + &std::fs::read_to_string(log.path()).unwrap())
}

#[tokio::test]
async fn import_and_invitations_use_the_policy_the_database_is_served_with() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    drop(serve(&db, &["--policy", "systems"]).unwrap());
    // Not one command is told the policy.
    let org = created_org(&orgs_create(&db, "Acme", "owner@acme.test"));
    let invited = steward(
        &[
            "invitations",
            "create",
            "--org",
            &org,
            "--email",
            "bob@acme.test",
        ],
        &db,
    );
    assert!(
        invited.contains("Invited bob@acme.test as member"),
        "systems' default role: {invited}"
    );
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "email,name,role\nada@acme.test,Ada,admin\ncyd@acme.test,,member\n",
    )
    .unwrap();
    let out = steward(&["import", file.to_str().unwrap(), "--org", &org], &db);
    assert!(out.contains("invited cyd@acme.test as member"), "{out}");
    assert!(out.contains("Applied: 2 created"), "{out}");
    // A role of the default preset, which systems does not have, is refused.
    let (ok, out, err) = run(
        &[
            "invitations",
            "create",
            "--org",
            &org,
            "--email",
            "dan@acme.test",
            "--role",
            "operator",
        ],
        &db,
    );
    assert!(!ok, "{out}");
    assert!(err.contains("operator"), "{err}");
}

#[test]
fn serve_with_another_policy_refuses_to_start_and_names_both() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    drop(serve(&db, &["--policy", "operations"]).unwrap());
    let refused = match serve(&db, &["--policy", "analytics"]) {
        Ok(served) => panic!("started with another policy: {}", served.out),
        Err(printed) => printed,
    };
    assert!(
        refused.contains("the database's policy is operations (sha256 ")
            && refused.contains("not analytics (sha256 "),
        "{refused}"
    );
    assert!(refused.contains("--replace-policy"), "{refused}");
    // The other commands refuse another --policy too; without one they use the stored.
    let (ok, _, err) = run(&["policy", "history", "--policy", "analytics"], &db);
    assert!(!ok, "history takes no --policy: {err}");
    let (ok, _, err) = run(
        &[
            "orgs",
            "create",
            "--name",
            "Acme",
            "--owner-email",
            "o@acme.test",
            "--policy",
            "analytics",
        ],
        &db,
    );
    assert!(!ok && err.contains("not analytics (sha256 "), "{err}");
}

#[test]
fn replace_policy_replaces_it_says_what_it_leaves_behind_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let first = serve(&db, &[]).unwrap();
    assert!(
        first.out.contains("Stored policy operations (sha256 "),
        "{}",
        first.out
    );
    drop(first);
    created_org(&orgs_create(&db, "Acme", "owner@acme.test"));
    let replaced = serve(&db, &["--policy", "analytics", "--replace-policy"]).unwrap();
    assert!(
        replaced
            .out
            .contains("Replaced the database's policy operations (sha256 "),
        "{}",
        replaced.out
    );
    assert!(
        replaced.out.contains("with analytics (sha256 "),
        "{}",
        replaced.out
    );
    // The operations owner's role means nothing to analytics: said, not hidden.
    assert!(
        replaced
            .out
            .contains("members hold roles policy analytics does not have, which give nothing until changed: owner (1)"),
        "{}",
        replaced.out
    );
    drop(replaced);
    let history = steward(&["policy", "history"], &db);
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(
        lines[0].starts_with("#1 ")
            && lines[0].contains(" operations ")
            && lines[0].ends_with("first start"),
        "{history}"
    );
    assert!(
        lines[1].starts_with("#2 ")
            && lines[1].contains(" analytics ")
            && lines[1].ends_with("replaced #1"),
        "{history}"
    );
    // From now on every start without --policy decides with analytics.
    let again = serve(&db, &[]).unwrap();
    assert!(
        again.out.contains("policy analytics (sha256 "),
        "{}",
        again.out
    );
}

#[tokio::test]
async fn a_running_server_stops_writing_when_another_replaces_its_policy() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let node = serve(&db, &["--policy", "operations"]).unwrap();
    let http = reqwest::Client::new();
    let signup = http
        .post(format!("{}/api/v1/signup", node.url))
        .json(&json!({"email": "owner@acme.test", "name": "Owner", "password": PASSWORD, "org_name": "Acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    let org: serde_json::Value = signup.json().await.unwrap();
    let org = org["org"]["id"].as_str().unwrap().to_string();
    let proof = node.mailed_link("owner@acme.test", "/verify-email/").await;
    let proved = http
        .post(format!(
            "{}/api/v1/auth/verify-email/{}",
            node.url,
            proof.trim_start_matches("/verify-email/")
        ))
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(proved.status(), 200);
    let login: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", node.url))
        .json(&json!({"email": "owner@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();

    drop(serve(&db, &["--policy", "analytics", "--replace-policy"]).unwrap());

    let mut ready = String::new();
    for _ in 0..250 {
        let answer = http
            .get(format!("{}/readyz", node.url))
            .send()
            .await
            .unwrap();
        if answer.status() == 503 {
            ready = answer.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        ready.contains("policy replaced") && ready.contains("analytics (sha256 "),
        "the node never said it is out of date: {ready:?}"
    );
    // Decided with operations, it writes nothing.
    let site = http
        .post(format!("{}/api/v1/orgs/{org}/objects", node.url))
        .bearer_auth(&token)
        .json(&json!({"type": "site", "name": "Plant 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(site.status(), 500);
}
