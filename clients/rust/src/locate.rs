//! Where a request names who is asking and what about: a path parameter, a
//! header, a request extension your authentication put there, or a closure.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use std::marker::PhantomData;

/// Finds one id in a request; `None` when the request does not carry it.
pub trait Locate: Clone + Send + Sync + 'static {
    fn locate(&self, parts: &mut Parts)
        -> impl std::future::Future<Output = Option<String>> + Send;
}

/// The caller's user id (`usr_...`), as your authentication middleware stores it:
/// `request.extensions_mut().insert(UserId(id))`. The layer's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserId(pub String);

impl AsRef<str> for UserId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A parameter of the route's path (`/projects/{id}` -> `from_path("id")`). The
/// layer must be a `route_layer`, so that the route has been matched.
pub fn from_path(name: &'static str) -> FromPath {
    FromPath(name)
}

#[derive(Debug, Clone, Copy)]
pub struct FromPath(&'static str);

impl Locate for FromPath {
    async fn locate(&self, parts: &mut Parts) -> Option<String> {
        let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
        params
            .iter()
            .find(|(name, _)| *name == self.0)
            .map(|(_, value)| value.to_string())
    }
}

/// A request header (`from_header("x-user-id")`), for a gateway that sets it.
pub fn from_header(name: &'static str) -> FromHeader {
    FromHeader(name)
}

#[derive(Debug, Clone, Copy)]
pub struct FromHeader(&'static str);

impl Locate for FromHeader {
    async fn locate(&self, parts: &mut Parts) -> Option<String> {
        let value = parts.headers.get(self.0)?.to_str().ok()?;
        Some(value.to_string())
    }
}

/// A request extension of type `T` (your own user type, if it is `AsRef<str>`).
pub fn from_extension<T>() -> FromExtension<T> {
    FromExtension(PhantomData)
}

#[derive(Debug)]
pub struct FromExtension<T>(PhantomData<fn() -> T>);

impl<T> Clone for FromExtension<T> {
    fn clone(&self) -> Self {
        FromExtension(PhantomData)
    }
}

impl<T: AsRef<str> + Send + Sync + 'static> Locate for FromExtension<T> {
    async fn locate(&self, parts: &mut Parts) -> Option<String> {
        parts.extensions.get::<T>().map(|v| v.as_ref().to_string())
    }
}

/// An id that is always the same: the organization's, for organization actions
/// (`RequirePermission::new("members:manage", "org_...")`).
impl Locate for String {
    async fn locate(&self, _parts: &mut Parts) -> Option<String> {
        Some(self.clone())
    }
}

impl Locate for &'static str {
    async fn locate(&self, _parts: &mut Parts) -> Option<String> {
        Some(self.to_string())
    }
}
