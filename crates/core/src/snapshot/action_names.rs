//! The policy's actions by name. They are few (at most 128) and fixed for the
//! snapshot's life, so they sit in a direct-mapped table whose multiplier is chosen
//! when the snapshot is built so that no two names share a bucket: a lookup is one
//! hash, one byte, one inline compare, with no probe loop and no call through the
//! hash table's equality closure (docs/benchmarks.md#id-lookups-issue-19-2026-12-03).
//! The hash is the name's first and last eight bytes and its length, folded by a
//! rotate and two XORs, times the chosen multiplier: one multiply, from the three
//! words the compare reads anyway (`Ends`). Where two of the policy's names fold
//! alike (no multiplier can part them), the table hashes every byte (`id_hash`)
//! instead. The compare is of five words (`Ends`) for names up to 32 bytes, and of
//! the whole name past that.

use super::bytes::{first_and_last, word};
use super::id_index::id_hash;
use super::id_key::IdKey;
use crate::id::IdText;
use std::sync::Arc;

/// No name in this bucket.
const EMPTY: u8 = u8::MAX;
/// Multipliers tried per table size before the table doubles.
const TRIES: u64 = 512;

/// A name as four eight-byte words and its length: the first and last eight bytes
/// (four, or the first, middle and last byte, for names under eight), and the words
/// at 8 and 16 from the end (both overlapping the others where the name is short).
/// For a name of up to 32 bytes these are all its bytes, so a lookup compares five
/// words where the bytes are, with no loop and no branch on the length: the
/// analytics policy's names are 12 to 26 bytes, and a branch on "past 16" was
/// mispredicted on most lookups (0.8 a lookup, by cachegrind). Longer names are
/// also compared whole.
#[derive(Clone, Copy)]
struct Ends {
    first: u64,
    last: u64,
    second: u64,
    third: u64,
    len: usize,
}

/// Names up to this long are whole in their `Ends`.
const WHOLE: usize = 32;

impl Ends {
    /// Whether two names have the same ends, without a branch per word.
    #[inline(always)]
    fn same(self, other: Ends) -> bool {
        (self.first == other.first)
            & (self.last == other.last)
            & (self.second == other.second)
            & (self.third == other.third)
            & (self.len == other.len)
    }
}

#[inline(always)]
fn ends(b: &[u8]) -> Ends {
    let n = b.len();
    if n >= 8 {
        return Ends {
            first: word(b, 0),
            last: word(b, n - 8),
            second: word(b, 8.min(n - 8)),
            third: word(b, n.saturating_sub(16)),
            len: n,
        };
    }
    let (first, last) = first_and_last(b);
    Ends {
        first,
        last,
        second: 0,
        third: 0,
        len: n,
    }
}

#[derive(Clone)]
pub(crate) struct ActionNames {
    /// Per bucket, the index of the one name in it, or `EMPTY`.
    buckets: Arc<[u8]>,
    ends: Arc<[Ends]>,
    names: Arc<[IdKey]>,
    multiplier: u64,
    shift: u32,
    /// Two names fold alike: hash with `id_hash` (see the module's comment).
    whole: bool,
}

/// A name's words folded into one: the key the multiplier spreads. Distinct names
/// of up to 32 bytes rarely fold alike, longer ones differing only past their
/// words do; `ActionNames::new` checks.
#[inline(always)]
fn folded(e: Ends) -> u64 {
    e.first
        ^ e.last.rotate_left(29)
        ^ e.second.rotate_left(43)
        ^ e.third.rotate_left(13)
        ^ e.len as u64
}

#[inline(always)]
fn bucket(h: u64, multiplier: u64, shift: u32) -> usize {
    (h.wrapping_mul(multiplier) >> shift) as usize
}

impl ActionNames {
    /// The table for `names`, indexed by their position (fewer than 255 names).
    pub(crate) fn new(names: &[&str]) -> ActionNames {
        assert!(names.len() < EMPTY as usize, "{} actions", names.len());
        let keys: Arc<[IdKey]> = names.iter().map(|n| IdKey::new(&IdText::new(n))).collect();
        let mut hashes: Vec<u64> = names.iter().map(|n| folded(ends(n.as_bytes()))).collect();
        let mut sorted = hashes.clone();
        sorted.sort_unstable();
        let whole = sorted.windows(2).any(|w| w[0] == w[1]);
        if whole {
            hashes = names.iter().map(|n| id_hash(n.as_bytes())).collect();
        }
        let mut bits = (names.len().max(4) * 4)
            .next_power_of_two()
            .trailing_zeros();
        loop {
            let shift = 64 - bits;
            let mut buckets = vec![EMPTY; 1 << bits];
            for t in 0..TRIES {
                // Odd multipliers spread over the whole word.
                let multiplier = (t + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                buckets.fill(EMPTY);
                let placed = hashes.iter().enumerate().all(|(i, &h)| {
                    let b = &mut buckets[bucket(h, multiplier, shift)];
                    let free = *b == EMPTY;
                    *b = i as u8;
                    free
                });
                if placed {
                    return ActionNames {
                        buckets: buckets.into(),
                        ends: names.iter().map(|n| ends(n.as_bytes())).collect(),
                        names: keys,
                        multiplier,
                        shift,
                        whole,
                    };
                }
            }
            // Two names of one text never part; the policy refuses duplicates, so
            // this only grows the table until the names spread.
            bits += 1;
            assert!(bits <= 20, "action names that hash alike");
        }
    }

    #[inline(always)]
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        let b = name.as_bytes();
        let e = ends(b);
        let h = if self.whole { id_hash(b) } else { folded(e) };
        let i = *self.buckets.get(bucket(h, self.multiplier, self.shift))? as usize;
        // `EMPTY` is past the last name, so `ends` has no entry for it.
        let same = self.ends.get(i).is_some_and(|s| s.same(e))
            && (b.len() <= WHOLE || super::id_index::holds(&self.names[i], b));
        same.then_some(i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_found_at_its_index_and_nothing_else_is() {
        let names: Vec<String> = (0..127)
            .map(|i| format!("type{}:action_{i}", i % 7))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        for n in [0, 1, 2, 15, 127] {
            let table = ActionNames::new(&refs[..n]);
            for (i, name) in refs[..n].iter().enumerate() {
                assert_eq!(table.get(name), Some(i as u32), "{name}");
                assert_eq!(table.get(&format!("{name}x")), None);
                assert_eq!(table.get(&name[1..]), None);
            }
            assert_eq!(table.get(""), None);
            assert_eq!(table.get("a-long-action-name-past-the-inline-limit"), None);
        }
    }

    #[test]
    fn names_of_every_length_differing_in_one_byte_are_told_apart() {
        let names: Vec<String> = (1..=24)
            .map(|n| "abcdefghijklmnopqrstuvwx"[..n].to_string())
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let table = ActionNames::new(&refs);
        for (i, name) in names.iter().enumerate() {
            assert_eq!(table.get(name), Some(i as u32), "{name}");
            for at in 0..name.len() {
                let mut other = name.clone().into_bytes();
                other[at] = b'Z';
                let other = String::from_utf8(other).unwrap();
                assert_eq!(table.get(&other), None, "{other}");
            }
        }
    }

    #[test]
    fn names_that_fold_alike_are_told_apart_by_the_whole_hash() {
        // 48 bytes: bytes 16 to 31 are in none of the words folded.
        let (a, b) = (
            "project:append_rows_to_the_table_of_everything_x",
            "project:append_rows_in_the_table_of_everything_x",
        );
        let e = |n: &str| folded(ends(n.as_bytes()));
        assert_eq!(e(a), e(b));
        let table = ActionNames::new(&[a, b, "a:view"]);
        assert!(table.whole);
        assert_eq!(table.get(a), Some(0));
        assert_eq!(table.get(b), Some(1));
        assert_eq!(table.get("a:view"), Some(2));
        assert_eq!(
            table.get("project:append_rows_at_the_table_of_everything_x"),
            None
        );
        let usual = ActionNames::new(&["project:view", "project:edit", "org:delete"]);
        assert!(!usual.whole);
    }

    #[test]
    fn long_names_are_found_too() {
        let table = ActionNames::new(&["project:view", "a-long-action-name-past-the-inline-limit"]);
        assert_eq!(
            table.get("a-long-action-name-past-the-inline-limit"),
            Some(1)
        );
        assert_eq!(table.get("a-long-action-name-past-the-inline-limiT"), None);
    }
}
