//! Hinted ids (crate::minted_id) by their hint: the entry at position `hint` holds the
//! id's index and its text without the five hint characters, so a lookup decodes the
//! hint, reads one 32-byte entry and compares the text there: no hash, one cache line.
//! Chunked like the rest of the snapshot: a write copies one chunk.

use super::bytes::word;
use super::chunked::Chunked;
use crate::minted_id::{id_hint, HINT_CHARS, MINTED_CHARS};

/// An id's text without its hint, up to this many bytes (so hinted ids are at most
/// 33 bytes: a prefix of up to 12 characters, as objects get).
const REST: usize = 28;
const EMPTY: u32 = u32::MAX;
/// How far past twice the ids it holds (or expects) the table may grow: a hint far
/// beyond that (an imported id of the hinted shape, say) goes to the hash table, so
/// the table stays dense and its memory bounded by the ids in it.
const SLACK: usize = 1024;

/// 32 bytes, aligned so that an entry never straddles two cache lines.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Entry {
    index: u32,
    /// The id's bytes before and after the hint, zero-padded (ids hold no zero byte).
    rest: [u8; REST],
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            index: EMPTY,
            rest: [0; REST],
        }
    }
}

/// The hint of an id this table may hold.
#[inline(always)]
pub(crate) fn hint_of(id: &[u8]) -> Option<u32> {
    if id.len() > REST + HINT_CHARS {
        return None;
    }
    id_hint(id)
}

/// Bytes of the id before its hint: the prefix, `_` and the mark.
#[inline(always)]
fn head_len(id: &[u8]) -> usize {
    id.len() - (MINTED_CHARS - 1)
}
/// Bytes of the id after its hint.
const TAIL: usize = MINTED_CHARS - 1 - HINT_CHARS;

fn rest_of(id: &[u8]) -> [u8; REST] {
    let h = head_len(id);
    let mut rest = [0; REST];
    rest[..h].copy_from_slice(&id[..h]);
    rest[h..h + TAIL].copy_from_slice(&id[id.len() - TAIL..]);
    rest
}

/// Whether `rest` is `id`'s text without its hint (`id` has a hint, so it is 21 to
/// 33 bytes long), in five word compares: the head (up to 14 bytes, two words that
/// may overlap, or one masked), the 14-byte tail (two overlapping words) and the
/// zero after them, which tells a shorter stored id apart.
#[inline(always)]
fn holds(rest: &[u8; REST], id: &[u8]) -> bool {
    let n = id.len();
    let h = head_len(id);
    let tail =
        (word(id, n - TAIL) == word(rest, h)) & (word(id, n - 8) == word(rest, h + TAIL - 8));
    let head = if h >= 8 {
        (word(id, 0) == word(rest, 0)) & (word(id, h - 8) == word(rest, h - 8))
    } else {
        (word(id, 0) ^ word(rest, 0)) & ((1u64 << (8 * h)) - 1) == 0
    };
    let end = h + TAIL == REST || rest[h + TAIL] == 0;
    tail & head & end
}

#[derive(Clone)]
pub(crate) struct HintTable {
    entries: Chunked<Entry>,
    held: usize,
    expected: usize,
}

impl HintTable {
    pub(crate) fn with_expected_len(expected: usize) -> Self {
        HintTable {
            entries: Chunked::from_vec(Vec::new()),
            held: 0,
            expected,
        }
    }

    /// One past the highest hint the table has room for so far: the hint for the
    /// next id, as no id the table holds has it.
    pub(crate) fn next_hint(&self) -> u32 {
        self.entries.len() as u32
    }

    /// The index of `id`, given its hint.
    #[inline(always)]
    pub(crate) fn get(&self, hint: u32, id: &[u8]) -> Option<u32> {
        if hint as usize >= self.entries.len() {
            return None;
        }
        let e = self.entries.get(hint);
        (e.index != EMPTY && holds(&e.rest, id)).then_some(e.index)
    }

    /// Sets the index of `id` if the table holds it; otherwise places it at its hint
    /// if that entry is free and within bounds. False: it belongs in the hash table.
    pub(crate) fn set(&mut self, hint: u32, id: &[u8], index: u32) -> bool {
        let at = hint as usize;
        if at < self.entries.len() {
            let e = *self.entries.get(hint);
            if e.index != EMPTY {
                if !holds(&e.rest, id) {
                    return false;
                }
                self.entries.set(hint, Entry { index, ..e });
                return true;
            }
        } else if at >= 2 * self.expected.max(self.held) + SLACK {
            return false;
        }
        while self.entries.len() <= at {
            self.entries.push(Entry::default());
        }
        self.entries.set(
            hint,
            Entry {
                index,
                rest: rest_of(id),
            },
        );
        self.held += 1;
        true
    }

    /// Whether `id` is already in the table (then `set` only changes its index).
    pub(crate) fn has(&self, hint: u32, id: &[u8]) -> bool {
        self.get(hint, id).is_some()
    }

    /// Drops `id`; false if the table does not hold it.
    pub(crate) fn remove(&mut self, hint: u32, id: &[u8]) -> bool {
        if self.get(hint, id).is_none() {
            return false;
        }
        self.entries.set(hint, Entry::default());
        self.held -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minted_id::hinted_id;

    #[test]
    fn an_entry_is_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
        assert_eq!(std::mem::align_of::<Entry>(), 32);
    }

    #[test]
    fn the_text_decides_not_the_hint() {
        let mut t = HintTable::with_expected_len(10);
        let id = hinted_id("project", 3, &[5; 20]);
        let hint = hint_of(id.as_bytes()).unwrap();
        assert!(t.set(hint, id.as_bytes(), 7));
        assert_eq!(t.get(hint, id.as_bytes()), Some(7));
        // Same hint, other text: another prefix, another tail, one byte longer or shorter.
        for other in [
            hinted_id("question", 3, &[5; 20]),
            hinted_id("project", 3, &[6; 20]),
            hinted_id("projects", 3, &[5; 20]),
            hinted_id("projec", 3, &[5; 20]),
            hinted_id("p", 3, &[5; 20]),
            hinted_id("a-twelve-chr", 3, &[5; 20]),
        ] {
            assert_eq!(t.get(hint, other.as_bytes()), None, "{other}");
            assert!(!t.set(hint, other.as_bytes(), 9), "{other}");
        }
        assert!(t.remove(hint, id.as_bytes()));
        assert_eq!(t.get(hint, id.as_bytes()), None);
    }

    #[test]
    fn a_hint_far_past_the_ids_held_is_refused() {
        let mut t = HintTable::with_expected_len(10);
        let far = hinted_id("x", 5000, &[1; 20]);
        assert!(!t.set(5000, far.as_bytes(), 1));
        assert_eq!(t.next_hint(), 0);
        let near = hinted_id("x", 1000, &[1; 20]);
        assert!(t.set(1000, near.as_bytes(), 1));
        assert_eq!(t.next_hint(), 1001);
    }
}
