//! Organization > Users: the member table with its role dropdowns, the edit
//! panel, deletion (one or several), and invitations. What each row offers
//! comes from `Steward::roster`; this module puts it into words.

use super::form::{PageQuery, Posted};
use super::page::{closed_section, render, role_label, sentence, words, Frame, Notice, PageError};
use super::session::Browser;
use crate::application::invitations::InviteBody;
use crate::application::members::{
    BulkDeleteBody, MemberEdit, MemberQuery, MemberView, RoleLock, RosterRow, ScopeChoice,
    UpdateMember,
};
use crate::application::{parse_user, AppError, Application, Caller};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use steward_core::{Policy, Refusal};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/users", get(users_page))
        .route("/orgs/{org}/users/export", get(export))
        .route("/orgs/{org}/users/delete", post(delete_users))
        .route("/orgs/{org}/users/{user}", get(edit_page).post(save_user))
        .route("/orgs/{org}/users/{user}/role", post(change_role))
        .route("/orgs/{org}/invite", post(invite))
}

/// One row of the table, with what the viewer may do to it.
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_label: String,
    pub is_owner: bool,
    pub is_me: bool,
    /// The current role first, then every role the viewer may give.
    pub options: Vec<RoleOption>,
    /// Why the dropdown is greyed out (the tooltip), when it is.
    pub locked: Option<String>,
    /// Why the row cannot be deleted, when it cannot.
    pub undeletable: Option<String>,
    pub scopes: String,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    pub saved: Option<String>,
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

/// Why a member's role cannot be changed, as the dropdown's tooltip says it.
fn lock_words(lock: &RoleLock) -> String {
    match lock {
        RoleLock::NotAMember => "You are not a member here.".to_string(),
        RoleLock::NoOtherRole => "There is no other role to give.".to_string(),
        RoleLock::Refused(Refusal::LastAdmin) => "This is the only admin: demoting them would leave the organization with fewer admins than its policy requires.".to_string(),
        RoleLock::Refused(other) => refusal_words(other),
    }
}

fn refusal_words(refusal: &Refusal) -> String {
    words(&AppError::Refused(refusal.clone()))
}

/// A row of the table, in words.
fn user_row(policy: &Policy, row: RosterRow) -> UserRow {
    let m = row.member;
    let options = match row.locked {
        Some(RoleLock::NotAMember) => Vec::new(),
        _ => {
            let current = RoleOption {
                name: m.role.clone(),
                label: role_label(policy, &m.role),
                selected: true,
            };
            let assignable = row.assignable.iter().map(|&r| {
                let role = policy.role(r);
                RoleOption {
                    name: role.name.clone(),
                    label: role.label.clone(),
                    selected: false,
                }
            });
            std::iter::once(current).chain(assignable).collect()
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
        options,
        locked: row.locked.as_ref().map(lock_words),
        undeletable: row.undeletable.as_ref().map(refusal_words),
        scopes,
        warnings: m.warnings.iter().map(|w| warning_words(w)).collect(),
        error: None,
        saved: None,
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
}

struct Invited {
    email: String,
    url: String,
}

#[derive(Template)]
#[template(path = "user_row.html")]
struct RowFragment {
    org_id: String,
    row: UserRow,
}

#[derive(Deserialize, Default)]
struct UsersQuery {
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
        _ => None,
    };
    show_users(&app, &browser, &org, query, notice, None).await
}

async fn show_users(
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
    })?
    .into_response())
}

/// The dropdown's change: the row again, saying what happened.
async fn change_role(
    State(app): State<Application>,
    Path((org, user)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let target = parse_user(&user)?;
    let change = UpdateMember {
        role: posted.fields.get("role").map(str::to_string),
        ..UpdateMember::default()
    };
    let outcome = app.steward.update_member(&in_org, &target, change).await;
    if !posted.htmx {
        return match outcome {
            Ok(_) => Ok(Redirect::to(&format!("/orgs/{org}/users?done=saved")).into_response()),
            Err(e) => Err(e.into()),
        };
    }
    let policy = app.service().policy();
    let mut row = user_row(policy, app.steward.roster_row(&in_org, &target).await?);
    match outcome {
        Ok(_) => row.saved = Some(format!("Saved: {} is now {}.", row.name, row.role_label)),
        Err(e) => row.error = Some(words(&e)),
    }
    Ok(render(&RowFragment { org_id: org, row })?.into_response())
}

#[derive(Template)]
#[template(path = "user_edit.html")]
struct EditPage {
    frame: Frame,
    user: MemberView,
    options: Vec<RoleOption>,
    locked: Option<String>,
    scopes: Vec<ScopeEdit>,
    error: Option<String>,
}

/// One scope (system, service, site) of the edit panel, with its roles.
struct ScopeEdit {
    id: String,
    name: String,
    type_label: String,
    multiple: bool,
    roles: Vec<RoleOption>,
}

impl ScopeEdit {
    fn of(policy: &Policy, scope: ScopeChoice) -> ScopeEdit {
        let object_type = policy.object_type(scope.object_type);
        ScopeEdit {
            id: scope.object_id.to_string(),
            name: scope.name,
            type_label: object_type.label.clone(),
            multiple: object_type.multiple_roles,
            roles: policy
                .roles_at(scope.object_type)
                .map(|r| {
                    let role = policy.role(r);
                    RoleOption {
                        name: role.name.clone(),
                        label: role.label.clone(),
                        selected: scope.held.contains(&role.name),
                    }
                })
                .collect(),
        }
    }
}

async fn edit_page(
    State(app): State<Application>,
    browser: Browser,
    Path((org, user)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    show_edit(&app, &browser, &org, &user, None).await
}

async fn show_edit(
    app: &Application,
    browser: &Browser,
    org: &str,
    user: &str,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let (frame, in_org) = Frame::load(app, browser, org, "users").await?;
    let editor = app
        .steward
        .member_editor(&in_org, &parse_user(user)?)
        .await?;
    let policy = app.service().policy();
    let view = editor.row.member.clone();
    let row = user_row(policy, editor.row);
    render(&EditPage {
        frame,
        user: view,
        options: row.options,
        locked: row.locked,
        scopes: editor
            .scopes
            .into_iter()
            .map(|s| ScopeEdit::of(policy, s))
            .collect(),
        error,
    })
}

/// Save in the edit panel: name, role and every scope's roles in one
/// transaction, decided against the same state; one refusal refuses all.
async fn save_user(
    State(app): State<Application>,
    Path((org, user)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let target = parse_user(&user)?;
    let f = &posted.fields;
    let edit = MemberEdit {
        name: f.get("name").map(str::to_string),
        role: f.get("role").map(str::to_string),
        scopes: f
            .all("scope")
            .map(|scope| {
                let field = format!("scope_roles:{scope}");
                let roles = f.all(&field).map(str::to_string).collect();
                (scope.to_string(), roles)
            })
            .collect(),
    };
    match app.steward.edit_member(&in_org, &target, edit).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{org}/users?done=saved")).into_response()),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let page = show_edit(&app, &posted.browser, &org, &user, Some(words(&e))).await?;
            Ok(page.into_response())
        }
    }
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

/// Invite: the invitation's link is shown once, on the page that answers.
async fn invite(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let f = &posted.fields;
    let body = InviteBody {
        email: f.get("email").unwrap_or("").to_string(),
        name: f.get("name").map(str::to_string),
        role: f.get("role").map(str::to_string),
        scopes: Vec::new(),
        expires_in_days: None,
    };
    let (notice, invited) = match app.steward.create_invitation(&in_org, body).await {
        // With --smtp-url the link went only by mail (docs/accounts.md).
        Ok(view) if view.accept_url.is_none() => (
            Notice::ok(format!(
                "Invited {}. The invitation was mailed to them; it works once and expires in 7 days.",
                view.email
            )),
            None,
        ),
        Ok(view) => {
            let notice = Notice::ok(format!(
                "Invited {}. Send them the link below; it works once and expires in 7 days.",
                view.email
            ));
            let invited = Invited {
                email: view.email,
                url: view.accept_url.unwrap_or_default(),
            };
            (notice, Some(invited))
        }
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => (Notice::error(&e), None),
    };
    let query = UsersQuery::default();
    show_users(&app, &posted.browser, &org, query, Some(notice), invited).await
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
