//! Passwords: Argon2id hashes, computed off the async threads, and a login that
//! costs the same whether or not the e-mail has an account.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use std::fmt;
use std::sync::Arc;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is shorter than {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// The bound keeps one request from buying a long hash computation.
    #[error("the password is longer than {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

/// A password a person chose, checked for length. Its `Debug` hides it so it can
/// sit in a logged request struct.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(s: &str) -> Result<Password, PasswordError> {
        let chars = s.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            Err(PasswordError::TooShort)
        } else if chars > MAX_PASSWORD_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Password(s.to_string()))
        }
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Hashes and verifies passwords. Clones share the dummy hash.
#[derive(Clone)]
pub struct Passwords {
    dummy: Arc<str>,
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passwords").finish_non_exhaustive()
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords::new()
    }
}

impl Passwords {
    /// Computes the dummy hash once (tens of milliseconds): verifying an unknown
    /// e-mail against it costs what verifying a real account costs.
    pub fn new() -> Passwords {
        Passwords {
            dummy: hash_blocking("steward-dummy-password").into(),
        }
    }

    /// An Argon2id PHC string (default parameters, random salt).
    pub async fn hash(&self, password: &Password) -> String {
        let password = password.0.clone();
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .expect("hashing a password panicked")
    }

    /// Whether `candidate` matches `stored`. `None` (no such account, or one
    /// without a password) still runs a full verification, against the dummy
    /// hash, so the answer's timing does not tell which e-mails have accounts.
    pub async fn verify(&self, stored: Option<&str>, candidate: &str) -> bool {
        let (stored, real) = match stored {
            Some(s) => (s.to_string(), true),
            None => (self.dummy.to_string(), false),
        };
        let dummy = self.dummy.clone();
        let candidate = candidate.to_string();
        tokio::task::spawn_blocking(move || {
            let matches = match PasswordHash::new(&stored) {
                Ok(hash) => Argon2::default()
                    .verify_password(candidate.as_bytes(), &hash)
                    .is_ok(),
                Err(_) => {
                    // A stored hash that does not parse is a corrupt row; spend the
                    // usual time anyway and refuse.
                    let hash = PasswordHash::new(&dummy).expect("the dummy hash parses");
                    let _ = Argon2::default().verify_password(candidate.as_bytes(), &hash);
                    false
                }
            };
            real && matches
        })
        .await
        .unwrap_or(false)
    }
}

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        // Fails only for parameters or a salt out of range; ours are the defaults.
        .expect("Argon2id with default parameters hashes any password")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_bounded_in_characters() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        assert!(Password::parse("12345678").is_ok());
        // Eight characters, sixteen bytes.
        assert!(Password::parse("éééééééé").is_ok());
        assert!(Password::parse(&"x".repeat(1024)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(1025)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let p = Password::parse("correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "***");
    }

    #[tokio::test]
    async fn verify_accepts_only_the_right_password() {
        let passwords = Passwords::new();
        let p = Password::parse("correct horse").unwrap();
        let hash = passwords.hash(&p).await;
        assert!(hash.starts_with("$argon2id$"));
        assert!(passwords.verify(Some(&hash), "correct horse").await);
        assert!(!passwords.verify(Some(&hash), "wrong horse").await);
        // No account: false, even for the dummy's own password.
        assert!(!passwords.verify(None, "correct horse").await);
        assert!(!passwords.verify(None, "steward-dummy-password").await);
        assert!(!passwords.verify(Some("not a hash"), "correct horse").await);
        assert!(!passwords.verify(Some(""), "correct horse").await);
        // Two hashes of one password differ (random salt).
        assert_ne!(hash, passwords.hash(&p).await);
    }
}
