//! The service's own tests: one copy per organization, changes decided in
//! order, turns that leave nothing when refused, and what a turn costs.

use super::*;
use steward_core::{Email, Name};

#[tokio::test]
async fn an_organization_loaded_twice_stays_one_copy() {
    // Two commands can both find an organization missing and both load it; a
    // second copy would take changes that checks on the first never see.
    let (_dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let owner = UserId::parse("owner").unwrap();
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: owner.clone(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&Actor::User(owner), create)
        .await
        .unwrap();
    let held = svc.live("acme").unwrap();
    svc.load(&org).await.unwrap();
    assert!(Arc::ptr_eq(&held, &svc.live("acme").unwrap()));
}

/// An invitation and its joining, in turn, as a directory's create is.
fn invite_and_join(svc: &Service, i: usize) -> Vec<(Actor, Command)> {
    let owner = Actor::User(UserId::parse("owner").unwrap());
    let invitation_id = steward_core::InvitationId::parse(&format!("inv-{i}")).unwrap();
    let user_id = UserId::parse(&format!("user-{i}")).unwrap();
    vec![
        (
            owner,
            Command::Invite {
                invitation_id: invitation_id.clone(),
                email: Email::parse(&format!("user{i}@acme.test")).unwrap(),
                name: None,
                role: None,
                scopes: vec![],
                expires_at: svc.clock().now().plus_days(1),
            },
        ),
        (
            Actor::User(user_id.clone()),
            Command::Join {
                invitation_id,
                user_id,
                name: None,
            },
        ),
    ]
}

#[tokio::test]
async fn a_turn_refused_at_its_last_step_leaves_nothing_of_the_earlier_ones() {
    let (_dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let owner = UserId::parse("owner").unwrap();
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: owner.clone(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&Actor::User(owner), create)
        .await
        .unwrap();
    let mut steps = invite_and_join(&svc, 1);
    // Someone else joining the invitation: refused after the invitation was folded.
    steps[1].0 = Actor::User(UserId::parse("mallory").unwrap());
    let refused = svc.execute_in_turn(&org, steps).await;
    assert!(refused.is_err());
    let held = svc.read(&org, |state| state.clone()).await.unwrap();
    assert_eq!(held.invitations().count(), 0, "held state rolled back");
    let (stored, _) = svc.store().load_org(&org).await.unwrap();
    assert_eq!(stored, held);
    let snapshot = svc.snapshot("acme").unwrap();
    assert!(!snapshot.is_member("user-1"));
    // And the next turn goes through.
    svc.execute_in_turn(&org, invite_and_join(&svc, 1))
        .await
        .unwrap();
    assert!(svc.snapshot("acme").unwrap().is_member("user-1"));
}

#[tokio::test]
async fn a_refused_turn_stores_none_of_the_rows_alongside_it_and_a_permitted_one_all() {
    // A SCIM create: a new account and the directory's record go with the
    // invitation and the joining, or not at all.
    let (_dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let owner = UserId::parse("owner").unwrap();
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: owner.clone(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&Actor::User(owner), create)
        .await
        .unwrap();
    let email = Email::parse("user1@acme.test").unwrap();
    let alongside = [
        Alongside::Account(crate::store::Account {
            id: UserId::parse("user-1").unwrap(),
            email: email.clone(),
            name: Name::parse("User").unwrap(),
            password_hash: None,
            created_at: svc.clock().now(),
        }),
        Alongside::ScimUser(crate::store::ScimUserRow {
            user_id: "user-1".into(),
            user_name: "user1@acme.test".into(),
            external_id: Some("00u1".into()),
            active: true,
            body: "{}".into(),
            updated_at: 0,
        }),
    ];
    let mut steps = invite_and_join(&svc, 1);
    steps[1].0 = Actor::User(UserId::parse("mallory").unwrap());
    assert!(svc
        .execute_in_turn_with(&org, steps, &alongside)
        .await
        .is_err());
    assert_eq!(svc.store().account_by_email(&email).await.unwrap(), None);
    assert_eq!(svc.store().scim_user("acme", "user-1").await.unwrap(), None);
    svc.execute_in_turn_with(&org, invite_and_join(&svc, 1), &alongside)
        .await
        .unwrap();
    assert!(svc
        .store()
        .account_by_email(&email)
        .await
        .unwrap()
        .is_some());
    assert!(svc
        .store()
        .scim_user("acme", "user-1")
        .await
        .unwrap()
        .is_some());
    assert!(svc.snapshot("acme").unwrap().is_member("user-1"));
}

/// The cost of a command in turn as the organization grows (docs/benchmarks.md):
/// `cargo test -p steward --lib -- --ignored turns_stay_cheap --nocapture`.
#[tokio::test]
#[ignore = "a measurement"]
async fn turns_stay_cheap_as_the_organization_grows() {
    let (_dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let owner = UserId::parse("owner").unwrap();
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: owner.clone(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&Actor::User(owner), create)
        .await
        .unwrap();
    let mut i = 0;
    for size in [100, 2_000, 5_000] {
        let start = std::time::Instant::now();
        let mut timed = 0;
        while i < size {
            let turn = std::time::Instant::now();
            svc.execute_in_turn(&org, invite_and_join(&svc, i))
                .await
                .unwrap();
            if i + 100 >= size {
                timed += turn.elapsed().as_micros();
            }
            i += 1;
        }
        println!(
            "{size} members: last 100 turns {} us each ({} s in all)",
            timed / 100,
            start.elapsed().as_secs_f32()
        );
    }
}

#[tokio::test]
async fn each_command_is_decided_after_the_ones_before_it_and_a_refusal_stops_none() {
    let (_dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let owner = Actor::User(UserId::parse("owner").unwrap());
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: UserId::parse("owner").unwrap(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&owner, create).await.unwrap();
    let expires_at = svc.clock().now().plus_days(7);
    let invite = |id: &str, email: &str| Command::Invite {
        invitation_id: steward_core::InvitationId::parse(id).unwrap(),
        email: Email::parse(email).unwrap(),
        name: None,
        role: None,
        scopes: vec![],
        expires_at,
    };
    let outcomes = svc
        .execute_each(
            &org,
            &owner,
            vec![
                invite("inv-1", "ann@acme.test"),
                // Refused only because the first is decided before it.
                invite("inv-2", "ann@acme.test"),
                invite("inv-3", "bob@acme.test"),
            ],
        )
        .await
        .unwrap();
    let reasons: Vec<_> = outcomes
        .iter()
        .map(|o| o.as_ref().map_or_else(|r| r.reason(), |_| "ok"))
        .collect();
    assert_eq!(reasons, ["ok", "already_invited", "ok"]);
    let stored = svc
        .read(&org, |state| {
            state
                .invitations()
                .map(|i| i.id.to_string())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
    assert_eq!(stored, ["inv-1", "inv-3"]);
    // Stored, not only held: the database agrees with memory.
    let (loaded, _) = svc.store().load_org(&org).await.unwrap();
    assert_eq!(loaded.invitations().count(), 2);
}

/// An organization "acme" owned by "owner", on a fresh service.
async fn acme() -> (tempfile::TempDir, Service, OrgId) {
    let (dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store, Policy::preset("operations").unwrap())
        .await
        .unwrap();
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: UserId::parse("owner").unwrap(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    let owner = Actor::User(UserId::parse("owner").unwrap());
    svc.create_organization(&owner, create).await.unwrap();
    (dir, svc, org)
}

#[tokio::test]
async fn a_read_while_a_write_holds_the_organization_answers_the_committed_state() {
    let (_dir, svc, org) = acme().await;
    let before = svc.read(&org, |s| s.clone()).await.unwrap();
    let live = svc.live("acme").unwrap();
    let _writing = live.books.lock().await;
    // Before the view, this read waited for the lock for ever.
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        svc.read(&org, |s| s.clone()),
    );
    assert_eq!(read.await.expect("answered").unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_during_a_long_import_answers_without_waiting_for_it() {
    let (_dir, svc, org) = acme().await;
    let invitations = |s: &State| s.invitations().count();
    assert_eq!(svc.read(&org, invitations).await.unwrap(), 0);
    let rows = import_rows(&svc, 3_000);
    let importing = {
        let (svc, org) = (svc.clone(), org.clone());
        let owner = Actor::User(UserId::parse("owner").unwrap());
        tokio::spawn(async move { svc.import(&org, &owner, rows, false).await })
    };
    let live = svc.live("acme").unwrap();
    while live.books.try_lock().is_ok() {
        assert!(
            !importing.is_finished(),
            "the import never held the organization"
        );
        tokio::task::yield_now().await;
    }
    // The import holds the organization: a read that waited would see its
    // 3,000 invitations; this one answers the state before it.
    assert_eq!(svc.read(&org, invitations).await.unwrap(), 0);
    let plan = importing.await.unwrap().unwrap();
    assert!(plan.refused.is_empty());
    assert_eq!(svc.read(&org, invitations).await.unwrap(), 3_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_during_an_import_answers_even_when_no_read_came_since_the_last_commit() {
    let (_dir, svc, org) = acme().await;
    let owner = Actor::User(UserId::parse("owner").unwrap());
    let invitations = |s: &State| s.invitations().count();
    let live = svc.live("acme").unwrap();
    assert!(live.view().is_none(), "no read has shared the state yet");
    let rows = import_rows(&svc, 3_000);
    let importing = {
        let (svc, org, owner) = (svc.clone(), org.clone(), owner.clone());
        tokio::spawn(async move { svc.import(&org, &owner, rows, false).await })
    };
    // The import shares the committed state before it decides: wait for that,
    // with the organization still held by it.
    while live.view().is_none() || live.books.try_lock().is_ok() {
        assert!(
            !importing.is_finished(),
            "the import ended without sharing the committed state"
        );
        tokio::task::yield_now().await;
    }
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        svc.read(&org, invitations),
    );
    assert_eq!(read.await.expect("answered").unwrap(), 0);
    assert!(importing.await.unwrap().unwrap().refused.is_empty());
    assert_eq!(svc.read(&org, invitations).await.unwrap(), 3_000);
}

/// `n` invitations to import into "acme", each row valid.
fn import_rows(svc: &Service, n: usize) -> Vec<ImportRow> {
    let expires_at = svc.clock().now().plus_days(1);
    (0..n)
        .map(|i| ImportRow {
            line: i + 2,
            email: Email::parse(&format!("person{i}@acme.test")).unwrap(),
            name: None,
            role: "viewer".into(),
            scopes: None,
            invitation_id: steward_core::InvitationId::parse(&format!("imp-{i}")).unwrap(),
            expires_at,
        })
        .collect()
}

#[tokio::test]
async fn a_drifted_snapshot_is_rebuilt_in_the_background_and_answers_the_same() {
    let (_dir, svc, org) = acme().await;
    let owner = Actor::User(UserId::parse("owner").unwrap());
    svc.execute_in_turn(&org, invite_and_join(&svc, 1))
        .await
        .unwrap();
    let site = steward_core::ObjectId::parse("site-1").unwrap();
    svc.execute(
        &org,
        &owner,
        Command::CreateObject {
            object_id: site.clone(),
            object_type: "site".into(),
            name: Name::parse("Plant 1").unwrap(),
            parent_id: None,
            owner_id: None,
        },
    )
    .await
    .unwrap();
    let grant = |actions: &[&str]| Command::SetGrant {
        object_id: site.clone(),
        user_id: UserId::parse("user-1").unwrap(),
        actions: actions.iter().map(|a| a.to_string()).collect(),
    };
    // Given and taken back, again and again: each leaves the member's bit set.
    let mut churn = Vec::new();
    for _ in 0..1100 {
        churn.push(grant(&["site:operate"]));
        churn.push(grant(&[]));
    }
    churn.push(grant(&["site:view"]));
    let before = svc.snapshot_rebuilds();
    svc.execute_each(&org, &owner, churn).await.unwrap();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while svc.snapshot_rebuilds() == before {
        assert!(std::time::Instant::now() < deadline, "never rebuilt");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let held = svc.snapshot("acme").unwrap();
    assert!(!held.has_drifted());
    let fresh = svc
        .read(&org, |state| Snapshot::build(svc.policy().clone(), state))
        .await
        .unwrap();
    for user in ["owner", "user-1"] {
        for action in &svc.policy().actions {
            for object in ["site-1", "acme"] {
                let (h, f) = (
                    held.check_by_name(user, &action.name, object),
                    fresh.check_by_name(user, &action.name, object),
                );
                assert_eq!(
                    (h.allowed, held.reason_text(&h).to_string()),
                    (f.allowed, fresh.reason_text(&f).to_string()),
                    "{user} {} {object}",
                    action.name
                );
            }
        }
    }
    assert!(held.check_by_name("user-1", "site:view", "site-1").allowed);
    assert!(
        !held
            .check_by_name("user-1", "site:operate", "site-1")
            .allowed
    );
}
