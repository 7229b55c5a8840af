//! The floor under Steward's CPU per HTTP check (docs/benchmarks.md, "Server
//! CPU per HTTP check"): the same route, request and answer as
//! `POST /api/v1/orgs/{org}/check`, on the same axum and hyper, with nothing
//! behind it: no key, no tenancy, no metrics, no log, no engine. What it costs
//! per request is what the transport costs; what Steward costs above it is
//! Steward's.
//!
//! `FLOOR_MODE` picks the runtime:
//! - `multi` (default): tokio's multi-thread runtime, as `steward serve` runs;
//! - `single`: one current-thread runtime, one core;
//! - `percore`: one current-thread runtime per core, each with a listener of
//!   its own on the same port (SO_REUSEPORT), so the kernel spreads the
//!   connections and no task ever moves between threads.
//!
//! `FLOOR_PORT` (default 18300) is the port on 127.0.0.1.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
#[allow(dead_code)] // read, so parsing costs what Steward's does
struct Check {
    user_id: String,
    action: String,
    object_id: String,
}

async fn check(
    Path(_org): Path<String>,
    headers: HeaderMap,
    Json(_check): Json<Check>,
) -> Result<([(&'static str, &'static str); 1], &'static str), StatusCode> {
    if !headers.contains_key("authorization") {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok((
        [("content-type", "application/json")],
        r#"{"allowed":true}"#,
    ))
}

fn router() -> Router {
    Router::new().route("/api/v1/orgs/{org}/check", post(check))
}

fn listener(address: SocketAddr, reuse_port: bool) -> tokio::net::TcpListener {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_reuseaddr(true).expect("SO_REUSEADDR");
    if reuse_port {
        socket.set_reuseport(true).expect("SO_REUSEPORT");
    }
    socket.bind(address).expect("the port is free");
    socket.listen(1024).expect("listen")
}

fn main() {
    let mode = std::env::var("FLOOR_MODE").unwrap_or_else(|_| "multi".into());
    let port: u16 =
        std::env::var("FLOOR_PORT").map_or(18300, |p| p.parse().expect("FLOOR_PORT is a port"));
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let serve = move |reuse_port: bool| async move {
        axum::serve(listener(address, reuse_port), router())
            .await
            .expect("serves");
    };
    match mode.as_str() {
        "multi" => tokio::runtime::Runtime::new()
            .expect("a runtime")
            .block_on(serve(false)),
        "single" => current_thread().block_on(serve(false)),
        "percore" => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let threads: Vec<_> = (0..cores)
                .map(|_| std::thread::spawn(move || current_thread().block_on(serve(true))))
                .collect();
            for thread in threads {
                thread.join().expect("a runtime thread");
            }
        }
        other => panic!("FLOOR_MODE is multi, single or percore, not {other}"),
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}
