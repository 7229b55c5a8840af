//! Organization settings: its name and id, and deleting it. What deleting
//! removes is counted first; whether the caller may is `decide`'s answer
//! (the owner may, an admin may not), said in words beside a greyed control.

use super::form::Posted;
use super::page::{render, Frame, Notice, PageError};
use super::session::Browser;
use crate::application::orgs::OrgDeletion;
use crate::application::{AppError, Application};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/settings", get(page))
        .route("/orgs/{org}/settings/delete", post(delete))
        .route("/orgs/{org}/settings/second-factor", post(second_factor))
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    frame: Frame,
    deletion: OrgDeletion,
    /// What goes with it, in words: "3 members, 2 objects, ...".
    removes: Vec<String>,
    /// The roles whose holders may delete it, by their labels.
    who_may: String,
    /// Admins and owners must have a second factor (docs/two-factor.md).
    second_factor_required: bool,
}

/// "1 member", "3 members".
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "settings").await?;
    frame.notice = notice;
    let deletion = app.steward.organization_deletion(&in_org).await?;
    let policy = in_org.snapshot.policy();
    let delete = policy.org_actions.delete;
    let who_may = policy
        .roles
        .iter()
        .filter(|r| r.permissions.iter().any(|(a, _)| *a == delete))
        .map(|r| r.label.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let removes = vec![
        count(deletion.members, "member", "members"),
        count(deletion.objects, "object", "objects"),
        count(deletion.grants, "permission grant", "permission grants"),
        count(deletion.scope_roles, "scope role", "scope roles"),
        count(deletion.invitations, "invitation", "invitations"),
        count(deletion.api_keys, "API key", "API keys"),
    ];
    Ok(render(&SettingsPage {
        frame,
        deletion,
        removes,
        who_may,
        second_factor_required: app
            .steward
            .second_factor_setting(&in_org)
            .second_factor_required,
    })?
    .into_response())
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    show(&app, &browser, &org, None).await
}

/// Requires (or no longer) a second factor of admins and owners; only they
/// may, which the core decides.
async fn second_factor(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let required = posted.fields.get("second_factor_required") == Some("1");
    match app
        .steward
        .set_second_factor_required(&in_org, required)
        .await
    {
        Ok(_) => {
            let text = if required {
                "Admins and owners now need a second factor to manage the organization."
            } else {
                "A second factor is no longer required."
            };
            show(&app, &posted.browser, &org, Some(Notice::ok(text))).await
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => show(&app, &posted.browser, &org, Some(Notice::error(&e))).await,
    }
}

/// Deletes the organization through the same use case as
/// `DELETE /api/v1/orgs/{org}`, once its name was typed; then to `/`.
async fn delete(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let typed = posted.fields.get("confirm_name").unwrap_or("").trim();
    let deletion = app.steward.organization_deletion(&in_org).await?;
    let outcome = if typed == deletion.name {
        app.steward.delete_organization(&in_org).await
    } else {
        Err(AppError::invalid(
            "confirm_name",
            "type the organization's name exactly to delete it",
        ))
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => show(&app, &posted.browser, &org, Some(Notice::error(&e))).await,
    }
}
