//! What handlers take from a request: path parameters, queries and bodies whose
//! faults are answered in the API's error shape (never axum's plain-text
//! rejections), and the caller behind the bearer token.

use super::error::ApiError;
pub use crate::application::Caller;
use crate::application::{AppError, Application, Unauthenticated};
use crate::urlencoded::form_pairs;
use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};

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

/// The `{org}` of a route under `/api/v1/orgs/{org}/`, read where it lies in
/// the request's path: the `Uri`'s shared bytes, so the check's route makes no
/// copy of it per request (`ApiPath<String>` makes one). A segment with a
/// percent escape is decoded by `ApiPath`, as every other parameter.
pub struct OrgInPath(OrgText);

enum OrgText {
    /// The path, and where the segment lies in it.
    InPath(Uri, std::ops::Range<usize>),
    Decoded(String),
}

const ORGS_PREFIX: &str = "/api/v1/orgs/";

impl std::ops::Deref for OrgInPath {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            OrgText::InPath(uri, at) => &uri.path()[at.clone()],
            OrgText::Decoded(text) => text,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for OrgInPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let path = parts.uri.path();
        if let Some(rest) = path.strip_prefix(ORGS_PREFIX) {
            let segment = rest.split('/').next().unwrap_or("");
            if !segment.is_empty() && !segment.contains('%') {
                let start = ORGS_PREFIX.len();
                let at = start..start + segment.len();
                return Ok(OrgInPath(OrgText::InPath(parts.uri.clone(), at)));
            }
        }
        let ApiPath(mut params) =
            ApiPath::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await?;
        match params.remove("org") {
            Some(org) => Ok(OrgInPath(OrgText::Decoded(org))),
            None => Err(ApiError::Internal("a route without {org}".into())),
        }
    }
}

impl FromRequestParts<Application> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Application) -> Result<Self, ApiError> {
        let token =
            bearer(&parts.headers).ok_or(AppError::from(Unauthenticated::MissingCredentials))?;
        Ok(app.authenticate(token)?)
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
