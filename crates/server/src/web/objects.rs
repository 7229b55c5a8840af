//! Objects and the Permissions dialog (docs/model.md#seed-002-analytics): every member with their
//! actions on one object, the ones a role, ownership or root gives ticked and
//! locked with the source named, grants editable, and "Make owner".

use super::form::{PageQuery, Posted};
use super::page::{after_change, render, role_label, DoneQuery, Frame, Notice, PageError, Source};
use super::session::Browser;
use crate::application::{Application, Caller};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::objects::{self, GrantBody, ObjectQuery, OwnerBody};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use steward_core::{ObjectId, Policy, UserId};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/objects", get(list_page))
        .route(
            "/orgs/{org}/objects/{id}/permissions",
            get(permissions_page),
        )
        .route("/orgs/{org}/objects/{id}/grants/{user}", post(save_grant))
        .route("/orgs/{org}/objects/{id}/owner", post(make_owner))
}

#[derive(Template)]
#[template(path = "objects.html")]
struct ObjectsPage {
    frame: Frame,
    types: Vec<(String, String, bool)>,
    rows: Vec<ObjectRow>,
    next: Option<String>,
    object_type: String,
}

struct ObjectRow {
    id: String,
    name: String,
    type_label: String,
    parent: String,
    owner: String,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(rename = "type")]
    object_type: Option<String>,
    cursor: Option<String>,
}

async fn list_page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "objects").await?;
    let object_type = q.object_type.filter(|t| !t.is_empty());
    let Json(page) = objects::list(
        State(app.clone()),
        Caller::Account(browser.user.clone()),
        ApiPath(org.clone()),
        ApiQuery(ObjectQuery {
            object_type: object_type.clone(),
            parent_id: None,
            allowed_for: None,
            action: None,
            limit: Some(200),
            cursor: q.cursor,
        }),
    )
    .await?;
    let policy = app.service().policy().clone();
    let label_of = |t: &str| {
        policy
            .type_index(t)
            .map_or_else(|| t.to_string(), |i| policy.object_type(i).label.clone())
    };
    let rows = app
        .service()
        .read(&in_org.org, |state| {
            let object_name = |id: &Option<String>| {
                id.as_deref()
                    .and_then(|i| ObjectId::parse(i).ok())
                    .and_then(|i| state.object(&i).map(|o| o.name.to_string()))
                    .unwrap_or_default()
            };
            let member_name = |id: &Option<String>| {
                id.as_deref()
                    .and_then(|i| UserId::parse(i).ok())
                    .and_then(|u| state.member(&u).map(|m| m.name.to_string()))
                    .unwrap_or_default()
            };
            page.items
                .iter()
                .map(|o| ObjectRow {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    type_label: label_of(&o.object_type),
                    parent: object_name(&o.parent_id),
                    owner: member_name(&o.owner_id),
                })
                .collect::<Vec<_>>()
        })
        .await?;
    let types = policy
        .types
        .iter()
        .skip(1)
        .map(|t| {
            let selected = object_type.as_deref() == Some(t.name.as_str());
            (t.name.clone(), t.label.clone(), selected)
        })
        .collect();
    Ok(render(&ObjectsPage {
        frame,
        types,
        rows,
        next: page.next_cursor,
        object_type: object_type.unwrap_or_default(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "permissions.html")]
struct PermissionsPage {
    frame: Frame,
    object_id: String,
    object_name: String,
    type_label: String,
    owner_name: String,
    /// What moves with the object when its owner changes ("questions").
    children: Option<String>,
    /// The column headings: the action's own part, `project:append_rows` -> `append rows`.
    headings: Vec<String>,
    rows: Vec<PermissionRow>,
}

struct PermissionRow {
    user_id: String,
    name: String,
    is_owner: bool,
    cells: Vec<Cell>,
}

/// One checkbox: ticked and locked with its source, or a grant to edit.
struct Cell {
    action: String,
    ticked: bool,
    locked: Option<String>,
}

async fn permissions_page(
    State(app): State<Application>,
    browser: Browser,
    Path((org, id)): Path<(String, String)>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("granted") => Some(Notice::ok("The grant is saved.")),
        Some("owner") => Some(Notice::ok(
            "The owner is changed, and everything inside moved with it.",
        )),
        _ => None,
    };
    show_permissions(&app, &browser, &org, &id, notice).await
}

/// Where an action comes from, in words.
fn source_words(source: &str, place: impl Fn(&str) -> String, policy: &Policy) -> String {
    match Source::parse(source) {
        Source::Root => "Root account: may do everything on every object".to_string(),
        Source::Owner => "Owner: may do everything on what they own".to_string(),
        Source::Role { role, node } => format!(
            "Given by the role {} on {}",
            role_label(policy, role),
            place(node)
        ),
        Source::Grant { node } => format!("Granted on {}", place(node)),
        Source::Other(s) => s.to_string(),
    }
}

async fn show_permissions(
    app: &Application,
    browser: &Browser,
    org: &str,
    id: &str,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "objects").await?;
    frame.notice = notice;
    let caller = Caller::Account(browser.user.clone());
    let Json(object) = objects::read(
        State(app.clone()),
        caller.clone(),
        ApiPath((org.to_string(), id.to_string())),
    )
    .await?;
    let Json(view) = objects::permissions(
        State(app.clone()),
        caller,
        ApiPath((org.to_string(), id.to_string())),
    )
    .await?;
    let policy = app.service().policy().clone();
    let ty = policy.type_index(&object.object_type);
    let actions: Vec<String> = ty
        .map(|t| {
            policy
                .object_type(t)
                .actions
                .iter()
                .map(|a| policy.action(a).name.clone())
                .collect()
        })
        .unwrap_or_default();
    let children = ty.and_then(|t| {
        let labels: Vec<String> = policy
            .types
            .iter()
            .filter(|c| c.parent == Some(t) && c.inherits)
            .map(|c| format!("{}s", c.label.to_lowercase()))
            .collect();
        (!labels.is_empty()).then(|| labels.join(", "))
    });
    let org_id = in_org.org.to_string();
    let page = app
        .service()
        .read(&in_org.org, |state| {
            let place = |node: &str| {
                if node == org_id {
                    return "the organization".to_string();
                }
                ObjectId::parse(node)
                    .ok()
                    .and_then(|o| state.object(&o).map(|o| o.name.to_string()))
                    .unwrap_or_else(|| node.to_string())
            };
            let rows = view
                .entries
                .iter()
                .filter_map(|e| {
                    let user = UserId::parse(&e.user_id).ok()?;
                    let member = state.member(&user)?;
                    let granted = ObjectId::parse(id)
                        .ok()
                        .and_then(|o| state.grant(&o, &user).cloned())
                        .unwrap_or_default();
                    let cells = actions
                        .iter()
                        .map(|a| {
                            let locked = e
                                .locked
                                .iter()
                                .find(|l| &l.action == a)
                                .map(|l| source_words(&l.source, place, &policy));
                            Cell {
                                action: a.clone(),
                                ticked: locked.is_some() || granted.contains(a),
                                locked,
                            }
                        })
                        .collect();
                    Some(PermissionRow {
                        user_id: e.user_id.clone(),
                        name: member.name.to_string(),
                        is_owner: object.owner_id.as_deref() == Some(e.user_id.as_str()),
                        cells,
                    })
                })
                .collect::<Vec<_>>();
            let owner_name = object
                .owner_id
                .as_deref()
                .and_then(|u| UserId::parse(u).ok())
                .and_then(|u| state.member(&u).map(|m| m.name.to_string()))
                .unwrap_or_else(|| "nobody".to_string());
            (rows, owner_name)
        })
        .await?;
    Ok(render(&PermissionsPage {
        frame,
        object_id: object.id.clone(),
        object_name: object.name.clone(),
        type_label: ty.map_or_else(String::new, |t| policy.object_type(t).label.clone()),
        owner_name: page.1,
        children,
        headings: actions
            .iter()
            .map(|a| {
                a.split_once(':')
                    .map_or(a.as_str(), |(_, act)| act)
                    .replace('_', " ")
            })
            .collect(),
        rows: page.0,
    })?
    .into_response())
}

async fn save_grant(
    State(app): State<Application>,
    Path((org, id, user)): Path<(String, String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let body = GrantBody {
        actions: posted.fields.all("actions").map(str::to_string).collect(),
    };
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = objects::set_grant(
        State(app.clone()),
        caller,
        ApiPath((org.clone(), id.clone(), user)),
        ApiJson(body),
    )
    .await
    .map(|_| ());
    let done = format!("/orgs/{org}/objects/{id}/permissions?done=granted");
    after_change(outcome, done, |n| {
        show_permissions(&app, &posted.browser, &org, &id, Some(n))
    })
    .await
}

async fn make_owner(
    State(app): State<Application>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let body = OwnerBody {
        user_id: posted.fields.get("user_id").unwrap_or("").to_string(),
    };
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = objects::change_owner(
        State(app.clone()),
        caller,
        ApiPath((org.clone(), id.clone())),
        ApiJson(body),
    )
    .await
    .map(|_| ());
    let done = format!("/orgs/{org}/objects/{id}/permissions?done=owner");
    after_change(outcome, done, |n| {
        show_permissions(&app, &posted.browser, &org, &id, Some(n))
    })
    .await
}
