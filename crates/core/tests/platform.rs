//! Seed 003 (docs/model.md#seed-003-platform), on the `platform` preset.

mod support;
use steward_core::{Change, Command, Email, InvitationId, Timestamp};
use support::*;

/// owner, an administrator, a user; one service "orchestrator".
fn org() -> Org {
    let mut org = Org::new("platform");
    org.add("ada", "organization_administrator");
    org.add("uma", "user");
    assert_eq!(org.create("owner", "orchestrator", "service", None), "ok");
    org
}

#[test]
fn organization_owner_cannot_be_edited() {
    let mut org = org();
    assert_eq!(org.change_role("ada", "owner", "user"), "owner_immutable");
    assert_eq!(
        org.outcome(
            "ada",
            Command::Rename {
                user_id: uid("owner"),
                name: name("Someone Else")
            }
        ),
        "owner_immutable"
    );
    assert_eq!(
        org.set_scope("ada", "owner", "orchestrator", &["service_user"]),
        "owner_immutable"
    );
}

#[test]
fn organization_owner_cannot_be_deleted() {
    let mut org = org();
    assert_eq!(org.delete("ada", "owner", false), "owner_immutable");
}

#[test]
fn there_can_be_only_one_organization_owner_and_it_cannot_be_changed() {
    let mut org = org();
    assert_eq!(
        org.change_role("owner", "ada", "organization_owner"),
        "owner_via_transfer_only"
    );
    assert_eq!(org.nominate("owner", "ada"), "owner_immutable");
    assert_eq!(org.state.owner_count(&org.policy), 1);
}

#[test]
fn there_can_be_many_organization_administrators() {
    let mut org = org();
    assert_eq!(
        org.change_role("ada", "uma", "organization_administrator"),
        "ok"
    );
    assert_eq!(org.state.holder_count("organization_administrator"), 2);
}

#[test]
fn user_is_the_default_role_for_invitees() {
    let mut org = org();
    let events = org
        .run(
            "ada",
            Command::Invite {
                invitation_id: InvitationId::parse("inv-x").unwrap(),
                email: Email::parse("x@acme.test").unwrap(),
                name: None,
                role: None,
                scopes: vec![],
                expires_at: Timestamp(START + DAY),
            },
        )
        .unwrap();
    assert!(matches!(&events[0].change, Change::MemberInvited { role, .. } if role == "user"));
}

#[test]
fn user_role_is_read_only_and_has_no_service_until_added() {
    let mut org = org();
    for action in ["org:view", "members:view", "licenses:view", "services:view"] {
        assert!(org.may("uma", action, "acme"), "{action}");
    }
    for action in [
        "members:manage",
        "org:manage_services",
        "org:manage_licenses",
        "audit:view",
        "org:delete",
    ] {
        assert!(!org.may("uma", action, "acme"), "{action}");
    }
    assert!(!org.may("uma", "service:use", "orchestrator"));
    assert_eq!(
        org.set_scope("ada", "uma", "orchestrator", &["service_user"]),
        "ok"
    );
    assert_eq!(
        org.check("uma", "service:use", "orchestrator"),
        (true, "role:service_user@orchestrator".into())
    );
    assert!(!org.may("uma", "service:admin", "orchestrator"));
}

#[test]
fn several_roles_per_service() {
    let mut org = org();
    assert_eq!(
        org.set_scope(
            "owner",
            "uma",
            "orchestrator",
            &["service_user", "service_admin"]
        ),
        "ok"
    );
    let roles = org
        .state
        .scope_roles(&uid("uma"), &oid("orchestrator"))
        .unwrap();
    assert_eq!(roles.len(), 2);
    assert!(org.may("uma", "service:admin", "orchestrator"));
    // [] removes them.
    assert_eq!(org.set_scope("owner", "uma", "orchestrator", &[]), "ok");
    assert!(!org.may("uma", "service:use", "orchestrator"));
}

#[test]
fn administrator_has_administrator_access_to_every_service() {
    let org = org();
    assert_eq!(
        org.check("ada", "service:admin", "orchestrator"),
        (true, "role:organization_administrator@acme".into())
    );
}

#[test]
fn editing_a_user_requires_owner_or_administrator() {
    let mut org = org();
    org.add("ulf", "user");
    assert_eq!(
        org.change_role("uma", "ulf", "organization_administrator"),
        "not_permitted"
    );
    assert_eq!(
        org.outcome(
            "uma",
            Command::Rename {
                user_id: uid("ulf"),
                name: name("Ulf")
            }
        ),
        "not_permitted"
    );
    assert_eq!(
        org.outcome(
            "ada",
            Command::Rename {
                user_id: uid("ulf"),
                name: name("Ulf Full")
            }
        ),
        "ok"
    );
    // Everyone may correct their own name.
    assert_eq!(
        org.outcome(
            "uma",
            Command::Rename {
                user_id: uid("uma"),
                name: name("Uma U")
            }
        ),
        "ok"
    );
}

#[test]
fn you_cannot_change_your_role_or_delete_your_user() {
    let mut org = org();
    assert_eq!(org.change_role("ada", "ada", "user"), "self_change");
    assert_eq!(org.delete("ada", "ada", false), "self_change");
}

#[test]
fn the_email_cannot_be_changed() {
    let mut org = org();
    let cmd = Command::ChangeEmail {
        user_id: uid("uma"),
        email: Email::parse("u2@acme.test").unwrap(),
    };
    assert_eq!(org.outcome("ada", cmd), "email_immutable");
}

#[test]
fn removed_users_can_no_longer_access_the_organization() {
    let mut org = org();
    org.set_scope("ada", "uma", "orchestrator", &["service_user"]);
    assert_eq!(org.delete("ada", "uma", false), "ok");
    assert_eq!(
        org.check("uma", "org:view", "acme"),
        (false, "not_a_member".into())
    );
    assert_eq!(
        org.check("uma", "service:use", "orchestrator"),
        (false, "not_a_member".into())
    );
    // Deleting users needs the owner or an administrator.
    org.add("ulf", "user");
    org.add("una", "user");
    assert_eq!(org.delete("ulf", "una", false), "not_permitted");
}

#[test]
fn a_service_administrator_who_is_a_plain_user_does_not_edit_other_users() {
    let mut org = org();
    org.add("ulf", "user");
    assert_eq!(
        org.set_scope("ada", "uma", "orchestrator", &["service_admin"]),
        "ok"
    );
    assert!(org.may("uma", "service:admin", "orchestrator"));
    assert_eq!(
        org.set_scope("uma", "ulf", "orchestrator", &["service_user"]),
        "not_permitted"
    );
}

#[test]
fn the_owner_has_every_organization_and_service_permission() {
    let org = org();
    for a in &org.policy.actions {
        if a.name.starts_with("service:") {
            // The owner created the service, so "owner" is the first reason found.
            assert!(org.may("owner", &a.name, "orchestrator"), "{}", a.name);
        } else {
            assert_eq!(
                org.check("owner", &a.name, "acme"),
                (true, "role:organization_owner@acme".into()),
                "{}",
                a.name
            );
        }
    }
}

#[test]
fn an_administrator_has_every_organization_feature_but_deleting_it() {
    let org = org();
    let denied: Vec<&str> = [
        "org:view",
        "org:delete",
        "members:view",
        "members:manage",
        "audit:view",
        "org:manage_services",
        "org:manage_licenses",
        "licenses:view",
        "services:view",
    ]
    .into_iter()
    .filter(|a| !org.may("ada", a, "acme"))
    .collect();
    assert_eq!(denied, ["org:delete"]);
}

/// "without the right to access any of the services" until added to one: a
/// service a user may not see is, to them, a service that does not exist, and
/// the engine and the plain rule agree on who sees it.
#[test]
fn a_service_a_user_was_not_added_to_does_not_exist_for_them() {
    let mut org = org();
    let sees = |org: &Org, user: &str| {
        let plain =
            steward_core::sight::sees(&org.policy, &org.state, &uid(user), &oid("orchestrator"));
        assert_eq!(
            org.snapshot.sees_by_name(user, "orchestrator"),
            plain,
            "the engine and the plain rule on {user}"
        );
        plain
    };
    assert!(!sees(&org, "uma"));
    assert!(sees(&org, "ada") && sees(&org, "owner"));
    assert!(
        org.snapshot.sees_by_name("uma", "acme"),
        "every member sees the organization"
    );
    assert_eq!(
        org.grant("uma", "orchestrator", "ada", &["service:use"]),
        "unknown_object"
    );
    assert_eq!(
        org.make_owner("uma", "orchestrator", "uma"),
        "unknown_object"
    );
    assert_eq!(
        org.outcome(
            "uma",
            Command::DeleteObject {
                object_id: oid("orchestrator")
            }
        ),
        "unknown_object"
    );
    assert_eq!(
        org.set_scope("uma", "ada", "orchestrator", &["service_user"]),
        "unknown_object"
    );
    // Added to it, she sees it, and is refused for what her roles do not give.
    assert_eq!(
        org.set_scope("ada", "uma", "orchestrator", &["service_user"]),
        "ok"
    );
    assert!(sees(&org, "uma"));
    assert_eq!(
        org.grant("uma", "orchestrator", "ada", &["service:use"]),
        "not_permitted"
    );
    assert_eq!(
        org.make_owner("uma", "orchestrator", "uma"),
        "not_permitted"
    );
}
