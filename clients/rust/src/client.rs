//! The typed client: one question or a batch, and a page of the event feed, over
//! reqwest, with an API key of one organization.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A client of one Steward organization. Cheap to clone (one connection pool).
#[derive(Clone, Debug)]
pub struct Steward {
    http: reqwest::Client,
    inner: Arc<Target>,
}

#[derive(Debug)]
struct Target {
    base: String,
    org: String,
    check: String,
    batch: String,
    events: String,
    key: String,
}

/// "May `user_id` do `action` on `object_id`?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub user_id: String,
    /// `type:action` (`project:edit`) or an organization action (`members:manage`).
    pub action: String,
    /// The object's id, or the organization's for organization actions.
    pub object_id: String,
}

impl Question {
    pub fn new(
        user_id: impl Into<String>,
        action: impl Into<String>,
        object_id: impl Into<String>,
    ) -> Question {
        Question {
            user_id: user_id.into(),
            action: action.into(),
            object_id: object_id.into(),
        }
    }
}

/// Steward's answer: allowed or not, and why (`role:editor@prj_...`,
/// `no_permission`, `not_a_member`, `unknown_object`...).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// What went wrong asking: the question was never answered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Steward could not be reached, or its answer could not be read.
    #[error("Steward could not be asked: {0}")]
    Unreachable(#[from] reqwest::Error),
    /// Steward refused the question: its status and error body.
    #[error("Steward answered {status} {reason}: {message}")]
    Refused {
        status: u16,
        reason: String,
        message: String,
    },
}

/// One event of the organization's feed, as docs/audit.md#the-event-feed
/// describes it: `hash` is the SHA-256 of `org_id`, `seq`, `prev_hash` and `body`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeedEvent {
    pub org_id: String,
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    /// `member.deleted`, `user.role_changed`... (docs/audit.md).
    #[serde(rename = "type")]
    pub event_type: String,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub data: serde_json::Value,
    pub hash: String,
    pub prev_hash: String,
    /// The event's JSON exactly as it was hashed.
    pub body: String,
}

/// A page of the feed: `after` is what to ask with next.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeedPage {
    pub items: Vec<FeedEvent>,
    pub after: i64,
}

#[derive(Serialize)]
struct Batch<'a> {
    checks: &'a [Question],
}

#[derive(Deserialize)]
struct BatchAnswer {
    results: Vec<Decision>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorFields,
}

#[derive(Deserialize)]
struct ErrorFields {
    reason: String,
    message: String,
}

impl Steward {
    /// `base_url` as Steward prints it (`http://127.0.0.1:8080`), the
    /// organization's id and an API key with the `check` permission.
    pub fn new(base_url: &str, org: &str, api_key: &str) -> Steward {
        let base = base_url.trim_end_matches('/');
        Steward {
            http: reqwest::Client::new(),
            inner: Arc::new(Target {
                base: base.to_string(),
                org: org.to_string(),
                check: format!("{base}/api/v1/orgs/{org}/check"),
                batch: format!("{base}/api/v1/orgs/{org}/check/batch"),
                events: format!("{base}/api/v1/orgs/{org}/events"),
                key: api_key.to_string(),
            }),
        }
    }

    /// Asks through `http` (timeouts, TLS, proxies as the service configures them).
    pub fn with_http(mut self, http: reqwest::Client) -> Steward {
        self.http = http;
        self
    }

    pub async fn check(&self, question: &Question) -> Result<Decision, Error> {
        self.post(&self.inner.check, question).await
    }

    /// Up to 10,000 questions in one request, answered in their order.
    pub async fn check_batch(&self, questions: &[Question]) -> Result<Vec<Decision>, Error> {
        let answer: BatchAnswer = self
            .post(&self.inner.batch, &Batch { checks: questions })
            .await?;
        Ok(answer.results)
    }

    /// The organization's events after `after` (a `seq`; 0: from the first),
    /// oldest first, at most `limit` (1 to 1000); with `wait` (seconds, at most
    /// 30) and nothing there yet, the server answers when an event is committed
    /// or the time is up. Needs a key with the `events` permission.
    pub async fn events(
        &self,
        after: i64,
        limit: usize,
        wait: Option<u64>,
    ) -> Result<FeedPage, Error> {
        let mut query = vec![("after", after.to_string()), ("limit", limit.to_string())];
        if let Some(wait) = wait {
            query.push(("wait", wait.to_string()));
        }
        let request = self.http.get(&self.inner.events).query(&query);
        self.send(request).await
    }

    /// The organization this client asks about.
    pub fn org(&self) -> &str {
        &self.inner.org
    }

    /// `GET` a path of the API (`/api/v1/...`) with the key.
    #[cfg_attr(not(feature = "local"), allow(dead_code))]
    pub(crate) async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, Error> {
        let url = format!("{}{path}", self.inner.base);
        self.send(self.http.get(url)).await
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        self.send(self.http.post(url).json(body)).await
    }

    async fn send<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let response = request.bearer_auth(&self.inner.key).send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let text = response.text().await?;
        let (reason, message) = match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => (body.error.reason, body.error.message),
            Err(_) => (String::new(), text),
        };
        Err(Error::Refused {
            status: status.as_u16(),
            reason,
            message,
        })
    }
}
