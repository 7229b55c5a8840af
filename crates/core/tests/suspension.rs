//! Suspension (docs/provisioning.md#suspension): governed as removal, never the
//! owner; a suspended member keeps roles and grants but every check answers as
//! for a non-member until they are reinstated.

mod support;
use steward_core::{deprovision_command, ApiKeyId, Change, Command, Deprovision};
use support::*;

fn suspend(user: &str) -> Command {
    Command::SuspendMember { user_id: uid(user) }
}

fn reinstate(user: &str) -> Command {
    Command::ReinstateMember { user_id: uid(user) }
}

/// Seed 001's people: owner, one admin, one operator, one viewer.
fn operations() -> Org {
    let mut org = Org::new("operations");
    org.add("ada", "admin");
    org.add("otto", "operator");
    org.add("vera", "viewer");
    org
}

#[test]
fn a_suspended_member_is_denied_every_check_yet_keeps_roles_and_grants() {
    let mut org = Org::new("analytics");
    org.add("pm", "project_manager");
    org.add("ana", "analyst");
    org.create("pm", "p1", "project", None);
    org.grant("pm", "p1", "ana", &["project:edit"]);
    assert!(org.may("ana", "project:edit", "p1"));

    assert_eq!(org.outcome("owner", suspend("ana")), "ok");
    // `check` holds the live snapshot, a fresh build and the plain definition equal.
    assert_eq!(
        org.check("ana", "project:edit", "p1"),
        (false, "not_a_member".to_string())
    );
    assert!(!org.may("ana", "project:view", "p1"));
    let member = org.state.member(&uid("ana")).unwrap();
    assert!(member.suspended);
    assert_eq!(member.role, "analyst");
    assert!(org.state.grant(&oid("p1"), &uid("ana")).is_some());

    assert_eq!(org.outcome("owner", reinstate("ana")), "ok");
    assert!(org.may("ana", "project:edit", "p1"));
    assert!(!org.state.member(&uid("ana")).unwrap().suspended);
}

#[test]
fn the_owner_cannot_be_suspended() {
    let mut org = operations();
    assert_eq!(
        org.outcome("ada", suspend("owner")),
        "owner_not_suspendable"
    );
    assert!(org.may("owner", "org:delete", "acme"));
}

#[test]
fn suspension_is_governed_as_removal() {
    let mut org = operations();
    assert_eq!(org.outcome("vera", suspend("otto")), "not_permitted");
    assert_eq!(org.outcome("ada", suspend("ada")), "self_change");
    assert_eq!(org.outcome("otto", suspend("vera")), "not_permitted");
    assert_eq!(org.outcome("ada", suspend("vera")), "ok");
    // Twice is once: the directory may say so again.
    let again = org.run("ada", suspend("vera")).unwrap();
    assert!(again.is_empty());
    // Reinstating is governed the same way.
    assert_eq!(org.outcome("otto", reinstate("vera")), "not_permitted");
    assert_eq!(org.outcome("ada", reinstate("vera")), "ok");
}

#[test]
fn suspending_the_last_admin_is_refused_and_a_suspended_admin_does_not_count() {
    // The owner counts as an admin in the presets; two are needed here.
    let mut policy = steward_core::Policy::preset("operations").unwrap();
    policy.governance.min_admins = 2;
    let mut org = Org::with_policy(policy);
    org.add("ada", "admin");
    assert_eq!(org.outcome("owner", suspend("ada")), "last_admin");
    org.add("abe", "admin");
    assert_eq!(org.outcome("owner", suspend("ada")), "ok");
    // ada no longer counts, so abe is now needed.
    assert_eq!(org.outcome("owner", suspend("abe")), "last_admin");
    assert_eq!(org.delete("owner", "abe", false), "last_admin");
    // Demoting the suspended one leaves the count as it is.
    assert_eq!(org.change_role("owner", "ada", "viewer"), "ok");
}

#[test]
fn a_suspended_member_cannot_act() {
    let mut org = operations();
    assert_eq!(org.outcome("owner", suspend("ada")), "ok");
    assert_eq!(org.change_role("ada", "vera", "operator"), "unknown_org");
}

#[test]
fn suspending_revokes_the_keys_the_member_made() {
    let mut org = operations();
    let key = ApiKeyId::parse("key-ada").unwrap();
    org.run(
        "ada",
        Command::CreateApiKey {
            key_id: key.clone(),
            name: name("CI"),
            key_hash: "a".repeat(64),
            permissions: vec!["check".into()],
        },
    )
    .unwrap();
    let events = org.run("owner", suspend("ada")).unwrap();
    assert!(matches!(events[0].change, Change::MemberSuspended { .. }));
    assert!(events
        .iter()
        .any(|e| matches!(&e.change, Change::ApiKeyRevoked { key_id, .. } if *key_id == key)));
    assert!(org.state.api_key(&key).is_none());
}

#[test]
fn admins_choose_what_deprovisioning_does_and_remove_is_the_default() {
    let mut org = operations();
    assert_eq!(org.state.on_deprovision(), Deprovision::Remove);
    assert!(matches!(
        deprovision_command(&org.state, uid("vera")),
        Command::DeleteMember { .. }
    ));
    let choose = |d| Command::SetDeprovision { on_deprovision: d };
    assert_eq!(
        org.outcome("otto", choose(Deprovision::Suspend)),
        "not_permitted"
    );
    assert_eq!(org.outcome("ada", choose(Deprovision::Suspend)), "ok");
    assert_eq!(org.state.on_deprovision(), Deprovision::Suspend);
    assert!(matches!(
        deprovision_command(&org.state, uid("vera")),
        Command::SuspendMember { .. }
    ));
}
