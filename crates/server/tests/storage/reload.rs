//! What a restart or a second node reads back, on SQLite and PostgreSQL alike: the
//! stored state, the other node's commits, expiries found on read or by the sweep,
//! and a deleted organization.

use crate::conformance::assert_mirrored;
use crate::support::*;
use steward_core::{Command, InvitationId, Policy, Timestamp};

crate::on_both_backends!(
    a_restart_loads_what_was_stored,
    a_second_node_decides_on_what_the_first_committed,
    an_expired_nomination_is_an_event_when_read,
    the_sweep_expires_invitations_without_a_read,
    a_deleted_organization_answers_no_checks,
);

async fn a_restart_loads_what_was_stored(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("analytics").unwrap();
    let before = {
        let svc = db.service(policy.clone()).await;
        let t = TestOrg::create(&svc, "ana").await;
        t.add("al", "analyst").await;
        t.create_object("al", "d1", "dashboard", None).await;
        t.create_object("al", "c1", "chart", Some("d1")).await;
        t.state().await
    };
    let svc = db.service(policy).await;
    let t = TestOrg::create(&svc, "other").await;
    let ana = TestOrg {
        svc: svc.clone(),
        org: steward_core::OrgId::parse("ana").unwrap(),
    };
    assert_eq!(ana.state().await, before);
    assert_eq!(svc.organization_count(), 2);
    let snapshot = svc.snapshot("ana").unwrap();
    let answer = snapshot.check_by_name("al", "dashboard:edit", "c1");
    assert!(answer.allowed);
    assert_eq!(snapshot.reason_text(&answer).to_string(), "owner");
    assert_mirrored(&t, "other").await;
    assert_mirrored(&ana, "reloaded").await;
}

async fn a_second_node_decides_on_what_the_first_committed(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("operations").unwrap();
    let one = db.service(policy.clone()).await;
    let t1 = TestOrg::create(&one, "ops").await;
    t1.add("ada", "admin").await;
    // The second node starts knowing ada; no listener runs, so it learns the rest
    // only under the write lock.
    let two = db.service(policy).await;
    let t2 = t1.on(&two);
    t1.add("bob", "admin").await;
    assert_eq!(t1.change_role("ada", "bob", "viewer").await, "ok");
    // On node two, ada demoting bob again is a no-op, and ada cannot be the last
    // admin removed... the decision sees bob already a viewer.
    assert_eq!(
        t2.change_role("bob", "ada", "viewer").await,
        "not_permitted"
    );
    assert_eq!(t2.role_of("bob").await.as_deref(), Some("viewer"));
    assert_mirrored(&t2, "node two").await;
    assert_mirrored(&t1, "node one").await;
}

async fn an_expired_nomination_is_an_event_when_read(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "ops").await;
    t.add("ada", "admin").await;
    assert_eq!(t.nominate("owner", "ada").await, "ok");
    svc.clock().advance_days(8);
    // Reading the state turns the nomination into ownership.transfer_expired first.
    assert!(t.state().await.nomination().is_none());
    let events = t.stored_events().await;
    assert_eq!(
        events.last().unwrap().change.type_name(),
        "ownership.transfer_expired"
    );
    assert_eq!(
        t.outcome("ada", Command::AcceptNomination).await,
        "no_pending_transfer"
    );
    assert_mirrored(&t, "expired").await;
}

async fn the_sweep_expires_invitations_without_a_read(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "ops").await;
    let soon = Timestamp(svc.clock().now().0 + DAY);
    t.run(
        "owner",
        Command::Invite {
            invitation_id: InvitationId::parse("inv-x").unwrap(),
            email: email_of("x"),
            name: None,
            role: None,
            scopes: vec![],
            expires_at: soon,
        },
    )
    .await
    .unwrap();
    svc.clock().advance_days(2);
    let sweep = svc.spawn_expiry_sweep(std::time::Duration::from_millis(20));
    let mut expired = false;
    for _ in 0..500 {
        let events = t.stored_events().await;
        if events.last().unwrap().change.type_name() == "invitation.expired" {
            expired = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    sweep.abort();
    assert!(
        expired,
        "the sweep turned the invitation into invitation.expired"
    );
    assert_mirrored(&t, "swept").await;
}

async fn a_deleted_organization_answers_no_checks(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "ops").await;
    assert!(svc.snapshot("ops").is_some());
    t.run("owner", Command::DeleteOrganization).await.unwrap();
    assert!(svc.snapshot("ops").is_none());
    let reopened = db.service(Policy::preset("operations").unwrap()).await;
    assert!(reopened.snapshot("ops").is_none());
}
