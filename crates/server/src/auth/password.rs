//! Passwords: Argon2id hashes in the standard PHC format, computed off the async
//! threads, a bounded number at once, each in working memory reused from one hash
//! to the next; and a login that costs the same whether or not the e-mail has an
//! account.
//!
//! Why the memory is reused (docs/benchmarks.md#memory). Each Argon2id computation
//! needs 19 MiB of working memory. Allocated and freed per hash, glibc's malloc
//! raises its mmap threshold to 19 MiB on the first free, and from then on keeps
//! the freed buffers in its per-thread arenas: 1,000 sign-ins from 8 clients left
//! a node at over 1.5 GiB that never came down. Measured against the two other
//! cures (the allocator told at start to keep a fixed mmap threshold, which maps
//! and unmaps 19 MiB per hash, and another allocator, a new dependency), reusing
//! one buffer per permitted hash needs neither a global allocator setting nor a
//! dependency, bounds the memory by construction (`concurrent` x 19 MiB, made on
//! first use and kept), and spares each hash 4,864 page faults.

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The hash of `steward-dummy-password` with the default parameters, verified
/// against when an e-mail has no account: the same work as a real verification.
/// A constant (the password is no secret), so that no node computes and frees a
/// 19 MiB buffer at start; a test checks it still matches the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3Rld2FyZC1kdW1teS1zYWx0$\
    yH0y+1F9fePj9zxyIwFDZtgvmM5brcrl2ltok6ZZbxU";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is shorter than {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// The bound keeps one request from buying a long hash computation.
    #[error("the password is longer than {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

/// More passwords waiting to be hashed than the node hashes in `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking other passwords; try again in {} s", .retry_after.as_secs().max(1))]
pub struct HashingBusy {
    pub retry_after: Duration,
}

/// Why a password was not hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashingError {
    #[error(transparent)]
    Busy(#[from] HashingBusy),
    /// Argon2 refused the salt, parameters or output it was given: with the
    /// defaults it never does, so this is a bug, not the caller's to fix.
    #[error("Argon2id could not hash the password: {0}")]
    Argon2(argon2::password_hash::Error),
    /// The blocking task panicked (the panic hook logged why) or was cancelled
    /// as the runtime shut down.
    #[error("the password's hashing task did not finish")]
    Interrupted,
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

/// How many hashes run at once, and how long one waits for its turn before the
/// request is answered 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimits {
    /// Also the number of 19 MiB buffers the node keeps once they were needed.
    pub concurrent: usize,
    pub queue: Duration,
}

impl Default for HashingLimits {
    /// One hash per core: more at once would only share the cores, each taking
    /// longer, while holding 19 MiB each. A few seconds' queue absorbs a burst (a
    /// hash takes tens of milliseconds) and refuses a flood.
    fn default() -> Self {
        HashingLimits {
            concurrent: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: Duration::from_secs(3),
        }
    }
}

/// Hashes and verifies passwords within `HashingLimits`. Clones share the bound
/// and the buffers.
#[derive(Clone)]
pub struct Passwords {
    shared: Arc<Shared>,
}

struct Shared {
    limits: HashingLimits,
    turns: Arc<Semaphore>,
    /// Buffers no turn holds; a turn takes one, or makes one when none is left,
    /// so there are never more than `limits.concurrent`.
    free: Mutex<Vec<Box<[Block]>>>,
    made: AtomicUsize,
    computed: AtomicU64,
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passwords")
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords::new()
    }
}

/// One of the permitted hashes at once, with its working memory; both go back
/// when it is dropped (the buffer first, so the next turn finds it).
pub struct HashingTurn {
    memory: Option<Box<[Block]>>,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for HashingTurn {
    fn drop(&mut self) {
        if let Some(memory) = self.memory.take() {
            lock(&self.shared.free).push(memory);
        }
    }
}

impl HashingTurn {
    /// The buffer, made on a turn's first use (in the blocking task, not on an
    /// async thread: filling 19 MiB takes milliseconds).
    fn memory(&mut self) -> &mut [Block] {
        let shared = &self.shared;
        self.memory.get_or_insert_with(|| {
            shared.made.fetch_add(1, Ordering::Relaxed);
            vec![Block::default(); Params::DEFAULT_M_COST as usize].into_boxed_slice()
        })
    }

    /// An Argon2id PHC string (default parameters, random salt), computed off
    /// the async threads in this turn's memory.
    pub async fn hash(mut self, password: &Password) -> Result<String, HashingError> {
        let password = password.0.clone();
        tokio::task::spawn_blocking(move || self.hash_blocking(password.as_bytes()))
            .await
            .map_err(|_| HashingError::Interrupted)?
            .map_err(HashingError::Argon2)
    }

    /// Whether `candidate` matches `stored`; `None` (no such account, or one
    /// without a password) still runs a full verification, against the dummy
    /// hash, so the answer's timing does not tell which e-mails have accounts.
    async fn check(mut self, stored: Option<&str>, candidate: &str) -> bool {
        let (stored, real) = match stored {
            Some(s) => (s.to_string(), true),
            None => (DUMMY_HASH.to_string(), false),
        };
        let candidate = candidate.to_string();
        tokio::task::spawn_blocking(move || {
            let matches = self
                .matches(&stored, candidate.as_bytes())
                .unwrap_or_else(|| {
                    // A stored hash that does not parse is a corrupt row; spend the
                    // usual time anyway and refuse.
                    self.matches(DUMMY_HASH, candidate.as_bytes());
                    false
                });
            real && matches
        })
        .await
        .unwrap_or(false)
    }

    /// Exactly what `argon2`'s own `hash_password` writes, in reused memory.
    /// Each step fails only for a salt, parameters or output out of range; ours
    /// are a generated salt and the defaults.
    fn hash_blocking(&mut self, password: &[u8]) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let argon2 = Argon2::default();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        self.shared.computed.fetch_add(1, Ordering::Relaxed);
        argon2.hash_password_into_with_memory(password, salt_bytes, &mut out, self.memory())?;
        Ok(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon2.params())?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out)?),
        }
        .to_string())
    }

    /// Whether `candidate` matches the PHC string `stored`, whatever its Argon2
    /// variant, version and parameters; `None` when `stored` is no Argon2 hash
    /// (nothing was computed).
    fn matches(&mut self, stored: &str, candidate: &[u8]) -> Option<bool> {
        let stored = PasswordHash::new(stored).ok()?;
        let (salt, expected) = (stored.salt?, stored.hash?);
        let algorithm = Algorithm::try_from(stored.algorithm).ok()?;
        let version = match stored.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&stored).ok()?;
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt = salt.decode_b64(&mut salt_bytes).ok()?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut out = [0u8; Output::MAX_LENGTH];
        let out = &mut out[..expected.len()];
        self.shared.computed.fetch_add(1, Ordering::Relaxed);
        let computed = if params.block_count() <= Params::DEFAULT_M_COST as usize {
            argon2.hash_password_into_with_memory(candidate, salt, out, self.memory())
        } else {
            // A hash made with more memory than ours (none Steward wrote): its
            // own buffer, this once.
            argon2.hash_password_into(candidate, salt, out)
        };
        computed.ok()?;
        // `Output`'s comparison takes the same time wherever the bytes differ.
        Some(Output::new(out).is_ok_and(|out| out == expected))
    }
}

impl Passwords {
    pub fn new() -> Passwords {
        Passwords::with_limits(HashingLimits::default())
    }

    pub fn with_limits(limits: HashingLimits) -> Passwords {
        let concurrent = limits.concurrent.max(1);
        Passwords {
            shared: Arc::new(Shared {
                limits,
                turns: Arc::new(Semaphore::new(concurrent)),
                free: Mutex::new(Vec::with_capacity(concurrent)),
                made: AtomicUsize::new(0),
                computed: AtomicU64::new(0),
            }),
        }
    }

    /// A turn at hashing, waiting up to the queue's length for one; past that,
    /// `HashingBusy`. Taken before a step that cannot be undone (a setup link
    /// used up) so that a busy node refuses before it; held by tests to fill
    /// the bound.
    pub async fn turn(&self) -> Result<HashingTurn, HashingBusy> {
        let limits = self.shared.limits;
        let waiting = self.shared.turns.clone().acquire_owned();
        match tokio::time::timeout(limits.queue, waiting).await {
            Ok(permit) => Ok(self.turn_with(never_closed(permit))),
            Err(_) => Err(HashingBusy {
                retry_after: limits.queue,
            }),
        }
    }

    fn turn_with(&self, permit: OwnedSemaphorePermit) -> HashingTurn {
        HashingTurn {
            memory: lock(&self.shared.free).pop(),
            shared: self.shared.clone(),
            _permit: permit,
        }
    }

    /// How many Argon2 computations (hashes and verifications) this node ran.
    pub fn computed(&self) -> u64 {
        self.shared.computed.load(Ordering::Relaxed)
    }

    /// An Argon2id PHC string (default parameters, random salt), when a turn
    /// comes within the queue's length.
    pub async fn hash(&self, password: &Password) -> Result<String, HashingError> {
        self.turn().await?.hash(password).await
    }

    /// Whether `candidate` matches `stored` (`None`: no account, checked
    /// against a dummy hash all the same), when a turn comes within the queue's
    /// length.
    pub async fn check(&self, stored: Option<&str>, candidate: &str) -> Result<bool, HashingBusy> {
        let turn = self.turn().await?;
        Ok(turn.check(stored, candidate).await)
    }

    /// As `check`, but waiting for a turn as long as it takes (the request's own
    /// timeout still applies): for the callers that answer only yes or no.
    pub async fn verify(&self, stored: Option<&str>, candidate: &str) -> bool {
        let permit = self.shared.turns.clone().acquire_owned().await;
        let turn = self.turn_with(never_closed(permit));
        turn.check(stored, candidate).await
    }
}

/// The permit `turns` gave. Acquiring fails only from a closed semaphore, and
/// `turns` is private to `Shared`, which never closes it: there is no error to
/// give a caller, and `verify` answers a bare yes or no.
#[expect(
    clippy::expect_used,
    reason = "`Shared::turns` is never closed, and acquiring fails only once it is"
)]
fn never_closed(acquired: Result<OwnedSemaphorePermit, AcquireError>) -> OwnedSemaphorePermit {
    acquired.expect("the hashing semaphore is never closed")
}

/// The free buffers' lock: a panic while it was held left the list whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

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
        let hash = passwords.hash(&p).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(passwords.verify(Some(&hash), "correct horse").await);
        assert!(!passwords.verify(Some(&hash), "wrong horse").await);
        assert_eq!(
            passwords.check(Some(&hash), "correct horse").await,
            Ok(true)
        );
        assert_eq!(passwords.check(Some(&hash), "wrong horse").await, Ok(false));
        // No account: false, even for the dummy's own password.
        assert!(!passwords.verify(None, "correct horse").await);
        assert!(!passwords.verify(None, "steward-dummy-password").await);
        assert!(!passwords.verify(Some("not a hash"), "correct horse").await);
        assert!(!passwords.verify(Some(""), "correct horse").await);
        // Two hashes of one password differ (random salt).
        assert_ne!(hash, passwords.hash(&p).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_are_the_argon2_crates_own_both_ways() {
        let passwords = Passwords::new();
        let p = Password::parse("correct horse").unwrap();
        // Ours, verified by the crate's stock code.
        let ours = passwords.hash(&p).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        // The same salt through the crate's `hash_password` gives the same string.
        let salt = parsed.salt.unwrap();
        let stock = Argon2::default()
            .hash_password(b"correct horse", salt)
            .unwrap()
            .to_string();
        assert_eq!(ours, stock);
        // A hash the crate wrote (as every stored one was, before) verifies here,
        // also with other parameters and the other variants.
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        for argon2 in [
            Argon2::default(),
            Argon2::new(
                Algorithm::Argon2i,
                Version::V0x13,
                Params::new(8 * 1024, 3, 1, None).unwrap(),
            ),
            Argon2::new(
                Algorithm::Argon2id,
                Version::V0x10,
                Params::new(32 * 1024, 1, 2, Some(64)).unwrap(),
            ),
        ] {
            let stored = argon2
                .hash_password(b"hunter22", &salt)
                .unwrap()
                .to_string();
            assert!(
                passwords.verify(Some(&stored), "hunter22").await,
                "{stored}"
            );
            assert!(
                !passwords.verify(Some(&stored), "hunter23").await,
                "{stored}"
            );
        }
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let (params, ours) = (Params::try_from(&dummy).unwrap(), Params::default());
        let cost = |p: &Params| (p.m_cost(), p.t_cost(), p.p_cost());
        assert_eq!(cost(&params), cost(&ours));
        assert_eq!(params.output_len(), Some(Params::DEFAULT_OUTPUT_LEN));
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert!(Argon2::default()
            .verify_password(b"steward-dummy-password", &dummy)
            .is_ok());
    }

    #[tokio::test]
    async fn a_hash_past_the_bound_and_the_queue_is_refused_with_retry_after() {
        let limits = HashingLimits {
            concurrent: 1,
            queue: Duration::from_millis(20),
        };
        let passwords = Passwords::with_limits(limits);
        let p = Password::parse("correct horse").unwrap();
        let held = passwords.turn().await.unwrap();
        let busy = HashingBusy {
            retry_after: limits.queue,
        };
        assert_eq!(passwords.hash(&p).await, Err(busy.into()));
        assert_eq!(passwords.check(None, "correct horse").await, Err(busy));
        assert_eq!(passwords.computed(), 0);
        drop(held);
        assert!(passwords.hash(&p).await.is_ok());
        assert_eq!(passwords.computed(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hashing_memory_is_reused_one_buffer_per_permitted_hash() {
        let passwords = Passwords::with_limits(HashingLimits {
            concurrent: 2,
            queue: Duration::from_secs(600),
        });
        let p = Password::parse("correct horse").unwrap();
        let hashes: Vec<_> = (0..8)
            .map(|_| {
                let (passwords, p) = (passwords.clone(), p.clone());
                tokio::spawn(async move { passwords.hash(&p).await.unwrap() })
            })
            .collect();
        for hash in hashes {
            let hash = hash.await.unwrap();
            assert!(passwords.check(Some(&hash), "correct horse").await.unwrap());
        }
        assert_eq!(passwords.computed(), 16);
        let made = passwords.shared.made.load(Ordering::Relaxed);
        assert!((1..=2).contains(&made), "{made} buffers for 16 hashes");
        assert_eq!(lock(&passwords.shared.free).len(), made);
    }
}
