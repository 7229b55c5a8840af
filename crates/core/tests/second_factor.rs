//! The second factor's governance on the `operations` preset (owner, admins,
//! operators, viewers): who may take a member's second factor away, who may
//! require one of the organization's admins, and what an unenrolled admin is
//! refused while it is required (docs/two-factor.md).

mod support;
use steward_core::{replay, second_factor_refusal, Actor, Command, Refusal, RefusalKind};
use support::*;

/// owner, two admins, one operator, one viewer.
fn org() -> Org {
    let mut org = Org::new("operations");
    org.add("ada", "admin");
    org.add("alan", "admin");
    org.add("otto", "operator");
    org.add("vera", "viewer");
    org
}

fn reset(user: &str) -> Command {
    Command::ResetSecondFactor {
        user_id: uid(user),
        member_elsewhere: false,
    }
}

fn require(required: bool) -> Command {
    Command::SetSecondFactorRequired { required }
}

#[test]
fn an_admin_resets_a_members_second_factor_and_the_log_says_whose() {
    let mut org = org();
    let before = org.state.clone();
    let events = org.run("ada", reset("vera")).unwrap();
    match &events[..] {
        [e] => {
            assert_eq!(e.change.type_name(), "auth.second_factor_reset");
            assert_eq!(e.change.target(), Some("vera"));
            assert_eq!(e.actor, Actor::User(uid("ada")));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(org.state, before, "a reset changes no organization state");
    assert_eq!(org.outcome("ada", reset("otto")), "ok");
}

#[test]
fn nobody_resets_the_owners_second_factor() {
    let mut org = org();
    assert_eq!(org.outcome("ada", reset("owner")), "owner_immutable");
}

#[test]
fn nobody_resets_their_own_second_factor_through_the_organization() {
    let mut org = org();
    assert_eq!(org.outcome("ada", reset("ada")), "self_change");
    assert_eq!(org.outcome("owner", reset("owner")), "self_change");
}

#[test]
fn an_admin_cannot_reset_an_equal_or_higher_rank() {
    let mut org = org();
    assert_eq!(org.outcome("ada", reset("alan")), "above_own_rank");
    // The owner outranks everyone.
    assert_eq!(org.outcome("owner", reset("alan")), "ok");
}

#[test]
fn a_viewer_or_operator_cannot_reset_anyone() {
    let mut org = org();
    assert_eq!(org.outcome("vera", reset("otto")), "not_permitted");
    assert_eq!(org.outcome("otto", reset("vera")), "not_permitted");
}

#[test]
fn a_person_who_is_also_a_member_elsewhere_is_not_reset_by_one_organization() {
    let mut org = org();
    let refusal = org
        .run(
            "ada",
            Command::ResetSecondFactor {
                user_id: uid("vera"),
                member_elsewhere: true,
            },
        )
        .unwrap_err();
    assert_eq!(refusal, Refusal::MemberOfOtherOrganizations);
    assert_eq!(refusal.reason(), "member_of_other_organizations");
    assert_eq!(refusal.kind(), RefusalKind::Forbidden);
}

#[test]
fn only_an_admin_or_the_owner_requires_a_second_factor() {
    let mut org = org();
    assert_eq!(org.outcome("vera", require(true)), "not_permitted");
    assert_eq!(org.outcome("otto", require(true)), "not_permitted");
    let events = org.run("ada", require(true)).unwrap();
    assert_eq!(events[0].change.type_name(), "org.second_factor_required");
    assert!(org.state.org().unwrap().second_factor_required);
    assert!(
        org.run("owner", require(true)).unwrap().is_empty(),
        "already required: nothing to record"
    );
    assert_eq!(replay(&org.events), org.state);
}

#[test]
fn while_required_an_unenrolled_admin_is_refused_management_but_a_viewer_is_not_bound() {
    let mut org = org();
    let command = Command::ChangeRole {
        user_id: uid("vera"),
        role: "operator".into(),
    };
    let ask = |org: &Org, who: &str, enrolled: bool| {
        second_factor_refusal(
            &org.policy,
            &org.state,
            &Actor::User(uid(who)),
            &command,
            enrolled,
        )
    };
    assert_eq!(ask(&org, "ada", false), None, "not required yet");
    org.run("owner", require(true)).unwrap();
    assert_eq!(ask(&org, "ada", false), Some(Refusal::SecondFactorRequired));
    assert_eq!(
        ask(&org, "owner", false),
        Some(Refusal::SecondFactorRequired)
    );
    assert_eq!(ask(&org, "ada", true), None);
    assert_eq!(ask(&org, "vera", false), None, "a viewer is not bound");
    assert_eq!(
        second_factor_refusal(
            &org.policy,
            &org.state,
            &Actor::User(uid("ada")),
            &Command::DeclineNomination,
            false
        ),
        None,
        "answering a nomination is not management"
    );
    assert_eq!(
        Refusal::SecondFactorRequired.reason(),
        "second_factor_required"
    );
}
