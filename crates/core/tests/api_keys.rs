//! API keys and failed logins: recorded in the audit log like every other change,
//! on the `operations` preset (admins manage members, operators and viewers do not).
//! The rule for each use of a key is in `api_key_bounds.rs`.

mod support;
use steward_core::api_key::{self, KeyUse};
use steward_core::{replay, Actor, Change, Command, Refusal, RefusalKind, Timestamp};
use support::keys::*;
use support::*;

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
