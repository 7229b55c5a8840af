//! Organization > Users: the member table (each role in words, changed only
//! in the edit panel), deletion (one or several) and the pending invitations.
//! What each row offers comes from `Steward::roster`; this module puts it into
//! words. The edit panel is `edit`, the invitations' forms `invitations`.

mod edit;
mod invitations;

use super::form::{Fields, PageQuery, Posted};
use super::page::{
    after_change, closed_section, render, role_label, sentence, words, Frame, Notice, PageError,
};
use super::session::Browser;
use crate::application::members::{BulkDeleteBody, MemberQuery, RoleLock, RosterRow};
use crate::application::{AppError, Application, Caller};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use invitations::{Invited, PendingInvitation, RoleBox};
use serde::Deserialize;
use steward_core::policy::RoleControl;
use steward_core::{Policy, Refusal};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/users", get(users_page))
        .route("/orgs/{org}/users/export", get(export))
        .route("/orgs/{org}/users/delete", post(delete_users))
        .route("/orgs/{org}/users/{user}/reinstate", post(reinstate))
        .merge(edit::router())
        .merge(invitations::router())
}

/// The organization role a posted form gives: the Role dropdown's `role`, or,
/// when the policy offers its roles as a check box, the box's two roles
/// (`role_box` marks a box that was shown and could be used).
fn posted_role(policy: &Policy, fields: &Fields) -> Option<String> {
    match policy.console.role_control {
        RoleControl::Checkbox { checked, unchecked } if fields.get("role_box").is_some() => {
            let role = if fields.get("role_checked").is_some() {
                checked
            } else {
                unchecked
            };
            Some(policy.role(role).name.clone())
        }
        _ => fields.get("role").map(str::to_string),
    }
}

/// One row of the table, with what the viewer may do to it.
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_label: String,
    pub is_owner: bool,
    pub is_me: bool,
    /// Suspended (docs/provisioning.md#suspension): shown with a badge, and a
    /// Reinstate action for whoever manages members.
    pub suspended: bool,
    /// The current role first, then every role the viewer may give.
    pub options: Vec<RoleOption>,
    /// Why their role cannot be changed, when it cannot.
    pub locked: Option<String>,
    /// Why the caller may not edit them at all, when they may not.
    pub uneditable: Option<String>,
    /// Why the row cannot be deleted, when it cannot.
    pub undeletable: Option<String>,
    pub scopes: String,
    pub warnings: Vec<String>,
}

impl UserRow {
    /// What the row says beside the role it shows, when it cannot be changed:
    /// why the role cannot, else why nothing of them can.
    pub fn reason(&self) -> Option<&str> {
        self.locked.as_deref().or(self.uneditable.as_deref())
    }

    /// Why the row cannot be deleted, when the row's reason does not say it already.
    pub fn delete_reason(&self) -> Option<&str> {
        self.undeletable
            .as_deref()
            .filter(|why| Some(*why) != self.reason())
    }
}

pub struct RoleOption {
    pub name: String,
    pub label: String,
    pub selected: bool,
}

/// The warning codes of a member, in words.
fn warning_words(code: &str) -> String {
    match code {
        "viewer_without_sites" => {
            "Sees nothing until sites are assigned: open Edit to assign sites.".to_string()
        }
        other => other.replace('_', " "),
    }
}

/// Why a member's role cannot be changed, in words beside it.
fn lock_words(lock: &RoleLock) -> String {
    match lock {
        RoleLock::NotAMember => "You are not a member here.".to_string(),
        RoleLock::NoOtherRole => "There is no other role to give.".to_string(),
        RoleLock::Refused(Refusal::LastAdmin) => "This is the only admin: demoting them would leave the organization with fewer admins than its policy requires.".to_string(),
        RoleLock::Refused(other) => refusal_words(other),
    }
}

pub(super) fn refusal_words(refusal: &Refusal) -> String {
    words(&AppError::Refused(refusal.clone()))
}

/// A row of the table, in words.
pub(super) fn user_row(policy: &Policy, row: RosterRow) -> UserRow {
    let m = row.member;
    // The current role and those the caller may give, in the policy's rank
    // order (highest first), so the list reads the same for every row.
    let options = match row.locked {
        Some(RoleLock::NotAMember) => Vec::new(),
        _ => {
            let current = policy.org_role(&m.role);
            let mut options: Vec<RoleOption> = policy
                .org_roles
                .iter()
                .filter(|&&r| Some(r) == current || row.assignable.contains(&r))
                .map(|&r| {
                    let role = policy.role(r);
                    RoleOption {
                        name: role.name.clone(),
                        label: role.label.clone(),
                        selected: Some(r) == current,
                    }
                })
                .collect();
            if current.is_none() {
                options.insert(
                    0,
                    RoleOption {
                        name: m.role.clone(),
                        label: role_label(policy, &m.role),
                        selected: true,
                    },
                );
            }
            options
        }
    };
    let scopes = row
        .scopes
        .iter()
        .map(|s| format!("{}: {}", s.name, s.roles.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    UserRow {
        role_label: role_label(policy, &m.role),
        id: m.user_id,
        name: m.name,
        email: m.email,
        is_owner: row.is_owner,
        is_me: row.is_me,
        suspended: m.suspended,
        options,
        locked: row.locked.as_ref().map(lock_words),
        uneditable: row.uneditable.as_ref().map(refusal_words),
        undeletable: row.undeletable.as_ref().map(refusal_words),
        scopes,
        warnings: m.warnings.iter().map(|w| warning_words(w)).collect(),
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    frame: Frame,
    rows: Vec<UserRow>,
    q: String,
    role: String,
    roles: Vec<RoleOption>,
    total: usize,
    next: Option<String>,
    paged: bool,
    may_manage: bool,
    hand_over: bool,
    invited: Option<Invited>,
    pending: Vec<PendingInvitation>,
    /// The invite dialog's roles: a dropdown of those the caller may give...
    invite_roles: Vec<RoleOption>,
    /// ...or the policy's check box.
    invite_box: Option<RoleBox>,
    /// The roles not offered, each with why.
    withheld: Vec<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct UsersQuery {
    q: Option<String>,
    role: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

async fn users_page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(query): PageQuery<UsersQuery>,
) -> Result<Response, PageError> {
    let notice = match query.done.as_deref() {
        Some("saved") => Some(Notice::ok("Saved.")),
        Some("revoked") => Some(Notice::ok("Invitation revoked: its link no longer works.")),
        Some("reinstated") => Some(Notice::ok(
            "Reinstated: their roles and grants count again.",
        )),
        _ => None,
    };
    show_users(&app, &browser, &org, query, notice, None).await
}

pub(super) async fn show_users(
    app: &Application,
    browser: &Browser,
    org: &str,
    query: UsersQuery,
    notice: Option<Notice>,
    invited: Option<Invited>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "users").await?;
    frame.notice = notice;
    let role = query.role.filter(|r| !r.is_empty());
    let q = query.q.filter(|q| !q.is_empty());
    let paged = query.cursor.is_some();
    let listed = app
        .steward
        .roster(
            &in_org,
            MemberQuery {
                role: role.clone(),
                q: q.clone(),
                limit: Some(50),
                cursor: query.cursor,
            },
        )
        .await;
    let roster = match listed {
        Ok(roster) => roster,
        Err(e) => return closed_section(frame, "Users", e),
    };
    let policy = app.service().policy();
    let pending = invitations::pending(app, &in_org).await?;
    let default_role = policy.governance.default_role;
    let invite_roles = roster
        .invitable
        .iter()
        .map(|&r| RoleOption {
            name: policy.role(r).name.clone(),
            label: policy.role(r).label.clone(),
            selected: r == default_role,
        })
        .collect();
    let invite_box = invitations::invite_box(policy, &roster.invitable, &roster.withheld);
    let withheld = roster
        .withheld
        .iter()
        .filter(|(r, _)| invite_box.as_ref().is_none_or(|b| !b.gives(*r)))
        .map(|(r, why)| format!("{}: {}", policy.role(*r).label, refusal_words(why)))
        .collect();
    let roles = policy
        .org_roles
        .iter()
        .map(|&r| RoleOption {
            name: policy.role(r).name.clone(),
            label: policy.role(r).label.clone(),
            selected: role.as_deref() == Some(policy.role(r).name.as_str()),
        })
        .collect();
    Ok(render(&UsersPage {
        frame,
        rows: roster
            .rows
            .into_iter()
            .map(|r| user_row(policy, r))
            .collect(),
        q: q.unwrap_or_default(),
        role: role.unwrap_or_default(),
        roles,
        total: roster.total,
        next: roster.next_cursor,
        paged,
        may_manage: roster.may_manage,
        hand_over: policy.ownership.root,
        invited,
        pending,
        invite_roles,
        invite_box,
        withheld,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "deleted.html")]
struct DeletedPage {
    frame: Frame,
    deleted: Vec<String>,
    refused: Vec<(String, String)>,
}

/// The confirmation dialog's Delete: the bulk delete, so each selected member
/// is decided by the rule of a single deletion and those the rules keep are
/// listed with the reason.
async fn delete_users(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let body = BulkDeleteBody {
        user_ids: posted.fields.all("user_ids").map(str::to_string).collect(),
        transfer_objects_to: posted.fields.get("hand_over").map(|_| "root".to_string()),
    };
    let outcome = app.steward.delete_members(&in_org, body).await?;
    let refused: Vec<(String, String)> = outcome
        .refused
        .into_iter()
        .map(|r| {
            let message = sentence(&r.message());
            (r.member.name.unwrap_or(r.member.user_id), message)
        })
        .collect();
    let deleted: Vec<String> = outcome
        .deleted
        .into_iter()
        .map(|m| m.name.unwrap_or(m.user_id))
        .collect();
    let (mut frame, _) = Frame::load(&app, &posted.browser, &org, "users").await?;
    frame.notice = Some(if refused.is_empty() {
        Notice::ok(format!("Deleted {}.", people(deleted.len())))
    } else {
        Notice::warn(format!(
            "Deleted {}; {} could not be deleted.",
            people(deleted.len()),
            people(refused.len())
        ))
    });
    Ok(render(&DeletedPage {
        frame,
        deleted,
        refused,
    })?
    .into_response())
}

fn people(n: usize) -> String {
    if n == 1 {
        "1 user".to_string()
    } else {
        format!("{n} users")
    }
}

/// The members as CSV (`email,name,role,scopes`), the shape the import reads.
async fn export(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    let org = app
        .steward
        .in_org(Caller::Account(browser.user.clone()), &org)?;
    Ok(crate::download::attachment(
        app.steward.members_export(&org).await?,
    ))
}

/// Reinstates a suspended member, by the core's rule (as a removal is governed).
async fn reinstate(
    State(app): State<Application>,
    Path((org, user)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = match crate::application::parse_user(&user) {
        Ok(user) => app
            .steward
            .reinstate_member(&in_org, &user)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    let done = format!("/orgs/{org}/users?done=reinstated");
    after_change(outcome, done, |notice| {
        show_users(
            &app,
            &posted.browser,
            &org,
            UsersQuery::default(),
            Some(notice),
            None,
        )
    })
    .await
}
