//! The seeds' governance scenarios over HTTP, once per shipped preset: what each
//! preset answers where the seeds differ is in its `Preset` row.

use crate::support::{claims, spawn_app, spawn_preset, TestApp};
use serde_json::json;
use steward_core::Policy;

struct Preset {
    name: &'static str,
    /// The role whose holders manage members, below the owner.
    admin: &'static str,
    /// A role that changes nobody's role.
    plain: &'static str,
    /// The owner role, where owners are marked by one.
    owner_role: Option<&'static str>,
    /// What an admin gets for demoting the owner.
    demote_owner: &'static str,
    /// What an admin gets for promoting someone to the owner role.
    promote_to_owner: &'static str,
    /// Whether ownership moves by nomination (else: `direct` or never).
    nomination: bool,
}

const PRESETS: [Preset; 4] = [
    Preset {
        name: "operations",
        admin: "admin",
        plain: "operator",
        owner_role: Some("owner"),
        demote_owner: "cannot_demote_owner",
        promote_to_owner: "owner_via_transfer_only",
        nomination: true,
    },
    Preset {
        name: "systems",
        admin: "admin",
        plain: "member",
        owner_role: Some("owner"),
        demote_owner: "cannot_demote_owner",
        // Owners may make owners directly; an admin is below that rank.
        promote_to_owner: "above_own_rank",
        nomination: false,
    },
    Preset {
        name: "analytics",
        admin: "administrator",
        plain: "analyst",
        owner_role: None,
        demote_owner: "cannot_demote_owner",
        promote_to_owner: "",
        nomination: true,
    },
    Preset {
        name: "platform",
        admin: "organization_administrator",
        plain: "user",
        owner_role: Some("organization_owner"),
        demote_owner: "owner_immutable",
        promote_to_owner: "owner_via_transfer_only",
        nomination: false,
    },
];

async fn each_preset<F, Fut>(scenario: F)
where
    F: Fn(&'static Preset, TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for p in &PRESETS {
        eprintln!("preset {}", p.name);
        scenario(p, spawn_preset(p.name).await).await;
    }
}

#[tokio::test]
async fn the_admin_who_tries_to_demote_the_owner_is_refused() {
    each_preset(|p, app| async move {
        let org = app.signup("owner@acme.test", "Acme").await;
        let admin = app
            .join(&org.id, &org.owner, "ada@acme.test", Some(p.admin))
            .await;
        app.set_role(&org.id, &admin, &org.owner, p.plain)
            .await
            .refused(403, p.demote_owner);
        let owner_role = app.role_of(&org.id, &admin, &org.owner).await;
        assert_ne!(owner_role, p.plain, "{}", p.name);
    })
    .await;
}

#[tokio::test]
async fn a_member_whose_role_changes_no_roles_gets_not_permitted() {
    each_preset(|p, app| async move {
        let org = app.signup("owner@acme.test", "Acme").await;
        let plain = app
            .join(&org.id, &org.owner, "op@acme.test", Some(p.plain))
            .await;
        let other = app
            .join(&org.id, &org.owner, "bob@acme.test", Some(p.plain))
            .await;
        app.set_role(&org.id, &plain, &other, p.admin)
            .await
            .refused(403, "not_permitted");
    })
    .await;
}

#[tokio::test]
async fn nobody_changes_their_own_role() {
    each_preset(|p, app| async move {
        let org = app.signup("owner@acme.test", "Acme").await;
        let admin = app
            .join(&org.id, &org.owner, "ada@acme.test", Some(p.admin))
            .await;
        app.set_role(&org.id, &admin, &admin, p.plain)
            .await
            .refused(403, "self_change");
        app.set_role(&org.id, &org.owner, &org.owner, p.admin)
            .await
            .refused(403, "self_change");
    })
    .await;
}

#[tokio::test]
async fn promoting_to_owner_goes_only_through_the_transfer() {
    for p in PRESETS.iter() {
        let Some(owner_role) = p.owner_role else {
            continue;
        };
        let app = spawn_preset(p.name).await;
        let org = app.signup("owner@acme.test", "Acme").await;
        let admin = app
            .join(&org.id, &org.owner, "ada@acme.test", Some(p.admin))
            .await;
        let bob = app
            .join(&org.id, &org.owner, "bob@acme.test", Some(p.plain))
            .await;
        app.set_role(&org.id, &admin, &bob, owner_role)
            .await
            .refused(403, p.promote_to_owner);
    }
}

#[tokio::test]
async fn a_seven_day_nomination_accepted_moves_ownership() {
    for p in PRESETS.iter().filter(|p| p.nomination) {
        let app = spawn_preset(p.name).await;
        let org = app.signup("owner@acme.test", "Acme").await;
        let admin = app
            .join(&org.id, &org.owner, "ada@acme.test", Some(p.admin))
            .await;
        let path = format!("/api/v1/orgs/{}/ownership-transfer", org.id);
        // Only the owner nominates.
        app.post(&path, &admin.token, json!({"to_user": org.owner.id}))
            .await
            .refused(403, "not_permitted");
        let nomination = app
            .post(&path, &org.owner.token, json!({"to_user": admin.id}))
            .await
            .expect(201);
        assert_eq!(nomination["status"], "pending");
        assert_eq!(nomination["to_user"], admin.id.as_str());
        let now = app.app.service().clock().now().0;
        let days = (nomination["expires_at"].as_i64().unwrap() - now) as f64 / 86_400.0;
        assert!((6.99..=7.01).contains(&days), "{}: {days} days", p.name);
        app.post(&path, &org.owner.token, json!({"to_user": admin.id}))
            .await
            .refused(409, "transfer_pending");
        assert_eq!(
            app.get(&path, &admin.token).await.expect(200)["id"],
            nomination["id"]
        );
        // The owner cannot accept on the nominee's behalf.
        app.post(&format!("{path}/accept"), &org.owner.token, json!({}))
            .await
            .refused(403, "not_nominee");
        let accepted = app
            .post(&format!("{path}/accept"), &admin.token, json!({}))
            .await
            .expect(200);
        assert_eq!(accepted["status"], "accepted");
        let info = app
            .get(&format!("/api/v1/orgs/{}", org.id), &admin.token)
            .await
            .expect(200);
        assert_eq!(info["owner_id"], admin.id.as_str(), "{}", p.name);
        // The old owner is an admin now.
        assert_eq!(app.role_of(&org.id, &admin, &org.owner).await, p.admin);
        app.get(&path, &admin.token)
            .await
            .refused(404, "no_pending_transfer");
    }
}

#[tokio::test]
async fn a_declined_or_cancelled_nomination_changes_no_owner() {
    let app = spawn_preset("operations").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let admin = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    let path = format!("/api/v1/orgs/{}/ownership-transfer", org.id);
    app.post(&path, &org.owner.token, json!({"to_user": admin.id}))
        .await
        .expect(201);
    let declined = app
        .post(&format!("{path}/decline"), &admin.token, json!({}))
        .await
        .expect(200);
    assert_eq!(declined["status"], "declined");
    app.post(&path, &org.owner.token, json!({"to_user": admin.id}))
        .await
        .expect(201);
    app.delete(&path, &org.owner.token).await.expect(204);
    app.post(&format!("{path}/accept"), &admin.token, json!({}))
        .await
        .refused(404, "no_pending_transfer");
    assert_eq!(app.role_of(&org.id, &admin, &org.owner).await, "owner");
}

#[tokio::test]
async fn direct_ownership_under_systems_and_none_under_platform() {
    let app = spawn_preset("systems").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let admin = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    app.set_role(&org.id, &org.owner, &admin, "owner")
        .await
        .expect(200);
    assert_eq!(app.role_of(&org.id, &org.owner, &admin).await, "owner");

    let app = spawn_preset("platform").await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let admin = app
        .join(
            &org.id,
            &org.owner,
            "ada@acme.test",
            Some("organization_administrator"),
        )
        .await;
    app.post(
        &format!("/api/v1/orgs/{}/ownership-transfer", org.id),
        &org.owner.token,
        json!({"to_user": admin.id}),
    )
    .await
    .refused(403, "owner_immutable");
}

/// Every shipped preset counts its owner as an admin, so `last_admin` needs a
/// policy where it does not: operations with only `admin` counting.
pub(crate) fn operations_with_admins_only() -> Policy {
    let source = Policy::preset("operations").unwrap().source;
    let changed = source.replace(
        "admin_roles = [\"admin\", \"owner\"]",
        "admin_roles = [\"admin\"]",
    );
    assert_ne!(source, changed, "the preset's admin_roles line moved");
    Policy::parse(&changed).unwrap()
}

#[tokio::test]
async fn the_only_admins_demotion_is_refused_as_last_admin() {
    let app = spawn_app(operations_with_admins_only()).await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let admin = app
        .join(&org.id, &org.owner, "ada@acme.test", Some("admin"))
        .await;
    app.set_role(&org.id, &org.owner, &admin, "viewer")
        .await
        .refused(403, "last_admin");
    // With a second admin, the first may go.
    let second = app
        .join(&org.id, &org.owner, "bea@acme.test", Some("admin"))
        .await;
    app.set_role(&org.id, &org.owner, &admin, "viewer")
        .await
        .expect(200);
    app.set_role(&org.id, &org.owner, &second, "viewer")
        .await
        .refused(403, "last_admin");
}

#[tokio::test]
async fn a_role_change_is_audited_checked_at_once_and_reaches_new_tokens_only() {
    each_preset(|p, app| async move {
        let org = app.signup("owner@acme.test", "Acme").await;
        let bob = app
            .join(&org.id, &org.owner, "bob@acme.test", Some(p.plain))
            .await;
        let key = app.api_key(&org.id, &org.owner).await;
        let before = app
            .check(&org.id, &key, &bob.id, "members:manage", &org.id)
            .await;
        assert_eq!(before["allowed"], false, "{}", p.name);
        let old_token = bob.token.clone();
        assert_eq!(claims(&old_token)["org"][&org.id], p.plain);
        let invite = format!("/api/v1/orgs/{}/invitations", org.id);
        app.post(&invite, &old_token, json!({"email": "newcomer@acme.test"}))
            .await
            .refused(403, "not_permitted");

        let changed = app
            .set_role(&org.id, &org.owner, &bob, p.admin)
            .await
            .expect(200);
        assert_eq!(changed["role"], p.admin);

        let audit = app
            .get(
                &format!("/api/v1/orgs/{}/audit?type=user.role_changed", org.id),
                &org.owner.token,
            )
            .await
            .expect(200);
        let event = &audit["items"][0];
        assert_eq!(event["type"], "user.role_changed");
        assert_eq!(event["actor_id"], org.owner.id.as_str());
        assert_eq!(event["target_id"], bob.id.as_str());
        assert_eq!(event["data"]["previous_role"], p.plain);
        assert_eq!(event["data"]["new_role"], p.admin);

        let after = app
            .check(&org.id, &key, &bob.id, "members:manage", &org.id)
            .await;
        assert_eq!(after["allowed"], true, "{}: {after}", p.name);

        // The token issued before still says the old role, until it expires.
        assert_eq!(claims(&old_token)["org"][&org.id], p.plain);
        let fresh = app.login("bob@acme.test").await;
        assert_eq!(claims(&fresh.token)["org"][&org.id], p.admin);
        // Steward's own checks read the state, not the token: the old token
        // already acts with the new role.
        app.post(
            &format!("/api/v1/orgs/{}/invitations", org.id),
            &old_token,
            json!({"email": "newcomer@acme.test"}),
        )
        .await
        .expect(201);
    })
    .await;
}
