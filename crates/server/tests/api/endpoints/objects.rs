//! Objects (analytics): making them, filters, "Make owner", the Permissions dialog, grants.

use super::*;

#[tokio::test]
async fn a_project_a_question_and_a_dashboard_are_made_owned_by_their_maker() {
    let t = analytics().await;
    let project = create(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "project", "name": "Churn"}),
    )
    .await;
    assert_fields(&project, &["id", "type", "name", "parent_id", "owner_id"]);
    assert_eq!(project["type"], "project");
    assert_eq!(project["name"], "Churn");
    assert_eq!(project["parent_id"], Value::Null);
    assert_eq!(project["owner_id"], t.pm.id.as_str());
    let project_id = text(&project["id"]);

    let question = create(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "question", "name": "Who leaves?", "parent_id": project_id}),
    )
    .await;
    assert_eq!(question["type"], "question");
    assert_eq!(question["parent_id"], project_id.as_str());
    assert_eq!(question["owner_id"], t.pm.id.as_str());

    let dashboard = create(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "dashboard", "name": "KPIs"}),
    )
    .await;
    assert_eq!(dashboard["type"], "dashboard");
    assert_eq!(dashboard["owner_id"], t.pm.id.as_str());

    // Someone else as owner, named by the root account.
    let theirs = create(
        &t.app,
        &t.org,
        &t.root,
        json!({"type": "project", "name": "Retention", "owner_id": t.eta.id}),
    )
    .await;
    assert_eq!(theirs["owner_id"], t.eta.id.as_str());

    let read = t
        .app
        .get(&at(&t.org, &format!("/objects/{project_id}")), &t.pm.token)
        .await
        .expect(200);
    assert_eq!(read, project);
}

#[tokio::test]
async fn an_unknown_object_type_is_refused() {
    let t = analytics().await;
    t.app
        .post(
            &at(&t.org, "/objects"),
            &t.root.token,
            json!({"type": "spreadsheet", "name": "Sheet"}),
        )
        .await
        .refused(400, "unknown_type");
    t.app
        .get(&at(&t.org, "/objects?type=spreadsheet"), &t.root.token)
        .await
        .refused(400, "unknown_type");
}

#[tokio::test]
async fn objects_filter_by_type_and_by_parent() {
    let t = analytics().await;
    let project = new_object(&t, &t.pm, "project", "Churn").await;
    let other = new_object(&t, &t.pm, "project", "Growth").await;
    let question = create_id(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "question", "name": "Who leaves?", "parent_id": project}),
    )
    .await;
    create_id(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "question", "name": "How fast?", "parent_id": other}),
    )
    .await;
    let dashboard = new_object(&t, &t.pm, "dashboard", "KPIs").await;
    let list = |query: String| {
        let (app, org, token) = (&t.app, &t.org, &t.root.token);
        async move {
            let page = app
                .get(&at(org, &format!("/objects?{query}")), token)
                .await
                .expect(200);
            assert_fields(&page, &["items", "next_cursor"]);
            set(each(&page, "id"))
        }
    };
    assert_eq!(list("type=project".into()).await, set([&project, &other]));
    assert_eq!(list("type=dashboard".into()).await, set([&dashboard]));
    assert_eq!(list(format!("parent_id={project}")).await, set([&question]));
    assert_eq!(
        list(format!("type=question&parent_id={project}")).await,
        set([&question])
    );
    assert!(list(format!("type=project&parent_id={project}"))
        .await
        .is_empty());
}

#[tokio::test]
async fn allowed_for_lists_only_what_that_user_may_view() {
    let t = analytics().await;
    let mine = new_object(&t, &t.pm, "project", "Mine").await;
    let roots = new_object(&t, &t.root, "project", "Root's").await;
    let allowed = |user: String| {
        let (app, org, token) = (&t.app, &t.org, &t.root.token);
        async move {
            let page = app
                .get(
                    &at(
                        org,
                        &format!("/objects?type=project&allowed_for={user}&action=project:view"),
                    ),
                    token,
                )
                .await
                .expect(200);
            set(each(&page, "id"))
        }
    };
    assert_eq!(allowed(t.pm.id.clone()).await, set([&mine]));
    assert!(allowed(t.eta.id.clone()).await.is_empty());
    assert_eq!(allowed(t.root.id.clone()).await, set([&mine, &roots]));

    t.app
        .call(
            Method::PUT,
            &at(&t.org, &format!("/objects/{roots}/grants/{}", t.eta.id)),
            Some(&t.root.token),
            Some(json!({"actions": ["project:view"]})),
        )
        .await
        .expect(200);
    assert_eq!(allowed(t.eta.id.clone()).await, set([&roots]));
}

#[tokio::test]
async fn allowed_for_and_action_go_together() {
    let t = analytics().await;
    for query in [
        format!("allowed_for={}", t.pm.id),
        "action=project:view".to_string(),
    ] {
        t.app
            .get(&at(&t.org, &format!("/objects?{query}")), &t.root.token)
            .await
            .refused(400, "allowed_for");
    }
}

#[tokio::test]
async fn make_owner_moves_the_questions_with_the_project() {
    let t = analytics().await;
    let project = new_object(&t, &t.pm, "project", "Churn").await;
    let question = create_id(
        &t.app,
        &t.org,
        &t.pm,
        json!({"type": "question", "name": "Who leaves?", "parent_id": project}),
    )
    .await;
    let moved = t
        .app
        .post(
            &at(&t.org, &format!("/objects/{project}/owner")),
            &t.root.token,
            json!({"user_id": t.eta.id}),
        )
        .await
        .expect(200);
    assert_fields(&moved, &["id", "type", "name", "parent_id", "owner_id"]);
    assert_eq!(moved["id"], project.as_str());
    assert_eq!(moved["owner_id"], t.eta.id.as_str());
    let q = t
        .app
        .get(&at(&t.org, &format!("/objects/{question}")), &t.root.token)
        .await
        .expect(200);
    assert_eq!(
        q["owner_id"],
        t.eta.id.as_str(),
        "the question stayed behind"
    );

    let key = t.app.api_key(&t.org, &t.root).await;
    let eta_edits = t
        .app
        .check(&t.org, &key, &t.eta.id, "project:edit", &question)
        .await;
    assert_eq!(eta_edits, json!({"allowed": true, "reason": "owner"}));
    let pm_edits = t
        .app
        .check(&t.org, &key, &t.pm.id, "project:edit", &question)
        .await;
    assert_eq!(pm_edits["allowed"], false, "{pm_edits}");

    // A question's owner is its project's.
    t.app
        .post(
            &at(&t.org, &format!("/objects/{question}/owner")),
            &t.root.token,
            json!({"user_id": t.pm.id}),
        )
        .await
        .refused(400, "owner_follows_parent");
}

#[tokio::test]
async fn the_permissions_dialog_locks_the_owners_actions_and_leaves_grants_editable() {
    let t = analytics().await;
    let project = create_id(
        &t.app,
        &t.org,
        &t.root,
        json!({"type": "project", "name": "Churn", "owner_id": t.pm.id}),
    )
    .await;
    let path = at(&t.org, &format!("/objects/{project}/permissions"));
    let entry_of = |dialog: &Value, user: &str| -> Value {
        dialog["entries"]
            .as_array()
            .unwrap_or_else(|| panic!("no entries: {dialog}"))
            .iter()
            .find(|e| e["user_id"] == user)
            .unwrap_or_else(|| panic!("no entry for {user}: {dialog}"))
            .clone()
    };

    let dialog = t.app.get(&path, &t.root.token).await.expect(200);
    assert_eq!(dialog["entries"].as_array().unwrap().len(), 3, "{dialog}");
    let pm = entry_of(&dialog, &t.pm.id);
    assert_fields(&pm, &["user_id", "actions", "sources", "editable_actions"]);
    assert_eq!(set(strings(&pm["actions"])), set(PROJECT_ACTIONS));
    assert_eq!(strings(&pm["sources"]), ["owner"]);
    assert!(strings(&pm["editable_actions"]).is_empty(), "{pm}");
    let root = entry_of(&dialog, &t.root.id);
    assert_eq!(set(strings(&root["actions"])), set(PROJECT_ACTIONS));
    assert_eq!(strings(&root["sources"]), ["root"]);
    assert!(strings(&root["editable_actions"]).is_empty(), "{root}");
    let eta = entry_of(&dialog, &t.eta.id);
    assert!(strings(&eta["actions"]).is_empty(), "{eta}");
    assert!(strings(&eta["sources"]).is_empty(), "{eta}");
    assert_eq!(set(strings(&eta["editable_actions"])), set(PROJECT_ACTIONS));

    let grant = t
        .app
        .call(
            Method::PUT,
            &at(&t.org, &format!("/objects/{project}/grants/{}", t.eta.id)),
            Some(&t.root.token),
            Some(json!({"actions": ["project:view"]})),
        )
        .await
        .expect(200);
    assert_eq!(
        grant,
        json!({"object_id": project, "user_id": t.eta.id, "actions": ["project:view"]})
    );
    let dialog = t.app.get(&path, &t.root.token).await.expect(200);
    let eta = entry_of(&dialog, &t.eta.id);
    assert_eq!(strings(&eta["actions"]), ["project:view"]);
    assert_eq!(strings(&eta["sources"]), [format!("grant@{project}")]);
    assert_eq!(set(strings(&eta["editable_actions"])), set(PROJECT_ACTIONS));
    // The owner's row did not move.
    assert_eq!(entry_of(&dialog, &t.pm.id), pm);
}

#[tokio::test]
async fn a_deleted_object_is_gone() {
    let t = analytics().await;
    let dashboard = new_object(&t, &t.pm, "dashboard", "KPIs").await;
    let path = at(&t.org, &format!("/objects/{dashboard}"));
    // Someone with nothing on it does not know it is there.
    t.app
        .delete(&path, &t.eta.token)
        .await
        .refused(404, "unknown_object");
    t.app.delete(&path, &t.pm.token).await.expect(204);
    t.app
        .get(&path, &t.root.token)
        .await
        .refused(404, "unknown_object");
    t.app
        .delete(&path, &t.pm.token)
        .await
        .refused(404, "unknown_object");
    assert!(visible_objects(&t.app, &t.org, &t.root).await.is_empty());
}
