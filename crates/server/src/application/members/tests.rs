//! The members use cases on a real service: who may read which record, and
//! what the bulk delete and the console's table answer.

use super::super::{Caller, InOrg, Settings, Steward};
use super::*;
use crate::service::Service;
use steward_core::{Actor, Command, InvitationId, Name, OrgId, Policy, UserId};

/// An "operations" organization: Owner (`owner`), an admin (`ada`), an
/// operator (`opal`) and a viewer (`vic`).
async fn acme() -> (tempfile::TempDir, Steward, OrgId) {
    let (dir, store) = crate::store::temp_store().await;
    let policy = Policy::preset("operations").unwrap();
    let service = Service::open(store, policy).await.unwrap();
    let owner = Actor::User(UserId::parse("owner").unwrap());
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: UserId::parse("owner").unwrap(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    service.create_organization(&owner, create).await.unwrap();
    for (user, role) in [("ada", "admin"), ("opal", "operator"), ("vic", "viewer")] {
        let invitation_id = InvitationId::parse(&format!("inv-{user}")).unwrap();
        let invite = Command::Invite {
            invitation_id: invitation_id.clone(),
            email: Email::parse(&format!("{user}@acme.test")).unwrap(),
            name: Name::parse(user).ok(),
            role: Some(role.to_string()),
            scopes: vec![],
            expires_at: service.clock().now().plus_days(7),
        };
        service.execute(&org, &owner, invite).await.unwrap();
        let user_id = UserId::parse(user).unwrap();
        let join = Command::Join {
            invitation_id,
            user_id: user_id.clone(),
            name: None,
        };
        service
            .execute(&org, &Actor::User(user_id), join)
            .await
            .unwrap();
    }
    let settings = Settings {
        signup: false,
        public_url: "http://steward.test".into(),
        token_audience: crate::auth::DEFAULT_TOKEN_AUDIENCE.into(),
    };
    (dir, Steward::new(service, settings), org)
}

fn as_member(steward: &Steward, user: &str) -> InOrg {
    let caller = Caller::Account(UserId::parse(user).unwrap());
    steward.in_org(caller, "acme").unwrap()
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

#[tokio::test]
async fn a_member_reads_their_own_record_and_others_only_with_members_view() {
    let (_dir, steward, _) = acme().await;
    let vic = as_member(&steward, "vic");
    assert_eq!(
        steward.member(&vic, &user("vic")).await.unwrap().role,
        "viewer"
    );
    let other = steward.member(&vic, &user("ada")).await.unwrap_err();
    assert_eq!(other.reason(), "not_permitted");
    let listed = steward.members(&vic, MemberQuery::default()).await;
    assert_eq!(listed.unwrap_err().reason(), "not_permitted");
    let opal = as_member(&steward, "opal");
    assert_eq!(
        steward.member(&opal, &user("ada")).await.unwrap().name,
        "ada"
    );
}

#[tokio::test]
async fn a_listing_pages_by_id_and_filters_by_a_role_the_policy_has() {
    let (_dir, steward, _) = acme().await;
    let ada = as_member(&steward, "ada");
    let first = MemberQuery {
        limit: Some(2),
        ..MemberQuery::default()
    };
    let page = steward.members(&ada, first).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|m| m.user_id.as_str()).collect();
    assert_eq!(ids, ["ada", "opal"]);
    assert_eq!(page.next_cursor.as_deref(), Some("opal"));
    let rest = MemberQuery {
        limit: Some(2),
        cursor: page.next_cursor,
        ..MemberQuery::default()
    };
    let page = steward.members(&ada, rest).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|m| m.user_id.as_str()).collect();
    assert_eq!(ids, ["owner", "vic"]);
    assert_eq!(page.next_cursor, None);
    let unknown = MemberQuery {
        role: Some("pilot".into()),
        ..MemberQuery::default()
    };
    let refused = steward.members(&ada, unknown).await.unwrap_err();
    assert_eq!(refused.reason(), "unknown_role");
}

#[tokio::test]
async fn a_bulk_delete_names_what_kept_each_member_and_deletes_the_rest() {
    let (_dir, steward, _) = acme().await;
    let ada = as_member(&steward, "ada");
    let body = BulkDeleteBody {
        user_ids: vec!["vic".into(), "owner".into(), "no such id!".into()],
        transfer_objects_to: None,
    };
    let done = steward.delete_members(&ada, body).await.unwrap();
    let deleted: Vec<_> = done.deleted.iter().map(|m| m.name.as_deref()).collect();
    assert_eq!(deleted, [Some("vic")]);
    let refused: Vec<_> = done.refused.iter().map(|r| r.reason()).collect();
    assert_eq!(refused, ["cannot_demote_owner", "unknown_member"]);
    assert_eq!(done.refused[1].message(), "no such member: \"no such id!\"");
    assert_eq!(done.refused[1].member.name, None);
}

#[tokio::test]
async fn a_bulk_delete_by_someone_who_may_delete_nobody_is_not_permitted() {
    let (_dir, steward, _) = acme().await;
    let opal = as_member(&steward, "opal");
    let body = BulkDeleteBody {
        user_ids: vec!["vic".into()],
        transfer_objects_to: None,
    };
    let refused = steward.delete_members(&opal, body).await.unwrap_err();
    assert_eq!(refused.reason(), "not_permitted");
}

#[tokio::test]
async fn the_table_offers_only_what_the_rules_would_allow() {
    let (_dir, steward, _) = acme().await;
    let ada = as_member(&steward, "ada");
    let roster = steward.roster(&ada, MemberQuery::default()).await.unwrap();
    assert_eq!((roster.total, roster.may_manage), (4, true));
    let row = |id: &str| roster.rows.iter().find(|r| r.member.user_id == id).unwrap();
    let me = row("ada");
    assert!(me.is_me);
    assert!(me.assignable.is_empty());
    assert_eq!(me.locked, Some(RoleLock::Refused(Refusal::SelfChange)));
    assert!(row("owner").is_owner);
    assert!(row("owner").undeletable.is_some());
    assert!(row("vic").undeletable.is_none());
    assert_eq!(row("vic").assignable.len(), 2, "operator and admin");
    let opal = as_member(&steward, "opal");
    let roster = steward.roster(&opal, MemberQuery::default()).await.unwrap();
    assert!(!roster.may_manage);
}

#[tokio::test]
async fn the_invite_dialog_offers_no_owner_and_nothing_to_an_operator() {
    let (_dir, steward, _) = acme().await;
    let policy = steward.service().policy().clone();
    let names = |roster: &Roster| -> Vec<String> {
        roster
            .invitable
            .iter()
            .map(|&r| policy.role(r).name.clone())
            .collect()
    };
    let owner = as_member(&steward, "owner");
    let roster = steward
        .roster(&owner, MemberQuery::default())
        .await
        .unwrap();
    assert_eq!(names(&roster), ["admin", "operator", "viewer"]);
    let opal = as_member(&steward, "opal");
    let roster = steward.roster(&opal, MemberQuery::default()).await.unwrap();
    assert!(names(&roster).is_empty());
}

#[tokio::test]
async fn an_admin_may_not_edit_the_owner_and_is_told_why() {
    let (_dir, steward, _) = acme().await;
    let ada = as_member(&steward, "ada");
    let roster = steward.roster(&ada, MemberQuery::default()).await.unwrap();
    let row = |id: &str| roster.rows.iter().find(|r| r.member.user_id == id).unwrap();
    assert_eq!(row("owner").uneditable, Some(Refusal::AboveOwnRank));
    assert_eq!(row("vic").uneditable, None);
    // Oneself: the name is theirs to correct, so the panel is open.
    assert_eq!(row("ada").uneditable, None);
    let opal = as_member(&steward, "opal");
    let roster = steward.roster(&opal, MemberQuery::default()).await.unwrap();
    let vic = roster
        .rows
        .iter()
        .find(|r| r.member.user_id == "vic")
        .unwrap();
    assert_eq!(vic.uneditable, Some(Refusal::NotPermitted));
}
