//! The all-or-nothing batch behind the CSV import (docs/model.md#seed-001-operations: "use the CSV import
//! with the role column to re-apply roles across a file"): every rule applies per row.

mod support;
use steward_core::{Change, Command, Email, ImportRow, InvitationId, Refusal, Timestamp};
use support::*;

fn org() -> Org {
    let mut org = Org::new("operations");
    org.add("ada", "admin");
    org.add("otto", "operator");
    org.add("vera", "viewer");
    org.create("owner", "site-a", "site", None);
    org
}

fn row(line: usize, who: &str, role: &str) -> ImportRow {
    ImportRow {
        line,
        email: Email::parse(&format!("{who}@acme.test")).unwrap(),
        name: None,
        role: role.into(),
        scopes: None,
        invitation_id: InvitationId::parse(&format!("imp-{line}")).unwrap(),
        expires_at: Timestamp(START + 7 * DAY),
    }
}

fn refused(org: &mut Org, actor: &str, rows: Vec<ImportRow>) -> Vec<(usize, &'static str)> {
    let before = org.state.clone();
    match org.run(actor, Command::Import { rows }) {
        Err(Refusal::Rows(rows)) => {
            assert_eq!(org.state, before);
            rows.iter().map(|r| (r.line, r.refusal.reason())).collect()
        }
        other => panic!("expected refused rows, got {other:?}"),
    }
}

#[test]
fn a_clean_file_invites_the_new_and_reapplies_roles_in_one_batch() {
    let mut org = org();
    let mut with_site = row(5, "sam", "viewer");
    with_site.scopes = Some(vec![Org::scope("site-a", &["viewer"])]);
    let events = org
        .run(
            "ada",
            Command::Import {
                rows: vec![
                    row(2, "vera", "operator"),
                    row(3, "otto", "operator"),
                    row(4, "newbie", "viewer"),
                    with_site,
                ],
            },
        )
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        last.change,
        Change::ImportApplied {
            created: 2,
            updated: 1,
            unchanged: 1
        }
    );
    let types: Vec<_> = events.iter().map(|e| e.change.type_name()).collect();
    assert_eq!(
        types,
        [
            "user.role_changed",
            "member.invited",
            "member.invited",
            "import.applied"
        ]
    );
    assert_eq!(org.role_of("vera"), "operator");
    // The invitation carries the site; joining assigns it.
    org.run(
        "sam",
        Command::Join {
            invitation_id: InvitationId::parse("imp-5").unwrap(),
            user_id: uid("sam"),
            name: None,
        },
    )
    .unwrap();
    assert_eq!(
        org.check("sam", "site:view", "site-a"),
        (true, "role:viewer@site-a".into())
    );
}

#[test]
fn any_refused_row_refuses_the_whole_file_with_each_line_and_reason() {
    let mut org = org();
    let rows = vec![
        row(2, "vera", "operator"),
        row(3, "owner", "viewer"),
        row(4, "ada", "viewer"),
        row(5, "otto", "owner"),
        row(6, "newbie", "pilot"),
        row(7, "vera", "admin"),
    ];
    assert_eq!(
        refused(&mut org, "ada", rows),
        [
            (3, "cannot_demote_owner"),
            (4, "self_change"),
            (5, "owner_via_transfer_only"),
            (6, "unknown_role"),
            (7, "duplicate_in_file"),
        ]
    );
    assert_eq!(org.role_of("vera"), "viewer");
}

#[test]
fn an_operator_cannot_import() {
    let mut org = org();
    assert_eq!(
        refused(&mut org, "otto", vec![row(2, "vera", "operator")]),
        [(2, "not_permitted")]
    );
}

#[test]
fn the_last_admin_rule_sees_the_rows_before() {
    let source = steward_core::policy::Policy::preset("operations")
        .unwrap()
        .source
        .replace(
            "admin_roles = [\"admin\", \"owner\"]",
            "admin_roles = [\"admin\"]",
        );
    let mut org = Org::with_policy(steward_core::policy::Policy::parse(&source).unwrap());
    org.add("ada", "admin");
    org.add("bob", "admin");
    // Each demotion alone is fine; both in one file would leave no admin.
    let rows = vec![row(2, "ada", "viewer"), row(3, "bob", "viewer")];
    assert_eq!(refused(&mut org, "owner", rows), [(3, "last_admin")]);
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let mut org = org();
    let rows = || vec![row(2, "vera", "operator"), row(3, "newbie", "viewer")];
    org.run("ada", Command::Import { rows: rows() }).unwrap();
    let events = org.run("ada", Command::Import { rows: rows() }).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].change,
        Change::ImportApplied {
            created: 0,
            updated: 0,
            unchanged: 2
        }
    );
}

#[test]
fn a_plan_previews_each_row_with_its_effect_and_previous_role_and_changes_nothing() {
    use steward_core::{plan_import, Actor, RowEffect};
    let org = org();
    let rows = vec![
        row(2, "vera", "operator"),
        row(3, "otto", "operator"),
        row(4, "newbie", "viewer"),
        row(5, "owner", "viewer"),
    ];
    let plan = plan_import(
        &org.policy,
        &org.state,
        &Actor::User(uid("ada")),
        rows,
        org.now,
    )
    .unwrap();
    let outcomes: Vec<_> = plan
        .outcomes
        .iter()
        .map(|o| (o.line, o.effect, o.previous_role.as_deref()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (2, RowEffect::Updated, Some("viewer")),
            (3, RowEffect::Unchanged, Some("operator")),
            (4, RowEffect::Created, None),
        ]
    );
    assert_eq!(plan.refused.len(), 1);
    assert_eq!(
        (plan.refused[0].line, plan.refused[0].refusal.reason()),
        (5, "cannot_demote_owner")
    );
    // With a row refused, nothing says the import was applied.
    assert!(plan
        .events
        .iter()
        .all(|e| e.change.type_name() != "import.applied"));
}

/// The rows of a members export: each member with the role and scope roles they
/// hold now.
fn export_rows(org: &Org) -> Vec<ImportRow> {
    org.state
        .members()
        .enumerate()
        .map(|(i, m)| {
            let scopes: Vec<_> = org
                .state
                .scopes_of(&m.user_id)
                .map(|(object, roles)| steward_core::ScopeRoles {
                    object_id: object.clone(),
                    roles: roles.iter().cloned().collect(),
                })
                .collect();
            ImportRow {
                line: i + 2,
                email: m.email.clone(),
                name: Some(m.name.clone()),
                role: m.role.to_string(),
                scopes: Some(scopes),
                invitation_id: InvitationId::parse(&format!("imp-{i}")).unwrap(),
                expires_at: Timestamp(START + 7 * DAY),
            }
        })
        .collect()
}

#[test]
fn an_unchanged_row_is_unchanged_whoever_it_is() {
    use steward_core::{plan_import, Actor, RowEffect};
    let mut org = org();
    assert_eq!(org.set_scope("owner", "vera", "site-a", &["viewer"]), "ok");
    // The importer's own row, the owner's, a higher rank's: none changes, none is refused.
    for importer in ["owner", "ada"] {
        let plan = plan_import(
            &org.policy,
            &org.state,
            &Actor::User(uid(importer)),
            export_rows(&org),
            org.now,
        )
        .unwrap();
        assert_eq!(plan.refused, [], "{importer}");
        assert!(
            plan.outcomes
                .iter()
                .all(|o| o.effect == RowEffect::Unchanged),
            "{importer}: {:?}",
            plan.outcomes
        );
        assert_eq!(plan.outcomes.len(), org.state.member_count());
        let before = org.state.clone();
        let events = org
            .run(
                importer,
                Command::Import {
                    rows: export_rows(&org),
                },
            )
            .unwrap();
        let types: Vec<_> = events.iter().map(|e| e.change.type_name()).collect();
        assert_eq!(types, ["import.applied"], "{importer}");
        assert_eq!(org.state, before);
    }
}

#[test]
fn a_row_that_changes_the_importer_is_still_refused() {
    let mut org = org();
    let mut own_scope = row(2, "ada", "admin");
    own_scope.scopes = Some(vec![Org::scope("site-a", &["operator"])]);
    assert_eq!(
        refused(&mut org, "ada", vec![row(2, "ada", "viewer")]),
        [(2, "self_change")]
    );
    assert_eq!(
        refused(&mut org, "ada", vec![own_scope]),
        [(2, "self_change")]
    );
}

#[test]
fn an_operator_imports_nothing_even_rows_that_change_nothing() {
    let mut org = org();
    org.run(
        "ada",
        Command::Import {
            rows: vec![row(2, "newbie", "viewer")],
        },
    )
    .unwrap();
    assert_eq!(
        refused(
            &mut org,
            "otto",
            vec![
                row(2, "vera", "viewer"),
                row(3, "otto", "operator"),
                row(4, "newbie", "viewer")
            ]
        ),
        [
            (2, "not_permitted"),
            (3, "not_permitted"),
            (4, "not_permitted")
        ]
    );
}
