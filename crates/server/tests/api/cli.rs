//! The operator's commands, run as the real binary against the database a server
//! then opens: `orgs create` with its one-time link, `invitations`, `import`,
//! `check`.

use crate::support::{database_url, spawn_on, PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::process::Command;
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
    let db = database_url(&dir);
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

    let app = spawn_on(dir, Policy::preset("operations").unwrap(), false).await;
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
    let app = spawn_on(dir, Policy::preset("operations").unwrap(), true).await;
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
    let db = database_url(&dir);
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
    let db = database_url(&dir);
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
    let app = spawn_on(dir, Policy::preset("operations").unwrap(), false).await;
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
