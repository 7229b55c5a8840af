//! Organization > Users: the member table with its role dropdowns, the edit
//! panel, deletion (one or several), and invitations.

use super::form::{PageQuery, Posted};
use super::page::{
    after_change, closed_section, render, role_label, sentence, Frame, Notice, PageError,
};
use super::session::Browser;
use crate::application::{Application, Caller, InOrg};
use crate::http::extract::ApiPath;
use crate::http::members::{
    self, BulkDeleteBody, InviteBody, MemberQuery, MemberView, UpdateMember,
};
use crate::http::ApiError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use steward_core::decide::{assignable_roles, role_change_refusal};
use steward_core::{Actor, Command, Policy, State as OrgState, UserId};

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

/// The refusal the dropdown's tooltip gives: what stops a demotion first (the
/// owner, oneself, the last admin), else what stops any change.
fn lock_reason(
    policy: &Policy,
    state: &OrgState,
    actor: &steward_core::state::Member,
    target: &steward_core::state::Member,
) -> String {
    let current = policy.org_role(&target.role);
    let below = policy
        .org_roles
        .iter()
        .copied()
        .skip_while(|&r| Some(r) != current)
        .skip(1);
    let above = policy
        .org_roles
        .iter()
        .copied()
        .filter(|&r| Some(r) != current);
    below
        .chain(above)
        .find_map(|r| role_change_refusal(policy, state, actor, target, r))
        .map_or_else(
            || "There is no other role to give.".to_string(),
            |refusal| match refusal {
                steward_core::Refusal::LastAdmin => "This is the only admin: demoting them would leave the organization with fewer admins than its policy requires.".to_string(),
                other => super::page::api_words(&other.into()),
            },
        )
}

/// The rows for `items`, decided against one state: what each dropdown offers
/// comes from the same rules a change is decided by.
fn rows(app: &Application, me: &UserId, items: &[MemberView], state: &OrgState) -> Vec<UserRow> {
    let policy = app.service().policy();
    let now = app.service().clock().now();
    let actor = state.member(me);
    let owner = state.owner_id(policy).cloned();
    items
        .iter()
        .filter_map(|item| {
            let id = UserId::parse(&item.user_id).ok()?;
            let target = state.member(&id)?;
            let (options, locked) = match actor {
                Some(actor) => {
                    let assignable = assignable_roles(policy, state, actor, target);
                    let locked = assignable
                        .is_empty()
                        .then(|| lock_reason(policy, state, actor, target));
                    let mut options = vec![RoleOption {
                        name: target.role.clone(),
                        label: role_label(policy, &target.role),
                        selected: true,
                    }];
                    options.extend(assignable.iter().map(|&r| {
                        let role = policy.role(r);
                        RoleOption {
                            name: role.name.clone(),
                            label: role.label.clone(),
                            selected: false,
                        }
                    }));
                    (options, locked)
                }
                None => (Vec::new(), Some("You are not a member here.".to_string())),
            };
            let probe = Command::DeleteMember {
                user_id: id.clone(),
                hand_over_to_root: false,
            };
            let undeletable =
                steward_core::decide(policy, state, &Actor::User(me.clone()), probe, now)
                    .err()
                    .map(|r| super::page::api_words(&r.into()));
            let scopes = item
                .scopes
                .iter()
                .map(|s| {
                    let name = steward_core::ObjectId::parse(&s.object_id)
                        .ok()
                        .and_then(|o| state.object(&o).map(|o| o.name.to_string()))
                        .unwrap_or_else(|| s.object_id.clone());
                    format!("{name}: {}", s.roles.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ");
            Some(UserRow {
                id: item.user_id.clone(),
                name: item.name.clone(),
                email: item.email.clone(),
                role_label: role_label(policy, &item.role),
                is_owner: owner.as_ref() == Some(&id),
                is_me: &id == me,
                options,
                locked,
                undeletable,
                scopes,
                warnings: item.warnings.iter().map(|w| warning_words(w)).collect(),
                error: None,
                saved: None,
            })
        })
        .collect()
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
    let role = query.role.clone().filter(|r| !r.is_empty());
    let q = query.q.clone().filter(|q| !q.is_empty());
    let paged = query.cursor.is_some();
    let listed = members::list(
        State(app.clone()),
        Caller::Account(browser.user.clone()),
        ApiPath(org.to_string()),
        crate::http::extract::ApiQuery(MemberQuery {
            role: role.clone(),
            q: q.clone(),
            limit: Some(50),
            cursor: query.cursor.clone(),
        }),
    )
    .await;
    let page = match listed {
        Ok(Json(page)) => page,
        Err(e) => return closed_section(frame, "Users", e),
    };
    let me = browser.user.clone();
    let (rows, total) = app
        .service()
        .read(&in_org.org, |state| {
            (rows(app, &me, &page.items, state), state.member_count())
        })
        .await?;
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
    let may_manage = in_org.require("members:manage").is_ok();
    Ok(render(&UsersPage {
        frame,
        rows,
        q: q.unwrap_or_default(),
        role: role.unwrap_or_default(),
        roles,
        total,
        next: page.next_cursor,
        paged,
        may_manage,
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
    let role = posted.fields.get("role").map(str::to_string);
    let outcome = members::update(
        State(app.clone()),
        Caller::Account(posted.browser.user.clone()),
        ApiPath((org.clone(), user.clone())),
        crate::http::extract::ApiJson(UpdateMember {
            name: None,
            role,
            email: None,
        }),
    )
    .await;
    if !posted.htmx {
        return match outcome {
            Ok(_) => Ok(Redirect::to(&format!("/orgs/{org}/users?done=saved")).into_response()),
            Err(e) => Err(e.into()),
        };
    }
    let in_org = InOrg::resolve(
        app.service(),
        Caller::Account(posted.browser.user.clone()),
        &org,
    )?;
    let target = members::parse_user(&user)?;
    let view = members::current_member(&app, &in_org, &target).await?;
    let me = posted.browser.user.clone();
    let mut row = app
        .service()
        .read(&in_org.org, |state| {
            rows(&app, &me, std::slice::from_ref(&view), state)
        })
        .await?
        .pop()
        .ok_or_else(|| ApiError::from(steward_core::Refusal::UnknownMember(target.clone())))?;
    match outcome {
        Ok(_) => row.saved = Some(format!("Saved: {} is now {}.", row.name, row.role_label)),
        Err(e) => row.error = Some(super::page::api_words(&e)),
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
    let Json(view) = members::read(
        State(app.clone()),
        Caller::Account(browser.user.clone()),
        ApiPath((org.to_string(), user.to_string())),
    )
    .await?;
    let me = browser.user.clone();
    let policy = app.service().policy().clone();
    let (row, scopes) = app
        .service()
        .read(&in_org.org, |state| {
            let row = rows(app, &me, std::slice::from_ref(&view), state).pop();
            let target = UserId::parse(&view.user_id).ok();
            // Only the scopes the editor may see: the others are not theirs to know of.
            let scopes = state
                .objects()
                .filter(|o| in_org.sees(o.id.as_str()))
                .filter_map(|o| {
                    let ty = policy.type_index(&o.object_type)?;
                    let object_type = policy.object_type(ty);
                    if !object_type.scope {
                        return None;
                    }
                    let held = target.as_ref().and_then(|t| state.scope_roles(t, &o.id));
                    Some(ScopeEdit {
                        id: o.id.to_string(),
                        name: o.name.to_string(),
                        type_label: object_type.label.clone(),
                        multiple: object_type.multiple_roles,
                        roles: policy
                            .roles_at(ty)
                            .map(|r| {
                                let role = policy.role(r);
                                RoleOption {
                                    name: role.name.clone(),
                                    label: role.label.clone(),
                                    selected: held.is_some_and(|h| h.contains(&role.name)),
                                }
                            })
                            .collect(),
                    })
                })
                .collect::<Vec<_>>();
            (row, scopes)
        })
        .await?;
    let row =
        row.ok_or_else(|| ApiError::from(steward_core::Refusal::UnknownMember(me.clone())))?;
    render(&EditPage {
        frame,
        user: view,
        options: row.options,
        locked: row.locked,
        scopes,
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
    let in_org = InOrg::resolve(
        app.service(),
        Caller::Account(posted.browser.user.clone()),
        &org,
    )?;
    let target = members::parse_user(&user)?;
    let f = &posted.fields;
    let attempt = async {
        let current = members::current_member(&app, &in_org, &target).await?;
        let mut commands = Vec::new();
        if let Some(name) = f.get("name").filter(|n| *n != current.name) {
            commands.push(Command::Rename {
                user_id: target.clone(),
                name: steward_core::Name::parse(name).map_err(|e| ApiError::field("name", e))?,
            });
        }
        if let Some(role) = f.get("role").filter(|r| *r != current.role) {
            commands.push(Command::ChangeRole {
                user_id: target.clone(),
                role: role.to_string(),
            });
        }
        for scope in f.all("scope") {
            let object_id = members::parse_object(scope)?;
            let field = format!("scope_roles:{scope}");
            let mut roles: Vec<String> = f
                .all(&field)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect();
            roles.sort();
            let mut held: Vec<String> = current
                .scopes
                .iter()
                .find(|s| s.object_id == scope)
                .map(|s| s.roles.clone())
                .unwrap_or_default();
            held.sort();
            if roles != held {
                commands.push(Command::SetScopeRoles {
                    user_id: target.clone(),
                    object_id,
                    roles,
                });
            }
        }
        if !commands.is_empty() {
            app.service()
                .execute_together(&in_org.org, &in_org.actor()?, commands)
                .await?;
        }
        Ok::<_, ApiError>(())
    };
    let done = format!("/orgs/{org}/users?done=saved");
    after_change(attempt.await, done, |n| async {
        let page = show_edit(&app, &posted.browser, &org, &user, Some(n.text)).await?;
        Ok(page.into_response())
    })
    .await
}

#[derive(Template)]
#[template(path = "deleted.html")]
struct DeletedPage {
    frame: Frame,
    deleted: Vec<String>,
    refused: Vec<(String, String)>,
}

/// The confirmation dialog's Delete: the API's bulk delete, so each selected
/// member is decided by the rule of a single deletion and those the rules keep
/// are listed with the reason.
async fn delete_users(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = InOrg::resolve(
        app.service(),
        Caller::Account(posted.browser.user.clone()),
        &org,
    )?;
    let user_ids: Vec<String> = posted.fields.all("user_ids").map(str::to_string).collect();
    // Names first: the deleted are gone from the state afterwards.
    let names: std::collections::HashMap<String, String> = app
        .service()
        .read(&in_org.org, |state| {
            user_ids
                .iter()
                .filter_map(|id| {
                    let user = UserId::parse(id).ok()?;
                    Some((id.clone(), state.member(&user)?.name.to_string()))
                })
                .collect()
        })
        .await?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let body = BulkDeleteBody {
        user_ids: user_ids.clone(),
        transfer_objects_to: posted.fields.get("hand_over").map(|_| "root".to_string()),
    };
    let Json(outcome) = members::bulk_delete(
        State(app.clone()),
        Caller::Account(posted.browser.user.clone()),
        ApiPath(org.clone()),
        crate::http::extract::ApiJson(body),
    )
    .await?;
    let deleted: Vec<String> = outcome.deleted.iter().map(|id| name(id)).collect();
    let refused: Vec<(String, String)> = outcome
        .refused
        .iter()
        .map(|r| (name(&r.user_id), sentence(&r.message)))
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
    let in_org = InOrg::resolve(
        app.service(),
        Caller::Account(posted.browser.user.clone()),
        &org,
    )?;
    let f = &posted.fields;
    let body = InviteBody {
        email: f.get("email").unwrap_or("").to_string(),
        name: f.get("name").map(str::to_string),
        role: f.get("role").map(str::to_string),
        scopes: Vec::new(),
        expires_in_days: None,
    };
    let outcome = match in_org.actor() {
        Ok(actor) => members::create_invitation(&app, &in_org.org, &actor, body).await,
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(view) => {
            let invited = Invited {
                email: view.email.clone(),
                url: view.accept_url.unwrap_or_default(),
            };
            let notice = Notice::ok(format!(
                "Invited {}. Send them the link below; it works once and expires in 7 days.",
                view.email
            ));
            show_users(
                &app,
                &posted.browser,
                &org,
                UsersQuery::default(),
                Some(notice),
                Some(invited),
            )
            .await
        }
        Err(e @ ApiError::Internal(_)) => Err(e.into()),
        Err(e) => {
            show_users(
                &app,
                &posted.browser,
                &org,
                UsersQuery::default(),
                Some(Notice::error(&e)),
                None,
            )
            .await
        }
    }
}

/// The members as CSV (`email,name,role,scopes`), the shape the import reads.
async fn export(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    let caller = Caller::Account(browser.user.clone());
    Ok(crate::http::exports::members_export(State(app), caller, ApiPath(org)).await?)
}
