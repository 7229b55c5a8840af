//! `/metrics` beyond the request tally (docs/operations.md#metrics): the
//! database pool, the login limiter, the change listener, snapshot builds, the
//! process and the build, each present with a value that makes sense.

use crate::support::{database_url, spawn_node_on, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};
use steward_core::Policy;

/// The value of the sample `series` (a name, with its labels if any).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
        .parse()
        .unwrap_or_else(|e| panic!("{series}: {e}"))
}

async fn metrics(app: &TestApp) -> String {
    app.http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn metrics_show_the_pool_limiter_listener_snapshots_process_and_build() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(&dir);
    let policy = || Policy::preset("operations").unwrap();
    let first = spawn_node_on(&url, policy(), None).await;
    let org = first.signup("olivia@acme.test", "Acme").await;
    // A second node on the file loads Acme (a snapshot build) and follows the
    // first node's commits (its file watcher).
    let second = spawn_node_on(&url, policy(), None).await;
    let before = metrics(&second).await;
    let folded_before = sample(&before, "steward_change_listener_events_total");
    assert!(
        sample(&before, "steward_snapshot_builds_total") >= 1.0,
        "{before}"
    );
    assert!(
        sample(&before, "steward_snapshot_build_seconds_total") > 0.0,
        "{before}"
    );

    first
        .post(
            &format!("/api/v1/orgs/{}/objects", org.id),
            &org.owner.token,
            json!({"type": "site", "name": "Plant 1"}),
        )
        .await
        .expect(201);
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = metrics(&second).await;
        if sample(&text, "steward_change_listener_events_total") > folded_before {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "the change never folded in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        sample(&text, "steward_change_listener_events_behind") >= 1.0,
        "{text}"
    );
    let lag = sample(&text, "steward_change_listener_last_lag_seconds");
    assert!((0.0..10.0).contains(&lag), "{text}");
    assert!(sample(&text, "steward_change_listener_lag_seconds_count") >= 1.0);

    // Wrong passwords until the limiter refuses.
    for _ in 0..6 {
        second
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": "olivia@acme.test", "password": format!("{PASSWORD}!")})),
            )
            .await;
    }
    let text = metrics(&second).await;
    assert!(
        sample(&text, "steward_login_limiter_refusals_total") >= 1.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "steward_login_limiter_entries{key=\"account\"}"),
        1.0
    );
    assert_eq!(
        sample(&text, "steward_login_limiter_entries{key=\"address\"}"),
        1.0
    );

    let open = sample(&text, "steward_db_pool_connections");
    let idle = sample(&text, "steward_db_pool_idle_connections");
    let max = sample(&text, "steward_db_pool_max_connections");
    assert!(open >= 1.0 && idle <= open && open <= max, "{text}");
    assert!(sample(&text, "steward_db_pool_acquire_waits_total") >= 0.0);
    assert!(sample(&text, "steward_db_pool_acquire_wait_seconds_total") >= 0.0);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        sample(&text, "process_resident_memory_bytes") > 1e6,
        "{text}"
    );
    assert!(sample(&text, "process_open_fds") >= 3.0, "{text}");
    assert!(sample(&text, "process_cpu_seconds_total") > 0.0, "{text}");
    let started = sample(&text, "process_start_time_seconds");
    assert!(started <= now + 1.0 && started > now - 3600.0, "{text}");

    let build = text
        .lines()
        .find(|l| l.starts_with("steward_build_info{"))
        .unwrap_or_else(|| panic!("no build info in:\n{text}"));
    assert!(
        build.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION"))),
        "{build}"
    );
    assert!(build.contains("rustc=\"rustc 1."), "{build}");
    assert!(!build.contains("commit=\"\""), "{build}");
    assert!(build.ends_with("} 1"), "{build}");
}
