//! Transfer ownership: the owner nominates a member, sees the pending
//! nomination and its expiry, and may cancel it; the nominee answers it from
//! the banner every page shows them.

use super::form::{PageQuery, Posted};
use super::page::{after_change, render, when, DoneQuery, Frame, MemberPicker, Notice, PageError};
use super::session::Browser;
use crate::application::{parse_user, AppError, Application};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use steward_core::policy::Transfer;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/ownership", get(page).post(nominate))
        .route("/orgs/{org}/ownership/cancel", post(cancel))
        .route("/orgs/{org}/ownership/accept", post(accept))
        .route("/orgs/{org}/ownership/decline", post(decline))
}

#[derive(Template)]
#[template(path = "ownership.html")]
struct OwnershipPage {
    frame: Frame,
    owner_name: String,
    i_am_owner: bool,
    /// How ownership moves under this policy, in words, when not by nomination.
    rule: Option<String>,
    pending: Option<Pending>,
    picker: MemberPicker,
    ttl_days: u32,
}

struct Pending {
    to_name: String,
    expires: String,
    to_me: bool,
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(done): PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match done.done.as_deref() {
        Some("nominated") => Some(Notice::ok(
            "Nominated. They become the owner when they accept.",
        )),
        Some("cancelled") => Some(Notice::ok("The nomination is cancelled.")),
        Some("accepted") => Some(Notice::ok("You are now the owner of this organization.")),
        Some("declined") => Some(Notice::ok("You declined the nomination.")),
        _ => None,
    };
    show(&app, &browser, &org, notice).await
}

async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "ownership").await?;
    frame.notice = notice;
    let me = &browser.user;
    let ownership = app.steward.ownership(&in_org).await?;
    let rule = match ownership.transfer {
        Transfer::Nomination => None,
        Transfer::Never => Some("Under this organization's policy the owner cannot be changed.".to_string()),
        Transfer::Direct => Some("Under this organization's policy owners give the owner role directly, from the Users page.".to_string()),
    };
    let pending = ownership.pending.map(|n| Pending {
        to_me: &n.to_user == me,
        to_name: n.to_name,
        expires: when(n.expires_at.0),
    });
    // Everyone but the one nominating is a possible owner.
    let picker = app
        .service()
        .read(&in_org.org, |state| {
            let mut picker = MemberPicker::new(state, "");
            let my_email = state.member(me).map(|m| m.email.to_string());
            picker
                .choices
                .retain(|(email, _)| Some(email) != my_email.as_ref());
            picker
        })
        .await?;
    Ok(render(&OwnershipPage {
        frame,
        owner_name: ownership.owner_name,
        i_am_owner: ownership.owner.as_ref() == Some(me),
        rule,
        pending,
        picker,
        ttl_days: ownership.nomination_ttl_days,
    })?
    .into_response())
}

/// The ownership page after one of its forms: done, to the page with its
/// notice; refused, the page again with the reason; a fault, the error page.
async fn finish(
    app: &Application,
    posted: &Posted,
    org: &str,
    outcome: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let done_url = format!("/orgs/{org}/ownership?done={done}");
    after_change(outcome, done_url, |notice| {
        show(app, &posted.browser, org, Some(notice))
    })
    .await
}

async fn nominate(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    // The nominee by e-mail; someone who is no member is refused by the rule
    // as an unknown member.
    let typed = posted.fields.get("to_user").unwrap_or("");
    let found = app.steward.find_member(&in_org, typed).await?;
    let outcome = match found.map_or_else(|| parse_user(typed), Ok) {
        Ok(to_user) => app
            .steward
            .nominate_owner(&in_org, &to_user)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    finish(&app, &posted, &org, outcome, "nominated").await
}

async fn cancel(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.cancel_transfer(&in_org).await;
    finish(&app, &posted, &org, outcome, "cancelled").await
}

async fn accept(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.accept_transfer(&in_org).await.map(|_| ());
    finish(&app, &posted, &org, outcome, "accepted").await
}

async fn decline(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let outcome = app.steward.decline_transfer(&in_org).await.map(|_| ());
    finish(&app, &posted, &org, outcome, "declined").await
}
