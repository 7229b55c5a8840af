//! The console's password and address pages: "Forgot your password?", the
//! reset link's page, the proof-of-address link's page, and the account page
//! where a signed-in person changes their password. Each calls one use case
//! of application/passwords.rs.

use super::accounts::signed_in_to;
use super::form::{read_fields, Fields, Posted};
use super::page::{render, words, PageError, PlainForm, PlainPage};
use super::session::{cookie, same_token, set_cookie, Browser, SIGN_IN_COOKIE};
use crate::application::passwords::ChangePasswordBody;
use crate::application::{AppError, Application, Caller};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/password-reset", get(forgot_page).post(forgot))
        .route("/password-reset/{token}", get(reset_page).post(reset))
        .route("/verify-email/{token}", get(verify_page).post(verify))
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
}

const EXPIRED: &str = "The form had expired. Please send it again.";

/// A form sent before there is a session, its CSRF token checked against the
/// cookie it was paired with (as the sign-in's).
async fn read_pre_session(req: Request) -> Result<(Fields, Result<String, String>), PageError> {
    let expected = cookie(req.headers(), SIGN_IN_COOKIE).map(str::to_string);
    let fields = read_fields(req).await?;
    let token = match (expected, fields.get("csrf")) {
        (Some(expected), Some(sent)) if same_token(&expected, sent) => Ok(expected),
        _ => Err(fresh_token()),
    };
    Ok((fields, token))
}

fn fresh_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn form_token(headers: &HeaderMap) -> String {
    cookie(headers, SIGN_IN_COOKIE)
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(fresh_token, str::to_string)
}

/// A page before sign-in, its CSRF token paired with the browser by a cookie.
fn pre_session_page(app: &Application, csrf: &str, page: PlainPage) -> Result<Response, PageError> {
    let cookie = set_cookie(app, SIGN_IN_COOKIE, csrf, 3600);
    Ok(([(header::SET_COOKIE, cookie)], render(&page)?).into_response())
}

fn message(title: &str, info: String, back: &str) -> Result<Response, PageError> {
    Ok(render(&PlainPage {
        title: title.into(),
        error: None,
        info: Some(info),
        form: PlainForm::Message { back: back.into() },
    })?
    .into_response())
}

fn forgot_form(
    app: &Application,
    csrf: String,
    email: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = PlainPage {
        title: "Forgot your password?".into(),
        error,
        info: None,
        form: PlainForm::ForgotPassword {
            csrf: csrf.clone(),
            email: email.into(),
        },
    };
    pre_session_page(app, &csrf, page)
}

async fn forgot_page(
    State(app): State<Application>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    forgot_form(&app, form_token(&headers), "", None)
}

/// The same answer whether or not the address has an account.
async fn forgot(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    req: Request,
) -> Result<Response, PageError> {
    let (fields, csrf) = read_pre_session(req).await?;
    let email = fields.get("email").unwrap_or("").to_string();
    let csrf = match csrf {
        Ok(csrf) => csrf,
        Err(fresh) => return forgot_form(&app, fresh, &email, Some(EXPIRED.into())),
    };
    match app.request_password_reset(&email, client.ip()).await {
        Ok(()) => message(
            "Check your mail",
            format!("If {email} has a Steward account, a link to choose a new password is on its way. It works once, for one hour."),
            "/sign-in",
        ),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => forgot_form(&app, csrf, &email, Some(words(&e))),
    }
}

fn reset_form(
    app: &Application,
    token: &str,
    csrf: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = PlainPage {
        title: "Choose a new password".into(),
        error,
        info: None,
        form: PlainForm::ResetPassword {
            token: token.into(),
            csrf: csrf.clone(),
        },
    };
    pre_session_page(app, &csrf, page)
}

async fn reset_page(
    State(app): State<Application>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !app.reset_link_is_live(&token).await? {
        return Err(AppError::UnknownMailLink.into());
    }
    reset_form(&app, &token, form_token(&headers), None)
}

async fn reset(
    State(app): State<Application>,
    Path(token): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let (fields, csrf) = read_pre_session(req).await?;
    let csrf = match csrf {
        Ok(csrf) => csrf,
        Err(fresh) => return reset_form(&app, &token, fresh, Some(EXPIRED.into())),
    };
    match app.reset_password(&token, fields.raw("password")).await {
        Ok(_) => message(
            "Your password is set",
            "Every session of the account was signed out. Sign in with the new password.".into(),
            "/sign-in",
        ),
        Err(e @ AppError::Invalid { .. }) => reset_form(&app, &token, csrf, Some(words(&e))),
        Err(e) => Err(e.into()),
    }
}

fn verify_form(
    app: &Application,
    token: &str,
    email: &str,
    csrf: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = PlainPage {
        title: "Confirm your address".into(),
        error,
        info: None,
        form: PlainForm::VerifyEmail {
            token: token.into(),
            csrf: csrf.clone(),
            email: email.into(),
        },
    };
    pre_session_page(app, &csrf, page)
}

async fn verify_page(
    State(app): State<Application>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let account = app.verify_link_account(&token).await?;
    verify_form(
        &app,
        &token,
        account.email.as_str(),
        form_token(&headers),
        None,
    )
}

/// The link and the password: the address is proven and the browser signed in.
async fn verify(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let account = app.verify_link_account(&token).await?;
    let email = account.email.as_str();
    let (fields, csrf) = read_pre_session(req).await?;
    let csrf = match csrf {
        Ok(csrf) => csrf,
        Err(fresh) => return verify_form(&app, &token, email, fresh, Some(EXPIRED.into())),
    };
    match app
        .verify_address(&token, fields.raw("password"), client.ip())
        .await
    {
        Ok(user) => {
            let secret = app.steward.start_session(&user).await?;
            Ok(signed_in_to(&app, &secret, "/"))
        }
        Err(e @ AppError::RateLimited { .. }) => {
            verify_form(&app, &token, email, csrf, Some(words(&e)))
        }
        Err(AppError::Unauthenticated(_)) => {
            verify_form(&app, &token, email, csrf, Some("Wrong password.".into()))
        }
        Err(e) => Err(e.into()),
    }
}

fn account_form(
    browser: &Browser,
    error: Option<String>,
    info: Option<String>,
) -> Result<Response, PageError> {
    Ok(render(&PlainPage {
        title: "Your account".into(),
        error,
        info,
        form: PlainForm::Account {
            csrf: browser.session.csrf_token.clone(),
            email: browser.account.email.to_string(),
            name: browser.account.name.to_string(),
        },
    })?
    .into_response())
}

async fn account_page(browser: Browser) -> Result<Response, PageError> {
    account_form(&browser, None, None)
}

/// The current password and a new one; this browser stays signed in.
async fn change_password(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    posted: Posted,
) -> Result<Response, PageError> {
    let body = ChangePasswordBody {
        current_password: posted.fields.raw("current_password").into(),
        new_password: posted.fields.raw("new_password").into(),
    };
    let browser = &posted.browser;
    match app
        .change_password(
            Caller::Account(browser.user.clone()),
            body,
            client.ip(),
            Some(&browser.secret),
        )
        .await
    {
        Ok(()) => account_form(
            browser,
            None,
            Some("Your password is changed; your other sessions are signed out.".into()),
        ),
        Err(AppError::Unauthenticated(_)) => {
            account_form(browser, Some("The current password is wrong.".into()), None)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::RateLimited { .. })) => {
            account_form(browser, Some(words(&e)), None)
        }
        Err(e) => Err(e.into()),
    }
}
