//! Random ids and bearer secrets: the randomness every layer needs and none owns,
//! so the store, `auth` and the service all take it from here and no arrow points
//! back up. Ids name new things (the core takes them as arguments; being random,
//! two nodes never choose the same one). Bearer secrets (refresh, setup, session,
//! invitation and API tokens) are random, shown once, stored only as their SHA-256
//! so a copy of the database cannot be used to log in (a refresh token's successor
//! is kept too, sealed under the token it replaced).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// `prefix` and 20 random base-32 characters (100 bits); the format is the core's
/// (steward_core::minted_id).
pub fn random_id(prefix: &str) -> String {
    steward_core::minted_id::minted_id(prefix, &random_chars())
}

/// An object's id: `prefix`, then `hint` (where the organization's snapshot will
/// look for it first) and 70 random bits in the same 20 characters
/// (docs/model.md#minted-ids).
pub fn hinted_id(prefix: &str, hint: u32) -> String {
    steward_core::minted_id::hinted_id(prefix, hint, &random_chars())
}

fn random_chars() -> [u8; steward_core::minted_id::MINTED_CHARS] {
    let mut random = [0u8; steward_core::minted_id::MINTED_CHARS];
    rand::thread_rng().fill_bytes(&mut random);
    random
}

/// `prefix` followed by 32 random bytes (base64url). The prefix tells a leaked
/// secret's kind at a glance (and lets secret scanners match it).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut secret = String::with_capacity(prefix.len() + 43);
    secret.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(bytes, &mut secret);
    secret
}

/// A plain hash is enough: the secret has 256 random bits, so there is nothing to
/// guess and no need for a slow password hash.
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

pub fn secret_hash_hex(secret: &str) -> String {
    hex::encode(secret_hash(secret))
}

/// Seals `secret` (made by `new_secret(prefix)`) under `key`, another secret of
/// 256 random bits: the secret's bytes XOR a SHA-256 of `key`. Only a holder of
/// `key` can open it, so a copy of the database still signs no one in. Each key
/// must seal one secret only (a one-time pad); a refresh token seals its one
/// successor. `None` when `secret` is not of that form.
pub fn seal_secret(secret: &str, prefix: &str, key: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(secret.strip_prefix(prefix)?).ok()?;
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Some(hex::encode(xor(bytes, pad(key))))
}

/// The secret `seal_secret` sealed under `key`; `None` when `sealed` is not a
/// sealed secret. A wrong key opens to a different, useless secret.
pub fn open_secret(sealed: &str, prefix: &str, key: &str) -> Option<String> {
    let bytes: [u8; 32] = hex::decode(sealed).ok()?.try_into().ok()?;
    let mut secret = String::with_capacity(prefix.len() + 43);
    secret.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(xor(bytes, pad(key)), &mut secret);
    Some(secret)
}

/// Domain-separated from `secret_hash`, which the database stores.
fn pad(key: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"steward sealed secret\0");
    hasher.update(key.as_bytes());
    hasher.finalize().into()
}

fn xor(mut bytes: [u8; 32], pad: [u8; 32]) -> [u8; 32] {
    for (b, p) in bytes.iter_mut().zip(pad) {
        *b ^= p;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_hash_stably() {
        let a = new_secret("stw_rt_");
        let b = new_secret("stw_rt_");
        assert!(a.starts_with("stw_rt_"));
        assert_eq!(a.len(), "stw_rt_".len() + 43);
        assert_ne!(a, b);
        assert_eq!(secret_hash_hex(&a), secret_hash_hex(&a));
        assert_ne!(secret_hash_hex(&a), secret_hash_hex(&b));
        // The SHA-256 of "abc", so other tools can compute the same hash.
        assert_eq!(
            secret_hash_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ids_are_prefixed_and_random() {
        let a = random_id("org");
        assert!(a.starts_with("org_"));
        assert_eq!(a.len(), "org_".len() + 20);
        assert_ne!(a, random_id("org"));
    }

    #[test]
    fn object_ids_carry_their_hint_and_stay_random() {
        let a = hinted_id("project", 41);
        assert!(a.starts_with("project_u0001"), "{a}");
        assert_eq!(a.len(), "project_".len() + 20);
        assert_eq!(steward_core::minted_id::id_hint(a.as_bytes()), Some(41));
        assert_ne!(a, hinted_id("project", 41));
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let key = new_secret("stw_rt_");
        let secret = new_secret("stw_rt_");
        let sealed = seal_secret(&secret, "stw_rt_", &key).unwrap();
        assert_eq!(sealed.len(), 64);
        assert!(!sealed.contains(&secret[7..]));
        assert_ne!(sealed, secret_hash_hex(&secret));
        assert_eq!(open_secret(&sealed, "stw_rt_", &key), Some(secret.clone()));
        let other = new_secret("stw_rt_");
        assert_ne!(open_secret(&sealed, "stw_rt_", &other), Some(secret));
        assert_eq!(seal_secret("stw_key_abc", "stw_rt_", &key), None);
        assert_eq!(open_secret("not hex", "stw_rt_", &key), None);
    }
}
