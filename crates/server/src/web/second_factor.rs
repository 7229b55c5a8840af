//! The console's second factor: the sign-in step after a matched password,
//! and the account's own page to set one up (QR code drawn on the server, the
//! key as text), see its recovery codes once, and turn it off
//! (docs/two-factor.md).

use super::accounts::{read_pre_session, sign_in_form, signed_in_to};
use super::form::Posted;
use super::page::{render, words, PageError};
use super::session::Browser;
use crate::application::second_factor::{ChallengeAnswer, DisableBody};
use crate::application::{AppError, Application, Caller, Unauthenticated};
use askama::Template;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/sign-in/second-factor", post(second_step))
        .route("/account/second-factor", get(status_page).post(begin))
        .route("/account/second-factor/confirm", post(confirm))
        .route("/account/second-factor/disable", post(disable))
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    title: String,
    error: Option<String>,
    info: Option<String>,
    csrf: String,
    view: SecondFactorView,
}

enum SecondFactorView {
    Step { challenge: String, next: String },
    Status { enrolled: bool, left: i64 },
    Setup { secret: String, qr_svg: String },
    Codes { codes: Vec<String> },
}

fn page(
    title: &str,
    csrf: String,
    error: Option<String>,
    view: SecondFactorView,
) -> Result<Response, PageError> {
    Ok(render(&SecondFactorPage {
        title: title.into(),
        error,
        info: None,
        csrf,
        view,
    })?
    .into_response())
}

/// The second step's page, after the password matched (accounts.rs).
pub(super) fn step_page(
    csrf: String,
    challenge: ChallengeAnswer,
    next: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let response = page(
        "Enter your code",
        csrf,
        error,
        SecondFactorView::Step {
            challenge: challenge.challenge,
            next: next.to_string(),
        },
    )?;
    // The challenge is a secret of this one sign-in: never cached.
    Ok(([(header::CACHE_CONTROL, "no-store")], response).into_response())
}

async fn second_step(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    req: Request,
) -> Result<Response, PageError> {
    let (fields, token) = read_pre_session(req).await?;
    let next = super::accounts::local_path(&app.settings().public_url, fields.get("next"));
    let challenge = fields.raw("challenge").to_string();
    let token = match token {
        Ok(token) => token,
        Err(fresh) => return sign_in_form(&app, fresh, "", &next, Some(EXPIRED.into())),
    };
    let again = |error: String| {
        step_page(
            token.clone(),
            ChallengeAnswer {
                second_factor_required: true,
                challenge: challenge.clone(),
                expires_in: 0,
            },
            &next,
            Some(error),
        )
    };
    match app
        .sign_in_second_factor(&challenge, fields.raw("code"), client.ip())
        .await
    {
        Ok(secret) => Ok(signed_in_to(&app, &secret, &next)),
        Err(AppError::Unauthenticated(Unauthenticated::InvalidChallenge)) => sign_in_form(
            &app,
            token.clone(),
            "",
            &next,
            Some("That sign-in took too long. Please sign in again.".into()),
        ),
        Err(e @ AppError::RateLimited { .. }) => again(words(&e)),
        Err(AppError::Unauthenticated(_)) => again("That code is not right.".into()),
        Err(e) => Err(e.into()),
    }
}

const EXPIRED: &str = "The form had expired. Please send it again.";

async fn status_form(
    app: &Application,
    browser: &Browser,
    error: Option<String>,
) -> Result<Response, PageError> {
    let status = app
        .second_factor_status(Caller::Account(browser.user.clone()))
        .await?;
    page(
        "Second factor",
        browser.session.csrf_token.clone(),
        error,
        SecondFactorView::Status {
            enrolled: status.enrolled,
            left: status.recovery_codes_left,
        },
    )
}

async fn status_page(
    State(app): State<Application>,
    browser: Browser,
) -> Result<Response, PageError> {
    status_form(&app, &browser, None).await
}

async fn begin(State(app): State<Application>, posted: Posted) -> Result<Response, PageError> {
    let browser = &posted.browser;
    match app
        .begin_second_factor(Caller::Account(browser.user.clone()))
        .await
    {
        Ok(enrolment) => page(
            "Set up a second factor",
            browser.session.csrf_token.clone(),
            None,
            SecondFactorView::Setup {
                secret: enrolment.secret,
                qr_svg: enrolment.qr_svg,
            },
        ),
        Err(e @ AppError::SecondFactorEnrolled) => {
            status_form(&app, browser, Some(words(&e))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn confirm(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    posted: Posted,
) -> Result<Response, PageError> {
    let browser = &posted.browser;
    let caller = Caller::Account(browser.user.clone());
    match app
        .confirm_second_factor(caller.clone(), posted.fields.raw("code"), client.ip())
        .await
    {
        Ok(codes) => page(
            "Your recovery codes",
            browser.session.csrf_token.clone(),
            None,
            SecondFactorView::Codes {
                codes: codes.recovery_codes,
            },
        ),
        Err(e @ (AppError::Invalid { .. } | AppError::RateLimited { .. })) => {
            match app.pending_second_factor(caller).await? {
                Some(enrolment) => page(
                    "Set up a second factor",
                    browser.session.csrf_token.clone(),
                    Some(words(&e)),
                    SecondFactorView::Setup {
                        secret: enrolment.secret,
                        qr_svg: enrolment.qr_svg,
                    },
                ),
                None => status_form(&app, browser, Some(words(&e))).await,
            }
        }
        Err(e @ AppError::NoSecondFactor) => status_form(&app, browser, Some(words(&e))).await,
        Err(e) => Err(e.into()),
    }
}

async fn disable(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    posted: Posted,
) -> Result<Response, PageError> {
    let browser = &posted.browser;
    let body = DisableBody {
        code: None,
        password: Some(posted.fields.raw("password").to_string()),
    };
    match app
        .disable_second_factor(Caller::Account(browser.user.clone()), body, client.ip())
        .await
    {
        Ok(()) => status_form(&app, browser, None).await,
        Err(AppError::Unauthenticated(_)) => {
            status_form(&app, browser, Some("The password is wrong.".into())).await
        }
        Err(e @ (AppError::RateLimited { .. } | AppError::NoSecondFactor)) => {
            status_form(&app, browser, Some(words(&e))).await
        }
        Err(e) => Err(e.into()),
    }
}
