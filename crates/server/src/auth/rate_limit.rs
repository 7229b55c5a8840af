//! The login rate limit, in memory per node: failed passwords per account (against
//! guessing one person's password) and attempts per client address (against trying
//! one password on many accounts).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Above this many keys a map drops the ones whose window has passed.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed passwords allowed per account within `account_window`.
    pub per_account: u32,
    pub account_window: Duration,
    /// Attempts allowed per client address within `address_window`.
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

    #[cfg(test)]
    fn len(&self) -> usize {
        self.events.len()
    }
}

fn in_window(at: Instant, window: Duration, now: Instant) -> bool {
    now.saturating_duration_since(at) < window
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter {
            limits,
            inner: Arc::default(),
        }
    }

    /// Called before a password is checked; counts the attempt against `addr`.
    /// `Err(retry after)` when the account has had too many recent failures or the
    /// address too many attempts (a refused attempt is not counted). `account_key`
    /// is the lower-cased e-mail, whether or not it has an account, so refusals do
    /// not tell which e-mails exist.
    pub fn admit(&self, account_key: &str, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let l = &self.limits;
        let mut w = self.lock();
        let account = w.accounts.check(
            &account_key.to_string(),
            l.per_account,
            l.account_window,
            now,
        );
        let address = w
            .addresses
            .check(&addr, l.per_address, l.address_window, now);
        match (account, address) {
            (Ok(()), Ok(())) => {
                w.addresses
                    .record(addr, l.per_address, l.address_window, now);
                Ok(())
            }
            (Err(a), Err(b)) => Err(a.max(b)),
            (Err(d), Ok(())) | (Ok(()), Err(d)) => Err(d),
        }
    }

    /// A wrong password (or an unknown e-mail) for `account_key`.
    pub fn failed(&self, account_key: &str, now: Instant) {
        let l = &self.limits;
        self.lock().accounts.record(
            account_key.to_string(),
            l.per_account,
            l.account_window,
            now,
        );
    }

    /// The right password: the account's failures are forgiven.
    pub fn succeeded(&self, account_key: &str) {
        self.lock().accounts.clear(&account_key.to_string());
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

    #[test]
    fn the_sixth_failure_in_the_window_is_refused_until_the_window_passes() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..5 {
            let now = t0 + Duration::from_secs(i * 10);
            assert_eq!(limiter.admit("ann@acme.test", ip(i as u8), now), Ok(()));
            limiter.failed("ann@acme.test", now);
        }
        // From any address: the limit protects the account.
        let now = t0 + MIN;
        assert_eq!(
            limiter.admit("ann@acme.test", ip(99), now),
            Err(15 * MIN - MIN)
        );
        // Another account is untouched.
        assert_eq!(limiter.admit("bob@acme.test", ip(99), now), Ok(()));
        // The first failure leaves the window at 15 minutes; one more is allowed.
        let later = t0 + 15 * MIN;
        assert_eq!(limiter.admit("ann@acme.test", ip(99), later), Ok(()));
        limiter.failed("ann@acme.test", later);
        assert_eq!(
            limiter.admit("ann@acme.test", ip(99), later),
            Err(Duration::from_secs(10))
        );
        assert_eq!(
            limiter.admit("ann@acme.test", ip(99), later + 15 * MIN),
            Ok(())
        );
    }

    #[test]
    fn success_clears_the_failures() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..4 {
            limiter.failed("ann@acme.test", now);
        }
        limiter.succeeded("ann@acme.test");
        for _ in 0..5 {
            assert_eq!(limiter.admit("ann@acme.test", ip(1), now), Ok(()));
            limiter.failed("ann@acme.test", now);
        }
        assert!(limiter.admit("ann@acme.test", ip(1), now).is_err());
    }

    #[test]
    fn an_address_gets_thirty_attempts_a_minute() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..30 {
            let account = format!("user{i}@acme.test");
            assert_eq!(limiter.admit(&account, ip(1), t0), Ok(()));
        }
        assert_eq!(limiter.admit("new@acme.test", ip(1), t0), Err(MIN));
        // Refused attempts do not extend the wait.
        assert_eq!(
            limiter.admit("new@acme.test", ip(1), t0 + Duration::from_secs(30)),
            Err(Duration::from_secs(30))
        );
        assert_eq!(limiter.admit("new@acme.test", ip(2), t0), Ok(()));
        assert_eq!(limiter.admit("new@acme.test", ip(1), t0 + MIN), Ok(()));
    }

    #[test]
    fn expired_keys_are_dropped_when_the_map_grows() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PRUNE_ABOVE {
            limiter.failed(&format!("user{i}@acme.test"), t0);
        }
        assert_eq!(limiter.lock().accounts.len(), PRUNE_ABOVE);
        let later = t0 + 16 * MIN;
        limiter.failed("late@acme.test", later);
        assert_eq!(limiter.lock().accounts.len(), 1);
    }
}
