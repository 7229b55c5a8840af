//! What each user holds on each node (scope roles and a grant), by (user, node): a
//! hash table split into shards behind `Arc`s, so a write copies one shard.
//!
//! Made for the check's probe (docs/architecture.md#the-check-path): the key is
//! hashed once, by one multiply, and that hash picks both the shard and the bucket;
//! the shard pointers sit in the `Arc`'s own allocation (two dependent loads to the
//! table, where a map in a `Vec` of `Arc`s took three); and a bucket is 32 bytes
//! (the key and the two sets, with no padding), where `(u64, Entry)` took 48 for the
//! alignment of the 128-bit set: a third less memory for the probe to miss in.
//! The keys are indices the snapshot gave out, not text anyone chooses, so a
//! fixed multiplier cannot be flooded.

use super::check::Entry;
use crate::set::{ActionSet, RoleSet};
use hashbrown::HashTable;
use std::sync::Arc;

/// Aim for about this many entries per shard when building.
const TARGET_SHARD_LEN: usize = 1024;
const MAX_SHARDS: usize = 4096;
/// The shard is chosen by these bits of the hash; hashbrown takes the lowest for the
/// bucket and the top seven for its tag, which must still vary within a shard.
const SHARD_SHIFT: u32 = 40;

/// An entry as the table holds it: 32 bytes, aligned to 8.
#[derive(Clone, Copy)]
struct Held {
    key: u64,
    roles: RoleSet,
    grant: [u64; 2],
}

impl Held {
    #[inline(always)]
    fn entry(&self) -> Entry {
        Entry {
            roles: self.roles,
            grant: ActionSet(u128::from(self.grant[0]) | u128::from(self.grant[1]) << 64),
        }
    }

    fn new(key: u64, e: &Entry) -> Held {
        Held {
            key,
            roles: e.roles,
            grant: [e.grant.0 as u64, (e.grant.0 >> 64) as u64],
        }
    }
}

/// (user, node) keys are spread by one 64x64-bit multiply, folded: the user is in
/// the high half and the node in the low, and both reach every bit.
#[inline(always)]
fn hash(key: u64) -> u64 {
    let p = u128::from(key ^ 0x243f_6a88_85a3_08d3).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (p as u64) ^ (p >> 64) as u64
}

type Shard = HashTable<Held>;

#[derive(Clone)]
pub(super) struct Entries {
    shards: Arc<[Arc<Shard>]>,
}

impl Entries {
    pub(super) fn with_expected_len(len: usize) -> Self {
        let n = (len / TARGET_SHARD_LEN)
            .next_power_of_two()
            .clamp(1, MAX_SHARDS);
        Entries {
            shards: (0..n).map(|_| Arc::new(Shard::new())).collect(),
        }
    }

    #[inline(always)]
    fn shard_of(&self, h: u64) -> usize {
        (h >> SHARD_SHIFT) as usize & (self.shards.len() - 1)
    }

    #[inline(always)]
    pub(super) fn get(&self, key: u64) -> Option<Entry> {
        let h = hash(key);
        self.shards
            .get(self.shard_of(h))
            .and_then(|s| s.find(h, |e| e.key == key))
            .map(Held::entry)
    }

    fn shard_mut(&mut self, s: usize) -> &mut Shard {
        Arc::make_mut(&mut Arc::make_mut(&mut self.shards)[s])
    }

    pub(super) fn insert(&mut self, key: u64, e: Entry) {
        self.update(key, |held| *held = e);
    }

    /// Changes the entry in place (starting from an empty one), copying one shard.
    pub(super) fn update(&mut self, key: u64, f: impl FnOnce(&mut Entry)) {
        let h = hash(key);
        let s = self.shard_of(h);
        let shard = self.shard_mut(s);
        match shard.find_mut(h, |e| e.key == key) {
            Some(held) => {
                let mut e = held.entry();
                f(&mut e);
                *held = Held::new(key, &e);
            }
            None => {
                let mut e = Entry::default();
                f(&mut e);
                shard.insert_unique(h, Held::new(key, &e), |e| hash(e.key));
            }
        }
    }

    /// Drops the entries whose key `keep` refuses, copying only the shards that
    /// change, and says how many of them held something (drift.rs counts them).
    /// `keep` is asked twice about some keys (once to find a shard that changes,
    /// once while dropping), so it answers by the key alone and counts nothing.
    pub(super) fn retain(&mut self, keep: impl Fn(u64) -> bool) -> u32 {
        let mut held = 0;
        for s in 0..self.shards.len() {
            if self.shards[s].iter().any(|e| !keep(e.key)) {
                self.shard_mut(s).retain(|e| {
                    let kept = keep(e.key);
                    held += u32::from(!kept && e.entry().is_held());
                    kept
                });
            }
        }
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: u64) -> Entry {
        Entry {
            roles: RoleSet(i),
            grant: ActionSet(u128::from(i) << 64 | 1 << (i % 64)),
        }
    }

    #[test]
    fn retain_counts_each_dropped_entry_that_held_something_once() {
        let mut a = Entries::with_expected_len(10_000);
        for i in 0..10_000 {
            a.insert(i, entry(i));
        }
        // Entry 0 holds a grant too (`entry` sets bit 0 of it): every one is held.
        assert_eq!(a.retain(|k| k % 10 != 0), 1_000);
        assert_eq!(a.retain(|k| k % 10 != 0), 0);
        assert!(a.get(10).is_none() && a.get(11).is_some());
    }

    #[test]
    fn a_bucket_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Held>(), 32);
    }

    #[test]
    fn entries_are_found_after_writes_and_the_old_copy_keeps_its_own() {
        let key = |i: u64| (i % 97) << 32 | i;
        let mut a = Entries::with_expected_len(10_000);
        for i in 0..10_000 {
            a.insert(key(i), entry(i));
        }
        let mut b = a.clone();
        b.update(key(6), |e| e.grant.insert(127));
        b.update(key(20_000), |e| e.roles.insert(3));
        b.retain(|k| k % 2 == 0);
        for i in 0..10_000 {
            assert_eq!(a.get(key(i)), Some(entry(i)));
            let kept = (key(i) % 2 == 0).then(|| entry(i));
            let kept = kept.map(|mut e| {
                if i == 6 {
                    e.grant.insert(127);
                }
                e
            });
            assert_eq!(b.get(key(i)), kept);
        }
        assert_eq!(a.get(key(20_000)), None);
        assert_eq!(b.get(key(20_000)).map(|e| e.roles), Some(RoleSet(8)));
        assert_eq!(b.get(1 << 32 | 1), None);
    }
}
