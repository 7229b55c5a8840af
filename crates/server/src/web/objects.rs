//! Objects and the Permissions dialog (docs/model.md#seed-002-analytics): every member with their
//! actions on one object, the ones a role, ownership or root gives ticked and
//! locked with the source named, grants editable, and "Make owner".

use super::form::{PageQuery, Posted};
use super::page::{after_change, render, DoneQuery, Frame, Notice, PageError};
use super::session::Browser;
use crate::application::checks::{Because, Node};
use crate::application::objects::ObjectQuery;
use crate::application::{AppError, Application, Caller};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use steward_core::policy::TypeIndex;
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
    let query = ObjectQuery {
        object_type: object_type.clone(),
        limit: Some(200),
        cursor: q.cursor,
        ..ObjectQuery::default()
    };
    let page = app.steward.objects(&in_org, query).await?;
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
fn source_words(source: &Because) -> String {
    let place = |node: &Node| match node {
        Node::Organization { .. } => "the organization".to_string(),
        Node::Object {
            name: Some(name), ..
        } => name.clone(),
        Node::Object { id, name: None } => id.clone(),
    };
    match source {
        Because::Root => "Root account: may do everything on every object".to_string(),
        Because::Owner => "Owner: may do everything on what they own".to_string(),
        Because::Role { label, node, .. } => {
            format!("Given by the role {label} on {}", place(node))
        }
        Because::Grant { node } => format!("Granted on {}", place(node)),
        Because::Denied(denial) => denial.as_str().to_string(),
    }
}

/// A type's actions (the dialog's columns), and what moves with an object of
/// it when its owner changes ("questions"), if anything does.
fn of_type(policy: &Policy, ty: TypeIndex) -> (Vec<String>, Option<String>) {
    let actions = policy
        .object_type(ty)
        .actions
        .iter()
        .map(|a| policy.action(a).name.clone())
        .collect();
    let labels: Vec<String> = policy
        .types
        .iter()
        .filter(|c| c.parent == Some(ty) && c.inherits)
        .map(|c| format!("{}s", c.label.to_lowercase()))
        .collect();
    (actions, (!labels.is_empty()).then(|| labels.join(", ")))
}

/// A column's heading: the action's own part, `project:append_rows` -> `append rows`.
fn heading(action: &str) -> String {
    action
        .split_once(':')
        .map_or(action, |(_, act)| act)
        .replace('_', " ")
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
    let object = app.steward.object(&in_org, id).await?;
    let view = app.steward.object_permissions(&in_org, id).await?;
    let policy = in_org.snapshot.policy();
    let ty = policy.type_index(&object.object_type);
    let (actions, children) = ty.map_or_else(Default::default, |t| of_type(policy, t));
    let owner_name = view
        .entries
        .iter()
        .find(|e| object.owner_id.as_deref() == Some(e.user_id.as_str()))
        .map_or_else(|| "nobody".to_string(), |e| e.name.clone());
    let rows = view
        .entries
        .into_iter()
        .map(|e| {
            let cells = actions
                .iter()
                .map(|a| {
                    let locked = e
                        .locked
                        .iter()
                        .find(|l| &l.action == a)
                        .map(|l| source_words(&l.source));
                    Cell {
                        action: a.clone(),
                        ticked: locked.is_some() || e.granted.contains(a),
                        locked,
                    }
                })
                .collect();
            PermissionRow {
                is_owner: object.owner_id.as_deref() == Some(e.user_id.as_str()),
                user_id: e.user_id,
                name: e.name,
                cells,
            }
        })
        .collect();
    Ok(render(&PermissionsPage {
        frame,
        object_id: object.id.clone(),
        object_name: object.name.clone(),
        type_label: ty.map_or_else(String::new, |t| policy.object_type(t).label.clone()),
        owner_name,
        children,
        headings: actions.iter().map(|a| heading(a)).collect(),
        rows,
    })?
    .into_response())
}

async fn save_grant(
    State(app): State<Application>,
    Path((org, id, user)): Path<(String, String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let actions = posted.fields.all("actions").map(str::to_string).collect();
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = async {
        let in_org = app.steward.in_org(caller, &org)?;
        app.steward.set_grant(&in_org, &id, &user, actions).await?;
        Ok::<_, AppError>(())
    }
    .await;
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
    let user = posted.fields.get("user_id").unwrap_or("");
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = async {
        let in_org = app.steward.in_org(caller, &org)?;
        app.steward.change_object_owner(&in_org, &id, user).await?;
        Ok::<_, AppError>(())
    }
    .await;
    let done = format!("/orgs/{org}/objects/{id}/permissions?done=owner");
    after_change(outcome, done, |n| {
        show_permissions(&app, &posted.browser, &org, &id, Some(n))
    })
    .await
}
