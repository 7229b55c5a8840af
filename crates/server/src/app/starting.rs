//! A node that listens before it can serve: `/healthz` answers at once,
//! `/readyz` says what it is doing (503), every other request is 503
//! `not_ready` with a Retry-After; once ready, every request goes straight to
//! the router. So an orchestrator sees a live process, never a refused
//! connection (docs/operations.md).

use super::CheckRoute;
use crate::http::ApiError;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use axum::serve::IncomingStream;
use axum::Router;
use futures_util::future::{BoxFuture, Either};
use std::convert::Infallible;
use std::future::Ready;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use tokio::net::TcpListener;
use tower::Service;

/// What a node is doing before it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Connecting, and comparing the schema with this release's.
    Opening = 0,
    Migrating = 1,
    /// Reading every organization into memory.
    Loading = 2,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Opening => "opening the database",
            Phase::Migrating => "migrating the database",
            Phase::Loading => "loading organizations",
        }
    }
}

/// The node's start (see the module's comment): its phase, how far loading
/// is, and what it serves once ready.
#[derive(Default)]
pub struct Starting {
    phase: AtomicU8,
    pub loading: crate::service::Loading,
    serving: OnceLock<Serving>,
}

/// What a ready node serves: every route, and the check straight to its
/// handler when it may be (`super::serving`).
pub struct Serving {
    pub router: Router,
    pub check: Option<CheckRoute>,
}

impl Starting {
    /// Waits `pause` before each organization it loads (tests).
    pub fn pausing(pause: std::time::Duration) -> Starting {
        Starting {
            loading: crate::service::Loading {
                pause,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    pub fn enter(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Relaxed) {
            1 => Phase::Migrating,
            2 => Phase::Loading,
            _ => Phase::Opening,
        }
    }

    /// From now on every request is served by `serving`.
    pub fn ready(&self, serving: Serving) {
        let _ = self.serving.set(serving);
    }

    /// The answer to `req` before the node serves.
    fn answer(&self, req: &Request) -> Response {
        let (loaded, total) = (
            self.loading.loaded.load(Ordering::Relaxed),
            self.loading.total.load(Ordering::Relaxed),
        );
        let phase = self.phase();
        match req.uri().path() {
            "/healthz" => "ok\n".into_response(),
            "/readyz" => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "ready": false,
                    "phase": phase.name(),
                    "organizations": { "loaded": loaded, "total": total },
                })),
            )
                .into_response(),
            _ => {
                let what = match phase {
                    Phase::Loading => format!("{}: {loaded} of {total}", phase.name()),
                    other => other.name().to_string(),
                };
                ApiError::NotReady {
                    what,
                    retry_after: std::time::Duration::from_secs(1),
                }
                .into_response()
            }
        }
    }
}

/// Makes each connection's `Gate` (what `axum::serve` calls per connection).
#[derive(Clone)]
pub struct Gates(pub Arc<Starting>);

impl Service<IncomingStream<'_, TcpListener>> for Gates {
    type Response = Gate;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Gate, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, TcpListener>) -> Self::Future {
        std::future::ready(Ok(Gate {
            starting: self.0.clone(),
            client: *stream.remote_addr(),
        }))
    }
}

/// One connection's service: the router once the node serves, `Starting`'s
/// answers before. Hand-written, so a ready node's request costs one atomic
/// load here, not a second `Router` and a boxed future in front of the real one.
#[derive(Clone)]
pub struct Gate {
    starting: Arc<Starting>,
    client: SocketAddr,
}

impl Service<Request> for Gate {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<
        RouteFuture<Infallible>,
        Either<
            BoxFuture<'static, Result<Response, Infallible>>,
            Ready<Result<Response, Infallible>>,
        >,
    >;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        // What `into_make_service_with_connect_info` would add: the limiters
        // of the console's sign-in pages key on the client's address.
        req.extensions_mut().insert(ConnectInfo(self.client));
        match self.starting.serving.get() {
            Some(Serving {
                check: Some(check), ..
            }) if CheckRoute::serves(&req) => Either::Right(Either::Left(check.call(req))),
            Some(serving) => Either::Left(serving.router.clone().call(req)),
            None => Either::Right(Either::Right(std::future::ready(Ok(self
                .starting
                .answer(&req))))),
        }
    }
}
