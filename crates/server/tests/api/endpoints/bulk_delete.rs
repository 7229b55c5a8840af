//! Bulk delete: each member decided by the single delete's rule, the permitted
//! ones deleted, the others reported with their reason; and what the body may hold.

use super::*;

async fn bulk(t: &Operations, by: &User, body: Value) -> Answer {
    t.app
        .post(&at(&t.org, "/members/bulk-delete"), &by.token, body)
        .await
}

#[tokio::test]
async fn bulk_delete_reports_the_owner_and_oneself_as_refused() {
    let t = operations().await;
    let answer = bulk(
        &t,
        &t.admin,
        json!({"user_ids": [t.owner.id, t.admin.id, t.operator.id, t.viewer.id]}),
    )
    .await
    .expect(200);
    assert_eq!(
        answer["deleted"],
        json!([t.operator.id, t.viewer.id]),
        "{answer}"
    );
    let refused = answer["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{answer}");
    assert_eq!(refused[0]["user_id"], t.owner.id.as_str());
    assert_eq!(refused[0]["reason"], "cannot_demote_owner");
    assert_eq!(refused[1]["user_id"], t.admin.id.as_str());
    assert_eq!(refused[1]["reason"], "self_change");
    // The same reason the single delete gives.
    t.app
        .delete(
            &at(&t.org, &format!("/members/{}", t.owner.id)),
            &t.admin.token,
        )
        .await
        .refused(403, "cannot_demote_owner");

    let members = t
        .app
        .get(&at(&t.org, "/members"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(
        set(each(&members, "user_id")),
        set([&t.owner.id, &t.admin.id])
    );
    let audit = t
        .app
        .get(&at(&t.org, "/audit?type=member.deleted"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(
        set(each(&audit, "target_id")),
        set([&t.operator.id, &t.viewer.id])
    );
    assert!(each(&audit, "actor_id").iter().all(|a| *a == t.admin.id));
}

#[tokio::test]
async fn bulk_delete_refuses_unknown_ids_one_by_one_and_deletes_the_rest() {
    let t = operations().await;
    let answer = bulk(
        &t,
        &t.owner,
        json!({"user_ids": ["usr_nobody", t.operator.id, "not an id!"]}),
    )
    .await
    .expect(200);
    assert_eq!(answer["deleted"], json!([t.operator.id]));
    let refused = answer["refused"].as_array().unwrap();
    assert_eq!(
        refused
            .iter()
            .map(|r| (text(&r["user_id"]), text(&r["reason"])))
            .collect::<Vec<_>>(),
        [
            ("usr_nobody".to_string(), "unknown_member".to_string()),
            ("not an id!".to_string(), "unknown_member".to_string()),
        ]
    );
}

#[tokio::test]
async fn bulk_delete_hands_the_objects_of_the_deleted_to_the_root_account() {
    let t = analytics().await;
    let project = new_object(&t, &t.pm, "project", "Churn").await;
    let answer = t
        .app
        .post(
            &at(&t.org, "/members/bulk-delete"),
            &t.root.token,
            json!({"user_ids": [t.pm.id], "transfer_objects_to": "root"}),
        )
        .await
        .expect(200);
    assert_eq!(answer["deleted"], json!([t.pm.id]));
    let object = t
        .app
        .get(&at(&t.org, &format!("/objects/{project}")), &t.root.token)
        .await
        .expect(200);
    assert_eq!(object["owner_id"], t.root.id.as_str());
}

#[tokio::test]
async fn a_bulk_delete_body_with_no_ids_a_repeated_id_or_too_many_is_refused() {
    let t = operations().await;
    let op = &t.operator.id;
    let many: Vec<String> = (0..1001).map(|i| format!("usr_{i}")).collect();
    for body in [
        json!({"user_ids": []}),
        json!({"user_ids": [op, op]}),
        json!({"user_ids": many}),
    ] {
        bulk(&t, &t.owner, body).await.refused(400, "user_ids");
    }
    bulk(
        &t,
        &t.owner,
        json!({"user_ids": [op], "transfer_objects_to": "elsewhere"}),
    )
    .await
    .refused(400, "transfer_objects_to");
    bulk(&t, &t.owner, json!({"ids": [op]}))
        .await
        .refused(400, "body");
    // Nothing was deleted by any of them.
    member(&t.app, &t.org, &t.owner, op).await;
}

#[tokio::test]
async fn a_member_who_may_not_delete_and_an_api_key_are_refused_whole() {
    let t = operations().await;
    bulk(&t, &t.viewer, json!({"user_ids": [t.operator.id]}))
        .await
        .refused(403, "not_permitted");
    let key = t.app.api_key(&t.org, &t.admin).await;
    t.app
        .post(
            &at(&t.org, "/members/bulk-delete"),
            &key,
            json!({"user_ids": [t.operator.id]}),
        )
        .await
        .refused(403, "not_permitted");
    member(&t.app, &t.org, &t.owner, &t.operator.id).await;
}
