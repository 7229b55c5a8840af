//! Every endpoint of docs/api.md walked once: answers, shapes and refusals, through the
//! real server, a file per resource; the helpers they share are here. Governance
//! rules, tenancy, tokens and the CLI have their own files.

use crate::support::{spawn_preset, Answer, Org, TestApp, User, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const PROJECT_ACTIONS: [&str; 7] = [
    "project:view",
    "project:edit",
    "project:append_rows",
    "project:download",
    "project:delete",
    "project:inherit",
    "project:change_permissions",
];

mod audit;
mod authzen;
mod bulk_delete;
mod checks;
mod errors;
mod exports;
mod import;
mod invitations;
mod lifecycle;
mod members;
mod object_changes;
mod objects;
mod orgs;
mod policy;
mod sites;

fn at(org: &str, rest: &str) -> String {
    format!("/api/v1/orgs/{org}{rest}")
}

/// Every field of `fields` is in the object `v` (docs/api.md lets fields be added).
#[track_caller]
fn assert_fields(v: &Value, fields: &[&str]) {
    for f in fields {
        assert!(v.get(f).is_some(), "no `{f}` in {v}");
    }
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

/// The strings of a JSON array.
fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(text)
        .collect()
}

fn set<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> BTreeSet<String> {
    items.into_iter().map(|s| s.as_ref().to_string()).collect()
}

/// The `field` of every item of a list answer.
fn each(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list answer: {page}"))
        .iter()
        .map(|i| text(&i[field]))
        .collect()
}

/// A request whose body is sent as written (to send JSON that does not parse).
async fn raw(app: &TestApp, method: Method, path: &str, token: &str, body: &str) -> Answer {
    send(
        app,
        method,
        path,
        token,
        "application/json",
        body.as_bytes().to_vec(),
    )
    .await
}

/// A request with any body and content type, answered as JSON (or the text).
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Answer {
    let response = app
        .http
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn accept(app: &TestApp, token: &str, body: Value) -> Answer {
    app.call(
        Method::POST,
        &format!("/api/v1/invitations/{token}/accept"),
        None,
        Some(body),
    )
    .await
}

async fn invite(app: &TestApp, org: &str, by: &User, body: Value) -> Value {
    app.post(&at(org, "/invitations"), &by.token, body)
        .await
        .expect(201)
}

async fn create(app: &TestApp, org: &str, by: &User, body: Value) -> Value {
    app.post(&at(org, "/objects"), &by.token, body)
        .await
        .expect(201)
}

async fn create_id(app: &TestApp, org: &str, by: &User, body: Value) -> String {
    text(&create(app, org, by, body).await["id"])
}

async fn member(app: &TestApp, org: &str, by: &User, user: &str) -> Value {
    app.get(&at(org, &format!("/members/{user}")), &by.token)
        .await
        .expect(200)
}

/// The objects `who` sees in the listing.
async fn visible_objects(app: &TestApp, org: &str, who: &User) -> Vec<String> {
    each(
        &app.get(&at(org, "/objects"), &who.token).await.expect(200),
        "id",
    )
}

/// An operations organization: its owner, an admin, an operator and a viewer.
struct Operations {
    app: TestApp,
    org: String,
    owner: User,
    admin: User,
    operator: User,
    viewer: User,
}

async fn operations() -> Operations {
    let app = spawn_preset("operations").await;
    let Org { id: org, owner } = app.signup("owner@acme.test", "Acme").await;
    let admin = app.join(&org, &owner, "ada@acme.test", Some("admin")).await;
    let operator = app
        .join(&org, &owner, "otto@acme.test", Some("operator"))
        .await;
    let viewer = app
        .join(&org, &owner, "vera@acme.test", Some("viewer"))
        .await;
    Operations {
        app,
        org,
        owner,
        admin,
        operator,
        viewer,
    }
}

/// An analytics organization: its root account (the owner), a project manager and
/// an external topic assignee (who has nothing but what is granted).
struct Analytics {
    app: TestApp,
    org: String,
    root: User,
    pm: User,
    eta: User,
}

async fn analytics() -> Analytics {
    let app = spawn_preset("analytics").await;
    let Org {
        id: org,
        owner: root,
    } = app.signup("root@acme.test", "Acme").await;
    let pm = app
        .join(&org, &root, "pam@acme.test", Some("project_manager"))
        .await;
    let eta = app
        .join(
            &org,
            &root,
            "eta@acme.test",
            Some("external_topic_assignment"),
        )
        .await;
    Analytics {
        app,
        org,
        root,
        pm,
        eta,
    }
}

async fn new_site(t: &Operations, by: &User, name: &str) -> String {
    create_id(&t.app, &t.org, by, json!({"type": "site", "name": name})).await
}

async fn new_object(t: &Analytics, by: &User, ty: &str, name: &str) -> String {
    create_id(&t.app, &t.org, by, json!({"type": ty, "name": name})).await
}
