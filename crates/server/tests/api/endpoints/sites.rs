//! Site assignments (operations): a viewer sees only the sites assigned.

use super::*;

#[tokio::test]
async fn viewer_without_sites_sees_nothing() {
    let t = operations().await;
    let site = new_site(&t, &t.owner, "North").await;
    let newcomer = t
        .app
        .join(&t.org, &t.admin, "nina@acme.test", Some("viewer"))
        .await;
    let m = member(&t.app, &t.org, &t.admin, &newcomer.id).await;
    assert_eq!(m["warnings"], json!(["viewer_without_sites"]));
    assert_eq!(m["scopes"], json!([]));
    assert!(visible_objects(&t.app, &t.org, &newcomer).await.is_empty());
    t.app
        .get(&at(&t.org, &format!("/objects/{site}")), &newcomer.token)
        .await
        .refused(404, "unknown_object");
    // Asking about it herself, she learns no more than of a site that is not there;
    // the product's back-end (a key) is told why.
    let answer = t
        .app
        .check(&t.org, &newcomer.token, &newcomer.id, "site:view", &site)
        .await;
    assert_eq!(
        answer,
        json!({"allowed": false, "reason": "unknown_object"})
    );
    let key = t.app.api_key(&t.org, &t.owner).await;
    let answer = t
        .app
        .check(&t.org, &key, &newcomer.id, "site:view", &site)
        .await;
    assert_eq!(answer, json!({"allowed": false, "reason": "no_permission"}));
    // An operator sees every site without being assigned one.
    assert_eq!(visible_objects(&t.app, &t.org, &t.operator).await, [site]);
}

#[tokio::test]
async fn a_viewer_given_a_site_sees_exactly_that_site_until_it_is_taken_away() {
    let t = operations().await;
    let north = new_site(&t, &t.owner, "North").await;
    let south = new_site(&t, &t.owner, "South").await;
    let scope = at(&t.org, &format!("/members/{}/scopes/{north}", t.viewer.id));

    let given = t
        .app
        .call(
            Method::PUT,
            &scope,
            Some(&t.admin.token),
            Some(json!({"roles": ["viewer"]})),
        )
        .await
        .expect(200);
    assert_eq!(given, json!({"object_id": north, "roles": ["viewer"]}));
    let m = member(&t.app, &t.org, &t.admin, &t.viewer.id).await;
    assert_eq!(m["warnings"], json!([]));
    assert_eq!(
        m["scopes"],
        json!([{"object_id": north, "roles": ["viewer"]}])
    );
    assert_eq!(
        visible_objects(&t.app, &t.org, &t.viewer).await,
        [north.as_str()]
    );
    let object = t
        .app
        .get(&at(&t.org, &format!("/objects/{north}")), &t.viewer.token)
        .await
        .expect(200);
    assert_eq!(object["name"], "North");

    let key = t.app.api_key(&t.org, &t.owner).await;
    let on_north = t
        .app
        .check(&t.org, &key, &t.viewer.id, "site:view", &north)
        .await;
    assert_eq!(
        on_north,
        json!({"allowed": true, "reason": format!("role:viewer@{north}")})
    );
    let on_south = t
        .app
        .check(&t.org, &key, &t.viewer.id, "site:view", &south)
        .await;
    assert_eq!(
        on_south,
        json!({"allowed": false, "reason": "no_permission"})
    );
    let operate = t
        .app
        .check(&t.org, &key, &t.viewer.id, "site:operate", &north)
        .await;
    assert_eq!(operate["allowed"], false);

    let removed = t
        .app
        .call(
            Method::PUT,
            &scope,
            Some(&t.admin.token),
            Some(json!({"roles": []})),
        )
        .await
        .expect(200);
    assert_eq!(removed, json!({"object_id": north, "roles": []}));
    assert!(visible_objects(&t.app, &t.org, &t.viewer).await.is_empty());
    let m = member(&t.app, &t.org, &t.admin, &t.viewer.id).await;
    assert_eq!(m["warnings"], json!(["viewer_without_sites"]));
    assert_eq!(m["scopes"], json!([]));
    let after = t
        .app
        .check(&t.org, &key, &t.viewer.id, "site:view", &north)
        .await;
    assert_eq!(after["allowed"], false);
}
