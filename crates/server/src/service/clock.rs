//! The service's clock. The core takes time as an argument; tests move this clock
//! forward to see nominations and invitations expire, and webhooks given up.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use steward_core::Timestamp;

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Timestamp(secs + self.offset_secs.load(Ordering::Relaxed))
    }

    /// The same clock in milliseconds, the webhook outbox's unit.
    pub fn now_ms(&self) -> i64 {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        ms + self.offset_secs.load(Ordering::Relaxed) * 1000
    }

    /// Moves this clock (only this process's) forward.
    pub fn advance_days(&self, days: i64) {
        self.advance_secs(days * 86_400);
    }

    pub fn advance_secs(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}
