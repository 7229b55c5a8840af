//! Seeds 002 and 004 (docs/model.md#seed-002-analytics), on the `analytics` preset.

mod support;
use steward_core::Command;
use support::*;

const ROLES: [&str; 6] = [
    "administrator",
    "full_data_access",
    "project_manager",
    "internal_analyst",
    "analyst",
    "external_topic_assignment",
];

/// The root account "owner" (an administrator), one member per role, and a project
/// with two questions, a dashboard with a chart and an integration, all the root's.
fn org() -> Org {
    let mut org = Org::new("analytics");
    for r in ROLES {
        org.add(r, r);
    }
    org.create("owner", "p1", "project", None);
    org.create("owner", "q1", "question", Some("p1"));
    org.create("owner", "q2", "question", Some("p1"));
    org.create("owner", "d1", "dashboard", None);
    org.create("owner", "c1", "chart", Some("d1"));
    org.create("owner", "i1", "integration", None);
    org
}

fn allowed(org: &Org, user: &str, object: &str) -> Vec<String> {
    let s = &org.snapshot;
    let n = s.node(object).unwrap();
    let u = s.user(user).unwrap();
    let actions: Vec<String> = s
        .permissions(u, n)
        .iter()
        .map(|a| org.policy.action(a).name.clone())
        .collect();
    // The same list, asked one action at a time of the plain definition.
    let ty = s.node_type(n).unwrap();
    let plain: Vec<String> = org.policy.types[ty as usize]
        .actions
        .iter()
        .map(|a| org.policy.action(a).name.clone())
        .filter(|a| org.may(user, a, object))
        .collect();
    assert_eq!(actions, plain);
    actions
        .into_iter()
        .map(|a| a.split_once(':').unwrap().1.to_string())
        .collect()
}

#[test]
fn each_role_has_the_detailed_permissions_the_seed_lists() {
    let org = org();
    let project_all = [
        "view",
        "edit",
        "append_rows",
        "download",
        "delete",
        "inherit",
        "change_permissions",
    ];
    // role, then its actions on another's project, dashboard, integration, and on the organization.
    type Row<'a> = (
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
    );
    let expected: [Row; 6] = [
        (
            "administrator",
            &project_all,
            &["view", "edit", "delete", "view_row_metadata"],
            &["use", "edit", "delete"],
            &[
                "view",
                "view",
                "manage",
                "view",
                "manage_subscription",
                "create",
            ],
        ),
        (
            "full_data_access",
            &project_all,
            &["view", "edit", "delete", "view_row_metadata"],
            &["use"],
            &["view", "create"],
        ),
        (
            "project_manager",
            &["inherit"],
            &["view_row_metadata"],
            &[],
            &["view", "create"],
        ),
        (
            "internal_analyst",
            &["view", "edit", "inherit"],
            &["view_row_metadata"],
            &[],
            &["view"],
        ),
        (
            "analyst",
            &["view"],
            &["view", "view_row_metadata"],
            &[],
            &["view"],
        ),
        ("external_topic_assignment", &[], &[], &[], &["view"]),
    ];
    for (role, project, dashboard, integration, organization) in expected {
        assert_eq!(allowed(&org, role, "p1"), project, "{role} on a project");
        assert_eq!(allowed(&org, role, "q1"), project, "{role} on a question");
        assert_eq!(
            allowed(&org, role, "d1"),
            dashboard,
            "{role} on a dashboard"
        );
        assert_eq!(allowed(&org, role, "c1"), dashboard, "{role} on a chart");
        assert_eq!(
            allowed(&org, role, "i1"),
            integration,
            "{role} on an integration"
        );
        assert_eq!(
            allowed(&org, role, "acme"),
            organization,
            "{role} on the organization"
        );
    }
}

#[test]
fn external_topic_assignment_sees_only_own_projects() {
    let mut org = org();
    assert_eq!(
        org.create("external_topic_assignment", "p-new", "project", None),
        "not_permitted"
    );
    // Someone with upload capability makes them the owner of a project.
    let cmd = Command::CreateObject {
        object_id: oid("p-eta"),
        object_type: "project".into(),
        name: name("Topic"),
        parent_id: None,
        owner_id: Some(uid("external_topic_assignment")),
    };
    assert_eq!(org.outcome("full_data_access", cmd), "ok");
    assert_eq!(
        org.check("external_topic_assignment", "project:download", "p-eta"),
        (true, "owner".into())
    );
    assert!(!org.may("external_topic_assignment", "project:view", "p1"));
    assert!(!org.may("external_topic_assignment", "dashboard:view", "d1"));
}

#[test]
fn object_owners_always_have_every_permission_on_their_object() {
    let mut org = org();
    assert_eq!(org.create("project_manager", "p-pm", "project", None), "ok");
    for a in [
        "project:view",
        "project:edit",
        "project:download",
        "project:delete",
        "project:change_permissions",
    ] {
        assert_eq!(
            org.check("project_manager", a, "p-pm"),
            (true, "owner".into()),
            "{a}"
        );
    }
    // ...and on its questions, which inherit the project's owner.
    assert_eq!(
        org.create("project_manager", "q-pm", "question", Some("p-pm")),
        "ok"
    );
    assert_eq!(
        org.check("project_manager", "project:edit", "q-pm"),
        (true, "owner".into())
    );
    // A project manager has only full access to projects created by oneself.
    assert!(!org.may("project_manager", "project:view", "p1"));
}

#[test]
fn company_administrator_has_every_permission_on_every_object() {
    let mut org = org();
    org.create("project_manager", "p-pm", "project", None);
    for (action, object) in [
        ("project:delete", "p-pm"),
        ("project:download", "q1"),
        ("dashboard:delete", "c1"),
        ("org:delete", "acme"),
    ] {
        assert_eq!(
            org.check("owner", action, object),
            (true, "root".into()),
            "{action} {object}"
        );
    }
}

#[test]
fn permissions_are_additive_a_grant_adds_to_a_role() {
    let mut org = org();
    // An analyst may view all projects but edit only the ones granted.
    org.create("owner", "p2", "project", None);
    assert_eq!(org.grant("owner", "p1", "analyst", &["project:edit"]), "ok");
    assert_eq!(
        org.check("analyst", "project:edit", "p1"),
        (true, "grant@p1".into())
    );
    assert_eq!(
        org.check("analyst", "project:edit", "q2"),
        (true, "grant@p1".into())
    );
    assert!(!org.may("analyst", "project:edit", "p2"));
    assert_eq!(
        org.check("analyst", "project:view", "p1"),
        (true, "role:analyst@acme".into())
    );
}

#[test]
fn role_permissions_cannot_be_revoked_for_a_single_project() {
    let mut org = org();
    assert_eq!(
        org.grant("owner", "p1", "full_data_access", &["project:view"]),
        "ok"
    );
    assert_eq!(org.grant("owner", "p1", "full_data_access", &[]), "ok");
    assert!(org
        .state
        .grant(&oid("p1"), &uid("full_data_access"))
        .is_none());
    assert!(org.may("full_data_access", "project:edit", "p1"));
    assert!(org.may("full_data_access", "project:download", "p1"));
}

#[test]
fn only_those_who_may_change_permissions_edit_grants() {
    let mut org = org();
    assert_eq!(
        org.grant("internal_analyst", "p1", "analyst", &["project:edit"]),
        "not_permitted"
    );
    assert_eq!(
        org.grant("full_data_access", "p1", "analyst", &["project:edit"]),
        "ok"
    );
    assert_eq!(
        org.grant("owner", "p1", "analyst", &["dashboard:view"]),
        "action_not_applicable"
    );
    assert_eq!(
        org.grant("owner", "p1", "analyst", &["project:fly"]),
        "unknown_action"
    );
    assert_eq!(
        org.grant(
            "full_data_access",
            "p1",
            "full_data_access",
            &["project:view"]
        ),
        "self_change"
    );
}

#[test]
fn nobody_grants_what_they_may_not_do_themselves() {
    let mut org = org();
    org.create("owner", "p2", "project", None);
    // The internal analyst owns nothing here; give them change_permissions by grant only.
    assert_eq!(
        org.grant(
            "owner",
            "p2",
            "internal_analyst",
            &["project:change_permissions"]
        ),
        "ok"
    );
    assert_eq!(
        org.grant("internal_analyst", "p2", "analyst", &["project:edit"]),
        "ok"
    );
    assert_eq!(
        org.grant("internal_analyst", "p2", "analyst", &["project:download"]),
        "above_own_rank"
    );
}

#[test]
fn make_owner_moves_the_questions_too() {
    let mut org = org();
    let cmd = Command::ChangeObjectOwner {
        object_id: oid("p1"),
        owner_id: uid("analyst"),
    };
    let events = org.run("full_data_access", cmd).unwrap();
    assert_eq!(events[0].change.type_name(), "object.owner_changed");
    for q in ["p1", "q1", "q2"] {
        assert_eq!(
            org.state
                .object(&oid(q))
                .unwrap()
                .owner
                .as_ref()
                .unwrap()
                .as_str(),
            "analyst"
        );
        assert_eq!(
            org.check("analyst", "project:delete", q),
            (true, "owner".into())
        );
    }
    // A question always follows its project.
    assert_eq!(
        org.make_owner("owner", "q1", "owner"),
        "owner_follows_parent"
    );
}

#[test]
fn changing_the_owner_of_a_dashboard_changes_the_owner_of_its_charts() {
    let mut org = org();
    assert_eq!(
        org.make_owner("administrator", "d1", "project_manager"),
        "ok"
    );
    assert_eq!(
        org.check("project_manager", "dashboard:delete", "c1"),
        (true, "owner".into())
    );
}

#[test]
fn deleting_a_member_can_hand_their_projects_to_the_root_user() {
    let mut org = org();
    org.create("project_manager", "p-pm", "project", None);
    org.create("project_manager", "q-pm", "question", Some("p-pm"));
    org.create("full_data_access", "p-fda", "project", None);
    let cmd = Command::DeleteMember {
        user_id: uid("project_manager"),
        hand_over_to_root: true,
    };
    let events = org.run("administrator", cmd).unwrap();
    assert!(
        matches!(&events[0].change, steward_core::Change::MemberDeleted { objects_to: Some(u), .. } if u.as_str() == "owner")
    );
    for o in ["p-pm", "q-pm"] {
        assert_eq!(
            org.state
                .object(&oid(o))
                .unwrap()
                .owner
                .as_ref()
                .unwrap()
                .as_str(),
            "owner"
        );
    }
    // Without hand-over, the objects are left without an owner.
    let cmd = Command::DeleteMember {
        user_id: uid("full_data_access"),
        hand_over_to_root: false,
    };
    org.run("administrator", cmd).unwrap();
    assert!(org.state.object(&oid("p-fda")).unwrap().owner.is_none());
    assert!(org.may("administrator", "project:view", "p-fda"));
}

#[test]
fn a_deleted_members_grants_go_with_them() {
    let mut org = org();
    org.grant(
        "owner",
        "p1",
        "external_topic_assignment",
        &["project:view"],
    );
    let del = Command::DeleteMember {
        user_id: uid("external_topic_assignment"),
        hand_over_to_root: false,
    };
    org.run("administrator", del).unwrap();
    assert!(org
        .state
        .grant(&oid("p1"), &uid("external_topic_assignment"))
        .is_none());
    // Joining again starts from nothing.
    org.add("external_topic_assignment", "external_topic_assignment");
    assert!(!org.may("external_topic_assignment", "project:view", "p1"));
}

#[test]
fn the_root_accounts_role_cannot_be_changed_by_another_administrator() {
    let mut org = org();
    assert_eq!(
        org.change_role("administrator", "owner", "analyst"),
        "cannot_demote_owner"
    );
}

#[test]
fn root_moves_with_an_accepted_ownership_transfer() {
    let mut org = org();
    assert_eq!(org.nominate("owner", "analyst"), "ok");
    assert_eq!(org.outcome("analyst", Command::AcceptNomination), "ok");
    assert_eq!(org.role_of("analyst"), "administrator");
    assert_eq!(
        org.check("analyst", "org:delete", "acme"),
        (true, "root".into())
    );
    assert_eq!(
        org.check("owner", "org:delete", "acme"),
        (false, "no_permission".into())
    );
}

#[test]
fn deleting_a_project_deletes_its_questions_and_grants() {
    let mut org = org();
    org.grant("owner", "q1", "analyst", &["project:edit"]);
    assert_eq!(
        org.outcome(
            "internal_analyst",
            Command::DeleteObject {
                object_id: oid("p1")
            }
        ),
        "not_permitted"
    );
    assert_eq!(
        org.outcome(
            "full_data_access",
            Command::DeleteObject {
                object_id: oid("p1")
            }
        ),
        "ok"
    );
    assert!(org.state.object(&oid("q1")).is_none());
    assert_eq!(
        org.check("analyst", "project:edit", "q1"),
        (false, "unknown_object".into())
    );
    assert_eq!(org.create("owner", "p1", "project", None), "ok");
    assert!(!org.may("analyst", "project:edit", "p1"));
}

#[test]
fn a_question_belongs_under_a_project() {
    let mut org = org();
    assert_eq!(
        org.create("owner", "q-x", "question", None),
        "invalid_parent"
    );
    assert_eq!(
        org.create("owner", "q-x", "question", Some("d1")),
        "invalid_parent"
    );
    assert_eq!(
        org.create("owner", "q-x", "question", Some("nope")),
        "unknown_object"
    );
    assert_eq!(
        org.create("owner", "p1", "project", None),
        "duplicate_object"
    );
    assert_eq!(
        org.create("owner", "acme", "project", None),
        "duplicate_object"
    );
    assert_eq!(org.create("owner", "x", "spaceship", None), "unknown_type");
}

#[test]
fn after_make_owner_the_previous_owner_keeps_only_what_roles_and_grants_give() {
    let mut org = org();
    assert_eq!(org.create("project_manager", "p-pm", "project", None), "ok");
    assert_eq!(org.make_owner("project_manager", "p-pm", "analyst"), "ok");
    assert_eq!(
        org.check("project_manager", "project:edit", "p-pm"),
        (false, "no_permission".into())
    );
    assert_eq!(
        org.check("project_manager", "project:inherit", "p-pm"),
        (true, "role:project_manager@acme".into())
    );
}

#[test]
fn an_administrator_changes_a_role_from_the_team_page() {
    let mut org = org();
    assert_eq!(
        org.change_role("administrator", "analyst", "internal_analyst"),
        "ok"
    );
    assert!(org.may("analyst", "project:edit", "p1"));
    assert_eq!(
        org.change_role("full_data_access", "analyst", "analyst"),
        "not_permitted"
    );
}

#[test]
fn grants_work_per_dashboard_as_per_project() {
    let mut org = org();
    assert!(!org.may("internal_analyst", "dashboard:view", "d1"));
    assert_eq!(
        org.grant("owner", "d1", "internal_analyst", &["dashboard:view"]),
        "ok"
    );
    assert_eq!(
        org.check("internal_analyst", "dashboard:view", "c1"),
        (true, "grant@d1".into())
    );
}

#[test]
fn any_member_may_create_a_dashboard_and_owns_it() {
    let mut org = org();
    assert_eq!(
        org.create("external_topic_assignment", "d-eta", "dashboard", None),
        "ok"
    );
    assert_eq!(
        org.check("external_topic_assignment", "dashboard:delete", "d-eta"),
        (true, "owner".into())
    );
}
