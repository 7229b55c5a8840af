//! Reading and deleting an organization.

use super::*;

#[tokio::test]
async fn an_organization_reads_as_id_name_owner_and_policy() {
    let t = operations().await;
    for who in [&t.owner, &t.viewer] {
        let org = t.app.get(&at(&t.org, ""), &who.token).await.expect(200);
        assert_fields(&org, &["id", "name", "owner_id", "policy"]);
        assert_eq!(org["id"], t.org.as_str());
        assert_eq!(org["name"], "Acme");
        assert_eq!(org["owner_id"], t.owner.id.as_str());
        assert_eq!(org["policy"], "operations");
    }
}

#[tokio::test]
async fn only_the_owner_deletes_the_organization_and_then_it_is_gone_for_everyone() {
    let t = operations().await;
    for who in [&t.admin, &t.operator, &t.viewer] {
        t.app
            .delete(&at(&t.org, ""), &who.token)
            .await
            .refused(403, "not_permitted");
    }
    t.app.get(&at(&t.org, ""), &t.admin.token).await.expect(200);

    t.app
        .delete(&at(&t.org, ""), &t.owner.token)
        .await
        .expect(204);
    for who in [&t.owner, &t.admin, &t.operator, &t.viewer] {
        t.app
            .get(&at(&t.org, ""), &who.token)
            .await
            .refused(404, "unknown_org");
        t.app
            .get(&at(&t.org, "/members"), &who.token)
            .await
            .refused(404, "unknown_org");
    }
    t.app
        .delete(&at(&t.org, ""), &t.owner.token)
        .await
        .refused(404, "unknown_org");
    let me = t.app.get("/api/v1/me", &t.admin.token).await.expect(200);
    assert_eq!(me["memberships"], json!([]), "{me}");
}

#[tokio::test]
async fn the_deletion_preview_counts_what_goes_and_says_who_may_not() {
    let t = operations().await;
    invite(&t.app, &t.org, &t.owner, json!({"email": "ivy@acme.test"})).await;
    t.app.api_key(&t.org, &t.owner).await;
    let preview = t
        .app
        .get(&at(&t.org, "/deletion"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(preview["name"], "Acme");
    assert_eq!(preview["id"], t.org.as_str());
    assert_eq!(preview["members"], 4);
    assert_eq!(preview["invitations"], 1);
    assert_eq!(preview["api_keys"], 1);
    assert!(preview["refusal"].is_null(), "{preview}");

    let admin = t
        .app
        .get(&at(&t.org, "/deletion"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(admin["refusal"], "your role does not allow this");
    // Asking deleted nothing.
    t.app.get(&at(&t.org, ""), &t.admin.token).await.expect(200);
}

#[tokio::test]
async fn a_member_reads_their_own_access_without_members_view() {
    let t = operations().await;
    let mine = t
        .app
        .get(&at(&t.org, "/me"), &t.viewer.token)
        .await
        .expect(200);
    assert_eq!(mine["user_id"], t.viewer.id.as_str());
    assert_eq!(mine["role"], "viewer");
    assert_eq!(mine["api_keys"], json!([]));
    // Their own keys only, never the organization's others.
    t.app.api_key(&t.org, &t.owner).await;
    t.app.api_key(&t.org, &t.admin).await;
    let owner = t
        .app
        .get(&at(&t.org, "/me"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(owner["api_keys"].as_array().unwrap().len(), 1, "{owner}");
    assert_eq!(owner["api_keys"][0]["created_by"], t.owner.id.as_str());
    assert!(owner["api_keys"][0].get("key").is_none());
}
