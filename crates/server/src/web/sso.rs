//! Single sign-on in the console: the organization's SSO settings page (the
//! provider's issuer and client, the secret masked, the domains and their
//! proof, the flags), and the sign-in round trip: `/sso/start` sends an address
//! on a proven domain to its provider, `/sso/callback` signs the person in
//! (docs/sign-in.md#single-sign-on).

use super::accounts::{read_pre_session, sign_in_form, signed_in_to};
use super::form::Posted;
use super::page::{render, words, Frame, Notice, PageError};
use super::session::Browser;
use crate::application::sso::{SsoCallback, SsoSettingsBody, SsoView, CALLBACK_PATH};
use crate::application::{AppError, Application};
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/sso/start", post(start))
        .route(CALLBACK_PATH, get(callback))
        .route("/orgs/{org}/settings/sso", get(page).post(save))
        .route("/orgs/{org}/settings/sso/remove", post(remove))
        .route(
            "/orgs/{org}/settings/sso/domains/{domain}/prove",
            post(prove),
        )
}

#[derive(Template)]
#[template(path = "sso.html")]
struct SsoPage {
    frame: Frame,
    /// `None`: not set up yet; the form is empty.
    sso: Option<SsoView>,
    redirect_uri: String,
}

async fn show(
    app: &Application,
    browser: &Browser,
    org: &str,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (mut frame, in_org) = Frame::load(app, browser, org, "settings").await?;
    frame.notice = notice;
    let sso = match app.steward.sso_settings(&in_org).await {
        Ok(view) => Some(view),
        Err(AppError::SsoNotConfigured) => None,
        Err(e) => return super::page::closed_section(frame, "Single sign-on", e),
    };
    Ok(render(&SsoPage {
        frame,
        sso,
        redirect_uri: app.settings().link(CALLBACK_PATH),
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

/// The settings form: the same use case as `PUT /api/v1/orgs/{org}/sso`; an
/// empty secret keeps the stored one.
async fn save(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let f = &posted.fields;
    let body = SsoSettingsBody {
        issuer: f.get("issuer").unwrap_or("").to_string(),
        client_id: f.get("client_id").unwrap_or("").to_string(),
        client_secret: Some(f.raw("client_secret").to_string()),
        domains: f
            .get("domains")
            .unwrap_or("")
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect(),
        require_sso: f.get("require_sso").is_some(),
        notify_new_sign_in: f.get("notify_new_sign_in").is_some(),
    };
    let notice = match app.steward.configure_sso(&in_org, body).await {
        Ok(_) => Notice::ok("Single sign-on saved."),
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => Notice::error(&e),
    };
    show(&app, &posted.browser, &org, Some(notice)).await
}

async fn prove(
    State(app): State<Application>,
    Path((org, domain)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let notice = match app.steward.prove_sso_domain(&in_org, &domain).await {
        Ok(_) => Notice::ok(format!(
            "{domain} is proven: its addresses now sign in through the provider."
        )),
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => Notice::error(&e),
    };
    show(&app, &posted.browser, &org, Some(notice)).await
}

async fn remove(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let notice = match app.steward.remove_sso(&in_org).await {
        Ok(()) => Notice::ok("Single sign-on removed; its domains are free."),
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => Notice::error(&e),
    };
    show(&app, &posted.browser, &org, Some(notice)).await
}

/// The step between the sign-in form and the provider: a page that goes on at
/// once (and a link for a browser that does not). The console's CSP allows
/// forms to post only to itself (`form-action 'self'`), which a redirect from
/// the form's answer to the provider would break.
#[derive(Template)]
#[template(path = "sso_redirect.html")]
struct OnToProvider {
    url: String,
}

/// The sign-in form's "Sign in with single sign-on": to the provider of the
/// address's domain, or back to the form saying there is none.
async fn start(State(app): State<Application>, req: Request) -> Result<Response, PageError> {
    let (fields, token) = read_pre_session(req).await?;
    let email = fields.get("email").unwrap_or("").to_string();
    let token = match token {
        Ok(token) => token,
        Err(fresh) => {
            return sign_in_form(
                &app,
                fresh,
                &email,
                "/",
                Some(super::accounts::EXPIRED.into()),
            )
        }
    };
    match app.sso_start(&email).await {
        Ok(url) => Ok(render(&OnToProvider { url })?.into_response()),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(AppError::SsoNotConfigured) => sign_in_form(
            &app,
            token,
            &email,
            "/",
            Some(
                "Single sign-on is not set up for this address: sign in with your password.".into(),
            ),
        ),
        Err(e) => sign_in_form(&app, token, &email, "/", Some(words(&e))),
    }
}

/// The provider's answer: signed in, or back to the sign-in form saying why.
async fn callback(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(answer): Query<SsoCallback>,
) -> Result<Response, PageError> {
    match app.sso_finish(answer, client.ip()).await {
        Ok(user) => {
            let secret = app.steward.start_session(&user).await?;
            Ok(signed_in_to(&app, &secret, "/"))
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let token = hex::encode(rand::random::<[u8; 16]>());
            sign_in_form(&app, token, "", "/", Some(words(&e)))
        }
    }
}
