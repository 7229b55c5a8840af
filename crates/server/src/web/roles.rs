//! Roles & permissions: the policy's role x permission matrix, and "Why?":
//! the check engine's answer for one user, action and object, with its reason.

use super::form::PageQuery;
use super::page::{find_member, render, words, Frame, MemberPicker, PageError};
use super::session::Browser;
use crate::application::checks::{Because, CheckRequest, Explanation, Node};
use crate::application::objects::ObjectQuery;
use crate::application::{AppError, Application, InOrg};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::borrow::Cow;
use steward_core::access::Denial;
use steward_core::Policy;

pub fn router() -> Router<Application> {
    Router::new().route("/orgs/{org}/roles", get(page))
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    frame: Frame,
    policy_name: String,
    columns: Vec<Column>,
    rows: Vec<MatrixRow>,
    picker: MemberPicker,
    actions: Vec<(String, bool)>,
    objects: Vec<(String, String, bool)>,
    answer: Option<Answer>,
}

struct Column {
    label: String,
    level: String,
}

struct MatrixRow {
    action: String,
    cells: Vec<String>,
}

struct Answer {
    allowed: bool,
    text: String,
}

#[derive(Deserialize, Default)]
struct Why {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object: String,
}

/// A node in words: the organization by its name, an object by its own.
fn place(node: &Node, org_name: &str) -> String {
    match node {
        Node::Organization { .. } => format!("the organization {org_name}"),
        Node::Object {
            name: Some(name), ..
        } => name.clone(),
        Node::Object { id, name: None } => id.clone(),
    }
}

/// The check's reason in words.
fn reason_words(because: &Because, org_name: &str) -> String {
    match because {
        Because::Root => "they are the organization's root account, which may do everything".into(),
        Because::Owner => "they own this object or one it is inside".into(),
        Because::Role { label, node, .. } => {
            format!("they hold the role {label} on {}", place(node, org_name))
        }
        Because::Grant { node } => {
            format!("they were granted it on {}", place(node, org_name))
        }
        Because::Denied(Denial::NotAMember) => "they are not a member of this organization".into(),
        Because::Denied(Denial::UnknownObject) => "there is no such object".into(),
        Because::Denied(Denial::UnknownAction) => "there is no such action in this policy".into(),
        Because::Denied(Denial::NotApplicable) => {
            "that action does not apply to this kind of object".into()
        }
        Because::Denied(Denial::NoPermission) => {
            "no role, grant or ownership gives it to them here".into()
        }
    }
}

/// "Yes: Ada may project:edit on Apollo, because ...".
fn answer_words(explanation: &Explanation, why: &Why, org_name: &str) -> String {
    let who = explanation.who.as_deref().unwrap_or(&why.user);
    let on = explanation
        .object
        .as_ref()
        .map_or_else(|| why.object.clone(), |node| place(node, org_name));
    let because = reason_words(&explanation.verdict.because, org_name);
    if explanation.verdict.allowed {
        format!("Yes: {who} may {} on {on}, because {because}.", why.action)
    } else {
        format!(
            "No: {who} may not {} on {on}, because {because}.",
            why.action
        )
    }
}

/// The role x permission matrix: a column per role, a row per action, each
/// cell the reach the role gives it with (empty: none).
fn matrix(policy: &Policy) -> (Vec<Column>, Vec<MatrixRow>) {
    let columns = policy
        .roles
        .iter()
        .map(|r| Column {
            label: r.label.clone(),
            level: policy.object_type(r.level).label.clone(),
        })
        .collect();
    let rows = policy
        .actions
        .iter()
        .map(|action| MatrixRow {
            action: action.name.clone(),
            cells: policy
                .roles
                .iter()
                .map(|r| {
                    r.permissions
                        .iter()
                        .find(|(a, _)| policy.action(*a).name == action.name)
                        .map(|(_, reach)| reach.as_str().to_string())
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    (columns, rows)
}

/// The answer to the "Why?" form, once it names a user, an action and an object;
/// a question the caller may not ask is answered with the refusal's words.
async fn ask(
    app: &Application,
    in_org: &InOrg,
    why: &Why,
    user_id: &str,
    org_name: &str,
) -> Result<Option<Answer>, PageError> {
    if why.user.is_empty() || why.action.is_empty() || why.object.is_empty() {
        return Ok(None);
    }
    let question = CheckRequest {
        user_id: Cow::Borrowed(user_id),
        action: Cow::Borrowed(&why.action),
        object_id: Cow::Borrowed(&why.object),
    };
    Ok(Some(match app.steward.explain(in_org, &question).await {
        Ok(explanation) => Answer {
            allowed: explanation.verdict.allowed,
            text: answer_words(&explanation, why, org_name),
        },
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => Answer {
            allowed: false,
            text: words(&e),
        },
    }))
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(why): PageQuery<Why>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "roles").await?;
    let policy = in_org.snapshot.policy().clone();
    let (columns, rows) = matrix(&policy);
    // The user by e-mail (or id); someone unknown is asked about as typed, and
    // the check says they are no member.
    let (user_id, picker) = app
        .service()
        .read(&in_org.org, |state| {
            let found = find_member(state, &why.user).map(|u| u.to_string());
            (found, MemberPicker::new(state, &why.user))
        })
        .await?;
    let user_id = user_id.unwrap_or_else(|| why.user.clone());
    let answer = ask(&app, &in_org, &why, &user_id, &frame.org_name).await?;
    let query = ObjectQuery {
        limit: Some(1000),
        ..ObjectQuery::default()
    };
    let visible = app.steward.objects(&in_org, query).await?;
    let org_id = in_org.org.to_string();
    let mut objects = vec![(
        org_id.clone(),
        format!("The organization ({})", frame.org_name),
        why.object == org_id,
    )];
    objects.extend(visible.items.iter().map(|o| {
        (
            o.id.clone(),
            format!("{} · {}", o.name, o.object_type),
            o.id == why.object,
        )
    }));
    Ok(render(&RolesPage {
        frame,
        policy_name: policy.name.clone(),
        columns,
        rows,
        picker,
        actions: policy
            .actions
            .iter()
            .map(|a| (a.name.clone(), a.name == why.action))
            .collect(),
        objects,
        answer,
    })?
    .into_response())
}
