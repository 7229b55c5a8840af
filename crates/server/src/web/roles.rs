//! Roles & permissions: the policy's role x permission matrix, and "Why?":
//! the check engine's answer for one user, action and object, with its reason.

use super::form::PageQuery;
use super::page::{find_member, render, role_label, Frame, MemberPicker, PageError, Source};
use super::session::Browser;
use crate::application::{Application, Caller};
use crate::http::check;
use crate::http::extract::{ApiBytes, ApiPath, ApiQuery};
use crate::http::objects::{self, ObjectQuery};
use crate::http::orgs::policy_view;
use crate::http::ApiError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use steward_core::{ObjectId, Policy, UserId};

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

/// The check's reason in words.
fn reason_words(reason: &str, place: impl Fn(&str) -> String, policy: &Policy) -> String {
    match Source::parse(reason) {
        Source::Root => "they are the organization's root account, which may do everything".into(),
        Source::Owner => "they own this object or one it is inside".into(),
        Source::Role { role, node } => format!(
            "they hold the role {} on {}",
            role_label(policy, role),
            place(node)
        ),
        Source::Grant { node } => format!("they were granted it on {}", place(node)),
        Source::Other("not_a_member") => "they are not a member of this organization".into(),
        Source::Other("unknown_object") => "there is no such object".into(),
        Source::Other("unknown_action") => "there is no such action in this policy".into(),
        Source::Other("action_not_applicable") => {
            "that action does not apply to this kind of object".into()
        }
        Source::Other("no_permission") => {
            "no role, grant or ownership gives it to them here".into()
        }
        Source::Other(other) => other.replace('_', " "),
    }
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(why): PageQuery<Why>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "roles").await?;
    let policy = app.service().policy().clone();
    let view = policy_view(&policy);
    let columns = view
        .roles
        .iter()
        .map(|r| Column {
            label: r.label.clone(),
            level: policy
                .type_index(&r.level)
                .map_or_else(|| r.level.clone(), |t| policy.object_type(t).label.clone()),
        })
        .collect();
    let rows = view
        .actions
        .iter()
        .map(|a| MatrixRow {
            action: a.clone(),
            cells: view
                .roles
                .iter()
                .map(|r| {
                    r.permissions
                        .iter()
                        .find_map(|p| {
                            let (action, reach) = p.rsplit_once(':')?;
                            (action == a).then(|| reach.to_string())
                        })
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    let caller = Caller::Account(browser.user.clone());
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
    let answer = if why.user.is_empty() || why.action.is_empty() || why.object.is_empty() {
        None
    } else {
        let question =
            serde_json::json!({"user_id": user_id, "action": why.action, "object_id": why.object});
        let outcome = check::check(
            State(app.clone()),
            caller.clone(),
            ApiPath(org.clone()),
            ApiBytes(axum::body::Bytes::from(question.to_string())),
        )
        .await;
        Some(match outcome {
            Ok(Json(a)) => (a.allowed, Some(a.reason)),
            Err(e @ ApiError::Internal(_)) => return Err(e.into()),
            Err(e) => (false, Some(format!("!{}", super::page::api_words(&e)))),
        })
    }
    .map(|(allowed, reason)| (allowed, reason.unwrap_or_default()));
    let Json(visible) = objects::list(
        State(app.clone()),
        caller,
        ApiPath(org.clone()),
        ApiQuery(ObjectQuery {
            object_type: None,
            parent_id: None,
            allowed_for: None,
            action: None,
            limit: Some(1000),
            cursor: None,
        }),
    )
    .await?;
    let org_id = in_org.org.to_string();
    let (objects, answer) = app
        .service()
        .read(&in_org.org, |state| {
            let org_name = state.org().map(|o| o.name.to_string()).unwrap_or_default();
            let place = |node: &str| {
                if node == org_id {
                    format!("the organization {org_name}")
                } else {
                    ObjectId::parse(node)
                        .ok()
                        .and_then(|o| state.object(&o).map(|o| o.name.to_string()))
                        .unwrap_or_else(|| node.to_string())
                }
            };
            let answer = answer.map(|(allowed, reason)| {
                let who = UserId::parse(&user_id)
                    .ok()
                    .and_then(|u| state.member(&u).map(|m| m.name.to_string()))
                    .unwrap_or_else(|| why.user.clone());
                let text = match reason.strip_prefix('!') {
                    Some(refused) => refused.to_string(),
                    None if allowed => format!(
                        "Yes: {who} may {} on {}, because {}.",
                        why.action,
                        place(&why.object),
                        reason_words(&reason, place, &policy)
                    ),
                    None => format!(
                        "No: {who} may not {} on {}, because {}.",
                        why.action,
                        place(&why.object),
                        reason_words(&reason, place, &policy)
                    ),
                };
                Answer { allowed, text }
            });
            let mut objects = vec![(
                org_id.clone(),
                format!("The organization ({org_name})"),
                why.object == org_id,
            )];
            objects.extend(visible.items.iter().map(|o| {
                (
                    o.id.clone(),
                    format!("{} · {}", o.name, o.object_type),
                    o.id == why.object,
                )
            }));
            (objects, answer)
        })
        .await?;
    Ok(render(&RolesPage {
        frame,
        policy_name: view.name.clone(),
        columns,
        rows,
        picker,
        actions: view
            .actions
            .iter()
            .map(|a| (a.clone(), *a == why.action))
            .collect(),
        objects,
        answer,
    })?
    .into_response())
}
