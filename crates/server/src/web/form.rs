//! Form posts. A handler that changes something takes `Posted`, which exists
//! only once the session's CSRF token has been checked: the type carries it.
//! A form is read as the API reads JSON: text that is not UTF-8 is refused.

use super::page::PageError;
use super::session::{same_token, Browser};
use crate::application::{AppError, Application, Caller, InOrg};
use crate::urlencoded::{form_pairs, FormError};
use axum::extract::{FromRequest, FromRequestParts, Request};

/// The largest form the console sends (the Users page's selection of rows).
const MAX_FORM_BYTES: usize = 1 << 20;

/// A form's fields in order; a field may repeat (checkboxes).
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Result<Fields, FormError> {
        form_pairs(body).map(Fields)
    }

    /// The first value of `name`, trimmed; empty counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of `name` as sent, for passwords (spaces count).
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a repeated field, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a form body of at most `MAX_FORM_BYTES`; 400 `form` when a field is
/// not UTF-8 (a lossy reading would store text nobody typed).
pub async fn read_fields(req: Request) -> Result<Fields, PageError> {
    let body = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::invalid("body", "the form is too large"))?;
    Fields::parse(&body).map_err(|e| AppError::invalid("form", format!("the form's {e}")).into())
}

/// A page's query string (a filter, a search, `?done=`): read as the API reads
/// one, so text that is not UTF-8 is 400 `query` here too, on an error page.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, PageError> {
        let query = parts.uri.query().unwrap_or("");
        if let Err(e) = form_pairs(query.as_bytes()) {
            return Err(AppError::invalid("query", format!("the query string's {e}")).into());
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(PageQuery(v)),
            Err(rejection) => Err(AppError::invalid("query", rejection.body_text()).into()),
        }
    }
}

/// A signed-in browser's form, its CSRF token checked (the `csrf` field, or the
/// `X-CSRF-Token` header htmx sends).
pub struct Posted {
    pub browser: Browser,
    pub fields: Fields,
}

impl Posted {
    /// The member behind the form, inside the organization.
    pub fn in_org(&self, app: &Application, org: &str) -> Result<InOrg, AppError> {
        app.steward
            .in_org(Caller::Account(self.browser.user.clone()), org)
    }
}

impl FromRequest<Application> for Posted {
    type Rejection = PageError;

    async fn from_request(req: Request, app: &Application) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let browser = Browser::from_request_parts(&mut parts, app).await?;
        let header = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let fields = read_fields(Request::from_parts(parts, body)).await?;
        let sent = fields.get("csrf").map(str::to_string).or(header);
        if !sent.is_some_and(|t| same_token(&t, &browser.session.csrf_token)) {
            return Err(PageError::Csrf);
        }
        Ok(Posted { browser, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_all_kept_in_order() {
        let f = Fields::parse(b"user_ids=a&csrf=x&user_ids=b&name=+Ann+").unwrap();
        assert_eq!(f.all("user_ids").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(f.get("name"), Some("Ann"));
        assert_eq!(f.raw("name"), " Ann ");
        assert_eq!(f.get("missing"), None);
    }

    #[test]
    fn a_field_that_is_not_utf8_refuses_the_form() {
        assert!(Fields::parse(b"csrf=x&email=%EF%BF%BD%EF%BF%BDjoe@x.test").is_ok());
        assert!(Fields::parse(b"csrf=x&email=%FF%FEjoe@x.test").is_err());
    }
}
