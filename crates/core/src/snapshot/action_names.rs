//! The policy's actions by name. They are few (at most 128) and fixed for the
//! snapshot's life, so they sit in a direct-mapped table whose multiplier is chosen
//! when the snapshot is built so that no two names share a bucket: a lookup is one
//! hash, one byte, one inline compare, with no probe loop and no call through the
//! hash table's equality closure (docs/benchmarks.md#id-lookups-issue-19-2026-12-03).

use super::id_index::id_hash;
use super::id_key::IdKey;
use std::sync::Arc;

/// No name in this bucket.
const EMPTY: u8 = u8::MAX;
/// Multipliers tried per table size before the table doubles.
const TRIES: u64 = 512;

#[derive(Clone)]
pub(crate) struct ActionNames {
    /// Per bucket, the index of the one name in it, or `EMPTY`.
    buckets: Arc<[u8]>,
    names: Arc<[IdKey]>,
    multiplier: u64,
    shift: u32,
}

#[inline(always)]
fn bucket(h: u64, multiplier: u64, shift: u32) -> usize {
    (h.wrapping_mul(multiplier) >> shift) as usize
}

impl ActionNames {
    /// The table for `names`, indexed by their position (fewer than 255 names).
    pub(crate) fn new(names: &[&str]) -> ActionNames {
        assert!(names.len() < EMPTY as usize, "{} actions", names.len());
        let keys: Arc<[IdKey]> = names.iter().map(|n| IdKey::new(&Arc::from(*n))).collect();
        let hashes: Vec<u64> = names.iter().map(|n| id_hash(n.as_bytes())).collect();
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
                        names: keys,
                        multiplier,
                        shift,
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
        let i = self.buckets[bucket(id_hash(b), self.multiplier, self.shift)];
        if i == EMPTY {
            return None;
        }
        super::id_index::holds(&self.names[i as usize], b).then_some(i as u32)
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
    fn long_names_are_found_too() {
        let table = ActionNames::new(&["project:view", "a-long-action-name-past-the-inline-limit"]);
        assert_eq!(
            table.get("a-long-action-name-past-the-inline-limit"),
            Some(1)
        );
        assert_eq!(table.get("a-long-action-name-past-the-inline-limiT"), None);
    }
}
