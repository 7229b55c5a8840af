//! The rule for each use of an API key: never more than its creator may do now,
//! held against its plain statement, by example and over random sequences of
//! commands, on the `operations` preset.

mod support;
use proptest::prelude::*;
use steward_core::access;
use steward_core::api_key::{self, ApiKey, KeyUse};
use steward_core::policy::{Policy, PRESETS};
use steward_core::{
    Actor, Command, Email, ImportRow, InvitationId, NominationId, State, Timestamp,
    API_KEY_PERMISSIONS,
};
use support::keys::*;
use support::*;

/// The core's rule for one use of a key, over the organization's live snapshot:
/// `Ok`, or the denial as the API words it.
fn key_may(org: &Org, id: &str, key_use: KeyUse<'_>) -> Result<(), String> {
    let key = org.state.api_key(&key_id(id)).expect("a live key");
    api_key::permits(
        &org.snapshot,
        "acme",
        key.permission_set(),
        key.created_by.as_ref(),
        key_use,
    )
    .map_err(|d| d.to_string())
}

/// The rule as plainly stated: the key was given the permission, and the member
/// who made it (if a member did) may do the use's action on the organization, by
/// the plain definition of a check.
fn plainly_may(policy: &Policy, state: &State, key: &ApiKey, key_use: KeyUse<'_>) -> bool {
    let given = key.permissions.iter().any(|p| p == key_use.permission());
    let action = policy
        .action_index(key_use.action())
        .expect("a declared action");
    given
        && key
            .created_by
            .as_ref()
            .is_none_or(|creator| access::allowed(policy, state, creator, action, None))
}

/// Every use a key can be put to: a check, and a read needing each action of the
/// organization.
fn every_use(policy: &Policy) -> Vec<KeyUse<'_>> {
    [KeyUse::Check, KeyUse::Events]
        .into_iter()
        .chain(
            policy.types[0]
                .actions
                .iter()
                .map(|a| KeyUse::Read(policy.actions[a as usize].name.as_str())),
        )
        .collect()
}

#[test]
fn a_key_reads_only_what_its_creator_may_read_now() {
    let mut org = org();
    org.run("ada", create_key("k", hash(1), &["check", "read"]))
        .unwrap();
    assert_eq!(key_may(&org, "k", KeyUse::Read("audit:view")), Ok(()));
    assert_eq!(key_may(&org, "k", KeyUse::Check), Ok(()));
    assert_eq!(org.change_role("owner", "ada", "viewer"), "ok");
    // Her own token gets 403 on the audit log; so does the key she made.
    assert!(!org.may("ada", "audit:view", "acme"));
    let denied = key_may(&org, "k", KeyUse::Read("audit:view")).unwrap_err();
    assert!(
        denied.contains("audit:view") && denied.contains("ada"),
        "{denied}"
    );
    assert!(key_may(&org, "k", KeyUse::Read("members:view")).is_err());
    assert!(
        key_may(&org, "k", KeyUse::Check).is_err(),
        "asking about others takes members:view"
    );
    // What a viewer may still do, the key may too; and the key itself is not revoked.
    assert_eq!(key_may(&org, "k", KeyUse::Read("org:view")), Ok(()));
    // Promoted again, she and her key read the log again.
    assert_eq!(org.change_role("owner", "ada", "admin"), "ok");
    assert_eq!(key_may(&org, "k", KeyUse::Read("audit:view")), Ok(()));
}

#[test]
fn an_events_key_follows_the_feed_while_its_creator_may_read_the_audit_log() {
    let mut org = org();
    org.run("ada", create_key("feed", hash(1), &["events"]))
        .unwrap();
    org.run("ada", create_key("reader", hash(2), &["read"]))
        .unwrap();
    assert_eq!(key_may(&org, "feed", KeyUse::Events), Ok(()));
    assert_eq!(
        key_may(&org, "reader", KeyUse::Events),
        Err("this API key does not have the events permission".into()),
        "reading the organization is not following its feed"
    );
    assert!(key_may(&org, "feed", KeyUse::Read("audit:view")).is_err());
    assert_eq!(org.change_role("owner", "ada", "viewer"), "ok");
    let denied = key_may(&org, "feed", KeyUse::Events).unwrap_err();
    assert!(denied.contains("audit:view"), "{denied}");
}

#[test]
fn a_key_demoted_through_an_import_is_bounded_too() {
    let mut org = org();
    org.run("ada", create_key("k", hash(1), &["read"])).unwrap();
    let row = ImportRow {
        line: 2,
        email: email_of("ada"),
        name: None,
        role: "operator".into(),
        scopes: None,
        invitation_id: InvitationId::parse("imp-2").unwrap(),
        expires_at: Timestamp(START + DAY),
    };
    org.run("owner", Command::Import { rows: vec![row] })
        .unwrap();
    assert_eq!(key_may(&org, "k", KeyUse::Read("members:view")), Ok(()));
    assert!(key_may(&org, "k", KeyUse::Read("audit:view")).is_err());
}

#[test]
fn a_key_never_reads_what_its_creator_never_could() {
    // A policy whose admins manage members but may not read the audit log.
    let source = Policy::preset("operations")
        .unwrap()
        .source
        .replace(
            "permissions = [\"org:view\", \"members:view\", \"members:manage\", \"audit:view\", \"site:*:all\"]",
            "permissions = [\"org:view\", \"members:view\", \"members:manage\", \"site:*:all\"]",
        );
    let mut org = Org::with_policy(Policy::parse(&source).unwrap());
    org.add("ada", "admin");
    assert!(
        !org.may("ada", "audit:view", "acme"),
        "the policy was changed"
    );
    org.run("ada", create_key("k", hash(1), &["read"])).unwrap();
    assert!(key_may(&org, "k", KeyUse::Read("audit:view")).is_err());
    assert_eq!(key_may(&org, "k", KeyUse::Read("members:view")), Ok(()));
}

#[test]
fn a_key_without_the_permission_is_denied_whoever_made_it() {
    let mut org = org();
    org.run("owner", create_key("k", hash(1), &["check"]))
        .unwrap();
    assert_eq!(
        key_may(&org, "k", KeyUse::Read("org:view")),
        Err("this API key does not have the read permission".into())
    );
}

#[test]
fn an_operators_key_is_bounded_by_its_permissions_alone() {
    let mut org = org();
    org.run_as(Actor::System, create_key("ops", hash(1), &["read"]))
        .unwrap();
    assert_eq!(key_may(&org, "ops", KeyUse::Read("audit:view")), Ok(()));
    assert!(key_may(&org, "ops", KeyUse::Check).is_err());
}

#[test]
fn a_key_whose_creator_is_no_member_permits_nothing() {
    // Deleting a member revokes their keys; the rule alone would stop them too.
    let org = org();
    let gone = uid("gone");
    for key_use in every_use(&org.policy) {
        assert!(api_key::permits(
            &org.snapshot,
            "acme",
            api_key::KeyPermissions::of(&API_KEY_PERMISSIONS),
            Some(&gone),
            key_use,
        )
        .is_err());
    }
}

const PEOPLE: [&str; 5] = ["owner", "m1", "m2", "m3", "m4"];

fn person(i: usize) -> &'static str {
    PEOPLE[i % PEOPLE.len()]
}

/// What happens to the organization, by indices into people, roles and keys:
/// mostly what can change what a key's creator may do.
#[derive(Debug, Clone)]
enum Step {
    ChangeRole(usize, usize, usize),
    Import(usize, Vec<(usize, usize)>),
    Delete(usize, usize),
    /// The first nominates the second, who accepts.
    Transfer(usize, usize),
    CreateKey(usize, usize, usize),
    RevokeKey(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    let i = || 0usize..16;
    prop_oneof![
        6 => (i(), i(), i()).prop_map(|(a, t, r)| Step::ChangeRole(a, t, r)),
        2 => (i(), proptest::collection::vec((i(), i()), 1..4)).prop_map(|(a, rows)| Step::Import(a, rows)),
        1 => (i(), i()).prop_map(|(a, t)| Step::Delete(a, t)),
        1 => (i(), i()).prop_map(|(a, t)| Step::Transfer(a, t)),
        2 => (i(), i(), i()).prop_map(|(a, k, p)| Step::CreateKey(a, k, p)),
        1 => (i(), i()).prop_map(|(a, k)| Step::RevokeKey(a, k)),
    ]
}

fn run_step(org: &mut Org, n: usize, step: Step) {
    let roles: Vec<String> = org
        .policy
        .org_roles
        .iter()
        .map(|&r| org.policy.role(r).name.clone())
        .collect();
    let role = |r: usize| roles[r % roles.len()].clone();
    let key = |k: usize| format!("k{}", k % 4);
    // Refusals are part of the test: whatever is refused changes nothing.
    let _ = match step {
        Step::ChangeRole(a, t, r) => org.run(
            person(a),
            Command::ChangeRole {
                user_id: uid(person(t)),
                role: role(r),
            },
        ),
        Step::Import(a, rows) => org.run(
            person(a),
            Command::Import {
                rows: rows
                    .into_iter()
                    .enumerate()
                    .map(|(line, (t, r))| ImportRow {
                        line: line + 2,
                        email: email_of(person(t)),
                        name: None,
                        role: role(r),
                        scopes: None,
                        invitation_id: InvitationId::parse(&format!("imp-{n}-{line}")).unwrap(),
                        expires_at: Timestamp(START + DAY),
                    })
                    .collect(),
            },
        ),
        Step::Delete(a, t) => org.run(
            person(a),
            Command::DeleteMember {
                user_id: uid(person(t)),
                hand_over_to_root: false,
            },
        ),
        Step::Transfer(a, t) => org
            .run(
                person(a),
                Command::NominateOwner {
                    nomination_id: NominationId::parse(&format!("nom-{n}")).unwrap(),
                    to_user: uid(person(t)),
                },
            )
            .and_then(|_| org.run(person(t), Command::AcceptNomination)),
        Step::CreateKey(a, k, p) => {
            let permissions: &[&str] = match p % 3 {
                0 => &["check"],
                1 => &["read"],
                _ => &["check", "read"],
            };
            org.run(person(a), create_key(&key(k), hash(n as u8), permissions))
        }
        Step::RevokeKey(a, k) => org.run(person(a), revoke_key(&key(k))),
    };
}

/// For every live key and every use: the core's rule says what its plain
/// statement says, so a key never permits what its creator's current role does
/// not; and a key's creator is still a member.
fn assert_keys_bounded(org: &Org) {
    for key in org.state.api_keys() {
        if let Some(creator) = &key.created_by {
            assert!(
                org.state.member(creator).is_some(),
                "{} outlived its creator {creator}",
                key.id
            );
        }
        for key_use in every_use(&org.policy) {
            let got = api_key::permits(
                &org.snapshot,
                "acme",
                key.permission_set(),
                key.created_by.as_ref(),
                key_use,
            )
            .is_ok();
            assert_eq!(
                got,
                plainly_may(&org.policy, &org.state, key, key_use),
                "{} ({:?}, by {:?}) for {key_use:?}",
                key.id,
                key.permissions,
                key.created_by
            );
            if let (true, Some(creator)) = (got, &key.created_by) {
                let role = &org.state.member(creator).unwrap().role;
                let action = org.policy.action_index(key_use.action()).unwrap();
                assert!(
                    access::allowed(&org.policy, &org.state, creator, action, None),
                    "{} permits {key_use:?}, which {creator}'s role {role} does not give",
                    key.id
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// For any sequence of commands, on every preset, a key never permits what
    /// its creator's current role does not.
    #[test]
    fn a_key_never_permits_what_its_creators_current_role_does_not(
        preset in 0..PRESETS.len(),
        setup in proptest::collection::vec(0usize..8, 4),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let mut org = Org::new(PRESETS[preset].0);
        // Members of every role the owner may give, each making a key if they may.
        for (k, r) in setup.into_iter().enumerate() {
            let user = PEOPLE[k + 1];
            let role = org.policy.role(org.policy.org_roles[r % org.policy.org_roles.len()]).name.clone();
            let invite = Command::Invite {
                invitation_id: InvitationId::parse(&format!("inv-{user}")).unwrap(),
                email: Email::parse(&format!("{user}@acme.test")).unwrap(),
                name: None,
                role: Some(role),
                scopes: vec![],
                expires_at: Timestamp(START + 7 * DAY),
            };
            if org.run("owner", invite).is_ok() {
                org.run(user, Command::Join {
                    invitation_id: InvitationId::parse(&format!("inv-{user}")).unwrap(),
                    user_id: uid(user),
                    name: None,
                }).unwrap();
            }
        }
        for (k, who) in PEOPLE.iter().enumerate() {
            let _ = org.run(who, create_key(&format!("k{k}"), hash(200 + k as u8), &["check", "read"]));
        }
        assert_keys_bounded(&org);
        for (n, s) in steps.into_iter().enumerate() {
            run_step(&mut org, n, s);
            assert_keys_bounded(&org);
        }
    }
}
