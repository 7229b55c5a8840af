//! The one place where anything that goes wrong becomes an HTTP answer: status,
//! `code` and `reason` as docs/api.md#errors fixes them. Server faults are logged here and the
//! client gets generic text.

use crate::auth::HashingBusy;
use crate::service::ServiceError;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;
use steward_core::import_file::ImportFileError;
use steward_core::{ParseError, Refusal, RefusalKind};

/// Every error an endpoint can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed input; `reason` names the field or rule.
    #[error("{message}")]
    Invalid {
        reason: &'static str,
        message: String,
    },
    /// No credentials, bad ones, or expired ones.
    #[error("{message}")]
    Unauthenticated {
        reason: &'static str,
        message: String,
    },
    /// A governance rule or the caller's permissions forbid it.
    #[error("{message}")]
    Forbidden {
        reason: &'static str,
        message: String,
    },
    /// No such thing, or the caller may not know it exists.
    #[error("{message}")]
    NotFound {
        reason: &'static str,
        message: String,
    },
    #[error("{message}")]
    Conflict {
        reason: &'static str,
        message: String,
    },
    /// A body over the endpoint's limit, refused before it is read whole (413).
    #[error("the file is larger than {} MiB", .limit / (1024 * 1024))]
    TooLarge { limit: usize },
    /// A request body over `MAX_BODY_BYTES` (413), refused before it is read whole.
    #[error("the request body is larger than {} MiB", .limit / (1024 * 1024))]
    BodyTooLarge { limit: usize },
    /// The request took longer than the server gives one (408).
    #[error("the request took longer than {} s; nothing more will be done for it", .after.as_secs())]
    TimedOut { after: Duration },
    /// The path exists, not with this method.
    #[error("this path does not take that method")]
    MethodNotAllowed,
    #[error("too many attempts; try again in {} s", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// More passwords to hash than the node's bound lets through in time (503).
    #[error(transparent)]
    Busy(#[from] HashingBusy),
    /// Anything the caller cannot fix: logged, answered with generic text.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `{"error": {"code", "reason", "message"}}`
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    error: ErrorFields<'a>,
}

#[derive(Debug, Serialize)]
struct ErrorFields<'a> {
    code: &'static str,
    reason: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn invalid(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            reason,
            message: message.into(),
        }
    }

    pub fn unauthenticated(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Unauthenticated {
            reason,
            message: message.into(),
        }
    }

    pub fn forbidden(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Forbidden {
            reason,
            message: message.into(),
        }
    }

    pub fn not_found(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::NotFound {
            reason,
            message: message.into(),
        }
    }

    pub fn conflict(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            reason,
            message: message.into(),
        }
    }

    /// Another organization's id, or one this caller may not know of.
    pub fn no_organization() -> ApiError {
        ApiError::from(Refusal::NoOrganization)
    }

    /// A field that did not parse: the field is the reason.
    pub fn field(field: &'static str, error: impl std::fmt::Display) -> ApiError {
        ApiError::invalid(field, format!("{field}: {error}"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TimedOut { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            // 413 has no code of its own in the contract: the input is invalid.
            ApiError::Invalid { .. } | ApiError::TooLarge { .. } => "INVALID",
            ApiError::BodyTooLarge { .. } => "INVALID",
            ApiError::TimedOut { .. } => "TIMEOUT",
            ApiError::Unauthenticated { .. } => "UNAUTHENTICATED",
            ApiError::Forbidden { .. } => "FORBIDDEN",
            ApiError::NotFound { .. } => "NOT_FOUND",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::Busy(_) => "UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::Invalid { reason, .. }
            | ApiError::Unauthenticated { reason, .. }
            | ApiError::Forbidden { reason, .. }
            | ApiError::NotFound { reason, .. }
            | ApiError::Conflict { reason, .. } => reason,
            ApiError::TooLarge { .. } => "file_too_large",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::TimedOut { .. } => "timeout",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::RateLimited { .. } => "too_many_attempts",
            ApiError::Busy(_) => "busy",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        let reason = refusal.reason();
        let message = refusal.to_string();
        match refusal.kind() {
            RefusalKind::Invalid => ApiError::Invalid { reason, message },
            RefusalKind::Forbidden => ApiError::Forbidden { reason, message },
            RefusalKind::NotFound => ApiError::NotFound { reason, message },
            RefusalKind::Conflict => ApiError::Conflict { reason, message },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NoSuchOrganization(_) => ApiError::no_organization(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::Refused(r) => r.into(),
            ServiceError::Store(s) => s.into(),
        }
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> ApiError {
        let reason = match e {
            ParseError::BadEmail(_) => "email",
            ParseError::Empty { .. } | ParseError::TooLong { .. } => "invalid_value",
            ParseError::BadCharacter { .. } => "invalid_value",
        };
        ApiError::invalid(reason, e.to_string())
    }
}

/// A CSV import refused whole: its reason, and its line and column in the message.
impl From<ImportFileError> for ApiError {
    fn from(e: ImportFileError) -> ApiError {
        ApiError::invalid(e.reason(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                "something went wrong on our side; it has been logged".to_string()
            }
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: ErrorFields {
                code: self.code(),
                reason: self.reason(),
                message: &message,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } | ApiError::Busy(HashingBusy { retry_after }) =
            &self
        {
            let secs = retry_after.as_secs().max(1).to_string();
            if let Ok(v) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"steward\""),
            );
        }
        response
    }
}

/// The last guard of the error shape: a refusal that never went through
/// `ApiError` (a rejection of an extractor this crate does not wrap, a layer's
/// own answer such as the timeout's empty 408) is put in it here, so no client
/// reads a `text/plain` 4xx. A browser on a console page gets the error page.
/// Server-side answers are left as they are: `/readyz`'s plain 503 is for load
/// balancers.
pub async fn keep_error_shape(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let page = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    let text = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) if !encoded => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    };
    let error = ApiError::from_stray(status, &text);
    if page {
        crate::web::error_page(error)
    } else {
        error.into_response()
    }
}

/// `what`, and the answer's own words after it when it had any.
fn sentence_or(what: &str, text: &str) -> String {
    match text.trim() {
        "" => what.to_string(),
        why => format!("{what}: {why}"),
    }
}

impl ApiError {
    /// The error a 4xx made outside this module stands for, by its status.
    fn from_stray(status: StatusCode, text: &str) -> ApiError {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge {
                limit: super::extract::MAX_BODY_BYTES,
            },
            StatusCode::REQUEST_TIMEOUT => ApiError::TimedOut {
                after: super::REQUEST_TIMEOUT,
            },
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            // This API answers a content type it does not take with 400, as the
            // import does.
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::invalid(
                "content_type",
                sentence_or(
                    "the request's Content-Type is not one this path takes",
                    text,
                ),
            ),
            _ => ApiError::invalid(
                "request",
                sentence_or("the request could not be read", text),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(e: ApiError) -> (StatusCode, serde_json::Value) {
        let response = e.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn each_refusal_class_has_the_status_and_code_of_the_contract() {
        let cases = [
            (
                Refusal::CannotDemoteOwner,
                403,
                "FORBIDDEN",
                "cannot_demote_owner",
            ),
            (Refusal::LastAdmin, 403, "FORBIDDEN", "last_admin"),
            (Refusal::EmailImmutable, 400, "INVALID", "email_immutable"),
            (
                Refusal::UnknownRole("x".into()),
                400,
                "INVALID",
                "unknown_role",
            ),
            (Refusal::NoOrganization, 404, "NOT_FOUND", "unknown_org"),
            (
                Refusal::TransferPending,
                409,
                "CONFLICT",
                "transfer_pending",
            ),
        ];
        for (refusal, status, code, reason) in cases {
            let (s, body) = body_of(refusal.into()).await;
            assert_eq!(s.as_u16(), status);
            assert_eq!(body["error"]["code"], code);
            assert_eq!(body["error"]["reason"], reason);
            assert!(body["error"]["message"].as_str().unwrap().len() > 3);
        }
    }

    #[tokio::test]
    async fn a_file_over_the_limit_is_413_invalid_file_too_large() {
        let (s, body) = body_of(ApiError::TooLarge { limit: 32 << 20 }).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["error"]["code"], "INVALID");
        assert_eq!(body["error"]["reason"], "file_too_large");
        assert_eq!(body["error"]["message"], "the file is larger than 32 MiB");
    }

    #[tokio::test]
    async fn a_server_fault_tells_the_client_nothing_of_its_cause() {
        let (s, body) = body_of(ApiError::Internal("password=hunter2 at db".into())).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("hunter2"));
        assert_eq!(body["error"]["code"], "INTERNAL");
    }

    /// What `keep_error_shape` makes of what a route answered.
    async fn kept(path: &str, accept: &str, answer: Response) -> Response {
        use tower::ServiceExt;
        let answer = std::sync::Mutex::new(Some(answer));
        let answer = std::sync::Arc::new(answer);
        let router = axum::Router::new()
            .fallback(move || {
                let answer = answer.clone();
                async move { answer.lock().unwrap().take().unwrap() }
            })
            .layer(axum::middleware::from_fn(keep_error_shape));
        let request = axum::http::Request::get(path)
            .header(header::ACCEPT, accept)
            .body(axum::body::Body::empty())
            .unwrap();
        router.oneshot(request).await.unwrap()
    }

    async fn json_of(response: Response) -> (StatusCode, serde_json::Value) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn an_answer_made_outside_api_error_is_put_in_the_error_shape() {
        let timeout = StatusCode::REQUEST_TIMEOUT.into_response();
        let (s, body) = json_of(kept("/api/v1/me", "*/*", timeout).await).await;
        assert_eq!(s, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(body["error"]["code"], "TIMEOUT");
        assert_eq!(body["error"]["reason"], "timeout");
        let rejection = (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Expected a form").into_response();
        let (s, body) = json_of(kept("/api/v1/x", "*/*", rejection).await).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["reason"], "content_type");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with(": Expected a form"));
        let rejection = (StatusCode::UNPROCESSABLE_ENTITY, "").into_response();
        let (s, body) = json_of(kept("/api/v1/x", "*/*", rejection).await).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["reason"], "request");
        assert_eq!(body["error"]["message"], "the request could not be read");
        let too_large = (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
        let (_, body) = json_of(kept("/api/v1/x", "*/*", too_large).await).await;
        assert_eq!(body["error"]["reason"], "body_too_large");
    }

    #[tokio::test]
    async fn an_answer_already_in_shape_a_page_or_a_success_is_left_alone() {
        let refused = ApiError::from(Refusal::LastAdmin).into_response();
        let (s, body) = json_of(kept("/api/v1/x", "*/*", refused).await).await;
        assert_eq!(
            (s, body["error"]["reason"].as_str()),
            (StatusCode::FORBIDDEN, Some("last_admin"))
        );
        let page = (StatusCode::NOT_FOUND, axum::response::Html("<p>no</p>")).into_response();
        let page = kept("/orgs/x", "text/html", page).await;
        assert_eq!(
            page.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let metrics = "steward_up 1".into_response();
        let metrics = kept("/metrics", "*/*", metrics).await;
        assert_eq!(metrics.status(), StatusCode::OK);
        let not_ready = (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response();
        let not_ready = kept("/readyz", "*/*", not_ready).await;
        assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            not_ready.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }

    #[tokio::test]
    async fn a_browser_on_a_console_page_gets_the_error_page_not_json() {
        let rejection = (StatusCode::BAD_REQUEST, "Invalid URL").into_response();
        let page = kept("/orgs/%FF/users", "text/html,*/*", rejection).await;
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(page.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        // The API's paths answer JSON, whatever the client accepts.
        let rejection = (StatusCode::BAD_REQUEST, "Invalid URL").into_response();
        let (_, body) = json_of(kept("/api/v1/orgs/%FF", "text/html", rejection).await).await;
        assert_eq!(body["error"]["code"], "INVALID");
    }

    #[tokio::test]
    async fn too_many_attempts_is_429_with_retry_after() {
        let response = ApiError::RateLimited {
            retry_after: Duration::from_secs(30),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "30");
    }

    #[tokio::test]
    async fn a_busy_node_is_503_unavailable_with_retry_after() {
        let busy = HashingBusy {
            retry_after: Duration::from_secs(3),
        };
        let response = ApiError::from(busy).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
        let (_, body) = body_of(busy.into()).await;
        assert_eq!(body["error"]["code"], "UNAVAILABLE");
        assert_eq!(body["error"]["reason"], "busy");
    }
}
