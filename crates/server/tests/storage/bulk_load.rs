//! The start-up's bulk readers (rusqlite for an SQLite file, binary `COPY` for
//! PostgreSQL) read an organization exactly as the row-by-row reader through sqlx
//! does, with every kind of row the state holds.

use crate::support::*;
use steward_core::{
    ApiKeyId, Command, Deprovision, InvitationId, Policy, ScopeRoles, Timestamp, WebhookId,
};

crate::on_both_backends!(
    the_bulk_reader_reads_every_kind_of_row_as_the_row_reader_does,
    the_bulk_reader_reads_a_large_organization_as_the_row_reader_does,
    an_organization_large_enough_for_two_readers_is_read_as_the_row_reader_reads_it,
    the_bulk_reader_refuses_an_organization_that_does_not_exist,
);

/// Both readers, and the state held in memory, agree.
async fn assert_read_alike(t: &TestOrg) {
    let store = t.svc.store();
    let (bulk, bulk_head) = store.load_org(&t.org).await.unwrap();
    let (rows, rows_head) = store.load_org_by_rows(&t.org).await.unwrap();
    assert_eq!(bulk, rows, "bulk reader vs row reader");
    assert_eq!(bulk_head, rows_head, "the head");
    assert_eq!(bulk, t.state().await, "bulk reader vs memory");
}

async fn the_bulk_reader_reads_every_kind_of_row_as_the_row_reader_does(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("analytics").unwrap()).await;
    let t = TestOrg::create(&svc, "every-row").await;
    t.add("pm", "project_manager").await;
    t.add("al", "analyst").await;
    t.add("sus", "analyst").await;
    // Objects of several types, nested, owned and not.
    t.create_object("pm", "p1", "project", None).await;
    t.create_object("pm", "q1", "question", Some("p1")).await;
    t.create_object("pm", "q2", "question", Some("p1")).await;
    t.create_object("al", "d1", "dashboard", None).await;
    t.create_object("al", "c1", "chart", Some("d1")).await;
    t.create_object("owner", "p2", "project", None).await;
    let later = Timestamp(svc.clock().now().0 + 7 * DAY);
    let commands = vec![
        Command::SetGrant {
            object_id: oid("p1"),
            user_id: uid("al"),
            actions: vec!["project:view".into(), "project:edit".into()],
        },
        Command::SetGrant {
            object_id: oid("p2"),
            user_id: uid("sus"),
            actions: vec!["project:view".into()],
        },
        Command::ChangeObjectOwner {
            object_id: oid("p2"),
            owner_id: uid("pm"),
        },
        Command::SuspendMember {
            user_id: uid("sus"),
        },
        Command::SetDeprovision {
            on_deprovision: Deprovision::Suspend,
        },
        Command::Invite {
            invitation_id: InvitationId::parse("inv-named").unwrap(),
            email: email_of("newcomer"),
            name: Some(name("New Comer")),
            role: Some("analyst".into()),
            scopes: vec![],
            expires_at: later,
        },
        Command::Invite {
            invitation_id: InvitationId::parse("inv-unnamed").unwrap(),
            email: email_of("anon"),
            name: None,
            role: None,
            scopes: vec![],
            expires_at: later,
        },
        Command::NominateOwner {
            nomination_id: steward_core::NominationId::parse("nom-pm").unwrap(),
            to_user: uid("pm"),
        },
        Command::CreateApiKey {
            key_id: ApiKeyId::parse("key-1").unwrap(),
            name: name("Back-end"),
            key_hash: "ab".repeat(32),
            permissions: vec!["check".into(), "read".into()],
        },
        Command::ConfigureWebhook {
            webhook_id: WebhookId::parse("hook-1").unwrap(),
            url: "https://hooks.example.test/steward".into(),
            event_types: vec!["member.joined".into()],
            enabled: true,
        },
        Command::ConfigureWebhook {
            webhook_id: WebhookId::parse("hook-2").unwrap(),
            url: "https://other.example.test/".into(),
            event_types: vec![],
            enabled: false,
        },
    ];
    for command in commands {
        let what = format!("{command:?}");
        t.run("owner", command)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    let state = t.state().await;
    assert!(state.member(&uid("sus")).unwrap().suspended);
    assert_eq!(state.invitations().count(), 2);
    assert!(state.nomination().is_some());
    assert_eq!(state.api_keys().count(), 1);
    assert_eq!(state.webhooks().count(), 2);
    assert_eq!(state.on_deprovision(), Deprovision::Suspend);
    assert_read_alike(&t).await;

    // Scope roles (the systems preset has roles on a system) and an invitation
    // that carries them.
    let svc = db.service(Policy::preset("systems").unwrap()).await;
    let t = TestOrg::create(&svc, "scoped").await;
    t.add("mia", "member").await;
    t.create_object("owner", "sys-1", "system", None).await;
    t.create_object("owner", "sys-2", "system", None).await;
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
    let scopes = vec![ScopeRoles {
        object_id: oid("sys-2"),
        roles: vec!["admin".into()],
    }];
    t.run(
        "owner",
        Command::Invite {
            invitation_id: InvitationId::parse("inv-scoped").unwrap(),
            email: email_of("sam"),
            name: None,
            role: None,
            scopes,
            expires_at: Timestamp(svc.clock().now().0 + DAY),
        },
    )
    .await
    .unwrap();
    assert_eq!(t.state().await.all_scope_roles().count(), 1);
    assert_read_alike(&t).await;

    // A deleted organization still reads (it answers no checks, but loads).
    t.run("owner", Command::DeleteOrganization).await.unwrap();
    assert_read_alike(&t).await;
}

/// Enough rows that SQLite steps through many pages and PostgreSQL's `COPY` sends
/// many messages: 2,000 invitations (imported), 300 of them joined as members (one
/// in three suspended), and 400 objects in a tree.
async fn the_bulk_reader_reads_a_large_organization_as_the_row_reader_does(backend: Backend) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("analytics").unwrap()).await;
    let t = TestOrg::create(&svc, "large").await;
    let later = Timestamp(svc.clock().now().0 + 7 * DAY);
    let invitation = |i: usize| InvitationId::parse(&format!("inv{i}")).unwrap();
    let rows = (0..2000)
        .map(|i| steward_core::ImportRow {
            line: i + 2,
            email: email_of(&format!("user{i}")),
            name: Some(name(&format!("User {i}"))),
            role: "analyst".into(),
            scopes: None,
            invitation_id: invitation(i),
            expires_at: later,
        })
        .collect();
    t.run("owner", Command::Import { rows }).await.unwrap();
    for i in 0..300 {
        let user = format!("user{i}");
        let join = Command::Join {
            invitation_id: invitation(i),
            user_id: uid(&user),
            name: None,
        };
        t.run(&user, join).await.unwrap();
        if i % 3 == 0 {
            let suspend = Command::SuspendMember {
                user_id: uid(&user),
            };
            t.run("owner", suspend).await.unwrap();
        }
    }
    for i in 0..200 {
        t.create_object("owner", &format!("p{i}"), "project", None)
            .await;
        let parent = format!("p{}", i / 2);
        t.create_object("owner", &format!("q{i}"), "question", Some(&parent))
            .await;
    }
    let state = t.state().await;
    assert_eq!(state.member_count(), 301);
    assert_eq!(state.invitations().count(), 1700);
    assert_eq!(state.object_count(), 400);
    assert_read_alike(&t).await;
}

/// Past 25,000 members or objects the bulk readers read the members on a second
/// connection (store/load_sqlite.rs, store/load_postgres.rs); the rows are written
/// straight into the tables, as the scale bench does, to get there quickly.
async fn an_organization_large_enough_for_two_readers_is_read_as_the_row_reader_reads_it(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let svc = db.service(Policy::preset("analytics").unwrap()).await;
    let t = TestOrg::create(&svc, "huge").await;
    t.add("pm", "project_manager").await;
    let org = t.org.as_str();
    let numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)";
    let writes = [
        format!(
            "{numbers} INSERT INTO memberships (org_id, user_id, email, name, role) \
             SELECT '{org}', 'm' || i, 'm' || i || '@example.com', 'Member ' || i, \
             CASE WHEN i % 3 = 0 THEN 'project_manager' ELSE 'analyst' END FROM n"
        ),
        // Projects, each of the first 10,000 with a question below it; every other
        // one owned by the project manager.
        format!(
            "{numbers} INSERT INTO objects (org_id, id, type, name, parent_id, owner_id) \
             SELECT '{org}', 'o' || i, CASE WHEN i > 20000 THEN 'question' ELSE 'project' END, \
             'Object ' || i, CASE WHEN i > 20000 THEN 'o' || (i - 20000) END, \
             CASE WHEN i % 2 = 0 THEN 'pm' END FROM n"
        ),
        format!(
            "INSERT INTO grants (org_id, object_id, user_id, action) \
             VALUES ('{org}', 'o7', 'm5', 'project:view')"
        ),
    ];
    for sql in writes {
        sqlx::query(&sql).execute(svc.store().pool()).await.unwrap();
    }
    let store = svc.store();
    let (bulk, bulk_head) = store.load_org(&t.org).await.unwrap();
    let (rows, rows_head) = store.load_org_by_rows(&t.org).await.unwrap();
    assert_eq!(bulk.member_count(), 30_002);
    assert_eq!(bulk.object_count(), 30_000);
    assert_eq!(bulk, rows, "bulk reader vs row reader");
    assert_eq!(bulk_head, rows_head, "the head");
}

async fn the_bulk_reader_refuses_an_organization_that_does_not_exist(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let org = steward_core::OrgId::parse("nowhere").unwrap();
    let bulk = store.load_org(&org).await.unwrap_err().to_string();
    let rows = store.load_org_by_rows(&org).await.unwrap_err().to_string();
    assert_eq!(bulk, rows);
    assert_eq!(bulk, "organization nowhere does not exist");
}
