//! The typed client: one question or a batch, over reqwest, with an API key of
//! one organization.

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
    check: String,
    batch: String,
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
                check: format!("{base}/api/v1/orgs/{org}/check"),
                batch: format!("{base}/api/v1/orgs/{org}/check/batch"),
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

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.inner.key)
            .json(body)
            .send()
            .await?;
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
