//! The memory limit: dropped organizations come back as they were, a write
//! racing a drop is kept, and the estimates stay under the limit.

use super::*;
use crate::service::Loading;
use crate::store::Store;
use steward_core::{Actor, Command, Email, Name, ObjectId, Policy, Snapshot, UserId};

fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn owner() -> Actor {
    Actor::User(uid("owner"))
}

async fn open(store: Store, limit: u64) -> Service {
    let loading = Loading {
        memory_limit: Some(MemoryLimit(limit)),
        ..Loading::default()
    };
    let policy = Policy::preset("operations").unwrap();
    Service::open_counting(store, policy, &loading)
        .await
        .unwrap()
}

/// An organization with an owner, `members` viewers, two sites and a grant.
async fn fill(svc: &Service, org: &str, members: usize) -> OrgId {
    let org = OrgId::parse(org).unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: uid("owner"),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&owner(), create).await.unwrap();
    for i in 0..members {
        let invitation_id = steward_core::InvitationId::parse(&format!("inv-{i}")).unwrap();
        let invite = Command::Invite {
            invitation_id: invitation_id.clone(),
            email: Email::parse(&format!("user{i}@acme.test")).unwrap(),
            name: None,
            role: Some("viewer".into()),
            scopes: vec![],
            expires_at: svc.clock().now().plus_days(1),
        };
        svc.execute(&org, &owner(), invite).await.unwrap();
        let user_id = uid(&format!("user-{i}"));
        let join = Command::Join {
            invitation_id,
            user_id: user_id.clone(),
            name: None,
        };
        svc.execute(&org, &Actor::User(user_id), join)
            .await
            .unwrap();
    }
    for site in ["s1", "s2"] {
        let create = Command::CreateObject {
            object_id: ObjectId::parse(site).unwrap(),
            object_type: "site".into(),
            name: Name::parse("Plant").unwrap(),
            parent_id: None,
            owner_id: None,
        };
        svc.execute(&org, &owner(), create).await.unwrap();
    }
    if members > 0 {
        let grant = Command::SetGrant {
            object_id: ObjectId::parse("s1").unwrap(),
            user_id: uid("user-0"),
            actions: vec!["site:operate".into()],
        };
        svc.execute(&org, &owner(), grant).await.unwrap();
    }
    org
}

/// Sheds until nothing used before is spared: a pass spares what was used at
/// its tick or the one before.
fn drop_unused(svc: &Service) -> usize {
    (0..3).map(|_| svc.shed()).sum()
}

/// Every check on the organization and its objects, for every member and action.
fn every_answer(svc: &Service, snapshot: &Snapshot, state: &State) -> Vec<(bool, String)> {
    let org = state.org().unwrap().id.to_string();
    let nodes: Vec<String> = std::iter::once(org)
        .chain(state.objects().map(|o| o.id.to_string()))
        .collect();
    let mut answers = Vec::new();
    for m in state.members() {
        for node in &nodes {
            for action in svc.policy().actions.iter() {
                let d = snapshot.check_by_name(m.user_id.as_str(), &action.name, node);
                answers.push((d.allowed, snapshot.reason_text(&d).to_string()));
            }
        }
    }
    answers
}

#[tokio::test]
async fn an_evicted_organization_answers_every_read_check_and_write_the_same_when_it_comes_back() {
    let (_dir, store) = crate::store::temp_store().await;
    let svc = open(store, 1).await;
    let org = fill(&svc, "acme", 3).await;
    let state = svc.read(&org, |s| s.clone()).await.unwrap();
    let answers = every_answer(&svc, &svc.snapshot("acme").unwrap(), &state);

    assert_eq!(drop_unused(&svc), 1);
    let figures = svc.holding();
    assert_eq!((figures.held, figures.known, figures.evictions), (0, 1, 1));
    assert_eq!(figures.estimated_bytes, 0);
    // Memory only: a dropped organization has no snapshot until brought back.
    assert!(svc.snapshot("acme").is_none());

    svc.bring_back("acme").await.unwrap();
    assert_eq!(svc.holding().reloads, 1);
    let back = svc.snapshot("acme").expect("held again");
    assert_eq!(every_answer(&svc, &back, &state), answers);
    assert_eq!(svc.read(&org, |s| s.clone()).await.unwrap(), state);

    // A write straight after a drop: the write path loads it itself.
    drop_unused(&svc);
    let change = Command::ChangeRole {
        user_id: uid("user-1"),
        role: "operator".into(),
    };
    let events = svc.execute(&org, &owner(), change).await.unwrap();
    assert_eq!(events.len(), 1);
    let role = svc.read(&org, |s| s.member(&uid("user-1")).unwrap().role.clone());
    assert_eq!(role.await.unwrap(), "operator");
    // And a read straight after a drop.
    drop_unused(&svc);
    let (loaded, _) = svc.store().load_org(&org).await.unwrap();
    assert_eq!(svc.read(&org, |s| s.clone()).await.unwrap(), loaded);
    assert_eq!(svc.holding().reloads, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_racing_an_eviction_is_not_lost() {
    let (_dir, store) = crate::store::temp_store().await;
    let svc = open(store, 1).await;
    let org = fill(&svc, "acme", 8).await;
    // Writers that pause between writes, long enough for the organization to
    // count as unused, while the node sheds every millisecond: drops land
    // between writes and inside them (after a writer found the organization,
    // before it took its lock).
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let (svc, org) = (svc.clone(), org.clone());
            tokio::spawn(async move {
                for round in 0..6 {
                    let role = if round % 2 == 0 { "operator" } else { "viewer" };
                    let change = Command::ChangeRole {
                        user_id: uid(&format!("user-{i}")),
                        role: role.into(),
                    };
                    svc.execute(&org, &owner(), change).await.unwrap();
                    tokio::time::sleep(std::time::Duration::from_millis(3 + i as u64)).await;
                }
            })
        })
        .collect();
    let mut dropped = 0;
    while !writers.iter().all(|w| w.is_finished()) {
        dropped += svc.shed();
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(dropped > 0, "the race was run: some drops happened");
    // Memory, database and a fresh snapshot agree: every change is in all three.
    svc.bring_back("acme").await.unwrap();
    let (loaded, _) = svc.store().load_org(&org).await.unwrap();
    let held = svc.read(&org, |s| s.clone()).await.unwrap();
    assert_eq!(held, loaded);
    let events = svc.store().events_after(&org, 0).await.unwrap().0;
    let role_changes = (events.iter())
        .filter(|e| matches!(e.change, steward_core::Change::RoleChanged { .. }))
        .count();
    assert_eq!(role_changes, 8 * 6);
    for i in 0..8 {
        assert_eq!(
            held.member(&uid(&format!("user-{i}"))).unwrap().role,
            "viewer"
        );
    }
    let fresh = Snapshot::build(svc.policy().clone(), &held);
    let snapshot = svc.snapshot("acme").unwrap();
    assert_eq!(
        every_answer(&svc, &snapshot, &held),
        every_answer(&svc, &fresh, &held)
    );
}

#[tokio::test]
async fn the_limit_is_respected_while_serving_and_at_start_up() {
    let (_dir, store) = crate::store::temp_store().await;
    let one = {
        let svc = open(store.clone(), u64::MAX).await;
        fill(&svc, "probe", 2).await;
        // Estimated again now that it has its members (the shedding pass does).
        svc.shed();
        svc.holding().estimated_bytes
    };
    // Room for three such organizations.
    let limit = one * 3 + one / 2;
    let svc = open(store.clone(), limit).await;
    for i in 0..10 {
        fill(&svc, &format!("org{i}"), 2).await;
        svc.shed();
    }
    drop_unused(&svc);
    let figures = svc.holding();
    assert!(
        figures.estimated_bytes <= limit,
        "{figures:?}, limit {limit}"
    );
    assert!(figures.held >= 2 && figures.held <= 3, "{figures:?}");
    assert_eq!(figures.known, 11);
    // The ones kept are the last used.
    assert!(svc.snapshot("org9").is_some() && svc.snapshot("org0").is_none());

    let restarted = open(store, limit).await;
    let figures = restarted.holding();
    assert!(
        figures.estimated_bytes <= limit,
        "{figures:?}, limit {limit}"
    );
    assert_eq!(figures.known, 11);
    assert!(figures.evictions >= 8, "{figures:?}");
}

#[test]
fn memory_limits_are_read_as_operators_write_them() {
    let bytes = |t: &str| t.parse::<MemoryLimit>().map(|l| l.0);
    assert_eq!(bytes("2GiB"), Ok(2 << 30));
    assert_eq!(bytes("512 MiB"), Ok(512 << 20));
    assert_eq!(bytes("1.5GB"), Ok(1_500_000_000));
    assert_eq!(bytes("800000"), Ok(800_000));
    assert_eq!(bytes("2g"), Ok(2 << 30));
    assert!(matches!(
        bytes("2 parsecs"),
        Err(MemoryLimitError::UnknownUnit(_))
    ));
    assert!(matches!(bytes("GiB"), Err(MemoryLimitError::NotASize(_))));
    assert_eq!(bytes("0"), Err(MemoryLimitError::Zero));
}
