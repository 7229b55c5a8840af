//! One object's page, `/orgs/{org}/objects/{id}`: where it sits, what the
//! caller may do there, what is inside it (a project's questions) with the
//! object's actions, and for a scope (a system) the members holding a role on
//! it, seed 000's "DataMiner System's Users page", changed through the
//! members' scope-role use case.

use super::{in_words, ObjectRow, RowOffers};
use crate::application::objects::ScopeMembers;
use crate::application::{AppError, Application};
use crate::web::form::{PageQuery, Posted};
use crate::web::page::{after_change, render, words, DoneQuery, Frame, Notice, PageError};
use crate::web::session::Browser;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use steward_core::{ObjectId, Refusal, UserId};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/objects/{id}", get(object_page))
        .route("/orgs/{org}/objects/{id}/members", post(set_member_role))
}

#[derive(Template)]
#[template(path = "object.html")]
struct ObjectPage {
    frame: Frame,
    o: ObjectRow,
    back: &'static str,
    /// What the caller may do on it, as the Permissions dialog heads them.
    my_actions: Vec<String>,
    children: Vec<Child>,
    /// "New question" here, or why not.
    new_child: Vec<NewChild>,
    /// For a scope object: its members and their roles there.
    scope: Option<ScopeSection>,
}

struct Child {
    id: String,
    name: String,
    type_label: String,
}

struct NewChild {
    object_type: String,
    label: String,
    refusal: Option<String>,
}

struct ScopeSection {
    roles: Vec<(String, String)>,
    holders: Vec<Holder>,
    candidates: Vec<(String, String, String)>,
    add_refusal: Option<String>,
    /// Why the members cannot be listed (the caller lacks members:view).
    closed: Option<String>,
}

struct Holder {
    user_id: String,
    name: String,
    email: String,
    roles: String,
    held: Vec<String>,
    offered: Vec<String>,
    locked: Option<String>,
}

async fn object_page(
    State(app): State<Application>,
    browser: Browser,
    Path((org, id)): Path<(String, String)>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("saved") => Some(Notice::ok("Saved.")),
        Some("role") => Some(Notice::ok("The member's role here is saved.")),
        _ => None,
    };
    show(&app, &browser, &org, &id, notice).await
}

pub(super) async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    id: &str,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "objects").await?;
    frame.notice = notice;
    let object = app.steward.object(&in_org, id).await?;
    let object_id = ObjectId::parse(&object.id).map_err(|_| AppError::NoSuchObject)?;
    let offers: RowOffers = app
        .steward
        .object_offers(&in_org, std::slice::from_ref(&object_id))
        .await?
        .pop()
        .ok_or(AppError::NoSuchObject)?
        .into();
    let policy = in_org.snapshot.policy().clone();
    let label_of = |t: &str| {
        policy
            .type_index(t)
            .map_or_else(|| t.to_string(), |i| policy.object_type(i).label.clone())
    };
    let snapshot = &in_org.snapshot;
    let my_actions = match (snapshot.user(browser.user.as_str()), snapshot.node(id)) {
        (Some(u), Some(n)) => snapshot
            .permissions(u, n)
            .iter()
            .map(|a| super::permissions::heading(&policy.action(a).name))
            .collect(),
        _ => Vec::new(),
    };
    let (o, children) = app
        .service()
        .read(&in_org.org, |state| {
            let parent = object
                .parent_id
                .as_deref()
                .and_then(|p| ObjectId::parse(p).ok())
                .and_then(|p| state.object(&p).map(|o| o.name.to_string()))
                .unwrap_or_default();
            let owner = object
                .owner_id
                .as_deref()
                .and_then(|u| UserId::parse(u).ok())
                .and_then(|u| state.member(&u).map(|m| m.name.to_string()))
                .unwrap_or_default();
            let children: Vec<Child> = state
                .object(&object_id)
                .map(|o| {
                    o.children
                        .iter()
                        .filter(|c| in_org.sees(c.as_str()))
                        .filter_map(|c| state.object(c))
                        .map(|c| Child {
                            id: c.id.to_string(),
                            name: c.name.to_string(),
                            type_label: label_of(&c.object_type),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let o = ObjectRow {
                id: object.id.clone(),
                name: object.name.clone(),
                type_label: label_of(&object.object_type),
                parent_id: object.parent_id.clone().unwrap_or_default(),
                parent,
                owner,
                offers,
            };
            (o, children)
        })
        .await?;
    // The types that sit inside this one, and whether the caller may add one here.
    let new_child = app
        .steward
        .creatable_types(&in_org)
        .await?
        .into_iter()
        .filter(|c| {
            policy.type_index(&c.object_type).is_some_and(|t| {
                policy
                    .object_type(t)
                    .parent
                    .map(|p| policy.object_type(p).name.as_str())
                    == Some(object.object_type.as_str())
            })
        })
        .map(|c| {
            let here = c.parents.iter().any(|(p, _)| p == &object.id);
            NewChild {
                object_type: c.object_type,
                label: c.label,
                refusal: (!here).then(|| {
                    c.refusal
                        .map_or_else(|| in_words(Refusal::NotPermitted), in_words)
                }),
            }
        })
        .collect();
    let is_scope = policy
        .type_index(&object.object_type)
        .is_some_and(|t| policy.object_type(t).scope);
    let scope = if is_scope {
        Some(match app.steward.scope_members(&in_org, id).await {
            Ok(members) => scope_section(members),
            Err(e) if e.kind() == crate::application::ErrorKind::Forbidden => ScopeSection {
                roles: Vec::new(),
                holders: Vec::new(),
                candidates: Vec::new(),
                add_refusal: None,
                closed: Some(words(&e)),
            },
            Err(e) => return Err(e.into()),
        })
    } else {
        None
    };
    Ok(render(&ObjectPage {
        frame,
        o,
        back: "object",
        my_actions,
        children,
        new_child,
        scope,
    })?
    .into_response())
}

fn scope_section(m: ScopeMembers) -> ScopeSection {
    let label = |role: &str| {
        m.roles
            .iter()
            .find(|(r, _)| r == role)
            .map_or_else(|| role.to_string(), |(_, l)| l.clone())
    };
    ScopeSection {
        holders: m
            .holders
            .into_iter()
            .map(|h| Holder {
                roles: h
                    .roles
                    .iter()
                    .map(|r| label(r))
                    .collect::<Vec<_>>()
                    .join(", "),
                user_id: h.user_id,
                name: h.name,
                email: h.email,
                held: h.roles,
                offered: h.offered,
                locked: h.locked.map(in_words),
            })
            .collect(),
        candidates: m.candidates,
        add_refusal: m.add_refusal.map(|r| match r {
            Refusal::AlreadyMember => "Every member already has a role here.".to_string(),
            other => in_words(other),
        }),
        roles: m.roles,
        closed: None,
    }
}

/// Gives a member one role on this scope object (`""`: none, removing them).
async fn set_member_role(
    State(app): State<Application>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let user = posted.fields.get("user_id").unwrap_or("").to_string();
    let role = posted.fields.get("role").unwrap_or("");
    let roles: Vec<String> = if role.is_empty() {
        Vec::new()
    } else {
        vec![role.to_string()]
    };
    let outcome = async {
        let in_org = posted.in_org(&app, &org)?;
        let object = in_org.visible_object(&id)?;
        let user = crate::application::parse_user(&user)?;
        app.steward
            .set_scope_roles(&in_org, &user, &object, roles)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    let done = format!("/orgs/{org}/objects/{id}?done=role");
    after_change(outcome, done, |n| {
        show(&app, &posted.browser, &org, &id, Some(n))
    })
    .await
}
