//! The Provisioning page: the SCIM base URL a directory is pointed at, its
//! tokens (made, shown once, revoked), what each directory group means in the
//! organization, what its deprovisioning does (remove or suspend), and the last
//! requests directories sent with their outcome.

use super::form::{PageQuery, Posted};
use super::page::{
    after_change, closed_section, render, when, DoneQuery, Frame, Notice, PageError,
};
use super::session::Browser;
use crate::application::provisioning::{
    scim_base_path, CreateScimToken, DirectoryRequest, MappingChoice, MappingOption, OnDeprovision,
    ProvisionedGroup, ScimSettings, ScimTokenView,
};
use crate::application::{AppError, Application};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/provisioning", get(page))
        .route("/orgs/{org}/provisioning/tokens", post(create_token))
        .route(
            "/orgs/{org}/provisioning/tokens/{key}/revoke",
            post(revoke_token),
        )
        .route(
            "/orgs/{org}/provisioning/groups/{group}/mapping",
            post(map_group),
        )
        .route(
            "/orgs/{org}/provisioning/deprovision",
            post(set_deprovision),
        )
}

#[derive(Template)]
#[template(path = "provisioning.html")]
struct ProvisioningPage {
    frame: Frame,
    base_url: String,
    /// A token just made: its secret, shown this once.
    new_secret: Option<String>,
    tokens: Vec<TokenRow>,
    groups: Vec<GroupRow>,
    options: Vec<OptionRow>,
    requests: Vec<RequestRow>,
    /// What a directory's `active: false` does: members are suspended (else removed).
    suspends: bool,
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
}

struct GroupRow {
    id: String,
    name: String,
    members: usize,
    /// The option value of its mapping (`object|role`), empty for none.
    mapped: String,
}

struct OptionRow {
    value: String,
    label: String,
}

struct RequestRow {
    at: String,
    method: String,
    path: String,
    status: u16,
    ok: bool,
    outcome: String,
}

fn choice_value(role: &str, object_id: &str) -> String {
    format!("{object_id}|{role}")
}

impl TokenRow {
    fn of(t: ScimTokenView) -> TokenRow {
        TokenRow {
            id: t.key.id.to_string(),
            name: t.key.name.to_string(),
            created: when(t.key.created_at.0),
        }
    }
}

impl GroupRow {
    fn of(g: ProvisionedGroup) -> GroupRow {
        GroupRow {
            mapped: g.mapping.as_ref().map_or_else(String::new, |m| {
                let object = m
                    .object_id
                    .as_ref()
                    .map_or(String::new(), |o| o.to_string());
                choice_value(&m.role, &object)
            }),
            id: g.id,
            name: g.display_name,
            members: g.members.len(),
        }
    }
}

impl RequestRow {
    fn of(r: DirectoryRequest) -> RequestRow {
        RequestRow {
            at: when(r.at / 1000),
            method: r.method,
            path: r.path,
            ok: r.status < 400,
            status: r.status,
            outcome: r.outcome,
        }
    }
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(done): PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match done.done.as_deref() {
        Some("revoked") => Some(Notice::ok(
            "The token is revoked: the directory can no longer provision.",
        )),
        Some("mapped") => Some(Notice::ok(
            "The group's mapping is saved and its members' roles follow it.",
        )),
        Some("deprovision") => Some(Notice::ok(
            "Saved: the directory's deactivations follow your choice from now on.",
        )),
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
    let (mut frame, in_org) = Frame::load(app, browser, org, "provisioning").await?;
    frame.notice = notice;
    let tokens = match app.steward.scim_tokens(&in_org).await {
        Ok(tokens) => tokens,
        Err(e) => return closed_section(frame, "Provisioning", e),
    };
    let groups = app.steward.directory_groups(&in_org).await?;
    let options = app.steward.mapping_options(&in_org).await?;
    let requests = app.steward.directory_requests(&in_org).await?;
    let settings = app.steward.scim_settings(&in_org).await?;
    Ok(render(&ProvisioningPage {
        base_url: app.settings().link(&scim_base_path(in_org.org.as_str())),
        frame,
        new_secret,
        tokens: tokens.items.into_iter().map(TokenRow::of).collect(),
        groups: groups.into_iter().map(GroupRow::of).collect(),
        options: options
            .into_iter()
            .map(|o: MappingOption| OptionRow {
                value: choice_value(&o.role, &o.object_id),
                label: o.label,
            })
            .collect(),
        requests: requests.into_iter().map(RequestRow::of).collect(),
        suspends: settings.on_deprovision == OnDeprovision::Suspend,
    })?
    .into_response())
}

async fn finish(
    app: &Application,
    posted: &Posted,
    org: &str,
    outcome: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let done_url = format!("/orgs/{org}/provisioning?done={done}");
    after_change(outcome, done_url, |notice| {
        show(app, &posted.browser, org, Some(notice), None)
    })
    .await
}

async fn create_token(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let name = posted.fields.get("name").unwrap_or("").to_string();
    match app
        .steward
        .create_scim_token(&in_org, CreateScimToken { name })
        .await
    {
        // Shown on this answer and never again: no redirect that would lose it.
        Ok(made) => {
            let notice = Notice::ok("The token is made. Copy it now: it is not shown again.");
            show(&app, &posted.browser, &org, Some(notice), made.key.key).await
        }
        Err(e) => finish(&app, &posted, &org, Err(e), "made").await,
    }
}

async fn revoke_token(
    State(app): State<Application>,
    Path((org, key)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.revoke_scim_token(&in_org, &key).await;
    finish(&app, &posted, &org, outcome, "revoked").await
}

async fn map_group(
    State(app): State<Application>,
    Path((org, group)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let (object_id, role) = posted
        .fields
        .get("mapping")
        .unwrap_or("")
        .split_once('|')
        .unwrap_or(("", ""));
    let choice = MappingChoice {
        role: role.to_string(),
        object_id: object_id.to_string(),
    };
    let outcome = app.steward.map_group(&in_org, &group, choice).await;
    finish(&app, &posted, &org, outcome, "mapped").await
}

async fn set_deprovision(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let on_deprovision = match posted.fields.get("on_deprovision") {
        Some("suspend") => OnDeprovision::Suspend,
        _ => OnDeprovision::Remove,
    };
    let outcome = app
        .steward
        .set_scim_settings(&in_org, ScimSettings { on_deprovision })
        .await
        .map(|_| ());
    finish(&app, &posted, &org, outcome, "deprovision").await
}
