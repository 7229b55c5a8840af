//! What every request gets once its route is found, in one hand-written layer:
//! its request id (the client's `x-request-id`, or a random one made here), the
//! `request` span its logs are written in, its line in the metrics, and the last
//! guard of the API's error shape (`shape_error`). One layer and not five
//! (tower-http's two request-id layers and `TraceLayer`, a `from_fn`): each
//! layer applied to the router is a boxed service cloned and a boxed future per
//! request (docs/benchmarks.md "Server CPU per HTTP check").
//!
//! A trace context (OpenTelemetry's `traceparent`) is continued in `Kept::call`,
//! where the span is made.

use super::{wants_page, web};
use crate::http::{ApiError, Metrics};
use crate::telemetry::REQUEST_SPAN;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layer (see the module's comment); `Router::layer` puts it around each
/// route, so the matched route's template is known.
#[derive(Clone)]
pub struct Bookkeeping {
    metrics: Arc<Metrics>,
    template: Option<&'static str>,
}

impl Bookkeeping {
    /// Counts into `metrics` (what `/metrics` renders).
    pub fn new(metrics: Arc<Metrics>) -> Bookkeeping {
        Bookkeeping {
            metrics,
            template: None,
        }
    }

    /// Around one route served without the router (`app::CheckRoute`): no
    /// `MatchedPath` says its template, so it is given here.
    pub fn for_route(metrics: Arc<Metrics>, template: &'static str) -> Bookkeeping {
        Bookkeeping {
            metrics,
            template: Some(template),
        }
    }
}

impl<S> Layer<S> for Bookkeeping {
    type Service = Kept<S>;

    fn layer(&self, inner: S) -> Kept<S> {
        Kept {
            inner,
            metrics: self.metrics.clone(),
            template: self.template,
        }
    }
}

/// A route with its bookkeeping.
#[derive(Clone)]
pub struct Kept<S> {
    inner: S,
    metrics: Arc<Metrics>,
    template: Option<&'static str>,
}

/// The template a request is counted and logged under.
enum Template {
    Matched(MatchedPath),
    Fixed(&'static str),
}

impl Template {
    fn as_str(template: &Option<Template>) -> &str {
        match template {
            Some(Template::Matched(path)) => path.as_str(),
            Some(Template::Fixed(text)) => text,
            None => "unmatched",
        }
    }
}

impl<S, B> Service<Request> for Kept<S>
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = InSpan;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let id = RequestId::of(req.headers());
        let route = match self.template {
            Some(fixed) => Some(Template::Fixed(fixed)),
            None => req
                .extensions()
                .get::<MatchedPath>()
                .cloned()
                .map(Template::Matched),
        };
        let method = req.method().clone();
        let page = wants_error_page(&req);
        // The route's template, never the raw path: an invitation's token
        // travels in its path and must not reach the logs.
        let template = Template::as_str(&route);
        // Text fields, so the log layer copies them and formats them only if a
        // line is written inside the span (telemetry/deferred_fields.rs).
        let span = tracing::info_span!(
            REQUEST_SPAN,
            method = method.as_str(),
            route = template,
            request_id = id.as_str()
        );
        // The caller's `traceparent` becomes this span's parent, so every log and
        // child span of the request belongs to the caller's trace (one atomic
        // read when traces are not exported; docs/operations.md#tracing).
        crate::telemetry::otlp::continue_trace(&span, req.headers());
        tracing::debug!(parent: &span, "started processing request");
        // Not called inside the span: the layers below and the handler only
        // build their futures here (nothing they do is logged before the first
        // poll), and each enter and exit of a span costs (docs/benchmarks.md
        // "Server CPU per HTTP check, second pass").
        let answer = self.inner.call(req);
        let metrics = self.metrics.clone();
        let answer = async move {
            let Ok(response) = answer.await;
            let response = response.map(axum::body::Body::new);
            let status = response.status();
            let elapsed = started.elapsed();
            let template = Template::as_str(&route);
            metrics.observe(&method, template, status.as_u16(), elapsed.as_secs_f64());
            log_answer(status, elapsed);
            let mut response = shape_error(page, response).await;
            if let Some(id) = id.header_value() {
                response.headers_mut().entry(REQUEST_ID).or_insert(id);
            }
            Ok(response)
        };
        InSpan {
            answer: Some(Box::pin(answer)),
            span,
        }
    }
}

/// A request's answer, polled inside its span, as `Instrumented` does; a
/// finished answer is dropped inside the span as it finishes, so it is not
/// entered once more to drop it, as `Instrumented` does on drop.
pub struct InSpan {
    answer: Option<BoxFuture<'static, Result<Response, Infallible>>>,
    span: tracing::Span,
}

impl Future for InSpan {
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let _in = this.span.enter();
        let Some(answer) = this.answer.as_mut() else {
            // Polled again after it answered: there is nothing more to give.
            return Poll::Pending;
        };
        let answered = std::task::ready!(answer.as_mut().poll(cx));
        this.answer = None;
        Poll::Ready(answered)
    }
}

impl Drop for InSpan {
    /// An answer given up before it finished (the client went away) is dropped
    /// inside the span, so what its drop logs is the request's.
    fn drop(&mut self) {
        if let Some(answer) = self.answer.take() {
            let _in = self.span.enter();
            drop(answer);
        }
    }
}

/// The lines `TraceLayer` wrote: every answer at `debug`, a server error at
/// `error`.
fn log_answer(status: axum::http::StatusCode, elapsed: std::time::Duration) {
    let latency = format_args!("{} ms", elapsed.as_millis());
    tracing::debug!(%latency, status = status.as_u16(), "finished processing request");
    if status.is_server_error() {
        let classification = format_args!("Status code: {status}");
        tracing::error!(%classification, %latency, "response failed");
    }
}

/// A request's id: the one its client sent, or a random UUID made here. A made
/// one stays on the stack until the answer's header is written.
enum RequestId {
    Received(HeaderValue),
    Made([u8; 36]),
}

impl RequestId {
    fn of(headers: &HeaderMap) -> RequestId {
        match headers.get(REQUEST_ID) {
            Some(value) => RequestId::Received(value.clone()),
            None => RequestId::Made(crate::http::random_request_id()),
        }
    }

    fn header_value(&self) -> Option<HeaderValue> {
        match self {
            RequestId::Received(value) => Some(value.clone()),
            RequestId::Made(text) => HeaderValue::from_bytes(text).ok(),
        }
    }
}

impl RequestId {
    /// As text for the logs; a received id that is not visible ASCII is left out.
    fn as_str(&self) -> &str {
        match self {
            RequestId::Received(value) => value.to_str().unwrap_or(""),
            RequestId::Made(text) => std::str::from_utf8(text).unwrap_or(""),
        }
    }
}

/// Whether a refusal of `req` is answered with the console's error page.
fn wants_error_page(req: &Request) -> bool {
    !req.uri().path().starts_with("/api/") && wants_page(req.headers())
}

/// The last guard of the error shape: a refusal that never went through an
/// adapter's error (a rejection of an extractor this crate does not wrap, a
/// layer's own answer such as the timeout's empty 408) is put in the API's shape
/// here, so no client reads a `text/plain` 4xx; a browser on a console page gets
/// the error page (`page`, from `wants_error_page`). Server-side answers are left
/// as they are: `/readyz`'s plain 503 is for load balancers.
async fn shape_error(page: bool, response: Response) -> Response {
    let status = response.status();
    if !status.is_client_error() {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !plain {
        return response;
    }
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    let text = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) if !encoded => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    };
    let error = ApiError::from_stray(status, &text);
    if page {
        web::stray_page(error.status(), &error.to_string())
    } else {
        error.into_response()
    }
}
