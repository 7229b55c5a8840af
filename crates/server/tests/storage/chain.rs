//! The audit chain, on SQLite and PostgreSQL alike: `verify` walks an intact one and
//! notices an edited, a deleted or a missing last event; an address stored before
//! today's e-mail rules still loads, replays and verifies.

use crate::conformance::assert_mirrored;
use crate::support::*;
use steward_core::{Command, Email, InvitationId, Policy, Timestamp};

crate::on_both_backends!(
    verify_walks_an_intact_chain,
    verify_finds_an_edited_event,
    verify_finds_a_deleted_event,
    verify_finds_the_last_event_gone,
    an_address_stored_before_the_email_rules_still_loads_and_verifies,
);

/// An organization with a few events, for the chain tests.
async fn chained(db: &TestDb) -> TestOrg {
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "ops").await;
    t.add("ada", "admin").await;
    t.add("bob", "viewer").await;
    assert_eq!(t.change_role("ada", "bob", "operator").await, "ok");
    t
}

async fn verify_walks_an_intact_chain(backend: Backend) {
    let db = TestDb::new(backend).await;
    let t = chained(&db).await;
    let report = t.svc.verify(&t.org).await.unwrap();
    assert!(report.ok);
    assert_eq!(report.events, 6);
    assert_eq!(report.first_bad_seq, None);
    let audit = t
        .svc
        .store()
        .audit(
            &t.org,
            &steward::store::AuditFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit[0].event_type, "user.role_changed");
    assert_eq!(audit[0].data["previous_role"], "viewer");
    assert_eq!(audit[0].data["new_role"], "operator");
    assert_eq!(audit[0].prev_hash, audit[1].hash);
}

/// The chain's report after someone with database access ran `sql`.
async fn verify_after(backend: Backend, sql: &str) -> steward::store::ChainReport {
    let db = TestDb::new(backend).await;
    let t = chained(&db).await;
    sqlx::query(sql)
        .execute(t.svc.store().pool())
        .await
        .unwrap();
    t.svc.verify(&t.org).await.unwrap()
}

async fn verify_finds_an_edited_event(backend: Backend) {
    // History rewritten: bob was made admin, not operator.
    let report = verify_after(
        backend,
        "UPDATE events SET body = REPLACE(body, '\"operator\"', '\"admin\"') WHERE org_id = 'ops' AND seq = 6",
    )
    .await;
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(6));
    // Editing only the indexed columns is caught too.
    let report = verify_after(
        backend,
        "UPDATE events SET actor_id = 'owner' WHERE org_id = 'ops' AND seq = 6",
    )
    .await;
    assert_eq!(report.first_bad_seq, Some(6));
}

async fn verify_finds_a_deleted_event(backend: Backend) {
    let report = verify_after(
        backend,
        "DELETE FROM events WHERE org_id = 'ops' AND seq = 3",
    )
    .await;
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(3));
}

async fn verify_finds_the_last_event_gone(backend: Backend) {
    let report = verify_after(
        backend,
        "DELETE FROM events WHERE org_id = 'ops' AND seq = 6",
    )
    .await;
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(6));
}

/// An address an earlier Steward accepted and `Email::parse` now refuses or
/// normalizes (a zero-width space, a decomposed accent) stays readable: the
/// organization loads, its log replays and verifies, and a restart finds the same
/// state, with the address as it was stored.
async fn an_address_stored_before_the_email_rules_still_loads_and_verifies(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("operations").unwrap();
    let stored = ["z\u{200B}ed@acme.test", "jose\u{0301}@acme.test"];
    let before = {
        let svc = db.service(policy.clone()).await;
        let t = TestOrg::create(&svc, "old").await;
        for (user, address) in ["zed", "jose"].into_iter().zip(stored) {
            assert!(Email::parse(address).map_or(true, |e| e.as_str() != address));
            let invitation_id = InvitationId::parse(&format!("inv-{user}")).unwrap();
            let invite = Command::Invite {
                invitation_id: invitation_id.clone(),
                email: Email::from_stored(address).unwrap(),
                name: None,
                role: Some("viewer".into()),
                scopes: vec![],
                expires_at: Timestamp(svc.clock().now().0 + DAY),
            };
            t.run("owner", invite).await.unwrap();
            let join = Command::Join {
                invitation_id,
                user_id: uid(user),
                name: None,
            };
            t.run(user, join).await.unwrap();
        }
        assert_mirrored(&t, "stored").await;
        t.state().await
    };
    let t = TestOrg {
        svc: db.service(policy).await,
        org: steward_core::OrgId::parse("old").unwrap(),
    };
    assert_eq!(t.state().await, before);
    let emails: Vec<String> = before.members().map(|m| m.email.to_string()).collect();
    for address in stored {
        assert!(emails.contains(&address.to_string()), "{emails:?}");
    }
    assert_mirrored(&t, "reloaded").await;
}
