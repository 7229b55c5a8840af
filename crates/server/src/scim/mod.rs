//! The SCIM 2.0 adapter (RFC 7643, 7644; docs/provisioning.md): a service
//! provider per organization at `/scim/v2/{org}/`, for the directories that
//! provision its people (Okta, Entra ID...). It parses SCIM's JSON, filters and
//! PATCH operations, calls the provisioning use cases, and renders resources
//! and SCIM errors; every rule is the core's, every use case the application's.

mod discovery;
mod filter;
mod groups;
mod patch;
mod resources;
mod users;

use crate::application::provisioning::{scim_base_path, Directory, DirectoryRequest};
use crate::application::{AppError, Application, ErrorKind};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub const CONTENT_TYPE: &str = "application/scim+json";

pub fn router(app: Application) -> Router<Application> {
    Router::new()
        .route("/scim/v2/{org}/Users", get(users::list).post(users::create))
        .route(
            "/scim/v2/{org}/Users/{id}",
            get(users::read)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::remove),
        )
        .route(
            "/scim/v2/{org}/Groups",
            get(groups::list).post(groups::create),
        )
        .route(
            "/scim/v2/{org}/Groups/{id}",
            get(groups::read)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::remove),
        )
        .route(
            "/scim/v2/{org}/ServiceProviderConfig",
            get(service_provider_config),
        )
        .route("/scim/v2/{org}/ResourceTypes", get(resource_types))
        .route("/scim/v2/{org}/ResourceTypes/{id}", get(resource_type))
        .route("/scim/v2/{org}/Schemas", get(schemas))
        .route("/scim/v2/{org}/Schemas/{id}", get(schema))
        .layer(axum::middleware::from_fn_with_state(app, keep_request))
}

/// A SCIM error (RFC 7644 §3.12): the status, the `scimType` where one
/// applies, and why in words.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
    /// The rule that refused the change (`last_admin`...), for the audit log.
    refused: Option<&'static str>,
}

impl ScimError {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
            refused: None,
        }
    }

    pub fn invalid(scim_type: &'static str, detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }
}

/// The adapter's one match from a use case's error to SCIM's answer. A
/// refusal keeps the core's reason first in the detail (`last_admin: ...`), so
/// a directory's log says why.
impl From<AppError> for ScimError {
    fn from(e: AppError) -> ScimError {
        let detail = format!("{}: {e}", e.reason());
        // A rule refused the change (not a malformed request): the log keeps it.
        let refused = match &e {
            AppError::Refused(_) if matches!(e.kind(), ErrorKind::Forbidden) => Some(e.reason()),
            AppError::Refused(_) if e.reason() == "email_immutable" => Some(e.reason()),
            _ => None,
        };
        let (status, scim_type) = match e.kind() {
            ErrorKind::Invalid if e.reason() == "email_immutable" => {
                (StatusCode::BAD_REQUEST, Some("mutability"))
            }
            ErrorKind::Invalid => (StatusCode::BAD_REQUEST, Some("invalidValue")),
            ErrorKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, None),
            ErrorKind::Unauthenticated => (StatusCode::UNAUTHORIZED, None),
            ErrorKind::Forbidden if e.reason() == "email_immutable" => {
                (StatusCode::BAD_REQUEST, Some("mutability"))
            }
            ErrorKind::Forbidden => (StatusCode::FORBIDDEN, None),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, None),
            ErrorKind::Conflict => (StatusCode::CONFLICT, Some("uniqueness")),
            ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, None),
            ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, None),
            ErrorKind::Internal => {
                tracing::error!(error = %e, "a SCIM request failed");
                return ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, "internal error");
            }
        };
        ScimError {
            refused,
            ..ScimError::new(status, scim_type, detail)
        }
    }
}

/// What the request log keeps of a refused request: the error's words.
#[derive(Clone)]
struct Outcome {
    detail: String,
    refused: Option<&'static str>,
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": [resources::ERROR_SCHEMA],
            "status": self.status.as_str(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut response = scim_json(self.status, &body);
        response.extensions_mut().insert(Outcome {
            detail: self.detail,
            refused: self.refused,
        });
        response
    }
}

/// A SCIM answer: the JSON with SCIM's media type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        body.to_string(),
    )
        .into_response()
}

/// A resource's answer: its JSON, `ETag` (its `meta.version`) and `Location`.
pub fn resource_answer(status: StatusCode, resource: &Value) -> Response {
    let mut response = scim_json(status, resource);
    let meta = &resource["meta"];
    for (name, value) in [
        (header::ETAG, &meta["version"]),
        (header::LOCATION, &meta["location"]),
    ] {
        if let Some(v) = value.as_str().and_then(|v| HeaderValue::from_str(v).ok()) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// `If-Match`: the change applies only to the version the directory read.
pub fn check_version(headers: &HeaderMap, current: &Value) -> Result<(), ScimError> {
    let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let have = current["meta"]["version"].as_str().unwrap_or_default();
    let strip = |v: &str| {
        v.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    let matched = wanted
        .split(',')
        .any(|w| w.trim() == "*" || strip(w) == strip(have));
    if matched {
        Ok(())
    } else {
        Err(ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            None,
            format!("the resource is at version {have}, not {wanted}; read it again"),
        ))
    }
}

/// The directory behind the request's bearer token, in the path's organization.
pub struct Dir {
    pub directory: Directory,
    /// The SCIM base URL, for `location`s.
    pub base: String,
}

fn org_of(path: &str) -> Option<&str> {
    path.strip_prefix("/scim/v2/")?.split('/').next()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

impl FromRequestParts<Application> for Dir {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, app: &Application) -> Result<Self, ScimError> {
        let org = org_of(parts.uri.path())
            .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, None, "no such organization"))?
            .to_string();
        let token = bearer(&parts.headers).ok_or_else(|| {
            ScimError::new(
                StatusCode::UNAUTHORIZED,
                None,
                "send Authorization: Bearer <SCIM token>",
            )
        })?;
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let directory = app.directory(&org, token, client)?;
        Ok(Dir {
            directory,
            base: app.settings().link(&scim_base_path(&org)),
        })
    }
}

/// A JSON body of any media type (directories send `application/scim+json`).
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ScimError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ScimError::new(r.status(), None, r.body_text()))?;
        serde_json::from_slice(&bytes)
            .map(ScimBody)
            .map_err(|e| ScimError::invalid("invalidSyntax", format!("the body is not JSON: {e}")))
    }
}

/// A list's query: `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes`.
pub type Params = HashMap<String, String>;

/// `startIndex` (1-based) and `count`, as RFC 7644 §3.4.2.4 reads them.
pub fn paging(params: &Params) -> Result<(usize, usize), ScimError> {
    let number = |key: &str, default: i64| -> Result<i64, ScimError> {
        params.get(key).map_or(Ok(default), |v| {
            v.trim().parse::<i64>().map_err(|_| {
                ScimError::invalid("invalidValue", format!("{key}: {v} is not a number"))
            })
        })
    };
    let start = number("startIndex", 1)?.max(1) as usize;
    let count = number("count", 100)?.clamp(0, discovery::MAX_RESULTS as i64) as usize;
    Ok((start, count))
}

/// The list answer for `resources` (already rendered): filtered, paged, projected.
pub fn list_answer(resources: Vec<Value>, params: &Params) -> Result<Response, ScimError> {
    let filter = params
        .get("filter")
        .map(|f| filter::parse(f))
        .transpose()
        .map_err(|e| ScimError::invalid("invalidFilter", e.0))?;
    let (start, count) = paging(params)?;
    let matching: Vec<Value> = resources
        .into_iter()
        .filter(|r| filter.as_ref().is_none_or(|f| filter::matches(f, r)))
        .collect();
    let total = matching.len();
    let page = matching
        .into_iter()
        .skip(start - 1)
        .take(count)
        .map(|r| project(r, params))
        .collect();
    Ok(scim_json(
        StatusCode::OK,
        &resources::list(total, start, page),
    ))
}

pub fn project(resource: Value, params: &Params) -> Value {
    resources::project(
        resource,
        params.get("attributes").map(String::as_str),
        params.get("excludedAttributes").map(String::as_str),
    )
}

/// Keeps every request to an organization's SCIM base for the Provisioning
/// page: what was asked, the status, and why a refused one was refused.
async fn keep_request(State(app): State<Application>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().chars().take(300).collect::<String>();
    let org = org_of(&path).map(str::to_string);
    let token = bearer(req.headers()).map(str::to_string);
    let response = next.run(req).await;
    let Some(org) = org.filter(|o| app.service().snapshot(o).is_some()) else {
        return response;
    };
    let status = response.status().as_u16();
    let (outcome, refused) = response.extensions().get::<Outcome>().map_or_else(
        || ("ok".to_string(), None),
        |o| (o.detail.clone(), o.refused),
    );
    if let (Some(reason), Some(token)) = (refused, &token) {
        let request = format!("{method} {path}");
        app.steward
            .record_directory_refusal(&org, token, reason, request)
            .await;
    }
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let request = DirectoryRequest {
        at,
        method,
        path,
        status,
        outcome,
    };
    // Queued before the answer goes; the page writes the queue before it reads.
    app.steward.record_directory_request(&org, request);
    response
}

async fn service_provider_config(dir: Dir) -> Response {
    scim_json(
        StatusCode::OK,
        &discovery::service_provider_config(&dir.base),
    )
}

async fn resource_types(dir: Dir) -> Response {
    let all = discovery::resource_types(&dir.base);
    scim_json(StatusCode::OK, &resources::list(all.len(), 1, all))
}

async fn schemas(dir: Dir) -> Response {
    let all = discovery::schemas(&dir.base);
    scim_json(StatusCode::OK, &resources::list(all.len(), 1, all))
}

fn one_of(all: Vec<Value>, id: &str) -> Result<Response, ScimError> {
    all.into_iter()
        .find(|r| r["id"] == id)
        .map(|r| scim_json(StatusCode::OK, &r))
        .ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, None, format!("no {id} here")))
}

async fn resource_type(
    dir: Dir,
    axum::extract::Path((_, id)): axum::extract::Path<(String, String)>,
) -> Result<Response, ScimError> {
    one_of(discovery::resource_types(&dir.base), &id)
}

async fn schema(
    dir: Dir,
    axum::extract::Path((_, id)): axum::extract::Path<(String, String)>,
) -> Result<Response, ScimError> {
    one_of(discovery::schemas(&dir.base), &id)
}
