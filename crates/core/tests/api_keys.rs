//! API keys and failed logins: recorded in the audit log like every other change,
//! on the `operations` preset (admins manage members, operators and viewers do not).

mod support;
use steward_core::{
    replay, Actor, ApiKeyId, Change, Command, Refusal, RefusalKind, Timestamp, API_KEY_PERMISSIONS,
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
        API_KEY_PERMISSIONS.map(String::from).to_vec()
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
