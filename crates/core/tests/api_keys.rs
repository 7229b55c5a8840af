//! API keys and failed logins: recorded in the audit log like every other change,
//! on the `operations` preset (admins manage members, operators and viewers do not).
//! And the rule for each use of a key: never more than its creator may do now,
//! held against its plain statement over random sequences of commands.

mod support;
use proptest::prelude::*;
use steward_core::access;
use steward_core::api_key::{self, ApiKey, KeyUse};
use steward_core::policy::{Policy, PRESETS};
use steward_core::{
    replay, Actor, ApiKeyId, Change, Command, Email, ImportRow, InvitationId, NominationId,
    Refusal, RefusalKind, State, Timestamp, API_KEY_PERMISSIONS,
};
use support::*;

/// owner, one admin, one operator, one viewer.
fn org() -> Org {
    let mut org = Org::new("operations");
    org.add("ada", "admin");
    org.add("otto", "operator");
    org.add("vera", "viewer");
    org
}

fn key_id(id: &str) -> ApiKeyId {
    ApiKeyId::parse(id).unwrap()
}

/// A well-formed hash, different for each seed.
fn hash(seed: u8) -> String {
    format!("{seed:02x}").repeat(32)
}

fn create_key(id: &str, key_hash: String, permissions: &[&str]) -> Command {
    Command::CreateApiKey {
        key_id: key_id(id),
        name: name(&format!("{id} back-end")),
        key_hash,
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    }
}

fn revoke_key(id: &str) -> Command {
    Command::RevokeApiKey { key_id: key_id(id) }
}

fn failed_login(user: &str) -> Command {
    Command::RecordLoginFailure { user_id: uid(user) }
}

/// The refusal's API reason, or "ok", for a command Steward itself gives.
fn outcome_as_steward(org: &mut Org, command: Command) -> &'static str {
    match org.run_as(Actor::System, command) {
        Ok(_) => "ok",
        Err(r) => r.reason(),
    }
}

#[test]
fn an_admin_creates_an_api_key_and_revokes_it() {
    let mut org = org();
    let before = org.state.clone();
    let events = org
        .run("ada", create_key("billing", hash(1), &["check"]))
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].change.type_name(), "api_key.created");
    assert_eq!(events[0].change.target(), Some("billing"));
    let key = org.state.api_key(&key_id("billing")).unwrap();
    assert_eq!(key.name.as_str(), "billing back-end");
    assert_eq!(key.key_hash, hash(1));
    assert_eq!(key.permissions, vec!["check".to_string()]);
    assert_eq!(key.created_by, Some(uid("ada")));
    assert_eq!(key.created_at, Timestamp(START));
    assert_eq!(org.state.api_keys().count(), 1);

    let events = org.run("ada", revoke_key("billing")).unwrap();
    match &events[..] {
        [e] => match &e.change {
            Change::ApiKeyRevoked { key_id, name } => {
                assert_eq!(
                    (key_id.as_str(), name.as_str()),
                    ("billing", "billing back-end")
                );
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(org.state.api_key(&key_id("billing")).is_none());
    assert_eq!(org.state.api_keys().count(), 0);
    // Nothing a check reads was touched on the way.
    assert_eq!(org.state, before);
    assert!(org.may("ada", "members:manage", "acme"));
    assert_eq!(replay(&org.events), org.state, "replay rebuilds the keys");
}

#[test]
fn an_api_key_keeps_each_permission_once_in_name_order() {
    let mut org = org();
    assert_eq!(
        org.outcome("ada", create_key("k", hash(1), &["read", "check", "read"])),
        "ok"
    );
    assert_eq!(
        org.state.api_key(&key_id("k")).unwrap().permissions,
        vec!["check".to_string(), "read".to_string()]
    );
}

#[test]
fn an_operator_cannot_create_an_api_key() {
    let mut org = org();
    assert_eq!(
        org.outcome("otto", create_key("k", hash(1), &["check"])),
        "not_permitted"
    );
    assert_eq!(
        org.outcome("vera", create_key("k", hash(1), &["read"])),
        "not_permitted"
    );
    assert_eq!(org.state.api_keys().count(), 0);
}

#[test]
fn an_operator_cannot_revoke_an_api_key() {
    let mut org = org();
    assert_eq!(
        org.outcome("ada", create_key("k", hash(1), &["check"])),
        "ok"
    );
    assert_eq!(org.outcome("otto", revoke_key("k")), "not_permitted");
    assert!(org.state.api_key(&key_id("k")).is_some());
}

#[test]
fn someone_outside_the_organization_does_not_learn_it_exists() {
    let mut org = org();
    assert_eq!(
        org.outcome("stranger", create_key("k", hash(1), &["check"])),
        "unknown_org"
    );
}

#[test]
fn steward_itself_creates_and_revokes_api_keys() {
    let mut org = org();
    assert_eq!(
        outcome_as_steward(&mut org, create_key("ops", hash(1), &["read"])),
        "ok"
    );
    assert_eq!(
        org.state.api_key(&key_id("ops")).unwrap().created_by,
        None,
        "no member created it"
    );
    assert_eq!(outcome_as_steward(&mut org, revoke_key("ops")), "ok");
    assert_eq!(org.state.api_keys().count(), 0);
}

#[test]
fn an_api_key_with_an_unknown_permission_is_refused() {
    let mut org = org();
    for permissions in [&["write"][..], &["check", "admin"], &["Check"], &[""]] {
        assert_eq!(
            org.outcome("ada", create_key("k", hash(1), permissions)),
            "unknown_permission",
            "{permissions:?}"
        );
    }
    let refusal = org
        .run("ada", create_key("k", hash(1), &["check", "write"]))
        .unwrap_err();
    assert_eq!(refusal, Refusal::UnknownPermission("write".into()));
    assert_eq!(refusal.kind(), RefusalKind::Invalid);
}

#[test]
fn an_api_key_without_permissions_is_refused() {
    let mut org = org();
    let refusal = org.run("ada", create_key("k", hash(1), &[])).unwrap_err();
    assert_eq!(refusal.reason(), "no_permissions");
    assert_eq!(refusal.kind(), RefusalKind::Invalid);
}

#[test]
fn a_key_hash_that_is_not_a_lowercase_sha256_is_refused() {
    let mut org = org();
    for bad in [
        "AB".repeat(32),
        "ab".repeat(31),
        "ab".repeat(33),
        "zz".repeat(32),
        "the secret itself".into(),
        String::new(),
    ] {
        assert_eq!(
            org.outcome("ada", create_key("k", bad.clone(), &["check"])),
            "invalid_key_hash",
            "{bad:?}"
        );
    }
}

#[test]
fn a_key_id_or_secret_used_twice_is_refused() {
    let mut org = org();
    assert_eq!(
        org.outcome("ada", create_key("k", hash(1), &["check"])),
        "ok"
    );
    let same_id = org
        .run("owner", create_key("k", hash(2), &["check"]))
        .unwrap_err();
    assert_eq!(same_id.reason(), "duplicate_api_key");
    assert_eq!(same_id.kind(), RefusalKind::Conflict);
    assert_eq!(
        org.outcome("owner", create_key("k2", hash(1), &["read"])),
        "duplicate_api_key"
    );
    // Once revoked, both are free again.
    assert_eq!(org.outcome("ada", revoke_key("k")), "ok");
    assert_eq!(
        org.outcome("ada", create_key("k", hash(1), &["read"])),
        "ok"
    );
}

#[test]
fn revoking_an_unknown_api_key_is_not_found() {
    let mut org = org();
    let refusal = org.run("ada", revoke_key("nope")).unwrap_err();
    assert_eq!(refusal, Refusal::UnknownApiKey(key_id("nope")));
    assert_eq!(refusal.reason(), "unknown_api_key");
    assert_eq!(refusal.kind(), RefusalKind::NotFound);
    assert_eq!(
        org.outcome("ada", create_key("k", hash(1), &["check"])),
        "ok"
    );
    assert_eq!(org.outcome("ada", revoke_key("k")), "ok");
    assert_eq!(org.outcome("ada", revoke_key("k")), "unknown_api_key");
}

#[test]
fn only_steward_records_a_failed_login() {
    let mut org = org();
    for who in ["owner", "ada", "vera"] {
        assert_eq!(
            org.outcome(who, failed_login("vera")),
            "not_permitted",
            "{who}"
        );
    }
    let before = org.state.clone();
    let events = org.run_as(Actor::System, failed_login("vera")).unwrap();
    match &events[..] {
        [e] => {
            assert_eq!(
                e.change,
                Change::LoginFailed {
                    user_id: uid("vera")
                }
            );
            assert_eq!(e.change.type_name(), "auth.login_failed");
            assert_eq!(e.change.target(), Some("vera"));
            assert_eq!(e.actor, Actor::System);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(org.state, before, "a failed login changes no state");
    // Each failure is its own entry: the log shows how many guesses there were.
    assert_eq!(
        org.run_as(Actor::System, failed_login("vera"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(replay(&org.events), org.state);
}

#[test]
fn only_steward_records_that_a_members_password_was_reset_or_changed() {
    let mut org = org();
    let set = |by_reset| Command::RecordPasswordSet {
        user_id: uid("vera"),
        by_reset,
    };
    for who in ["owner", "ada", "vera"] {
        assert_eq!(org.outcome(who, set(true)), "not_permitted", "{who}");
    }
    let before = org.state.clone();
    for (by_reset, type_name) in [
        (true, "auth.password_reset"),
        (false, "auth.password_changed"),
    ] {
        let events = org.run_as(Actor::System, set(by_reset)).unwrap();
        match &events[..] {
            [e] => {
                assert_eq!(e.change.type_name(), type_name);
                assert_eq!(e.change.target(), Some("vera"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(org.state, before, "a new password changes no state");
    let refusal = org
        .run_as(
            Actor::System,
            Command::RecordPasswordSet {
                user_id: uid("stranger"),
                by_reset: true,
            },
        )
        .unwrap_err();
    assert_eq!(refusal, Refusal::UnknownMember(uid("stranger")));
    assert_eq!(replay(&org.events), org.state);
}

#[test]
fn a_failed_login_is_recorded_only_for_a_member() {
    let mut org = org();
    let refusal = org
        .run_as(Actor::System, failed_login("stranger"))
        .unwrap_err();
    assert_eq!(refusal, Refusal::UnknownMember(uid("stranger")));
}

#[test]
fn a_deleted_organization_records_no_key_and_no_failed_login() {
    let mut org = org();
    assert_eq!(
        org.outcome("ada", create_key("k", hash(1), &["check"])),
        "ok"
    );
    org.run("owner", Command::DeleteOrganization).unwrap();
    assert_eq!(
        outcome_as_steward(&mut org, create_key("k2", hash(2), &["check"])),
        "unknown_org"
    );
    assert_eq!(outcome_as_steward(&mut org, revoke_key("k")), "unknown_org");
    assert_eq!(
        outcome_as_steward(&mut org, failed_login("vera")),
        "unknown_org"
    );
}

#[test]
fn deleting_a_member_revokes_the_keys_they_created_and_no_others() {
    let mut org = org();
    org.add("adam", "admin");
    org.run("ada", create_key("adas", hash(1), &["check"]))
        .unwrap();
    org.run("ada", create_key("adas-read", hash(2), &["read"]))
        .unwrap();
    org.run("adam", create_key("adams", hash(3), &["check"]))
        .unwrap();
    org.run_as(Actor::System, create_key("operators", hash(4), &["check"]))
        .unwrap();

    let events = org
        .run(
            "owner",
            Command::DeleteMember {
                user_id: uid("ada"),
                hand_over_to_root: false,
            },
        )
        .unwrap();
    let types: Vec<_> = events.iter().map(|e| e.change.type_name()).collect();
    assert_eq!(
        types,
        ["member.deleted", "api_key.revoked", "api_key.revoked"]
    );
    let revoked: Vec<_> = events[1..]
        .iter()
        .map(|e| e.change.target().unwrap())
        .collect();
    assert_eq!(revoked, ["adas", "adas-read"]);
    let left: Vec<_> = org.state.api_keys().map(|k| k.id.as_str()).collect();
    assert_eq!(left, ["adams", "operators"]);
    assert_eq!(replay(&org.events), org.state);
}

#[test]
fn a_refused_deletion_revokes_no_key() {
    let mut org = org();
    org.run("ada", create_key("adas", hash(1), &["check"]))
        .unwrap();
    assert_eq!(org.delete("ada", "ada", false), "self_change");
    assert!(org.state.api_key(&key_id("adas")).is_some());
}

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

/// A directory (SCIM) acts with the rights of the member who made its token:
/// never above their rank, never on the owner unless they are the owner; the
/// log names the directory; and it hands out no keys of its own.
#[test]
fn a_directory_decides_as_the_maker_of_its_token_and_hands_out_no_keys() {
    let mut org = org();
    let directory = Actor::Directory {
        key_id: key_id("scim"),
        creator: uid("ada"),
    };
    let reason = |r: Result<Vec<steward_core::Event>, Refusal>| match r {
        Ok(_) => "ok",
        Err(r) => r.reason(),
    };
    let demote_owner = Command::ChangeRole {
        user_id: uid("owner"),
        role: "admin".into(),
    };
    assert_eq!(
        reason(org.run_as(directory.clone(), demote_owner)),
        "cannot_demote_owner"
    );
    let promote = Command::ChangeRole {
        user_id: uid("vera"),
        role: "operator".into(),
    };
    let events = org.run_as(directory.clone(), promote).unwrap();
    assert_eq!(events[0].actor, directory);
    assert_eq!(
        reason(org.run_as(directory.clone(), create_key("k", hash(1), &["check"]))),
        "not_permitted"
    );
    let to_owner = Command::ChangeRole {
        user_id: uid("otto"),
        role: "owner".into(),
    };
    assert_eq!(
        reason(org.run_as(directory, to_owner)),
        "owner_via_transfer_only"
    );
    assert_eq!(org.role_of("vera"), "operator");
}

#[test]
fn a_scim_token_is_used_only_while_its_maker_manages_members() {
    let mut org = org();
    assert_eq!(
        org.outcome("ada", create_key("scim", hash(2), &["scim"])),
        "ok"
    );
    let key = org.state.api_key(&key_id("scim")).unwrap().clone();
    let permits = |org: &Org| {
        api_key::permits(
            &org.snapshot,
            "acme",
            key.permission_set(),
            key.created_by.as_ref(),
            KeyUse::Scim,
        )
        .is_ok()
    };
    assert!(permits(&org));
    assert_eq!(org.change_role("owner", "ada", "operator"), "ok");
    assert!(!permits(&org), "ada no longer manages members");
    let check_only = api_key::KeyPermissions::of(&["check"]);
    assert!(!check_only.gives(KeyUse::Scim));
}

#[test]
fn only_a_directory_records_its_refused_requests() {
    let mut org = org();
    let refusal = || Command::RecordDirectoryRefusal {
        reason: "last_admin".into(),
        request: "DELETE /Users/ada".into(),
    };
    assert_eq!(org.outcome("ada", refusal()), "not_permitted");
    assert_eq!(outcome_as_steward(&mut org, refusal()), "not_permitted");
    let directory = Actor::Directory {
        key_id: key_id("scim"),
        creator: uid("ada"),
    };
    let before = org.state.clone();
    let events = org.run_as(directory, refusal()).unwrap();
    assert_eq!(events[0].change.type_name(), "scim.refused");
    assert_eq!(org.state, before, "it changes nothing");
}
