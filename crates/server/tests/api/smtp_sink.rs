//! A real SMTP server for the tests: it speaks enough of RFC 5321 for a client
//! (lettre) to deliver, keeps every message it receives, and can be started on a
//! port chosen before it listens (a relay that comes up late).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    /// The message as sent, with quoted-printable soft breaks undone.
    pub data: String,
}

impl Received {
    /// The first link in the message whose path starts with `path` (e.g.
    /// `/invitations/`), up to the first character a secret has not.
    pub fn link(&self, path: &str) -> Option<String> {
        let at = self.data.find(path)?;
        let start = self.data[..at].rfind("http")?;
        let end = self.data[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
            .map_or(self.data.len(), |n| at + n);
        Some(self.data[start..end].to_string())
    }
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    received: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
}

/// A free port on localhost, for a sink started later.
pub async fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

impl SmtpSink {
    pub async fn start() -> (SmtpSink, SocketAddr) {
        let addr = free_port().await;
        (SmtpSink::start_on(addr).await, addr)
    }

    pub async fn start_on(addr: SocketAddr) -> SmtpSink {
        let listener = TcpListener::bind(addr).await.unwrap();
        let sink = SmtpSink::default();
        let serving = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = serving.clone();
                tokio::spawn(async move { sink.session(stream).await });
            }
        });
        sink
    }

    async fn session(&self, stream: tokio::net::TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let verb = line.trim_end().to_ascii_uppercase();
            let answer: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                b"250 sink.test\r\n"
            } else if verb.starts_with("RCPT TO:") {
                let address = line.trim_end()[8..].trim().trim_matches(['<', '>']);
                to.push(address.to_string());
                b"250 OK\r\n"
            } else if verb.starts_with("DATA") {
                let _ = write.write_all(b"354 go on\r\n").await;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                let data = data.replace("=\r\n", "").replace("=3D", "=");
                self.received.lock().unwrap().push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                self.arrived.notify_waiters();
                b"250 queued\r\n"
            } else if verb.starts_with("QUIT") {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 OK\r\n"
            };
            if write.write_all(answer).await.is_err() {
                return;
            }
        }
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The first message to `to` whose text has `path` in a link, waiting up to
    /// `within` for it to arrive.
    pub async fn mail_to(&self, to: &str, path: &str, within: Duration) -> Received {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let arrived = self.arrived.notified();
            let found = self
                .received()
                .into_iter()
                .find(|m| m.to.iter().any(|t| t == to) && m.link(path).is_some());
            if let Some(mail) = found {
                return mail;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "no mail to {to} with a {path} link within {within:?}: {:?}",
                    self.received()
                );
            }
        }
    }
}
