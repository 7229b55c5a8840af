//! Renaming, moving and deleting objects (PATCH and DELETE
//! /objects/{id}), and who opens the Permissions dialog (issue 16), on the
//! analytics preset.

use super::*;

/// The analytics organization with an analyst and a Full Data Access member
/// added, and the project manager's project "Churn" with one question.
async fn with_project(t: &Analytics) -> (User, User, String, String) {
    let analyst = t
        .app
        .join(&t.org, &t.root, "ann@acme.test", Some("analyst"))
        .await;
    let fda = t
        .app
        .join(&t.org, &t.root, "fay@acme.test", Some("full_data_access"))
        .await;
    let project = new_object(t, &t.pm, "project", "Churn").await;
    let question = create_id(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "question", "name": "Who leaves?", "parent_id": project}),
    )
    .await;
    (analyst, fda, project, question)
}

#[tokio::test]
async fn a_projects_owner_renames_it_and_an_analyst_is_refused() {
    let t = analytics().await;
    let (analyst, _, project, _) = with_project(&t).await;
    let path = at(&t.org, &format!("/objects/{project}"));
    t.app
        .patch(&path, &analyst.token, json!({"name": "Mine now"}))
        .await
        .refused(403, "not_permitted");
    let renamed = t
        .app
        .patch(&path, &t.pm.token, json!({"name": "Churn 2027"}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "Churn 2027");
    assert_eq!(renamed["owner_id"], t.pm.id.as_str());
    let audit = t
        .app
        .get(&at(&t.org, "/audit?type=object.renamed"), &t.root.token)
        .await
        .expect(200);
    let event = &audit["items"][0];
    assert_eq!(event["type"], "object.renamed", "{audit}");
    assert_eq!(event["data"]["previous_name"], "Churn", "{audit}");
}

#[tokio::test]
async fn a_question_moves_to_another_project_and_takes_its_owner() {
    let t = analytics().await;
    let (_, _, _, question) = with_project(&t).await;
    let other = create_id(
        &t.app,
        &t.org,
        &t.root,
        json!({"type": "project", "name": "Retention"}),
    )
    .await;
    let path = at(&t.org, &format!("/objects/{question}"));
    // The project manager may not put it into the root's project.
    t.app
        .patch(&path, &t.pm.token, json!({"parent": other}))
        .await
        .refused(403, "not_permitted");
    let moved = t
        .app
        .patch(&path, &t.root.token, json!({"parent_id": other}))
        .await
        .expect(200);
    assert_eq!(moved["parent_id"], other.as_str());
    assert_eq!(moved["owner_id"], t.root.id.as_str());
}

#[tokio::test]
async fn an_object_moves_only_under_its_types_parent_type() {
    let t = analytics().await;
    let (_, _, project, question) = with_project(&t).await;
    let dashboard = new_object(&t, &t.root, "dashboard", "KPIs").await;
    t.app
        .patch(
            &at(&t.org, &format!("/objects/{question}")),
            &t.root.token,
            json!({"parent_id": dashboard}),
        )
        .await
        .refused(400, "invalid_parent");
    t.app
        .patch(
            &at(&t.org, &format!("/objects/{project}")),
            &t.root.token,
            json!({"parent_id": dashboard}),
        )
        .await
        .refused(400, "invalid_parent");
    t.app
        .patch(
            &at(&t.org, &format!("/objects/{project}")),
            &t.root.token,
            json!({}),
        )
        .await
        .expect(400);
}

#[tokio::test]
async fn a_rename_and_a_move_are_refused_together() {
    let t = analytics().await;
    let (_, _, _, question) = with_project(&t).await;
    let path = at(&t.org, &format!("/objects/{question}"));
    t.app
        .patch(
            &path,
            &t.root.token,
            json!({"name": "Renamed", "parent_id": "no-such-project"}),
        )
        .await
        .refused(404, "unknown_object");
    let read = t.app.get(&path, &t.root.token).await.expect(200);
    assert_eq!(read["name"], "Who leaves?");
}

#[tokio::test]
async fn an_analyst_may_not_delete_a_project_and_its_owner_may() {
    let t = analytics().await;
    let (analyst, _, project, question) = with_project(&t).await;
    let path = at(&t.org, &format!("/objects/{project}"));
    t.app
        .delete(&path, &analyst.token)
        .await
        .refused(403, "not_permitted");
    t.app.delete(&path, &t.pm.token).await.expect(204);
    t.app
        .get(&at(&t.org, &format!("/objects/{question}")), &t.root.token)
        .await
        .refused(404, "unknown_object");
}

#[tokio::test]
async fn the_permissions_dialog_opens_for_whoever_may_share_the_project() {
    let t = analytics().await;
    let (analyst, fda, project, _) = with_project(&t).await;
    let path = at(&t.org, &format!("/objects/{project}/permissions"));
    let refused = t.app.get(&path, &analyst.token).await;
    refused.refused(403, "not_permitted");
    let message = refused.body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("project:change_permissions"),
        "the refusal names the action that opens it: {message}"
    );
    for who in [&t.pm, &fda, &t.root] {
        let dialog = t.app.get(&path, &who.token).await.expect(200);
        assert_eq!(dialog["entries"].as_array().unwrap().len(), 5, "{dialog}");
    }
}
