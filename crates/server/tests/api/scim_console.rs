//! The console's Provisioning page over real HTTP: the base URL, a token made
//! (its secret shown once) and revoked, a group mapped to a role, the last
//! requests with their outcome, and a member who may not manage members kept out.

use crate::scim::{create, new_user, provisioned, scim};
use crate::support::{TestApp, PASSWORD};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + 32].to_string()
}

/// Signs in through the form: the session cookie (`name=value`).
async fn session(app: &TestApp, email: &str) -> String {
    let form = browser().get(app.url("/sign-in")).send().await.unwrap();
    let pre = form.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_in(&form.text().await.unwrap());
    let answer = browser()
        .post(app.url("/sign-in"))
        .header(COOKIE, pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    answer
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("steward_session=") && c.len() > 17)
        .unwrap()
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let answer = browser()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    csrf: &str,
) -> (StatusCode, String) {
    let mut fields = vec![("csrf", csrf)];
    fields.extend_from_slice(form);
    let answer = browser()
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

#[tokio::test]
async fn the_provisioning_page_makes_and_revokes_a_token_maps_a_group_and_lists_requests() {
    let (app, org, token) = provisioned().await;
    let ann = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let ann = ann["id"].as_str().unwrap().to_string();
    let g = scim(
        &app,
        &org.id,
        &token,
        Method::POST,
        "/Groups",
        Some(json!({"displayName": "Engineering", "members": [{"value": ann}]})),
    )
    .await
    .expect(201);
    let g = g["id"].as_str().unwrap().to_string();
    scim(
        &app,
        &org.id,
        &token,
        Method::DELETE,
        &format!("/Users/{}", org.owner.id),
        None,
    )
    .await;
    let cookie = session(&app, "owner@acme.test").await;
    let path = format!("/orgs/{}/provisioning", org.id);
    let (status, html) = get(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!("/scim/v2/{}", org.id)),
        "the base URL"
    );
    assert!(html.contains("Engineering"));
    assert!(html.contains("self_change"), "a refused request and why");
    let csrf = csrf_in(&html);

    let (status, made) = post(
        &app,
        &cookie,
        &format!("{path}/tokens"),
        &[("name", "Entra ID")],
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        made.contains("id=\"new-scim-token\""),
        "the secret is shown once"
    );
    let (_, again) = get(&app, &cookie, &path).await;
    assert!(!again.contains("id=\"new-scim-token\""));
    assert!(again.contains("Entra ID"));

    let (status, _) = post(
        &app,
        &cookie,
        &format!("{path}/groups/{g}/mapping"),
        &[("mapping", "|operator")],
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let member = app
        .get(
            &format!("/api/v1/orgs/{}/members/{ann}", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(member["role"], "operator");

    let keys = app
        .get(
            &format!("/api/v1/orgs/{}/scim-tokens", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    let first = keys["items"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = post(
        &app,
        &cookie,
        &format!("{path}/tokens/{first}/revoke"),
        &[],
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let keys = app
        .get(
            &format!("/api/v1/orgs/{}/scim-tokens", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_member_who_may_not_manage_members_is_told_so_on_the_provisioning_page() {
    let (app, org, _) = provisioned().await;
    app.join(&org.id, &org.owner, "vera@acme.test", Some("viewer"))
        .await;
    let cookie = session(&app, "vera@acme.test").await;
    let (status, html) = get(&app, &cookie, &format!("/orgs/{}/provisioning", org.id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(!html.contains("scim-token-list"));
}

#[tokio::test]
async fn the_provisioning_page_chooses_suspension_and_the_users_page_reinstates() {
    let (app, org, token) = provisioned().await;
    let ann = create(
        &app,
        &org,
        &token,
        new_user("ann@acme.test", "1", "Ann", "Lee"),
    )
    .await;
    let ann = ann["id"].as_str().unwrap().to_string();
    let cookie = session(&app, "owner@acme.test").await;
    let path = format!("/orgs/{}/provisioning", org.id);
    let (_, html) = get(&app, &cookie, &path).await;
    assert!(
        html.contains(r#"value="remove" checked"#),
        "remove by default"
    );
    let csrf = csrf_in(&html);
    let (status, _) = post(
        &app,
        &cookie,
        &format!("{path}/deprovision"),
        &[("on_deprovision", "suspend")],
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &cookie, &path).await;
    assert!(html.contains(r#"value="suspend" checked"#), "{html}");

    let off = json!({"schemas": [crate::scim::PATCH], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    scim(
        &app,
        &org.id,
        &token,
        Method::PATCH,
        &format!("/Users/{ann}"),
        Some(off),
    )
    .await
    .expect(200);
    let users = format!("/orgs/{}/users", org.id);
    let (_, html) = get(&app, &cookie, &users).await;
    assert!(html.contains(r#"<span class="badge warn" data-suspended>Suspended</span>"#));
    assert!(html.contains("Reinstate Ann Lee"), "{html}");
    let (status, _) = post(
        &app,
        &cookie,
        &format!("{users}/{ann}/reinstate"),
        &[],
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &cookie, &users).await;
    assert!(!html.contains("data-suspended"));
}
