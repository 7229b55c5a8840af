//! `steward health [--ready]`: asks a running server's `/healthz` (or
//! `/readyz`) and exits 0 only on 200, so a container's HEALTHCHECK needs no
//! curl in the image.

use clap::Args;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The address `serve` listens on (0.0.0.0 and [::] are asked on loopback).
    #[arg(long, env = "STEWARD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Ask `/readyz` (organizations loaded, database answering) instead of
    /// `/healthz` (the process answers).
    #[arg(long)]
    pub ready: bool,
}

impl HealthArgs {
    pub fn run(self) -> anyhow::Result<()> {
        let mut addr = self.bind;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
        }
        let path = if self.ready { "/readyz" } else { "/healthz" };
        let timeout = Duration::from_secs(3);
        let mut conn = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| anyhow::anyhow!("http://{addr}{path}: {e}"))?;
        conn.set_read_timeout(Some(timeout))?;
        write!(
            conn,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        // The status line and the short body are all it needs; a cut read is fine.
        let _ = conn.take(4096).read_to_string(&mut answer);
        let status = answer.lines().next().unwrap_or("");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").trim();
        if status.split_whitespace().nth(1) == Some("200") {
            println!("http://{addr}{path}: {body}");
            Ok(())
        } else {
            anyhow::bail!("http://{addr}{path}: {status} {body}")
        }
    }
}
