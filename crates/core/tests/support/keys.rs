//! What the API key tests share: an organization on the `operations` preset and
//! the commands that make and revoke keys.

use super::{name, Org};
use steward_core::{ApiKeyId, Command};

/// owner, one admin, one operator, one viewer.
pub fn org() -> Org {
    let mut org = Org::new("operations");
    org.add("ada", "admin");
    org.add("otto", "operator");
    org.add("vera", "viewer");
    org
}

pub fn key_id(id: &str) -> ApiKeyId {
    ApiKeyId::parse(id).unwrap()
}

/// A well-formed hash, different for each seed.
pub fn hash(seed: u8) -> String {
    format!("{seed:02x}").repeat(32)
}

pub fn create_key(id: &str, key_hash: String, permissions: &[&str]) -> Command {
    Command::CreateApiKey {
        key_id: key_id(id),
        name: name(&format!("{id} back-end")),
        key_hash,
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    }
}

pub fn revoke_key(id: &str) -> Command {
    Command::RevokeApiKey { key_id: key_id(id) }
}
