//! Ids to indices without a general-purpose hash map: an open-addressing table whose
//! buckets hold the id itself (up to 31 bytes, which covers the ids Steward mints),
//! hashed from a few word loads of the id, so a lookup is one multiply, one bucket
//! read and one compare in the common case. Longer ids keep the plain map. Sharded
//! behind `Arc`s like the rest of the snapshot: a write copies one shard.
//! docs/benchmarks.md#id-lookups says why and what it measured.

use super::id_key::IdKey;
use super::sharded::Sharded;
use std::sync::Arc;

/// Ids up to this many bytes sit in their bucket; longer ones go to `long`.
pub(crate) const INLINE: usize = 31;
/// Aim for about this many ids per shard when building.
const TARGET_SHARD_LEN: usize = 1024;
const MAX_SHARDS: usize = 4096;
/// The shard is chosen by these bits of the hash; the bucket by the lowest ones.
const SHARD_SHIFT: u32 = 44;

/// One id and its index, 40 bytes; `len == 0` marks an empty bucket (ids are never
/// empty).
#[derive(Clone, Copy)]
#[repr(C)]
struct Bucket {
    tag: u32,
    index: u32,
    len: u8,
    bytes: [u8; INLINE],
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            tag: 0,
            index: 0,
            len: 0,
            bytes: [0; INLINE],
        }
    }
}

impl Bucket {
    #[inline(always)]
    fn holds(&self, tag: u32, id: &[u8]) -> bool {
        self.tag == tag && self.len as usize == id.len() && same_bytes(&self.bytes, id)
    }
}

#[inline(always)]
fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn half(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w) as u64
}

/// Whether the first `id.len()` stored bytes are `id` (`id.len() <= INLINE`),
/// compared a word at a time: the bucket's tail is padding, so reading past the id
/// there is harmless, and the id's own last word may overlap the one before it.
#[inline(always)]
fn same_bytes(stored: &[u8; INLINE], id: &[u8]) -> bool {
    let n = id.len();
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if word(stored, at) != word(id, at) {
                return false;
            }
            at += 8;
        }
        word(stored, n - 8) == word(id, n - 8)
    } else if n >= 4 {
        half(stored, 0) == half(id, 0) && half(stored, n - 4) == half(id, n - 4)
    } else {
        stored[..n] == *id
    }
}

/// 64 bits of product, folded: the mixing step of wyhash and foldhash.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = (a as u128).wrapping_mul(b as u128);
    (p as u64) ^ (p >> 64) as u64
}

const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x1319_8a2e_0370_7344;
const K2: u64 = 0xa409_3822_299f_31d0;

/// A hash of every byte of a short id (1 to `INLINE` bytes) from at most four word
/// loads. Up to 16 bytes the first and last word (overlapping) and the length
/// determine the id; longer ids add their middle words. Steward's minted ids end in
/// 20 random characters, so their last word alone already spreads them.
#[inline(always)]
fn id_hash(b: &[u8]) -> u64 {
    let n = b.len();
    let (first, last) = if n >= 8 {
        (word(b, 0), word(b, n - 8))
    } else if n >= 4 {
        (half(b, 0), half(b, n - 4))
    } else if n > 0 {
        (
            b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16,
            0,
        )
    } else {
        (0, 0)
    };
    let mut h = fold(first ^ K0, last ^ K1 ^ n as u64);
    let mut at = 8;
    while at < n.saturating_sub(8) {
        h = fold(h ^ word(b, at), K2);
        at += 8;
    }
    h
}

/// One open-addressing table (linear probing, at most three quarters full).
#[derive(Clone)]
struct Shard {
    buckets: Arc<[Bucket]>,
    len: u32,
}

impl Shard {
    fn with_capacity(buckets: usize) -> Shard {
        Shard {
            buckets: vec![Bucket::default(); buckets].into(),
            len: 0,
        }
    }

    #[inline(always)]
    fn get(&self, h: u64, id: &[u8]) -> Option<u32> {
        let buckets = &*self.buckets;
        let mask = buckets.len() - 1;
        let tag = (h >> 16) as u32;
        let mut i = h as usize & mask;
        loop {
            let b = &buckets[i];
            if b.len == 0 {
                return None;
            }
            if b.holds(tag, id) {
                return Some(b.index);
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, h: u64, id: &[u8], index: u32) {
        if (self.len as usize + 1) * 4 > self.buckets.len() * 3 {
            self.grow();
        }
        let buckets = Arc::make_mut(&mut self.buckets);
        let mask = buckets.len() - 1;
        let tag = (h >> 16) as u32;
        let mut i = h as usize & mask;
        loop {
            let b = &mut buckets[i];
            if b.len == 0 {
                let mut bytes = [0; INLINE];
                bytes[..id.len()].copy_from_slice(id);
                *b = Bucket {
                    tag,
                    index,
                    len: id.len() as u8,
                    bytes,
                };
                self.len += 1;
                return;
            }
            if b.holds(tag, id) {
                b.index = index;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let mut bigger = Shard::with_capacity(self.buckets.len() * 2);
        for b in self.buckets.iter().filter(|b| b.len != 0) {
            let id = &b.bytes[..b.len as usize];
            bigger.insert(id_hash(id), id, b.index);
        }
        *self = bigger;
    }

    /// Removes `id`, shifting later buckets of its run back so that no probe for
    /// them stops early at the hole (no tombstones).
    fn remove(&mut self, h: u64, id: &[u8]) {
        if self.get(h, id).is_none() {
            return;
        }
        let buckets = Arc::make_mut(&mut self.buckets);
        let mask = buckets.len() - 1;
        let tag = (h >> 16) as u32;
        let mut hole = h as usize & mask;
        while !buckets[hole].holds(tag, id) {
            hole = (hole + 1) & mask;
        }
        let mut i = hole;
        loop {
            i = (i + 1) & mask;
            let b = buckets[i];
            if b.len == 0 {
                break;
            }
            let home = id_hash(&b.bytes[..b.len as usize]) as usize & mask;
            // `b` may move into the hole only if its home is not between the hole
            // (exclusive) and its place (inclusive), cyclically.
            if (i.wrapping_sub(home) & mask) >= (i.wrapping_sub(hole) & mask) {
                buckets[hole] = b;
                hole = i;
            }
        }
        buckets[hole] = Bucket::default();
        self.len -= 1;
    }
}

/// Ids to indices, sharded for copy-on-write; short ids inline, long ones in a map.
#[derive(Clone)]
pub(crate) struct IdIndex {
    shards: Arc<[Shard]>,
    long: Sharded<IdKey, u32>,
}

#[inline(always)]
fn is_inline(id: &[u8]) -> bool {
    // One compare for both bounds: an empty id wraps to the largest usize.
    id.len().wrapping_sub(1) < INLINE
}

impl IdIndex {
    pub(crate) fn with_expected_len(len: usize) -> Self {
        let n = (len / TARGET_SHARD_LEN)
            .next_power_of_two()
            .clamp(1, MAX_SHARDS);
        let per_shard = (len / n + 1) * 4 / 3 + 1;
        let buckets = per_shard.next_power_of_two().max(8);
        IdIndex {
            shards: (0..n).map(|_| Shard::with_capacity(buckets)).collect(),
            long: Sharded::with_expected_len(0),
        }
    }

    #[inline(always)]
    fn shard_of(&self, h: u64) -> usize {
        (h >> SHARD_SHIFT) as usize & (self.shards.len() - 1)
    }

    #[inline(always)]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        let id = id.as_bytes();
        if !is_inline(id) {
            return self.long.get(id).copied();
        }
        let h = id_hash(id);
        self.shards[self.shard_of(h)].get(h, id)
    }

    pub(crate) fn insert(&mut self, id: Arc<str>, index: u32) {
        let b = id.as_bytes();
        if !is_inline(b) {
            self.long.insert(IdKey::new(&id), index);
            return;
        }
        let h = id_hash(b);
        let s = self.shard_of(h);
        Arc::make_mut(&mut self.shards)[s].insert(h, b, index);
    }

    pub(crate) fn remove(&mut self, id: &str) {
        let b = id.as_bytes();
        if !is_inline(b) {
            self.long.remove(b);
            return;
        }
        let h = id_hash(b);
        let s = self.shard_of(h);
        if self.shards[s].get(h, b).is_some() {
            Arc::make_mut(&mut self.shards)[s].remove(h, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn arc(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn a_bucket_is_forty_bytes() {
        assert_eq!(std::mem::size_of::<Bucket>(), 40);
    }

    #[test]
    fn ids_of_every_length_are_found_and_others_are_not() {
        let mut index = IdIndex::with_expected_len(100);
        let ids: Vec<String> = (1..=64)
            .map(|n| "abcdefghij".repeat(7)[..n].to_string())
            .collect();
        for (i, id) in ids.iter().enumerate() {
            index.insert(arc(id), i as u32);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id), Some(i as u32), "{id}");
            let mut other = id.clone().into_bytes();
            let last = other.len() - 1;
            other[last] = b'Z';
            assert_eq!(index.get(std::str::from_utf8(&other).unwrap()), None);
        }
        assert_eq!(index.get(""), None);
    }

    #[test]
    fn writes_agree_with_a_plain_map_and_leave_the_old_copy_alone() {
        let mut index = IdIndex::with_expected_len(3000);
        let mut plain = HashMap::new();
        let id = |i: u32| {
            format!(
                "{}{i}",
                ["p", "q-", "usr_0123456789abcdefghjk", "x"][i as usize % 4]
            )
        };
        for i in 0..20_000u32 {
            index.insert(arc(&id(i)), i);
            plain.insert(id(i), i);
        }
        let before = index.clone();
        for i in (0..20_000u32).filter(|i| i % 3 == 0) {
            index.remove(&id(i));
            plain.remove(&id(i));
        }
        index.insert(arc(&id(3)), 7);
        plain.insert(id(3), 7);
        for i in 0..21_000u32 {
            assert_eq!(index.get(&id(i)), plain.get(&id(i)).copied(), "{}", id(i));
            assert_eq!(before.get(&id(i)), (i < 20_000).then_some(i), "{}", id(i));
        }
    }

    #[test]
    fn bytes_past_the_id_do_not_count() {
        let mut stored = [0u8; INLINE];
        stored[..10].copy_from_slice(b"p123456789");
        assert!(same_bytes(&stored, b"p123456789"));
        assert!(!same_bytes(&stored, b"p123456788"));
        assert!(same_bytes(&stored, b"p12"));
    }
}
