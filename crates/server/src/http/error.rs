//! The one place where anything that goes wrong becomes an HTTP answer: status,
//! `code` and `reason` as API.md fixes them. Server faults are logged here and the
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
