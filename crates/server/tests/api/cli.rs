//! The operator's commands, run as the real binary against the database a server
//! then opens: `orgs create` with its one-time link, `invitations`, `check`.

use crate::support::{database_url, spawn_on, PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::process::Command;
use steward_core::Policy;

fn steward(args: &[&str], db: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("STEWARD_DATABASE_URL", db)
        .env("STEWARD_PUBLIC_URL", "http://steward.test")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "steward {args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
