//! The events' wire format and what each names, against the audit log's words.
use super::*;

#[test]
fn role_change_reads_as_the_audit_log_names_it() {
    let e = Event {
        at: Timestamp(5),
        actor: Actor::User(UserId::parse("ann").unwrap()),
        change: Change::RoleChanged {
            user_id: UserId::parse("bob").unwrap(),
            previous_role: "viewer".into(),
            new_role: "admin".into(),
        },
        names: BTreeMap::new(),
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["type"], "user.role_changed");
    assert_eq!(json["data"]["previous_role"], "viewer");
    assert_eq!(json["data"]["new_role"], "admin");
    assert_eq!(e.change.type_name(), "user.role_changed");
    assert_eq!(e.change.target(), Some("bob"));
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(back, e);
}

#[test]
fn an_event_without_names_is_stored_exactly_as_before_names_were_kept() {
    // The audit chain hashes the stored body: an old body must read back,
    // and an event without names must write the very same text.
    let old = r#"{"at":5,"actor":{"kind":"user","id":"ann"},"type":"user.role_changed","data":{"user_id":"bob","previous_role":"viewer","new_role":"admin"}}"#;
    let e: Event = serde_json::from_str(old).unwrap();
    assert!(e.names.is_empty());
    assert_eq!(serde_json::to_string(&e).unwrap(), old);

    let mut named = e.clone();
    named.names.insert("bob".into(), "Bob Brown".into());
    let body = serde_json::to_string(&named).unwrap();
    assert!(body.ends_with(r#","names":{"bob":"Bob Brown"}}"#), "{body}");
    assert_eq!(serde_json::from_str::<Event>(&body).unwrap(), named);
}

#[test]
fn api_key_and_login_events_read_as_the_audit_log_names_them() {
    let created = Change::ApiKeyCreated {
        key_id: ApiKeyId::parse("key-1").unwrap(),
        name: Name::parse("Billing back-end").unwrap(),
        key_hash: "ab".repeat(32),
        permissions: vec!["check".into()],
    };
    let revoked = Change::ApiKeyRevoked {
        key_id: ApiKeyId::parse("key-1").unwrap(),
        name: Name::parse("Billing back-end").unwrap(),
    };
    let failed = Change::LoginFailed {
        user_id: UserId::parse("bob").unwrap(),
    };
    for (change, type_name, target) in [
        (created, "api_key.created", "key-1"),
        (revoked, "api_key.revoked", "key-1"),
        (failed, "auth.login_failed", "bob"),
    ] {
        let e = Event {
            at: Timestamp(5),
            actor: Actor::System,
            change,
            names: BTreeMap::new(),
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], type_name);
        assert!(json["data"].is_object(), "{type_name}: data");
        assert_eq!(e.change.type_name(), type_name);
        assert_eq!(e.change.target(), Some(target));
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}

/// One of each variant; the `match` makes a new variant fail to compile here
/// until it has an example.
fn one_of_each() -> Vec<Change> {
    let org = || OrgId::parse("org-1").unwrap();
    let user = || UserId::parse("bob").unwrap();
    let object = || ObjectId::parse("obj-1").unwrap();
    let name = || Name::parse("Bob").unwrap();
    let email = || Email::parse("bob@example.com").unwrap();
    let invitation = || InvitationId::parse("inv-1").unwrap();
    let nomination = || NominationId::parse("nom-1").unwrap();
    let key = || ApiKeyId::parse("key-1").unwrap();
    let webhook = || WebhookId::parse("wh-1").unwrap();
    let transfer = || (nomination(), user(), user());
    let all = vec![
        Change::OrgCreated {
            org_id: org(),
            name: name(),
            owner_id: user(),
            owner_email: email(),
            owner_name: name(),
            owner_role: "owner".into(),
        },
        Change::OrgDeleted { org_id: org() },
        Change::MemberInvited {
            invitation_id: invitation(),
            email: email(),
            name: None,
            role: "viewer".into(),
            scopes: vec![],
            expires_at: Timestamp(9),
        },
        Change::InvitationRevoked {
            invitation_id: invitation(),
            email: email(),
        },
        Change::InvitationExpired {
            invitation_id: invitation(),
            email: email(),
        },
        Change::MemberJoined {
            invitation_id: None,
            user_id: user(),
            email: email(),
            name: name(),
            role: "viewer".into(),
        },
        Change::MemberUpdated {
            user_id: user(),
            previous_name: name(),
            name: name(),
        },
        Change::MemberDeleted {
            user_id: user(),
            email: email(),
            role: "viewer".into(),
            objects_to: None,
        },
        Change::RoleChanged {
            user_id: user(),
            previous_role: "viewer".into(),
            new_role: "admin".into(),
        },
        Change::ScopeRolesChanged {
            user_id: user(),
            object_id: object(),
            previous_roles: vec![],
            roles: vec![],
        },
        {
            let (nomination_id, from_user, to_user) = transfer();
            Change::TransferNominated {
                nomination_id,
                from_user,
                to_user,
                expires_at: Timestamp(9),
            }
        },
        {
            let (nomination_id, from_user, to_user) = transfer();
            Change::TransferAccepted {
                nomination_id,
                from_user,
                to_user,
            }
        },
        {
            let (nomination_id, from_user, to_user) = transfer();
            Change::TransferDeclined {
                nomination_id,
                from_user,
                to_user,
            }
        },
        {
            let (nomination_id, from_user, to_user) = transfer();
            Change::TransferCancelled {
                nomination_id,
                from_user,
                to_user,
            }
        },
        {
            let (nomination_id, from_user, to_user) = transfer();
            Change::TransferExpired {
                nomination_id,
                from_user,
                to_user,
            }
        },
        Change::ObjectCreated {
            object_id: object(),
            object_type: "project".into(),
            name: name(),
            parent_id: None,
            owner_id: None,
        },
        Change::ObjectDeleted {
            object_id: object(),
        },
        Change::ObjectOwnerChanged {
            object_id: object(),
            previous_owner: None,
            new_owner: None,
        },
        Change::ObjectRenamed {
            object_id: object(),
            previous_name: name(),
            name: name(),
        },
        Change::ObjectMoved {
            object_id: object(),
            previous_parent: None,
            parent_id: None,
        },
        Change::GrantChanged {
            object_id: object(),
            user_id: user(),
            previous_actions: vec![],
            actions: vec![],
        },
        Change::ImportApplied {
            created: 0,
            updated: 0,
            unchanged: 0,
        },
        Change::ApiKeyCreated {
            key_id: key(),
            name: name(),
            key_hash: "ab".repeat(32),
            permissions: vec![],
        },
        Change::ApiKeyRevoked {
            key_id: key(),
            name: name(),
        },
        Change::LoginFailed { user_id: user() },
        Change::PasswordReset { user_id: user() },
        Change::PasswordChanged { user_id: user() },
        Change::DirectoryRefused {
            reason: "last_admin".into(),
            request: "DELETE /Users/bob".into(),
        },
        Change::SecondFactorRequiredSet { required: true },
        Change::SecondFactorReset { user_id: user() },
        Change::SsoConfigured {
            issuer: "https://id.acme.test".into(),
            client_id: "steward".into(),
            domains: vec!["acme.test".into()],
            require_sso: false,
            notify_new_sign_in: false,
        },
        Change::SsoRemoved {
            issuer: "https://id.acme.test".into(),
        },
        Change::SsoDomainProven {
            domain: "acme.test".into(),
            proven_by: Email::parse("ann@acme.test").unwrap(),
        },
        Change::SsoJoined {
            user_id: user(),
            issuer: "https://id.acme.test".into(),
        },
        Change::SsoSignedIn {
            user_id: user(),
            issuer: "https://id.acme.test".into(),
        },
        Change::BreakGlass { user_id: user() },
        Change::MemberSuspended {
            user_id: user(),
            email: email(),
        },
        Change::MemberReinstated {
            user_id: user(),
            email: email(),
        },
        Change::DeprovisionChanged {
            previous: crate::state::Deprovision::Remove,
            on_deprovision: crate::state::Deprovision::Suspend,
        },
        Change::WebhookConfigured {
            webhook_id: webhook(),
            url: "https://hooks.acme.test/".into(),
            event_types: vec![],
            enabled: true,
        },
        Change::WebhookSecretRotated {
            webhook_id: webhook(),
        },
        Change::WebhookRemoved {
            webhook_id: webhook(),
            url: "https://hooks.acme.test/".into(),
        },
        Change::WebhookDisabled {
            webhook_id: webhook(),
            reason: "failing".into(),
        },
    ];
    for change in &all {
        match change {
            Change::OrgCreated { .. }
            | Change::OrgDeleted { .. }
            | Change::MemberInvited { .. }
            | Change::InvitationRevoked { .. }
            | Change::InvitationExpired { .. }
            | Change::MemberJoined { .. }
            | Change::MemberUpdated { .. }
            | Change::MemberDeleted { .. }
            | Change::RoleChanged { .. }
            | Change::ScopeRolesChanged { .. }
            | Change::TransferNominated { .. }
            | Change::TransferAccepted { .. }
            | Change::TransferDeclined { .. }
            | Change::TransferCancelled { .. }
            | Change::TransferExpired { .. }
            | Change::ObjectCreated { .. }
            | Change::ObjectDeleted { .. }
            | Change::ObjectOwnerChanged { .. }
            | Change::ObjectRenamed { .. }
            | Change::ObjectMoved { .. }
            | Change::GrantChanged { .. }
            | Change::ImportApplied { .. }
            | Change::ApiKeyCreated { .. }
            | Change::ApiKeyRevoked { .. }
            | Change::LoginFailed { .. }
            | Change::PasswordReset { .. }
            | Change::PasswordChanged { .. }
            | Change::DirectoryRefused { .. }
            | Change::SecondFactorRequiredSet { .. }
            | Change::SecondFactorReset { .. }
            | Change::SsoConfigured { .. }
            | Change::SsoRemoved { .. }
            | Change::SsoDomainProven { .. }
            | Change::SsoJoined { .. }
            | Change::SsoSignedIn { .. }
            | Change::BreakGlass { .. }
            | Change::MemberSuspended { .. }
            | Change::MemberReinstated { .. }
            | Change::DeprovisionChanged { .. }
            | Change::WebhookConfigured { .. }
            | Change::WebhookSecretRotated { .. }
            | Change::WebhookRemoved { .. }
            | Change::WebhookDisabled { .. } => {}
        }
    }
    all
}

#[test]
fn every_event_type_name_is_the_serde_tag_and_listed_once() {
    let all = one_of_each();
    assert_eq!(all.len(), Change::TYPE_NAMES.len());
    for (change, listed) in all.iter().zip(Change::TYPE_NAMES) {
        let json = serde_json::to_value(change).unwrap();
        assert_eq!(json["type"], change.type_name());
        assert_eq!(change.type_name(), *listed);
    }
    let mut unique = Change::TYPE_NAMES.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), Change::TYPE_NAMES.len());
}

#[test]
fn the_listed_event_types_are_all_serde_knows() {
    // serde names every variant it accepts when it meets one it does not.
    let err = serde_json::from_value::<Change>(serde_json::json!({"type": "no.such"}))
        .unwrap_err()
        .to_string();
    let expected: Vec<&str> = err
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("serde's message changed: {err}"))
        .split(", ")
        .map(|name| name.trim_matches(|c: char| c == '`' || c.is_whitespace()))
        .map(|name| name.split('`').next().unwrap_or(name))
        .collect();
    assert_eq!(expected, Change::TYPE_NAMES);
}
