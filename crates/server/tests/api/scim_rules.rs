//! SCIM deprovisioning and the rules every SCIM change meets: deactivation and
//! DELETE remove the member and end their credentials; the owner, an address
//! and a token's maker's rank are out of a directory's reach, and a refusal is
//! in the audit log.

use crate::scim::{create, new_user, provisioned, scim, scim_token, PATCH};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn deactivating_removes_the_member_and_ends_their_refresh_tokens_and_reactivating_brings_them_back(
) {
    let (app, org, token) = provisioned().await;
    let made = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap().to_string();
    // Ann sets a password through a setup link as a provisioned person would, then signs in.
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
    let ann = app.login("ann@acme.test").await;
    let off = json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let patched = scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(off),
    )
    .await
    .expect(200);
    assert_eq!(patched["active"], false);
    app.get(
        &format!("/api/v1/orgs/{}/members/{id}", org.id),
        &org.owner.token,
    )
    .await
    .refused(404, "unknown_member");
    let refresh = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": ann.refresh})),
        )
        .await;
    assert_eq!(refresh.status, 401, "{}", refresh.body);
    let still = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Users/{id}"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(still["active"], false);
    let on =
        json!({"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": true}}]});
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
    let back = app
        .get(
            &format!("/api/v1/orgs/{}/members/{id}", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(back["role"], "viewer");
}

#[tokio::test]
async fn delete_removes_the_member_and_the_record() {
    let (app, org, token) = provisioned().await;
    let made = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    let gone = scim(
        &app,
        &org.id,
        &token,
        Method::DELETE,
        &format!("/Users/{id}"),
        None,
    )
    .await;
    assert_eq!(gone.status, 204);
    app.get(
        &format!("/api/v1/orgs/{}/members/{id}", org.id),
        &org.owner.token,
    )
    .await
    .refused(404, "unknown_member");
    let again = scim(
        &app,
        &org.id,
        &token,
        Method::GET,
        &format!("/Users/{id}"),
        None,
    )
    .await;
    assert_eq!(again.status, 404);
    let log = app
        .get(
            &format!("/api/v1/orgs/{}/audit?type=member.deleted", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert!(
        log["items"][0]["actor_id"]
            .as_str()
            .unwrap()
            .starts_with("key"),
        "{log}"
    );
}

#[tokio::test]
async fn the_directory_cannot_remove_the_owner_nor_change_an_address_and_a_refusal_says_why() {
    let (app, org, token) = provisioned().await;
    let owner = scim(
        &app,
        &org.id,
        &token,
        Method::DELETE,
        &format!("/Users/{}", org.owner.id),
        None,
    )
    .await;
    assert_eq!(owner.status, 403, "{}", owner.body);
    assert!(
        owner.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("self_change")
            || owner.body["detail"].as_str().unwrap().contains("owner"),
        "{}",
        owner.body
    );
    let made = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    let moved = scim(
        &app,
        &org.id,
        &token,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(new_user("ann@elsewhere.test", "1", "Ann", "Lee")),
    )
    .await;
    assert_eq!(
        (moved.status.as_u16(), moved.body["scimType"].as_str()),
        (400, Some("mutability")),
        "{}",
        moved.body
    );
    let log = app
        .get(
            &format!("/api/v1/orgs/{}/audit?type=scim.refused", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    let reasons: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["data"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, vec!["email_immutable", "self_change"], "{log}");
    assert!(log["items"][1]["data"]["request"]
        .as_str()
        .unwrap()
        .starts_with("DELETE /scim/v2/"));
    assert!(log["items"][1]["actor_id"]
        .as_str()
        .unwrap()
        .starts_with("key"));
    // The request log is written in batches; the page writes the queue first.
    app.app.steward.flush_directory_requests().await;
    let requests = app
        .app
        .steward
        .service()
        .store()
        .scim_requests(&org.id, 50)
        .await
        .unwrap();
    assert!(
        requests
            .iter()
            .any(|r| r.status == 403 && r.outcome.contains("self_change")),
        "{requests:?}"
    );
}

#[tokio::test]
async fn an_admins_token_cannot_remove_the_owner_nor_the_last_admin_and_stops_when_its_maker_is_demoted(
) {
    let (app, org, _) = provisioned().await;
    let admin = app
        .join(&org.id, &org.owner, "admin@acme.test", Some("admin"))
        .await;
    let token = scim_token(&app, &org.id, &admin).await;
    let owner = scim(
        &app,
        &org.id,
        &token,
        Method::DELETE,
        &format!("/Users/{}", org.owner.id),
        None,
    )
    .await;
    assert_eq!(owner.status, 403, "{}", owner.body);
    assert!(
        owner.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("cannot_demote_owner"),
        "{}",
        owner.body
    );
    app.set_role(&org.id, &org.owner, &admin, "operator")
        .await
        .expect(200);
    let demoted = scim(&app, &org.id, &token, Method::GET, "/Users", None).await;
    assert_eq!(demoted.status, 403, "{}", demoted.body);
}
