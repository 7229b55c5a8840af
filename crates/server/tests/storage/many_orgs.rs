//! The start-up reads every organization with one scan per table, split per
//! organization as the rows stream (store/load_many.rs): each organization comes
//! out as its own read does. And a node that does not hold an organization,
//! under a memory limit, follows its API keys when another node changes it,
//! without loading it (docs/scaling.md#routing-organizations-to-nodes).

use crate::support::*;
use std::sync::atomic::Ordering;
use steward::service::{Loading, MemoryLimit, Service};
use steward_core::{ApiKeyId, Command, Policy, Timestamp, WebhookId};

crate::on_both_backends!(
    the_start_up_scan_reads_every_organization_as_its_own_read_does,
    a_key_revoked_on_another_node_stops_at_once_on_a_node_that_dropped_its_organization,
    an_organization_created_on_another_node_is_known_but_not_loaded_under_a_memory_limit,
    a_large_organization_between_small_ones_is_read_alone_and_the_scans_skip_it,
);

fn key(org: &str, n: u8) -> Command {
    Command::CreateApiKey {
        key_id: ApiKeyId::parse(&format!("key-{org}-{n}")).unwrap(),
        name: name("Back-end"),
        key_hash: format!("{n:02x}").repeat(32),
        permissions: vec!["check".into()],
    }
}

/// A node with a memory limit of one byte: whatever it loads, its next
/// shedding passes drop.
async fn node_holding_nothing(db: &TestDb) -> Service {
    let loading = Loading {
        memory_limit: Some(MemoryLimit(1)),
        ..Loading::default()
    };
    let policy = Policy::preset("operations").unwrap();
    let svc = Service::open_counting(db.store().await, policy, &loading)
        .await
        .unwrap();
    for _ in 0..3 {
        svc.shed();
    }
    assert_eq!(svc.holding().held, 0);
    svc
}

async fn the_start_up_scan_reads_every_organization_as_its_own_read_does(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    // Created out of id order, each with rows in several tables, so that the
    // scans interleave; one with no members but its owner, one deleted.
    let ids = ["m-3", "a-1", "z_9", "m.2", "b-0", "empty"];
    let later = Timestamp(svc.clock().now().0 + 7 * DAY);
    for (i, id) in ids.iter().enumerate() {
        let t = TestOrg::create(&svc, id).await;
        if *id == "empty" {
            continue;
        }
        for j in 0..=i {
            t.add(
                &format!("u{j}"),
                if j % 2 == 0 { "operator" } else { "viewer" },
            )
            .await;
            t.create_object("owner", &format!("site{j}"), "site", None)
                .await;
        }
        t.run("owner", key(id.replace('.', "_").as_str(), i as u8 + 1))
            .await
            .unwrap();
        let hook = Command::ConfigureWebhook {
            webhook_id: WebhookId::parse(&format!("hook-{i}")).unwrap(),
            url: "https://hooks.example.test/steward".into(),
            event_types: vec![],
            enabled: i % 2 == 0,
        };
        t.run("owner", hook).await.unwrap();
        let invite = Command::Invite {
            invitation_id: steward_core::InvitationId::parse(&format!("inv-{i}")).unwrap(),
            email: email_of(&format!("new{i}")),
            name: None,
            role: None,
            scopes: vec![],
            expires_at: later,
        };
        t.run("owner", invite).await.unwrap();
        if i == 1 {
            t.run("owner", Command::DeleteOrganization).await.unwrap();
        }
    }
    let loading = Loading::default();
    let policy = Policy::preset("operations").unwrap();
    let fresh = Service::open_counting(db.store().await, policy, &loading)
        .await
        .unwrap();
    assert_eq!(loading.loaded.load(Ordering::Relaxed), ids.len());
    assert_eq!(loading.total.load(Ordering::Relaxed), ids.len());
    for id in ids {
        let t = TestOrg {
            svc: fresh.clone(),
            org: steward_core::OrgId::parse(id).unwrap(),
        };
        let (alone, _) = fresh.store().load_org_by_rows(&t.org).await.unwrap();
        assert_eq!(t.state().await, alone, "{id}");
        assert_eq!(
            t.state().await,
            TestOrg {
                svc: svc.clone(),
                org: t.org.clone()
            }
            .state()
            .await
        );
    }
    // The keys of every organization but the deleted one answer.
    for (i, _) in ids
        .iter()
        .enumerate()
        .filter(|(i, id)| *i != 1 && **id != "empty")
    {
        let hash = [i as u8 + 1; 32];
        assert!(fresh.api_key(&hash).is_some(), "key of {}", ids[i]);
    }
    assert!(fresh.api_key(&[2; 32]).is_none(), "the deleted one's key");
}

async fn a_key_revoked_on_another_node_stops_at_once_on_a_node_that_dropped_its_organization(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let b = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&b, "acme").await;
    t.add("bob", "viewer").await;
    t.run("owner", key("acme", 7)).await.unwrap();
    t.run("owner", key("acme", 8)).await.unwrap();

    let a = node_holding_nothing(&db).await;
    assert!(a.api_key(&[7; 32]).is_some(), "known from the start-up");
    let reloads = a.holding().reloads;

    let revoke = Command::RevokeApiKey {
        key_id: ApiKeyId::parse("key-acme-7").unwrap(),
    };
    t.run("owner", revoke).await.unwrap();
    // What B's change notice (or, on SQLite, the file watcher) makes A do.
    a.refresh(&t.org).await.unwrap();
    assert!(a.api_key(&[7; 32]).is_none(), "revoked on B");
    assert!(a.api_key(&[8; 32]).is_some(), "the other key stays");
    let held = a.holding();
    assert_eq!(
        (held.held, held.reloads),
        (0, reloads),
        "A did not load acme"
    );

    // Its next use loads it, as it is now.
    let on_a = t.on(&a);
    assert_eq!(on_a.role_of("bob").await.as_deref(), Some("viewer"));
    assert_eq!(on_a.state().await.api_keys().count(), 1);
    assert_eq!(a.holding().reloads, reloads + 1);

    // Deleted on B: its keys stop on A, still without loading it.
    for _ in 0..3 {
        a.shed();
    }
    t.run("owner", Command::DeleteOrganization).await.unwrap();
    a.refresh(&t.org).await.unwrap();
    assert!(a.api_key(&[8; 32]).is_none(), "deleted on B");
    assert_eq!(a.holding().held, 0);
}

async fn an_organization_created_on_another_node_is_known_but_not_loaded_under_a_memory_limit(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let b = db.service(Policy::preset("operations").unwrap()).await;
    let a = node_holding_nothing(&db).await;
    let t = TestOrg::create(&b, "newco").await;
    t.add("bob", "operator").await;
    t.run("owner", key("newco", 9)).await.unwrap();

    a.refresh(&t.org).await.unwrap();
    let held = a.holding();
    assert_eq!((held.held, held.known), (0, 1), "known, not held");
    assert!(a.api_key(&[9; 32]).is_some(), "its key answers");
    assert!(
        a.snapshot("newco").is_none(),
        "no checks from an unheld one"
    );

    a.bring_back("newco").await.unwrap();
    let snapshot = a.snapshot("newco").expect("held after bring_back");
    assert!(
        snapshot
            .check_by_name("owner", "members:manage", "newco")
            .allowed
    );
    assert_eq!(a.holding().held, 1);

    // A read through the service loads one it does not know, too.
    let c = node_holding_nothing(&db).await;
    let other = TestOrg::create(&b, "other").await;
    other.add("cy", "viewer").await;
    assert_eq!(other.on(&c).role_of("cy").await.as_deref(), Some("viewer"));
}

async fn a_large_organization_between_small_ones_is_read_alone_and_the_scans_skip_it(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    for id in ["a", "m", "z"] {
        let t = TestOrg::create(&svc, id).await;
        t.add("bob", "viewer").await;
        t.create_object("owner", "site1", "site", None).await;
    }
    // 26,000 members, past the 25,000 from which an organization is read alone.
    let numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 26000)";
    let members = format!(
        "{numbers} INSERT INTO memberships (org_id, user_id, email, name, role) \
         SELECT 'm', 'u' || i, 'u' || i || '@example.com', 'Member ' || i, 'viewer' FROM n"
    );
    sqlx::query(&members)
        .execute(svc.store().pool())
        .await
        .unwrap();
    let fresh = db.service(Policy::preset("operations").unwrap()).await;
    for id in ["a", "m", "z"] {
        let org = steward_core::OrgId::parse(id).unwrap();
        let (alone, _) = fresh.store().load_org_by_rows(&org).await.unwrap();
        let held = TestOrg {
            svc: fresh.clone(),
            org,
        }
        .state()
        .await;
        assert_eq!(held, alone, "{id}");
    }
    assert_eq!(
        TestOrg {
            svc: fresh.clone(),
            org: steward_core::OrgId::parse("m").unwrap()
        }
        .state()
        .await
        .member_count(),
        26_002
    );
}
