//! "May this user do this to that object?": one question, a batch, every action
//! a user may do on one object, and the console's "Why?". Answered from the
//! in-memory snapshot: the check path does no IO and allocates nothing per
//! question; its reason stays the core's `Reason` until an adapter writes it.

use super::caller::{parse_user, InOrg};
use super::error::AppError;
use super::Steward;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use steward_core::access::Denial;
use steward_core::policy::ORGANIZATION;
use steward_core::snapshot::NodeRef;
use steward_core::{Decision, ObjectId, Reason, Refusal, Snapshot, State, UserId};

/// The most questions one batch may ask.
pub const MAX_BATCH: usize = 10_000;

/// One question. Borrowed from the body: no copy of the ids.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest<'a> {
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub user_id: Cow<'a, str>,
    /// `type:action` (`project:edit`) or `org:action` (`members:manage`).
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub action: Cow<'a, str>,
    /// The object's id, or the organization's for organization actions.
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub object_id: Cow<'a, str>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest<'a> {
    #[serde(borrow)]
    pub checks: Vec<CheckRequest<'a>>,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct CheckAnswer<'s> {
    pub allowed: bool,
    /// `root`, `owner`, `role:<name>@<node>`, `grant@<node>`, or why not
    /// (`not_a_member`, `unknown_object`, `unknown_action`, `action_not_applicable`,
    /// `no_permission`).
    #[schema(value_type = String)]
    pub reason: CheckReason<'s>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchAnswer<'s> {
    /// In the order of the questions.
    pub results: Vec<CheckAnswer<'s>>,
}

/// The core's `Reason` with the snapshot that names its role and node: written
/// straight into the answer (`reason_text`), never into a string of its own.
#[derive(Clone, Copy)]
pub struct CheckReason<'s> {
    snapshot: &'s Snapshot,
    reason: Reason,
}

impl CheckReason<'_> {
    pub fn reason(&self) -> Reason {
        self.reason
    }
}

impl fmt::Display for CheckReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decision = Decision {
            allowed: !matches!(self.reason, Reason::Denied(_)),
            reason: self.reason,
        };
        fmt::Display::fmt(&self.snapshot.reason_text(&decision), f)
    }
}

impl fmt::Debug for CheckReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.reason, f)
    }
}

impl Serialize for CheckReason<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionsView {
    pub actions: Vec<String>,
}

/// Why a check answered as it did, for people and files: the core's `Reason`
/// with its role named and its node resolved. Written out (`Display`, JSON) as
/// the API writes a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Because {
    /// The organization's root account.
    Root,
    /// The member owns the object or one it is inside.
    Owner,
    /// A role held on `node`: `role` is its name, `label` its label.
    Role {
        role: String,
        label: String,
        node: Node,
    },
    Grant {
        node: Node,
    },
    Denied(Denial),
}

/// A node a reason or a question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Organization {
        id: String,
    },
    /// `name` is `None` where names were not looked up.
    Object {
        id: String,
        name: Option<String>,
    },
}

impl Node {
    pub fn id(&self) -> &str {
        match self {
            Node::Organization { id } | Node::Object { id, .. } => id,
        }
    }

    /// `node` of `snapshot`, its name read from `state` when there is one.
    fn of(snapshot: &Snapshot, node: NodeRef, state: Option<&State>) -> Node {
        let id = snapshot.node_id(node).to_string();
        if snapshot.node_type(node) == Some(ORGANIZATION) {
            return Node::Organization { id };
        }
        let name = state.and_then(|s| {
            let object = ObjectId::parse(&id).ok()?;
            s.object(&object).map(|o| o.name.to_string())
        });
        Node::Object { id, name }
    }
}

impl Because {
    /// `reason` as `snapshot` gave it, its nodes named from `state`.
    pub fn named(snapshot: &Snapshot, reason: Reason, state: &State) -> Because {
        Because::resolve(snapshot, reason, Some(state))
    }

    /// `reason` with its nodes by id only.
    pub fn of(snapshot: &Snapshot, reason: Reason) -> Because {
        Because::resolve(snapshot, reason, None)
    }

    fn resolve(snapshot: &Snapshot, reason: Reason, state: Option<&State>) -> Because {
        match reason {
            Reason::Root => Because::Root,
            Reason::Owner => Because::Owner,
            Reason::Role { role, node } => {
                let role = snapshot.policy().role(role);
                Because::Role {
                    role: role.name.clone(),
                    label: role.label.clone(),
                    node: Node::of(snapshot, node, state),
                }
            }
            Reason::Grant { node } => Because::Grant {
                node: Node::of(snapshot, node, state),
            },
            Reason::Denied(denial) => Because::Denied(denial),
        }
    }
}

impl fmt::Display for Because {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Because::Root => f.write_str("root"),
            Because::Owner => f.write_str("owner"),
            Because::Role { role, node, .. } => write!(f, "role:{role}@{}", node.id()),
            Because::Grant { node } => write!(f, "grant@{}", node.id()),
            Because::Denied(denial) => f.write_str(denial.as_str()),
        }
    }
}

impl Serialize for Because {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A check's answer and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub because: Because,
}

/// The console's "Why?": the answer with what it is about named.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub verdict: Verdict,
    /// The member asked about, by name; `None` when no member has that id.
    pub who: Option<String>,
    /// The object asked about; `None` when there is none the caller may know of.
    pub object: Option<Node>,
}

impl Steward {
    /// One question (`POST /check`): the caller may ask about this user, and a
    /// member only about objects they see.
    pub fn check<'s>(
        &self,
        org: &'s InOrg,
        question: &CheckRequest<'_>,
    ) -> Result<CheckAnswer<'s>, AppError> {
        org.require_check_about(&question.user_id)?;
        let answer = answer(org, question);
        self.checks
            .count(answer.allowed as u64, !answer.allowed as u64);
        Ok(answer)
    }

    /// Up to `MAX_BATCH` questions, answered in their order.
    pub fn check_batch<'s>(
        &self,
        org: &'s InOrg,
        batch: &BatchRequest<'_>,
    ) -> Result<BatchAnswer<'s>, AppError> {
        if batch.checks.len() > MAX_BATCH {
            return Err(AppError::invalid(
                "checks",
                format!("at most {MAX_BATCH} checks per batch"),
            ));
        }
        org.require_check_about_all(batch.checks.iter().map(|q| &*q.user_id))?;
        let results: Vec<CheckAnswer> = batch.checks.iter().map(|q| answer(org, q)).collect();
        let allowed = results.iter().filter(|r| r.allowed).count() as u64;
        self.checks.count(allowed, results.len() as u64 - allowed);
        Ok(BatchAnswer { results })
    }

    /// Every action `user` may do on `object` (the organization when `None`).
    pub fn member_permissions(
        &self,
        org: &InOrg,
        user: &str,
        object: Option<&str>,
    ) -> Result<ActionsView, AppError> {
        let user = parse_user(user)?;
        org.require_check_about(user.as_str())?;
        let snapshot = &org.snapshot;
        let u = snapshot
            .user(user.as_str())
            .filter(|&u| snapshot.org_role(u).is_some())
            .ok_or_else(|| Refusal::UnknownMember(user.clone()))?;
        let object = object.unwrap_or(org.org.as_str());
        // An object the caller may not see is not found, as one that does not exist.
        let node = snapshot
            .node(object)
            .filter(|_| org.user().is_none() || org.sees(object))
            .ok_or_else(|| match ObjectId::parse(object) {
                Ok(id) => AppError::from(Refusal::UnknownObject(id)),
                Err(_) => AppError::NoSuchObject,
            })?;
        let actions = snapshot
            .permissions(u, node)
            .iter()
            .map(|a| snapshot.policy().action(a).name.clone())
            .collect();
        Ok(ActionsView { actions })
    }

    /// The check of `question`, with the member and the object named for people
    /// (the console's "Why?"); an object the caller may not see stays unnamed.
    pub async fn explain(
        &self,
        org: &InOrg,
        question: &CheckRequest<'_>,
    ) -> Result<Explanation, AppError> {
        let answer = self.check(org, question)?;
        let (allowed, reason) = (answer.allowed, answer.reason.reason());
        let snapshot = &org.snapshot;
        let object = snapshot
            .node(&question.object_id)
            .filter(|_| org.sees(&question.object_id));
        let explanation = self
            .service()
            .read(&org.org, |state| Explanation {
                verdict: Verdict {
                    allowed,
                    because: Because::named(snapshot, reason, state),
                },
                who: UserId::parse(&question.user_id)
                    .ok()
                    .and_then(|u| state.member(&u).map(|m| m.name.to_string())),
                object: object.map(|n| Node::of(snapshot, n, Some(state))),
            })
            .await?;
        Ok(explanation)
    }
}

/// A key (a product's back-end) asks about every object; a member, only about
/// those they may see (`Snapshot::check_by_name_for`): any other reads as one
/// that does not exist.
fn answer<'s>(org: &'s InOrg, q: &CheckRequest<'_>) -> CheckAnswer<'s> {
    let snapshot: &Snapshot = &org.snapshot;
    let decision = match org.user() {
        None => snapshot.check_by_name(&q.user_id, &q.action, &q.object_id),
        Some(asker) => {
            snapshot.check_by_name_for(asker.as_str(), &q.user_id, &q.action, &q.object_id)
        }
    };
    CheckAnswer {
        allowed: decision.allowed,
        reason: CheckReason {
            snapshot,
            reason: decision.reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use steward_core::{apply, decide, Actor, Command, Email, Name, OrgId, Policy, Timestamp};

    /// An organization of the `platform` preset with one service and its owner.
    fn platform() -> (Snapshot, State) {
        let policy = Arc::new(Policy::preset("platform").unwrap());
        let owner = UserId::parse("owner").unwrap();
        let mut state = State::default();
        for command in [
            Command::CreateOrganization {
                org_id: OrgId::parse("acme").unwrap(),
                name: Name::parse("Acme").unwrap(),
                owner_id: owner.clone(),
                owner_email: Email::parse("owner@acme.test").unwrap(),
                owner_name: Name::parse("Owner").unwrap(),
            },
            Command::CreateObject {
                object_id: ObjectId::parse("svc").unwrap(),
                object_type: "service".into(),
                name: Name::parse("Billing").unwrap(),
                parent_id: None,
                owner_id: None,
            },
        ] {
            let events = decide(
                &policy,
                &state,
                &Actor::User(owner.clone()),
                command,
                Timestamp(0),
            )
            .unwrap();
            for event in &events {
                apply(&mut state, event);
            }
        }
        (Snapshot::build(policy, &state), state)
    }

    #[test]
    fn a_typed_reason_is_written_as_the_api_writes_it() {
        let (snapshot, state) = platform();
        for (user, action, object) in [
            ("owner", "org:delete", "acme"),
            ("owner", "service:use", "svc"),
            ("nobody", "org:delete", "acme"),
            ("owner", "no:such", "acme"),
            ("owner", "org:delete", "svc_none"),
        ] {
            let decision = snapshot.check_by_name(user, action, object);
            let text = snapshot.reason_text(&decision).to_string();
            assert_eq!(Because::of(&snapshot, decision.reason).to_string(), text);
            assert_eq!(
                Because::named(&snapshot, decision.reason, &state).to_string(),
                text
            );
            let reason = CheckReason {
                snapshot: &snapshot,
                reason: decision.reason,
            };
            assert_eq!(reason.to_string(), text);
            assert_eq!(serde_json::to_value(reason).unwrap(), text.as_str());
        }
    }

    #[test]
    fn a_reason_names_its_role_and_its_node() {
        let (snapshot, state) = platform();
        let decision = snapshot.check_by_name("owner", "org:delete", "acme");
        match Because::named(&snapshot, decision.reason, &state) {
            Because::Root | Because::Owner => {}
            Because::Role { label, node, .. } => {
                assert!(!label.is_empty());
                assert_eq!(node, Node::Organization { id: "acme".into() });
            }
            other => panic!("the owner may delete the organization: {other:?}"),
        }
    }
}
