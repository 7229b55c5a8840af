//! The OpenID AuthZEN Authorization API 1.0 asked of Steward: an evaluation
//! (subject, action, resource, context) is the `check` of the API key's
//! organization, so gateways and policy-enforcement points that speak AuthZEN get
//! the same answer as `/check`, from the same snapshot.

use super::caller::InOrg;
use super::checks::{BatchRequest, CheckAnswer, CheckRequest};
use super::error::AppError;
use super::{Caller, Steward};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// Who asks: AuthZEN's subject. Steward's subjects are its users (`usr_...`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Subject {
    /// `user`: the only kind of subject Steward decides for.
    #[serde(rename = "type")]
    #[schema(example = "user")]
    pub kind: String,
    #[schema(example = "usr_2b8f")]
    pub id: String,
    /// Accepted and not used: Steward decides by role, not by attributes.
    #[schema(value_type = Option<Object>)]
    pub properties: Option<Value>,
}

/// What is asked about: an object of the organization, or the organization.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Resource {
    /// The policy's type (`project`, `site`...) or `organization`.
    #[serde(rename = "type")]
    #[schema(example = "project")]
    pub kind: String,
    #[schema(example = "prj_9c1d")]
    pub id: String,
    #[schema(value_type = Option<Object>)]
    pub properties: Option<Value>,
}

/// The action: Steward's own name (`project:edit`, `members:manage`), or the
/// part after the colon (`edit`), which the resource's type completes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Action {
    #[schema(example = "edit")]
    pub name: String,
    #[schema(value_type = Option<Object>)]
    pub properties: Option<Value>,
}

/// `POST /access/v1/evaluation`: one question, every part required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EvaluationRequest {
    pub subject: Subject,
    pub action: Action,
    pub resource: Resource,
    /// Accepted and not used.
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
}

/// One of `evaluations`: each part it leaves out is the request's own.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EvaluationItem {
    pub subject: Option<Subject>,
    pub action: Option<Action>,
    pub resource: Option<Resource>,
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
}

/// How far a list of evaluations is answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Semantic {
    /// Every evaluation (the default).
    #[default]
    ExecuteAll,
    /// Up to and including the first `false`.
    DenyOnFirstDeny,
    /// Up to and including the first `true`.
    PermitOnFirstPermit,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EvaluationOptions {
    #[serde(default)]
    pub evaluations_semantic: Semantic,
}

/// `POST /access/v1/evaluations`: defaults at the top, questions in `evaluations`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EvaluationsRequest {
    pub subject: Option<Subject>,
    pub action: Option<Action>,
    pub resource: Option<Resource>,
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
    #[serde(default)]
    pub evaluations: Vec<EvaluationItem>,
    #[serde(default)]
    pub options: EvaluationOptions,
}

/// AuthZEN's answer: the decision, and in `context.reason` Steward's reason
/// (`role:editor@prj_...`, `no_permission`, `not_a_member`...).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationAnswer {
    pub decision: bool,
    pub context: DecisionContext,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionContext {
    #[schema(example = "role:editor@prj_9c1d")]
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationsAnswer {
    /// In the order of the questions; fewer when the semantic stopped early.
    pub evaluations: Vec<EvaluationAnswer>,
}

/// The evaluations endpoint's answer: a list, or one decision when the request
/// had no `evaluations` (the spec's rule).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EvaluationsOutcome {
    Many(EvaluationsAnswer),
    One(EvaluationAnswer),
}

/// The subject type Steward decides for; any other is denied, with this reason.
const USER: &str = "user";
const NOT_A_USER: &str = "subject_not_a_user";

impl Steward {
    /// The API key's organization: AuthZEN's requests do not name one.
    pub fn authzen_org(&self, caller: Caller) -> Result<InOrg, AppError> {
        let org = match &caller {
            Caller::Key(key) => key.org.clone(),
            Caller::Account(_) => return Err(AppError::ApiKeyRequired),
        };
        self.in_org(caller, &org)
    }

    pub fn evaluate(
        &self,
        org: &InOrg,
        question: &EvaluationRequest,
    ) -> Result<EvaluationAnswer, AppError> {
        let parts = (&question.subject, &question.action, &question.resource);
        let mut answers = self.evaluate_parts(org, &[parts])?;
        answers
            .pop()
            .ok_or_else(|| AppError::Internal("no answer".into()))
    }

    pub fn evaluate_all(
        &self,
        org: &InOrg,
        request: &EvaluationsRequest,
    ) -> Result<EvaluationsOutcome, AppError> {
        let items: Vec<EvaluationItem>;
        let questions = if request.evaluations.is_empty() {
            items = vec![EvaluationItem::default()];
            &items
        } else {
            &request.evaluations
        };
        let mut parts = Vec::with_capacity(questions.len());
        for (i, item) in questions.iter().enumerate() {
            let subject = (item.subject.as_ref())
                .or(request.subject.as_ref())
                .ok_or_else(|| missing("subject", i))?;
            let action = (item.action.as_ref())
                .or(request.action.as_ref())
                .ok_or_else(|| missing("action", i))?;
            let resource = (item.resource.as_ref())
                .or(request.resource.as_ref())
                .ok_or_else(|| missing("resource", i))?;
            parts.push((subject, action, resource));
        }
        let mut answers = self.evaluate_parts(org, &parts)?;
        if request.evaluations.is_empty() {
            let one = answers
                .pop()
                .ok_or_else(|| AppError::Internal("no answer".into()))?;
            return Ok(EvaluationsOutcome::One(one));
        }
        let stop = match request.options.evaluations_semantic {
            Semantic::ExecuteAll => None,
            Semantic::DenyOnFirstDeny => answers.iter().position(|a| !a.decision),
            Semantic::PermitOnFirstPermit => answers.iter().position(|a| a.decision),
        };
        if let Some(last) = stop {
            answers.truncate(last + 1);
        }
        Ok(EvaluationsOutcome::Many(EvaluationsAnswer {
            evaluations: answers,
        }))
    }

    /// The questions as one batch of checks (so a key's right to ask is decided
    /// once); a subject that is not a user is denied without being asked.
    fn evaluate_parts(
        &self,
        org: &InOrg,
        parts: &[(&Subject, &Action, &Resource)],
    ) -> Result<Vec<EvaluationAnswer>, AppError> {
        let checks = parts
            .iter()
            .filter(|(subject, _, _)| subject.kind == USER)
            .map(|(subject, action, resource)| CheckRequest {
                user_id: Cow::Borrowed(subject.id.as_str()),
                action: steward_action(&action.name, &resource.kind),
                object_id: Cow::Borrowed(resource.id.as_str()),
            })
            .collect();
        let batch = self.check_batch(org, &BatchRequest { checks })?;
        let mut results = batch.results.iter();
        parts
            .iter()
            .map(|(subject, _, _)| {
                if subject.kind != USER {
                    return Ok(denied(NOT_A_USER.into()));
                }
                let answer = results
                    .next()
                    .ok_or_else(|| AppError::Internal("fewer answers than checks".into()))?;
                Ok(from_check(answer))
            })
            .collect()
    }
}

/// `edit` on a `project` is `project:edit`; a name with its colon is Steward's own.
fn steward_action<'a>(name: &'a str, resource_type: &str) -> Cow<'a, str> {
    if name.contains(':') {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{resource_type}:{name}"))
    }
}

fn from_check(answer: &CheckAnswer<'_>) -> EvaluationAnswer {
    EvaluationAnswer {
        decision: answer.allowed,
        context: DecisionContext {
            reason: answer.reason.to_string(),
        },
    }
}

fn denied(reason: String) -> EvaluationAnswer {
    EvaluationAnswer {
        decision: false,
        context: DecisionContext { reason },
    }
}

fn missing(part: &str, index: usize) -> AppError {
    AppError::invalid(
        "body",
        format!("evaluation {index} has no {part}, and the request gives none"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_without_its_type_takes_the_resource_type() {
        assert_eq!(steward_action("edit", "project"), "project:edit");
        assert_eq!(
            steward_action("members:manage", "organization"),
            "members:manage"
        );
    }
}
