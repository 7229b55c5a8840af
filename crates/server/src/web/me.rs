//! My access: the signed-in member's own page, the first one for someone who
//! may not manage people: the organizations they belong to, their roles there,
//! what those let them do (in the Roles page's words), and their API keys.

use super::page::{render, role_label, when, Frame, PageError};
use super::roles::{holds_role_words, permission_words, PermissionWords};
use super::session::Browser;
use crate::application::Application;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<Application> {
    Router::new().route("/orgs/{org}/me", get(page))
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    frame: Frame,
    name: String,
    email: String,
    /// Why they may: "they hold the role Analyst on the organization Acme".
    role_reason: String,
    permissions: Vec<PermissionWords>,
    scopes: Vec<ScopeCard>,
    owner_rule: bool,
    keys: Vec<KeyRow>,
}

struct ScopeCard {
    reason: String,
    permissions: Vec<PermissionWords>,
}

struct KeyRow {
    name: String,
    permissions: String,
    created: String,
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "me").await?;
    let mine = app.steward.my_access(&in_org).await?;
    let policy = in_org.snapshot.policy().clone();
    let org_place = format!("the organization {}", frame.org_name);
    let permissions = policy
        .org_role(&mine.role)
        .map(|r| permission_words(&policy, policy.role(r)))
        .unwrap_or_default();
    let scopes = mine
        .scopes
        .iter()
        .flat_map(|scope| {
            let policy = &policy;
            scope.roles.iter().map(move |role| {
                let held = policy.type_index(&scope.object_type).and_then(|t| {
                    policy
                        .roles
                        .iter()
                        .find(|r| r.level == t && r.name == *role)
                });
                ScopeCard {
                    reason: holds_role_words(
                        &held.map_or_else(|| role.clone(), |r| r.label.clone()),
                        &scope.object_name,
                    ),
                    permissions: held
                        .map(|r| permission_words(policy, r))
                        .unwrap_or_default(),
                }
            })
        })
        .collect();
    let keys = mine
        .api_keys
        .iter()
        .map(|k| KeyRow {
            name: k.name.to_string(),
            permissions: k.permissions.join(", "),
            created: when(k.created_at.0),
        })
        .collect();
    Ok(render(&MePage {
        role_reason: holds_role_words(&role_label(&policy, &mine.role), &org_place),
        frame,
        name: mine.name,
        email: mine.email,
        permissions,
        scopes,
        owner_rule: policy.ownership.owner_has_every_action,
        keys,
    })?
    .into_response())
}
