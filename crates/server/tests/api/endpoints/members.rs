//! Members: listing, search, paging, renaming, deleting, and what a PATCH refuses.

use super::*;

#[tokio::test]
async fn members_list_as_items_and_next_cursor_with_every_member_field() {
    let t = operations().await;
    let page = t
        .app
        .get(&at(&t.org, "/members"), &t.admin.token)
        .await
        .expect(200);
    assert_fields(&page, &["items", "next_cursor"]);
    assert!(page["next_cursor"].is_null(), "{page}");
    assert_eq!(
        set(each(&page, "user_id")),
        set([&t.owner.id, &t.admin.id, &t.operator.id, &t.viewer.id])
    );
    let ada = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == t.admin.id.as_str())
        .unwrap();
    assert_fields(
        ada,
        &["user_id", "email", "name", "role", "scopes", "warnings"],
    );
    assert_eq!(ada["email"], "ada@acme.test");
    assert_eq!(ada["name"], "ada");
    assert_eq!(ada["role"], "admin");
    assert_eq!(ada["scopes"], json!([]));
    assert_eq!(ada["warnings"], json!([]));
    // One member reads the same as in the list.
    assert_eq!(&member(&t.app, &t.org, &t.owner, &t.admin.id).await, ada);
}

#[tokio::test]
async fn members_filter_by_role_and_search_name_or_email() {
    let t = operations().await;
    let list = |query: &'static str| {
        let (app, org, token) = (&t.app, &t.org, &t.admin.token);
        async move {
            app.get(&at(org, &format!("/members?{query}")), token)
                .await
                .expect(200)
        }
    };
    assert_eq!(
        each(&list("role=admin").await, "user_id"),
        [t.admin.id.as_str()]
    );
    assert_eq!(
        each(&list("role=viewer").await, "user_id"),
        [t.viewer.id.as_str()]
    );
    assert_eq!(
        each(&list("role=owner").await, "user_id"),
        [t.owner.id.as_str()]
    );

    // A name that is nowhere in the e-mail, found in any case.
    t.app
        .patch(
            &at(&t.org, &format!("/members/{}", t.operator.id)),
            &t.admin.token,
            json!({"name": "Grace Hopper"}),
        )
        .await
        .expect(200);
    assert_eq!(
        each(&list("q=hopper").await, "user_id"),
        [t.operator.id.as_str()]
    );
    assert_eq!(
        each(&list("q=GRACE").await, "user_id"),
        [t.operator.id.as_str()]
    );
    // The e-mail.
    assert_eq!(
        each(&list("q=vera%40acme").await, "user_id"),
        [t.viewer.id.as_str()]
    );
    assert_eq!(each(&list("q=ACME.TEST").await, "user_id").len(), 4);
    // Both filters at once.
    assert_eq!(
        each(&list("q=acme&role=operator").await, "user_id"),
        [t.operator.id.as_str()]
    );
    assert!(each(&list("q=hopper&role=viewer").await, "user_id").is_empty());
    assert!(each(&list("q=nobody").await, "user_id").is_empty());
}

#[tokio::test]
async fn members_page_two_at_a_time_to_the_end() {
    let t = operations().await;
    t.app
        .join(&t.org, &t.owner, "fifth@acme.test", Some("viewer"))
        .await;
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => at(&t.org, "/members?limit=2"),
            Some(c) => at(&t.org, &format!("/members?limit=2&cursor={c}")),
        };
        let page = t.app.get(&path, &t.owner.token).await.expect(200);
        let ids = each(&page, "user_id");
        assert!(ids.len() <= 2, "{page}");
        seen.extend(ids);
        pages += 1;
        assert!(pages <= 5, "the cursor does not advance: {page}");
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3, "5 members, 2 a page");
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(set(&seen).len(), 5, "a member seen twice: {seen:?}");
    let all = t
        .app
        .get(&at(&t.org, "/members?limit=1000"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(set(&seen), set(each(&all, "user_id")));
}

#[tokio::test]
async fn a_limit_outside_one_to_a_thousand_is_refused() {
    let t = operations().await;
    for limit in ["0", "1001"] {
        t.app
            .get(
                &at(&t.org, &format!("/members?limit={limit}")),
                &t.owner.token,
            )
            .await
            .refused(400, "limit");
    }
    for limit in ["1", "1000"] {
        t.app
            .get(
                &at(&t.org, &format!("/members?limit={limit}")),
                &t.owner.token,
            )
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn an_unknown_role_filter_is_refused() {
    let t = operations().await;
    t.app
        .get(&at(&t.org, "/members?role=emperor"), &t.owner.token)
        .await
        .refused(400, "unknown_role");
}

#[tokio::test]
async fn a_patch_with_a_name_renames_the_member() {
    let t = operations().await;
    let path = at(&t.org, &format!("/members/{}", t.viewer.id));
    let renamed = t
        .app
        .patch(&path, &t.admin.token, json!({"name": "Vera Rubin"}))
        .await
        .expect(200);
    assert_fields(
        &renamed,
        &["user_id", "email", "name", "role", "scopes", "warnings"],
    );
    assert_eq!(renamed["name"], "Vera Rubin");
    assert_eq!(renamed["email"], "vera@acme.test");
    assert_eq!(renamed["role"], "viewer");
    assert_eq!(
        member(&t.app, &t.org, &t.owner, &t.viewer.id).await["name"],
        "Vera Rubin"
    );
}

#[tokio::test]
async fn an_email_in_a_patch_is_refused_and_changes_nothing() {
    let t = operations().await;
    let path = at(&t.org, &format!("/members/{}", t.viewer.id));
    let before = member(&t.app, &t.org, &t.owner, &t.viewer.id).await;
    t.app
        .patch(&path, &t.admin.token, json!({"email": "new@acme.test"}))
        .await
        .refused(400, "email_immutable");
    // With a name beside it, the name does not change either.
    t.app
        .patch(
            &path,
            &t.admin.token,
            json!({"name": "Someone Else", "email": "new@acme.test"}),
        )
        .await
        .refused(400, "email_immutable");
    assert_eq!(member(&t.app, &t.org, &t.owner, &t.viewer.id).await, before);
}

/// docs/api.md#members: "a body with `email` is 400 `email_immutable`", whatever the address.
#[tokio::test]
async fn an_email_that_is_no_address_is_still_refused_as_immutable() {
    let t = operations().await;
    let path = at(&t.org, &format!("/members/{}", t.viewer.id));
    t.app
        .patch(&path, &t.admin.token, json!({"email": "not an address"}))
        .await
        .refused(400, "email_immutable");
}

#[tokio::test]
async fn a_patch_with_an_unknown_role_field_or_malformed_json_is_refused() {
    let t = operations().await;
    let path = at(&t.org, &format!("/members/{}", t.viewer.id));
    let before = member(&t.app, &t.org, &t.owner, &t.viewer.id).await;
    t.app
        .patch(&path, &t.admin.token, json!({"role": "emperor"}))
        .await
        .refused(400, "unknown_role");
    t.app
        .patch(&path, &t.admin.token, json!({"nickname": "V"}))
        .await
        .refused(400, "body");
    raw(&t.app, Method::PATCH, &path, &t.admin.token, r#"{"name": "#)
        .await
        .refused(400, "body");
    assert_eq!(member(&t.app, &t.org, &t.owner, &t.viewer.id).await, before);
}

#[tokio::test]
async fn a_deleted_member_is_gone() {
    let t = operations().await;
    let path = at(&t.org, &format!("/members/{}", t.operator.id));
    t.app.delete(&path, &t.admin.token).await.expect(204);
    t.app
        .get(&path, &t.admin.token)
        .await
        .refused(404, "unknown_member");
    t.app
        .delete(&path, &t.admin.token)
        .await
        .refused(404, "unknown_member");
    let all = t
        .app
        .get(&at(&t.org, "/members"), &t.admin.token)
        .await
        .expect(200);
    assert!(!each(&all, "user_id").contains(&t.operator.id));
}

#[tokio::test]
async fn nobody_deletes_themselves() {
    let t = operations().await;
    for who in [&t.admin, &t.owner] {
        t.app
            .delete(&at(&t.org, &format!("/members/{}", who.id)), &who.token)
            .await
            .refused(403, "self_change");
    }
    member(&t.app, &t.org, &t.owner, &t.admin.id).await;
}

#[tokio::test]
async fn objects_of_a_deleted_member_go_to_root_or_nowhere_else() {
    let t = operations().await;
    let path = at(&t.org, &format!("/members/{}", t.operator.id));
    t.app
        .delete(
            &format!("{path}?transfer_objects_to=elsewhere"),
            &t.admin.token,
        )
        .await
        .refused(400, "transfer_objects_to");
    // Operations has no root account to hand them to.
    t.app
        .delete(&format!("{path}?transfer_objects_to=root"), &t.admin.token)
        .await
        .refused(400, "no_root_account");
    member(&t.app, &t.org, &t.owner, &t.operator.id).await;
}
