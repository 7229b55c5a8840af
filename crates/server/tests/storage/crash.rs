//! Crash safety: a large all-or-nothing batch is written by a child process that is
//! killed with SIGKILL while its transaction is open. Reopened, the database holds
//! every row of the batch or none, and the audit chain verifies.

use crate::support::*;
use std::time::Duration;
use steward_core::{Command, ImportRow, InvitationId, OrgId, Policy, Timestamp};
use tokio::io::{AsyncBufReadExt, BufReader};

crate::on_both_backends!(a_batch_killed_mid_way_leaves_every_row_or_none);

const ROWS: usize = 50_000;

/// The child: imports ROWS new members into "acme" in one command.
#[tokio::test]
#[ignore = "run by a_batch_killed_mid_way_leaves_every_row_or_none as its child process"]
async fn crash_child() {
    let Ok(url) = std::env::var("STEWARD_CRASH_URL") else {
        return;
    };
    let store = steward::store::Store::open(&url).await.unwrap();
    let svc = steward::service::Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let expires_at = Timestamp(svc.clock().now().0 + 7 * DAY);
    let rows = (0..ROWS)
        .map(|i| ImportRow {
            line: i + 2,
            email: email_of(&format!("new{i}")),
            name: None,
            role: "viewer".into(),
            scopes: None,
            invitation_id: InvitationId::parse(&format!("imp-{i}")).unwrap(),
            expires_at,
        })
        .collect();
    // The test harness may print "test ... " before this on the same line.
    println!("begin");
    let org = OrgId::parse("acme").unwrap();
    svc.execute(&org, &actor("owner"), Command::Import { rows })
        .await
        .unwrap();
    println!("done");
}

/// Whether the child's transaction has written (is under way), as the database
/// shows it from outside.
async fn write_under_way(db: &TestDb, baseline_wal: u64) -> bool {
    match db.backend {
        Backend::Sqlite => {
            // A transaction larger than the page cache spills its pages into the WAL
            // before it commits.
            let wal = db.url.trim_start_matches("sqlite://").to_string() + "-wal";
            std::fs::metadata(wal).map_or(0, |m| m.len()) > baseline_wal + (4 << 20)
        }
        Backend::Postgres => {
            let store = db.store().await;
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            n > 0
        }
    }
}

async fn a_batch_killed_mid_way_leaves_every_row_or_none(backend: Backend) {
    let db = TestDb::new(backend).await;
    {
        let svc = db.service(Policy::preset("operations").unwrap()).await;
        TestOrg::create(&svc, "acme").await;
    }
    let wal = db.url.trim_start_matches("sqlite://").to_string() + "-wal";
    let baseline_wal = std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mut child = spawn_child(
        "crash::crash_child",
        &[("STEWARD_CRASH_URL", db.url.clone())],
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the child started its batch");
        if line.ends_with("begin") {
            break;
        }
    }
    let mut under_way = false;
    for _ in 0..60_000 {
        if write_under_way(&db, baseline_wal).await {
            under_way = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(under_way, "the child's transaction never started writing");
    tokio::time::sleep(Duration::from_millis(5)).await;
    child.kill().await.unwrap();
    let mut finished = false;
    while let Ok(Some(line)) = lines.next_line().await {
        finished |= line.ends_with("done");
    }
    assert!(
        !finished,
        "the batch finished before the kill: make it larger"
    );

    // PostgreSQL ends the killed client's transaction when its connection drops.
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg {
        svc: svc.clone(),
        org: OrgId::parse("acme").unwrap(),
    };
    let state = t.state().await;
    let invited = state.invitations().count();
    assert!(
        invited == 0 || invited == ROWS,
        "{invited} of {ROWS} rows survived"
    );
    let report = svc.verify(&t.org).await.unwrap();
    assert!(report.ok, "{report:?}");
    let (loaded, head) = svc.store().load_org(&t.org).await.unwrap();
    assert_eq!(loaded, state);
    let events = t.stored_events().await;
    assert_eq!(events.len() as i64, head.seq);
    assert_eq!(steward_core::replay(&events), state);
    eprintln!("{backend:?}: killed mid-batch, {invited} of {ROWS} rows after reopening, chain of {} events verified", report.events);
}
