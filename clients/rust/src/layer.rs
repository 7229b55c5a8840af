//! `RequirePermission`: a tower layer for axum routes that asks Steward whether
//! the caller may do the action on the object the request names, and answers
//! 403 with Steward's reason when not, before the handler runs. It asks a
//! [`Checker`]: the HTTP client, or the in-process copy (feature `local`).

use crate::client::{Decision, Error, Question, Steward};
use crate::locate::{FromExtension, Locate, UserId};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// What answers the layer's questions: [`Steward`] asks over HTTP; a
/// `LocalCopy` (feature `local`) answers in-process while it is current.
pub trait Checker: Clone + Send + Sync + 'static {
    fn check(&self, question: &Question) -> impl Future<Output = Result<Decision, Error>> + Send;
}

impl Checker for Steward {
    async fn check(&self, question: &Question) -> Result<Decision, Error> {
        Steward::check(self, question).await
    }
}

/// Asks `action` on the object `object` locates, for the user `user` locates
/// (by default the [`UserId`] extension), of the [`Checker`] given with
/// [`with_client`](Self::with_client) or else found as a request extension
/// (a [`Steward`] unless `with_client` said otherwise).
/// An allowed request reaches the handler with the [`Decision`] as an extension.
#[derive(Clone)]
pub struct RequirePermission<O, U = FromExtension<UserId>, C = Steward> {
    action: Arc<str>,
    object: O,
    user: U,
    client: Option<C>,
}

impl<O: Locate> RequirePermission<O> {
    pub fn new(action: &str, object: O) -> Self {
        RequirePermission {
            action: action.into(),
            object,
            user: crate::locate::from_extension::<UserId>(),
            client: None,
        }
    }
}

impl<O: Locate, U: Locate, C: Checker> RequirePermission<O, U, C> {
    /// The checker to ask: a [`Steward`], or a `LocalCopy`.
    pub fn with_client<D: Checker>(self, client: D) -> RequirePermission<O, U, D> {
        RequirePermission {
            action: self.action,
            object: self.object,
            user: self.user,
            client: Some(client),
        }
    }

    /// Where the caller's user id is, when it is not the [`UserId`] extension.
    pub fn user<V: Locate>(self, user: V) -> RequirePermission<O, V, C> {
        RequirePermission {
            action: self.action,
            object: self.object,
            user,
            client: self.client,
        }
    }
}

impl<S, O: Clone, U: Clone, C: Clone> Layer<S> for RequirePermission<O, U, C> {
    type Service = RequirePermissionService<S, O, U, C>;

    fn layer(&self, inner: S) -> Self::Service {
        RequirePermissionService {
            inner,
            rule: RequirePermission {
                action: self.action.clone(),
                object: self.object.clone(),
                user: self.user.clone(),
                client: self.client.clone(),
            },
        }
    }
}

#[derive(Clone)]
pub struct RequirePermissionService<S, O, U, C = Steward> {
    inner: S,
    rule: RequirePermission<O, U, C>,
}

impl<S, O, U, C> Service<Request> for RequirePermissionService<S, O, U, C>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    O: Locate,
    U: Locate,
    C: Checker,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service that was polled ready is the one that must be called.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let rule = self.rule.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            match rule.decide(&mut parts).await {
                Ok(decision) => {
                    parts.extensions.insert(decision);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(refused) => Ok(refused),
            }
        })
    }
}

impl<O: Locate, U: Locate, C: Checker> RequirePermission<O, U, C> {
    /// Steward's decision, or the answer the customer's service gives instead.
    async fn decide(&self, parts: &mut axum::http::request::Parts) -> Result<Decision, Response> {
        let client = match (&self.client, parts.extensions.get::<C>()) {
            (Some(client), _) | (None, Some(client)) => client.clone(),
            (None, None) => {
                return Err(refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "steward_client_missing",
                    "RequirePermission has no Steward client: give one with with_client",
                ))
            }
        };
        let Some(user) = self.user.locate(parts).await else {
            return Err(refusal(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "the request does not say who is asking",
            ));
        };
        let Some(object) = self.object.locate(parts).await else {
            return Err(refusal(
                StatusCode::NOT_FOUND,
                "unknown_object",
                "the request does not name the object",
            ));
        };
        match client
            .check(&Question::new(user, &*self.action, object))
            .await
        {
            Ok(decision) if decision.allowed => Ok(decision),
            Ok(decision) => Err(refusal(
                StatusCode::FORBIDDEN,
                &decision.reason,
                &format!("not allowed to {}: {}", self.action, decision.reason),
            )),
            Err(Error::Refused {
                reason, message, ..
            }) => Err(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                &reason,
                &format!("Steward refused the check: {message}"),
            )),
            Err(e @ Error::Unreachable(_)) => Err(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "steward_unreachable",
                &e.to_string(),
            )),
        }
    }
}

/// The refusal in Steward's own error shape: `{"error": {code, reason, message}}`.
fn refusal(status: StatusCode, reason: &str, message: &str) -> Response {
    let code = match status {
        StatusCode::FORBIDDEN => "FORBIDDEN",
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        _ => "INTERNAL",
    };
    let body = serde_json::json!({"error": {"code": code, "reason": reason, "message": message}});
    (status, Json(body)).into_response()
}
