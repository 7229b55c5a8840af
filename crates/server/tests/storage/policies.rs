//! The deployment's policy in the database: stored at the first start, read by
//! every later start, refused when another is given unless replaced (and the
//! replacement kept), and a node whose policy is replaced under it writes nothing.

use crate::on_both_backends;
use crate::support::*;
use std::time::Duration;
use steward::service::{Adoption, PolicyChoice, PolicySource, Service, StartError, Unstored};
use steward::store::StoreError;
use steward_core::{Command, InvitationId, Policy, Timestamp};

fn given(preset: &str) -> PolicyChoice {
    PolicyChoice {
        given: Some(PolicySource::preset(preset).unwrap()),
        replace: false,
        unstored: Unstored::Default,
    }
}

fn replacing(preset: &str) -> PolicyChoice {
    PolicyChoice {
        replace: true,
        ..given(preset)
    }
}

/// No `--policy`, as every command but `serve` mostly runs.
fn without_policy(unstored: Unstored) -> PolicyChoice {
    PolicyChoice {
        given: None,
        replace: false,
        unstored,
    }
}

async fn start(db: &TestDb, choice: PolicyChoice) -> Result<(Service, Adoption), StartError> {
    Service::start(db.store().await, choice).await
}

fn invite(user: &str, role: Option<&str>) -> Command {
    Command::Invite {
        invitation_id: InvitationId::parse(&format!("inv-{user}")).unwrap(),
        email: email_of(user),
        name: None,
        role: role.map(str::to_string),
        scopes: vec![],
        expires_at: Timestamp(4_000_000_000),
    }
}

async fn the_first_start_stores_the_policy_and_every_later_one_reads_it(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (_, first) = start(&db, given("systems")).await.unwrap();
    assert!(
        matches!(&first, Adoption::First(id) if id.name == "systems"),
        "{first:?}"
    );
    let stored = db.store().await.stored_policy().await.unwrap().unwrap();
    assert_eq!(stored.source, PolicySource::preset("systems").unwrap().text);
    assert_eq!(&stored.id, first.policy());

    // Without --policy, a command decides with the stored one: systems' default
    // role, not the default preset's.
    let (svc, again) = start(&db, without_policy(Unstored::DefaultIfEmpty))
        .await
        .unwrap();
    assert_eq!(again, Adoption::Stored(first.policy().clone()));
    assert_eq!(svc.policy().name, "systems");
    let t = TestOrg::create(&svc, "acme").await;
    t.run("owner", invite("bob", None)).await.unwrap();
    let role = t
        .svc
        .read(&t.org, |s| s.invitations().next().map(|i| i.role.clone()))
        .await
        .unwrap();
    assert_eq!(role.as_deref(), Some("member"));
    // Giving the same policy again is no change.
    let (_, same) = start(&db, given("systems")).await.unwrap();
    assert_eq!(same, Adoption::Stored(first.policy().clone()));
    assert_eq!(db.store().await.policy_history().await.unwrap().len(), 1);
}

async fn another_policy_refuses_to_start_naming_both(backend: Backend) {
    let db = TestDb::new(backend).await;
    start(&db, given("operations")).await.unwrap();
    let refused = start(&db, given("analytics"))
        .await
        .map(|_| ())
        .unwrap_err();
    let StartError::PolicyDiffers { stored, given, .. } = &refused else {
        panic!("{refused}");
    };
    assert_eq!(
        (stored.name.as_str(), given.name.as_str()),
        ("operations", "analytics")
    );
    let text = refused.to_string();
    assert!(
        text.contains(&stored.to_string()) && text.contains(&given.to_string()),
        "{text}"
    );
    assert!(text.contains("--replace-policy"), "{text}");
    let history = db.store().await.policy_history().await.unwrap();
    assert_eq!(history.len(), 1, "a refusal stores nothing");
}

async fn a_replacement_takes_effect_and_is_kept_in_the_history(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (_, first) = start(&db, given("operations")).await.unwrap();
    let (svc, replaced) = start(&db, replacing("analytics")).await.unwrap();
    let Adoption::Replaced { previous, now } = &replaced else {
        panic!("{replaced:?}");
    };
    assert_eq!(previous, first.policy());
    assert_eq!(now.name, "analytics");
    assert_eq!(svc.policy().name, "analytics");
    let history = db.store().await.policy_history().await.unwrap();
    let names: Vec<_> = history
        .iter()
        .map(|p| (p.seq, p.id.name.as_str()))
        .collect();
    assert_eq!(names, [(1, "operations"), (2, "analytics")]);
    assert!(history[1].adopted_at >= history[0].adopted_at);
    // The text of the old one is kept, for whoever audits what it allowed.
    assert_eq!(
        history[0].source,
        PolicySource::preset("operations").unwrap().text
    );
    // From now on a command without --policy decides with analytics.
    let (svc, _) = start(&db, without_policy(Unstored::DefaultIfEmpty))
        .await
        .unwrap();
    assert_eq!(svc.policy().name, "analytics");
    // And `--replace-policy` with the policy in force records nothing.
    let (_, same) = start(&db, replacing("analytics")).await.unwrap();
    assert!(matches!(same, Adoption::Stored(_)), "{same:?}");
    assert_eq!(db.store().await.policy_history().await.unwrap().len(), 2);
}

async fn a_node_whose_policy_was_replaced_writes_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (old, _) = start(&db, given("operations")).await.unwrap();
    let t = TestOrg::create(&old, "acme").await;
    let (new, _) = start(&db, replacing("analytics")).await.unwrap();
    let before = dump(old.store()).await;

    // An operations role the analytics policy does not have: refused by the
    // database, not decided with the old policy.
    let refused = t.run("owner", invite("bob", Some("operator"))).await;
    assert!(
        matches!(
            refused,
            Err(steward::service::ServiceError::Store(
                StoreError::PolicyReplaced { .. }
            ))
        ),
        "{refused:?}"
    );
    let org = steward_core::OrgId::parse("globex").unwrap();
    let created = old
        .create_organization(
            &actor("owner"),
            Command::CreateOrganization {
                org_id: org,
                name: name("Globex"),
                owner_id: uid("owner"),
                owner_email: email_of("owner"),
                owner_name: name("Olive Owner"),
            },
        )
        .await;
    assert!(created.is_err(), "{created:?}");
    assert_eq!(dump(old.store()).await, before, "nothing was stored");
    let replaced = old.policy_replaced().expect("the node knows");
    assert_eq!(replaced.name, "analytics");

    // The node with the policy in force writes; the roles analytics lacks are
    // known (`serve` lists them).
    TestOrg::create(&new, "initech").await;
    let lacking = new.roles_the_policy_lacks().await;
    assert_eq!(lacking.get("owner"), Some(&1), "{lacking:?}");
    assert!(old.roles_the_policy_lacks().await.is_empty());
}

async fn a_running_node_notices_a_replacement_before_it_writes(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (old, _) = start(&db, given("operations")).await.unwrap();
    // As `serve` runs: the PostgreSQL listener, or the SQLite file watcher.
    let _listener = old.spawn_change_listener().await.unwrap();
    let _watcher = old
        .spawn_file_watcher(Duration::from_millis(20))
        .await
        .unwrap();
    assert!(old.policy_replaced().is_none());
    start(&db, replacing("analytics")).await.unwrap();
    for _ in 0..250 {
        if old.policy_replaced().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the node never noticed that its policy was replaced");
}

async fn a_replacement_waits_for_the_write_in_flight_and_the_next_one_refuses(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (old, _) = start(&db, given("operations")).await.unwrap();
    let t = TestOrg::create(&old, "acme").await;
    let store = db.store().await;
    // A write under way: it holds the organization's lock.
    let tx = old.store().begin_org(&t.org).await.unwrap();
    let replacing = tokio::spawn(async move {
        Service::start(store, replacing("analytics"))
            .await
            .map(|_| ())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !replacing.is_finished(),
        "the replacement did not wait for the write in flight"
    );
    tx.rollback().await.unwrap();
    replacing.await.unwrap().unwrap();
    let next = old.store().begin_org(&t.org).await.map(|_| ()).unwrap_err();
    assert!(matches!(next, StoreError::PolicyReplaced { .. }), "{next}");
}

async fn writes_racing_a_replacement_commit_before_it_or_are_refused(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (old, _) = start(&db, given("operations")).await.unwrap();
    let t = TestOrg::create(&old, "acme").await;
    // Writes go on until one is refused: however long the replacement takes
    // to start on a busy machine, the writes are still racing it when it lands.
    let writes = tokio::spawn(async move {
        let mut outcomes = Vec::new();
        for i in 0..50_000 {
            let outcome = t.run("owner", invite(&format!("u{i}"), None)).await;
            let refused = outcome.is_err();
            outcomes.push(outcome.map(|_| ()));
            if refused {
                break;
            }
        }
        outcomes
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let store = db.store().await;
    Service::start(store, replacing("analytics")).await.unwrap();
    let outcomes = writes.await.unwrap();
    let (last, before) = outcomes.split_last().unwrap();
    assert!(
        before.iter().all(Result::is_ok),
        "only the write after the replacement fails"
    );
    // Not a deadlock, nor any other failure: the policy check refused it.
    assert!(
        matches!(
            last,
            Err(steward::service::ServiceError::Store(
                StoreError::PolicyReplaced { .. }
            ))
        ),
        "{last:?} after {} writes",
        before.len()
    );
}

async fn nodes_starting_together_on_an_empty_database_agree_on_one_policy(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (one, other) = (db.store().await, db.store().await);
    let (a, b) = tokio::join!(
        Service::start(one, given("systems")),
        Service::start(other, given("platform"))
    );
    let started = [&a, &b].iter().filter(|r| r.is_ok()).count();
    assert_eq!(started, 1, "{:?} {:?}", a.as_ref().err(), b.as_ref().err());
    let refused = if a.is_err() { a } else { b };
    assert!(
        matches!(refused, Err(StartError::PolicyDiffers { .. })),
        "{:?}",
        refused.err()
    );
    assert_eq!(db.store().await.policy_history().await.unwrap().len(), 1);
}

async fn a_database_from_before_stored_policies_is_not_given_a_guessed_one(backend: Backend) {
    let db = TestDb::new(backend).await;
    // An earlier release: organizations, and no policy stored.
    let svc = db.service(Policy::preset("systems").unwrap()).await;
    TestOrg::create(&svc, "acme").await;
    let refused = start(&db, without_policy(Unstored::DefaultIfEmpty))
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(refused, StartError::PolicyUnknown), "{refused}");
    assert!(refused.to_string().contains("--policy"), "{refused}");
    assert!(db.store().await.stored_policy().await.unwrap().is_none());
    // Told which, a command stores it.
    let (svc, adoption) = start(
        &db,
        PolicyChoice {
            unstored: Unstored::DefaultIfEmpty,
            ..given("systems")
        },
    )
    .await
    .unwrap();
    assert!(matches!(adoption, Adoption::First(_)), "{adoption:?}");
    assert_eq!(svc.policy().name, "systems");
}

async fn serve_on_a_database_from_before_stored_policies_stores_the_default(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    TestOrg::create(&svc, "acme").await;
    // What an earlier release ran without --policy.
    let (svc, adoption) = start(&db, without_policy(Unstored::Default)).await.unwrap();
    assert!(matches!(&adoption, Adoption::First(id) if id.name == "operations"));
    assert_eq!(svc.policy().name, "operations");
}

on_both_backends!(
    the_first_start_stores_the_policy_and_every_later_one_reads_it,
    another_policy_refuses_to_start_naming_both,
    a_replacement_takes_effect_and_is_kept_in_the_history,
    a_node_whose_policy_was_replaced_writes_nothing,
    a_running_node_notices_a_replacement_before_it_writes,
    a_replacement_waits_for_the_write_in_flight_and_the_next_one_refuses,
    writes_racing_a_replacement_commit_before_it_or_are_refused,
    nodes_starting_together_on_an_empty_database_agree_on_one_policy,
    a_database_from_before_stored_policies_is_not_given_a_guessed_one,
    serve_on_a_database_from_before_stored_policies_stores_the_default,
);
