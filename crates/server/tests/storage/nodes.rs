//! Two `steward` processes on one PostgreSQL: a role change committed through one
//! is seen by a check on the other, which learns of it by LISTEN/NOTIFY and folds
//! the new events into memory. The delay is measured and reported, not asserted
//! (beyond a generous bound that only a lost notice would break).

use crate::support::*;
use std::time::Duration;
use steward_core::Policy;
use tokio::io::{AsyncBufReadExt, BufReader};

const CHANGES: usize = 20;

crate::on_both_backends!(a_change_committed_before_a_node_listens_is_seen_once_it_does);

/// A node reads its organizations before it listens for changes: what another
/// node commits in between sent its notice (or moved SQLite's `data_version`)
/// before anyone listened, so the node looks once when it starts to listen.
async fn a_change_committed_before_a_node_listens_is_seen_once_it_does(backend: Backend) {
    let db = TestDb::new(backend).await;
    let first = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&first, "acme").await;
    t.add("bob", "viewer").await;
    let starting = db.service(Policy::preset("operations").unwrap()).await;
    let may_manage = |svc: &steward::service::Service| {
        svc.snapshot("acme")
            .unwrap()
            .check_by_name("bob", "members:manage", "acme")
            .allowed
    };
    assert!(!may_manage(&starting));
    assert_eq!(t.change_role("owner", "bob", "admin").await, "ok");
    assert!(!may_manage(&starting), "nothing has told it yet");
    let _listener = starting.spawn_change_listener().await.unwrap();
    let _watcher = starting
        .spawn_file_watcher(Duration::from_secs(3600))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !may_manage(&starting) {
        assert!(
            std::time::Instant::now() < deadline,
            "the change committed before it listened is never seen"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The second node: listens for changes and reports, with the time, every change
/// of bob's answer to `members:manage` that its own snapshot gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_role_change_on_one_node_is_seen_by_a_check_on_the_other as its second node"]
async fn second_node() {
    let Ok(url) = std::env::var("STEWARD_NODE_URL") else {
        return;
    };
    let store = steward::store::Store::open(&url).await.unwrap();
    let svc = steward::service::Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let _listener = svc.spawn_change_listener().await.unwrap();
    let mut last = svc
        .snapshot("acme")
        .unwrap()
        .check_by_name("bob", "members:manage", "acme")
        .allowed;
    println!("ready {last}");
    let mut seen = 0;
    while seen < CHANGES {
        let now = svc
            .snapshot("acme")
            .unwrap()
            .check_by_name("bob", "members:manage", "acme")
            .allowed;
        if now != last {
            println!("seen {now} {}", unix_micros());
            last = now;
            seen += 1;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_on_one_node_is_seen_by_a_check_on_the_other() {
    if postgres_admin_url().is_none() {
        eprintln!("{POSTGRES_URL_VAR} is not set: PostgreSQL test not run");
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "acme").await;
    t.add("bob", "viewer").await;
    let mut child = spawn_child(
        "nodes::second_node",
        &[("STEWARD_NODE_URL", db.url.clone())],
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_line = async || loop {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("the second node answers within 10 s")
            .unwrap()
            .expect("the second node is running");
        if let Some(at) = line.find("ready ").or_else(|| line.find("seen ")) {
            return line[at..].to_string();
        }
    };
    assert_eq!(next_line().await, "ready false");
    let mut delays = Vec::new();
    for i in 0..CHANGES {
        let (role, allowed) = if i % 2 == 0 {
            ("admin", true)
        } else {
            ("viewer", false)
        };
        assert_eq!(t.change_role("owner", "bob", role).await, "ok");
        let committed = unix_micros();
        let seen = next_line().await;
        let mut parts = seen.split(' ').skip(1);
        assert_eq!(parts.next(), Some(if allowed { "true" } else { "false" }));
        let at: i64 = parts.next().unwrap().parse().unwrap();
        delays.push((at - committed).max(0) as f64 / 1000.0);
    }
    child.wait().await.unwrap();
    delays.sort_by(f64::total_cmp);
    eprintln!(
        "a role change on one node seen by a check on the other, {CHANGES} changes: median {:.2} ms, max {:.2} ms",
        delays[CHANGES / 2],
        delays[CHANGES - 1]
    );
}
