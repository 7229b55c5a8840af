//! Signing in and out, signing up, joining by an invitation or setup link, and
//! the organization a browser lands in: pages over the application's account,
//! session and joining use cases.

use super::form::{read_fields, Fields, Posted};
use super::page::{render, words, Nav, PageError, PlainForm, PlainPage};
use super::session::{
    cookie, same_token, session_cookie, set_cookie, Browser, SESSION_COOKIE, SIGN_IN_COOKIE,
};
use crate::application::accounts::SignupBody;
use crate::application::invitations::parse_invitation_token;
use crate::application::joining::{AcceptBody, JoinStep};
use crate::application::second_factor::SignInStep;
use crate::application::{AppError, Application, Caller, InOrg, Unauthenticated};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::net::SocketAddr;
use steward_core::{Name, UserId};
use url::{Position, Url};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-up", get(sign_up_page).post(sign_up))
        .route("/sign-out", axum::routing::post(sign_out))
        .route("/orgs/new", get(new_org_page).post(new_org))
        .route("/orgs/{org}", get(org_home))
        .route("/invitations/{token}", get(join_page).post(join))
        .route(
            "/invitations/{token}/join",
            get(back_to_join_page).post(join_signed_in),
        )
}

/// The first organization's first page, or the page to create one.
async fn home(State(app): State<Application>, browser: Browser) -> Result<Response, PageError> {
    let memberships = app.steward.memberships(&browser.user).await?;
    Ok(match memberships.first() {
        Some(m) => Redirect::to(&format!("/orgs/{}", m.org.id)).into_response(),
        None => new_org_form(&browser, false)?.into_response(),
    })
}

/// The organization's first page for this member (`Nav::landing`): the Users
/// page for those who manage people, their own page for everyone else. A
/// segment that is no organization id (a control character is no header
/// value) is not found before anything else, signed in or not; only a
/// member's organization resolves, so what goes back out in `Location` is
/// always an organization id.
async fn org_home(
    State(app): State<Application>,
    Path(org): Path<String>,
    browser: Result<Browser, PageError>,
) -> Result<Response, PageError> {
    if steward_core::OrgId::parse(&org).is_err() {
        return Ok(super::not_found_page());
    }
    let browser = browser?;
    let in_org = InOrg::resolve(app.service(), Caller::Account(browser.user.clone()), &org)?;
    let landing = Nav::of(&in_org).landing(in_org.org.as_str());
    Ok(Redirect::to(&landing).into_response())
}

#[derive(Deserialize)]
struct SignInQuery {
    next: Option<String>,
}

/// Where to go after sign-in: `next` read as a URL relative to the server's
/// public URL, the way a browser reads it (dropping tabs and newlines, `\\` as
/// `/`), kept only when it stays on the same origin (scheme, host and port);
/// then its path and query, which never start with `//`. Anything else: `/`.
pub(super) fn local_path(public_url: &str, next: Option<&str>) -> String {
    let home = || "/".to_string();
    let Some(next) = next else {
        return home();
    };
    let Ok(base) = Url::parse(public_url).or_else(|_| Url::parse("http://steward.invalid/")) else {
        return home();
    };
    match base.join(next) {
        Ok(url) if url.origin() == base.origin() => {
            let path = &url[Position::BeforePath..Position::AfterQuery];
            // `/.//evil.test` is a path here, but `//evil.test` in a Location.
            if path.starts_with('/') && !path.starts_with("//") {
                path.to_string()
            } else {
                home()
            }
        }
        _ => home(),
    }
}

pub(super) fn sign_in_form(
    app: &Application,
    csrf: String,
    email: &str,
    next: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = PlainPage {
        title: "Sign in to Steward".into(),
        error,
        info: None,
        form: PlainForm::SignIn {
            email: email.to_string(),
            next: next.to_string(),
            csrf: csrf.clone(),
            signup: app.settings().signup,
        },
    };
    let cookie = set_cookie(app, SIGN_IN_COOKIE, &csrf, 3600);
    Ok(([(header::SET_COOKIE, cookie)], render(&page)?).into_response())
}

pub(super) const EXPIRED: &str = "The form had expired. Please send it again.";

/// A form sent before there is a session (sign in, sign up, join), and its
/// CSRF token checked against the cookie it was paired with: the token, or a
/// fresh one to send the form again with.
pub(super) async fn read_pre_session(
    req: Request,
) -> Result<(Fields, Result<String, String>), PageError> {
    let expected = cookie(req.headers(), SIGN_IN_COOKIE).map(str::to_string);
    let fields = read_fields(req).await?;
    let token = match (expected, fields.get("csrf")) {
        (Some(expected), Some(sent)) if same_token(&expected, sent) => Ok(expected),
        _ => Err(hex::encode(rand::random::<[u8; 16]>())),
    };
    Ok((fields, token))
}

/// The sign-in form's token: the one already paired with this browser, or new.
fn sign_in_token(headers: &HeaderMap) -> String {
    cookie(headers, SIGN_IN_COOKIE)
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(|| hex::encode(rand::random::<[u8; 16]>()), str::to_string)
}

async fn sign_in_page(
    State(app): State<Application>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Result<Response, PageError> {
    let next = local_path(&app.settings().public_url, q.next.as_deref());
    sign_in_form(&app, sign_in_token(&headers), "", &next, None)
}

async fn sign_in(
    State(app): State<Application>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    req: Request,
) -> Result<Response, PageError> {
    let (fields, token) = read_pre_session(req).await?;
    let email = fields.get("email").unwrap_or("").to_string();
    let next = local_path(&app.settings().public_url, fields.get("next"));
    let token = match token {
        Ok(token) => token,
        Err(fresh) => return sign_in_form(&app, fresh, &email, &next, Some(EXPIRED.into())),
    };
    match app
        .sign_in(&email, fields.raw("password"), client.ip())
        .await
    {
        Ok(SignInStep::Done(secret)) => Ok(signed_in_to(&app, &secret, &next)),
        Ok(SignInStep::SecondFactor(challenge)) => {
            super::second_factor::step_page(token, challenge, &next, None)
        }
        Err(e @ AppError::Unauthenticated(Unauthenticated::EmailUnverified)) => {
            sign_in_form(&app, token, &email, &next, Some(words(&e)))
        }
        Err(e @ (AppError::RateLimited { .. } | AppError::SsoRequired { .. })) => {
            sign_in_form(&app, token, &email, &next, Some(words(&e)))
        }
        Err(AppError::Unauthenticated(_)) => sign_in_form(
            &app,
            token,
            &email,
            &next,
            Some("Wrong e-mail or password.".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

/// After signing up, or joining by a link someone else was shown: the address
/// must be proven before the account signs in (docs/accounts.md).
fn check_your_mail(email: &str) -> Result<Response, PageError> {
    let page = PlainPage {
        title: "Confirm your address".into(),
        error: None,
        info: Some(format!(
            "We sent a link to {email}. Open it and enter your password to confirm the address; then you are signed in."
        )),
        form: PlainForm::Message {
            back: "/sign-in".into(),
        },
    };
    Ok(render(&page)?.into_response())
}

/// The browser, its session started (`secret`), sent on to `to`.
pub(super) fn signed_in_to(app: &Application, secret: &str, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    let headers = response.headers_mut();
    for cookie in [
        session_cookie(app, secret),
        set_cookie(app, SIGN_IN_COOKIE, "", 0),
    ] {
        if let Ok(value) = cookie.parse() {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Signs the browser in as `user` (just signed up or joined) and sends it to `to`.
async fn start_session(app: &Application, user: &UserId, to: &str) -> Result<Response, PageError> {
    let secret = app.steward.start_session(user).await?;
    Ok(signed_in_to(app, &secret, to))
}

fn sign_up_form(
    app: &Application,
    csrf: String,
    fields: (&str, &str, &str),
    error: Option<String>,
) -> Result<Response, PageError> {
    if !app.settings().signup {
        return Err(AppError::SignupDisabled.into());
    }
    let (email, name, org_name) = fields;
    let page = PlainPage {
        title: "Create your account".into(),
        error,
        info: None,
        form: PlainForm::SignUp {
            email: email.into(),
            name: name.into(),
            org_name: org_name.into(),
            csrf: csrf.clone(),
        },
    };
    let cookie = set_cookie(app, SIGN_IN_COOKIE, &csrf, 3600);
    Ok(([(header::SET_COOKIE, cookie)], render(&page)?).into_response())
}

async fn sign_up_page(
    State(app): State<Application>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    sign_up_form(&app, sign_in_token(&headers), ("", "", ""), None)
}

/// The same steps as `POST /api/v1/signup`: the account, then its organization.
async fn sign_up(State(app): State<Application>, req: Request) -> Result<Response, PageError> {
    let (fields, token) = read_pre_session(req).await?;
    let typed = (
        fields.get("email").unwrap_or(""),
        fields.get("name").unwrap_or(""),
        fields.get("org_name").unwrap_or(""),
    );
    let token = match token {
        Ok(token) => token,
        Err(fresh) => return sign_up_form(&app, fresh, typed, Some(EXPIRED.into())),
    };
    let body = SignupBody {
        email: typed.0.into(),
        name: typed.1.into(),
        password: fields.raw("password").into(),
        org_name: typed.2.into(),
    };
    match app.signup(body).await {
        Ok(signed_up) => check_your_mail(signed_up.account.email.as_str()),
        // Turned off: the form's page says so.
        Err(AppError::SignupDisabled) => sign_up_form(&app, token, typed, None),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => sign_up_form(&app, token, typed, Some(words(&e))),
    }
}

async fn sign_out(State(app): State<Application>, posted: Posted) -> Result<Response, PageError> {
    app.steward.sign_out(&posted.browser.secret).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    if let Ok(value) = set_cookie(&app, SESSION_COOKIE, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

fn new_org_form(
    browser: &Browser,
    has_orgs: bool,
) -> Result<axum::response::Html<String>, PageError> {
    render(&PlainPage {
        title: "Create an organization".into(),
        error: None,
        info: None,
        form: PlainForm::NewOrg {
            csrf: browser.session.csrf_token.clone(),
            has_orgs,
        },
    })
}

async fn new_org_page(
    State(app): State<Application>,
    browser: Browser,
) -> Result<Response, PageError> {
    let has_orgs = !app.steward.memberships(&browser.user).await?.is_empty();
    Ok(new_org_form(&browser, has_orgs)?.into_response())
}

async fn new_org(State(app): State<Application>, posted: Posted) -> Result<Response, PageError> {
    let name = Name::parse(posted.fields.get("name").unwrap_or(""))
        .map_err(|e| AppError::field("name", e))?;
    let org = app
        .steward
        .create_organization_for(&posted.browser.user, name)
        .await?;
    Ok(Redirect::to(&format!("/orgs/{}/users", org.id)).into_response())
}

fn join_form(
    app: &Application,
    token: &str,
    csrf: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = PlainPage {
        title: "Join your team on Steward".into(),
        error,
        info: None,
        form: PlainForm::Join {
            token: token.to_string(),
            csrf: csrf.clone(),
        },
    };
    let cookie = set_cookie(app, SIGN_IN_COOKIE, &csrf, 3600);
    Ok(([(header::SET_COOKIE, cookie)], render(&page)?).into_response())
}

/// The invitation link's page (`accept_url`), and the one-time setup link
/// `steward orgs create` prints for a new owner. A new address chooses a name
/// and password here; an address that has an account joins signed in, so its
/// owner goes through the sign-in (the login's limiter, audit and timing) and
/// comes back: no password is checked on this page.
async fn join_page(
    State(app): State<Application>,
    headers: HeaderMap,
    browser: Option<Browser>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let step = app
        .steward
        .join_step(&token, browser.as_ref().map(|b| &b.user))
        .await?;
    match (step, browser) {
        (JoinStep::ChoosePassword, _) => join_form(&app, &token, sign_in_token(&headers), None),
        (JoinStep::Confirm { org_name, email }, Some(browser)) => {
            let page = PlainPage {
                title: "Join your team on Steward".into(),
                error: None,
                info: None,
                form: PlainForm::JoinSignedIn {
                    token,
                    csrf: browser.session.csrf_token,
                    org_name,
                    email: email.to_string(),
                },
            };
            Ok(render(&page)?.into_response())
        }
        (JoinStep::SignInFirst { other_account }, _) => sign_in_to_join(&token, other_account),
        // Only a signed-in browser is asked to confirm.
        (JoinStep::Confirm { .. }, None) => sign_in_to_join(&token, false),
    }
}

/// The page that sends an existing account's owner to sign in, and back here.
fn sign_in_to_join(token: &str, other_account: bool) -> Result<Response, PageError> {
    let back = format!("/invitations/{token}");
    let back: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    let page = PlainPage {
        title: "Join your team on Steward".into(),
        error: None,
        info: None,
        form: PlainForm::JoinSignIn {
            sign_in: format!("/sign-in?next={back}"),
            other_account,
        },
    };
    Ok(render(&page)?.into_response())
}

/// The new account's form: the same acceptance as the API's (which makes the
/// account), then the new member is signed in. An address that has an account
/// is sent to sign in instead, whatever password came with the form.
async fn join(
    State(app): State<Application>,
    Path(token): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let (fields, csrf) = read_pre_session(req).await?;
    let csrf = match csrf {
        Ok(csrf) => csrf,
        Err(fresh) => return join_form(&app, &token, fresh, Some(EXPIRED.into())),
    };
    if let JoinStep::SignInFirst { .. } = app.steward.join_step(&token, None).await? {
        return sign_in_to_join(&token, false);
    }
    let name = fields.get("name").map(str::to_string);
    let password = fields.raw("password").to_string();
    match app.join_with_password(&token, name, password).await {
        Ok((user, true)) => start_session(&app, &user, &org_users(&token)).await,
        Ok((user, false)) => {
            let account = app.steward.account(&user).await?;
            check_your_mail(account.email.as_str())
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => join_form(&app, &token, csrf, Some(words(&e))),
    }
}

/// The signed-in invitee's one click: the same accept as the API's with an
/// access token.
async fn join_signed_in(
    State(app): State<Application>,
    Path(token): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    app.accept_invitation(&token, AcceptBody::default(), Some(&posted.browser.user))
        .await?;
    Ok(Redirect::to(&org_users(&token)).into_response())
}

/// Signing in on the way to `/join` comes back by GET: show the page again.
async fn back_to_join_page(Path(token): Path<String>) -> Redirect {
    let token: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    Redirect::to(&format!("/invitations/{token}"))
}

/// Where a new member lands: the invitation's organization (or, after a setup
/// link, the first one).
fn org_users(token: &str) -> String {
    parse_invitation_token(token)
        .map_or_else(|| "/".to_string(), |(org, _)| format!("/orgs/{org}/users"))
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_is_kept_only_on_this_servers_origin() {
        let base = "https://steward.example.com";
        for next in [
            "/\t/evil.test",
            "/\n/evil.test",
            "//evil.test",
            "/\\evil.test",
            "\\\\evil.test",
            "/.//evil.test",
            "https://evil.test/",
            "http://steward.example.com/orgs",
            "https://steward.example.com:8443/orgs",
            "javascript:alert(1)",
            "data:text/html,hi",
        ] {
            assert_eq!(local_path(base, Some(next)), "/", "{next:?}");
        }
        assert_eq!(local_path(base, None), "/");
        for (next, path) in [
            (
                "/orgs/org_1/users?role=admin",
                "/orgs/org_1/users?role=admin",
            ),
            (
                "https://steward.example.com/orgs/org_1/audit",
                "/orgs/org_1/audit",
            ),
            ("/orgs/../invitations/x", "/invitations/x"),
            ("/invitations/a b", "/invitations/a%20b"),
        ] {
            assert_eq!(local_path(base, Some(next)), path, "{next:?}");
        }
    }
}
