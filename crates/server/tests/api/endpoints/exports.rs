//! Exports: the audit log as JSON lines and CSV (every event once, oldest first,
//! streamed), the members as CSV in the import's shape, formula cells escaped, and
//! who may download them.

use super::*;
use steward_core::{Actor, Command, Name, ObjectId, UserId};

/// A download: status, headers and the text.
struct File {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

async fn download(app: &TestApp, path: &str, token: &str) -> File {
    let response = app
        .http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    File {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

impl File {
    #[track_caller]
    fn ok(self, content_type: &str) -> File {
        assert_eq!(self.status, 200, "{}", self.text);
        assert_eq!(self.headers["content-type"], content_type);
        let disposition = self.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename="),
            "{disposition}"
        );
        self
    }
}

/// RFC 4180 records, as a spreadsheet reads them (quoted cells may hold commas,
/// doubled quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && record.is_empty(),
        "no line end at the end"
    );
    records
}

/// The CSV as maps from column to cell.
fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut records = parse_csv(text).into_iter();
    let header = records.next().expect("a header");
    records
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{r:?}");
            header.iter().cloned().zip(r).collect()
        })
        .collect()
}

fn jsonl(text: &str) -> Vec<Value> {
    assert!(text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `n` sites made in one change, straight through the service (a long log fast).
async fn many_sites(t: &Operations, n: usize) {
    let commands = (0..n)
        .map(|i| Command::CreateObject {
            object_id: ObjectId::parse(&format!("site-{i}")).unwrap(),
            object_type: "site".into(),
            name: Name::parse(&format!("Site {i}")).unwrap(),
            parent_id: None,
            owner_id: None,
        })
        .collect();
    let org = steward_core::OrgId::parse(&t.org).unwrap();
    let owner = Actor::User(UserId::parse(&t.owner.id).unwrap());
    t.app
        .app
        .service()
        .execute_together(&org, &owner, commands)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_audit_exports_as_json_lines_every_event_once_oldest_first_in_chunks() {
    let t = operations().await;
    many_sites(&t, 2500).await;
    let file = download(&t.app, &at(&t.org, "/audit/export"), &t.owner.token)
        .await
        .ok("application/x-ndjson");
    // Streamed: no length known up front.
    assert!(file.headers.get("content-length").is_none());
    assert_eq!(file.headers["transfer-encoding"], "chunked");
    let events = jsonl(&file.text);
    let verify = t
        .app
        .get(&at(&t.org, "/audit/verify"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(events.len() as i64, verify["events"].as_i64().unwrap());
    assert!(events.len() > 2500);
    assert_eq!(events[0]["type"], "org.created");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1, "{e}");
        assert_eq!(e["id"], (i + 1).to_string());
    }
    for pair in events.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    // Each line is the audit list's event, with what its hash covers beside it
    // (docs/audit.md): the organization and the hashed body.
    let newest = t
        .app
        .get(&at(&t.org, "/audit?limit=1"), &t.owner.token)
        .await
        .expect(200);
    let mut last = events.last().unwrap().clone();
    assert_eq!(last["org_id"], t.org.as_str());
    let body: serde_json::Value = serde_json::from_str(last["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"], last["data"]);
    let shown = last.as_object_mut().unwrap();
    shown.remove("org_id");
    shown.remove("body");
    assert_eq!(&last, &newest["items"][0]);
    // jsonl is also asked for by name.
    let named = download(
        &t.app,
        &at(&t.org, "/audit/export?format=jsonl"),
        &t.owner.token,
    )
    .await
    .ok("application/x-ndjson");
    assert_eq!(named.text, file.text);
}

#[tokio::test]
async fn the_audit_exports_as_csv_one_row_per_event_in_the_same_order() {
    let t = operations().await;
    t.app
        .set_role(&t.org, &t.admin, &t.viewer, "operator")
        .await
        .expect(200);
    let csv = download(
        &t.app,
        &at(&t.org, "/audit/export?format=csv"),
        &t.admin.token,
    )
    .await
    .ok("text/csv; charset=utf-8");
    let disposition = csv.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(".csv"), "{disposition}");
    let lines = download(&t.app, &at(&t.org, "/audit/export"), &t.admin.token)
        .await
        .ok("application/x-ndjson");
    let rows = csv_rows(&csv.text);
    let events = jsonl(&lines.text);
    assert_eq!(rows.len(), events.len());
    assert_eq!(
        parse_csv(&csv.text)[0],
        [
            "id",
            "seq",
            "at",
            "at_unix",
            "type",
            "actor_id",
            "target_id",
            "data",
            "hash",
            "prev_hash"
        ]
    );
    for (row, e) in rows.iter().zip(&events) {
        assert_eq!(row["id"], text(&e["id"]));
        assert_eq!(row["seq"], e["seq"].to_string());
        assert_eq!(row["at_unix"], e["at"].to_string());
        assert!(
            row["at"].ends_with('Z') && row["at"].contains('T'),
            "{row:?}"
        );
        assert_eq!(row["type"], text(&e["type"]));
        assert_eq!(row["actor_id"], e["actor_id"].as_str().unwrap_or(""));
        assert_eq!(row["target_id"], e["target_id"].as_str().unwrap_or(""));
        let data: Value = serde_json::from_str(&row["data"]).unwrap();
        assert_eq!(data, e["data"]);
        assert_eq!(row["hash"], text(&e["hash"]));
        assert_eq!(row["prev_hash"], text(&e["prev_hash"]));
    }
    let changed = rows
        .iter()
        .find(|r| r["type"] == "user.role_changed")
        .unwrap();
    assert_eq!(changed["target_id"], t.viewer.id);
}

#[tokio::test]
async fn names_a_spreadsheet_would_run_are_exported_escaped() {
    let t = operations().await;
    let names = [
        (&t.admin, "=HYPERLINK(\"http://evil.test\",\"x\")"),
        (&t.operator, "+cmd"),
        (&t.viewer, "-1"),
    ];
    for (who, name) in names {
        t.app
            .patch(
                &at(&t.org, &format!("/members/{}", who.id)),
                &t.owner.token,
                json!({"name": name}),
            )
            .await
            .expect(200);
    }
    let fourth = t
        .app
        .join(&t.org, &t.owner, "x@acme.test", Some("viewer"))
        .await;
    t.app
        .patch(
            &at(&t.org, &format!("/members/{}", fourth.id)),
            &t.owner.token,
            json!({"name": "@x"}),
        )
        .await
        .expect(200);
    let csv = download(&t.app, &at(&t.org, "/members/export"), &t.owner.token)
        .await
        .ok("text/csv; charset=utf-8");
    let by_email: std::collections::BTreeMap<_, _> = csv_rows(&csv.text)
        .into_iter()
        .map(|r| (r["email"].clone(), r["name"].clone()))
        .collect();
    assert_eq!(
        by_email["ada@acme.test"],
        "'=HYPERLINK(\"http://evil.test\",\"x\")"
    );
    assert_eq!(by_email["otto@acme.test"], "'+cmd");
    assert_eq!(by_email["vera@acme.test"], "'-1");
    assert_eq!(by_email["x@acme.test"], "'@x");
    assert_eq!(by_email["owner@acme.test"], "owner");
    // No cell of the audit CSV starts with a formula character either.
    let audit = download(
        &t.app,
        &at(&t.org, "/audit/export?format=csv"),
        &t.owner.token,
    )
    .await
    .ok("text/csv; charset=utf-8");
    for record in parse_csv(&audit.text) {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell}"
            );
        }
    }
}

#[tokio::test]
async fn the_members_export_round_trips_email_name_role_and_scopes() {
    let t = operations().await;
    let north = new_site(&t, &t.admin, "North").await;
    let south = new_site(&t, &t.admin, "South").await;
    for site in [&north, &south] {
        t.app
            .call(
                Method::PUT,
                &at(&t.org, &format!("/members/{}/scopes/{site}", t.viewer.id)),
                Some(&t.admin.token),
                Some(json!({"roles": ["viewer"]})),
            )
            .await
            .expect(200);
    }
    t.app
        .patch(
            &at(&t.org, &format!("/members/{}", t.operator.id)),
            &t.owner.token,
            json!({"name": "Hopper, Grace"}),
        )
        .await
        .expect(200);
    let csv = download(&t.app, &at(&t.org, "/members/export"), &t.admin.token)
        .await
        .ok("text/csv; charset=utf-8");
    assert_eq!(parse_csv(&csv.text)[0], ["email", "name", "role", "scopes"]);
    let rows = csv_rows(&csv.text);
    let list = t
        .app
        .get(&at(&t.org, "/members"), &t.admin.token)
        .await
        .expect(200);
    let members = list["items"].as_array().unwrap();
    assert_eq!(rows.len(), members.len());
    for m in members {
        let row = rows
            .iter()
            .find(|r| r["email"] == text(&m["email"]))
            .unwrap();
        assert_eq!(row["name"], text(&m["name"]));
        assert_eq!(row["role"], text(&m["role"]));
        let mut scopes: Vec<String> = m["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| {
                let object = text(&s["object_id"]);
                strings(&s["roles"])
                    .into_iter()
                    .map(move |r| format!("{object}:{r}"))
            })
            .collect();
        let mut exported: Vec<String> = row["scopes"]
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        scopes.sort();
        exported.sort();
        assert_eq!(exported, scopes, "{row:?}");
    }
    let vera = rows
        .iter()
        .find(|r| r["email"] == "vera@acme.test")
        .unwrap();
    assert_eq!(vera["scopes"].split(';').count(), 2, "{vera:?}");
}

#[tokio::test]
async fn an_unknown_export_format_is_refused() {
    let t = operations().await;
    t.app
        .get(&at(&t.org, "/audit/export?format=xlsx"), &t.owner.token)
        .await
        .refused(400, "format");
}

#[tokio::test]
async fn the_exports_need_the_rights_their_lists_need() {
    let t = operations().await;
    for who in [&t.operator, &t.viewer] {
        t.app
            .get(&at(&t.org, "/audit/export"), &who.token)
            .await
            .refused(403, "not_permitted");
    }
    for who in [&t.owner, &t.admin, &t.operator, &t.viewer] {
        let list = t.app.get(&at(&t.org, "/members"), &who.token).await;
        let export = download(&t.app, &at(&t.org, "/members/export"), &who.token).await;
        assert_eq!(export.status, list.status.as_u16(), "{}", export.text);
    }
    // A key with `read` reads both; another organization's member sees nothing.
    let key = t.app.api_key(&t.org, &t.admin).await;
    download(&t.app, &at(&t.org, "/audit/export?format=csv"), &key)
        .await
        .ok("text/csv; charset=utf-8");
    download(&t.app, &at(&t.org, "/members/export"), &key)
        .await
        .ok("text/csv; charset=utf-8");
    let stranger = t.app.signup("other@else.test", "Else").await;
    t.app
        .get(&at(&t.org, "/audit/export"), &stranger.owner.token)
        .await
        .refused(404, "unknown_org");
}

/// A download as a browser asks for it (`Accept-Encoding: gzip`): the answer must
/// come compressed, and its decompressed text whole.
async fn download_gzip(app: &TestApp, path: &str, token: &str) -> File {
    use std::io::Read;
    let response = app
        .http
        .get(app.url(path))
        .bearer_auth(token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the whole body arrives");
    assert_eq!(headers["content-encoding"], "gzip", "status {status}");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("a whole gzip stream");
    File {
        status,
        headers,
        text,
    }
}

#[tokio::test]
async fn every_export_downloads_whole_when_the_client_accepts_gzip() {
    let t = operations().await;
    many_sites(&t, 2500).await;
    for format in ["jsonl", "csv"] {
        let path = at(&t.org, &format!("/audit/export?format={format}"));
        let plain = download(&t.app, &path, &t.owner.token).await;
        let gzip = download_gzip(&t.app, &path, &t.owner.token).await;
        assert_eq!(gzip.status, 200);
        assert!(
            gzip.text.len() > 100_000,
            "{format}: {} bytes",
            gzip.text.len()
        );
        assert_eq!(gzip.text, plain.text, "{format}");
    }
    let path = at(&t.org, "/members/export");
    let plain = download(&t.app, &path, &t.owner.token).await;
    let gzip = download_gzip(&t.app, &path, &t.owner.token)
        .await
        .ok("text/csv; charset=utf-8");
    assert_eq!(gzip.text, plain.text);
    assert_eq!(csv_rows(&gzip.text).len(), 4);
}
