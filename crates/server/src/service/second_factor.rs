//! The organization setting "a second factor for admins and owners", held on
//! every change: the core decides whether an actor is refused
//! (`second_factor_refusal`); whether they are enrolled is the store's fact,
//! read here before the organization is locked (docs/two-factor.md).

use super::{Service, ServiceError};
use std::collections::BTreeSet;
use steward_core::{
    second_factor_refusal, Actor, Change, Command, Event, OrgId, Policy, Refusal, State, UserId,
};

/// Which of a change's acting members have a confirmed second factor; `None`
/// when the organization did not require one as the change began (nobody is
/// asked).
pub(super) struct Enrolment(Option<BTreeSet<UserId>>);

impl Service {
    /// Reads the enrolment of the members among `actors`, only when the
    /// organization requires a second factor.
    pub(super) async fn enrolment(
        &self,
        org: &OrgId,
        actors: Vec<UserId>,
    ) -> Result<Enrolment, ServiceError> {
        // Through `live_or_load`: an organization dropped under the memory
        // limit (or created on another node) is read first, never taken for
        // one without the requirement.
        let snapshot = self.live_or_load(org).await?.snapshot();
        let required = snapshot.is_live() && snapshot.requires_second_factor();
        if !required {
            return Ok(Enrolment(None));
        }
        let mut enrolled = BTreeSet::new();
        for user in actors {
            if !enrolled.contains(&user) && self.store().has_second_factor(&user).await? {
                enrolled.insert(user);
            }
        }
        Ok(Enrolment(Some(enrolled)))
    }
}

/// The members among `actors` (a directory is not asked).
pub(super) fn members<'a>(actors: impl IntoIterator<Item = &'a Actor>) -> Vec<UserId> {
    actors
        .into_iter()
        .filter_map(|a| match a {
            Actor::User(user) => Some(user.clone()),
            _ => None,
        })
        .collect()
}

impl Enrolment {
    /// The core's answer for one command, against the locked state.
    pub(super) fn check(
        &self,
        policy: &Policy,
        state: &State,
        actor: &Actor,
        command: &Command,
    ) -> Result<(), Refusal> {
        let Some(enrolled) = &self.0 else {
            return Ok(());
        };
        let is_enrolled = actor.user().is_some_and(|u| enrolled.contains(u));
        match second_factor_refusal(policy, state, actor, command, is_enrolled) {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }
}

/// The members whose second factor an admin reset: the change takes the
/// factor and ends every session and refresh token it guarded, in its own
/// transaction (docs/two-factor.md#admin-reset).
pub(super) fn resets(events: &[Event]) -> impl Iterator<Item = &UserId> {
    events.iter().filter_map(|e| match &e.change {
        Change::SecondFactorReset { user_id } => Some(user_id),
        _ => None,
    })
}
