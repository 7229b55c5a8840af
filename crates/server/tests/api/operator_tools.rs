//! The operator's tools, run as the real binary: the config file, backups,
//! completions, the man pages and `steward health`.

use crate::operator::{database_with, run, run_with, serve, serve_with, steward, wait_ready};
use crate::support::database_url;

#[tokio::test]
async fn serve_reads_its_settings_from_the_config_file_and_flags_and_the_environment_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("steward.toml");
    let in_file = format!("sqlite://{}", dir.path().join("in-file.db").display());
    std::fs::write(
        &config,
        format!("database-url = \"{in_file}\"\nsignup = false\nlog-format = \"json\"\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap();

    let served = serve_with(&["--config", config], &[]).unwrap();
    wait_ready(&served.url).await;
    assert!(dir.path().join("in-file.db").exists());
    let signup = reqwest::Client::new()
        .post(format!("{}/api/v1/signup", served.url))
        .json(&serde_json::json!({"email": "a@a.test", "name": "A", "password": "a long password", "org_name": "A"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 404, "signup = false in the file");
    drop(served);

    // The environment beats the file, a flag beats both.
    let by_env = format!("sqlite://{}", dir.path().join("by-env.db").display());
    let served = serve_with(
        &[],
        &[
            ("STEWARD_CONFIG", config),
            ("STEWARD_DATABASE_URL", &by_env),
        ],
    )
    .unwrap();
    wait_ready(&served.url).await;
    assert!(dir.path().join("by-env.db").exists());
    drop(served);
    let by_flag = format!("sqlite://{}", dir.path().join("by-flag.db").display());
    let served = serve_with(
        &["--config", config, "--database-url", &by_flag],
        &[("STEWARD_DATABASE_URL", &by_env)],
    )
    .unwrap();
    wait_ready(&served.url).await;
    assert!(dir.path().join("by-flag.db").exists());

    // The other commands read the file's database too.
    let (ok, out, err) = run_with(&["policy", "history", "--config", config], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("operations"), "{out}");
}

#[test]
fn config_print_shows_each_setting_and_its_source_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("steward.toml");
    std::fs::write(
        &config,
        "database-url = \"postgres://steward:hunter2@db.internal/steward\"\nbind = \"0.0.0.0:8080\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (ok, out, err) = run_with(
        &["config", "print", "--config", config],
        &[("STEWARD_BIND", "127.0.0.1:9999")],
    );
    assert!(ok, "{err}");
    assert!(!out.contains("hunter2"), "{out}");
    assert!(
        out.contains(&format!(
            "database-url = \"postgres://steward:***@db.internal/steward\"  # {config}"
        )),
        "{out}"
    );
    assert!(
        out.contains("bind = \"127.0.0.1:9999\"  # STEWARD_BIND"),
        "{out}"
    );
    assert!(out.contains("signup = \"on\"  # default"), "{out}");
}

#[test]
fn an_unknown_key_in_the_config_file_is_an_error_naming_the_key_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("steward.toml");
    std::fs::write(
        &config,
        "bind = \"0.0.0.0:8080\"\ndatabase_url = \"sqlite://x.db\"\n",
    )
    .unwrap();
    for args in [
        vec!["config", "check"],
        vec!["serve"],
        vec!["policy", "history"],
    ] {
        let (ok, _, err) = run_with(&args, &[("STEWARD_CONFIG", config.to_str().unwrap())]);
        assert!(!ok, "{args:?}");
        assert!(
            err.contains("line 2: unknown key `database_url`"),
            "{args:?}: {err}"
        );
    }
}

/// The TOML block under `heading` in docs/operations.md.
fn example_in_the_operations_doc(heading: &str) -> String {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/operations.md"
    ))
    .unwrap();
    let section = doc.split(heading).nth(1).expect("the heading");
    let block = section.split("```toml\n").nth(1).expect("a toml block");
    block.split("```").next().unwrap().to_string()
}

#[test]
fn the_example_config_file_in_the_operations_doc_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("steward.toml");
    std::fs::write(&config, example_in_the_operations_doc("## The config file")).unwrap();
    let (ok, out, err) = run_with(
        &["config", "check", "--config", config.to_str().unwrap()],
        &[],
    );
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run_with(
        &["config", "print", "--config", config.to_str().unwrap()],
        &[],
    );
    assert!(ok, "{err}");
    assert!(out.contains(&format!("# {}", config.display())), "{out}");
}

#[tokio::test]
async fn a_backup_of_a_running_servers_database_serves_the_same_data_on_a_second_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(&dir);
    let first = serve(&db, &[]).unwrap();
    wait_ready(&first.url).await;
    let http = reqwest::Client::new();
    let signup: serde_json::Value = http
        .post(format!("{}/api/v1/signup", first.url))
        .json(&serde_json::json!({"email": "owner@acme.test", "name": "Owner", "password": crate::support::PASSWORD, "org_name": "Acme"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org = signup["org"]["id"].as_str().unwrap().to_string();
    // The address proves itself with the link the log shows (no relay here).
    let proof =
        crate::support::mailed_link_in_log(first.log.path(), "owner@acme.test", "/verify-email/")
            .await;
    let proved = http
        .post(format!(
            "{}/api/v1/auth/verify-email/{}",
            first.url,
            proof.trim_start_matches("/verify-email/")
        ))
        .json(&serde_json::json!({"password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(proved.status(), 200);

    // While the first server runs (its writes sit in the WAL file).
    let copy = dir.path().join("backup.db");
    let out = steward(&["backup", "--to", copy.to_str().unwrap()], &db);
    assert!(out.contains("1 organization(s)"), "{out}");
    assert!(out.contains("integrity check"), "{out}");
    let (ok, _, err) = run(&["backup", "--to", copy.to_str().unwrap()], &db);
    assert!(!ok && err.contains("exists already"), "{err}");

    let restored = format!("sqlite://{}", copy.display());
    let second = serve(&restored, &[]).unwrap();
    wait_ready(&second.url).await;
    let login = |url: String| {
        let http = http.clone();
        async move {
            let answer: serde_json::Value = http
                .post(format!("{url}/api/v1/auth/login"))
                .json(&serde_json::json!({"email": "owner@acme.test", "password": crate::support::PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["access_token"].as_str().unwrap().to_string()
        }
    };
    // Each server issues its own tokens (the issuer is its URL).
    let read = |url: String| {
        let http = http.clone();
        let org = org.clone();
        let token = login(url.clone());
        async move {
            let token = token.await;
            let answer = http
                .get(format!("{url}/api/v1/orgs/{org}/members"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            answer.json::<serde_json::Value>().await.unwrap()
        }
    };
    let on_copy = read(second.url.clone()).await;
    let on_original = read(first.url.clone()).await;
    assert_eq!(on_copy, on_original);
    assert!(on_copy.to_string().contains("owner@acme.test"), "{on_copy}");
    let verified = steward(&["audit", "verify", "--org", &org], &restored);
    assert!(verified.contains("intact"), "{verified}");
}

#[test]
fn backup_of_postgresql_points_to_pg_dump() {
    let (ok, _, err) = run(
        &["backup", "--to", "x.db"],
        "postgres://steward:hunter2@127.0.0.1:1/steward",
    );
    assert!(!ok);
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn completions_and_the_man_pages_name_every_command() {
    let commands = [
        "serve",
        "policy",
        "orgs",
        "invitations",
        "import",
        "check",
        "audit",
        "keys",
        "migrate",
        "config",
        "backup",
        "completions",
        "man",
        "health",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (ok, out, err) = run_with(&["completions", shell], &[]);
        assert!(ok, "{shell}: {err}");
        for command in commands {
            assert!(out.contains(command), "{shell} completions lack {command}");
        }
    }
    let (ok, page, err) = run_with(&["man"], &[]);
    assert!(ok, "{err}");
    assert!(
        page.starts_with(".ie") || page.contains(".TH steward 1"),
        "{page}"
    );
    for command in commands {
        assert!(
            page.contains(&format!("steward\\-{command}(1)")),
            "steward(1) lacks {command}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run_with(&["man", "--dir", dir.path().to_str().unwrap()], &[]);
    assert!(ok, "{err}");
    for command in commands {
        assert!(
            dir.path().join(format!("steward-{command}.1")).exists(),
            "{command}"
        );
    }
    assert!(dir.path().join("steward-keys-rotate.1").exists());
}

#[tokio::test]
async fn steward_health_succeeds_only_while_a_server_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with(&dir, 1);
    let served = serve_with(
        &[],
        &[
            ("STEWARD_DATABASE_URL", &db),
            ("STEWARD_TEST_LOAD_PAUSE_MS", "1500"),
        ],
    )
    .unwrap();
    let bind = served.url.trim_start_matches("http://").to_string();
    let (ok, out, err) = run_with(&["health", "--bind", &bind], &[]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("ok"), "{out}");
    // Still loading: alive, not ready.
    let (ok, _, err) = run_with(&["health", "--ready", "--bind", &bind], &[]);
    assert!(!ok);
    assert!(err.contains("503"), "{err}");
    wait_ready(&served.url).await;
    let (ok, _, err) = run_with(&["health", "--ready"], &[("STEWARD_BIND", &bind)]);
    assert!(ok, "{err}");
    drop(served);
    let (ok, _, _) = run_with(&["health", "--bind", &bind], &[]);
    assert!(!ok, "nothing listens any more");
}
