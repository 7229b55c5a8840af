//! The policy and `/me`.

use super::*;

#[tokio::test]
async fn the_policy_lists_each_role_with_its_permissions() {
    let t = operations().await;
    let global = t
        .app
        .get("/api/v1/policy", &t.viewer.token)
        .await
        .expect(200);
    let of_org = t
        .app
        .get(&at(&t.org, "/policy"), &t.viewer.token)
        .await
        .expect(200);
    assert_eq!(global, of_org);
    assert_eq!(global["name"], "operations");
    let role = |name: &str| -> Value {
        global["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name && r["level"] == "organization")
            .unwrap_or_else(|| panic!("no organization role {name}: {global}"))
            .clone()
    };
    for name in ["owner", "admin", "operator", "viewer"] {
        assert_fields(&role(name), &["name", "permissions"]);
    }
    let viewer = strings(&role("viewer")["permissions"]);
    assert!(
        viewer.contains(&"site:view:assigned".to_string()),
        "{viewer:?}"
    );
    let operator = strings(&role("operator")["permissions"]);
    assert!(
        operator.contains(&"site:view:all".to_string()),
        "{operator:?}"
    );
    assert!(
        operator.contains(&"site:operate:all".to_string()),
        "{operator:?}"
    );
    assert_eq!(
        set(strings(&role("admin")["may_assign"])),
        set(["viewer", "operator", "admin"])
    );
    assert!(strings(&global["actions"]).contains(&"site:configure".to_string()));
}

#[tokio::test]
async fn me_lists_every_organization_with_the_role_held_there() {
    let app = spawn_preset("operations").await;
    let acme = app.signup("owner@acme.test", "Acme").await;
    let beta = app.signup("boss@beta.test", "Beta").await;
    app.join(&beta.id, &beta.owner, "owner@acme.test", Some("operator"))
        .await;
    let me = app.get("/api/v1/me", &acme.owner.token).await.expect(200);
    assert_eq!(
        me["account"],
        json!({"id": acme.owner.id, "email": "owner@acme.test", "name": "owner"})
    );
    let mut memberships = me["memberships"].as_array().unwrap().clone();
    memberships.sort_by_key(|m| m["org"]["name"].to_string());
    assert_eq!(
        memberships,
        [
            json!({"org": {"id": acme.id, "name": "Acme"}, "role": "owner"}),
            json!({"org": {"id": beta.id, "name": "Beta"}, "role": "operator"}),
        ]
    );
}

#[tokio::test]
async fn the_policy_words_each_action() {
    let t = operations().await;
    let policy = t
        .app
        .get("/api/v1/policy", &t.viewer.token)
        .await
        .expect(200);
    assert_eq!(policy["action_labels"]["site:operate"], "operate sites");
    assert_eq!(
        policy["action_labels"].as_object().unwrap().len(),
        policy["actions"].as_array().unwrap().len()
    );
}
