//! Single sign-on's rules (docs/sign-in.md#single-sign-on): the owner or an
//! admin configures the provider; a just-in-time join gives the policy's
//! default role and never an owner's or an admin's; only Steward records the
//! joins and sign-ins.

mod support;
use steward_core::policy::Policy;
use steward_core::{Actor, Change, Command, Email};
use support::*;

const ISSUER: &str = "https://id.acme.test";

fn configure() -> Command {
    Command::ConfigureSso {
        issuer: ISSUER.into(),
        client_id: "steward".into(),
        domains: vec!["acme.test".into(), "acme.test".into()],
        require_sso: true,
        notify_new_sign_in: false,
    }
}

fn join(user: &str) -> Command {
    Command::JoinBySso {
        user_id: uid(user),
        email: Email::parse(&format!("{user}@acme.test")).unwrap(),
        name: name(user),
        issuer: ISSUER.into(),
    }
}

/// owner, one admin, one member (the `systems` preset).
fn org() -> Org {
    let mut org = Org::new("systems");
    org.add("ada", "admin");
    org.add("mo", "member");
    org
}

#[test]
fn the_owner_and_an_admin_configure_single_sign_on_and_a_member_may_not() {
    let mut org = org();
    assert_eq!(org.outcome("mo", configure()), "not_permitted");
    assert_eq!(org.outcome("ada", configure()), "ok");
    assert_eq!(org.outcome("owner", configure()), "ok");
    match &org.events.last().unwrap().change {
        Change::SsoConfigured { domains, .. } => assert_eq!(domains, &["acme.test"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        org.outcome(
            "mo",
            Command::RemoveSso {
                issuer: ISSUER.into()
            }
        ),
        "not_permitted"
    );
}

#[test]
fn a_domain_is_proven_only_by_an_address_on_it_and_only_by_an_admin() {
    let mut org = org();
    let prove = |by: &str| Command::ProveSsoDomain {
        domain: "acme.test".into(),
        proven_by: Email::parse(by).unwrap(),
    };
    assert_eq!(
        org.outcome("ada", prove("ada@elsewhere.test")),
        "sso_address_not_on_domain"
    );
    assert_eq!(org.outcome("mo", prove("mo@acme.test")), "not_permitted");
    assert_eq!(org.outcome("ada", prove("ada@acme.test")), "ok");
}

#[test]
fn a_just_in_time_join_gives_the_default_role() {
    let mut org = org();
    let events = org.run_as(Actor::System, join("newcomer")).unwrap();
    let types: Vec<_> = events.iter().map(|e| e.change.type_name()).collect();
    assert_eq!(types, ["member.joined", "sso.joined"]);
    assert_eq!(org.role_of("newcomer"), "member");
    // Once a member, a second join is refused.
    assert_eq!(
        org.run_as(Actor::System, join("newcomer"))
            .unwrap_err()
            .reason(),
        "already_member"
    );
}

#[test]
fn nobody_but_steward_joins_someone_by_single_sign_on() {
    let mut org = org();
    assert_eq!(org.outcome("ada", join("newcomer")), "not_permitted");
    assert_eq!(org.outcome("owner", join("newcomer")), "not_permitted");
}

fn with_default_role(role: &str) -> Org {
    let mut policy = Policy::preset("systems").unwrap();
    policy.governance.default_role = policy.org_role(role).unwrap();
    Org::with_policy(policy)
}

#[test]
fn a_just_in_time_join_cannot_make_an_admin() {
    let mut org = with_default_role("admin");
    let refusal = org.run_as(Actor::System, join("newcomer")).unwrap_err();
    assert_eq!(refusal.reason(), "sso_role_too_high");
    assert!(org.state.member(&uid("newcomer")).is_none());
}

#[test]
fn a_just_in_time_join_cannot_make_an_owner() {
    let mut org = with_default_role("owner");
    let refusal = org.run_as(Actor::System, join("newcomer")).unwrap_err();
    assert_eq!(refusal.reason(), "sso_role_too_high");
    assert!(org.state.member(&uid("newcomer")).is_none());
}

#[test]
fn only_the_owner_has_a_break_glass_sign_in() {
    let mut org = org();
    let glass = |user: &str| Command::RecordBreakGlass { user_id: uid(user) };
    assert!(org.run_as(Actor::System, glass("ada")).is_err());
    assert!(org.run("owner", glass("owner")).is_err());
    let events = org.run_as(Actor::System, glass("owner")).unwrap();
    assert_eq!(events[0].change.type_name(), "auth.break_glass");
}
