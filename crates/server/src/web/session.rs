//! Who is at the browser: the session cookie, looked up on every
//! request, so a session ended (sign-out, member deleted) stops at once.

use super::page::PageError;
use crate::application::accounts::AccountView;
use crate::application::sessions::{Session, SignedIn, SESSION_SECONDS};
use crate::application::Application;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use steward_core::UserId;

pub const SESSION_COOKIE: &str = "steward_session";
/// Before sign-in there is no session; the sign-in form's CSRF token is paired
/// with this cookie instead (double submit).
pub const SIGN_IN_COOKIE: &str = "steward_signin";

/// A signed-in browser: its account and the CSRF token its forms carry.
pub struct Browser {
    pub account: AccountView,
    /// The account's id, the caller of every use case the browser asks for.
    pub user: UserId,
    pub session: Session,
    /// The cookie's secret, to end this one session on sign-out.
    pub secret: String,
}

impl FromRequestParts<Application> for Browser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &Application) -> Result<Self, PageError> {
        let back = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let sign_in = || PageError::SignIn { next: back.clone() };
        let secret = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(sign_in)?;
        let SignedIn { account, session } =
            app.steward.signed_in(secret).await?.ok_or_else(sign_in)?;
        Ok(Browser {
            user: account.id.clone(),
            account,
            session,
            secret: secret.to_string(),
        })
    }
}

/// A page open to everyone that changes with who is signed in (the join page).
impl OptionalFromRequestParts<Application> for Browser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Application,
    ) -> Result<Option<Self>, PageError> {
        match <Browser as FromRequestParts<Application>>::from_request_parts(parts, app).await {
            Ok(browser) => Ok(Some(browser)),
            Err(PageError::SignIn { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a console cookie: HttpOnly, SameSite=Lax, and Secure when
/// people reach Steward over TLS (`--public-url https://...`).
pub fn set_cookie(app: &Application, name: &str, value: &str, max_age: i64) -> String {
    let secure = if app.settings().public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn session_cookie(app: &Application, secret: &str) -> String {
    set_cookie(app, SESSION_COOKIE, secret, SESSION_SECONDS)
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "a=1; steward_session=stw_ses_x; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("stw_ses_x"));
        assert_eq!(cookie(&headers, "steward"), None);
    }

    #[test]
    fn tokens_match_only_when_equal() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }
}
