//! AuthZEN (OpenID AuthZEN Authorization API 1.0): the spec's requests, answered
//! by the same check as `/check`, with an API key naming the organization.

use super::*;

#[tokio::test]
async fn an_authzen_evaluation_answers_the_decision_of_the_check() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    // The spec's example request, with Steward's ids and an organization action.
    let question = |user: &str| {
        json!({
            "subject": {"type": "user", "id": user},
            "resource": {"type": "organization", "id": t.org},
            "action": {"name": "members:manage", "properties": {"method": "GET"}},
            "context": {"time": "1985-10-26T01:22-07:00"}
        })
    };
    let admin = t
        .app
        .post("/access/v1/evaluation", &key, question(&t.admin.id))
        .await
        .expect(200);
    assert_eq!(
        admin,
        json!({"decision": true, "context": {"reason": format!("role:admin@{}", t.org)}})
    );
    let viewer = t
        .app
        .post("/access/v1/evaluation", &key, question(&t.viewer.id))
        .await
        .expect(200);
    assert_eq!(
        viewer,
        json!({"decision": false, "context": {"reason": "no_permission"}})
    );
}

#[tokio::test]
async fn an_authzen_action_without_a_type_takes_the_resource_type() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    let site = new_site(&t, &t.owner, "North").await;
    let answer = t
        .app
        .post(
            "/access/v1/evaluation",
            &key,
            json!({
                "subject": {"type": "user", "id": t.operator.id},
                "resource": {"type": "site", "id": site},
                "action": {"name": "operate"}
            }),
        )
        .await
        .expect(200);
    assert_eq!(answer["decision"], true, "{answer}");
}

#[tokio::test]
async fn authzen_evaluations_take_defaults_from_the_top_and_keep_their_order() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    // The spec's shape: the top-level subject, action and resource are defaults
    // that each evaluation may replace.
    let body = json!({
        "subject": {"type": "user", "id": t.admin.id},
        "resource": {"type": "organization", "id": t.org},
        "evaluations": [
            {"action": {"name": "members:manage"}},
            {"action": {"name": "org:delete"}},
            {"subject": {"type": "user", "id": t.viewer.id}, "action": {"name": "org:view"}}
        ]
    });
    let answer = t
        .app
        .post("/access/v1/evaluations", &key, body.clone())
        .await
        .expect(200);
    let decisions: Vec<&Value> = answer["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["decision"])
        .collect();
    assert_eq!(decisions, [&json!(true), &json!(false), &json!(true)]);

    // deny_on_first_deny stops at the first deny: two answers, not three.
    let mut first_deny = body;
    first_deny["options"] = json!({"evaluations_semantic": "deny_on_first_deny"});
    let answer = t
        .app
        .post("/access/v1/evaluations", &key, first_deny)
        .await
        .expect(200);
    assert_eq!(
        answer["evaluations"].as_array().unwrap().len(),
        2,
        "{answer}"
    );
}

#[tokio::test]
async fn authzen_needs_an_api_key_and_a_whole_question() {
    let t = operations().await;
    let question = json!({
        "subject": {"type": "user", "id": t.admin.id},
        "resource": {"type": "organization", "id": t.org},
        "action": {"name": "org:view"}
    });
    t.app
        .call(
            Method::POST,
            "/access/v1/evaluation",
            None,
            Some(question.clone()),
        )
        .await
        .refused(401, "missing_credentials");
    t.app
        .post("/access/v1/evaluation", &t.owner.token, question)
        .await
        .refused(403, "api_key_required");
    let key = t.app.api_key(&t.org, &t.owner).await;
    t.app
        .post(
            "/access/v1/evaluation",
            &key,
            json!({"subject": {"type": "user", "id": t.admin.id}, "action": {"name": "org:view"}}),
        )
        .await
        .refused(400, "body");
}

#[tokio::test]
async fn the_authzen_metadata_names_the_pdp_and_its_endpoints() {
    let t = operations().await;
    let doc = t
        .app
        .call(
            Method::GET,
            "/.well-known/authzen-configuration",
            None,
            None,
        )
        .await
        .expect(200);
    let pdp = text(&doc["policy_decision_point"]);
    assert!(pdp.starts_with("http://"), "{doc}");
    assert_eq!(
        doc["access_evaluation_endpoint"],
        json!(format!("{pdp}/access/v1/evaluation"))
    );
    assert_eq!(
        doc["access_evaluations_endpoint"],
        json!(format!("{pdp}/access/v1/evaluations"))
    );
}
