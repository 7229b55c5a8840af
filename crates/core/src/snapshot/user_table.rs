//! The snapshot's users: their ids and organization roles by index, and an
//! open-addressed table from id to index that `check_by_name` probes with a hash of
//! one word of the id. Ids Steward mints end in 20 random characters, so their last
//! eight bytes spread them already: one unaligned load and a multiply find the
//! bucket, and the bucket holds the id's bytes and a copy of the member's role, so a
//! hit compares where it already is and hands the check the role from the same line.
//!
//! Ids are not all random: an import or a directory can bring ids a customer (or an
//! attacker) chose, and ids that share their last eight bytes and length hash alike
//! whatever the seed. Two guards (docs/architecture.md#the-check-path):
//! - a per-table random seed mixed into the hash, so that which distinct words
//!   collide cannot be known from outside;
//! - a bound on the probe an insert walks (`MAX_PROBE`): past it the table is
//!   rebuilt with SipHash-1-3 over the whole id under random keys (std's
//!   `RandomState`), for good. A crafted set of ids then costs one rebuild and
//!   slower hashing for that organization, never long probes.

use super::bytes::{half, same_bytes, word};
use super::chunked::Chunked;
use super::NO_ROLE;
use crate::id::IdText;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// Id bytes a bucket holds (the ids Steward mints for users, `usr_` and 20
/// characters, are 24); longer ids are compared in full against `ids` once these match.
const INLINE: usize = 25;
const EMPTY: u32 = u32::MAX;
/// The fewest buckets: one small chunk, so an organization of a few members stays small.
const MIN_BUCKETS: usize = 8;
/// Longest walk from an id's home bucket an insert accepts before it stops trusting
/// the fast hash. Linear probing at 3/4 full (as full as the table gets) walks far
/// at worst: 115 to 166 buckets in three runs of 196,608 random ids, 172 to 306 in
/// three of 1,572,864 (test `random_ids_never_trip_the_flood_guard`, the second
/// under --release), growing slowly with the table; an honest table that passed the
/// bound would only hash more slowly. Ids crafted to share their last word pile
/// onto one run and pass the bound after 1,024 of them: the worst lookup before the
/// switch is 1,024 buckets.
const MAX_PROBE: usize = 1024;

/// 32 bytes, aligned so that a bucket never straddles two cache lines.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Bucket {
    index: u32,
    /// The member's organization role, as `roles` holds it (`NO_ROLE` for none).
    role: u16,
    len: u8,
    /// The id's first bytes, zero-padded.
    bytes: [u8; INLINE],
}

impl Bucket {
    /// User `index`'s bucket: their role and the first bytes of their `id`.
    fn of(index: u32, role: u16, id: &[u8]) -> Bucket {
        let mut bucket = Bucket {
            index,
            role,
            len: id.len() as u8,
            ..Bucket::default()
        };
        let n = id.len().min(INLINE);
        bucket.bytes[..n].copy_from_slice(&id[..n]);
        bucket
    }
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            index: EMPTY,
            role: NO_ROLE,
            len: 0,
            bytes: [0; INLINE],
        }
    }
}

/// The last eight bytes of an id, or all of a shorter one (overlapping halves, or the
/// first, middle and last byte: with the length, that is every byte).
#[inline(always)]
fn last_word(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 8 {
        word(b, n - 8)
    } else if n >= 4 {
        half(b, 0) | half(b, n - 4) << 32
    } else if n > 0 {
        b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16
    } else {
        0
    }
}

/// 64 bits of product, folded: the mixing step of wyhash and foldhash.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = (a as u128).wrapping_mul(b as u128);
    (p as u64) ^ (p >> 64) as u64
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// How ids are hashed: the fast hash until a probe grows past `MAX_PROBE`.
#[derive(Clone)]
enum Hashing {
    LastWord { seed: u64 },
    Strong(RandomState),
}

#[derive(Clone)]
pub(crate) struct UserTable {
    /// Each user's id, by index.
    ids: Chunked<Option<IdText>>,
    /// Each user's organization role, by index (`NO_ROLE`: not a member, or suspended).
    roles: Chunked<u16>,
    /// A power of two of them, at most 3/4 full.
    buckets: Chunked<Bucket>,
    mask: usize,
    hashing: Hashing,
}

fn seed() -> u64 {
    // Each `RandomState` gets keys no other has, from std's per-process random ones.
    RandomState::new().hash_one(0x5eed_u64)
}

fn buckets_for(len: usize) -> usize {
    (len + len / 3 + 1).next_power_of_two().max(MIN_BUCKETS)
}

impl UserTable {
    /// An empty table with room for `len` users (tests: snapshots are built
    /// with `of_distinct`).
    #[cfg(test)]
    pub(crate) fn with_expected_len(len: usize) -> Self {
        let n = buckets_for(len);
        UserTable {
            ids: Chunked::from_vec(Vec::with_capacity(len)),
            roles: Chunked::from_vec(Vec::with_capacity(len)),
            buckets: Chunked::from_vec(vec![Bucket::default(); n]),
            mask: n - 1,
            hashing: Hashing::LastWord { seed: seed() },
        }
    }

    #[inline(always)]
    fn hash(&self, id: &[u8]) -> u64 {
        match &self.hashing {
            Hashing::LastWord { seed } => fold(last_word(id) ^ seed, K ^ id.len() as u64),
            Hashing::Strong(keys) => keys.hash_one(id),
        }
    }

    /// The user's id (empty for an index the table never gave).
    pub(crate) fn id(&self, index: u32) -> &str {
        if index as usize >= self.ids.len() {
            return "";
        }
        self.ids.get(index).as_deref().unwrap_or("")
    }

    /// The organization role of user `index`.
    #[inline(always)]
    pub(crate) fn role(&self, index: u32) -> u16 {
        *self.roles.get(index)
    }

    /// The index of the user `id`.
    #[inline(always)]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        self.bucket(id.as_bytes()).map(|e| e.index)
    }

    /// The index of the user `id` and their role, from one bucket.
    #[inline(always)]
    pub(crate) fn member(&self, id: &str) -> Option<(u32, u16)> {
        self.bucket(id.as_bytes()).map(|e| (e.index, e.role))
    }

    #[inline(always)]
    fn bucket(&self, b: &[u8]) -> Option<&Bucket> {
        let mut at = self.hash(b) as usize & self.mask;
        loop {
            let e = self.buckets.get(at as u32);
            if e.index == EMPTY {
                return None;
            }
            if e.len as usize == b.len()
                && same_bytes(&e.bytes, &b[..b.len().min(INLINE)])
                && (b.len() <= INLINE || self.id(e.index).as_bytes() == b)
            {
                return Some(e);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// Sets user `u`'s role, here and in their bucket.
    pub(crate) fn set_role(&mut self, u: u32, role: u16) {
        if u as usize >= self.roles.len() {
            return;
        }
        self.roles.set(u, role);
        let Some(id) = self.ids.get(u).clone() else {
            return;
        };
        let mut at = self.hash(id.as_bytes()) as usize & self.mask;
        loop {
            let mut e = *self.buckets.get(at as u32);
            if e.index == EMPTY {
                return;
            }
            if e.index == u {
                e.role = role;
                return self.buckets.set(at as u32, e);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// Adds the user `id` with `role`, or sets the role of one already held: what
    /// `of_distinct` is tested against.
    #[cfg(test)]
    pub(crate) fn insert_member(&mut self, id: &IdText, role: u16) -> u32 {
        match self.get(id) {
            Some(u) => {
                self.set_role(u, role);
                u
            }
            None => self.add(id, role),
        }
    }

    /// The index of `id`, added at the end if the table does not hold it yet.
    pub(crate) fn insert(&mut self, id: &IdText) -> u32 {
        match self.get(id) {
            Some(u) => u,
            None => self.add(id, NO_ROLE),
        }
    }

    /// Adds `id`, which the table does not hold, with `role` in its bucket.
    fn add(&mut self, id: &IdText, role: u16) -> u32 {
        let u = self.ids.push(Some(id.clone()));
        self.roles.push(role);
        if 4 * self.ids.len() > 3 * (self.mask + 1) {
            let hashing = self.hashing.clone();
            self.rebuild(buckets_for(self.ids.len()), hashing);
        } else if !self.place(u) {
            self.rebuild(self.mask + 1, Hashing::Strong(RandomState::new()));
        }
        u
    }

    /// Puts user `u` in its bucket; false if the walk there was longer than
    /// `MAX_PROBE` (it is placed all the same).
    fn place(&mut self, u: u32) -> bool {
        let Some(id) = self.ids.get(u).clone() else {
            return true;
        };
        let id = id.as_bytes();
        let bucket = Bucket::of(u, *self.roles.get(u), id);
        let mut at = self.hash(id) as usize & self.mask;
        let mut walked = 0;
        while self.buckets.get(at as u32).index != EMPTY {
            at = (at + 1) & self.mask;
            walked += 1;
        }
        self.buckets.set(at as u32, bucket);
        walked <= MAX_PROBE
    }

    /// A table of `members` (ids and organization roles), each at its position:
    /// what a new snapshot of a state's members is built with. A state holds each
    /// id once, so no id is looked up before it is placed, and the buckets are
    /// filled as a plain vector, sized once, before they are chunked: at 1,000,000
    /// members `insert_member` per member was 8% of the start-up's CPU
    /// (docs/benchmarks.md#start-up-bulk-builds-issue-20-2026-12-03).
    /// An id given twice would be held twice, the later one unreachable.
    pub(crate) fn of_distinct<'a>(members: impl Iterator<Item = (&'a IdText, u16)>) -> Self {
        let (ids, roles): (Vec<Option<IdText>>, Vec<u16>) =
            members.map(|(id, role)| (Some(id.clone()), role)).unzip();
        let n = buckets_for(ids.len());
        let mut table = UserTable {
            ids: Chunked::from_vec(Vec::new()),
            roles: Chunked::from_vec(Vec::new()),
            buckets: Chunked::from_vec(Vec::new()),
            mask: n - 1,
            hashing: Hashing::LastWord { seed: seed() },
        };
        let mut buckets = vec![Bucket::default(); n];
        let mut flooded = false;
        for (u, (id, &role)) in ids.iter().zip(&roles).enumerate() {
            let Some(id) = id.as_ref().map(IdText::as_bytes) else {
                continue;
            };
            let mut at = table.hash(id) as usize & table.mask;
            let mut walked = 0;
            while buckets[at].index != EMPTY {
                at = (at + 1) & table.mask;
                walked += 1;
            }
            buckets[at] = Bucket::of(u as u32, role, id);
            flooded |= walked > MAX_PROBE;
        }
        table.ids = Chunked::from_vec(ids);
        table.roles = Chunked::from_vec(roles);
        table.buckets = Chunked::from_vec(buckets);
        if flooded {
            table.rebuild(n, Hashing::Strong(RandomState::new()));
        }
        table
    }

    /// Places every user again in `n` buckets hashed by `hashing`; one walk past
    /// `MAX_PROBE` under the fast hash starts over with the strong one.
    fn rebuild(&mut self, n: usize, hashing: Hashing) {
        self.buckets = Chunked::from_vec(vec![Bucket::default(); n]);
        self.mask = n - 1;
        self.hashing = hashing;
        let strong = matches!(self.hashing, Hashing::Strong(_));
        for u in 0..self.ids.len() as u32 {
            if !self.place(u) && !strong {
                return self.rebuild(n, Hashing::Strong(RandomState::new()));
            }
        }
    }

    #[cfg(test)]
    fn is_strong(&self) -> bool {
        matches!(self.hashing, Hashing::Strong(_))
    }

    #[cfg(test)]
    fn longest_walk(&self) -> usize {
        (0..self.ids.len() as u32)
            .map(|u| {
                let id = self.id(u).as_bytes();
                let home = self.hash(id) as usize & self.mask;
                let mut at = home;
                while self.buckets.get(at as u32).index != u {
                    at = (at + 1) & self.mask;
                }
                (at + self.mask + 1 - home) & self.mask
            })
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minted_id::minted_id;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn arc(s: &str) -> IdText {
        IdText::new(s)
    }

    #[test]
    fn a_bucket_is_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<Bucket>(), 32);
        assert_eq!(std::mem::align_of::<Bucket>(), 32);
    }

    #[test]
    fn ids_of_every_length_are_found_and_ids_one_byte_off_are_not() {
        let mut t = UserTable::with_expected_len(0);
        let ids: Vec<String> = (1..=64)
            .map(|n| "abcdefghij".repeat(7)[..n].to_string())
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.insert(&arc(id)), i as u32);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.get(id), Some(i as u32), "{id}");
            assert_eq!(t.id(i as u32), id);
            for at in 0..id.len() {
                let mut other = id.clone().into_bytes();
                other[at] = b'Z';
                let other = String::from_utf8(other).unwrap();
                assert_eq!(t.get(&other), None, "{other}");
            }
        }
        assert_eq!(t.get(""), None);
        assert_eq!(
            t.insert(&arc(&ids[3])),
            3,
            "an id already held keeps its index"
        );
    }

    #[test]
    fn ids_sharing_their_last_word_switch_the_table_to_the_strong_hash() {
        let mut t = UserTable::with_expected_len(0);
        let ids: Vec<String> = (0..2000).map(|i| format!("{i:05}-same-end")).collect();
        for id in &ids {
            t.insert(&arc(id));
        }
        assert!(t.is_strong());
        assert!(t.longest_walk() <= MAX_PROBE, "{}", t.longest_walk());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.get(id), Some(i as u32));
        }
        assert_eq!(t.get("99999-same-end"), None);
    }

    #[test]
    fn random_ids_never_trip_the_flood_guard() {
        let mut t = UserTable::with_expected_len(0);
        let mut state = 0x1234_5678_9abc_def0u64;
        // As full as the table gets before it grows (3/4): 3/4 of 2^18 buckets, 2^21
        // under --release.
        let n: usize = 3 << if cfg!(debug_assertions) { 16 } else { 19 };
        for _ in 0..n {
            let random: [u8; 20] = std::array::from_fn(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33) as u8
            });
            t.insert(&arc(&minted_id("user", &random)));
        }
        let walk = t.longest_walk();
        eprintln!("longest walk of {n} random ids: {walk}");
        assert!(
            !t.is_strong() && walk < MAX_PROBE / 2,
            "longest walk {walk}"
        );
    }

    #[test]
    fn a_role_set_is_read_back_with_the_user_through_every_rebuild() {
        let mut t = UserTable::with_expected_len(0);
        let ids: Vec<String> = (0..3000).map(|i| format!("user_{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.insert_member(&arc(id), (i % 7) as u16), i as u32);
        }
        t.set_role(5, 9);
        for (i, id) in ids.iter().enumerate() {
            let role = if i == 5 { 9 } else { (i % 7) as u16 };
            assert_eq!(t.member(id), Some((i as u32, role)), "{id}");
            assert_eq!(t.role(i as u32), role);
        }
        assert_eq!(t.member("user_x"), None);
        assert_eq!(t.insert(&arc("new")), 3000);
        assert_eq!(t.member("new"), Some((3000, NO_ROLE)));
    }

    #[test]
    fn a_copy_keeps_its_users_when_the_original_takes_more() {
        let mut t = UserTable::with_expected_len(3);
        t.insert(&arc("user_a"));
        let before = t.clone();
        for i in 0..5000 {
            t.insert(&arc(&format!("user_{i}")));
        }
        assert_eq!(before.get("user_a"), Some(0));
        assert_eq!(before.get("user_7"), None);
        assert_eq!(t.get("user_7"), Some(8));
    }

    #[test]
    fn a_table_of_distinct_ids_answers_as_one_built_by_inserts() {
        let ids: Vec<IdText> = (0..5000).map(|i| arc(&format!("user_{i}"))).collect();
        let bulk = UserTable::of_distinct(ids.iter().zip((0..7u16).cycle()));
        let mut one_by_one = UserTable::with_expected_len(ids.len());
        for (id, role) in ids.iter().zip((0..7u16).cycle()) {
            one_by_one.insert_member(id, role);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(bulk.member(id), one_by_one.member(id), "{id}");
            assert_eq!(bulk.id(i as u32), id.as_str());
            assert_eq!(bulk.role(i as u32), (i % 7) as u16);
        }
        assert_eq!(bulk.get("user_x"), None);
        assert!(!bulk.is_strong());
        assert_eq!(UserTable::of_distinct(std::iter::empty()).get("a"), None);
    }

    #[test]
    fn a_table_of_ids_sharing_their_last_word_is_built_with_the_strong_hash() {
        let ids: Vec<IdText> = (0..2000)
            .map(|i| arc(&format!("{i:05}-same-end")))
            .collect();
        let t = UserTable::of_distinct(ids.iter().map(|id| (id, 3)));
        assert!(t.is_strong());
        assert!(t.longest_walk() <= MAX_PROBE, "{}", t.longest_walk());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.member(id), Some((i as u32, 3)));
        }
    }

    proptest! {
        #[test]
        fn the_table_answers_as_a_plain_map(ids in prop::collection::vec("[a-z0-9_.-]{1,64}", 0..300),
                                            probes in prop::collection::vec("[a-z0-9_.-]{1,64}", 0..50)) {
            let mut t = UserTable::with_expected_len(ids.len() / 2);
            let mut plain: HashMap<String, u32> = HashMap::new();
            for id in &ids {
                let next = plain.len() as u32;
                let u = *plain.entry(id.clone()).or_insert(next);
                prop_assert_eq!(t.insert(&arc(id)), u);
            }
            for id in ids.iter().chain(&probes) {
                prop_assert_eq!(t.get(id), plain.get(id).copied());
            }
        }
    }
}
