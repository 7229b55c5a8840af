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
