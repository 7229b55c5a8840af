//! Traces over OTLP when `serve --otlp-endpoint` is set (docs/operations.md#tracing):
//! the `tracing` spans of this crate (`request`, `decide`, `commit`) are sent by
//! tracing-opentelemetry to `<endpoint>/v1/traces` as HTTP with protobuf bodies,
//! batched. A request whose `traceparent` header (W3C Trace Context) names a trace
//! continues it (`continue_trace`).
//!
//! HTTP rather than gRPC: the reqwest 0.12 already built for webhooks carries it
//! (`Courier`), where gRPC would compile tonic, h2 and prost's services. Off, the
//! only cost on a request is `continue_trace` reading one atomic.

use axum::http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HeaderExtractor, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Whether spans are exported: requests read `traceparent` only then.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// How long one export may take before it is given up (the batch is dropped).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// The wait before a batch whose send failed without an answer is sent again.
const RESEND_AFTER: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    #[error("--otlp-endpoint {0:?} is not an http:// or https:// URL")]
    NotHttp(String),
    #[error("no HTTP client for OTLP: {0}")]
    Client(reqwest::Error),
    #[error("the OTLP exporter cannot be built: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
}

/// The exporter, alive while spans are sent. `shutdown` sends what is left.
pub struct Exporting {
    provider: SdkTracerProvider,
}

impl Exporting {
    /// Sends the spans still batched and stops. Call it outside the runtime's
    /// worker threads, before the runtime is dropped (the sends run on it).
    pub fn shutdown(self) {
        EXPORTING.store(false, Ordering::Relaxed);
        if let Err(e) = self.provider.shutdown() {
            tracing::warn!(error = %e, "sending the last spans over OTLP failed");
        }
    }
}

/// The layer that exports this crate's spans to `endpoint` (the collector's
/// base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT`: `/v1/traces` is appended), and
/// what keeps it running. The sends run on `runtime`.
pub fn layer<S>(
    endpoint: &str,
    runtime: tokio::runtime::Handle,
) -> Result<(impl Layer<S>, Exporting), OtlpError>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let base = endpoint.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(OtlpError::NotHttp(endpoint.to_string()));
    }
    // reqwest's rustls takes the process's crypto provider: aws-lc-rs, as mail.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(EXPORT_TIMEOUT)
        .user_agent(concat!("Steward/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(OtlpError::Client)?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(Courier { client, runtime })
        .with_endpoint(format!("{base}/v1/traces"))
        .with_timeout(EXPORT_TIMEOUT)
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name("steward").build())
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("steward");
    // This crate's spans only: a dependency's would be noise, and costs.
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(Targets::new().with_target("steward", tracing::Level::INFO));
    EXPORTING.store(true, Ordering::Relaxed);
    Ok((layer, Exporting { provider }))
}

/// THE hook on the request path (app.rs, the request span): when spans are
/// exported and the request has a `traceparent`, its span continues that trace.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !EXPORTING.load(Ordering::Relaxed) || !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // Refused only for a span no layer records (filtered out): nothing to continue.
    let _ = span.set_parent(parent);
}

/// Sends the exporter's requests with reqwest on the server's runtime: the
/// batch processor runs its exports on a thread of its own, outside tokio.
#[derive(Debug)]
struct Courier {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for Courier {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let sending = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body);
        // Sent from within the runtime: reqwest starts its timer as it sends.
        let answered = self.runtime.spawn(async move {
            // A batch the collector never answered (a pooled connection it had
            // closed, a reset) is sent once more: the exporter itself does not
            // retry, and a lost batch loses every span in it.
            let again = sending.try_clone();
            let response = match (sending.send().await, again) {
                (Err(e), Some(again)) if e.status().is_none() && !e.is_timeout() => {
                    tokio::time::sleep(RESEND_AFTER).await;
                    again.send().await?
                }
                (sent, _) => sent?,
            };
            let status = response.status();
            Ok::<_, reqwest::Error>((status, response.bytes().await?))
        });
        let (status, body) = answered.await??;
        Ok(Response::builder().status(status).body(body)?)
    }
}
