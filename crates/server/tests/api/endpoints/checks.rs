//! Checks (operations): one, a batch, who may ask, a member's permissions.

use super::*;

#[tokio::test]
async fn a_check_on_an_organization_action_answers_allowed_and_why() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    let admin = t
        .app
        .check(&t.org, &key, &t.admin.id, "members:manage", &t.org)
        .await;
    assert_eq!(
        admin,
        json!({"allowed": true, "reason": format!("role:admin@{}", t.org)})
    );
    let viewer = t
        .app
        .check(&t.org, &key, &t.viewer.id, "members:manage", &t.org)
        .await;
    assert_eq!(viewer, json!({"allowed": false, "reason": "no_permission"}));
}

#[tokio::test]
async fn a_member_may_ask_about_themselves_with_their_own_token() {
    let t = operations().await;
    let own = t
        .app
        .check(&t.org, &t.viewer.token, &t.viewer.id, "org:view", &t.org)
        .await;
    assert_eq!(
        own,
        json!({"allowed": true, "reason": format!("role:viewer@{}", t.org)})
    );
    let perms = t
        .app
        .get(
            &at(&t.org, &format!("/members/{}/permissions", t.viewer.id)),
            &t.viewer.token,
        )
        .await
        .expect(200);
    assert_eq!(strings(&perms["actions"]), ["org:view"]);
}

#[tokio::test]
async fn a_viewer_asking_about_someone_else_is_not_permitted() {
    let t = operations().await;
    let question = json!({"user_id": t.admin.id, "action": "org:view", "object_id": t.org});
    t.app
        .post(&at(&t.org, "/check"), &t.viewer.token, question.clone())
        .await
        .refused(403, "not_permitted");
    t.app
        .post(
            &at(&t.org, "/check/batch"),
            &t.viewer.token,
            json!({"checks": [question]}),
        )
        .await
        .refused(403, "not_permitted");
    t.app
        .get(
            &at(&t.org, &format!("/members/{}/permissions", t.admin.id)),
            &t.viewer.token,
        )
        .await
        .refused(403, "not_permitted");
}

/// Asking about others needs `members:view`, and the operations preset gives it to
/// operators: an operator's question about someone else is answered.
#[tokio::test]
async fn an_operator_who_views_members_may_ask_about_others() {
    let t = operations().await;
    let answer = t
        .app
        .check(
            &t.org,
            &t.operator.token,
            &t.admin.id,
            "members:manage",
            &t.org,
        )
        .await;
    assert_eq!(answer["allowed"], true, "{answer}");
}

#[tokio::test]
async fn a_batch_answers_in_order_with_each_reason() {
    let t = operations().await;
    let site = new_site(&t, &t.owner, "North").await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    let org = t.org.as_str();
    let (owner, admin) = (t.owner.id.as_str(), t.admin.id.as_str());
    let (operator, viewer) = (t.operator.id.as_str(), t.viewer.id.as_str());
    let yes = |reason: String| json!({"allowed": true, "reason": reason});
    let no = |reason: &str| json!({"allowed": false, "reason": reason});
    // (who, action, on what, the answer)
    let questions = [
        (
            admin,
            "members:manage",
            org,
            yes(format!("role:admin@{org}")),
        ),
        (viewer, "members:manage", org, no("no_permission")),
        (owner, "org:delete", org, yes(format!("role:owner@{org}"))),
        (viewer, "site:view", &site, no("no_permission")),
        (
            operator,
            "site:operate",
            &site,
            yes(format!("role:operator@{org}")),
        ),
        (operator, "site:configure", &site, no("no_permission")),
        (viewer, "site:fly", &site, no("unknown_action")),
        (viewer, "site:view", "site_nosuch", no("unknown_object")),
        (admin, "site:view", org, no("action_not_applicable")),
    ];
    let checks: Vec<Value> = questions
        .iter()
        .map(|(user, action, object, _)| {
            json!({"user_id": user, "action": action, "object_id": object})
        })
        .collect();
    let answer = t
        .app
        .post(&at(org, "/check/batch"), &key, json!({"checks": checks}))
        .await
        .expect(200);
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), questions.len(), "{answer}");
    for ((user, action, object, expected), result) in questions.iter().zip(results) {
        assert_eq!(result, expected, "{user} {action} {object}");
    }
}

#[tokio::test]
async fn a_batch_of_more_than_ten_thousand_is_refused() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    let one = json!({"user_id": t.viewer.id, "action": "org:view", "object_id": t.org});
    let checks = vec![one; 10_001];
    t.app
        .post(&at(&t.org, "/check/batch"), &key, json!({"checks": checks}))
        .await
        .refused(400, "checks");
    let answer = t
        .app
        .post(
            &at(&t.org, "/check/batch"),
            &key,
            json!({"checks": &checks[..10_000]}),
        )
        .await
        .expect(200);
    assert_eq!(answer["results"].as_array().unwrap().len(), 10_000);
}

#[tokio::test]
async fn an_unknown_action_is_answered_not_allowed() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    let answer = t
        .app
        .check(&t.org, &key, &t.owner.id, "org:fly", &t.org)
        .await;
    assert_eq!(
        answer,
        json!({"allowed": false, "reason": "unknown_action"})
    );
}

#[tokio::test]
async fn member_permissions_list_the_actions_on_an_object_or_the_organization() {
    let t = operations().await;
    let site = new_site(&t, &t.owner, "North").await;
    let actions = |user: &str, query: String| {
        let (app, org, token) = (&t.app, &t.org, &t.owner.token);
        let path = at(org, &format!("/members/{user}/permissions{query}"));
        async move {
            let answer = app.get(&path, token).await.expect(200);
            set(strings(&answer["actions"]))
        }
    };
    let on_site = format!("?object_id={site}");
    assert_eq!(
        actions(&t.admin.id, on_site.clone()).await,
        set(["site:view", "site:operate", "site:configure"])
    );
    assert_eq!(
        actions(&t.operator.id, on_site.clone()).await,
        set(["site:view", "site:operate"])
    );
    assert!(actions(&t.viewer.id, on_site).await.is_empty());
    assert_eq!(
        actions(&t.owner.id, String::new()).await,
        set([
            "org:view",
            "org:delete",
            "members:view",
            "members:manage",
            "audit:view",
            "ownership:transfer"
        ])
    );
    assert_eq!(
        actions(&t.admin.id, String::new()).await,
        set(["org:view", "members:view", "members:manage", "audit:view"])
    );
    assert_eq!(
        actions(&t.operator.id, format!("?object_id={}", t.org)).await,
        set(["org:view", "members:view"])
    );
    t.app
        .get(
            &at(
                &t.org,
                &format!("/members/{}/permissions?object_id=site_nosuch", t.admin.id),
            ),
            &t.owner.token,
        )
        .await
        .refused(404, "unknown_object");
}
