//! Seed 000 (docs/model.md#seed-000-systems), on the `systems` preset.

mod support;
use steward_core::Command;
use support::*;

/// owner, an admin, a member; one connected system "dms-1".
fn org() -> Org {
    let mut org = Org::new("systems");
    org.add("ada", "admin");
    org.add("mo", "member");
    assert_eq!(org.create("owner", "dms-1", "system", None), "ok");
    org
}

#[test]
fn several_users_can_be_owners() {
    let mut org = org();
    assert_eq!(org.change_role("owner", "ada", "owner"), "ok");
    assert_eq!(org.state.owner_count(&org.policy), 2);
    // And an owner may step another owner down while one remains.
    assert_eq!(org.change_role("ada", "owner", "admin"), "ok");
    assert_eq!(org.state.owner_count(&org.policy), 1);
    assert_eq!(org.state.owner_id(&org.policy).unwrap().as_str(), "ada");
}

#[test]
fn there_is_always_at_least_one_owner() {
    let mut org = org();
    assert_eq!(org.change_role("owner", "owner", "admin"), "self_change");
    assert_eq!(
        org.change_role("ada", "owner", "admin"),
        "cannot_demote_owner"
    );
    assert_eq!(org.delete("ada", "owner", false), "cannot_demote_owner");
    assert_eq!(org.state.owner_count(&org.policy), 1);
}

#[test]
fn only_owners_make_owners() {
    let mut org = org();
    assert_eq!(org.change_role("ada", "mo", "owner"), "above_own_rank");
    assert_eq!(org.change_role("ada", "mo", "admin"), "ok");
}

#[test]
fn admin_is_not_allowed_to_delete_the_organization() {
    let mut org = org();
    assert!(!org.may("ada", "org:delete", "acme"));
    assert_eq!(
        org.outcome("ada", Command::DeleteOrganization),
        "not_permitted"
    );
    assert!(org.may("owner", "org:delete", "acme"));
    assert_eq!(org.outcome("owner", Command::DeleteOrganization), "ok");
    assert_eq!(org.change_role("owner", "mo", "admin"), "unknown_org");
}

#[test]
fn admin_has_every_other_permission_the_owner_has() {
    let org = org();
    for action in [
        "org:view",
        "members:view",
        "members:manage",
        "audit:view",
        "org:connect_system",
    ] {
        assert!(org.may("ada", action, "acme"), "{action}");
    }
    for action in [
        "system:view_users",
        "system:manage_users",
        "system:share_data",
        "system:view_config",
    ] {
        assert!(org.may("ada", action, "dms-1"), "{action}");
    }
}

#[test]
fn only_owners_request_a_systems_token() {
    let mut org = org();
    assert!(org.may("owner", "system:request_token", "dms-1"));
    assert!(!org.may("ada", "system:request_token", "dms-1"));
    // On system level too: a system admin cannot, a system owner can.
    assert_eq!(org.set_scope("owner", "mo", "dms-1", &["admin"]), "ok");
    assert!(!org.may("mo", "system:request_token", "dms-1"));
    assert_eq!(org.set_scope("owner", "mo", "dms-1", &["owner"]), "ok");
    assert_eq!(
        org.check("mo", "system:request_token", "dms-1"),
        (true, "role:owner@dms-1".into())
    );
}

#[test]
fn member_only_views_users_and_connects_a_system() {
    let mut org = org();
    let allowed: Vec<&str> = [
        "org:view",
        "org:delete",
        "members:view",
        "members:manage",
        "audit:view",
        "ownership:transfer",
        "org:connect_system",
    ]
    .into_iter()
    .filter(|a| org.may("mo", a, "acme"))
    .collect();
    assert_eq!(allowed, ["org:view", "members:view", "org:connect_system"]);
    // Connecting a system makes the member its owner.
    assert_eq!(org.create("mo", "dms-2", "system", None), "ok");
    assert_eq!(
        org.check("mo", "system:request_token", "dms-2"),
        (true, "owner".into())
    );
    assert!(!org.may("mo", "system:view_users", "dms-1"));
}

#[test]
fn member_can_unlink_own_account() {
    let mut org = org();
    assert_eq!(org.set_scope("ada", "mo", "dms-1", &["member"]), "ok");
    for action in [
        "system:share_data",
        "system:view_users",
        "system:view_config",
        "system:view_deployments",
        "system:view_shares",
        "system:unlink_own_account",
    ] {
        assert_eq!(
            org.check("mo", action, "dms-1"),
            (true, "role:member@dms-1".into()),
            "{action}"
        );
    }
    assert!(!org.may("mo", "system:manage_users", "dms-1"));
    assert!(!org.may("mo", "system:request_token", "dms-1"));
}

#[test]
fn a_user_can_have_a_different_role_on_organization_and_system_level() {
    let mut org = org();
    // A member of the organization who is admin of one system manages that system's users.
    assert_eq!(org.set_scope("owner", "mo", "dms-1", &["admin"]), "ok");
    org.add("sam", "member");
    assert_eq!(org.set_scope("mo", "sam", "dms-1", &["member"]), "ok");
    // ...but not at organization level, not above their rank there, and not their own.
    assert_eq!(org.change_role("mo", "sam", "admin"), "not_permitted");
    assert_eq!(
        org.set_scope("mo", "sam", "dms-1", &["owner"]),
        "above_own_rank"
    );
    assert_eq!(
        org.set_scope("mo", "mo", "dms-1", &["owner"]),
        "self_change"
    );
}

#[test]
fn an_admin_cannot_change_an_owners_system_roles() {
    let mut org = org();
    assert_eq!(
        org.set_scope("ada", "owner", "dms-1", &["member"]),
        "cannot_demote_owner"
    );
}
