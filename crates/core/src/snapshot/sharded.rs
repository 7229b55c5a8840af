//! A hash map split into shards behind `Arc`s: a write copies one shard, so an
//! update to a large organization's snapshot costs a shard, not the whole map.

use rustc_hash::{FxBuildHasher, FxHashMap};
use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// Aim for about this many entries per shard when building.
const TARGET_SHARD_LEN: usize = 1024;
const MAX_SHARDS: usize = 4096;

#[derive(Clone)]
pub(crate) struct Sharded<K, V> {
    shards: Arc<Vec<Arc<FxHashMap<K, V>>>>,
    mask: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> Sharded<K, V> {
    pub(crate) fn with_expected_len(len: usize) -> Self {
        let n = (len / TARGET_SHARD_LEN)
            .next_power_of_two()
            .clamp(1, MAX_SHARDS);
        Sharded {
            shards: Arc::new((0..n).map(|_| Arc::new(FxHashMap::default())).collect()),
            mask: n as u64 - 1,
        }
    }

    /// Shard choice uses middle bits of the hash: hashbrown takes the low bits for the
    /// bucket and the top seven for its tag, and both must still vary within a shard.
    #[inline(always)]
    fn shard_of<Q: Hash + ?Sized>(&self, key: &Q) -> usize {
        ((FxBuildHasher.hash_one(key) >> 32) & self.mask) as usize
    }

    #[inline(always)]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shards[self.shard_of(key)].get(key)
    }

    pub(crate) fn insert(&mut self, key: K, value: V) {
        let s = self.shard_of(&key);
        Arc::make_mut(&mut Arc::make_mut(&mut self.shards)[s]).insert(key, value);
    }

    /// Changes the entry in place (inserting `V::default()` first), copying one shard.
    pub(crate) fn update(&mut self, key: K, f: impl FnOnce(&mut V))
    where
        V: Default,
    {
        let s = self.shard_of(&key);
        let shard = Arc::make_mut(&mut Arc::make_mut(&mut self.shards)[s]);
        f(shard.entry(key).or_default());
    }

    /// Drops the entries for which `keep` is false, copying only the shards that change.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        for s in 0..self.shards.len() {
            if self.shards[s].iter().any(|(k, v)| !keep(k, v)) {
                Arc::make_mut(&mut Arc::make_mut(&mut self.shards)[s]).retain(|k, v| keep(k, v));
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.shards.iter().flat_map(|s| s.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_after_writes_and_the_old_copy_keeps_its_own() {
        let mut a: Sharded<Arc<str>, u32> = Sharded::with_expected_len(10_000);
        for i in 0..10_000u32 {
            a.insert(Arc::from(format!("u{i}")), i);
        }
        let mut b = a.clone();
        b.insert(Arc::from("new"), 1);
        b.update(Arc::from("u6"), |v| *v += 100);
        assert_eq!(a.get("u5"), Some(&5));
        assert_eq!(b.get("u6"), Some(&106));
        assert_eq!(a.get("new"), None);
        b.retain(|_, v| *v % 2 == 0);
        assert_eq!(b.iter().count(), 5_000);
        assert_eq!(a.iter().count(), 10_000);
    }
}
