//! SCIM Groups: a directory group mapped to an organization role or a role on
//! a scope object; members added and removed; the highest rank wins where a
//! level holds one role; every role change meets the same rules as any other.

use crate::scim::{create, new_user, provisioned, scim, scim_token, PATCH};
use crate::support::{spawn_preset, Org, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

async fn group(app: &TestApp, org: &Org, token: &str, name: &str, members: &[&str]) -> String {
    let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
    let made = scim(
        app,
        &org.id,
        token,
        Method::POST,
        "/Groups",
        Some(json!({"schemas": [GROUP], "displayName": name, "members": members})),
    )
    .await
    .expect(201);
    made["id"].as_str().unwrap().to_string()
}

async fn map(
    app: &TestApp,
    org: &Org,
    group: &str,
    role: &str,
    object: &str,
) -> crate::support::Answer {
    app.call(
        Method::PUT,
        &format!("/api/v1/orgs/{}/scim-groups/{group}/mapping", org.id),
        Some(&org.owner.token),
        Some(json!({"role": role, "object_id": object})),
    )
    .await
}

async fn role(app: &TestApp, org: &Org, user: &str) -> String {
    let m = app
        .get(
            &format!("/api/v1/orgs/{}/members/{user}", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    m["role"].as_str().unwrap().to_string()
}

async fn members_patch(app: &TestApp, org: &Org, token: &str, group: &str, ops: Value) -> Value {
    scim(
        app,
        &org.id,
        token,
        Method::PATCH,
        &format!("/Groups/{group}"),
        Some(json!({"schemas": [PATCH], "Operations": ops})),
    )
    .await
    .expect(200)
}

#[tokio::test]
async fn a_group_mapped_to_admin_makes_its_members_admins_and_leaving_it_returns_them_to_the_default(
) {
    let (app, org, token) = provisioned().await;
    let ann = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let ann = ann["id"].as_str().unwrap();
    let admins = group(&app, &org, &token, "Steward Admins", &[]).await;
    map(&app, &org, &admins, "admin", "").await.expect(204);
    members_patch(
        &app,
        &org,
        &token,
        &admins,
        json!([{"op": "add", "path": "members", "value": [{"value": ann}]}]),
    )
    .await;
    assert_eq!(role(&app, &org, ann).await, "admin");
    let read = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Groups/{admins}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(read["members"][0]["value"], ann);
    assert_eq!(read["displayName"], "Steward Admins");
    members_patch(
        &app,
        &org,
        &token,
        &admins,
        json!([{"op": "remove", "path": format!("members[value eq \"{ann}\"]")}]),
    )
    .await;
    assert_eq!(role(&app, &org, ann).await, "viewer");
    let log = app
        .get(
            &format!("/api/v1/orgs/{}/audit?type=user.role_changed", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(log["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_highest_ranked_group_gives_the_organization_role() {
    let (app, org, token) = provisioned().await;
    let ann = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let ann = ann["id"].as_str().unwrap();
    let ops = group(&app, &org, &token, "Ops", &[ann]).await;
    let admins = group(&app, &org, &token, "Admins", &[ann]).await;
    map(&app, &org, &ops, "operator", "").await.expect(204);
    assert_eq!(role(&app, &org, ann).await, "operator");
    map(&app, &org, &admins, "admin", "").await.expect(204);
    assert_eq!(role(&app, &org, ann).await, "admin");
    scim(
        &app,
        &org.id,
        &token,
        Method::DELETE,
        &format!("/Groups/{admins}"),
        None,
    )
    .await;
    assert_eq!(role(&app, &org, ann).await, "operator");
    let groups = app
        .get(
            &format!("/api/v1/orgs/{}/scim-groups", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(groups.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_group_can_give_a_role_on_a_system() {
    let app = spawn_preset("systems").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let token = scim_token(&app, &org.id, &org.owner).await;
    let system = app
        .post(
            &format!("/api/v1/orgs/{}/objects", org.id),
            &org.owner.token,
            json!({"type": "system", "name": "Plant 7"}),
        )
        .await
        .expect(201);
    let system = system["id"].as_str().unwrap();
    let ann = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let ann = ann["id"].as_str().unwrap();
    let g = group(&app, &org, &token, "Plant 7 admins", &[ann]).await;
    map(&app, &org, &g, "admin", system).await.expect(204);
    let member = app
        .get(
            &format!("/api/v1/orgs/{}/members/{ann}", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(
        member["scopes"],
        json!([{"object_id": system, "roles": ["admin"]}]),
        "{member}"
    );
    assert_eq!(
        member["role"], "member",
        "the organization role is untouched"
    );
}

#[tokio::test]
async fn a_mapping_that_would_give_more_than_the_maker_holds_is_refused_and_changes_nothing() {
    let (app, org, _) = provisioned().await;
    let admin = app
        .join(&org.id, &org.owner, "admin@acme.test", Some("admin"))
        .await;
    let token = scim_token(&app, &org.id, &admin).await;
    let ann = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let ann = ann["id"].as_str().unwrap();
    let g = group(&app, &org, &token, "Admins", &[]).await;
    map(&app, &org, &g, "admin", "").await.expect(204);
    // The owner in the admins group: the directory's token (an admin's) may not demote the owner.
    let refused = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Groups/{g}"),
        Some(json!({"schemas": [PATCH], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": ann}, {"value": org.owner.id}]}
        ]})),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("cannot_demote_owner"),
        "{}",
        refused.body
    );
    assert_eq!(role(&app, &org, ann).await, "viewer", "nothing changed");
    let read = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Groups/{g}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(read["members"], json!([]));
}

#[tokio::test]
async fn unknown_members_and_groups_are_refused() {
    let (app, org, token) = provisioned().await;
    let bad = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Groups",
        Some(json!({"schemas": [GROUP], "displayName": "X", "members": [{"value": "nobody"}]})),
    )
    .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
    let missing = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/Groups/grp_nothing",
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    let filtered = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        "/Groups?filter=displayName%20eq%20%22x%22",
        None,
    )
    .await
    .expect(200);
    assert_eq!(filtered["totalResults"], 0);
}
