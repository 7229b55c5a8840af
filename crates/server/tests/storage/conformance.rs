//! The store's conformance suite, run against SQLite and PostgreSQL alike: every
//! command is stored exactly as the state has it, and a refusal leaves the
//! database as it was. The audit chain's tests are in `chain.rs`, what a restart
//! or a second node reads back in `reload.rs`.

use crate::support::*;
use steward::service::ServiceError;
use steward_core::{
    replay, Actor, ApiKeyId, Command, Email, ImportRow, InvitationId, Policy, Refusal, ScopeRoles,
    Snapshot, Timestamp,
};

crate::on_both_backends!(
    every_command_is_stored_as_the_state_has_it,
    every_refusal_leaves_the_database_unchanged,
    api_keys_and_failed_logins_are_stored_and_audited,
);

/// The database, the memory and the log agree: the state tables reload to the state
/// held in memory, replaying the stored events gives it too, the check snapshot
/// answers as a fresh one, and the chain verifies.
pub(crate) async fn assert_mirrored(t: &TestOrg, step: &str) {
    let held = t.state().await;
    let (loaded, head) = t.svc.store().load_org(&t.org).await.unwrap();
    assert_eq!(loaded, held, "{step}: state tables vs memory");
    let events = t.stored_events().await;
    assert_eq!(events.len() as i64, head.seq, "{step}: head");
    assert_eq!(replay(&events), held, "{step}: replayed log vs memory");
    let report = t.svc.verify(&t.org).await.unwrap();
    assert!(report.ok, "{step}: chain {report:?}");
    if let Some(live) = t.svc.snapshot(t.org.as_str()) {
        let fresh = Snapshot::build(t.svc.policy().clone(), &held);
        for m in held.members() {
            for node in std::iter::once(t.org.as_str()).chain(held.objects().map(|o| o.id.as_str()))
            {
                for action in t.svc.policy().actions.iter() {
                    let a = live.check_by_name(m.user_id.as_str(), &action.name, node);
                    let b = fresh.check_by_name(m.user_id.as_str(), &action.name, node);
                    assert_eq!(
                        (a.allowed, live.reason_text(&a).to_string()),
                        (b.allowed, fresh.reason_text(&b).to_string()),
                        "{step}: published snapshot vs fresh, {} {} {node}",
                        m.user_id,
                        action.name
                    );
                }
            }
        }
    }
}

fn scope(object: &str, roles: &[&str]) -> ScopeRoles {
    ScopeRoles {
        object_id: oid(object),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn import_row(line: usize, who: &str, role: &str, expires_at: Timestamp) -> ImportRow {
    ImportRow {
        line,
        email: email_of(who),
        name: None,
        role: role.into(),
        scopes: None,
        invitation_id: InvitationId::parse(&format!("imp-{who}")).unwrap(),
        expires_at,
    }
}

async fn every_command_is_stored_as_the_state_has_it(backend: Backend) {
    let db = TestDb::new(backend).await;

    // operations: members, sites, the nomination and its ends, the import.
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "ops").await;
    assert_mirrored(&t, "created").await;
    t.run(
        "owner",
        Command::CreateObject {
            object_id: oid("site-a"),
            object_type: "site".into(),
            name: name("Site A"),
            parent_id: None,
            owner_id: None,
        },
    )
    .await
    .unwrap();
    t.add("ada", "admin").await;
    t.add_with_scopes("vera", "viewer", vec![scope("site-a", &["viewer"])])
        .await;
    t.add("otto", "operator").await;
    assert_mirrored(&t, "joined").await;
    assert_eq!(t.change_role("ada", "otto", "viewer").await, "ok");
    t.run(
        "ada",
        Command::Rename {
            user_id: uid("otto"),
            name: name("Otto O."),
        },
    )
    .await
    .unwrap();
    t.run(
        "ada",
        Command::SetScopeRoles {
            user_id: uid("otto"),
            object_id: oid("site-a"),
            roles: vec!["operator".into()],
        },
    )
    .await
    .unwrap();
    t.run(
        "ada",
        Command::SetScopeRoles {
            user_id: uid("vera"),
            object_id: oid("site-a"),
            roles: vec![],
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "roles").await;
    let later = Timestamp(svc.clock().now().0 + 7 * DAY);
    t.run(
        "ada",
        Command::Invite {
            invitation_id: InvitationId::parse("inv-gone").unwrap(),
            email: email_of("gone"),
            name: Some(name("Gone")),
            role: None,
            scopes: vec![scope("site-a", &["viewer"])],
            expires_at: later,
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "invited").await;
    t.run(
        "ada",
        Command::RevokeInvitation {
            invitation_id: InvitationId::parse("inv-gone").unwrap(),
        },
    )
    .await
    .unwrap();
    t.run(
        "ada",
        Command::Import {
            rows: vec![
                import_row(2, "vera", "operator", later),
                import_row(3, "newbie", "viewer", later),
            ],
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "imported").await;
    assert_eq!(t.nominate("owner", "ada").await, "ok");
    assert_mirrored(&t, "nominated").await;
    t.run("ada", Command::DeclineNomination).await.unwrap();
    assert_eq!(t.nominate("owner", "ada").await, "ok");
    t.run("owner", Command::CancelNomination).await.unwrap();
    assert_eq!(t.nominate("owner", "ada").await, "ok");
    t.run("ada", Command::AcceptNomination).await.unwrap();
    assert_mirrored(&t, "accepted").await;
    assert_eq!(t.role_of("ada").await.as_deref(), Some("owner"));
    assert_eq!(t.role_of("owner").await.as_deref(), Some("admin"));
    t.run(
        "ada",
        Command::DeleteMember {
            user_id: uid("vera"),
            hand_over_to_root: false,
        },
    )
    .await
    .unwrap();
    t.run(
        "ada",
        Command::DeleteObject {
            object_id: oid("site-a"),
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "deleted").await;

    // analytics: objects with children, grants, "Make owner", hand-over to root.
    let svc = db.service(Policy::preset("analytics").unwrap()).await;
    let t = TestOrg::create(&svc, "ana").await;
    t.add("pm", "project_manager").await;
    t.add("al", "analyst").await;
    t.create_object("pm", "p1", "project", None).await;
    t.create_object("pm", "q1", "question", Some("p1")).await;
    t.create_object("pm", "q2", "question", Some("p1")).await;
    t.create_object("al", "d1", "dashboard", None).await;
    t.create_object("al", "c1", "chart", Some("d1")).await;
    t.run(
        "pm",
        Command::SetGrant {
            object_id: oid("p1"),
            user_id: uid("al"),
            actions: vec!["project:view".into(), "project:edit".into()],
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "objects").await;
    t.run(
        "owner",
        Command::ChangeObjectOwner {
            object_id: oid("p1"),
            owner_id: uid("al"),
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "make owner").await;
    t.run(
        "owner",
        Command::DeleteMember {
            user_id: uid("al"),
            hand_over_to_root: true,
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "handed over").await;
    t.run(
        "owner",
        Command::DeleteObject {
            object_id: oid("p1"),
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "project deleted").await;
    t.run("owner", Command::DeleteOrganization).await.unwrap();
    assert_mirrored(&t, "organization deleted").await;

    // systems: several roles on one system scope.
    let svc = db.service(Policy::preset("systems").unwrap()).await;
    let t = TestOrg::create(&svc, "sys").await;
    t.add("mia", "member").await;
    t.create_object("owner", "sys-1", "system", None).await;
    t.run(
        "owner",
        Command::SetScopeRoles {
            user_id: uid("mia"),
            object_id: oid("sys-1"),
            roles: vec!["admin".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(t.change_role("owner", "mia", "owner").await, "ok");
    assert_mirrored(&t, "systems").await;
    t.run(
        "owner",
        Command::DeleteObject {
            object_id: oid("sys-1"),
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "system deleted").await;
}

fn create_key(id: &str, seed: u8, permissions: &[&str]) -> Command {
    Command::CreateApiKey {
        key_id: ApiKeyId::parse(id).unwrap(),
        name: name(&format!("{id} back-end")),
        key_hash: format!("{seed:02x}").repeat(32),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    }
}

/// The organization's `api_keys` rows, each as `id|key_hash|name|actions|created_by|
/// created_at|revoked_at` (NULL as "-").
async fn api_key_rows(t: &TestOrg) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT id || '|' || key_hash || '|' || name || '|' || actions || '|' || created_by \
         || '|' || CAST(created_at AS TEXT) || '|' || COALESCE(CAST(revoked_at AS TEXT), '-') \
         FROM api_keys WHERE org_id = $1 ORDER BY id",
    )
    .bind(t.org.as_str())
    .fetch_all(t.svc.store().pool())
    .await
    .unwrap()
}

async fn api_keys_and_failed_logins_are_stored_and_audited(backend: Backend) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("operations").unwrap();
    let svc = db.service(policy.clone()).await;
    let t = TestOrg::create(&svc, "ops").await;
    t.add("ada", "admin").await;
    t.add("vera", "viewer").await;
    // The clock is the real one: each key's creation time is its event's.
    let billing_at = t
        .run("ada", create_key("billing", 1, &["read", "check"]))
        .await
        .unwrap()[0]
        .at;
    let ops_cli_at = svc
        .execute(&t.org, &Actor::System, create_key("ops-cli", 2, &["read"]))
        .await
        .unwrap()[0]
        .at;
    assert_mirrored(&t, "api keys created").await;
    assert_eq!(
        api_key_rows(&t).await,
        vec![
            format!(
                r#"billing|{}|billing back-end|["check","read"]|ada|{}|-"#,
                "01".repeat(32),
                billing_at.0
            ),
            format!(
                r#"ops-cli|{}|ops-cli back-end|["read"]|system|{}|-"#,
                "02".repeat(32),
                ops_cli_at.0
            ),
        ]
    );

    t.run(
        "ada",
        Command::RevokeApiKey {
            key_id: ApiKeyId::parse("billing").unwrap(),
        },
    )
    .await
    .unwrap();
    assert_mirrored(&t, "api key revoked").await;
    assert_eq!(
        api_key_rows(&t).await.len(),
        1,
        "the revoked key's row is gone"
    );

    let before = t.state().await;
    let recorded = svc
        .execute(
            &t.org,
            &Actor::System,
            Command::RecordLoginFailure {
                user_id: uid("vera"),
            },
        )
        .await
        .unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(t.state().await, before, "a failed login changes no state");
    assert_mirrored(&t, "failed login").await;

    let audit = t
        .svc
        .store()
        .audit(
            &t.org,
            &steward::store::AuditFilter {
                limit: 4,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = audit
        .iter()
        .map(|e| {
            (
                e.event_type.as_str(),
                e.actor_id.as_deref(),
                e.target_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("auth.login_failed", None, Some("vera")),
            ("api_key.revoked", Some("ada"), Some("billing")),
            ("api_key.created", None, Some("ops-cli")),
            ("api_key.created", Some("ada"), Some("billing")),
        ]
    );
    assert_eq!(audit[3].data["key_hash"], "01".repeat(32));
    assert_eq!(audit[2].data["permissions"], serde_json::json!(["read"]));
    assert_eq!(audit[1].data["name"], "billing back-end");
    assert_eq!(audit[0].data["user_id"], "vera");

    // The keys come back from the tables alone, Steward's own key included.
    let held = t.state().await;
    let reopened = db.service(policy).await;
    let again = t.on(&reopened);
    assert_eq!(again.state().await, held);
    assert_mirrored(&again, "reloaded").await;
}

async fn every_refusal_leaves_the_database_unchanged(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("operations").unwrap()).await;
    let t = TestOrg::create(&svc, "ops").await;
    t.add("ada", "admin").await;
    t.add("otto", "operator").await;
    t.add("vera", "viewer").await;
    assert_eq!(t.nominate("owner", "ada").await, "ok");
    t.run("ada", create_key("billing", 1, &["check"]))
        .await
        .unwrap();
    let later = Timestamp(svc.clock().now().0 + 7 * DAY);
    let refused: Vec<(&str, Command, &str)> = vec![
        (
            "ada",
            Command::ChangeRole {
                user_id: uid("owner"),
                role: "viewer".into(),
            },
            "cannot_demote_owner",
        ),
        (
            "otto",
            Command::ChangeRole {
                user_id: uid("vera"),
                role: "operator".into(),
            },
            "not_permitted",
        ),
        (
            "ada",
            Command::ChangeRole {
                user_id: uid("ada"),
                role: "viewer".into(),
            },
            "self_change",
        ),
        (
            "ada",
            Command::ChangeRole {
                user_id: uid("vera"),
                role: "owner".into(),
            },
            "owner_via_transfer_only",
        ),
        (
            "ada",
            Command::ChangeRole {
                user_id: uid("vera"),
                role: "emperor".into(),
            },
            "unknown_role",
        ),
        (
            "ada",
            Command::ChangeEmail {
                user_id: uid("vera"),
                email: Email::parse("v@x.test").unwrap(),
            },
            "email_immutable",
        ),
        (
            "ada",
            Command::DeleteMember {
                user_id: uid("ada"),
                hand_over_to_root: false,
            },
            "self_change",
        ),
        (
            "ada",
            Command::DeleteMember {
                user_id: uid("owner"),
                hand_over_to_root: false,
            },
            "cannot_demote_owner",
        ),
        (
            "owner",
            Command::NominateOwner {
                nomination_id: steward_core::NominationId::parse("nom-2").unwrap(),
                to_user: uid("otto"),
            },
            "transfer_pending",
        ),
        ("otto", Command::AcceptNomination, "not_nominee"),
        (
            "owner",
            Command::CreateObject {
                object_id: oid("x"),
                object_type: "spaceship".into(),
                name: name("x"),
                parent_id: None,
                owner_id: None,
            },
            "unknown_type",
        ),
        (
            "ada",
            Command::Import {
                rows: vec![
                    import_row(2, "newbie", "viewer", later),
                    import_row(3, "owner", "viewer", later),
                ],
            },
            "rows_refused",
        ),
        ("ada", Command::DeleteOrganization, "not_permitted"),
        ("otto", create_key("k", 2, &["check"]), "not_permitted"),
        ("ada", create_key("k", 2, &["write"]), "unknown_permission"),
        ("ada", create_key("k", 2, &[]), "no_permissions"),
        (
            "ada",
            create_key("billing", 2, &["check"]),
            "duplicate_api_key",
        ),
        ("ada", create_key("k", 1, &["check"]), "duplicate_api_key"),
        (
            "ada",
            Command::CreateApiKey {
                key_id: ApiKeyId::parse("k").unwrap(),
                name: name("k"),
                key_hash: "AB".repeat(32),
                permissions: vec!["check".into()],
            },
            "invalid_key_hash",
        ),
        (
            "otto",
            Command::RevokeApiKey {
                key_id: ApiKeyId::parse("billing").unwrap(),
            },
            "not_permitted",
        ),
        (
            "ada",
            Command::RevokeApiKey {
                key_id: ApiKeyId::parse("nope").unwrap(),
            },
            "unknown_api_key",
        ),
        (
            "owner",
            Command::RecordLoginFailure {
                user_id: uid("vera"),
            },
            "not_permitted",
        ),
    ];
    for (by, command, reason) in refused {
        let before = dump(svc.store()).await;
        let held = t.state().await;
        assert_eq!(t.outcome(by, command).await, reason);
        assert_eq!(
            dump(svc.store()).await,
            before,
            "{reason} left a trace in the database"
        );
        assert_eq!(
            t.state().await,
            held,
            "{reason} changed the state in memory"
        );
    }
    let unknown = steward_core::OrgId::parse("nope").unwrap();
    let err = svc
        .execute(&unknown, &actor("owner"), Command::DeleteOrganization)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Refused(Refusal::NoOrganization)),
        "{err:?}"
    );
}
