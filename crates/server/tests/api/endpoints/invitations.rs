//! Invitations: defaults, conflicts, listing, revoking, accepting, expiry.

use super::*;

#[tokio::test]
async fn an_invitation_takes_the_policys_default_role_and_lasts_seven_days() {
    let t = operations().await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "newcomer@acme.test"}),
    )
    .await;
    assert_fields(&inv, &["id", "email", "role", "token", "expires_at"]);
    assert_eq!(inv["email"], "newcomer@acme.test");
    assert_eq!(inv["role"], "viewer");
    assert!(!text(&inv["token"]).is_empty());
    let now = t.app.app.service().clock().now().0;
    let days = (inv["expires_at"].as_i64().unwrap() - now) as f64 / 86_400.0;
    assert!((6.99..=7.01).contains(&days), "{days} days");

    let chosen = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "op@acme.test", "role": "operator"}),
    )
    .await;
    assert_eq!(chosen["role"], "operator");
}

#[tokio::test]
async fn inviting_a_members_email_is_a_conflict() {
    let t = operations().await;
    t.app
        .post(
            &at(&t.org, "/invitations"),
            &t.owner.token,
            json!({"email": "ada@acme.test"}),
        )
        .await
        .refused(409, "duplicate_email");
    // The same address in another case is the same address.
    let answer = t
        .app
        .post(
            &at(&t.org, "/invitations"),
            &t.owner.token,
            json!({"email": "Ada@Acme.Test"}),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 409, "{}", answer.body);
}

async fn pending(t: &Operations) -> Value {
    let list = t.app.get(&at(&t.org, "/invitations"), &t.owner.token).await;
    list.expect(200)["items"].clone()
}

#[tokio::test]
async fn an_address_that_only_looks_like_another_is_refused_or_is_the_same_address() {
    let t = operations().await;
    let before = pending(&t).await;
    // Each renders as vera@acme.test, a member's address.
    for (look_alike, named) in [
        ("ve\u{200B}ra@acme.test", "U+200B"), // zero-width space
        ("ve\u{200D}ra@acme.test", "U+200D"), // zero-width joiner
        ("ve\u{00AD}ra@acme.test", "U+00AD"), // soft hyphen
        ("ve\u{2060}ra@acme.test", "U+2060"), // word joiner
        ("\u{FEFF}vera@acme.test", "U+FEFF"), // byte-order mark
        ("\u{202E}vera@acme.test", "U+202E"), // right-to-left override
        ("\u{FF56}era@acme.test", "U+FF56"),  // a fullwidth v
    ] {
        let answer = t
            .app
            .post(
                &at(&t.org, "/invitations"),
                &t.owner.token,
                json!({"email": look_alike}),
            )
            .await;
        answer.refused(400, "email");
        let message = text(&answer.body["error"]["message"]);
        assert!(message.contains(named), "{look_alike:?}: {message}");
    }
    assert_eq!(pending(&t).await, before, "nothing was stored");
    // A decomposed accent is the composed one: the same address, invited once.
    let inv = invite(
        &t.app,
        &t.org,
        &t.owner,
        json!({"email": "jos\u{00E9}@acme.test"}),
    )
    .await;
    assert_eq!(inv["email"], "jos\u{00E9}@acme.test");
    t.app
        .post(
            &at(&t.org, "/invitations"),
            &t.owner.token,
            json!({"email": "jose\u{0301}@acme.test"}),
        )
        .await
        .refused(409, "already_invited");
}

#[tokio::test]
async fn invitations_are_listed_without_their_tokens() {
    let t = operations().await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "newcomer@acme.test"}),
    )
    .await;
    let page = t
        .app
        .get(&at(&t.org, "/invitations"), &t.owner.token)
        .await
        .expect(200);
    assert_fields(&page, &["items", "next_cursor"]);
    assert_eq!(each(&page, "id"), [text(&inv["id"])]);
    let listed = &page["items"][0];
    assert_fields(listed, &["id", "email", "role", "expires_at"]);
    assert_eq!(listed["email"], "newcomer@acme.test");
    assert_eq!(listed["role"], "viewer");
    assert_eq!(listed["expires_at"], inv["expires_at"]);
    assert!(
        listed.get("token").is_none(),
        "the token is shown: {listed}"
    );
    assert!(
        !page.to_string().contains(&text(&inv["token"])),
        "the token is in the list: {page}"
    );
}

#[tokio::test]
async fn a_revoked_invitation_cannot_be_accepted() {
    let t = operations().await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "newcomer@acme.test"}),
    )
    .await;
    let path = at(&t.org, &format!("/invitations/{}", text(&inv["id"])));
    t.app.delete(&path, &t.admin.token).await.expect(204);
    accept(&t.app, &text(&inv["token"]), json!({"password": PASSWORD}))
        .await
        .refused(404, "unknown_invitation");
    let page = t
        .app
        .get(&at(&t.org, "/invitations"), &t.owner.token)
        .await
        .expect(200);
    assert!(each(&page, "id").is_empty(), "{page}");
    t.app
        .delete(&path, &t.admin.token)
        .await
        .refused(404, "unknown_invitation");
}

#[tokio::test]
async fn a_new_account_accepting_needs_a_password() {
    let t = operations().await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "nell@acme.test", "name": "Nell"}),
    )
    .await;
    let token = text(&inv["token"]);
    accept(&t.app, &token, json!({}))
        .await
        .refused(400, "password");
    // The invitation is still good.
    let joined = accept(&t.app, &token, json!({"password": PASSWORD}))
        .await
        .expect(200);
    assert_fields(
        &joined,
        &["user_id", "email", "name", "role", "scopes", "warnings"],
    );
    assert_eq!(joined["email"], "nell@acme.test");
    assert_eq!(joined["name"], "Nell");
    assert_eq!(joined["role"], "viewer");
    // The admin was shown the link: Nell proves her address before signing in.
    t.app.prove_address("nell@acme.test").await;
    let nell = t.app.login("nell@acme.test").await;
    assert_eq!(joined["user_id"], nell.id.as_str());
    // Used once.
    accept(&t.app, &token, json!({"password": PASSWORD}))
        .await
        .refused(404, "unknown_invitation");
}

/// Accepting checks no password: an account that exists signs in first (the
/// login's limiter, audit and timing) and accepts with its access token.
#[tokio::test]
async fn an_existing_account_must_sign_in_to_accept_and_no_password_is_checked() {
    let t = operations().await;
    let olga = t.app.signup("olga@other.test", "Other").await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "olga@other.test"}),
    )
    .await;
    let token = text(&inv["token"]);
    let wrong = accept(&t.app, &token, json!({"password": "not her password"})).await;
    let right = accept(&t.app, &token, json!({"password": PASSWORD})).await;
    let none = accept(&t.app, &token, json!({})).await;
    right.refused(401, "sign_in_required");
    assert_eq!(right.body["error"]["code"], "UNAUTHENTICATED");
    assert!(
        text(&right.body["error"]["message"]).contains("sign in"),
        "{}",
        right.body
    );
    // The password makes no difference to the answer: nothing to guess.
    assert_eq!(wrong.body, right.body);
    assert_eq!(none.body, right.body);
    // The right password joined nobody.
    let member = format!("/members/{}", olga.owner.id);
    t.app
        .get(&at(&t.org, &member), &t.owner.token)
        .await
        .refused(404, "unknown_member");

    // Signed in, she joins with an empty body.
    let joined = t
        .app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&olga.owner.token),
            None,
        )
        .await
        .expect(200);
    assert_eq!(joined["user_id"], olga.owner.id.as_str());
    assert_eq!(joined["role"], "viewer");
}

/// The attack of issue 14: invite the victim's address, then guess. No guess
/// reaches a password check, so none is ever right and none is counted as a
/// failed login of hers.
#[tokio::test]
async fn forty_guessed_passwords_on_an_invitation_reach_no_password_check() {
    let t = operations().await;
    let victim = t.app.signup("olga@other.test", "Other").await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "olga@other.test"}),
    )
    .await;
    let token = text(&inv["token"]);
    for i in 0..40 {
        accept(
            &t.app,
            &token,
            json!({"password": format!("guess number {i}")}),
        )
        .await
        .refused(401, "sign_in_required");
    }
    accept(&t.app, &token, json!({"password": PASSWORD}))
        .await
        .refused(401, "sign_in_required");
    // Not a login: no failure is audited and her account is not locked.
    let audit = t
        .app
        .get(
            &format!("/api/v1/orgs/{}/audit?type=auth.login_failed", victim.id),
            &victim.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(audit["items"], json!([]));
    t.app.login("olga@other.test").await;
    // An invitation for someone else's address is not hers to take.
    t.app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&t.viewer.token),
            None,
        )
        .await
        .refused(404, "unknown_invitation");
}

/// The read before the accept sweeps the expired invitation away; its audit
/// event still lets the answer say why.
#[tokio::test]
async fn an_expired_invitation_is_refused_as_expired() {
    let t = operations().await;
    let inv = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "late@acme.test", "name": "Late"}),
    )
    .await;
    t.app.app.service().clock().advance_days(8);
    accept(&t.app, &text(&inv["token"]), json!({"password": PASSWORD}))
        .await
        .refused(409, "invitation_expired");
    // The expiry is in the log, and no account was made for the address.
    let owner = t.app.login("owner@acme.test").await;
    let audit = t
        .app
        .get(&at(&t.org, "/audit?type=invitation.expired"), &owner.token)
        .await
        .expect(200);
    assert_eq!(each(&audit, "target_id"), [text(&inv["id"])]);
    let login = t
        .app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "late@acme.test", "password": PASSWORD})),
        )
        .await;
    assert_eq!(login.status.as_u16(), 401, "{}", login.body);
}

#[tokio::test]
async fn the_list_says_who_made_each_invitation() {
    let t = operations().await;
    invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "newcomer@acme.test"}),
    )
    .await;
    let listed = pending(&t).await;
    assert_eq!(listed[0]["invited_by"], json!(t.admin.id), "{listed}");
}

#[tokio::test]
async fn resending_an_invitation_revokes_the_old_link_and_gives_a_fresh_one() {
    let t = operations().await;
    let old = invite(
        &t.app,
        &t.org,
        &t.admin,
        json!({"email": "newcomer@acme.test", "name": "Nell", "role": "operator"}),
    )
    .await;
    let path = at(&t.org, &format!("/invitations/{}/resend", text(&old["id"])));
    let fresh = t
        .app
        .post(&path, &t.owner.token, json!({}))
        .await
        .expect(201);
    assert_ne!(fresh["id"], old["id"]);
    assert_ne!(fresh["token"], old["token"]);
    assert_eq!(
        (&fresh["email"], &fresh["name"], &fresh["role"]),
        (&old["email"], &old["name"], &old["role"])
    );
    assert!(text(&fresh["accept_url"]).contains(&text(&fresh["token"])));
    let listed = pending(&t).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"], fresh["id"]);
    accept(&t.app, &text(&old["token"]), json!({"password": PASSWORD}))
        .await
        .refused(404, "unknown_invitation");
    // What may not be revoked may not be re-sent.
    t.app
        .post(&path, &t.owner.token, json!({}))
        .await
        .refused(404, "unknown_invitation");
    let fresh_path = at(
        &t.org,
        &format!("/invitations/{}/resend", text(&fresh["id"])),
    );
    t.app
        .post(&fresh_path, &t.operator.token, json!({}))
        .await
        .refused(403, "not_permitted");
}
