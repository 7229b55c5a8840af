//! The deployment's policy: chosen at the first start and stored in the database,
//! read from there by every node and command. `serve --policy` may only repeat it,
//! or replace it when told to (the replacement is kept in the policy history);
//! a node whose policy is replaced under it writes nothing more
//! (docs/deployment.md).

use super::{Clock, Service, ServiceError};
use crate::store::{PolicyId, Store, StoreError, StoredPolicy};
use std::collections::BTreeMap;
use steward_core::policy::PRESETS;
use steward_core::Policy;

/// The policy of a database that has none, when none is given.
pub const DEFAULT_POLICY: &str = "operations";

/// A policy's text, and what it was asked for as (a preset's name or a file's
/// path), for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    pub origin: String,
    pub text: String,
}

impl PolicySource {
    pub fn preset(name: &str) -> Option<PolicySource> {
        PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| PolicySource {
                origin: n.to_string(),
                text: text.to_string(),
            })
    }

    /// The policy and its id, or every error with its line.
    fn parse(&self) -> Result<(Policy, PolicyId), StartError> {
        let policy = Policy::parse(&self.text).map_err(|e| StartError::InvalidPolicy {
            origin: self.origin.clone(),
            errors: e.to_string(),
        })?;
        let id = PolicyId::of(&policy.name, &self.text);
        Ok((policy, id))
    }
}

/// How a node or a command comes by its policy.
#[derive(Debug, Clone)]
pub struct PolicyChoice {
    /// `--policy`: stored when the database has none; otherwise it must be the
    /// stored one, unless `replace`.
    pub given: Option<PolicySource>,
    /// `serve --replace-policy`: a given policy other than the stored one
    /// replaces it.
    pub replace: bool,
    /// What a database without a stored policy gets when none is given.
    pub unstored: Unstored,
}

/// For a database without a stored policy, and no `--policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unstored {
    /// `serve`: the default policy, which is also what earlier releases ran
    /// without `--policy`.
    Default,
    /// The other commands: the default for an empty database, but a refusal for
    /// one with organizations (made before Steward stored its policy), whose
    /// policy they cannot know; guessing is how a command wrote roles the
    /// database's policy does not have.
    DefaultIfEmpty,
}

/// What starting did with the stored policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adoption {
    /// The database's policy, as stored.
    Stored(PolicyId),
    /// The database had none: this one is stored now.
    First(PolicyId),
    /// `--replace-policy`: `now` replaced `previous`, and the history says so.
    Replaced { previous: PolicyId, now: PolicyId },
}

impl Adoption {
    /// The policy the service decides with.
    pub fn policy(&self) -> &PolicyId {
        match self {
            Adoption::Stored(id) | Adoption::First(id) => id,
            Adoption::Replaced { now, .. } => now,
        }
    }
}

/// Why a node or command does not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("policy {origin}:\n{errors}")]
    InvalidPolicy { origin: String, errors: String },
    /// The stored text no longer parses (edited by hand, or stored by a newer
    /// release).
    #[error("the database's policy {id} does not parse:\n{errors}")]
    StoredPolicyInvalid { id: PolicyId, errors: String },
    #[error(
        "the database's policy is {stored}, not {given} (--policy {origin}): start without \
         --policy to use the stored one, or replace it with `steward serve --policy {origin} \
         --replace-policy` (the replacement is recorded; roles the new policy lacks give nothing)"
    )]
    PolicyDiffers {
        stored: PolicyId,
        given: PolicyId,
        origin: String,
    },
    #[error(
        "the database has organizations but no stored policy (they were made before Steward \
         stored it): start `steward serve` on it once, with the --policy it runs with, or give \
         that --policy here"
    )]
    PolicyUnknown,
    /// `DEFAULT_POLICY` names no shipped preset: a build that renamed one.
    #[error("the default policy {0} is not among the shipped presets")]
    NoSuchPreset(&'static str),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for StartError {
    fn from(e: StoreError) -> StartError {
        StartError::Service(e.into())
    }
}

impl Service {
    /// Opens the service with the database's policy, storing or replacing it as
    /// `choice` says. Its writes are pinned to that policy: once another node
    /// replaces it, they refuse.
    pub async fn start(
        store: Store,
        choice: PolicyChoice,
    ) -> Result<(Service, Adoption), StartError> {
        Service::start_counting(store, choice, &super::Loading::default()).await
    }

    /// `start`, holding only `orgs` in memory (a command about one organization;
    /// any other is loaded when first asked for).
    pub async fn start_holding(
        store: Store,
        choice: PolicyChoice,
        orgs: &[steward_core::OrgId],
    ) -> Result<(Service, Adoption), StartError> {
        let now = Clock::default().now().0;
        let (adoption, policy) = adopt(&store, choice, now).await?;
        let store = store.pinned_to(adoption.policy().clone());
        let service = Service::open_holding(store, policy, orgs).await?;
        Ok((service, adoption))
    }

    /// The policy `start` would decide with, chosen (and stored, for a database
    /// that has none) the same way, without loading any organization: for a
    /// command that reads only what it needs (`steward check`).
    pub async fn adopt_policy(store: &Store, choice: PolicyChoice) -> Result<Policy, StartError> {
        let now = Clock::default().now().0;
        Ok(adopt(store, choice, now).await?.1)
    }

    /// `start`, counting the organizations loaded in `loading`.
    pub async fn start_counting(
        store: Store,
        choice: PolicyChoice,
        loading: &super::Loading,
    ) -> Result<(Service, Adoption), StartError> {
        let now = Clock::default().now().0;
        let (adoption, policy) = adopt(&store, choice, now).await?;
        let store = store.pinned_to(adoption.policy().clone());
        let service = Service::open_counting(store, policy, loading).await?;
        Ok((service, adoption))
    }

    /// The policy the database holds now, when it is no longer the one this node
    /// decides with (another node replaced it). Such a node writes nothing more
    /// and is not ready (`/readyz`) until restarted.
    pub fn policy_replaced(&self) -> Option<&PolicyId> {
        self.inner.replaced.get()
    }

    /// Compares the database's policy with this node's (after another process
    /// committed: the file watcher, a PostgreSQL notice, a reconnect).
    pub async fn check_policy_in_force(&self) -> Result<(), StoreError> {
        let Some(held) = self.store().pinned_policy() else {
            return Ok(());
        };
        if let Some(stored) = self.store().stored_policy().await? {
            if stored.id.sha256 != held.sha256 {
                self.noticed(&StoreError::PolicyReplaced {
                    held: held.clone(),
                    stored: stored.id,
                });
            }
        }
        Ok(())
    }

    /// The roles members hold that this node's policy does not have (`role`, or
    /// `role@type` on a scope), each with how many hold it: after a replacement
    /// they give nothing until changed, which `serve` says.
    pub async fn roles_the_policy_lacks(&self) -> BTreeMap<String, usize> {
        let policy = self.policy().clone();
        let orgs: Vec<_> = self.orgs().values().cloned().collect();
        let mut lacking = BTreeMap::new();
        for live in orgs {
            let books = live.books.lock().await;
            let state = &books.state;
            if state.org().is_none_or(|o| o.deleted) {
                continue;
            }
            // By role, not by member: a start-up of 1,000,000 members waited for
            // a million look-ups here before it was ready.
            for (role, holders) in state.held_roles() {
                if policy.org_role(role).is_none() {
                    *lacking.entry(role.to_string()).or_default() += holders;
                }
            }
            for (_, object, roles) in state.all_scope_roles() {
                let ty = state.object(object).map_or("?", |o| o.object_type.as_str());
                for role in roles {
                    let known = policy
                        .type_index(ty)
                        .and_then(|level| policy.role_index(level, role));
                    if known.is_none() {
                        *lacking.entry(format!("{role}@{ty}")).or_default() += 1;
                    }
                }
            }
        }
        lacking
    }

    /// Remembers (and logs, once) that a write found the policy replaced.
    pub(super) fn noticed(&self, e: &StoreError) {
        if let StoreError::PolicyReplaced { held, stored } = e {
            if self.inner.replaced.set(stored.clone()).is_ok() {
                tracing::error!(
                    held = %held,
                    stored = %stored,
                    "the database's policy was replaced: this node writes nothing more and is \
                     not ready; restart it to decide with the stored policy"
                );
            }
        }
    }
}

/// The policy to decide with, and what was stored to get it.
async fn adopt(
    store: &Store,
    choice: PolicyChoice,
    now: i64,
) -> Result<(Adoption, Policy), StartError> {
    let stored = match store.stored_policy().await? {
        Some(stored) => stored,
        None => {
            let source = match choice.given.clone() {
                Some(given) => given,
                None if choice.unstored == Unstored::DefaultIfEmpty
                    && store.has_organizations().await? =>
                {
                    return Err(StartError::PolicyUnknown)
                }
                None => PolicySource::preset(DEFAULT_POLICY)
                    .ok_or(StartError::NoSuchPreset(DEFAULT_POLICY))?,
            };
            let (policy, id) = source.parse()?;
            // Another node starting at once may store its own first.
            let stored = store.store_first_policy(&id, &source.text, now).await?;
            if stored.id == id {
                return Ok((Adoption::First(id), policy));
            }
            stored
        }
    };
    let Some(given) = choice.given else {
        return Ok((Adoption::Stored(stored.id.clone()), parse_stored(&stored)?));
    };
    let (policy, id) = given.parse()?;
    if id.sha256 == stored.id.sha256 {
        return Ok((Adoption::Stored(id), policy));
    }
    if !choice.replace {
        return Err(StartError::PolicyDiffers {
            stored: stored.id,
            given: id,
            origin: given.origin,
        });
    }
    let previous = store.replace_policy(&id, &given.text, now).await?;
    let adoption = match previous {
        Some(previous) if previous.id != id => Adoption::Replaced {
            previous: previous.id,
            now: id,
        },
        // Another node replaced it with this very policy meanwhile.
        _ => Adoption::Stored(id),
    };
    Ok((adoption, policy))
}

fn parse_stored(stored: &StoredPolicy) -> Result<Policy, StartError> {
    Policy::parse(&stored.source).map_err(|e| StartError::StoredPolicyInvalid {
        id: stored.id.clone(),
        errors: e.to_string(),
    })
}
