//! The Permissions dialog (docs/model.md#seed-002-analytics), for whoever may
//! share the object: the members with their actions on one object, 50 a page
//! and searched as on the Users page, the ones a role, ownership or root gives
//! ticked and locked with the source named, grants editable, and "Make owner".

use crate::application::checks::{Because, Node};
use crate::application::{AppError, Application, Caller};
use crate::web::form::{PageQuery, Posted};
use crate::web::page::{after_change, render, Frame, Notice, PageError};
use crate::web::session::Browser;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use steward_core::policy::TypeIndex;
use steward_core::Policy;

pub fn router() -> Router<Application> {
    Router::new()
        .route(
            "/orgs/{org}/objects/{id}/permissions",
            get(permissions_page),
        )
        .route("/orgs/{org}/objects/{id}/grants/{user}", post(save_grant))
        .route("/orgs/{org}/objects/{id}/owner", post(make_owner))
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
    /// The search, the cursor of the next page, whether this is not the first.
    q: String,
    next: Option<String>,
    paged: bool,
    /// Members in the organization, whatever the search.
    total: usize,
}

/// `?q=&cursor=`: the search and the page, as on the Users page.
#[derive(Deserialize, Default)]
struct PermissionsQuery {
    q: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

struct PermissionRow {
    user_id: String,
    name: String,
    email: String,
    is_owner: bool,
    cells: Vec<Cell>,
}

/// One checkbox: ticked and locked with its source, or a grant to edit.
struct Cell {
    action: String,
    /// The column's heading, repeated beside the box at phone width.
    heading: String,
    ticked: bool,
    locked: Option<String>,
}

async fn permissions_page(
    State(app): State<Application>,
    browser: Browser,
    Path((org, id)): Path<(String, String)>,
    PageQuery(q): PageQuery<PermissionsQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("granted") => Some(Notice::ok("The grant is saved.")),
        Some("owner") => Some(Notice::ok(
            "The owner is changed, and everything inside moved with it.",
        )),
        _ => None,
    };
    show_permissions(&app, &browser, &org, &id, notice, q).await
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
pub(super) fn heading(action: &str) -> String {
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
    query: PermissionsQuery,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "objects").await?;
    frame.notice = notice;
    let object = app.steward.object(&in_org, id).await?;
    let q = query.q.unwrap_or_default();
    let paged = query.cursor.is_some();
    let (page, total) = app
        .steward
        .object_permissions_page(&in_org, id, Some(q.trim()), query.cursor.as_deref())
        .await?;
    let owner_name = match object.owner_id.as_deref() {
        Some(owner) => app
            .service()
            .read(&in_org.org, |state| {
                steward_core::UserId::parse(owner)
                    .ok()
                    .and_then(|u| state.member(&u).map(|m| m.name.to_string()))
            })
            .await?
            .unwrap_or_else(|| "nobody".to_string()),
        None => "nobody".to_string(),
    };
    let policy = in_org.snapshot.policy();
    let ty = policy.type_index(&object.object_type);
    let (actions, children) = ty.map_or_else(Default::default, |t| of_type(policy, t));
    let rows = page
        .items
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
                        heading: heading(a),
                        ticked: locked.is_some() || e.granted.contains(a),
                        locked,
                    }
                })
                .collect();
            PermissionRow {
                is_owner: object.owner_id.as_deref() == Some(e.user_id.as_str()),
                user_id: e.user_id,
                name: e.name,
                email: e.email,
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
        q,
        next: page.next_cursor,
        paged,
        total,
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
        show_permissions(
            &app,
            &posted.browser,
            &org,
            &id,
            Some(n),
            PermissionsQuery::default(),
        )
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
        show_permissions(
            &app,
            &posted.browser,
            &org,
            &id,
            Some(n),
            PermissionsQuery::default(),
        )
    })
    .await
}
