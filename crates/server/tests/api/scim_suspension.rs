//! Suspension as the organization's choice (docs/provisioning.md#suspension):
//! with `on_deprovision: suspend`, a directory's `active: false` suspends the
//! member (roles kept, sessions ended, every check denied) and `active: true`
//! reinstates them; `remove` stays the default; the owner is never suspended.

use crate::scim::{create, new_user, provisioned, scim, PATCH};
use crate::support::{TestApp, User};
use reqwest::Method;
use serde_json::{json, Value};

/// A provisioned person who set their password and signed in.
async fn provisioned_person(
    app: &TestApp,
    org: &crate::support::Org,
    token: &str,
    email: &str,
) -> (String, User) {
    let made = create(app, org, token, new_user(email, email, "Ann", "Lee")).await;
    let id = made["id"].as_str().unwrap().to_string();
    let setup = app
        .app
        .steward
        .setup_token(&steward_core::UserId::parse(&id).unwrap())
        .await
        .unwrap();
    app.call(
        Method::POST,
        &format!("/api/v1/invitations/{setup}/accept"),
        None,
        Some(json!({"password": crate::support::PASSWORD})),
    )
    .await
    .expect(200);
    (id, app.login(email).await)
}

fn active(value: Value) -> Value {
    json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": value}]})
}

async fn member(app: &TestApp, org: &str, id: &str, owner: &User) -> Value {
    app.get(&format!("/api/v1/orgs/{org}/members/{id}"), &owner.token)
        .await
        .expect(200)
}

#[tokio::test]
async fn an_org_that_chose_suspend_has_deactivation_suspend_end_sessions_and_deny_checks_until_reactivated(
) {
    let (app, org, token) = provisioned().await;
    let chosen = app
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{}/scim-settings", org.id),
            Some(&org.owner.token),
            Some(json!({"on_deprovision": "suspend"})),
        )
        .await
        .expect(200);
    assert_eq!(chosen["on_deprovision"], "suspend");
    let (id, ann) = provisioned_person(&app, &org, &token, "ann@acme.test").await;
    app.set_role(&org.id, &org.owner, &ann, "operator")
        .await
        .expect(200);
    let key = app.api_key(&org.id, &org.owner).await;
    let allowed = app.check(&org.id, &key, &id, "org:view", &org.id).await;
    assert_eq!(allowed["allowed"], true);

    // Entra ID sends the boolean as a string.
    let patched = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(active(json!("False"))),
    )
    .await
    .expect(200);
    assert_eq!(patched["active"], false);
    let suspended = member(&app, &org.id, &id, &org.owner).await;
    assert_eq!(suspended["suspended"], true);
    assert_eq!(suspended["role"], "operator", "roles are kept");
    let refresh = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": ann.refresh})),
        )
        .await;
    assert_eq!(refresh.status, 401, "{}", refresh.body);
    // Signing in again gives a token without the organization's role.
    let again = app.login("ann@acme.test").await;
    let claims = crate::support::claims(&again.token);
    assert!(claims["org"].get(&org.id).is_none(), "{claims}");
    let denied = app.check(&org.id, &key, &id, "org:view", &org.id).await;
    assert_eq!(denied["allowed"], false, "{denied}");
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
    assert_eq!(read["active"], false);

    scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(active(json!(true))),
    )
    .await
    .expect(200);
    let back = member(&app, &org.id, &id, &org.owner).await;
    assert_eq!(back["suspended"], false);
    assert_eq!(back["role"], "operator");
    let allowed = app.check(&org.id, &key, &id, "org:view", &org.id).await;
    assert_eq!(allowed["allowed"], true);
    let log = app
        .get(
            &format!("/api/v1/orgs/{}/audit?limit=100", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    let types: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    for t in [
        "org.deprovision_changed",
        "member.suspended",
        "member.reinstated",
    ] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
}

#[tokio::test]
async fn remove_stays_the_default_and_delete_removes_a_suspended_member() {
    let (app, org, token) = provisioned().await;
    let settings = app
        .get(
            &format!("/api/v1/orgs/{}/scim-settings", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(settings["on_deprovision"], "remove");
    let (id, _) = provisioned_person(&app, &org, &token, "ann@acme.test").await;
    scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(active(json!(false))),
    )
    .await
    .expect(200);
    app.get(
        &format!("/api/v1/orgs/{}/members/{id}", org.id),
        &org.owner.token,
    )
    .await
    .refused(404, "unknown_member");

    // Suspended by hand, then deleted by the directory: removed all the same.
    let (bob, _) = provisioned_person(&app, &org, &token, "bob@acme.test").await;
    app.post(
        &format!("/api/v1/orgs/{}/members/{bob}/suspension", org.id),
        &org.owner.token,
        Value::Null,
    )
    .await
    .expect(200);
    scim(
        &app,
        &org.id,
        &token,
        Method::DELETE,
        &format!("/Users/{bob}"),
        None,
    )
    .await
    .expect(204);
    app.get(
        &format!("/api/v1/orgs/{}/members/{bob}", org.id),
        &org.owner.token,
    )
    .await
    .refused(404, "unknown_member");
}

#[tokio::test]
async fn the_owner_cannot_be_suspended_and_only_admins_suspend_or_choose() {
    let (app, org, _token) = provisioned().await;
    let ada = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    let vic = app
        .join(&org.id, &org.owner, "vic@acme.test", Some("viewer"))
        .await;
    app.post(
        &format!(
            "/api/v1/orgs/{}/members/{}/suspension",
            org.id, org.owner.id
        ),
        &ada.token,
        Value::Null,
    )
    .await
    .refused(403, "owner_not_suspendable");
    app.post(
        &format!("/api/v1/orgs/{}/members/{}/suspension", org.id, ada.id),
        &vic.token,
        Value::Null,
    )
    .await
    .refused(403, "not_permitted");
    app.call(
        Method::PUT,
        &format!("/api/v1/orgs/{}/scim-settings", org.id),
        Some(&vic.token),
        Some(json!({"on_deprovision": "suspend"})),
    )
    .await
    .refused(403, "not_permitted");

    let suspended = app
        .post(
            &format!("/api/v1/orgs/{}/members/{}/suspension", org.id, vic.id),
            &ada.token,
            Value::Null,
        )
        .await
        .expect(200);
    assert_eq!(suspended["suspended"], true);
    // A suspended member is no longer let in.
    let shut = app
        .get(&format!("/api/v1/orgs/{}/members", org.id), &vic.token)
        .await;
    assert!(shut.status == 401 || shut.status == 404, "{}", shut.status);
    let back = app
        .delete(
            &format!("/api/v1/orgs/{}/members/{}/suspension", org.id, vic.id),
            &ada.token,
        )
        .await
        .expect(200);
    assert_eq!(back["suspended"], false);
}
