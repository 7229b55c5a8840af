//! Who is asking, and what they may read: the one place the read rules live
//! (docs/architecture.md#reads). Writes are the core's `decide`; reads are
//! decided here, from the check snapshot, for every adapter alike.

use super::error::{AppError, Denied};
use crate::service::ApiKeyGrant;
use std::sync::Arc;
use steward_core::api_key::{KeyUse, EVENTS_NEEDS};
use steward_core::{Actor, ObjectId, OrgId, Refusal, Snapshot, UserId};

/// Who is calling: an account (a signed-in person) or a product back-end (API key).
#[derive(Clone)]
pub enum Caller {
    Account(UserId),
    Key(ApiKeyGrant),
}

/// The caller inside one organization: a member, or one of its API keys. Anyone
/// else is told the organization does not exist.
pub struct InOrg {
    pub org: OrgId,
    pub snapshot: Arc<Snapshot>,
    pub who: Caller,
}

/// A member id from a path or a form; text that is no id names nobody.
pub fn parse_user(user: &str) -> Result<UserId, AppError> {
    UserId::parse(user).map_err(|_| AppError::NoSuchMember)
}

/// An object id from a path or a form; text that is no id names nothing.
pub fn parse_object(object: &str) -> Result<ObjectId, AppError> {
    ObjectId::parse(object).map_err(|_| AppError::NoSuchObject)
}

impl InOrg {
    pub fn resolve(
        service: &crate::service::Service,
        caller: Caller,
        org: &str,
    ) -> Result<InOrg, AppError> {
        let snapshot = service
            .snapshot(org)
            .ok_or_else(AppError::no_organization)?;
        let belongs = match &caller {
            Caller::Account(user) => snapshot.is_member(user.as_str()),
            Caller::Key(key) => &*key.org == org,
        };
        if !belongs {
            return Err(AppError::no_organization());
        }
        Ok(InOrg {
            org: OrgId::parse(org).map_err(|_| AppError::no_organization())?,
            snapshot,
            who: caller,
        })
    }

    /// The member making a change; an API key only reads and checks.
    pub fn actor(&self) -> Result<Actor, AppError> {
        match &self.who {
            Caller::Account(user) => Ok(Actor::User(user.clone())),
            Caller::Key(_) => Err(Denied::KeyOnlyReadsAndChecks.into()),
        }
    }

    pub fn user(&self) -> Option<&UserId> {
        match &self.who {
            Caller::Account(user) => Some(user),
            Caller::Key(_) => None,
        }
    }

    /// A read that needs `action` on the organization (`members:view`,
    /// `audit:view`...): a member needs it from the policy; a key needs `read`,
    /// and its creator needs `action` now (steward-core's rule for keys).
    pub fn require(&self, action: &str) -> Result<(), AppError> {
        match &self.who {
            Caller::Account(user) => {
                // Only yes or no is read: the check without its reason.
                if self
                    .snapshot
                    .allows_by_name(user.as_str(), action, self.org.as_str())
                {
                    Ok(())
                } else {
                    Err(Denied::Lacks {
                        action: action.to_string(),
                    }
                    .into())
                }
            }
            Caller::Key(key) => self.key_may(key, KeyUse::Read(action)),
        }
    }

    /// Following the event feed: a member needs what reading the audit log
    /// needs (the same rule as the audit list); a key needs `events`, and its
    /// creator that same right now (steward-core's rule for keys).
    pub fn require_feed(&self) -> Result<(), AppError> {
        match &self.who {
            Caller::Account(_) => self.require(EVENTS_NEEDS),
            Caller::Key(key) => self.key_may(key, KeyUse::Events),
        }
    }

    /// Whether the caller may know `object` (an object's id, or the
    /// organization's) is there: a member, by the core's rule
    /// (`steward_core::sight`); a key that may read the organization (its
    /// creator still holding `org:view`), every object.
    pub fn sees(&self, object: &str) -> bool {
        match &self.who {
            Caller::Account(user) => self.snapshot.sees_by_name(user.as_str(), object),
            Caller::Key(key) => {
                key.permits(&self.snapshot, KeyUse::Read("org:view"))
                    .is_ok()
                    && self.snapshot.node(object).is_some()
            }
        }
    }

    /// `id` as an object the caller may know of; one they may not see is
    /// `unknown_object`, exactly as one that does not exist.
    pub fn visible_object(&self, id: &str) -> Result<ObjectId, AppError> {
        let object = parse_object(id)?;
        if self.sees(object.as_str()) {
            Ok(object)
        } else {
            Err(Refusal::UnknownObject(object).into())
        }
    }

    /// Reading a member's record: their own, or anyone's with `members:view`.
    pub fn require_member_record(&self, user: &UserId) -> Result<(), AppError> {
        if self.user() == Some(user) {
            Ok(())
        } else {
            self.require("members:view")
        }
    }

    /// Asking about `user`'s permissions: a key with `check` (whose creator may
    /// view members), the user themself, or a member who may view members.
    pub fn require_check_about(&self, user: &str) -> Result<(), AppError> {
        match &self.who {
            Caller::Key(key) => self.key_may(key, KeyUse::Check),
            Caller::Account(me) if me.as_str() == user => Ok(()),
            Caller::Account(_) => self.require("members:view"),
        }
    }

    /// `require_check_about` for every user a batch asks about. A key's right to
    /// ask does not depend on whom it asks about, so it is decided once, not per
    /// question (it is a check of its own on the creator).
    pub fn require_check_about_all<'u>(
        &self,
        users: impl IntoIterator<Item = &'u str>,
    ) -> Result<(), AppError> {
        match &self.who {
            Caller::Key(key) => self.key_may(key, KeyUse::Check),
            Caller::Account(_) => users
                .into_iter()
                .try_for_each(|user| self.require_check_about(user)),
        }
    }

    fn key_may(&self, key: &ApiKeyGrant, key_use: KeyUse<'_>) -> Result<(), AppError> {
        key.permits(&self.snapshot, key_use)
            .map_err(|denial| Denied::Key(denial.to_string()).into())
    }
}
