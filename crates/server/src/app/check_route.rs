//! `POST /api/v1/orgs/{org}/check` served without the router in front of it:
//! the path is recognised by its shape, and the request goes to the same
//! layers (bookkeeping, body limit, timeout) and the same handler as through
//! the router. What that skips, per check: matching the path
//! against every route, the `OriginalUri`, `MatchedPath` and path-parameter
//! entries in the request (their allocations, and the percent-decoding of
//! `{org}`), and cloning the boxed route services (docs/benchmarks.md "Server
//! CPU per HTTP check, second pass").
//!
//! The compression layer is left out too: it never compresses a check's
//! answer, a verdict and a reason of at most a role and an id, far under the
//! 1,024 bytes compression starts at, so the answer is the same without it
//! (no `Vary` either), and each check no longer pays its future and body
//! wrapper. Only the 400 for a malformed body that quotes a long part of it
//! (an unknown field's name) can pass 1 KiB; it now goes uncompressed.
//!
//! Only a path the router would send to that handler with nothing it needs
//! left out: `POST`, one non-empty `{org}` segment with no percent escape (a
//! segment with one is decoded from the path parameters, which only the router
//! makes). Any other request goes through the router, as before.

use super::{timeout, Bookkeeping};
use crate::application::Application;
use crate::http::{self, Metrics};
use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use futures_util::future::{BoxFuture, FutureExt};
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Service, ServiceBuilder};

/// The route's template, as the router names it in the metrics and the logs.
pub const CHECK_TEMPLATE: &str = "/api/v1/orgs/{org}/check";

const ORGS_PREFIX: &str = "/api/v1/orgs/";

type Answer = BoxFuture<'static, Result<Response, Infallible>>;

/// The check route with its layers, built once; each request clones the
/// layered service (reference counts, no allocation) and calls it.
#[derive(Clone)]
pub struct CheckRoute {
    call: Arc<dyn Fn(Request) -> Answer + Send + Sync>,
}

impl CheckRoute {
    pub fn new(app: Application, metrics: Arc<Metrics>) -> CheckRoute {
        let layered = ServiceBuilder::new()
            .layer(Bookkeeping::for_route(metrics, CHECK_TEMPLATE))
            .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES))
            .layer(timeout())
            .service(CheckHandler(app));
        CheckRoute {
            call: Arc::new(move |req| Box::pin(layered.clone().call(req))),
        }
    }

    /// Whether the router would send `req` to the check's handler (and this
    /// route has all that handler reads).
    pub fn serves(req: &Request) -> bool {
        req.method() == Method::POST
            && req
                .uri()
                .path()
                .strip_prefix(ORGS_PREFIX)
                .and_then(|rest| rest.strip_suffix("/check"))
                .is_some_and(|org| !org.is_empty() && !org.contains(['/', '%']))
    }

    pub fn call(&self, req: Request) -> Answer {
        (self.call)(req)
    }
}

/// The check's handler as a service, with the application as its state (what
/// the router's `HandlerService` is, under a name this module can write).
#[derive(Clone)]
struct CheckHandler(Application);

impl Service<Request> for CheckHandler {
    type Response = Response;
    type Error = Infallible;
    type Future = futures_util::future::Map<
        std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>,
        fn(Response) -> Result<Response, Infallible>,
    >;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let answer = axum::handler::Handler::call(http::check::check, req, self.0.clone());
        answer.map(Ok as fn(Response) -> Result<Response, Infallible>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, path: &str) -> Request {
        axum::http::Request::builder()
            .method(method)
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap()
    }

    #[test]
    fn only_a_plain_post_to_one_organizations_check_is_served_straight() {
        assert!(CheckRoute::serves(&request(
            Method::POST,
            "/api/v1/orgs/acme/check"
        )));
        assert!(CheckRoute::serves(&request(
            Method::POST,
            "/api/v1/orgs/acme/check?x=1"
        )));
        for (method, path) in [
            (Method::GET, "/api/v1/orgs/acme/check"),
            (Method::POST, "/api/v1/orgs//check"),
            (Method::POST, "/api/v1/orgs/acme/check/"),
            (Method::POST, "/api/v1/orgs/acme/check/batch"),
            (Method::POST, "/api/v1/orgs/a/b/check"),
            (Method::POST, "/api/v1/orgs/ac%6De/check"),
            (Method::POST, "/api/v1/orgs/acme/checks"),
            (Method::POST, "/api/v2/orgs/acme/check"),
        ] {
            assert!(!CheckRoute::serves(&request(method, path)), "{path}");
        }
    }
}
