//! Races between two nodes on one database: the organization's write lock makes
//! concurrent changes take turns, so a rule that counts (at least one owner, the
//! minimum of admins, one owner after a transfer) holds however they interleave.
//! Each round runs two commands at the same moment, one through each node.

use crate::support::*;
use std::collections::BTreeMap;
use steward::service::Service;
use steward_core::{Command, Policy};

crate::on_both_backends!(
    the_last_two_owners_demoting_each_other_leave_an_owner,
    the_last_two_admins_demoting_each_other_leave_an_admin,
    the_owner_demoting_the_last_two_admins_at_once_keeps_one,
    concurrent_transfers_end_with_exactly_one_owner,
);

const ROUNDS: usize = 200;
const TRANSFER_ROUNDS: usize = 100;

/// Two nodes on one fresh database, and an organization on the first.
async fn two_nodes(db: &TestDb, policy: Policy) -> (TestOrg, TestOrg) {
    let one = db.service(policy.clone()).await;
    let two = db.service(policy).await;
    let t1 = TestOrg::create(&one, "acme").await;
    let t2 = t1.on(&two);
    (t1, t2)
}

/// Runs both changes at the same moment; their outcomes, in order.
async fn race(a: (&TestOrg, &str, Command), b: (&TestOrg, &str, Command)) -> (String, String) {
    let (ta, by_a, ca) = a;
    let (tb, by_b, cb) = b;
    let (ra, rb) = tokio::join!(
        tokio::spawn({
            let (svc, org, by) = (ta.svc.clone(), ta.org.clone(), by_a.to_string());
            async move { outcome(&svc, &org, &by, ca).await }
        }),
        tokio::spawn({
            let (svc, org, by) = (tb.svc.clone(), tb.org.clone(), by_b.to_string());
            async move { outcome(&svc, &org, &by, cb).await }
        }),
    );
    (ra.unwrap(), rb.unwrap())
}

async fn outcome(svc: &Service, org: &steward_core::OrgId, by: &str, command: Command) -> String {
    match svc.execute(org, &actor(by), command).await {
        Ok(_) => "ok".into(),
        Err(steward::service::ServiceError::Refused(r)) => {
            if r.reason() == "unknown_org" {
                let st = svc
                    .read(org, |s| {
                        format!(
                            "{:?} {:?}",
                            s.org(),
                            s.members()
                                .map(|m| (m.user_id.to_string(), m.role.clone()))
                                .collect::<Vec<_>>()
                        )
                    })
                    .await;
                eprintln!("UNKNOWN {by}: {st:?}");
            }
            r.reason().into()
        }
        Err(e) => panic!("store failed during a race: {e}"),
    }
}

fn demote(user: &str, role: &str) -> Command {
    Command::ChangeRole {
        user_id: uid(user),
        role: role.into(),
    }
}

/// How often each pair of outcomes happened, for the report.
fn tally(counts: &mut BTreeMap<String, usize>, (a, b): &(String, String)) {
    *counts.entry(format!("{a} + {b}")).or_default() += 1;
}

/// The database's own answer (the state tables, reloaded) and both nodes' memory.
async fn count_everywhere(
    t1: &TestOrg,
    t2: &TestOrg,
    count: impl Fn(&steward_core::State) -> usize,
) -> [usize; 3] {
    let (stored, _) = t1.svc.store().load_org(&t1.org).await.unwrap();
    t2.svc.refresh(&t2.org).await.unwrap();
    t1.svc.refresh(&t1.org).await.unwrap();
    [
        count(&stored),
        count(&t1.state().await),
        count(&t2.state().await),
    ]
}

async fn the_last_two_owners_demoting_each_other_leave_an_owner(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("systems").unwrap();
    let (t1, t2) = two_nodes(&db, policy.clone()).await;
    t1.add("bob", "member").await;
    assert_eq!(t1.change_role("owner", "bob", "owner").await, "ok");
    let mut counts = BTreeMap::new();
    for round in 0..ROUNDS {
        let outcomes = race(
            (&t1, "owner", demote("bob", "member")),
            (&t2, "bob", demote("owner", "member")),
        )
        .await;
        tally(&mut counts, &outcomes);
        let owners = count_everywhere(&t1, &t2, |s| s.owner_count(&policy)).await;
        assert_eq!(owners, [1, 1, 1], "round {round}: {outcomes:?}");
        // Whoever is still owner makes the other an owner again.
        let survivor = if t1.role_of("owner").await.as_deref() == Some("owner") {
            ("owner", "bob")
        } else {
            ("bob", "owner")
        };
        assert_eq!(t1.change_role(survivor.0, survivor.1, "owner").await, "ok");
    }
    eprintln!(
        "{backend:?}: {ROUNDS} rounds of the last two owners demoting each other: {counts:?}"
    );
    assert_eq!(counts.values().sum::<usize>(), ROUNDS);
}

/// Operations, where the owner does not count as an admin.
fn owner_not_admin() -> Policy {
    let source = Policy::preset("operations").unwrap().source.replace(
        "admin_roles = [\"admin\", \"owner\"]",
        "admin_roles = [\"admin\"]",
    );
    Policy::parse(&source).unwrap()
}

/// Two nodes on an organization whose admins are ada and bob (the owner is none).
async fn two_admins(db: &TestDb, policy: &Policy) -> (TestOrg, TestOrg) {
    let (t1, t2) = two_nodes(db, policy.clone()).await;
    t1.add("ada", "admin").await;
    t1.add("bob", "admin").await;
    (t1, t2)
}

/// After a round: the owner makes whoever was demoted an admin again.
async fn admins_again(t: &TestOrg) {
    for who in ["ada", "bob"] {
        if t.role_of(who).await.as_deref() != Some("admin") {
            assert_eq!(t.change_role("owner", who, "admin").await, "ok");
        }
    }
}

async fn the_last_two_admins_demoting_each_other_leave_an_admin(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = owner_not_admin();
    let (t1, t2) = two_admins(&db, &policy).await;
    let mut counts = BTreeMap::new();
    for round in 0..ROUNDS {
        let outcomes = race(
            (&t1, "ada", demote("bob", "viewer")),
            (&t2, "bob", demote("ada", "viewer")),
        )
        .await;
        tally(&mut counts, &outcomes);
        let admins = count_everywhere(&t1, &t2, |s| s.admin_count(&policy)).await;
        assert_eq!(admins, [1, 1, 1], "round {round}: {outcomes:?}");
        admins_again(&t1).await;
    }
    eprintln!(
        "{backend:?}: {ROUNDS} rounds of the last two admins demoting each other: {counts:?}"
    );
}

async fn the_owner_demoting_the_last_two_admins_at_once_keeps_one(backend: Backend) {
    // Here both changes stay permitted whoever goes first: only the count stops one.
    let db = TestDb::new(backend).await;
    let policy = owner_not_admin();
    let (t1, t2) = two_admins(&db, &policy).await;
    let mut counts = BTreeMap::new();
    for round in 0..ROUNDS {
        let outcomes = race(
            (&t1, "owner", demote("ada", "viewer")),
            (&t2, "owner", demote("bob", "viewer")),
        )
        .await;
        tally(&mut counts, &outcomes);
        let mut sorted = [outcomes.0.as_str(), outcomes.1.as_str()];
        sorted.sort();
        assert_eq!(sorted, ["last_admin", "ok"], "round {round}");
        let admins = count_everywhere(&t1, &t2, |s| s.admin_count(&policy)).await;
        assert_eq!(admins, [1, 1, 1], "round {round}: {outcomes:?}");
        admins_again(&t1).await;
    }
    eprintln!("{backend:?}: {ROUNDS} rounds of the owner demoting the last two admins at once: {counts:?}");
}

async fn concurrent_transfers_end_with_exactly_one_owner(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("operations").unwrap();
    let (t1, t2) = two_nodes(&db, policy.clone()).await;
    t1.add("ada", "admin").await;
    t1.add("bob", "admin").await;
    let mut counts = BTreeMap::new();
    let mut owner = "owner".to_string();
    for round in 0..TRANSFER_ROUNDS {
        let others: Vec<&str> = ["owner", "ada", "bob"]
            .into_iter()
            .filter(|u| *u != owner)
            .collect();
        let (nominee, rival) = (others[0], others[1]);
        assert_eq!(t1.nominate(&owner, nominee).await, "ok", "round {round}");
        let outcomes = if round % 2 == 0 {
            // The nominee accepts on both nodes at once.
            race(
                (&t1, nominee, Command::AcceptNomination),
                (&t2, nominee, Command::AcceptNomination),
            )
            .await
        } else {
            // The nominee accepts while the owner cancels to nominate someone else.
            race(
                (&t1, nominee, Command::AcceptNomination),
                (&t2, &owner, Command::CancelNomination),
            )
            .await
        };
        tally(&mut counts, &outcomes);
        let owners = count_everywhere(&t1, &t2, |s| s.owner_count(&policy)).await;
        assert_eq!(owners, [1, 1, 1], "round {round}: {outcomes:?}");
        let state = t1.state().await;
        owner = state.owner_id(&policy).unwrap().to_string();
        assert!(
            state.nomination().is_none(),
            "round {round}: the nomination was settled"
        );
        let _ = rival;
    }
    eprintln!("{backend:?}: {TRANSFER_ROUNDS} rounds of concurrent transfers: {counts:?}");
}
