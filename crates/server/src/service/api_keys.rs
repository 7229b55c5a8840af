//! API keys in memory, by the SHA-256 of their secret: a product back-end's
//! `/check` costs a hash and a map lookup, and a revoked key stops at once (on
//! other nodes, as soon as their change notice arrives).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use steward_core::api_key::{self, KeyDenial, KeyPermissions, KeyUse};
use steward_core::snapshot::Snapshot;
use steward_core::{ApiKey, ApiKeyId, Change, Event, OrgId, State, UserId};

/// What a key lets its holder do, in one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyGrant {
    pub org: Arc<str>,
    pub key_id: ApiKeyId,
    permissions: KeyPermissions,
    /// Who made it (`None`: Steward's operator): every use is bounded by what
    /// they may do now.
    created_by: Option<UserId>,
}

impl ApiKeyGrant {
    /// Whether the key may be used for `key_use` in its organization, whose
    /// current snapshot is `snapshot` (steward-core's rule).
    pub fn permits<'a>(
        &'a self,
        snapshot: &Snapshot,
        key_use: KeyUse<'a>,
    ) -> Result<(), KeyDenial<'a>> {
        api_key::permits(
            snapshot,
            &self.org,
            self.permissions,
            self.created_by.as_ref(),
            key_use,
        )
    }

    /// The member who made the key (`None`: Steward's operator).
    pub fn created_by(&self) -> Option<&UserId> {
        self.created_by.as_ref()
    }
}

#[derive(Default)]
pub(super) struct KeyIndex {
    maps: RwLock<Maps>,
}

/// The keys by hash, and each organization's hashes, so that following one
/// organization's keys touches only its own entries: 100,000 organizations
/// loaded at start-up would otherwise each walk every key loaded before.
#[derive(Default)]
struct Maps {
    by_hash: HashMap<[u8; 32], ApiKeyGrant>,
    by_org: HashMap<Arc<str>, Vec<[u8; 32]>>,
}

impl KeyIndex {
    pub fn get(&self, hash: &[u8; 32]) -> Option<ApiKeyGrant> {
        self.maps
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .by_hash
            .get(hash)
            .cloned()
    }

    /// Makes the index hold exactly the organization's live keys.
    pub fn sync(&self, org: &OrgId, state: &State) {
        let deleted = state.org().is_some_and(|o| o.deleted);
        self.replace(org, deleted, state.api_keys());
    }

    /// Makes the index hold exactly `keys` for the organization (none if it is
    /// deleted): from its state, or read on their own (`Store::org_keys`) for
    /// an organization this node does not hold.
    pub fn replace<'k>(
        &self,
        org: &OrgId,
        deleted: bool,
        keys: impl IntoIterator<Item = &'k ApiKey>,
    ) {
        let mut maps = self.maps.write().unwrap_or_else(|p| p.into_inner());
        let Maps { by_hash, by_org } = &mut *maps;
        for hash in by_org.remove(org.as_str()).unwrap_or_default() {
            by_hash.remove(&hash);
        }
        if deleted {
            return;
        }
        let mut hashes = Vec::new();
        for key in keys {
            let Some(hash) = decode_hash(&key.key_hash) else {
                tracing::error!(%org, key = %key.id, "an API key's stored hash is not 64 hex digits");
                continue;
            };
            hashes.push(hash);
            by_hash.insert(
                hash,
                ApiKeyGrant {
                    org: Arc::<str>::from(org.as_str()),
                    key_id: key.id.clone(),
                    permissions: key.permission_set(),
                    created_by: key.created_by.clone(),
                },
            );
        }
        if !hashes.is_empty() {
            by_org.insert(Arc::<str>::from(org.as_str()), hashes);
        }
    }

    /// After events were folded into `state`: resyncs if any touched keys.
    pub fn follow(&self, org: &OrgId, events: &[Event], state: &State) {
        let touches_keys = events.iter().any(|e| {
            matches!(
                e.change,
                Change::ApiKeyCreated { .. }
                    | Change::ApiKeyRevoked { .. }
                    | Change::OrgDeleted { .. }
            )
        });
        if touches_keys {
            self.sync(org, state);
        }
    }
}

fn decode_hash(hex_text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_text).ok()?;
    bytes.try_into().ok()
}
