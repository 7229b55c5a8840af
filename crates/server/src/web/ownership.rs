//! Transfer ownership: the owner nominates a member, sees the pending
//! nomination and its expiry, and may cancel it; the nominee answers it from
//! the banner every page shows them.

use super::form::{PageQuery, Posted};
use super::page::{
    after_change, find_member, render, when, DoneQuery, Frame, MemberPicker, Notice, PageError,
};
use super::session::Browser;
use crate::application::{Application, Caller};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::ownership::{self, NominateBody};
use crate::http::ApiError;
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
    let policy = app.service().policy().clone();
    let me = browser.user.clone();
    let rule = match policy.ownership.transfer {
        Transfer::Nomination => None,
        Transfer::Never => Some("Under this organization's policy the owner cannot be changed.".to_string()),
        Transfer::Direct => Some("Under this organization's policy owners give the owner role directly, from the Users page.".to_string()),
    };
    let (owner_name, i_am_owner, pending, picker) = app
        .service()
        .read(&in_org.org, |state| {
            let owner = state.owner_id(&policy).cloned();
            let name_of = |u: &steward_core::UserId| {
                state
                    .member(u)
                    .map_or_else(|| u.to_string(), |m| m.name.to_string())
            };
            let pending = state.nomination().map(|n| Pending {
                to_name: name_of(&n.to_user),
                expires: when(n.expires_at.0),
                to_me: n.to_user == me,
            });
            let mut picker = MemberPicker::new(state, "");
            let my_email = state.member(&me).map(|m| m.email.to_string());
            picker
                .choices
                .retain(|(email, _)| Some(email) != my_email.as_ref());
            (
                owner.as_ref().map(name_of).unwrap_or_default(),
                owner.as_ref() == Some(&me),
                pending,
                picker,
            )
        })
        .await?;
    Ok(render(&OwnershipPage {
        frame,
        owner_name,
        i_am_owner,
        rule,
        pending,
        picker,
        ttl_days: policy.ownership.nomination_ttl_days,
    })?
    .into_response())
}

/// The ownership page after one of its forms.
async fn finish(
    app: &Application,
    posted: &Posted,
    org: &str,
    outcome: Result<(), ApiError>,
    done: &str,
) -> Result<Response, PageError> {
    let done_url = format!("/orgs/{org}/ownership?done={done}");
    after_change(outcome, done_url, |n| {
        show(app, &posted.browser, org, Some(n))
    })
    .await
}

async fn nominate(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    // The nominee by e-mail; someone who is no member is refused by the rule
    // as an unknown member.
    let typed = posted.fields.get("to_user").unwrap_or("").to_string();
    let in_org = crate::application::InOrg::resolve(
        app.service(),
        Caller::Account(posted.browser.user.clone()),
        &org,
    )?;
    let to_user = app
        .service()
        .read(&in_org.org, |state| {
            find_member(state, &typed).map(|u| u.to_string())
        })
        .await?
        .unwrap_or(typed);
    let body = NominateBody { to_user };
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = ownership::nominate(
        State(app.clone()),
        caller,
        ApiPath(org.clone()),
        ApiJson(body),
    )
    .await
    .map(|_| ());
    finish(&app, &posted, &org, outcome, "nominated").await
}

async fn cancel(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = ownership::cancel(State(app.clone()), caller, ApiPath(org.clone()))
        .await
        .map(|_| ());
    finish(&app, &posted, &org, outcome, "cancelled").await
}

async fn accept(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = ownership::accept(State(app.clone()), caller, ApiPath(org.clone()))
        .await
        .map(|_| ());
    finish(&app, &posted, &org, outcome, "accepted").await
}

async fn decline(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let caller = Caller::Account(posted.browser.user.clone());
    let outcome = ownership::decline(State(app.clone()), caller, ApiPath(org.clone()))
        .await
        .map(|_| ());
    finish(&app, &posted, &org, outcome, "declined").await
}
