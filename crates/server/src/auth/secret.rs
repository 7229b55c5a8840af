//! Bearer secrets (refresh, setup and API tokens): random, shown once, stored only
//! as their SHA-256 so a copy of the database cannot be used to log in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

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
}
