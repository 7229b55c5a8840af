//! The login rate limit, in memory per node: failed passwords per account (against
//! guessing one person's password) and per client address (against trying one
//! password on many accounts). Only failures count, so many people behind one
//! address (an office's NAT) sign in freely.
//!
//! An attempt counts as a failure from the moment it is admitted until it
//! succeeds: concurrent guesses cannot all pass the check before the first of
//! them fails, and an attempt that ends in an error stays counted.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Above this many keys a map drops the ones whose window has passed.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed passwords allowed per account within `account_window`.
    pub per_account: u32,
    pub account_window: Duration,
    /// Failed attempts allowed per client address within `address_window`.
    pub per_address: u32,
    pub address_window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            account_window: Duration::from_secs(15 * 60),
            per_address: 30,
            address_window: Duration::from_secs(60),
        }
    }
}

/// Clones share the counts.
#[derive(Debug, Clone)]
pub struct LoginLimiter {
    limits: LoginLimits,
    inner: Arc<Mutex<Windows>>,
    /// Attempts refused, for `/metrics`.
    refusals: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct Windows {
    accounts: Log<String>,
    addresses: Log<IpAddr>,
}

/// The times of recent events per key: at most `limit` of them, oldest first, so
/// the refusal's retry-after is exact (when the oldest leaves the window).
#[derive(Debug)]
struct Log<K> {
    events: HashMap<K, VecDeque<Instant>>,
    prune_above: usize,
}

impl<K> Default for Log<K> {
    fn default() -> Self {
        Log {
            events: HashMap::new(),
            prune_above: PRUNE_ABOVE,
        }
    }
}

impl<K: Hash + Eq> Log<K> {
    /// `Err(retry after)` when `key` already has `limit` events within `window`.
    fn check(&self, key: &K, limit: u32, window: Duration, now: Instant) -> Result<(), Duration> {
        let Some(times) = self.events.get(key) else {
            return Ok(());
        };
        let recent: Vec<&Instant> = times
            .iter()
            .filter(|t| in_window(**t, window, now))
            .collect();
        if recent.len() < limit as usize {
            return Ok(());
        }
        // Once the oldest of the last `limit` leaves, one more is allowed.
        let oldest = *recent[recent.len() - limit as usize];
        Err((oldest + window).saturating_duration_since(now))
    }

    fn record(&mut self, key: K, limit: u32, window: Duration, now: Instant) {
        let times = self.events.entry(key).or_default();
        times.retain(|t| in_window(*t, window, now));
        times.push_back(now);
        while times.len() > limit.max(1) as usize {
            times.pop_front();
        }
        if self.events.len() > self.prune_above {
            self.events
                .retain(|_, times| times.back().is_some_and(|t| in_window(*t, window, now)));
            // Pruning again only after the map has doubled keeps the cost per
            // event constant when most keys are live.
            self.prune_above = (self.events.len() * 2).max(PRUNE_ABOVE);
        }
    }

    fn clear(&mut self, key: &K) {
        self.events.remove(key);
    }

    /// Takes back one event of `key` at `at` (one that turned out not to count).
    fn retract(&mut self, key: &K, at: Instant) {
        let Some(times) = self.events.get_mut(key) else {
            return;
        };
        if let Some(i) = times.iter().rposition(|t| *t == at) {
            times.remove(i);
        }
        if times.is_empty() {
            self.events.remove(key);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.events.len()
    }
}

fn in_window(at: Instant, window: Duration, now: Instant) -> bool {
    now.saturating_duration_since(at) < window
}

/// An admitted login attempt: counted as a failure of its account and address
/// until `LoginLimiter::succeeded` takes it back.
#[derive(Debug)]
pub struct Attempt {
    account_key: String,
    addr: IpAddr,
    at: Instant,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter {
            limits,
            inner: Arc::default(),
            refusals: Arc::default(),
        }
    }

    /// Called before a password is checked. `Err(retry after)` when the account
    /// or the address has had too many recent failures (a refused attempt is not
    /// counted). Otherwise the attempt counts as a failure of both until it
    /// `succeeded`. `account_key` is the lower-cased e-mail, whether or not it has
    /// an account, so refusals do not tell which e-mails exist.
    pub fn admit(
        &self,
        account_key: &str,
        addr: IpAddr,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let l = &self.limits;
        let account_key = account_key.to_string();
        let mut w = self.lock();
        let account = w
            .accounts
            .check(&account_key, l.per_account, l.account_window, now);
        let address = w
            .addresses
            .check(&addr, l.per_address, l.address_window, now);
        match (account, address) {
            (Ok(()), Ok(())) => {
                w.accounts
                    .record(account_key.clone(), l.per_account, l.account_window, now);
                w.addresses
                    .record(addr, l.per_address, l.address_window, now);
                Ok(Attempt {
                    account_key,
                    addr,
                    at: now,
                })
            }
            (Err(a), Err(b)) => Err(self.refused(a.max(b))),
            (Err(d), Ok(())) | (Ok(()), Err(d)) => Err(self.refused(d)),
        }
    }

    fn refused(&self, retry_after: Duration) -> Duration {
        self.refusals.fetch_add(1, Ordering::Relaxed);
        retry_after
    }

    /// Attempts refused since the start.
    pub fn refusals(&self) -> u64 {
        self.refusals.load(Ordering::Relaxed)
    }

    /// The keys held now, (accounts, addresses): what the limiter's memory grows with.
    pub fn entries(&self) -> (usize, usize) {
        let w = self.lock();
        (w.accounts.events.len(), w.addresses.events.len())
    }

    /// The right password: the attempt is taken back from its address, and the
    /// account's failures are forgiven.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut w = self.lock();
        w.addresses.retract(&attempt.addr, attempt.at);
        w.accounts.clear(&attempt.account_key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        // The maps stay consistent even if a holder panicked: each change is one
        // call on a HashMap.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(LoginLimits::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const MIN: Duration = Duration::from_secs(60);

    fn ip(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
    }

    /// An attempt that is admitted and never succeeds: a failure.
    fn fail(limiter: &LoginLimiter, account: &str, addr: IpAddr, now: Instant) {
        limiter.admit(account, addr, now).expect("admitted");
    }

    #[test]
    fn the_sixth_failure_in_the_window_is_refused_until_the_window_passes() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..5 {
            fail(
                &limiter,
                "ann@acme.test",
                ip(i as u8),
                t0 + Duration::from_secs(i * 10),
            );
        }
        // From any address: the limit protects the account.
        let now = t0 + MIN;
        assert_eq!(
            limiter.admit("ann@acme.test", ip(99), now).map(drop),
            Err(15 * MIN - MIN)
        );
        // Another account is untouched.
        assert!(limiter.admit("bob@acme.test", ip(99), now).is_ok());
        // The first failure leaves the window at 15 minutes; one more is allowed.
        let later = t0 + 15 * MIN;
        fail(&limiter, "ann@acme.test", ip(99), later);
        assert_eq!(
            limiter.admit("ann@acme.test", ip(99), later).map(drop),
            Err(Duration::from_secs(10))
        );
        assert!(limiter
            .admit("ann@acme.test", ip(99), later + 15 * MIN)
            .is_ok());
    }

    #[test]
    fn the_limiter_reports_its_keys_and_counts_its_refusals() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..5 {
            fail(&limiter, "ann@acme.test", ip(1), now);
        }
        fail(&limiter, "bob@acme.test", ip(2), now);
        assert_eq!((limiter.entries(), limiter.refusals()), ((2, 2), 0));
        assert!(limiter.admit("ann@acme.test", ip(3), now).is_err());
        assert!(limiter.admit("ann@acme.test", ip(4), now).is_err());
        assert_eq!(
            limiter.refusals(),
            2,
            "each refusal counted, clones share them"
        );
        assert_eq!(limiter.clone().refusals(), 2);
    }

    #[test]
    fn success_clears_the_accounts_failures() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..4 {
            fail(&limiter, "ann@acme.test", ip(1), now);
        }
        let right = limiter.admit("ann@acme.test", ip(1), now).unwrap();
        limiter.succeeded(right);
        for _ in 0..5 {
            fail(&limiter, "ann@acme.test", ip(1), now);
        }
        assert!(limiter.admit("ann@acme.test", ip(1), now).is_err());
    }

    #[test]
    fn an_address_gets_thirty_failures_a_minute() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..30 {
            fail(&limiter, &format!("user{i}@acme.test"), ip(1), t0);
        }
        assert_eq!(
            limiter.admit("new@acme.test", ip(1), t0).map(drop),
            Err(MIN)
        );
        // Refused attempts do not extend the wait.
        assert_eq!(
            limiter
                .admit("new@acme.test", ip(1), t0 + Duration::from_secs(30))
                .map(drop),
            Err(Duration::from_secs(30))
        );
        assert!(limiter.admit("new@acme.test", ip(2), t0).is_ok());
        assert!(limiter.admit("new@acme.test", ip(1), t0 + MIN).is_ok());
    }

    /// An office behind one NAT address at 9:00.
    #[test]
    fn successful_logins_from_one_address_are_never_limited() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for i in 0..1000 {
            let attempt = limiter
                .admit(&format!("user{i}@acme.test"), ip(1), now)
                .unwrap_or_else(|_| panic!("login {i} was limited"));
            limiter.succeeded(attempt);
        }
        // And they leave nothing behind.
        assert_eq!(limiter.lock().addresses.len(), 0);
        assert_eq!(limiter.lock().accounts.len(), 0);
        // Failures among them still count.
        for i in 0..29 {
            fail(&limiter, &format!("guess{i}@acme.test"), ip(1), now);
            let ok = limiter.admit("ann@acme.test", ip(1), now).unwrap();
            limiter.succeeded(ok);
        }
        fail(&limiter, "guess@acme.test", ip(1), now);
        assert!(limiter.admit("ann@acme.test", ip(1), now).is_err());
    }

    /// Guesses sent at once cannot all pass before the first of them fails.
    #[test]
    fn attempts_in_flight_count_until_they_succeed() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        let in_flight: Vec<Attempt> = (0..5)
            .map(|_| limiter.admit("ann@acme.test", ip(1), now).unwrap())
            .collect();
        assert!(limiter.admit("ann@acme.test", ip(2), now).is_err());
        let mut in_flight = in_flight.into_iter();
        limiter.succeeded(in_flight.next().unwrap());
        assert!(limiter.admit("ann@acme.test", ip(2), now).is_ok());

        let on_address: Vec<Attempt> = (0..30)
            .map(|i| {
                limiter
                    .admit(&format!("u{i}@acme.test"), ip(3), now)
                    .unwrap()
            })
            .collect();
        assert!(limiter.admit("x@acme.test", ip(3), now).is_err());
        for attempt in on_address {
            limiter.succeeded(attempt);
        }
        assert!(limiter.admit("x@acme.test", ip(3), now).is_ok());
    }

    #[test]
    fn expired_keys_are_dropped_when_the_map_grows() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PRUNE_ABOVE {
            let addr = IpAddr::V4(Ipv4Addr::from(i as u32));
            fail(&limiter, &format!("user{i}@acme.test"), addr, t0);
        }
        assert_eq!(limiter.lock().accounts.len(), PRUNE_ABOVE);
        assert_eq!(limiter.lock().addresses.len(), PRUNE_ABOVE);
        let later = t0 + 16 * MIN;
        fail(&limiter, "late@acme.test", ip(1), later);
        assert_eq!(limiter.lock().accounts.len(), 1);
        assert_eq!(limiter.lock().addresses.len(), 1);
    }
}
