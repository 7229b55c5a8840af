//! A deleted member's credentials stop at once, whichever way they were deleted:
//! refresh tokens, console sessions, the API keys they created; their access token
//! still verifies (it is a signed JWT) but opens nothing of the organization. A
//! demoted member's API keys do no more than the member may do now.

use super::*;
use steward::application::Application;

/// A console session for `who`, as signing in makes one.
async fn session(app: &Application, who: &User) -> String {
    let user = steward_core::UserId::parse(&who.id).unwrap();
    app.steward.start_session(&user).await.unwrap()
}

async fn session_lives(app: &Application, secret: &str) -> bool {
    app.steward.signed_in(secret).await.unwrap().is_some()
}

async fn refresh(app: &TestApp, token: &str) -> Answer {
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": token})),
    )
    .await
}

/// What `who` holds before they go: a session and an API key of their own making.
struct Held {
    session: String,
    key: String,
}

async fn hold(t: &Operations, who: &User) -> Held {
    let held = Held {
        session: session(&t.app.app, who).await,
        key: t.app.api_key(&t.org, who).await,
    };
    // Each works before the deletion.
    t.app
        .check(&t.org, &held.key, &t.owner.id, "org:delete", &t.org)
        .await;
    assert!(session_lives(&t.app.app, &held.session).await);
    held
}

/// Every credential of `gone` has stopped; `stays` still works.
async fn assert_stopped(t: &Operations, gone: &User, held: &Held, stays: &User) {
    refresh(&t.app, &gone.refresh)
        .await
        .refused(401, "refresh_token_revoked");
    t.app
        .post(
            &at(&t.org, "/check"),
            &held.key,
            json!({"user_id": t.owner.id, "action": "org:delete", "object_id": t.org}),
        )
        .await
        .refused(401, "invalid_api_key");
    t.app
        .get(&at(&t.org, "/members"), &gone.token)
        .await
        .refused(404, "unknown_org");
    assert!(!session_lives(&t.app.app, &held.session).await);
    // Nobody else was signed out.
    refresh(&t.app, &stays.refresh).await.expect(200);
}

#[tokio::test]
async fn a_deleted_members_refresh_token_session_and_api_keys_stop_at_once() {
    let t = operations().await;
    let held = hold(&t, &t.admin).await;
    t.app
        .delete(
            &at(&t.org, &format!("/members/{}", t.admin.id)),
            &t.owner.token,
        )
        .await
        .expect(204);
    assert_stopped(&t, &t.admin, &held, &t.operator).await;
    // The log says which keys went with their creator.
    let audit = t
        .app
        .get(&at(&t.org, "/audit?type=api_key.revoked"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(each(&audit, "actor_id"), [t.owner.id.as_str()]);
}

#[tokio::test]
async fn members_deleted_in_bulk_lose_their_credentials_too() {
    let t = operations().await;
    let second = t
        .app
        .join(&t.org, &t.owner, "adam@acme.test", Some("admin"))
        .await;
    let held = hold(&t, &t.admin).await;
    let held_second = hold(&t, &second).await;
    t.app
        .post(
            &at(&t.org, "/members/bulk-delete"),
            &t.owner.token,
            json!({"user_ids": [t.admin.id, second.id]}),
        )
        .await
        .expect(200);
    assert_stopped(&t, &t.admin, &held, &t.viewer).await;
    assert_stopped(&t, &second, &held_second, &t.operator).await;
}

#[tokio::test]
async fn a_refused_deletion_leaves_every_credential_working() {
    let t = operations().await;
    let held = hold(&t, &t.admin).await;
    t.app
        .delete(
            &at(&t.org, &format!("/members/{}", t.admin.id)),
            &t.admin.token,
        )
        .await
        .refused(403, "self_change");
    assert!(session_lives(&t.app.app, &held.session).await);
    t.app
        .check(&t.org, &held.key, &t.owner.id, "org:delete", &t.org)
        .await;
    refresh(&t.app, &t.admin.refresh).await.expect(200);
}

#[tokio::test]
async fn deletion_from_one_organization_signs_the_account_out_everywhere() {
    // A refresh token or a session is the account's, not one membership's: the
    // account signs in again, and its other organizations are still its own.
    let t = operations().await;
    let elsewhere = t.app.signup("boss@other.test", "Other").await;
    let ada = t
        .app
        .join(
            &elsewhere.id,
            &elsewhere.owner,
            "ada@acme.test",
            Some("viewer"),
        )
        .await;
    t.app
        .delete(
            &at(&t.org, &format!("/members/{}", t.admin.id)),
            &t.owner.token,
        )
        .await
        .expect(204);
    refresh(&t.app, &ada.refresh)
        .await
        .refused(401, "refresh_token_revoked");
    // An access token still opens the other organization, and a new login works.
    t.app
        .get(
            &at(&elsewhere.id, &format!("/members/{}", ada.id)),
            &ada.token,
        )
        .await
        .expect(200);
    let again = t.app.login("ada@acme.test").await;
    refresh(&t.app, &again.refresh).await.expect(200);
}

#[tokio::test]
async fn an_api_key_does_nothing_its_demoted_creator_may_no_longer_do() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.admin).await;
    let reads = ["/audit", "/audit/export", "/members", "/members/export"];
    for path in reads {
        let answer = t.app.get(&at(&t.org, path), &key).await;
        assert_eq!(answer.status.as_u16(), 200, "{path}: {}", answer.body);
    }
    t.app
        .set_role(&t.org, &t.owner, &t.admin, "viewer")
        .await
        .expect(200);
    t.app
        .get(&at(&t.org, "/audit"), &t.admin.token)
        .await
        .refused(403, "not_permitted");
    // The key the admin made is bounded by what the viewer they are now may do.
    for path in reads {
        let answer = t.app.get(&at(&t.org, path), &key).await;
        answer.refused(403, "not_permitted");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&t.admin.id), "{path}: {message}");
    }
    // Asking about another member needs members:view, which a viewer lacks.
    t.app
        .post(
            &at(&t.org, "/check"),
            &key,
            json!({"user_id": t.owner.id, "action": "org:delete", "object_id": t.org}),
        )
        .await
        .refused(403, "not_permitted");
    t.app
        .post(
            &at(&t.org, "/check/batch"),
            &key,
            json!({"checks": [{"user_id": t.owner.id, "action": "org:delete", "object_id": t.org}]}),
        )
        .await
        .refused(403, "not_permitted");
    // What a viewer may still do, the key may too.
    t.app.get(&at(&t.org, ""), &key).await.expect(200);
    // The bound is the creator's role at each use: promoted again, the key reads again.
    t.app
        .set_role(&t.org, &t.owner, &t.admin, "admin")
        .await
        .expect(200);
    t.app.get(&at(&t.org, "/audit"), &key).await.expect(200);
}
