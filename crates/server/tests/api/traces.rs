//! Traces over OTLP (docs/operations.md#tracing): `serve --otlp-endpoint` sends
//! its spans to a collector, here a receiver the test runs that decodes the
//! protobuf bodies; a request's `traceparent` is continued.

use crate::operations::wait_for_url;
use crate::support::PASSWORD;
use axum::body::Bytes;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use serde_json::json;
use std::io::BufReader;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One span as the collector received it.
#[derive(Debug, Clone)]
struct Received {
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
}

/// An OTLP/HTTP receiver on a random port: what it was sent, and its URL.
async fn collector() -> (Arc<Mutex<Vec<Received>>>, String) {
    let spans = Arc::new(Mutex::new(Vec::new()));
    let kept = spans.clone();
    let router = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let kept = kept.clone();
            async move {
                let request =
                    ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
                let mut kept = kept.lock().unwrap();
                for resource in request.resource_spans {
                    for scope in resource.scope_spans {
                        for span in scope.spans {
                            kept.push(Received {
                                trace_id: hex::encode(&span.trace_id),
                                span_id: hex::encode(&span.span_id),
                                parent_span_id: hex::encode(&span.parent_span_id),
                                name: span.name,
                            });
                        }
                    }
                }
                ([("content-type", "application/x-protobuf")], Vec::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (spans, url)
}

#[tokio::test]
async fn a_request_with_a_traceparent_reaches_the_collector_in_that_trace() {
    let (spans, collector_url) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--otlp-endpoint",
            &collector_url,
        ])
        .env(
            "STEWARD_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .env("RUST_LOG", "warn")
        // The batch leaves within 100 ms, not the default 5 s.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .stdout(Stdio::piped())
        // Kept, so a failure shows what the exporter said (warnings only).
        .stderr(Stdio::from(
            std::fs::File::create(dir.path().join("stderr")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(serve.stdout.take().unwrap());
    let url = tokio::task::spawn_blocking(move || wait_for_url(&mut stdout))
        .await
        .unwrap();

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let signup = reqwest::Client::new()
        .post(format!("{url}/api/v1/signup"))
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .json(&json!({"email": "olivia@acme.test", "name": "Olivia", "password": PASSWORD, "org_name": "Acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    // Read to its end: the request's span closes once its answer is sent.
    signup.bytes().await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(15);
    let traced = loop {
        let traced: Vec<Received> = spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.trace_id == trace_id)
            .cloned()
            .collect();
        let names: Vec<&str> = traced.iter().map(|s| s.name.as_str()).collect();
        if ["request", "decide", "commit"]
            .iter()
            .all(|n| names.contains(n))
        {
            break traced;
        }
        assert!(
            Instant::now() < deadline,
            "the trace's spans never all arrived: {traced:?}; the server said: {}",
            std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let _ = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status();
    let _ = serve.wait();

    // The request's span is the caller's child; the decision and the commit are
    // the request's.
    let request = traced.iter().find(|s| s.name == "request").unwrap();
    assert_eq!(request.parent_span_id, caller_span, "{traced:?}");
    for inner in traced.iter().filter(|s| s.name != "request") {
        assert_ne!(inner.parent_span_id, "", "{traced:?}");
        assert_ne!(inner.span_id, request.span_id);
    }
    let decide = traced.iter().find(|s| s.name == "decide").unwrap();
    assert_eq!(decide.parent_span_id, request.span_id, "{traced:?}");
}
