//! The one place where anything that goes wrong becomes an HTTP answer: status,
//! `code` and `reason` as docs/api.md#errors fixes them. Server faults are logged here and the
//! client gets generic text.

use crate::application::{AppError, ErrorKind};
use crate::auth::HashingBusy;
use crate::service::ServiceError;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;
use steward_core::import_file::ImportFileError;
use steward_core::{ParseError, Refusal};

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
    /// The node is starting: its organizations are not all loaded yet (503).
    #[error("Steward is starting ({what}); try again in {} s", .retry_after.as_secs().max(1))]
    NotReady { what: String, retry_after: Duration },
    #[error("too many attempts; try again in {} s", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// More passwords to hash than the node's bound lets through in time (503).
    #[error(transparent)]
    Busy(#[from] HashingBusy),
    /// Anything the caller cannot fix: logged, answered with generic text.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `{"error": {"code", "reason", "message"}}`: every error answer's body, as
/// openapi.json describes it for every 4xx and 5xx.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct ErrorBody<'a> {
    error: ErrorFields<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct ErrorFields<'a> {
    /// The kind: `INVALID`, `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`,
    /// `CONFLICT`, `TIMEOUT`, `RATE_LIMITED`, `UNAVAILABLE`, `INTERNAL`...
    #[schema(example = "FORBIDDEN")]
    code: &'static str,
    /// What a program tests: the field or rule (`not_permitted`, `last_owner`...).
    #[schema(example = "not_permitted")]
    reason: &'a str,
    /// The same in words, for a person.
    #[schema(example = "you may not manage members here")]
    message: &'a str,
}

impl ApiError {
    pub fn invalid(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
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
            ApiError::NotReady { .. } => StatusCode::SERVICE_UNAVAILABLE,
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
            ApiError::NotReady { .. } => "UNAVAILABLE",
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
            ApiError::NotReady { .. } => "not_ready",
            ApiError::Internal(_) => "internal",
        }
    }
}

/// The one match from the application's errors to the API's answer: the kind
/// gives the status and code, the error its own reason and words.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let reason = e.reason();
        match e.kind() {
            ErrorKind::Invalid => ApiError::Invalid {
                reason,
                message: e.to_string(),
            },
            ErrorKind::TooLarge => match e {
                AppError::FileTooLarge { limit } => ApiError::TooLarge { limit },
                other => ApiError::Internal(format!("too large: {other}")),
            },
            ErrorKind::Unauthenticated => ApiError::Unauthenticated {
                reason,
                message: e.to_string(),
            },
            ErrorKind::Forbidden => ApiError::Forbidden {
                reason,
                message: e.to_string(),
            },
            ErrorKind::NotFound => ApiError::NotFound {
                reason,
                message: e.to_string(),
            },
            ErrorKind::Conflict => ApiError::Conflict {
                reason,
                message: e.to_string(),
            },
            ErrorKind::RateLimited => ApiError::RateLimited {
                retry_after: e.retry_after().unwrap_or_default(),
            },
            ErrorKind::Unavailable => match e {
                AppError::Busy(busy) => ApiError::Busy(busy),
                other => ApiError::Internal(other.to_string()),
            },
            ErrorKind::Internal => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        AppError::from(refusal).into()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        AppError::from(e).into()
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        AppError::from(e).into()
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> ApiError {
        AppError::from(e).into()
    }
}

/// A CSV import refused whole: its reason, and its line and column in the message.
impl From<ImportFileError> for ApiError {
    fn from(e: ImportFileError) -> ApiError {
        AppError::from(e).into()
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
        if let ApiError::RateLimited { retry_after }
        | ApiError::Busy(HashingBusy { retry_after })
        | ApiError::NotReady { retry_after, .. } = &self
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

/// `what`, and the answer's own words after it when it had any.
fn sentence_or(what: &str, text: &str) -> String {
    match text.trim() {
        "" => what.to_string(),
        why => format!("{what}: {why}"),
    }
}

impl ApiError {
    /// The error a 4xx made outside this module stands for, by its status.
    pub fn from_stray(status: StatusCode, text: &str) -> ApiError {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge {
                limit: super::MAX_BODY_BYTES,
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
