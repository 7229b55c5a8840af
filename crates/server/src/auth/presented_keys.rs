//! The SHA-256 of the API keys presented lately, so a product back-end that
//! sends the same key on every request has it hashed once, not per request
//! (docs/benchmarks.md "Server CPU per HTTP check, second pass").
//!
//! Only the hash is remembered, never the grant: every request still looks its
//! key up by that hash in the node's keys, so a revoked key is refused at once,
//! whatever this table holds. A token enters the table only once its hash has
//! named a key (random tokens never fill it), and leaves it when its hash names
//! none any more. The table is direct-mapped (a token's slot is a keyed hash of
//! it: an attacker cannot aim at another's slot) and fixed in size, so it needs
//! no eviction; a presented token is compared with a slot's in constant time.

use crate::secrets::secret_hash;
use std::hash::{BuildHasher, RandomState};
use std::sync::{LazyLock, RwLock};

/// Slots in the table: keys in use at once on one node beyond this share slots
/// and are hashed again when they meet (still answered right).
const SLOTS: usize = 1024;

type Slot = RwLock<Option<(Box<[u8]>, [u8; 32])>>;

struct Table {
    keys: RandomState,
    slots: Box<[Slot]>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| Table {
    keys: RandomState::new(),
    slots: (0..SLOTS).map(|_| RwLock::new(None)).collect(),
});

/// A presented key's SHA-256, and whether it came from the table.
pub struct KeyHash<'t> {
    token: &'t str,
    pub hash: [u8; 32],
    remembered: bool,
}

impl Table {
    fn slot(&self, token: &str) -> &Slot {
        let at = self.keys.hash_one(token.as_bytes()) as usize % SLOTS;
        &self.slots[at]
    }
}

/// The SHA-256 of `token`, from the table when it was presented before.
pub fn key_hash(token: &str) -> KeyHash<'_> {
    let slot = TABLE.slot(token).read().unwrap_or_else(|p| p.into_inner());
    if let Some((seen, hash)) = &*slot {
        if constant_time_eq(seen, token.as_bytes()) {
            return KeyHash {
                token,
                hash: *hash,
                remembered: true,
            };
        }
    }
    drop(slot);
    KeyHash {
        token,
        hash: secret_hash(token),
        remembered: false,
    }
}

impl KeyHash<'_> {
    /// The hash named a key: the next request with this token skips hashing.
    pub fn remember(self) {
        if self.remembered {
            return;
        }
        let mut slot = TABLE
            .slot(self.token)
            .write()
            .unwrap_or_else(|p| p.into_inner());
        *slot = Some((self.token.as_bytes().into(), self.hash));
    }

    /// The hash named no key (revoked, or never made): a remembered token
    /// leaves the table.
    pub fn forget(self) {
        if !self.remembered {
            return;
        }
        let mut slot = TABLE
            .slot(self.token)
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if slot
            .as_ref()
            .is_some_and(|(seen, _)| constant_time_eq(seen, self.token.as_bytes()))
        {
            *slot = None;
        }
    }
}

/// Equality whose time does not depend on where two secrets of one length
/// differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_key_hashes_as_sha256_and_a_forgotten_one_is_hashed_again() {
        let token = "stw_key_remembered_then_forgotten";
        let first = key_hash(token);
        assert!(!first.remembered);
        assert_eq!(first.hash, secret_hash(token));
        first.remember();
        let again = key_hash(token);
        assert!(again.remembered, "a remembered token is not hashed again");
        assert_eq!(again.hash, secret_hash(token));
        again.forget();
        assert!(
            !key_hash(token).remembered,
            "a forgotten token is hashed again"
        );
    }

    #[test]
    fn a_token_that_was_never_remembered_is_always_hashed() {
        let token = "stw_key_never_named_a_key";
        for _ in 0..3 {
            let presented = key_hash(token);
            assert!(!presented.remembered);
            assert_eq!(presented.hash, secret_hash(token));
            presented.forget();
        }
    }

    #[test]
    fn constant_time_equality_tells_different_secrets_apart() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
