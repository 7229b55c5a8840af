//! Renaming and moving objects (issue 16), on the `analytics` preset: who may,
//! what the audit log records, and what a move does to an inheriting object's owner.

mod support;
use steward_core::{Change, Command};
use support::*;

/// The root account "owner", an analyst, a project manager and a full data
/// access member; the owner's project p1 with a question, and the project
/// manager's project p2.
fn org() -> Org {
    let mut org = Org::new("analytics");
    for r in [
        "full_data_access",
        "project_manager",
        "analyst",
        "external_topic_assignment",
    ] {
        org.add(r, r);
    }
    org.create("owner", "p1", "project", None);
    org.create("owner", "q1", "question", Some("p1"));
    org.create("project_manager", "p2", "project", None);
    org
}

fn rename(id: &str, to: &str) -> Command {
    Command::RenameObject {
        object_id: oid(id),
        name: name(to),
    }
}

fn move_to(id: &str, parent: Option<&str>) -> Command {
    Command::MoveObject {
        object_id: oid(id),
        parent_id: parent.map(oid),
    }
}

#[test]
fn the_owner_renames_their_project_and_the_log_keeps_both_names() {
    let mut org = org();
    let events = org
        .run("project_manager", rename("p2", "Sales 2027"))
        .unwrap();
    assert_eq!(
        events[0].change,
        Change::ObjectRenamed {
            object_id: oid("p2"),
            previous_name: name("p2"),
            name: name("Sales 2027"),
        }
    );
    assert_eq!(
        org.state.object(&oid("p2")).unwrap().name.as_str(),
        "Sales 2027"
    );
}

#[test]
fn whoever_may_not_share_an_object_may_not_rename_it() {
    let mut org = org();
    assert_eq!(
        org.outcome("analyst", rename("p1", "Mine")),
        "not_permitted"
    );
    assert_eq!(
        org.outcome("full_data_access", rename("p1", "Theirs")),
        "ok"
    );
}

#[test]
fn renaming_to_the_same_name_records_nothing() {
    let mut org = org();
    assert!(org.run("owner", rename("p1", "p1")).unwrap().is_empty());
}

#[test]
fn a_question_moves_to_another_project_and_takes_its_owner() {
    let mut org = org();
    let events = org.run("owner", move_to("q1", Some("p2"))).unwrap();
    assert_eq!(events.len(), 2);
    let q1 = org.state.object(&oid("q1")).unwrap();
    assert_eq!(q1.parent.as_ref().unwrap().as_str(), "p2");
    assert_eq!(q1.owner.as_ref().unwrap().as_str(), "project_manager");
    assert!(org
        .state
        .object(&oid("p2"))
        .unwrap()
        .children
        .contains(&oid("q1")));
    assert!(!org
        .state
        .object(&oid("p1"))
        .unwrap()
        .children
        .contains(&oid("q1")));
    // The project's owner now may do on the question what they may on the project.
    assert!(org.may("project_manager", "project:delete", "q1"));
}

#[test]
fn a_move_to_the_parent_it_already_has_keeps_it_among_that_parents_children() {
    let mut org = org();
    let events = org.run("owner", move_to("q1", Some("p2"))).unwrap();
    // `decide` records no such move; an event log may still hold one.
    let mut again = events[0].clone();
    again.change = Change::ObjectMoved {
        object_id: oid("q1"),
        previous_parent: Some(oid("p2")),
        parent_id: Some(oid("p2")),
    };
    steward_core::apply(&mut org.state, &again);
    let p2 = org.state.object(&oid("p2")).unwrap();
    assert!(p2.children.contains(&oid("q1")));
    let q1 = org.state.object(&oid("q1")).unwrap();
    assert_eq!(q1.parent.as_ref().unwrap().as_str(), "p2");
}

#[test]
fn moving_needs_leave_to_take_it_out_and_to_put_it_in() {
    let mut org = org();
    // The project manager may edit their own p2 but not take q1 out of p1.
    assert_eq!(
        org.outcome("project_manager", move_to("q1", Some("p2"))),
        "not_permitted"
    );
}

#[test]
fn an_object_only_moves_under_its_types_parent_type() {
    let mut org = org();
    assert_eq!(
        org.outcome("owner", move_to("p1", Some("p2"))),
        "invalid_parent"
    );
    assert_eq!(org.outcome("owner", move_to("q1", None)), "invalid_parent");
}

#[test]
fn an_object_the_actor_may_not_see_is_unknown_to_rename_and_move() {
    let mut org = org();
    org.create("project_manager", "p3", "project", None);
    // External topic assignments see only what they own or are granted.
    let outsider = "external_topic_assignment";
    assert_eq!(org.outcome(outsider, rename("p3", "x")), "unknown_object");
    assert_eq!(
        org.outcome(outsider, move_to("q1", Some("p3"))),
        "unknown_object"
    );
}

#[test]
fn the_owner_full_data_access_and_administrators_may_share_a_project_and_an_analyst_may_not() {
    use steward_core::decide::share_refusal;
    use steward_core::Actor;
    let mut org = org();
    org.add("administrator", "administrator");
    let refusal = |org: &Org, who: &str| {
        share_refusal(&org.policy, &org.state, &Actor::User(uid(who)), &oid("p2"))
            .map(|r| r.reason())
    };
    assert_eq!(refusal(&org, "project_manager"), None);
    assert_eq!(refusal(&org, "full_data_access"), None);
    assert_eq!(refusal(&org, "administrator"), None);
    assert_eq!(refusal(&org, "analyst"), Some("not_permitted"));
    assert_eq!(
        refusal(&org, "external_topic_assignment"),
        Some("unknown_object")
    );
}
