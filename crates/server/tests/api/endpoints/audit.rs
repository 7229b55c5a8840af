//! The audit log (operations): order, chain, filters, paging, who may read it.

use super::*;

/// Some history: a site, a role change, a rename, an invitation, all by the admin.
async fn history(t: &Operations) -> String {
    let site = new_site(t, &t.admin, "North").await;
    t.app
        .set_role(&t.org, &t.admin, &t.viewer, "operator")
        .await
        .expect(200);
    t.app
        .patch(
            &at(&t.org, &format!("/members/{}", t.viewer.id)),
            &t.admin.token,
            json!({"name": "Vera Rubin"}),
        )
        .await
        .expect(200);
    invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "newcomer@acme.test"}),
    )
    .await;
    site
}

async fn audit(t: &Operations, query: &str) -> Value {
    t.app
        .get(&at(&t.org, &format!("/audit{query}")), &t.owner.token)
        .await
        .expect(200)
}

#[tokio::test]
async fn the_audit_lists_newest_first_each_event_chained_to_the_one_before() {
    let t = operations().await;
    history(&t).await;
    let page = audit(&t, "?limit=1000").await;
    assert_fields(&page, &["items", "next_cursor"]);
    assert!(page["next_cursor"].is_null());
    let events = page["items"].as_array().unwrap();
    assert!(events.len() >= 10, "{page}");
    for e in events {
        assert_fields(
            e,
            &[
                "id",
                "seq",
                "at",
                "type",
                "actor_id",
                "target_id",
                "data",
                "hash",
                "prev_hash",
            ],
        );
    }
    for pair in events.windows(2) {
        let (newer, older) = (&pair[0], &pair[1]);
        assert_eq!(
            newer["seq"].as_i64().unwrap(),
            older["seq"].as_i64().unwrap() + 1,
            "not newest first: {newer} / {older}"
        );
        assert_eq!(
            newer["prev_hash"], older["hash"],
            "a broken chain at {newer}"
        );
        assert!(newer["at"].as_i64() >= older["at"].as_i64());
    }
    assert_eq!(events.last().unwrap()["type"], "org.created");
    assert_eq!(events[0]["type"], "member.invited");
    assert_eq!(events[0]["actor_id"], t.admin.id.as_str());

    let verify = t
        .app
        .get(&at(&t.org, "/audit/verify"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(
        verify,
        json!({"ok": true, "events": events.len(), "first_bad_seq": null})
    );
}

#[tokio::test]
async fn the_audit_filters_by_type_actor_and_target() {
    let t = operations().await;
    let site = history(&t).await;

    let joined = audit(&t, "?type=member.joined").await;
    assert_eq!(
        set(each(&joined, "target_id")),
        set([&t.admin.id, &t.operator.id, &t.viewer.id])
    );
    assert!(each(&joined, "type").iter().all(|ty| ty == "member.joined"));

    let changed = audit(&t, "?type=user.role_changed").await;
    assert_eq!(changed["items"].as_array().unwrap().len(), 1, "{changed}");
    let data = &changed["items"][0]["data"];
    assert_eq!(data["previous_role"], "viewer", "{data}");
    assert_eq!(data["new_role"], "operator", "{data}");

    let by_admin = audit(&t, &format!("?actor={}", t.admin.id)).await;
    assert!(each(&by_admin, "actor_id").iter().all(|a| *a == t.admin.id));
    assert_eq!(
        set(each(&by_admin, "type")),
        set([
            "member.joined",
            "object.created",
            "user.role_changed",
            "member.updated",
            "member.invited"
        ])
    );

    let about_viewer = audit(&t, &format!("?target={}", t.viewer.id)).await;
    assert!(each(&about_viewer, "target_id")
        .iter()
        .all(|x| *x == t.viewer.id));
    assert_eq!(
        set(each(&about_viewer, "type")),
        set(["member.joined", "user.role_changed", "member.updated"])
    );
    let about_site = audit(&t, &format!("?target={site}")).await;
    assert_eq!(each(&about_site, "type"), ["object.created"]);

    let both = audit(&t, &format!("?type=member.updated&actor={}", t.admin.id)).await;
    assert_eq!(each(&both, "target_id"), [t.viewer.id.as_str()]);
}

#[tokio::test]
async fn the_audit_pages_two_at_a_time_to_older_events() {
    let t = operations().await;
    history(&t).await;
    let all = audit(&t, "?limit=1000").await;
    let mut seqs: Vec<i64> = Vec::new();
    let mut query = "?limit=2".to_string();
    loop {
        let page = audit(&t, &query).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2 && !items.is_empty(), "{page}");
        for e in items {
            let seq = e["seq"].as_i64().unwrap();
            assert!(
                seqs.last().is_none_or(|&last| seq < last),
                "not older: {page}"
            );
            seqs.push(seq);
        }
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("?limit=2&cursor={c}"),
            None => break,
        }
        assert!(seqs.len() <= 1000, "the cursor does not advance");
    }
    let everything: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, everything);
}

#[tokio::test]
async fn an_operator_may_not_read_the_audit() {
    let t = operations().await;
    for path in ["/audit", "/audit/verify"] {
        for who in [&t.operator, &t.viewer] {
            t.app
                .get(&at(&t.org, path), &who.token)
                .await
                .refused(403, "not_permitted");
        }
        t.app
            .get(&at(&t.org, path), &t.admin.token)
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn an_event_keeps_the_names_as_they_were_after_the_member_is_deleted() {
    let t = operations().await;
    t.app
        .set_role(&t.org, &t.owner, &t.viewer, "operator")
        .await
        .expect(200);
    t.app
        .delete(
            &at(&t.org, &format!("/members/{}", t.viewer.id)),
            &t.owner.token,
        )
        .await
        .expect(204);
    let page = audit(&t, "?type=user.role_changed").await;
    let names = &page["items"][0]["names"];
    assert_eq!(names[t.viewer.id.as_str()], "vera", "{page}");
    assert_eq!(names[t.owner.id.as_str()], "owner", "{page}");
    // The chain still verifies with the new field in the bodies.
    let chain = t
        .app
        .get(&at(&t.org, "/audit/verify"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(chain["ok"], true);
}
