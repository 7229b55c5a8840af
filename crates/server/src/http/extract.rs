//! What handlers take from a request: JSON bodies and queries whose faults are
//! answered in the API's error shape, and the caller behind the bearer token.

use super::error::ApiError;
use super::AppState;
use crate::service::ApiKeyGrant;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use std::sync::Arc;
use steward_core::api_key::KeyUse;
use steward_core::{Actor, OrgId, Snapshot, UserId};

/// A JSON body; a malformed one is 400 `body` with serde's line and column.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError::invalid("body", rejection.body_text())),
        }
    }
}

/// A query string; a malformed one is 400 `query`.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError::invalid("query", rejection.body_text())),
        }
    }
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
