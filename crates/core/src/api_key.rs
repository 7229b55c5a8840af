//! API keys: what a product's back-end may ask of one organization, and the form a
//! key is kept in (only the hash of its secret ever reaches the core).

use crate::id::{ApiKeyId, Name, Timestamp, UserId};

/// What an API key may be given. A closed set, so a key never grows a right the
/// HTTP layer does not know how to limit: `check` asks permission questions (check,
/// check/batch, a member's permissions, objects allowed for a user), `read` reads
/// the organization (its GET endpoints).
pub const API_KEY_PERMISSIONS: [&str; 2] = ["check", "read"];

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
