//! Ids to indices. An id that carries a hint (crate::minted_id: the ids Steward
//! mints for objects) is found at its hint in a `HintTable`, without hashing; any
//! other id (imported, chosen by a customer, minted before hints, a user's), and a
//! hinted one whose hint another id holds, with one cheap hash: a few word loads of
//! the id and a folded multiply, computed once and used both to pick the shard and to
//! probe hashbrown's table, whose entries hold short ids (up to 30 bytes) inline, so
//! a hit compares bytes where it already is. Sharded behind `Arc`s like the rest of
//! the snapshot: a write copies one shard.
//! docs/benchmarks.md#id-lookups-issue-19-2026-12-03 says why and what it measured.

use super::bytes::{first_and_last, same_bytes, word};
use super::check::Slot;
use super::chunked::Chunked;
use super::hint_table::{hint_of, HintTable};
use super::id_key::IdKey;
use crate::id::IdText;
use hashbrown::HashTable;
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// Ids per shard when building: three quarters of a shard of 1,024 buckets.
/// hashbrown fills a table to 7/8 of its buckets (a power of two) before it doubles
/// them, so a shard count that is a power of two left each shard of a 1,000,000-id
/// index with 977 ids, just past 7/8 of 1,024: 2,048 buckets of 40 bytes, 86 bytes
/// per id. Any shard count is allowed instead (`shard_of` scales the hash rather than
/// masking it), chosen so a shard holds about 768 ids in 1,024 buckets (55 bytes per
/// id) with room for the spread between shards (a few standard deviations, about 28
/// ids here) before any one doubles. docs/benchmarks.md#memory-per-pair-issue-20-2026-12-03.
const TARGET_SHARD_LEN: usize = 768;
const MAX_SHARDS: usize = 4096;
/// The shard is chosen from these bits of the hash (bits 24 to 55, of which the top
/// ones count most); hashbrown takes the lowest for the bucket and the top seven for
/// its tag, which must still vary within a shard.
const SHARD_SHIFT: u32 = 24;

/// 64 bits of product, folded: the mixing step of wyhash and foldhash.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = (a as u128).wrapping_mul(b as u128);
    (p as u64) ^ (p >> 64) as u64
}

const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x1319_8a2e_0370_7344;
const K2: u64 = 0xa409_3822_299f_31d0;

/// A hash of every byte of an id from a few word loads. Up to 16 bytes the first
/// and last word (overlapping) and the length determine the id; longer ids add their
/// middle words. Steward's minted ids end in 20 random characters, so their last
/// word alone already spreads them.
#[inline(always)]
pub(crate) fn id_hash(b: &[u8]) -> u64 {
    let n = b.len();
    let (first, last) = first_and_last(b);
    let mut h = fold(first ^ K0, last ^ K1 ^ n as u64);
    let mut at = 8;
    while at < n.saturating_sub(8) {
        h = fold(h ^ word(b, at), K2);
        at += 8;
    }
    h
}

type Shard = HashTable<(IdKey, u32)>;

/// Ids to indices: hinted ones by their hint, the others hashed into shards.
/// An id is in one of the two, never both.
#[derive(Clone)]
pub(crate) struct IdIndex {
    hinted: HintTable,
    shards: Arc<[Arc<Shard>]>,
    /// Capacity a shard takes when it gets its first id: shards of an index whose
    /// ids are all hinted stay empty.
    per_shard: usize,
}

#[inline(always)]
pub(crate) fn holds(key: &IdKey, id: &[u8]) -> bool {
    match key {
        IdKey::Inline { len, bytes } => *len as usize == id.len() && same_bytes(bytes, id),
        IdKey::Shared(s) => s.as_bytes() == id,
    }
}

impl IdIndex {
    pub(crate) fn with_expected_len(len: usize) -> Self {
        let n = len.div_ceil(TARGET_SHARD_LEN).clamp(1, MAX_SHARDS);
        IdIndex {
            hinted: HintTable::with_expected_len(len),
            shards: (0..n).map(|_| Arc::new(Shard::new())).collect(),
            per_shard: len / n + 1,
        }
    }

    /// A hint no id here holds: the one for the next object Steward mints.
    pub(crate) fn next_hint(&self) -> u32 {
        self.hinted.next_hint()
    }

    #[inline(always)]
    fn shard_of(&self, h: u64) -> usize {
        // 32 bits of the hash scaled to the shard count: a multiply and a shift, as
        // cheap as a mask, and any count is one.
        ((u64::from((h >> SHARD_SHIFT) as u32) * self.shards.len() as u64) >> 32) as usize
    }

    #[inline(always)]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        let id = id.as_bytes();
        if let Some(hint) = hint_of(id) {
            if let Some(i) = self.hinted.get(hint, id) {
                return Some(i);
            }
        }
        self.hashed(id)
    }

    /// The index of `id` and its node's slot: a hinted id's from its entry (one cache
    /// line for both), any other's from `slots`.
    #[inline(always)]
    pub(crate) fn get_with_slot(&self, id: &str, slots: &Chunked<Slot>) -> Option<(u32, Slot)> {
        let id = id.as_bytes();
        if let Some(hint) = hint_of(id) {
            if let Some(found) = self.hinted.get_with_slot(hint, id) {
                return Some(found);
            }
        }
        self.hashed(id).map(|n| (n, *slots.get(n)))
    }

    /// Keeps the slot copy of node `index` (whose id is `id`) in step with the
    /// snapshot's: every write of a slot goes through here too.
    pub(crate) fn set_slot(&mut self, id: &str, index: u32, slot: Slot) {
        let id = id.as_bytes();
        if let Some(hint) = hint_of(id) {
            self.hinted.set_slot(hint, id, index, slot);
        }
    }

    /// Copies every hinted node's slot from `slots`, once the build has made them.
    pub(crate) fn copy_slots(&mut self, slots: &[Slot]) {
        self.hinted.copy_slots(slots);
    }

    #[inline(always)]
    fn hashed(&self, id: &[u8]) -> Option<u32> {
        let h = id_hash(id);
        self.shards[self.shard_of(h)]
            .find(h, |(k, _)| holds(k, id))
            .map(|&(_, i)| i)
    }

    fn shard_mut(&mut self, s: usize) -> &mut Shard {
        Arc::make_mut(&mut Arc::make_mut(&mut self.shards)[s])
    }

    pub(crate) fn insert(&mut self, id: IdText, index: u32) {
        let b = id.as_bytes();
        if let Some(hint) = hint_of(b) {
            // Already hashed (its hint was taken when it came): it stays there.
            let hashed = !self.hinted.has(hint, b) && self.hashed(b).is_some();
            if !hashed && self.hinted.set(hint, b, index) {
                return;
            }
        }
        let h = id_hash(b);
        let s = self.shard_of(h);
        let per_shard = self.per_shard;
        let shard = self.shard_mut(s);
        if shard.capacity() == 0 {
            shard.reserve(per_shard, |(k, _)| id_hash(k.bytes()));
        }
        match shard.find_mut(h, |(k, _)| holds(k, b)) {
            Some((_, i)) => *i = index,
            None => {
                shard.insert_unique(h, (IdKey::new(&id), index), |(k, _)| id_hash(k.bytes()));
            }
        }
    }

    /// The index of a new snapshot's nodes: `ids[i]` at `i`, the same index
    /// `insert` in that order gives. The ids are distinct (a state's objects, keyed
    /// by their id), so none is looked up before it is placed. The hashed ids are
    /// grouped by shard first and each shard filled in one go, whose buckets then
    /// stay in cache, where an insert per id went to a different shard each time
    /// and looked the id up first: at 1,000,000 nodes that was 6% of the
    /// start-up's CPU (docs/benchmarks.md#start-up-bulk-builds-issue-20-2026-12-03).
    pub(crate) fn of_nodes(ids: &[Option<IdText>]) -> Self {
        debug_assert!(
            {
                let mut seen = FxHashSet::default();
                ids.iter().flatten().all(|id| seen.insert(id.as_bytes()))
            },
            "of_nodes takes distinct ids"
        );
        let mut index = IdIndex::with_expected_len(ids.len());
        // (hash, node) of each id to hash, in node order.
        let mut hashed: Vec<(u64, u32)> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let Some(id) = id else { continue };
            let b = id.as_bytes();
            // A hinted id whose hint is taken, or out of reach, is hashed.
            if hint_of(b).is_some_and(|hint| index.hinted.set(hint, b, i as u32)) {
                continue;
            }
            hashed.push((id_hash(b), i as u32));
        }
        // A stable counting sort by shard keeps node order within each shard.
        let shards = index.shards.len();
        let mut starts = vec![0usize; shards + 1];
        for &(h, _) in &hashed {
            starts[index.shard_of(h) + 1] += 1;
        }
        for s in 0..shards {
            starts[s + 1] += starts[s];
        }
        let mut next = starts.clone();
        let mut by_shard = vec![(0u64, 0u32); hashed.len()];
        for &(h, i) in &hashed {
            let s = index.shard_of(h);
            by_shard[next[s]] = (h, i);
            next[s] += 1;
        }
        let per_shard = index.per_shard;
        let built: Vec<Arc<Shard>> = (0..shards)
            .map(|s| {
                let of = &by_shard[starts[s]..starts[s + 1]];
                if of.is_empty() {
                    return Arc::new(Shard::new());
                }
                // The buckets `insert`'s first `reserve` gives, or as many as grow to.
                let mut shard = Shard::with_capacity(per_shard.max(of.len()));
                // Distinct ids: placed without looking each up first.
                for &(h, i) in of {
                    let Some(id) = &ids[i as usize] else { continue };
                    shard.insert_unique(h, (IdKey::new(id), i), |(k, _)| id_hash(k.bytes()));
                }
                Arc::new(shard)
            })
            .collect();
        index.shards = built.into();
        index
    }

    pub(crate) fn remove(&mut self, id: &str) {
        let id = id.as_bytes();
        if let Some(hint) = hint_of(id) {
            if self.hinted.remove(hint, id) {
                return;
            }
        }
        let h = id_hash(id);
        let s = self.shard_of(h);
        if self.shards[s].find(h, |(k, _)| holds(k, id)).is_some() {
            if let Ok(entry) = self.shard_mut(s).find_entry(h, |(k, _)| holds(k, id)) {
                entry.remove();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn arc(s: &str) -> IdText {
        IdText::new(s)
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
            let shape = ["p", "q-", "usr_0123456789abcdefghjk", "x"][i as usize % 4];
            format!("{shape}{i}")
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
    fn a_large_index_fills_its_shards_to_three_quarters_without_doubling_any() {
        // 500,000 ids: a power-of-two shard count gave each shard 977 ids, past
        // 7/8 of 1,024 buckets, so every shard had 2,048 (1.83 buckets' room per id).
        let n = 500_000u32;
        let mut index = IdIndex::with_expected_len(n as usize);
        for i in 0..n {
            index.insert(arc(&format!("u{i:07}")), i);
        }
        let room: usize = index.shards.iter().map(|s| s.capacity()).sum();
        assert!(
            room * 100 < n as usize * 125,
            "{room} slots for {n} ids in {} shards",
            index.shards.len()
        );
        assert!(index.shards.iter().all(|s| s.capacity() < 1024));
        assert_eq!(index.get("u0499999"), Some(499_999));
    }

    #[test]
    fn an_index_of_nodes_answers_as_inserts_in_node_order() {
        use crate::minted_id::hinted_id;
        let random = |i: u32| std::array::from_fn(|k| b'a' + ((i as usize * 7 + k) % 26) as u8);
        let mut ids: Vec<String> = Vec::new();
        for i in 0..6000u32 {
            ids.push(match i % 5 {
                // Hinted at their own place, at one another's (taken), far past the rest.
                0 => hinted_id("obj", i, &random(i)),
                1 => hinted_id("obj", i - 1, &random(i)),
                2 => hinted_id("obj", 1_000_000 + i, &random(i)),
                3 => format!("site{i:07}"),
                _ => format!("a-rather-long-object-id-of-more-than-thirty-bytes-{i}"),
            });
        }
        let texts: Vec<Option<IdText>> =
            (ids.iter().map(|id| Some(arc(id)))).chain([None]).collect();
        let bulk = IdIndex::of_nodes(&texts);
        let mut one_by_one = IdIndex::with_expected_len(texts.len());
        for (i, id) in texts.iter().enumerate() {
            if let Some(id) = id {
                one_by_one.insert(id.clone(), i as u32);
            }
        }
        for id in ids.iter().chain([&"site9999999".to_string()]) {
            assert_eq!(bulk.get(id), one_by_one.get(id), "{id}");
        }
        assert_eq!(bulk.get(&ids[11]), Some(11));
        // Removed, an id is gone from both places.
        let mut removed = bulk.clone();
        for id in &ids {
            removed.remove(id);
            assert_eq!(removed.get(id), None, "{id}");
        }
        let shards = |i: &IdIndex| i.shards.iter().map(|s| s.capacity()).collect::<Vec<_>>();
        assert_eq!(shards(&bulk), shards(&one_by_one));
    }

    #[test]
    fn bytes_past_the_id_do_not_count() {
        let mut stored = [0u8; super::super::id_key::INLINE];
        stored[..10].copy_from_slice(b"p123456789");
        assert!(same_bytes(&stored, b"p123456789"));
        assert!(!same_bytes(&stored, b"p123456788"));
        assert!(same_bytes(&stored, b"p12"));
    }

    #[test]
    fn ids_that_differ_only_in_the_middle_hash_apart() {
        let a = id_hash(b"aaaaaaaa-000001-bbbbbbbbbbbb");
        let b = id_hash(b"aaaaaaaa-000002-bbbbbbbbbbbb");
        assert_ne!(a, b);
    }
}
