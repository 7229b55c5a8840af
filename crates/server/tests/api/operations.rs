//! What operators rely on: health, readiness, metrics, request ids, answers for
//! unknown paths, and a shutdown that lets requests in flight finish.

use crate::support::{spawn_preset, PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_preset("operations").await;
    let http = reqwest::Client::new();
    let health = http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(ready.headers().contains_key("x-request-id"));

    let org = app.signup("owner@acme.test", "Acme").await;
    let key = app.api_key(&org.id, &org.owner).await;
    app.check(&org.id, &key, &org.owner.id, "org:delete", &org.id)
        .await;
    app.check(&org.id, &key, "usr_nobody", "org:delete", &org.id)
        .await;
    let metrics = http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "steward_http_requests_total{method=\"POST\",route=\"/api/v1/orgs/{org}/check\",status=\"200\"} 2"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("steward_checks_total{result=\"allowed\"} 1"));
    assert!(metrics.contains("steward_checks_total{result=\"denied\"} 1"));
    assert!(metrics.contains("steward_http_request_duration_seconds_bucket"));
    // Ids never become labels.
    assert!(!metrics.contains(&org.id));
}

#[tokio::test]
async fn every_answer_carries_the_request_id_its_client_sent_or_a_new_one() {
    let app = spawn_preset("operations").await;
    let http = reqwest::Client::new();
    let id_of = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_string();
    // Sent: the same id comes back, on a success and on a refusal alike.
    let sent = http
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&sent), "trace-me-42");
    let refused = http
        .get(app.url("/api/v1/me"))
        .header("x-request-id", "trace-me-43")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(id_of(&refused), "trace-me-43");
    // Not sent: a new random UUID each time, also on an answer put in the
    // error shape after its route answered (a method the path does not have).
    let (one, two) = (
        http.get(app.url("/healthz")).send().await.unwrap(),
        http.delete(app.url("/healthz")).send().await.unwrap(),
    );
    assert_eq!(two.status(), 405);
    let (one, two) = (id_of(&one), id_of(&two));
    assert_ne!(one, two);
    for id in [one, two] {
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(&id[14..15], "4", "{id}");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_error_shape() {
    let app = spawn_preset("operations").await;
    app.call(Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .refused(404, "no_route");
    let wrong = app
        .call(Method::PUT, "/api/v1/auth/login", None, Some(json!({})))
        .await;
    wrong.refused(405, "method_not_allowed");
    let doc = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
}

/// Reads `serve`'s output until it prints the URL it listens on.
pub(crate) fn wait_for_url(stdout: &mut BufReader<std::process::ChildStdout>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "serve ended before printing its URL"
        );
        if let Some(rest) = line.split("running at ").nth(1) {
            return rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    }
}

/// `steward serve` on `bind`, on a SQLite database in `dir`, its stdout piped.
fn spawn_serve(bind: &str, dir: &tempfile::TempDir) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["serve", "--bind", bind])
        .env(
            "STEWARD_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = spawn_serve("127.0.0.1:0", &dir);
    let mut stdout = BufReader::new(serve.stdout.take().unwrap());
    let url = wait_for_url(&mut stdout);
    let addr = url.trim_start_matches("http://").to_string();

    // A request whose headers are in, its body not yet.
    let body = json!({"email": "a@b.test", "name": "A", "password": PASSWORD, "org_name": "X"})
        .to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/v1/signup HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    conn.flush().unwrap();
    // Give the server the moment it needs to read the headers: the request is
    // then in flight, which graceful shutdown must honour.
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    std::thread::sleep(Duration::from_millis(100));
    conn.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let status = serve.wait().unwrap();
    assert!(status.success(), "serve exited with {status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("Steward stopped."), "{rest}");
    // New connections are refused once it has stopped.
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

#[tokio::test]
async fn serve_keeps_serving_when_nobody_reads_what_it_prints() {
    let port = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut serve = spawn_serve(&format!("127.0.0.1:{port}"), &dir);
    // Its stdout's reader gone before it prints a line: every line it prints
    // fails to be written.
    drop(serve.stdout.take());
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}");
    let mut ready = false;
    for _ in 0..200 {
        if let Ok(answer) = http.get(format!("{url}/readyz")).send().await {
            ready = answer.status() == 200;
            if ready {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // It prints its URL and advice just after it is ready: give it the time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still_running = serve.try_wait().unwrap().is_none();
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(still_running && ready, "serve stopped or never got ready");
}
