//! Nothing crosses organizations: a member of A using B's ids, on every endpoint
//! of an organization, gets 404, and B is byte-for-byte what it was.

use crate::support::{spawn_preset, TestApp, User};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What B looks like to its owner: every listing and the chain's length.
async fn everything_in(app: &TestApp, org: &str, owner: &User) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        "",
        "/members",
        "/objects",
        "/invitations",
        "/api-keys",
        "/webhooks",
        "/scim-tokens",
        "/scim-groups",
        "/sso",
        "/scim-settings",
        "/ownership-transfer",
        "/audit?limit=1000",
        "/audit/verify",
    ] {
        let a = app
            .get(&format!("/api/v1/orgs/{org}{path}"), &owner.token)
            .await;
        seen.push(json!({"path": path, "status": a.status.as_u16(), "body": a.body}));
    }
    seen
}

struct Ids {
    org: String,
    user: String,
    object: String,
    invitation: String,
    key: String,
    webhook: String,
}

/// Every organization endpoint with `ids` filled in; `{org}` is given separately
/// so a test can mix one organization's path with another's ids.
fn endpoints(org: &str, ids: &Ids) -> Vec<(Method, String, Value)> {
    let (u, o, i, k) = (&ids.user, &ids.object, &ids.invitation, &ids.key);
    let w = &ids.webhook;
    let p = format!("/api/v1/orgs/{org}");
    vec![
        (Method::GET, p.clone(), Value::Null),
        (Method::DELETE, p.clone(), Value::Null),
        (Method::GET, format!("{p}/policy"), Value::Null),
        (Method::GET, format!("{p}/deletion"), Value::Null),
        (Method::GET, format!("{p}/me"), Value::Null),
        (Method::GET, format!("{p}/members"), Value::Null),
        (Method::GET, format!("{p}/members/{u}"), Value::Null),
        (
            Method::PATCH,
            format!("{p}/members/{u}"),
            json!({"role": "admin", "name": "X"}),
        ),
        (Method::DELETE, format!("{p}/members/{u}"), Value::Null),
        (
            Method::POST,
            format!("{p}/members/{u}/suspension"),
            Value::Null,
        ),
        (
            Method::DELETE,
            format!("{p}/members/{u}/suspension"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("{p}/members/bulk-delete"),
            json!({"user_ids": [u]}),
        ),
        (Method::GET, format!("{p}/members/export"), Value::Null),
        (
            Method::DELETE,
            format!("{p}/members/{u}/second-factor"),
            Value::Null,
        ),
        (
            Method::GET,
            format!("{p}/second-factor-policy"),
            Value::Null,
        ),
        (
            Method::PUT,
            format!("{p}/second-factor-policy"),
            json!({"second_factor_required": true}),
        ),
        (
            Method::PUT,
            format!("{p}/members/{u}/scopes/{o}"),
            json!({"roles": ["viewer"]}),
        ),
        (
            Method::GET,
            format!("{p}/members/{u}/permissions?object_id={o}"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("{p}/invitations"),
            json!({"email": "mallory@evil.test"}),
        ),
        (Method::GET, format!("{p}/invitations"), Value::Null),
        // Another organization is 404 before the body is looked at.
        (
            Method::POST,
            format!("{p}/import"),
            json!("email,name,role\nmallory@evil.test,,admin\n"),
        ),
        (Method::DELETE, format!("{p}/invitations/{i}"), Value::Null),
        (
            Method::POST,
            format!("{p}/invitations/{i}/resend"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{p}/ownership-transfer"),
            json!({"to_user": u}),
        ),
        (Method::GET, format!("{p}/ownership-transfer"), Value::Null),
        (
            Method::DELETE,
            format!("{p}/ownership-transfer"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("{p}/ownership-transfer/accept"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{p}/ownership-transfer/decline"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{p}/objects"),
            json!({"type": "site", "name": "Evil"}),
        ),
        (Method::GET, format!("{p}/objects"), Value::Null),
        (Method::GET, format!("{p}/objects/{o}"), Value::Null),
        (
            Method::PATCH,
            format!("{p}/objects/{o}"),
            json!({"name": "Evil"}),
        ),
        (Method::DELETE, format!("{p}/objects/{o}"), Value::Null),
        (
            Method::POST,
            format!("{p}/objects/{o}/owner"),
            json!({"user_id": u}),
        ),
        (
            Method::GET,
            format!("{p}/objects/{o}/permissions"),
            Value::Null,
        ),
        (
            Method::PUT,
            format!("{p}/objects/{o}/grants/{u}"),
            json!({"actions": ["site:view"]}),
        ),
        (
            Method::POST,
            format!("{p}/check"),
            json!({"user_id": u, "action": "site:view", "object_id": o}),
        ),
        (
            Method::POST,
            format!("{p}/check/batch"),
            json!({"checks": [{"user_id": u, "action": "site:view", "object_id": o}]}),
        ),
        (Method::GET, format!("{p}/audit"), Value::Null),
        (Method::GET, format!("{p}/audit/verify"), Value::Null),
        (Method::GET, format!("{p}/events?after=0"), Value::Null),
        (
            Method::GET,
            format!("{p}/audit/export?format=csv"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("{p}/api-keys"),
            json!({"name": "stolen"}),
        ),
        (Method::GET, format!("{p}/api-keys"), Value::Null),
        (Method::DELETE, format!("{p}/api-keys/{k}"), Value::Null),
        (
            Method::POST,
            format!("{p}/webhooks"),
            json!({"url": "https://evil.test/"}),
        ),
        (Method::GET, format!("{p}/webhooks"), Value::Null),
        (Method::GET, format!("{p}/webhooks/{w}"), Value::Null),
        (
            Method::PATCH,
            format!("{p}/webhooks/{w}"),
            json!({"url": "https://evil.test/"}),
        ),
        (Method::DELETE, format!("{p}/webhooks/{w}"), Value::Null),
        (
            Method::POST,
            format!("{p}/webhooks/{w}/rotate-secret"),
            json!({}),
        ),
        (
            Method::GET,
            format!("{p}/webhooks/{w}/deliveries"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("{p}/webhooks/{w}/deliveries/1/redeliver"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{p}/scim-tokens"),
            json!({"name": "stolen"}),
        ),
        (Method::GET, format!("{p}/scim-tokens"), Value::Null),
        (Method::DELETE, format!("{p}/scim-tokens/{k}"), Value::Null),
        (Method::GET, format!("{p}/scim-groups"), Value::Null),
        (Method::GET, format!("{p}/scim-settings"), Value::Null),
        (
            Method::PUT,
            format!("{p}/scim-settings"),
            json!({"on_deprovision": "suspend"}),
        ),
        (
            Method::PUT,
            format!("{p}/scim-groups/engineering/mapping"),
            json!({"role": "admin"}),
        ),
        (Method::GET, format!("{p}/sso"), Value::Null),
        (
            Method::PUT,
            format!("{p}/sso"),
            json!({"issuer": "http://evil.test", "client_id": "x", "client_secret": "y", "domains": ["b.test"]}),
        ),
        (Method::DELETE, format!("{p}/sso"), Value::Null),
        (
            Method::POST,
            format!("{p}/sso/domains/b.test/prove"),
            json!({}),
        ),
    ]
}

/// Two organizations; B has a member, a site, a pending invitation, an API key
/// and a pending nomination for every id to point at.
async fn two_organizations(app: &TestApp) -> (User, Ids, User, Ids) {
    let a = app.signup("alice@a.test", "A").await;
    let b = app.signup("bob@b.test", "B").await;
    let mut ids = Vec::new();
    for (org, owner, who) in [
        (&a.id, &a.owner, "ann@a.test"),
        (&b.id, &b.owner, "carol@b.test"),
    ] {
        let member = app.join(org, owner, who, Some("admin")).await;
        let site = app
            .post(
                &format!("/api/v1/orgs/{org}/objects"),
                &owner.token,
                json!({"type": "site", "name": "Plant"}),
            )
            .await
            .expect(201);
        let inv = app
            .post(
                &format!("/api/v1/orgs/{org}/invitations"),
                &owner.token,
                json!({"email": format!("dave.{}", who)}),
            )
            .await
            .expect(201);
        let key = app
            .post(
                &format!("/api/v1/orgs/{org}/api-keys"),
                &owner.token,
                json!({"name": "back-end"}),
            )
            .await
            .expect(201);
        let webhook = app
            .post(
                &format!("/api/v1/orgs/{org}/webhooks"),
                &owner.token,
                json!({"url": "https://hooks.example.test/in"}),
            )
            .await
            .expect(201);
        ids.push(Ids {
            org: org.clone(),
            user: member.id.clone(),
            object: site["id"].as_str().unwrap().into(),
            invitation: inv["id"].as_str().unwrap().into(),
            key: key["id"].as_str().unwrap().into(),
            webhook: webhook["id"].as_str().unwrap().into(),
        });
    }
    let b_ids = ids.pop().unwrap();
    let a_ids = ids.pop().unwrap();
    app.post(
        &format!("/api/v1/orgs/{}/ownership-transfer", b_ids.org),
        &b.owner.token,
        json!({"to_user": b_ids.user}),
    )
    .await
    .expect(201);
    (a.owner, a_ids, b.owner, b_ids)
}

#[tokio::test]
async fn another_organizations_ids_are_404_on_every_endpoint_and_change_nothing() {
    let app = spawn_preset("operations").await;
    let (alice, a_ids, bob, b_ids) = two_organizations(&app).await;
    let a_key = app.api_key(&a_ids.org, &alice).await;
    let before = everything_in(&app, &b_ids.org, &bob).await;

    // B's organization id in the path: as A's owner, and with A's API key.
    for token in [alice.token.as_str(), a_key.as_str()] {
        for (method, path, body) in endpoints(&b_ids.org, &b_ids) {
            let body = (!body.is_null()).then_some(body);
            let answer = app.call(method.clone(), &path, Some(token), body).await;
            assert_eq!(
                answer.status.as_u16(),
                404,
                "{method} {path}: {}",
                answer.body
            );
            assert_eq!(answer.body["error"]["code"], "NOT_FOUND");
        }
    }
    // A's path with B's ids: member, object, invitation and key ids of B are
    // unknown in A (a check about them answers no, as about anyone unknown).
    for (method, path, body) in endpoints(&a_ids.org, &b_ids) {
        let body = (!body.is_null()).then_some(body);
        let uses_b_id = [
            &b_ids.user,
            &b_ids.object,
            &b_ids.invitation,
            &b_ids.key,
            &b_ids.webhook,
        ]
        .iter()
        .any(|id| {
            path.contains(id.as_str())
                || body
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains(id.as_str()))
        });
        let is_check = path.ends_with("/check") || path.ends_with("/check/batch");
        if !uses_b_id && !is_check {
            continue;
        }
        let answer = app
            .call(method.clone(), &path, Some(&alice.token), body)
            .await;
        if path.ends_with("/check") {
            assert_eq!(answer.body["allowed"], false, "{path}: {}", answer.body);
            assert_eq!(answer.body["reason"], "unknown_object");
        } else if path.ends_with("/check/batch") {
            assert_eq!(answer.body["results"][0]["allowed"], false);
        } else if path.ends_with("/members/bulk-delete") {
            // Each id is answered on its own: B's member is nobody in A.
            assert_eq!(answer.body["deleted"], json!([]), "{}", answer.body);
            assert_eq!(answer.body["refused"][0]["reason"], "unknown_member");
        } else {
            assert_eq!(
                answer.status.as_u16(),
                404,
                "{method} {path}: {}",
                answer.body
            );
        }
    }
    let after = everything_in(&app, &b_ids.org, &bob).await;
    assert_eq!(before, after, "organization B changed");
}

#[tokio::test]
async fn the_tenancy_test_covers_every_organization_endpoint_of_the_openapi() {
    let app = spawn_preset("operations").await;
    let doc = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    let ids = Ids {
        org: "{org}".into(),
        user: "{user}".into(),
        object: "{object}".into(),
        invitation: "{invitation}".into(),
        key: "{key}".into(),
        webhook: "{webhook}".into(),
    };
    let covered: BTreeSet<(String, String)> = endpoints("{org}", &ids)
        .into_iter()
        .map(|(m, p, _)| {
            let p = p.split('?').next().unwrap().to_string();
            (m.as_str().to_lowercase(), p)
        })
        .collect();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/orgs/{org}") {
            continue;
        }
        for method in ops.as_object().unwrap().keys() {
            // The spec names path parameters by their route; the test by what they
            // hold (a directory group is named by the directory, not by B's ids).
            let normal = path
                .replace("{id}", "{object}")
                .replace("{group}", "engineering")
                .replace("{domain}", "b.test")
                .replace("{seq}", "1");
            if !covered.contains(&(method.clone(), normal.clone())) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in the tenancy test: {missing:?}");
}
