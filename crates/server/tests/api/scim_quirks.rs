//! The requests Microsoft Entra ID and Okta really send, byte for byte as their
//! documentation shows them (Entra ID's "Develop a SCIM endpoint" tutorial,
//! Okta's SCIM 2.0 reference), including the ways they bend RFC 7644.

use crate::scim::{provisioned, scim, urlencode};
use reqwest::Method;
use serde_json::{json, Value};

async fn role_of(
    app: &crate::support::TestApp,
    org: &crate::support::Org,
    user: &str,
) -> crate::support::Answer {
    app.get(
        &format!("/api/v1/orgs/{}/members/{user}", org.id),
        &org.owner.token,
    )
    .await
}

fn entra_user() -> Value {
    serde_json::from_str(
        r#"{
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
    "active": true,
    "emails": [{
        "primary": true,
        "type": "work",
        "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
    }],
    "meta": {
        "resourceType": "User"
    },
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName"
    },
    "roles": []
}"#,
    )
    .unwrap()
}

#[tokio::test]
async fn entra_id_creates_a_user_whose_user_name_is_no_address_and_finds_it_by_filter() {
    let (app, org, token) = provisioned().await;
    let made = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(entra_user()),
    )
    .await
    .expect(201);
    let id = made["id"].as_str().unwrap();
    let member = role_of(&app, &org, id).await.expect(200);
    assert_eq!(
        member["email"],
        "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
    );
    let filter = urlencode(r#"userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1""#);
    let found = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Users?filter={filter}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], id);
    // Entra ID's connection test asks for a user that does not exist.
    let probe = urlencode(r#"userName eq "non-existent user""#);
    let none = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Users?filter={probe}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(none["totalResults"], 0);
}

#[tokio::test]
async fn entra_id_disables_a_user_with_active_as_the_string_false() {
    let (app, org, token) = provisioned().await;
    let made = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(entra_user()),
    )
    .await
    .expect(201);
    let id = made["id"].as_str().unwrap();
    let body: Value = serde_json::from_str(
        r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "Replace",
            "path": "active",
            "value": "False"
        }
    ]
}"#,
    )
    .unwrap();
    let off = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(body),
    )
    .await
    .expect(200);
    assert_eq!(off["active"], false);
    role_of(&app, &org, id).await.refused(404, "unknown_member");
}

#[tokio::test]
async fn entra_id_replaces_several_attributes_without_a_path() {
    let (app, org, token) = provisioned().await;
    let made = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(entra_user()),
    )
    .await
    .expect(201);
    let id = made["id"].as_str().unwrap();
    let body: Value = serde_json::from_str(
        r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {
            "op": "replace",
            "value": {
                "displayName": "Updated Name",
                "name.givenName": "Updated",
                "name.familyName": "Name",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Finance",
                "active": "True"
            }
        }
    ]
}"#,
    )
    .unwrap();
    let patched = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(body),
    )
    .await
    .expect(200);
    assert_eq!(patched["displayName"], "Updated Name");
    assert_eq!(patched["name"]["givenName"], "Updated");
    assert_eq!(patched["name"]["familyName"], "Name");
    assert_eq!(patched["active"], true);
    assert_eq!(
        patched["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Finance"
    );
    let member = role_of(&app, &org, id).await.expect(200);
    assert_eq!(member["name"], "Updated Name");
}

#[tokio::test]
async fn entra_id_adds_and_removes_group_members_by_value() {
    let (app, org, token) = provisioned().await;
    let made = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(entra_user()),
    )
    .await
    .expect(201);
    let id = made["id"].as_str().unwrap();
    let group: Value = serde_json::from_str(
        r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    "displayName": "displayName",
    "meta": {
        "resourceType": "Group"
    }
}"#,
    )
    .unwrap();
    let g = scim(&app, &org.id, &token, Method::POST, "/Groups", Some(group))
        .await
        .expect(201);
    let g = g["id"].as_str().unwrap();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": null, "value": id}]}]});
    let added = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Groups/{g}"),
        Some(add),
    )
    .await
    .expect(200);
    assert_eq!(added["members"][0]["value"], id);
    let remove = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": id}]}]});
    let removed = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Groups/{g}"),
        Some(remove),
    )
    .await
    .expect(200);
    assert_eq!(removed["members"], json!([]));
}

fn okta_user(active: bool, given: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "test.user@okta.local",
        "name": {"givenName": given, "familyName": "User"},
        "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
        "displayName": format!("{given} User"),
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": active
    })
}

#[tokio::test]
async fn okta_looks_up_creates_and_puts_the_whole_user() {
    let (app, org, token) = provisioned().await;
    let lookup =
        "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100";
    let none = scim(&app, &org.id, &token, Method::GET, lookup, None)
        .await
        .expect(200);
    assert_eq!(none["totalResults"], 0);
    let made = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(okta_user(true, "Test")),
    )
    .await
    .expect(201);
    assert!(
        made.get("password").is_none(),
        "a password is never kept nor shown"
    );
    let id = made["id"].as_str().unwrap();
    let found = scim(&app, &org.id, &token, Method::GET, lookup, None)
        .await
        .expect(200);
    assert_eq!(found["Resources"][0]["id"], id);
    let mut whole = okta_user(true, "Tess");
    whole["id"] = json!(id);
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
    assert_eq!(put["displayName"], "Tess User");
    assert_eq!(put["locale"], "en-US");
    let mut off = okta_user(false, "Tess");
    off["id"] = json!(id);
    let put = scim(
        &app,
        &org.id,
        &token,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(off),
    )
    .await
    .expect(200);
    assert_eq!(put["active"], false);
    role_of(&app, &org, id).await.refused(404, "unknown_member");
    let on = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": true}}]});
    scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(on),
    )
    .await
    .expect(200);
    role_of(&app, &org, id).await.expect(200);
}

#[tokio::test]
async fn okta_pushes_a_group_renames_it_and_patches_its_members() {
    let (app, org, token) = provisioned().await;
    let a = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Users",
        Some(okta_user(true, "Test")),
    )
    .await
    .expect(201);
    let a = a["id"].as_str().unwrap();
    let mut second = okta_user(true, "Other");
    second["userName"] = json!("other.user@okta.local");
    second["emails"] = json!([{"primary": true, "value": "other.user@okta.local", "type": "work"}]);
    let b = scim(&app, &org.id, &token, Method::POST, "/Users", Some(second))
        .await
        .expect(201);
    let b = b["id"].as_str().unwrap();
    let g = scim(&app, &org.id, &token, Method::POST, "/Groups",
        Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Test SCIMv2", "members": []})))
        .await
        .expect(201);
    let g = g["id"].as_str().unwrap();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [
            {"value": a, "display": "test.user@okta.local"},
            {"value": b, "display": "other.user@okta.local"}]}]});
    scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Groups/{g}"),
        Some(add),
    )
    .await
    .expect(200);
    let swap = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {"op": "remove", "path": format!("members[value eq \"{a}\"]")},
        {"op": "replace", "value": {"id": g, "displayName": "Test SCIMv2 renamed"}}
    ]});
    let after = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Groups/{g}"),
        Some(swap),
    )
    .await
    .expect(200);
    assert_eq!(after["displayName"], "Test SCIMv2 renamed");
    assert_eq!(after["id"], g);
    let members: Vec<&str> = after["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(members, vec![b]);
}
