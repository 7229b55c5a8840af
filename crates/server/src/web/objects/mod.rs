//! The Objects page: everything permissions are about, listed, created,
//! renamed, moved and deleted by the policy's own rules (what core's `decide`
//! would accept is offered; the rest is greyed with the reason in words).
//! The object's own page and the Permissions dialog have their own files.

mod object_page;
mod permissions;

use super::form::{PageQuery, Posted};
use super::page::{after_change, render, words, Frame, Notice, PageError};
use super::session::Browser;
use crate::application::objects::{CreateObject, ObjectOffers, ObjectQuery, UpdateObject};
use crate::application::{AppError, Application};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use steward_core::{ObjectId, Refusal, UserId};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/objects", get(list_page).post(create))
        .route("/orgs/{org}/objects/{id}/edit", post(update))
        .route("/orgs/{org}/objects/{id}/delete", post(delete))
        .merge(object_page::router())
        .merge(permissions::router())
}

#[derive(Template)]
#[template(path = "objects.html")]
struct ObjectsPage {
    frame: Frame,
    types: Vec<(String, String, bool)>,
    creatable: Vec<NewObject>,
    rows: Vec<ObjectRow>,
    next: Option<String>,
    object_type: String,
}

/// A "New site" button and its dialog, or the button greyed with the reason.
struct NewObject {
    object_type: String,
    label: String,
    /// Where one may go, for a type that sits inside another object.
    parents: Vec<(String, String)>,
    refusal: Option<String>,
}

pub(super) struct ObjectRow {
    id: String,
    name: String,
    type_label: String,
    parent_id: String,
    parent: String,
    owner: String,
    offers: RowOffers,
}

/// What the caller may do to a row, each refusal in words.
pub(super) struct RowOffers {
    pub rename: Option<String>,
    pub delete: Option<String>,
    pub share: Option<String>,
    pub movable: bool,
    pub move_to: Vec<(String, String)>,
    pub unmovable: Option<String>,
    /// "2 questions": what goes with it when it is deleted.
    pub inside: String,
}

impl RowOffers {
    pub fn editable(&self) -> bool {
        self.rename.is_none() || (self.movable && self.unmovable.is_none())
    }

    /// Why the Edit button is greyed.
    pub fn edit_refusal(&self) -> String {
        self.rename.clone().unwrap_or_default()
    }
}

pub(super) fn in_words(refusal: Refusal) -> String {
    words(&AppError::from(refusal))
}

impl From<ObjectOffers> for RowOffers {
    fn from(o: ObjectOffers) -> RowOffers {
        let inside = o
            .inside
            .iter()
            .map(|(label, n)| {
                let label = label.to_lowercase();
                if *n == 1 {
                    format!("1 {label}")
                } else {
                    format!("{n} {label}s")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        RowOffers {
            rename: o.rename.map(in_words),
            delete: o.delete.map(in_words),
            share: o.share.map(|e| words(&e)),
            movable: o.movable,
            move_to: o.move_to,
            unmovable: o.unmovable.map(in_words),
            inside,
        }
    }
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(rename = "type")]
    object_type: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

async fn list_page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("created") => Some(Notice::ok("Created. You own it.")),
        Some("saved") => Some(Notice::ok("Saved.")),
        Some("deleted") => Some(Notice::ok(
            "Deleted, with everything inside it and every grant on them.",
        )),
        _ => None,
    };
    show_list(&app, &browser, &org, q.object_type, q.cursor, notice).await
}

async fn show_list(
    app: &Application,
    browser: &Browser,
    org: &str,
    object_type: Option<String>,
    cursor: Option<String>,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "objects").await?;
    frame.notice = notice;
    let object_type = object_type.filter(|t| !t.is_empty());
    let query = ObjectQuery {
        object_type: object_type.clone(),
        limit: Some(50),
        cursor,
        ..ObjectQuery::default()
    };
    let page = app.steward.objects(&in_org, query).await?;
    let ids: Vec<ObjectId> = page
        .items
        .iter()
        .filter_map(|o| ObjectId::parse(&o.id).ok())
        .collect();
    let mut offers = app.steward.object_offers(&in_org, &ids).await?;
    let creatable = app
        .steward
        .creatable_types(&in_org)
        .await?
        .into_iter()
        .map(|c| NewObject {
            object_type: c.object_type,
            label: c.label,
            parents: c.parents,
            refusal: c.refusal.map(in_words),
        })
        .collect();
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
                .filter_map(|o| {
                    let at = offers.iter().position(|x| x.id.as_str() == o.id)?;
                    Some(ObjectRow {
                        id: o.id.clone(),
                        name: o.name.clone(),
                        type_label: label_of(&o.object_type),
                        parent_id: o.parent_id.clone().unwrap_or_default(),
                        parent: object_name(&o.parent_id),
                        owner: member_name(&o.owner_id),
                        offers: offers.swap_remove(at).into(),
                    })
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
        creatable,
        rows,
        next: page.next_cursor,
        object_type: object_type.unwrap_or_default(),
    })?
    .into_response())
}

async fn create(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let f = &posted.fields;
    let input = CreateObject {
        object_type: f.get("type").unwrap_or("").to_string(),
        name: f.get("name").unwrap_or("").trim().to_string(),
        parent_id: f
            .get("parent_id")
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        owner_id: None,
    };
    let outcome = async {
        let in_org = posted.in_org(&app, &org)?;
        app.steward.create_object(&in_org, input).await?;
        Ok::<_, AppError>(())
    }
    .await;
    let done = format!("/orgs/{org}/objects?done=created");
    after_change(outcome, done, |n| {
        show_list(&app, &posted.browser, &org, None, None, Some(n))
    })
    .await
}

/// The Edit dialog's save: only what differs is changed (a rename, a move, or
/// both as one change). `back` is the page the form came from.
async fn update(
    State(app): State<Application>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let f = &posted.fields;
    let outcome = async {
        let in_org = posted.in_org(&app, &org)?;
        let now = app.steward.object(&in_org, &id).await?;
        let name = f.get("name").map(str::trim).filter(|n| *n != now.name);
        let parent = f
            .get("parent_id")
            .filter(|p| !p.is_empty() && Some(*p) != now.parent_id.as_deref());
        if name.is_none() && parent.is_none() {
            return Ok(());
        }
        let input = UpdateObject {
            name: name.map(str::to_string),
            parent_id: parent.map(str::to_string),
        };
        app.steward.update_object(&in_org, &id, input).await?;
        Ok::<_, AppError>(())
    }
    .await;
    // A refusal is shown on the page the form came from.
    if f.get("back") == Some("object") {
        let done = format!("/orgs/{org}/objects/{id}?done=saved");
        return after_change(outcome, done, |n| {
            object_page::show(&app, &posted.browser, &org, &id, Some(n))
        })
        .await;
    }
    let done = format!("/orgs/{org}/objects?done=saved");
    after_change(outcome, done, |n| {
        show_list(&app, &posted.browser, &org, None, None, Some(n))
    })
    .await
}

async fn delete(
    State(app): State<Application>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let outcome = async {
        let in_org = posted.in_org(&app, &org)?;
        app.steward.delete_object(&in_org, &id).await?;
        Ok::<_, AppError>(())
    }
    .await;
    let done = format!("/orgs/{org}/objects?done=deleted");
    after_change(outcome, done, |n| {
        show_list(&app, &posted.browser, &org, None, None, Some(n))
    })
    .await
}
