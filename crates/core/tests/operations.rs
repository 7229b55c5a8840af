//! Seed 001 (docs/model.md#seed-001-operations), on the `operations` preset.

mod support;
use steward_core::policy::Policy;
use steward_core::{Change, Command, Email, Timestamp};
use support::*;

/// owner, one admin, one operator, one viewer.
fn org() -> Org {
    let mut org = Org::new("operations");
    org.add("ada", "admin");
    org.add("otto", "operator");
    org.add("vera", "viewer");
    org
}

#[test]
fn admin_cannot_demote_the_owner() {
    let mut org = org();
    assert_eq!(
        org.change_role("ada", "owner", "admin"),
        "cannot_demote_owner"
    );
    assert_eq!(
        org.change_role("ada", "owner", "viewer"),
        "cannot_demote_owner"
    );
    assert_eq!(org.role_of("owner"), "owner");
}

#[test]
fn admin_can_change_to_viewer_operator_and_admin() {
    let mut org = org();
    assert_eq!(org.change_role("ada", "vera", "operator"), "ok");
    assert_eq!(org.change_role("ada", "vera", "admin"), "ok");
    assert_eq!(org.change_role("ada", "vera", "viewer"), "ok");
}

#[test]
fn admin_cannot_promote_to_owner_it_must_use_transfer_ownership() {
    let mut org = org();
    assert_eq!(
        org.change_role("ada", "vera", "owner"),
        "owner_via_transfer_only"
    );
}

#[test]
fn owner_cannot_directly_promote_to_owner() {
    let mut org = org();
    assert_eq!(
        org.change_role("owner", "ada", "owner"),
        "owner_via_transfer_only"
    );
}

#[test]
fn owner_can_change_to_viewer_operator_and_admin() {
    let mut org = org();
    for role in ["admin", "operator", "viewer"] {
        assert_eq!(org.change_role("owner", "otto", role), "ok", "{role}");
    }
}

#[test]
fn operator_cannot_change_any_role() {
    let mut org = org();
    assert_eq!(org.change_role("otto", "vera", "operator"), "not_permitted");
    assert_eq!(org.change_role("otto", "ada", "viewer"), "not_permitted");
    assert_eq!(org.change_role("vera", "otto", "viewer"), "not_permitted");
}

#[test]
fn the_role_dropdown_lists_only_what_the_viewer_may_assign() {
    let org = org();
    let offered = |actor: &str, target: &str| -> Vec<String> {
        let (a, t) = (
            org.state.member(&uid(actor)).unwrap(),
            org.state.member(&uid(target)).unwrap(),
        );
        steward_core::decide::assignable_roles(&org.policy, &org.state, a, t)
            .into_iter()
            .map(|r| org.policy.role(r).name.clone())
            .collect()
    };
    assert_eq!(offered("ada", "vera"), ["admin", "operator"]);
    // Greyed out: the owner, oneself, and for an operator every row.
    assert!(offered("ada", "owner").is_empty());
    assert!(offered("ada", "ada").is_empty());
    assert!(offered("otto", "vera").is_empty());
}

#[test]
fn nobody_changes_their_own_role() {
    let mut org = org();
    assert_eq!(org.change_role("owner", "owner", "admin"), "self_change");
    assert_eq!(org.change_role("ada", "ada", "viewer"), "self_change");
    assert_eq!(org.change_role("otto", "otto", "admin"), "self_change");
}

#[test]
fn owner_counts_as_admin_for_the_last_admin_rule() {
    // The only Admin besides the Owner can be demoted: the Owner counts as an Admin.
    let mut org = org();
    assert_eq!(org.change_role("owner", "ada", "viewer"), "ok");

    // Under a policy where the owner does not count, the last admin stays.
    let source = Policy::preset("operations").unwrap().source.replace(
        "admin_roles = [\"admin\", \"owner\"]",
        "admin_roles = [\"admin\"]",
    );
    let mut strict = Org::with_policy(Policy::parse(&source).unwrap());
    strict.add("ada", "admin");
    strict.add("bob", "admin");
    assert_eq!(strict.change_role("ada", "bob", "viewer"), "ok");
    assert_eq!(strict.change_role("owner", "ada", "viewer"), "last_admin");
    assert_eq!(strict.role_of("ada"), "admin");
}

#[test]
fn role_change_is_recorded_as_user_role_changed_with_both_roles() {
    let mut org = org();
    let events = org
        .run(
            "ada",
            Command::ChangeRole {
                user_id: uid("vera"),
                role: "operator".into(),
            },
        )
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].change.type_name(), "user.role_changed");
    match &events[0].change {
        Change::RoleChanged {
            user_id,
            previous_role,
            new_role,
        } => {
            assert_eq!(
                (user_id.as_str(), previous_role.as_str(), new_role.as_str()),
                ("vera", "viewer", "operator")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(events[0].actor.user().unwrap().as_str(), "ada");
}

#[test]
fn a_role_change_takes_effect_on_the_next_check() {
    let mut org = org();
    org.create("owner", "site-a", "site", None);
    assert!(!org.may("vera", "site:operate", "site-a"));
    org.change_role("ada", "vera", "operator");
    assert!(org.may("vera", "site:operate", "site-a"));
}

#[test]
fn viewer_without_sites_sees_nothing() {
    let mut org = org();
    org.create("owner", "site-a", "site", None);
    org.create("owner", "site-b", "site", None);
    assert_eq!(
        org.check("vera", "site:view", "site-a"),
        (false, "no_permission".into())
    );
    assert!(!org.may("vera", "site:view", "site-b"));
}

#[test]
fn a_viewer_without_sites_is_warned_about() {
    let mut org = org();
    org.create("owner", "site-a", "site", None);
    let warnings =
        |org: &Org, u: &str| steward_core::member_warnings(&org.policy, &org.state, &uid(u));
    assert_eq!(warnings(&org, "vera"), ["viewer_without_sites"]);
    assert!(warnings(&org, "otto").is_empty());
    // Demoting an operator to viewer: "also assign their sites".
    org.change_role("ada", "otto", "viewer");
    assert_eq!(warnings(&org, "otto"), ["viewer_without_sites"]);
    org.set_scope("ada", "otto", "site-a", &["viewer"]);
    assert!(warnings(&org, "otto").is_empty());
}

#[test]
fn viewer_sees_only_the_sites_assigned_to_them() {
    let mut org = org();
    org.create("owner", "site-a", "site", None);
    org.create("owner", "site-b", "site", None);
    assert_eq!(org.set_scope("ada", "vera", "site-a", &["viewer"]), "ok");
    assert_eq!(
        org.check("vera", "site:view", "site-a"),
        (true, "role:viewer@site-a".into())
    );
    assert!(!org.may("vera", "site:view", "site-b"));
    assert!(!org.may("vera", "site:operate", "site-a"));
    // The list the product asks for ("which sites may she see?") says the same.
    let s = &org.snapshot;
    let (vera, view) = (s.user("vera").unwrap(), s.action("site:view").unwrap());
    let site = org.policy.type_index("site").unwrap();
    let visible: Vec<&str> = s
        .allowed_objects(vera, view, site)
        .map(|n| s.node_id(n))
        .collect();
    assert_eq!(visible, ["site-a"]);
    let ada = s.user("ada").unwrap();
    assert_eq!(s.allowed_objects(ada, view, site).count(), 2);
}

#[test]
fn a_site_operator_assignment_lets_a_viewer_operate_that_site_only() {
    let mut org = org();
    org.create("owner", "site-a", "site", None);
    org.create("owner", "site-b", "site", None);
    assert_eq!(
        org.set_scope("owner", "vera", "site-a", &["operator"]),
        "ok"
    );
    assert!(org.may("vera", "site:operate", "site-a"));
    assert!(!org.may("vera", "site:operate", "site-b"));
    // A site holds one role per member in this preset.
    assert_eq!(
        org.set_scope("owner", "vera", "site-a", &["operator", "viewer"]),
        "single_role_scope"
    );
}

#[test]
fn operators_and_admins_see_every_site() {
    let mut org = org();
    org.create("ada", "site-a", "site", None);
    assert_eq!(
        org.check("otto", "site:operate", "site-a"),
        (true, "role:operator@acme".into())
    );
    assert!(!org.may("otto", "site:configure", "site-a"));
    assert!(org.may("ada", "site:configure", "site-a"));
}

#[test]
fn ownership_moves_only_by_a_nomination_the_nominee_accepts() {
    let mut org = org();
    assert_eq!(org.nominate("ada", "vera"), "not_permitted");
    assert_eq!(org.nominate("owner", "vera"), "ok");
    assert_eq!(
        org.state.nomination().unwrap().expires_at,
        Timestamp(START + 7 * DAY)
    );
    assert_eq!(org.outcome("ada", Command::AcceptNomination), "not_nominee");
    assert_eq!(org.role_of("owner"), "owner");
    let events = org.run("vera", Command::AcceptNomination).unwrap();
    let types: Vec<_> = events.iter().map(|e| e.change.type_name()).collect();
    assert_eq!(
        types,
        [
            "ownership.transfer_accepted",
            "user.role_changed",
            "user.role_changed"
        ]
    );
    // "On acceptance the old owner becomes an admin, atomically."
    assert_eq!(org.role_of("vera"), "owner");
    assert_eq!(org.role_of("owner"), "admin");
    assert_eq!(org.state.owner_id(&org.policy).unwrap().as_str(), "vera");
    assert_eq!(org.state.owner_count(&org.policy), 1);
}

#[test]
fn nomination_expires_after_seven_days() {
    let mut org = org();
    org.nominate("owner", "vera");
    org.now = Timestamp(START + 7 * DAY - 1);
    assert!(org
        .run("owner", Command::ExpireNomination)
        .unwrap()
        .is_empty());
    org.now = Timestamp(START + 7 * DAY);
    assert_eq!(
        org.outcome("vera", Command::AcceptNomination),
        "transfer_expired"
    );
    let events = org
        .run_as(steward_core::Actor::System, Command::ExpireNomination)
        .unwrap();
    assert_eq!(events[0].change.type_name(), "ownership.transfer_expired");
    assert!(org.state.nomination().is_none());
    assert_eq!(org.role_of("owner"), "owner");
}

#[test]
fn one_nomination_at_a_time_and_the_owner_can_cancel_it() {
    let mut org = org();
    assert_eq!(org.nominate("owner", "vera"), "ok");
    assert_eq!(org.nominate("owner", "ada"), "transfer_pending");
    assert_eq!(
        org.outcome("ada", Command::CancelNomination),
        "not_permitted"
    );
    assert_eq!(org.outcome("owner", Command::CancelNomination), "ok");
    assert_eq!(
        org.outcome("vera", Command::AcceptNomination),
        "no_pending_transfer"
    );
}

#[test]
fn the_nominee_can_decline() {
    let mut org = org();
    org.nominate("owner", "vera");
    assert_eq!(org.outcome("vera", Command::DeclineNomination), "ok");
    assert_eq!(org.role_of("vera"), "viewer");
    assert!(org.state.nomination().is_none());
}

#[test]
fn email_never_changes() {
    let mut org = org();
    let r = org.outcome(
        "owner",
        Command::ChangeEmail {
            user_id: uid("vera"),
            email: Email::parse("new@acme.test").unwrap(),
        },
    );
    assert_eq!(r, "email_immutable");
}

#[test]
fn nobody_demotes_the_owner_by_deleting_them() {
    let mut org = org();
    let del = |u: &str| Command::DeleteMember {
        user_id: uid(u),
        hand_over_to_root: false,
    };
    assert_eq!(org.outcome("ada", del("owner")), "cannot_demote_owner");
    assert_eq!(org.outcome("owner", del("owner")), "self_change");
    assert_eq!(org.outcome("otto", del("vera")), "not_permitted");
    assert_eq!(org.outcome("ada", del("vera")), "ok");
    assert!(org.state.member(&uid("vera")).is_none());
}

#[test]
fn invitees_default_to_viewer_and_an_operator_cannot_invite() {
    let mut org = org();
    let invite = |who: &str, role: Option<&str>| Command::Invite {
        invitation_id: steward_core::InvitationId::parse(&format!("inv-{who}")).unwrap(),
        email: email_of(who),
        name: None,
        role: role.map(String::from),
        scopes: vec![],
        expires_at: Timestamp(START + DAY),
    };
    assert_eq!(org.outcome("otto", invite("new1", None)), "not_permitted");
    assert_eq!(
        org.outcome("ada", invite("new2", Some("owner"))),
        "owner_via_transfer_only"
    );
    let events = org.run("ada", invite("new3", None)).unwrap();
    match &events[0].change {
        Change::MemberInvited { role, .. } => assert_eq!(role, "viewer"),
        other => panic!("{other:?}"),
    }
    assert_eq!(org.outcome("ada", invite("vera", None)), "duplicate_email");
}

#[test]
fn the_invite_dialog_offers_only_the_roles_an_invitation_may_give() {
    let org = org();
    let offered = |actor: &str| -> Vec<String> {
        let a = org.state.member(&uid(actor)).unwrap();
        steward_core::decide::invitable_roles(&org.policy, &org.state, a)
            .into_iter()
            .map(|r| org.policy.role(r).name.clone())
            .collect()
    };
    // Never the owner: ownership moves only by transfer.
    assert_eq!(offered("owner"), ["admin", "operator", "viewer"]);
    assert_eq!(offered("ada"), ["admin", "operator", "viewer"]);
    // "Operators cannot change any user's role": they invite nobody.
    assert!(offered("otto").is_empty());
}

#[test]
fn an_event_keeps_the_names_of_its_actor_and_of_the_member_it_removes() {
    let mut org = org();
    let events = org
        .run(
            "owner",
            Command::DeleteMember {
                user_id: uid("vera"),
                hand_over_to_root: false,
            },
        )
        .unwrap();
    let names = &events[0].names;
    assert_eq!(names.get("owner").map(String::as_str), Some("Olive Owner"));
    assert_eq!(names.get("vera").map(String::as_str), Some("vera name"));
}

#[test]
fn a_role_change_keeps_both_names_as_they_were_then() {
    let mut org = org();
    let events = org
        .run(
            "ada",
            Command::ChangeRole {
                user_id: uid("vera"),
                role: "operator".into(),
            },
        )
        .unwrap();
    let json = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(json["names"]["ada"], "ada name");
    assert_eq!(json["names"]["vera"], "vera name");
}
