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
use steward_core::policy::{Reach, Role, ORGANIZATION};
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
    roles: Vec<RoleCard>,
    owner_rule: bool,
    picker: MemberPicker,
    actions: Vec<(String, String, bool)>,
    objects: Vec<(String, String, bool)>,
    answer: Option<Answer>,
}

struct Column {
    label: String,
    level: String,
}

struct MatrixRow {
    action: String,
    label: String,
    cells: Vec<String>,
}

/// One role as the seeds describe it: its summary, then what it lets its
/// holders do, in the policy's words and order.
struct RoleCard {
    id: String,
    label: String,
    level: String,
    description: String,
    permissions: Vec<PermissionWords>,
}

/// One permission in words: the action's label and, for an organization
/// role's permission on objects, how far it reaches.
pub(super) struct PermissionWords {
    pub label: String,
    pub reach: Option<&'static str>,
}

/// What a role lets its holders do, in the policy's words, in the order the
/// policy writes its permissions. The Roles page and My access both say it so.
pub(super) fn permission_words(policy: &Policy, role: &Role) -> Vec<PermissionWords> {
    role.permissions
        .iter()
        .map(|(action, reach)| {
            let action = policy.action(*action);
            let on_objects = role.level == ORGANIZATION && action.object_type != ORGANIZATION;
            PermissionWords {
                label: action.label.clone(),
                reach: on_objects.then_some(match reach {
                    Reach::All => "all in the organization",
                    Reach::Assigned => "only in the scopes assigned to them",
                    Reach::Own => "only their own",
                }),
            }
        })
        .collect()
}

/// Why someone may: "they hold the role Analyst on the organization Acme"
/// (`who`: "they" in the Why? box, "you" on My access).
pub(super) fn holds_role_words(who: &str, label: &str, place: &str) -> String {
    format!("{who} hold the role {label} on {place}")
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
            holds_role_words("they", label, &place(node, org_name))
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

/// "Yes: Ada may edit projects (project:edit) on Apollo, because ...": the
/// action in the policy's words, its id beside them.
fn answer_words(explanation: &Explanation, why: &Why, org_name: &str, policy: &Policy) -> String {
    let who = explanation.who.as_deref().unwrap_or(&why.user);
    let on = explanation
        .object
        .as_ref()
        .map_or_else(|| why.object.clone(), |node| place(node, org_name));
    let because = reason_words(&explanation.verdict.because, org_name);
    let action = match policy.action_index(&why.action).map(|a| policy.action(a)) {
        Some(a) if a.label != a.name => format!("{} ({})", a.label, a.name),
        _ => why.action.clone(),
    };
    if explanation.verdict.allowed {
        format!("Yes: {who} may {action} on {on}, because {because}.")
    } else {
        format!("No: {who} may not {action} on {on}, because {because}.")
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
            label: action.label.clone(),
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

/// Each role's card: organization roles first, as the policy lists them.
fn role_cards(policy: &Policy) -> Vec<RoleCard> {
    policy
        .roles
        .iter()
        .map(|r| RoleCard {
            id: if r.level == ORGANIZATION {
                format!("role-{}", r.name)
            } else {
                format!("role-{}-{}", policy.object_type(r.level).name, r.name)
            },
            label: r.label.clone(),
            level: policy.object_type(r.level).label.clone(),
            description: r.description.clone(),
            permissions: permission_words(policy, r),
        })
        .collect()
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
            text: answer_words(&explanation, why, org_name, in_org.snapshot.policy()),
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
        roles: role_cards(&policy),
        owner_rule: policy.ownership.owner_has_every_action,
        picker,
        actions: policy
            .actions
            .iter()
            .map(|a| (a.name.clone(), a.label.clone(), a.name == why.action))
            .collect(),
        objects,
        answer,
    })?
    .into_response())
}
