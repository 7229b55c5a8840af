//! Group commit (docs/architecture.md#group-commit): changes to several
//! organizations held back, then let go together, commit as a group, and each
//! is still decided, refused or failed on its own.

use crate::support::*;
use std::time::Duration;
use steward::service::{Service, ServiceError};
use steward::store::Store;
use steward_core::{Change, Command, Policy};

crate::on_both_backends!(
    a_refused_command_in_a_group_refuses_only_itself,
    a_failed_write_in_the_middle_of_a_group_fails_only_its_command,
    a_group_whose_commit_fails_stores_none_of_its_changes,
    a_groups_events_are_in_each_organizations_chain_in_order,
);

/// Eight organizations, so that on PostgreSQL's four lanes at least two share one.
const ORGS: usize = 8;

async fn organizations(svc: &Service) -> Vec<TestOrg> {
    let mut orgs = Vec::new();
    for i in 0..ORGS {
        let org = TestOrg::create(svc, &format!("org-{i}")).await;
        org.add("bob", "viewer").await;
        org.add("mallory", "viewer").await;
        orgs.push(org);
    }
    orgs
}

/// Until `n` changes wait for their lane.
async fn queued(store: &Store, n: usize) {
    for _ in 0..2000 {
        if store.changes_queued() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{n} changes never queued (now {})", store.changes_queued());
}

fn change_role(user: &str, role: &str) -> Command {
    Command::ChangeRole {
        user_id: uid(user),
        role: role.into(),
    }
}

/// With the lanes held, one change per organization (`user`'s role, by the
/// owner), queued in that order; then the lanes are let go. Answers each
/// change's outcome, in order.
async fn together(
    svc: &Service,
    orgs: &[TestOrg],
    user: impl Fn(usize) -> &'static str,
) -> Vec<Result<(), ServiceError>> {
    let store = svc.store().clone();
    let held = store.hold_group_commits().await;
    let mut tasks = Vec::new();
    for (i, org) in orgs.iter().enumerate() {
        let (svc, org, user) = (svc.clone(), org.org.clone(), user(i));
        tasks.push(tokio::spawn(async move {
            let command = change_role(user, "operator");
            svc.execute(&org, &actor("owner"), command).await.map(drop)
        }));
        // One at a time: the lane's queue is in this order.
        queued(&store, i + 1).await;
    }
    drop(held);
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

/// Every organization's audit chain verifies, and a node that loads it from the
/// database holds what this node holds.
async fn stored_as_held(db: &TestDb, orgs: &[TestOrg]) {
    let fresh = db.service(Policy::preset("operations").unwrap()).await;
    for org in orgs {
        let report = fresh.store().verify(&org.org).await.unwrap();
        assert!(report.ok, "{}'s chain: {report:?}", org.org);
        assert_eq!(
            org.on(&fresh).state().await,
            org.state().await,
            "{}",
            org.org
        );
    }
}

async fn a_refused_command_in_a_group_refuses_only_itself(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let orgs = organizations(&svc).await;
    let before = svc.store().group_counts();
    // The fourth asks for a member its organization does not have.
    let outcomes = together(&svc, &orgs, |i| if i == 3 { "nobody" } else { "bob" }).await;
    for (i, outcome) in outcomes.iter().enumerate() {
        match (i, outcome) {
            (3, Err(ServiceError::Refused(r))) => assert_eq!(r.reason(), "unknown_member"),
            (3, other) => panic!("the change for nobody: {other:?}"),
            (_, outcome) => assert!(outcome.is_ok(), "change {i}: {outcome:?}"),
        }
    }
    let after = svc.store().group_counts();
    assert_eq!(after.changes - before.changes, ORGS as u64 - 1);
    assert!(after.groups - before.groups < after.changes - before.changes);
    if backend == Backend::Sqlite {
        assert_eq!(after.groups - before.groups, 1, "one lane, one group");
    }
    for (i, org) in orgs.iter().enumerate() {
        let expected = if i == 3 { "viewer" } else { "operator" };
        assert_eq!(
            org.role_of("bob").await.as_deref(),
            Some(expected),
            "org-{i}"
        );
    }
    stored_as_held(&db, &orgs).await;
}

/// Refuses, in the database, any write of mallory's membership: a failed
/// statement, as a constraint would fail it.
async fn refuse_writes_of_mallory(store: &Store, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_mallory_update BEFORE UPDATE ON memberships \
             WHEN NEW.user_id = 'mallory' BEGIN SELECT RAISE(ABORT, 'mallory stays'); END",
            "CREATE TRIGGER refuse_mallory_insert BEFORE INSERT ON memberships \
             WHEN NEW.user_id = 'mallory' BEGIN SELECT RAISE(ABORT, 'mallory stays'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_mallory() RETURNS trigger AS $$ BEGIN \
             IF NEW.user_id = 'mallory' THEN RAISE EXCEPTION 'mallory stays'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_mallory BEFORE INSERT OR UPDATE ON memberships \
             FOR EACH ROW EXECUTE FUNCTION refuse_mallory()",
        ],
    };
    for statement in statements {
        sqlx::query(statement).execute(store.pool()).await.unwrap();
    }
}

/// Makes the commit of any transaction that writes mallory's membership fail:
/// a deferred check, made only at commit.
async fn fail_commits_with_mallory(store: &Store, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "CREATE TABLE tripwire_parent (id TEXT PRIMARY KEY)",
            "CREATE TABLE tripwire (parent TEXT REFERENCES tripwire_parent(id) \
             DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER trip_on_mallory_update AFTER UPDATE ON memberships \
             WHEN NEW.user_id = 'mallory' BEGIN INSERT INTO tripwire VALUES ('none'); END",
            "CREATE TRIGGER trip_on_mallory_insert AFTER INSERT ON memberships \
             WHEN NEW.user_id = 'mallory' BEGIN INSERT INTO tripwire VALUES ('none'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION trip_on_mallory() RETURNS trigger AS $$ BEGIN \
             IF NEW.user_id = 'mallory' THEN RAISE EXCEPTION 'tripped at commit'; END IF; \
             RETURN NULL; END $$ LANGUAGE plpgsql",
            "CREATE CONSTRAINT TRIGGER trip_on_mallory AFTER INSERT OR UPDATE ON memberships \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trip_on_mallory()",
        ],
    };
    for statement in statements {
        sqlx::query(statement).execute(store.pool()).await.unwrap();
    }
}

async fn a_failed_write_in_the_middle_of_a_group_fails_only_its_command(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let orgs = organizations(&svc).await;
    refuse_writes_of_mallory(svc.store(), backend).await;
    let events_before = orgs[3].stored_events().await;
    let outcomes = together(&svc, &orgs, |i| if i == 3 { "mallory" } else { "bob" }).await;
    for (i, outcome) in outcomes.iter().enumerate() {
        match (i, outcome) {
            (3, Err(ServiceError::Store(e))) => {
                assert!(e.to_string().contains("mallory stays"), "{e}")
            }
            (3, other) => panic!("mallory's change: {other:?}"),
            (_, outcome) => assert!(outcome.is_ok(), "change {i}: {outcome:?}"),
        }
    }
    for (i, org) in orgs.iter().enumerate() {
        let bob = if i == 3 { "viewer" } else { "operator" };
        assert_eq!(org.role_of("bob").await.as_deref(), Some(bob), "org-{i}");
        assert_eq!(org.role_of("mallory").await.as_deref(), Some("viewer"));
    }
    assert_eq!(orgs[3].stored_events().await, events_before);
    stored_as_held(&db, &orgs).await;
}

async fn a_group_whose_commit_fails_stores_none_of_its_changes(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let orgs = organizations(&svc).await;
    fail_commits_with_mallory(svc.store(), backend).await;
    let before = dump(svc.store()).await;
    let outcomes = together(&svc, &orgs, |i| if i == 3 { "mallory" } else { "bob" }).await;
    // Every change in mallory's group fails with it; on PostgreSQL's several
    // lanes, the changes in other groups commit.
    let failed: Vec<usize> = (0..ORGS).filter(|&i| outcomes[i].is_err()).collect();
    assert!(failed.contains(&3), "{outcomes:?}");
    if backend == Backend::Sqlite {
        assert_eq!(failed.len(), ORGS, "one lane, one group: {outcomes:?}");
        assert_eq!(
            dump(svc.store()).await,
            before,
            "nothing of the group is stored"
        );
    }
    for i in &failed {
        match &outcomes[*i] {
            Err(ServiceError::Store(e)) => assert!(e.to_string().contains("group"), "{e}"),
            other => panic!("change {i}: {other:?}"),
        }
    }
    for (i, org) in orgs.iter().enumerate() {
        let bob = if failed.contains(&i) {
            "viewer"
        } else {
            "operator"
        };
        assert_eq!(org.role_of("bob").await.as_deref(), Some(bob), "org-{i}");
        assert_eq!(org.role_of("mallory").await.as_deref(), Some("viewer"));
    }
    stored_as_held(&db, &orgs).await;
    // The lanes go on: the next changes commit.
    for org in &orgs {
        assert_eq!(org.change_role("owner", "bob", "admin").await, "ok");
    }
    stored_as_held(&db, &orgs).await;
}

async fn a_groups_events_are_in_each_organizations_chain_in_order(backend: Backend) {
    const CHANGES: usize = 10;
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let orgs = organizations(&svc).await;
    let store = svc.store().clone();
    let before = store.group_counts();
    let held = store.hold_group_commits().await;
    let mut tasks = Vec::new();
    for org in &orgs {
        let (svc, org) = (svc.clone(), org.org.clone());
        tasks.push(tokio::spawn(async move {
            for j in 0..CHANGES {
                let role = if j % 2 == 0 { "operator" } else { "viewer" };
                let command = change_role("bob", role);
                svc.execute(&org, &actor("owner"), command).await.unwrap();
            }
        }));
    }
    queued(&store, ORGS).await;
    drop(held);
    for task in tasks {
        task.await.unwrap();
    }
    let after = store.group_counts();
    assert_eq!(after.changes - before.changes, (ORGS * CHANGES) as u64);
    assert!(after.groups - before.groups < after.changes - before.changes);
    for org in &orgs {
        let events = org.stored_events().await;
        let roles: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.change {
                Change::RoleChanged {
                    user_id, new_role, ..
                } if user_id.as_str() == "bob" => Some(new_role.as_str()),
                _ => None,
            })
            .collect();
        let expected: Vec<&str> = (0..CHANGES)
            .map(|j| if j % 2 == 0 { "operator" } else { "viewer" })
            .collect();
        assert_eq!(roles, expected, "{}", org.org);
    }
    stored_as_held(&db, &orgs).await;
}
