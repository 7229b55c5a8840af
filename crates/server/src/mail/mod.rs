//! Mail delivery: the letters Steward writes, and the courier that takes them
//! from the outbox (store/outbox.rs) to an SMTP relay, or to the log when no
//! `--smtp-url` is set. Delivery is after commit, off the request, retried with
//! backoff, and claimed by one node at a time.

mod letters;

pub use letters::Mail;

use crate::service::Service;
use crate::store::{Letter, QueuedMail};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a node holds the mails it claimed before another may take them.
const LEASE_SECONDS: i64 = 120;
/// The longest wait between two tries of one mail.
const MAX_BACKOFF_SECONDS: i64 = 900;
/// How often the outbox is looked at without being rung (retries, other nodes).
const POLL: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Holds the URL redacted: it may carry the relay's password.
    #[error("the SMTP URL {url} is not usable: {reason}")]
    SmtpUrl { url: String, reason: String },
    #[error("the sender address {0:?} is not an address")]
    From(String),
}

/// Where mails go.
#[derive(Clone)]
pub enum Transport {
    /// No relay: each mail, link included, is written to the log (the embedded
    /// default, for development).
    Log,
    Smtp {
        relay: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        /// The URL without its password, for messages.
        shown: String,
    },
}

/// `url` without its password (and user name), for logs and errors.
pub fn redact_smtp_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        Err(_) => "(unparsable URL)".into(),
    }
}

impl Transport {
    /// A relay from `smtp://[user:password@]host[:port]` (STARTTLS when
    /// `?tls=required`) or `smtps://` (TLS from the start), sending as `from`.
    pub fn smtp(url: &str, from: &str) -> Result<Transport, MailError> {
        let shown = redact_smtp_url(url);
        let relay = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::SmtpUrl {
                url: shown.clone(),
                // lettre's message names the part that is wrong, never the password.
                reason: e.to_string(),
            })?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MailError::From(from.to_string()))?;
        Ok(Transport::Smtp { relay, from, shown })
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self, Transport::Smtp { .. })
    }

    async fn send(&self, letter: &Letter) -> Result<(), String> {
        match self {
            Transport::Log => {
                tracing::info!(
                    to = %letter.to,
                    subject = %letter.subject,
                    text = %letter.text,
                    "mail written to the log (no --smtp-url)"
                );
                Ok(())
            }
            Transport::Smtp { relay, from, .. } => {
                let to = letter
                    .to
                    .parse::<Mailbox>()
                    .map_err(|e| format!("the recipient is not an address: {e}"))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(letter.subject.clone())
                    .multipart(MultiPart::alternative_plain_html(
                        letter.text.clone(),
                        letter.html.clone(),
                    ))
                    .map_err(|e| format!("building the message: {e}"))?;
                relay
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// What the use cases know of delivery: whether mails reach people (an SMTP
/// relay) or only the log, and the bell that wakes this node's courier.
#[derive(Default)]
pub struct MailDesk {
    pub over_smtp: bool,
    pub bell: Notify,
}

/// Seconds before the next try of a mail tried `attempts` times already.
pub fn backoff_seconds(attempts: i64) -> i64 {
    (2_i64 << attempts.clamp(0, 16)).min(MAX_BACKOFF_SECONDS)
}

/// Delivers the outbox until the process ends: claims due mails (one node at a
/// time per mail), sends them, and marks each sent or due again after a backoff.
pub fn spawn_courier(
    service: Service,
    transport: Transport,
    desk: Arc<MailDesk>,
) -> tokio::task::JoinHandle<()> {
    if let Transport::Smtp { shown, .. } = &transport {
        tracing::info!(relay = %shown, "mail goes out over SMTP");
    } else {
        tracing::info!("no --smtp-url: mails are written to the log");
    }
    let node = crate::secrets::random_id("node");
    tokio::spawn(async move {
        loop {
            let delivered = deliver_due(&service, &transport, &node).await;
            if delivered == 0 {
                // Rung by a new mail, or woken to look for retries now due.
                let _ = tokio::time::timeout(POLL, desk.bell.notified()).await;
            }
        }
    })
}

/// One round: answers how many mails it handled.
async fn deliver_due(service: &Service, transport: &Transport, node: &str) -> usize {
    let store = service.store();
    let now = service.clock().now().0;
    let claimed = match store.claim_mail(node, now, now + LEASE_SECONDS, 20).await {
        Ok(claimed) => claimed,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the mail outbox");
            return 0;
        }
    };
    let count = claimed.len();
    for QueuedMail {
        id,
        attempts,
        letter,
    } in claimed
    {
        let done = transport.send(&letter).await;
        let now = service.clock().now().0;
        let recorded = match done {
            Ok(()) => store.mail_sent(&id, now).await,
            Err(error) => {
                let retry = backoff_seconds(attempts);
                tracing::warn!(mail = %id, attempts = attempts + 1, retry_in_seconds = retry, %error, "a mail was not delivered; it will be tried again");
                store.mail_failed(&id, now + retry, &error).await
            }
        };
        if let Err(e) = recorded {
            // The lease runs out and the mail is tried again: at worst sent twice.
            tracing::warn!(mail = %id, error = %e, "could not record a delivery");
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_two_seconds_up_to_a_quarter_hour() {
        let waits: Vec<i64> = (0..12).map(backoff_seconds).collect();
        assert_eq!(&waits[..5], &[2, 4, 8, 16, 32]);
        assert_eq!(waits[11], MAX_BACKOFF_SECONDS);
    }

    #[test]
    fn an_smtp_url_is_shown_without_its_password() {
        let shown = redact_smtp_url("smtps://mailer:s3cret@smtp.example.test:465");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("mailer"), "{shown}");
        assert!(shown.contains("smtp.example.test"));
    }

    #[test]
    fn a_bad_smtp_url_is_refused_without_showing_its_password() {
        let refused = Transport::smtp("ftp://u:s3cret@host", "steward@acme.test")
            .err()
            .unwrap()
            .to_string();
        assert!(!refused.contains("s3cret"), "{refused}");
    }
}
