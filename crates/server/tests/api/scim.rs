//! SCIM 2.0 provisioning (docs/provisioning.md): the token, the Users endpoint
//! and its filters, paging, PATCH, ETags, deprovisioning, and the governance
//! rules every SCIM change meets. Groups and the directories' quirks have
//! their own files.

use crate::support::{spawn_preset, Answer, Org, TestApp, User};
use reqwest::Method;
use serde_json::{json, Value};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM token made by `maker`.
pub async fn scim_token(app: &TestApp, org: &str, maker: &User) -> String {
    let made = app
        .post(
            &format!("/api/v1/orgs/{org}/scim-tokens"),
            &maker.token,
            json!({"name": "Okta"}),
        )
        .await
        .expect(201);
    made["key"].as_str().unwrap().to_string()
}

/// A SCIM request; `path` is under the organization's base.
pub async fn scim(
    app: &TestApp,
    org: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = app
        .http
        .request(method, app.url(&format!("/scim/v2/{org}{path}")))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let response = req.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

pub fn new_user(user_name: &str, external_id: &str, given: &str, family: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": user_name.to_lowercase(), "type": "work", "primary": true}],
        "active": true
    })
}

/// An organization (operations preset), its owner and a SCIM token the owner made.
pub async fn provisioned() -> (TestApp, Org, String) {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let token = scim_token(&app, &org.id, &org.owner).await;
    (app, org, token)
}

pub async fn create(app: &TestApp, org: &Org, token: &str, user: Value) -> Value {
    scim(app, &org.id, token, Method::POST, "/Users", Some(user))
        .await
        .expect(201)
}

#[tokio::test]
async fn an_owner_makes_a_scim_token_and_the_directory_reads_what_is_supported() {
    let (app, org, token) = provisioned().await;
    let listed = app
        .get(
            &format!("/api/v1/orgs/{}/scim-tokens", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(listed["items"][0]["base_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/scim/v2/{}", org.id)));
    assert!(
        listed["items"][0].get("key").is_none(),
        "the secret is shown once"
    );
    let config = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/ServiceProviderConfig",
        None,
    )
    .await
    .expect(200);
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["filter"]["supported"], true);
    assert_eq!(config["etag"]["supported"], true);
    let types = scim(&app, &org.id, &token, Method::GET, "/ResourceTypes", None)
        .await
        .expect(200);
    assert_eq!(types["totalResults"], 2);
    let schemas = scim(&app, &org.id, &token, Method::GET, "/Schemas", None)
        .await
        .expect(200);
    assert_eq!(schemas["totalResults"], 3);
    scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Schemas/{USER}"),
        None,
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn a_wrong_revoked_or_ordinary_token_is_refused_and_another_organizations_too() {
    let (app, org, token) = provisioned().await;
    let other = app.signup("other@beta.test", "Beta").await;
    let wrong = scim(
        &app,
        &org.id,
        "stw_key_nothing",
        Method::GET,
        "/Users",
        None,
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert_eq!(
        wrong.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(wrong.body["status"], "401");
    let elsewhere = scim(&app, &other.id, &token, Method::GET, "/Users", None).await;
    assert_eq!(elsewhere.status, 401);
    let key = app.api_key(&org.id, &org.owner).await;
    let ordinary = scim(&app, &org.id, &key, Method::GET, "/Users", None).await;
    assert_eq!(ordinary.status, 403, "{}", ordinary.body);
    let listed = app
        .get(
            &format!("/api/v1/orgs/{}/scim-tokens", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    let id = listed["items"][0]["id"].as_str().unwrap();
    app.delete(
        &format!("/api/v1/orgs/{}/scim-tokens/{id}", org.id),
        &org.owner.token,
    )
    .await
    .expect(204);
    let revoked = scim(&app, &org.id, &token, Method::GET, "/Users", None).await;
    assert_eq!(revoked.status, 401);
}

#[tokio::test]
async fn a_created_user_is_a_member_with_the_default_role_and_the_log_names_the_directory() {
    let (app, org, token) = provisioned().await;
    let made = create(
        &app,
        &org,
        &token,
        new_user("Ann.Lee@Acme.test", "00u1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    assert_eq!(made["userName"], "Ann.Lee@Acme.test");
    assert_eq!(made["displayName"], "Ann Lee");
    assert_eq!(made["active"], true);
    assert_eq!(made["externalId"], "00u1");
    assert_eq!(made["meta"]["resourceType"], "User");
    assert!(made["meta"]["version"]
        .as_str()
        .unwrap()
        .starts_with("W/\""));
    let member = app
        .get(
            &format!("/api/v1/orgs/{}/members/{id}", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(member["role"], "viewer");
    assert_eq!(member["email"], "ann.lee@acme.test");
    let keys = app
        .get(
            &format!("/api/v1/orgs/{}/scim-tokens", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    let key_id = keys["items"][0]["id"].as_str().unwrap();
    let log = app
        .get(
            &format!("/api/v1/orgs/{}/audit?type=member.invited", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(log["items"][0]["actor_id"], key_id, "{log}");
    let read = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Users/{id}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(read["userName"], "Ann.Lee@Acme.test");
    assert_eq!(read["name"]["givenName"], "Ann");
}

#[tokio::test]
async fn the_same_user_name_in_another_case_is_409_uniqueness() {
    let (app, org, token) = provisioned().await;
    create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let again = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(new_user("ANN@acme.test", "2", "Ann", "Lee")),
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.body["scimType"], "uniqueness");
    let owner = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(new_user("owner@acme.test", "3", "Olivia", "Owner")),
    )
    .await;
    assert_eq!(
        owner.status, 409,
        "a member's address is taken: {}",
        owner.body
    );
}

#[tokio::test]
async fn users_are_filtered_on_the_attributes_directories_use_and_paged() {
    let (app, org, token) = provisioned().await;
    for (i, (name, given)) in [
        ("ann@acme.test", "Ann"),
        ("bob@acme.test", "Bob"),
        ("bea@beta.test", "Bea"),
    ]
    .into_iter()
    .enumerate()
    {
        create(
            &app,
            &org,
            &token,
            new_user(name, &format!("ext-{i}"), given, "Lee"),
        )
        .await;
    }
    let count = |filter: &'static str| {
        let app = &app;
        let org = &org;
        let token = &token;
        async move {
            let path = format!("/Users?filter={}", urlencode(filter));
            let a = scim(app, &org.id, token, Method::GET, &path, None).await;
            assert_eq!(a.status, 200, "{filter}: {}", a.body);
            a.body["totalResults"].as_u64().unwrap()
        }
    };
    assert_eq!(count(r#"userName eq "ANN@acme.test""#).await, 1);
    assert_eq!(count(r#"externalId eq "ext-1""#).await, 1);
    assert_eq!(count(r#"emails.value co "beta""#).await, 1);
    assert_eq!(count(r#"displayName sw "b""#).await, 2);
    assert_eq!(
        count(r#"userName ne "ann@acme.test""#).await,
        3,
        "the owner and two others"
    );
    assert_eq!(count("externalId pr").await, 3);
    assert_eq!(
        count(r#"displayName sw "B" and emails.value co "acme""#).await,
        1
    );
    assert_eq!(
        count(r#"externalId eq "ext-0" or externalId eq "ext-2""#).await,
        2
    );
    let bad = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/Users?filter=userName%20zz%20%22a%22",
        None,
    )
    .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["scimType"].as_str()),
        (400, Some("invalidFilter"))
    );

    let page = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/Users?startIndex=2&count=2",
        None,
    )
    .await
    .expect(200);
    assert_eq!(page["totalResults"], 4);
    assert_eq!(page["startIndex"], 2);
    assert_eq!(page["itemsPerPage"], 2);
    let only = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/Users?attributes=userName&count=1",
        None,
    )
    .await
    .expect(200);
    let first = only["Resources"][0].as_object().unwrap();
    assert!(first.contains_key("userName") && first.contains_key("id"));
    assert!(!first.contains_key("emails"));
    let without = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/Users?excludedAttributes=emails,name",
        None,
    )
    .await
    .expect(200);
    assert!(without["Resources"][0].get("emails").is_none());
    assert!(without["Resources"][0].get("userName").is_some());
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn put_replaces_the_user_and_renames_the_member() {
    let (app, org, token) = provisioned().await;
    let made = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    let mut whole = new_user("ann@acme.test", "1", "Anna", "Lee-Smith");
    whole["title"] = json!("Engineer");
    let put = scim(
        &app,
        &org.id,
        &token,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(whole),
    )
    .await
    .expect(200);
    assert_eq!(put["displayName"], "Anna Lee-Smith");
    assert_eq!(put["title"], "Engineer");
    assert_ne!(put["meta"]["version"], made["meta"]["version"]);
    let member = app
        .get(
            &format!("/api/v1/orgs/{}/members/{id}", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(member["name"], "Anna Lee-Smith");
}

#[tokio::test]
async fn patch_adds_replaces_and_removes_with_and_without_a_path() {
    let (app, org, token) = provisioned().await;
    let made = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    let ops = json!({"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "title", "value": "Engineer"},
        {"op": "replace", "path": "name.givenName", "value": "Anna"},
        {"op": "replace", "value": {"displayName": "Anna Lee"}},
        {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
        {"op": "remove", "path": "externalId"}
    ]});
    let patched = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(ops),
    )
    .await
    .expect(200);
    assert_eq!(patched["title"], "Engineer");
    assert_eq!(patched["name"]["givenName"], "Anna");
    assert_eq!(patched["displayName"], "Anna Lee");
    assert!(patched.get("externalId").is_none(), "{patched}");
    assert_eq!(
        patched["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    assert!(patched["schemas"].as_array().unwrap().contains(&json!(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    )));
    let bad = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(json!({"schemas": [PATCH], "Operations": [{"op": "jump", "path": "title"}]})),
    )
    .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["scimType"].as_str()),
        (400, Some("invalidSyntax"))
    );
}

#[tokio::test]
async fn an_old_version_in_if_match_is_412_and_changes_nothing() {
    let (app, org, token) = provisioned().await;
    let made = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    let old = made["meta"]["version"].as_str().unwrap().to_string();
    let url = app.url(&format!("/scim/v2/{}/Users/{id}", org.id));
    let put = |version: String, given: &'static str| {
        app.http
            .put(url.clone())
            .bearer_auth(&token)
            .header("if-match", version)
            .header("content-type", "application/scim+json")
            .body(new_user("ann@acme.test", "1", given, "Lee").to_string())
            .send()
    };
    let first = put(old.clone(), "Anna").await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(etag, old);
    let stale = put(old, "Annie").await.unwrap();
    assert_eq!(stale.status(), 412);
    let read = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Users/{id}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(read["displayName"], "Anna Lee");
    assert_eq!(read["meta"]["version"], etag.as_str());
}
