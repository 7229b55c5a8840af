//! What handlers take from a request: path parameters, queries and bodies whose
//! faults are answered in the API's error shape (never axum's plain-text
//! rejections), and the caller behind the bearer token.

use super::error::ApiError;
use super::AppState;
use crate::service::ApiKeyGrant;
use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use std::sync::Arc;
use steward_core::api_key::KeyUse;
use steward_core::{Actor, ObjectId, OrgId, Refusal, Snapshot, UserId};

/// The largest body an endpoint reads whole (set on the router, so the error
/// can name it); the CSV import has its own.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A JSON body; a malformed one is 400 `body` with serde's line and column, one
/// over `MAX_BODY_BYTES` 413 `body_too_large`.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(rejection) => Err(ApiError::invalid("body", rejection.body_text())),
        }
    }
}

/// A body read whole, for handlers that parse it themselves (the check borrows
/// its strings from it); over `MAX_BODY_BYTES` it is 413 `body_too_large`.
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(ApiBytes(bytes)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(r) => Err(ApiError::invalid(
                "body",
                format!("the body could not be read: {}", r.body_text()),
            )),
        }
    }
}

fn too_large() -> ApiError {
    ApiError::BodyTooLarge {
        limit: MAX_BODY_BYTES,
    }
}

/// A query string; a malformed one is 400 `query`, and so is one that is not
/// UTF-8 once percent-decoded (axum's `Query` would put U+FFFD in its place).
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Err(e) = form_pairs(parts.uri.query().unwrap_or("").as_bytes()) {
            return Err(ApiError::invalid(
                "query",
                format!("the query string's {e}"),
            ));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError::invalid("query", rejection.body_text())),
        }
    }
}

/// The path's parameters (`{org}`, `{id}`...); one that is not UTF-8 once
/// percent-decoded is 400 `path`.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rejection) => Err(path_error(rejection)),
        }
    }
}

fn path_error(rejection: PathRejection) -> ApiError {
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::InvalidUtf8InPathParam { key } => ApiError::invalid(
                "path",
                format!("the path's {key} is not UTF-8 text once percent-decoded"),
            ),
            // Every parameter is text: anything else is a route written wrong.
            ErrorKind::UnsupportedType { .. } | ErrorKind::WrongNumberOfParameters { .. } => {
                ApiError::Internal(format!("path parameters: {}", e.body_text()))
            }
            _ => ApiError::invalid("path", e.body_text()),
        },
        other => ApiError::Internal(format!("path parameters: {}", other.body_text())),
    }
}

/// A form or query string (`application/x-www-form-urlencoded`) as its pairs, in
/// order: `+` is a space and `%XX` a byte, as browsers send them. Unlike
/// `form_urlencoded`, which puts U+FFFD for bytes that are not UTF-8 (so
/// `%FF%FEjoe@x.test` would become an address nobody typed), text that is not
/// UTF-8 is refused.
pub fn form_pairs(input: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let mut pairs = Vec::new();
    for field in input.split(|&b| b == b'&').filter(|f| !f.is_empty()) {
        let (name, value) = match field.iter().position(|&b| b == b'=') {
            Some(i) => (&field[..i], &field[i + 1..]),
            None => (field, &field[field.len()..]),
        };
        let name = form_text(name).map_err(|()| FormError::NotUtf8 { field: None })?;
        let value = form_text(value).map_err(|()| FormError::NotUtf8 {
            field: Some(name.clone()),
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Why a form was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("{}is not UTF-8 text once percent-decoded", .field.as_ref().map_or(String::new(), |f| format!("field {f:?} ")))]
    NotUtf8 { field: Option<String> },
}

/// One name or value, decoded.
fn form_text(raw: &[u8]) -> Result<String, ()> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (raw.get(i + 1).and_then(hex), raw.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    bytes.push(hi << 4 | lo);
                    i += 2;
                }
                // A '%' not followed by two hex digits is itself, as browsers read it.
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| ())
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

/// Who is calling: an account (access token) or a product back-end (API key).
#[derive(Clone)]
pub enum Caller {
    Account(UserId),
    Key(ApiKeyGrant),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthenticated("missing_credentials", "send Authorization: Bearer <token>")
        })?;
        app.authenticate(token)
    }
}

/// The token of `Authorization: Bearer <token>`, if the request has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The caller inside one organization: a member, or one of its API keys. Anyone
/// else gets 404, as if the organization did not exist.
pub struct InOrg {
    pub org: OrgId,
    pub snapshot: Arc<Snapshot>,
    pub who: Caller,
}

impl InOrg {
    pub fn resolve(app: &AppState, caller: Caller, org: &str) -> Result<InOrg, ApiError> {
        let snapshot = app
            .service
            .snapshot(org)
            .ok_or_else(ApiError::no_organization)?;
        let belongs = match &caller {
            Caller::Account(user) => snapshot.is_member(user.as_str()),
            Caller::Key(key) => &*key.org == org,
        };
        if !belongs {
            return Err(ApiError::no_organization());
        }
        Ok(InOrg {
            org: OrgId::parse(org).map_err(|_| ApiError::no_organization())?,
            snapshot,
            who: caller,
        })
    }

    /// The member making a change; an API key only reads and checks.
    pub fn actor(&self) -> Result<Actor, ApiError> {
        match &self.who {
            Caller::Account(user) => Ok(Actor::User(user.clone())),
            Caller::Key(_) => Err(ApiError::forbidden(
                "not_permitted",
                "an API key may only read and check; sign in as a member to make changes",
            )),
        }
    }

    pub fn user(&self) -> Option<&UserId> {
        match &self.who {
            Caller::Account(user) => Some(user),
            Caller::Key(_) => None,
        }
    }

    /// A read that needs `action` on the organization (`members:view`,
    /// `audit:view`...): a member needs it from the policy; a key needs `read`,
    /// and its creator needs `action` now (steward-core's rule for keys).
    pub fn require(&self, action: &str) -> Result<(), ApiError> {
        match &self.who {
            Caller::Account(user) => {
                if self
                    .snapshot
                    .check_by_name(user.as_str(), action, self.org.as_str())
                    .allowed
                {
                    Ok(())
                } else {
                    Err(ApiError::forbidden(
                        "not_permitted",
                        format!("this needs {action}, which your role does not give"),
                    ))
                }
            }
            Caller::Key(key) => self.key_may(key, KeyUse::Read(action)),
        }
    }

    /// Whether the caller may know `object` (an object's id, or the
    /// organization's) is there: a member, by the core's rule
    /// (`steward_core::sight`); a key that may read the organization (its
    /// creator still holding `org:view`), every object.
    pub fn sees(&self, object: &str) -> bool {
        match &self.who {
            Caller::Account(user) => self.snapshot.sees_by_name(user.as_str(), object),
            Caller::Key(key) => {
                key.permits(&self.snapshot, KeyUse::Read("org:view"))
                    .is_ok()
                    && self.snapshot.node(object).is_some()
            }
        }
    }

    /// `id` as an object the caller may know of; one they may not see is 404
    /// `unknown_object`, exactly as one that does not exist.
    pub fn visible_object(&self, id: &str) -> Result<ObjectId, ApiError> {
        let object = super::members::parse_object(id)?;
        if self.sees(object.as_str()) {
            Ok(object)
        } else {
            Err(Refusal::UnknownObject(object).into())
        }
    }

    /// Asking about `user`'s permissions: a key with `check` (whose creator may
    /// view members), the user themself, or a member who may view members.
    pub fn require_check_about(&self, user: &str) -> Result<(), ApiError> {
        match &self.who {
            Caller::Key(key) => self.key_may(key, KeyUse::Check),
            Caller::Account(me) if me.as_str() == user => Ok(()),
            Caller::Account(_) => self.require("members:view"),
        }
    }

    /// `require_check_about` for every user a batch asks about. A key's right to
    /// ask does not depend on whom it asks about, so it is decided once, not per
    /// question (it is a check of its own on the creator).
    pub fn require_check_about_all<'u>(
        &self,
        users: impl IntoIterator<Item = &'u str>,
    ) -> Result<(), ApiError> {
        match &self.who {
            Caller::Key(key) => self.key_may(key, KeyUse::Check),
            Caller::Account(_) => users
                .into_iter()
                .try_for_each(|user| self.require_check_about(user)),
        }
    }

    fn key_may(&self, key: &ApiKeyGrant, key_use: KeyUse<'_>) -> Result<(), ApiError> {
        key.permits(&self.snapshot, key_use)
            .map_err(|denial| ApiError::forbidden("not_permitted", denial.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(input: &str) -> Vec<(String, String)> {
        form_pairs(input.as_bytes()).unwrap()
    }

    #[test]
    fn a_form_decodes_as_browsers_encode_it() {
        assert_eq!(
            pairs("a=1&b=x+y&c=%C3%A9t%C3%A9&d&=e&&f=%zz%4"),
            [
                ("a", "1"),
                ("b", "x y"),
                ("c", "été"),
                ("d", ""),
                ("", "e"),
                ("f", "%zz%4")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(pairs("email=ann%2Bx%40y.test")[0].1, "ann+x@y.test");
        assert!(pairs("").is_empty());
    }

    #[test]
    fn a_form_with_text_that_is_not_utf8_is_refused_naming_the_field() {
        assert_eq!(
            form_pairs(b"csrf=x&email=%FF%FEjoe@x.test"),
            Err(FormError::NotUtf8 {
                field: Some("email".into())
            })
        );
        // Raw bytes count as much as escaped ones, in names as in values.
        assert!(form_pairs(b"email=jo\xffe").is_err());
        assert!(form_pairs(b"email=jo\xc3").is_err());
        assert_eq!(
            form_pairs(b"%C3=1"),
            Err(FormError::NotUtf8 { field: None })
        );
        assert_eq!(
            FormError::NotUtf8 {
                field: Some("email".into())
            }
            .to_string(),
            "field \"email\" is not UTF-8 text once percent-decoded"
        );
    }
}
