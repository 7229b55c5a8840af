//! API keys: what a product's back-end may ask of one organization, the form a
//! key is kept in (only the hash of its secret ever reaches the core), and the rule
//! that bounds every use of a key by what the member who made it may do now.

use crate::id::{ApiKeyId, Name, Timestamp, UserId};
use crate::snapshot::Snapshot;
use std::fmt;

/// What an API key may be given. A closed set, so a key never grows a right the
/// HTTP layer does not know how to limit: `check` asks permission questions (check,
/// check/batch, a member's permissions, objects allowed for a user), `read` reads
/// the organization (its GET endpoints), `scim` provisions members from a
/// directory (a SCIM token: `/scim/v2/{org}/`), `events` follows the
/// organization's event feed (`/events`, docs/audit.md#the-event-feed).
pub const API_KEY_PERMISSIONS: [&str; 4] = ["check", "read", "scim", "events"];

/// What provisioning through a SCIM token takes of the member who made it.
pub const SCIM_NEEDS: &str = "members:manage";

/// A live API key of an organization; a revoked key is gone from the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: Name,
    /// The SHA-256 of the secret, 64 lowercase hex characters.
    pub key_hash: String,
    pub permissions: Vec<String>,
    /// The member who created it; `None` when Steward's operator did.
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
}

impl ApiKey {
    /// Its permissions as the check path holds them.
    pub fn permission_set(&self) -> KeyPermissions {
        KeyPermissions::of(&self.permissions)
    }
}

/// What asking about another member's permissions takes, of a member and so of
/// the member behind a `check` key.
pub const CHECK_NEEDS: &str = "members:view";

/// What following the event feed takes of the member behind an `events` key:
/// the feed is the audit log, so the right to read the audit log.
pub const EVENTS_NEEDS: &str = "audit:view";

/// One use of a key: the key permission it takes, and the right on the
/// organization a member would need to do the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse<'a> {
    /// Asking about any member's permissions (check, check/batch, a member's
    /// permissions, objects allowed for a user).
    Check,
    /// A read that takes `action` on the organization (`members:view`,
    /// `audit:view`, `org:view`).
    Read(&'a str),
    /// Provisioning members from a directory (SCIM).
    Scim,
    /// Following the organization's event feed.
    Events,
}

impl<'a> KeyUse<'a> {
    /// The key permission this use takes.
    pub fn permission(self) -> &'static str {
        match self {
            KeyUse::Check => "check",
            KeyUse::Read(_) => "read",
            KeyUse::Scim => "scim",
            KeyUse::Events => "events",
        }
    }

    /// The organization action the key's creator must hold for it.
    pub fn action(self) -> &'a str {
        match self {
            KeyUse::Check => CHECK_NEEDS,
            KeyUse::Read(action) => action,
            KeyUse::Scim => SCIM_NEEDS,
            KeyUse::Events => EVENTS_NEEDS,
        }
    }
}

/// A key's permissions, one flag each: what the check path keeps of a key, so a
/// use costs no allocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyPermissions {
    check: bool,
    read: bool,
    scim: bool,
    events: bool,
}

impl KeyPermissions {
    /// From the stored names; names outside `API_KEY_PERMISSIONS` give nothing.
    pub fn of<S: AsRef<str>>(names: &[S]) -> KeyPermissions {
        let has = |p: &str| names.iter().any(|n| n.as_ref() == p);
        KeyPermissions {
            check: has("check"),
            read: has("read"),
            scim: has("scim"),
            events: has("events"),
        }
    }

    /// Whether the key was given the permission `key_use` takes.
    pub fn gives(self, key_use: KeyUse<'_>) -> bool {
        match key_use {
            KeyUse::Check => self.check,
            KeyUse::Read(_) => self.read,
            KeyUse::Scim => self.scim,
            KeyUse::Events => self.events,
        }
    }
}

/// Why a key may not be used for something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDenial<'a> {
    /// The key was not given the permission.
    NotGiven { permission: &'static str },
    /// The member who made the key may not do this themself (any more: demoted,
    /// deleted, or the policy changed).
    CreatorMayNot {
        creator: &'a UserId,
        action: &'a str,
    },
}

impl fmt::Display for KeyDenial<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyDenial::NotGiven { permission } => {
                write!(f, "this API key does not have the {permission} permission")
            }
            KeyDenial::CreatorMayNot { creator, action } => write!(
                f,
                "this needs {action}, which the member who made this API key ({creator}) \
                 may not do now; a key never does more than its creator"
            ),
        }
    }
}

/// The rule for every use of a key: the key was given the permission, and the
/// member who made it may do the same thing on the organization themself, now.
/// A key acts for its creator, so it is bounded by their current role at every
/// use, whatever path changed that role (a demotion, an import, a transfer, a
/// new policy); nothing has to remember to revoke it. A key Steward's operator
/// made has no creator, and only its permissions bound it. Reads the snapshot
/// only: no allocation, no IO.
pub fn permits<'a>(
    snapshot: &Snapshot,
    org: &str,
    permissions: KeyPermissions,
    created_by: Option<&'a UserId>,
    key_use: KeyUse<'a>,
) -> Result<(), KeyDenial<'a>> {
    if !permissions.gives(key_use) {
        return Err(KeyDenial::NotGiven {
            permission: key_use.permission(),
        });
    }
    match created_by {
        Some(creator)
            if !snapshot
                .check_by_name(creator.as_str(), key_use.action(), org)
                .allowed =>
        {
            Err(KeyDenial::CreatorMayNot {
                creator,
                action: key_use.action(),
            })
        }
        _ => Ok(()),
    }
}

/// Whether `s` has the form of a SHA-256 in lowercase hex. Lowercase only, so one
/// secret has one stored form and the uniqueness of hashes means something.
pub fn is_key_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_hash_is_64_lowercase_hex_characters() {
        assert!(is_key_hash(&"0a".repeat(32)));
        assert!(!is_key_hash(&"0A".repeat(32)));
        assert!(!is_key_hash(&"0a".repeat(31)));
        assert!(!is_key_hash(&"g0".repeat(32)));
        assert!(!is_key_hash(""));
    }
}
