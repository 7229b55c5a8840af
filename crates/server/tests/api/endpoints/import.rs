//! The CSV import: a dry run against a real run, every governance refusal with its
//! line and nothing applied, and every malformed file refused with its line.

use super::*;
use crate::governance::operations_with_admins_only;
use crate::support::spawn_app;

/// Sends `csv` to the import, as `token`.
async fn import(app: &TestApp, org: &str, token: &str, dry_run: bool, csv: &[u8]) -> Answer {
    let query = if dry_run { "?dry_run=true" } else { "" };
    let path = at(org, &format!("/import{query}"));
    send(app, Method::POST, &path, token, "text/csv", csv.to_vec()).await
}

/// `(line, email)` of each row of one list of the answer.
fn lines(answer: &Value, list: &str) -> Vec<(u64, String)> {
    answer[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` list in {answer}"))
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), text(&r["email"])))
        .collect()
}

/// `(line, reason)` of each error.
fn errors(answer: &Value) -> Vec<(u64, String)> {
    answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors list in {answer}"))
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), text(&e["reason"])))
        .collect()
}

/// What an import could change: the members with their roles, the pending
/// invitations and the audit log's length.
async fn everything(app: &TestApp, org: &str, owner: &User) -> (Value, Value, usize) {
    let members = app
        .get(&at(org, "/members?limit=1000"), &owner.token)
        .await
        .expect(200);
    let invitations = app
        .get(&at(org, "/invitations"), &owner.token)
        .await
        .expect(200);
    let audit = app
        .get(&at(org, "/audit?limit=1000"), &owner.token)
        .await
        .expect(200);
    (
        members["items"].clone(),
        invitations["items"].clone(),
        audit["items"].as_array().unwrap().len(),
    )
}

/// Imports `csv` as `by` for real and expects exactly `expected` errors, with
/// nothing applied: not the refused rows, not the good rows around them.
async fn refused_whole(t: &Operations, by: &User, csv: &str, expected: &[(u64, &str)]) -> Value {
    let before = everything(&t.app, &t.org, &t.owner).await;
    let answer = import(&t.app, &t.org, &by.token, false, csv.as_bytes())
        .await
        .expect(200);
    let want: Vec<_> = expected.iter().map(|(l, r)| (*l, r.to_string())).collect();
    assert_eq!(errors(&answer), want, "{answer}");
    assert_eq!(answer["applied"], false, "{answer}");
    assert_eq!(everything(&t.app, &t.org, &t.owner).await, before);
    answer
}

const FILE: &str = "email,name,role\nvera@acme.test,Vera,operator\notto@acme.test,Otto,operator\nnew@acme.test,New Person,viewer\n";

#[tokio::test]
async fn a_dry_run_lists_what_each_row_would_do_and_changes_nothing() {
    let t = operations().await;
    let before = everything(&t.app, &t.org, &t.owner).await;
    let answer = import(&t.app, &t.org, &t.admin.token, true, FILE.as_bytes())
        .await
        .expect(200);
    assert_eq!(answer["dry_run"], true);
    assert_eq!(answer["applied"], false);
    assert_eq!(lines(&answer, "created"), [(4, "new@acme.test".into())]);
    assert_eq!(lines(&answer, "updated"), [(2, "vera@acme.test".into())]);
    assert_eq!(lines(&answer, "unchanged"), [(3, "otto@acme.test".into())]);
    assert_eq!(answer["errors"], json!([]));
    assert_eq!(answer["updated"][0]["role"], "operator");
    assert_eq!(answer["updated"][0]["previous_role"], "viewer");
    // A dry run makes no invitation, so it shows no secret.
    assert!(answer["created"][0].get("token").is_none(), "{answer}");
    assert_eq!(everything(&t.app, &t.org, &t.owner).await, before);
}

#[tokio::test]
async fn a_clean_import_invites_the_new_reapplies_roles_and_records_one_import_applied() {
    let t = operations().await;
    let answer = import(&t.app, &t.org, &t.admin.token, false, FILE.as_bytes())
        .await
        .expect(200);
    assert_eq!(answer["dry_run"], false);
    assert_eq!(answer["applied"], true);
    assert_eq!(lines(&answer, "created"), [(4, "new@acme.test".into())]);
    assert_eq!(lines(&answer, "updated"), [(2, "vera@acme.test".into())]);
    assert_eq!(lines(&answer, "unchanged"), [(3, "otto@acme.test".into())]);
    assert_eq!(t.app.role_of(&t.org, &t.owner, &t.viewer).await, "operator");

    let applied = t
        .app
        .get(&at(&t.org, "/audit?type=import.applied"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(applied["items"].as_array().unwrap().len(), 1, "{applied}");
    let data = &applied["items"][0]["data"];
    assert_eq!(
        (&data["created"], &data["updated"], &data["unchanged"]),
        (&json!(1), &json!(1), &json!(1)),
        "{applied}"
    );
    assert_eq!(applied["items"][0]["actor_id"], t.admin.id.as_str());
    let changed = t
        .app
        .get(&at(&t.org, "/audit?type=user.role_changed"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(changed["items"][0]["target_id"], t.viewer.id.as_str());

    // The created row's token accepts its invitation, with the file's role.
    let token = text(&answer["created"][0]["token"]);
    let member = accept(&t.app, &token, json!({"password": PASSWORD}))
        .await
        .expect(200);
    assert_eq!(
        (&member["email"], &member["name"], &member["role"]),
        (
            &json!("new@acme.test"),
            &json!("New Person"),
            &json!("viewer")
        ),
        "{member}"
    );

    // The same file again: every row unchanged, and one more import.applied.
    let again = import(&t.app, &t.org, &t.admin.token, false, FILE.as_bytes())
        .await
        .expect(200);
    assert_eq!(again["applied"], true);
    assert_eq!(lines(&again, "unchanged").len(), 3, "{again}");
}

#[tokio::test]
async fn import_cannot_make_an_owner() {
    let t = operations().await;
    let csv = "email,name,role\nvera@acme.test,,operator\notto@acme.test,,owner\n";
    let answer = refused_whole(&t, &t.owner, csv, &[(3, "owner_via_transfer_only")]).await;
    assert_eq!(answer["errors"][0]["email"], "otto@acme.test");
    assert!(
        text(&answer["errors"][0]["message"]).contains("ownership transfer"),
        "{answer}"
    );
    // The good row is reported as what it would have done.
    assert_eq!(lines(&answer, "updated"), [(2, "vera@acme.test".into())]);
}

#[tokio::test]
async fn import_cannot_change_the_importers_own_role() {
    let t = operations().await;
    let csv = "email,name,role\nvera@acme.test,,operator\nada@acme.test,,viewer\n";
    refused_whole(&t, &t.admin, csv, &[(3, "self_change")]).await;
}

#[tokio::test]
async fn import_cannot_demote_the_owner() {
    let t = operations().await;
    let csv = "email,name,role\n\nowner@acme.test,,admin\nnew@acme.test,,viewer\n";
    refused_whole(&t, &t.admin, csv, &[(3, "cannot_demote_owner")]).await;
}

#[tokio::test]
async fn import_cannot_demote_the_last_admin_counting_the_rows_before() {
    let app = spawn_app(operations_with_admins_only()).await;
    let org = app.signup("owner@acme.test", "Acme").await;
    app.join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    app.join(&org.id, &org.owner, "bea@acme.test", Some("admin"))
        .await;
    // Each demotion alone is allowed; the second leaves no admin.
    let csv = "email,name,role\nada@acme.test,,viewer\nbea@acme.test,,viewer\n";
    let answer = import(&app, &org.id, &org.owner.token, false, csv.as_bytes())
        .await
        .expect(200);
    assert_eq!(errors(&answer), [(3, "last_admin".to_string())]);
    let members = app
        .get(&at(&org.id, "/members?role=admin"), &org.owner.token)
        .await
        .expect(200);
    assert_eq!(
        each(&members, "email").len(),
        2,
        "nothing applied: {members}"
    );
}

#[tokio::test]
async fn import_cannot_give_a_role_above_the_importers_rank() {
    // Under systems, owners may make owners directly; an admin is below that.
    let app = spawn_preset("systems").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let admin = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    app.join(&org.id, &org.owner, "mo@acme.test", Some("member"))
        .await;
    let csv = "email,name,role\nmo@acme.test,,owner\nnew@acme.test,,owner\n";
    let answer = import(&app, &org.id, &admin.token, false, csv.as_bytes())
        .await
        .expect(200);
    assert_eq!(
        errors(&answer),
        [
            (2, "above_own_rank".to_string()),
            (3, "above_own_rank".to_string())
        ]
    );
    let invitations = app
        .get(&at(&org.id, "/invitations"), &org.owner.token)
        .await
        .expect(200);
    assert_eq!(invitations["items"], json!([]));
}

#[tokio::test]
async fn every_refused_row_is_listed_in_file_order_and_none_is_applied() {
    let t = operations().await;
    let csv = "email,name,role\n\
        not-an-email,,viewer\n\
        vera@acme.test,,pilot\n\
        otto@acme.test,,admin\n\
        VERA@acme.test,,operator\n\
        owner@acme.test,,viewer\n\
        new@acme.test,,viewer\n";
    let answer = refused_whole(
        &t,
        &t.admin,
        csv,
        &[
            (2, "invalid_email"),
            (3, "unknown_role"),
            (5, "duplicate_in_file"),
            (6, "cannot_demote_owner"),
        ],
    )
    .await;
    // A duplicate names both its lines.
    let duplicate = text(&answer["errors"][2]["message"]);
    assert!(duplicate.contains("line 3"), "{duplicate}");
    assert_eq!(answer["errors"][2]["email"], "vera@acme.test");
    assert_eq!(answer["errors"][0]["email"], "not-an-email");
}

#[tokio::test]
async fn an_operator_a_viewer_and_an_api_key_may_not_import() {
    let t = operations().await;
    for who in [&t.operator, &t.viewer] {
        import(&t.app, &t.org, &who.token, true, FILE.as_bytes())
            .await
            .refused(403, "not_permitted");
    }
    let key = t.app.api_key(&t.org, &t.owner).await;
    import(&t.app, &t.org, &key, true, FILE.as_bytes())
        .await
        .refused(403, "not_permitted");
}

/// A file refused whole: status, reason, and the start of its message.
async fn malformed(t: &Operations, csv: &[u8], reason: &str, message: &str) {
    let answer = import(&t.app, &t.org, &t.admin.token, false, csv).await;
    answer.refused(400, reason);
    let said = answer.body["error"]["message"].as_str().unwrap_or("");
    assert!(said.starts_with(message), "{said:?} for {reason}");
    assert_eq!(answer.body["error"]["code"], "INVALID");
}

#[tokio::test]
async fn malformed_files_are_refused_whole_with_their_line_and_column() {
    let t = operations().await;
    let before = everything(&t.app, &t.org, &t.owner).await;
    malformed(&t, b"", "empty_file", "the file is empty").await;
    malformed(
        &t,
        b"email,name,role\n",
        "no_rows",
        "the file has a header but no rows",
    )
    .await;
    malformed(
        &t,
        b"vera@acme.test,Vera,operator\n",
        "unknown_column",
        "line 1, column 1: unknown column \"vera@acme.test\"",
    )
    .await;
    malformed(
        &t,
        b"email,role\nvera@acme.test,operator\n",
        "missing_column",
        "line 1: the header has no \"name\" column",
    )
    .await;
    malformed(
        &t,
        b"email,name,role\nnew@acme.test,New,viewer\nvera@acme.test,V\xe9ra,operator\n",
        "not_utf8",
        "line 3, column 2: not UTF-8",
    )
    .await;
    malformed(
        &t,
        b"email,name,role\nnew@acme.test,New,viewer\nvera@acme.test,operator\n",
        "field_count",
        "line 3: 2 fields where the header has 3",
    )
    .await;
    let mut wide =
        b"email,name,role\nnew@acme.test,New,viewer\n\nvera@acme.test,Vera,operator".to_vec();
    wide.extend(std::iter::repeat_n(b',', 9_997));
    wide.extend(b"\nlast@acme.test,Last,viewer\n");
    malformed(
        &t,
        &wide,
        "field_count",
        "line 4: 10000 fields where the header has 3",
    )
    .await;
    assert_eq!(everything(&t.app, &t.org, &t.owner).await, before);
}

#[tokio::test]
async fn a_file_over_32_mib_is_refused_by_its_size_with_413() {
    let t = operations().await;
    let mut huge = FILE.as_bytes().to_vec();
    huge.resize(100 << 20, b'\n');
    let answer = import(&t.app, &t.org, &t.admin.token, false, &huge).await;
    answer.refused(413, "file_too_large");
    assert_eq!(answer.body["error"]["code"], "INVALID");
    // The limit is the file's: 32 MiB less a byte is read (and parsed: all blank
    // lines after the rows).
    huge.truncate((32 << 20) - 1);
    import(&t.app, &t.org, &t.admin.token, true, &huge)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_json_body_is_refused_as_the_wrong_content_type() {
    let t = operations().await;
    raw(
        &t.app,
        Method::POST,
        &at(&t.org, "/import"),
        &t.admin.token,
        "{\"email\": \"a@acme.test\"}",
    )
    .await
    .refused(400, "content_type");
}

/// The members export, as `who` downloads it.
async fn members_export(t: &Operations, who: &User) -> String {
    let response = t
        .app
        .http
        .get(t.app.url(&at(&t.org, "/members/export")))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_members_export_imports_back_unchanged_as_the_owner_and_as_an_admin() {
    let t = operations().await;
    // Addresses and names a spreadsheet would run (exported with a leading '), and
    // scope roles.
    for (email, role) in [
        ("-dash@acme.test", "viewer"),
        ("+plus@acme.test", "operator"),
        ("=sum@acme.test", "viewer"),
    ] {
        t.app.join(&t.org, &t.owner, email, Some(role)).await;
    }
    t.app
        .patch(
            &at(&t.org, &format!("/members/{}", t.admin.id)),
            &t.owner.token,
            json!({"name": "=HYPERLINK(\"http://evil.test\")"}),
        )
        .await
        .expect(200);
    let site = new_site(&t, &t.admin, "North").await;
    t.app
        .call(
            Method::PUT,
            &at(&t.org, &format!("/members/{}/scopes/{site}", t.viewer.id)),
            Some(&t.admin.token),
            Some(json!({"roles": ["operator"]})),
        )
        .await
        .expect(200);
    for who in [&t.owner, &t.admin] {
        let csv = members_export(&t, who).await;
        assert!(csv.contains("\r\n'-dash@acme.test,"), "{csv}");
        assert!(csv.contains("\r\n'+plus@acme.test,"), "{csv}");
        let before = everything(&t.app, &t.org, &t.owner).await;
        let members = before.0.as_array().unwrap().len();
        for dry_run in [true, false] {
            let answer = import(&t.app, &t.org, &who.token, dry_run, csv.as_bytes())
                .await
                .expect(200);
            assert_eq!(answer["errors"], json!([]), "{answer}");
            assert_eq!(answer["created"], json!([]), "{answer}");
            assert_eq!(answer["updated"], json!([]), "{answer}");
            assert_eq!(lines(&answer, "unchanged").len(), members, "{answer}");
            assert_eq!(answer["applied"], !dry_run, "{answer}");
        }
        // Nothing changed; the log says an import changed nothing.
        let after = everything(&t.app, &t.org, &t.owner).await;
        assert_eq!((&after.0, &after.1), (&before.0, &before.1));
        assert_eq!(after.2, before.2 + 1);
        let applied = t
            .app
            .get(
                &at(&t.org, "/audit?type=import.applied&limit=1"),
                &t.owner.token,
            )
            .await
            .expect(200);
        let data = &applied["items"][0]["data"];
        assert_eq!(data["unchanged"], json!(members), "{applied}");
        assert_eq!((&data["created"], &data["updated"]), (&json!(0), &json!(0)));
    }
}
