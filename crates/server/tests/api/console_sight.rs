//! What a member may not see is nowhere in their console either: no page, dialog
//! or form names it, and its pages answer as for an object that does not exist,
//! as the API does (tests/api/sight.rs).

use crate::console::{browser, cookie_value, csrf_in, page, sign_in};
use crate::support::spawn_preset;
use reqwest::header::COOKIE;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_service_a_user_may_not_see_is_nowhere_in_their_console() {
    let app = spawn_preset("platform").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let at = |rest: &str| format!("/api/v1/orgs/{}{rest}", org.id);
    app.join(&org.id, &org.owner, "uma@example.com", Some("user"))
        .await;
    let sam = app
        .join(&org.id, &org.owner, "sam@example.com", Some("user"))
        .await;
    let secret = app
        .post(
            &at("/objects"),
            &org.owner.token,
            serde_json::json!({"type": "service", "name": "Secret Service"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.call(
        reqwest::Method::PUT,
        &at(&format!("/members/{}/scopes/{secret}", sam.id)),
        Some(&org.owner.token),
        Some(serde_json::json!({"roles": ["service_user"]})),
    )
    .await
    .expect(200);
    let uma = cookie_value(&sign_in(&app, "uma@example.com").await);
    // The Permissions dialog, and its forms, as for a service that does not exist.
    let dialog = page(
        &app,
        &uma,
        &format!("/orgs/{}/objects/{secret}/permissions", org.id),
    )
    .await;
    assert_eq!(dialog.status(), StatusCode::NOT_FOUND);
    assert!(!dialog.text().await.unwrap().contains("Secret Service"));
    let users = page(&app, &uma, &format!("/orgs/{}/users", org.id)).await;
    let csrf = csrf_in(&users.text().await.unwrap());
    let grant = browser()
        .post(format!(
            "http://{}/orgs/{}/objects/{secret}/grants/{}",
            app.addr, org.id, sam.id
        ))
        .header(COOKIE, &uma)
        .form(&[("csrf", csrf.as_str()), ("actions", "service:use")])
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), StatusCode::NOT_FOUND);
    // Nor does any page name it: not the objects, not Sam's row, not his edit panel.
    for path in [
        "objects".to_string(),
        "users".to_string(),
        format!("users/{}", sam.id),
    ] {
        let answer = page(&app, &uma, &format!("/orgs/{}/{path}", org.id)).await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        let html = answer.text().await.unwrap();
        assert!(
            path == "objects" || html.contains("sam"),
            "{path} shows Sam"
        );
        assert!(!html.contains("Secret Service"), "{path} names the service");
    }
    let owner = cookie_value(&sign_in(&app, "olivia@example.com").await);
    let users = page(&app, &owner, &format!("/orgs/{}/users", org.id)).await;
    assert!(users.text().await.unwrap().contains("Secret Service"));
}

#[tokio::test]
async fn the_permissions_of_a_service_a_user_may_not_see_are_not_found_in_the_api_and_the_console_alike(
) {
    let app = spawn_preset("platform").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let at = |rest: &str| format!("/api/v1/orgs/{}{rest}", org.id);
    let uma = app
        .join(&org.id, &org.owner, "uma@example.com", Some("user"))
        .await;
    let mut services = Vec::new();
    for name in ["Secret Service", "Open Service"] {
        let created = app
            .post(
                &at("/objects"),
                &org.owner.token,
                json!({"type": "service", "name": name}),
            )
            .await
            .expect(201);
        services.push(created["id"].as_str().unwrap().to_string());
    }
    let (secret, open) = (&services[0], &services[1]);
    app.call(
        reqwest::Method::PUT,
        &at(&format!("/members/{}/scopes/{open}", uma.id)),
        Some(&org.owner.token),
        Some(json!({"roles": ["service_user"]})),
    )
    .await
    .expect(200);
    let cookie = cookie_value(&sign_in(&app, "uma@example.com").await);
    let ask = |id: String| {
        let (app, cookie, token, org) = (&app, &cookie, &uma.token, &org.id);
        async move {
            let api = app
                .get(
                    &format!("/api/v1/orgs/{org}/objects/{id}/permissions"),
                    token,
                )
                .await;
            let console = page(
                app,
                cookie,
                &format!("/orgs/{org}/objects/{id}/permissions"),
            )
            .await;
            (api, console.status())
        }
    };
    // The one Uma was not added to answers as one that does not exist, from both.
    let (api, console) = ask(secret.clone()).await;
    api.refused(404, "unknown_object");
    assert_eq!(console, StatusCode::NOT_FOUND);
    let (none_api, none_console) = ask("svc_nothing".into()).await;
    assert_eq!(
        (api.status, api.reason()),
        (none_api.status, none_api.reason())
    );
    assert_eq!(console, none_console);
    // The one she sees: both give the same answer, whatever it is.
    let (api, console) = ask(open.clone()).await;
    assert_ne!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.status.as_u16(), console.as_u16());
}
