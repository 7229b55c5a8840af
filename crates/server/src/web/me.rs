//! My access: the signed-in member's own page, the first one for someone who
//! may not manage people: the organizations they belong to, their roles there,
//! what those let them do (in the Roles page's words), and their API keys.

use super::form::{PageQuery, Posted};
use super::page::{after_change, render, role_label, when, DoneQuery, Frame, Notice, PageError};
use super::roles::{holds_role_words, permission_words, PermissionWords};
use super::session::Browser;
use crate::application::api_keys::CreateKey;
use crate::application::{AppError, Application};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/me", get(page))
        .route("/orgs/{org}/me/api-keys", post(create_key))
        .route("/orgs/{org}/me/api-keys/{key}/revoke", post(revoke_key))
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
    /// Why making and revoking keys is greyed, in words.
    key_refusal: Option<String>,
    /// A key just made: its secret, shown this once.
    new_secret: Option<String>,
}

struct ScopeCard {
    reason: String,
    permissions: Vec<PermissionWords>,
}

struct KeyRow {
    id: String,
    name: String,
    permissions: String,
    created: String,
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(done): PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match done.done.as_deref() {
        Some("revoked") => Some(Notice::ok("The key is revoked: it stops working at once.")),
        _ => None,
    };
    show(&app, &browser, &org, notice, None).await
}

async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    notice: Option<Notice>,
    new_secret: Option<String>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "me").await?;
    frame.notice = notice;
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
                        "you",
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
            id: k.id.to_string(),
            name: k.name.to_string(),
            permissions: k.permissions.join(", "),
            created: when(k.created_at.0),
        })
        .collect();
    Ok(render(&MePage {
        role_reason: holds_role_words("you", &role_label(&policy, &mine.role), &org_place),
        frame,
        name: mine.name,
        email: mine.email,
        permissions,
        scopes,
        owner_rule: policy.ownership.owner_has_every_action,
        keys,
        key_refusal: mine.api_key_refusal,
        new_secret,
    })?
    .into_response())
}

/// Makes a key with the existing use case; the page shows its secret once.
async fn create_key(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let permissions: Vec<String> = posted
        .fields
        .all("permissions")
        .map(str::to_string)
        .collect();
    let input = CreateKey {
        name: posted.fields.get("name").unwrap_or("").to_string(),
        permissions: (!permissions.is_empty()).then_some(permissions),
    };
    match app.steward.create_api_key(&in_org, input).await {
        Ok(view) => {
            let notice = Notice::ok(format!(
                "The key {} is made. Copy its secret now: it is shown only this once.",
                view.name
            ));
            show(&app, &posted.browser, &org, Some(notice), view.key).await
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => show(&app, &posted.browser, &org, Some(Notice::error(&e)), None).await,
    }
}

async fn revoke_key(
    State(app): State<Application>,
    Path((org, key)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.revoke_api_key(&in_org, &key).await;
    after_change(outcome, format!("/orgs/{org}/me?done=revoked"), |notice| {
        show(&app, &posted.browser, &org, Some(notice), None)
    })
    .await
}
