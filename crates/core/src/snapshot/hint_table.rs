//! Hinted ids (crate::minted_id) by their hint: the entry at position `hint` holds the
//! id's node index, a copy of the node's slot, and the id's text without the five
//! hint characters, so `check_by_name` decodes the hint, reads one 32-byte entry,
//! compares the text there and has the slot it checks in the same cache line: no
//! hash, and at 600,001 nodes one cache miss where the lookup and then the slot were
//! two (docs/architecture.md#the-check-path). The text is the id's 14-byte tail and
//! the number of its head (prefix, `_` and the mark) in a small table of the heads
//! seen: an organization's objects share a few prefixes, so the head costs two bytes
//! an entry, not fourteen. Chunked like the rest of the snapshot: a write copies one
//! chunk.

use super::bytes::word;
use super::check::Slot;
use super::chunked::Chunked;
use crate::minted_id::{id_hint, HINT_CHARS, MINTED_CHARS};
use std::sync::Arc;

/// Bytes of the id after its hint: the random part.
const TAIL: usize = MINTED_CHARS - 1 - HINT_CHARS;
/// The longest head (prefix, `_` and the mark) of an id this table holds: hinted
/// ids here are at most 33 bytes, a prefix of up to 12 characters, as objects get.
const HEAD: usize = 14;
const EMPTY: u32 = u32::MAX;
/// How far past twice the ids it holds (or expects) the table may grow: a hint far
/// beyond that (an imported id of the hinted shape, say) goes to the hash table, so
/// the table stays dense and its memory bounded by the ids in it.
const SLACK: usize = 1024;
/// Distinct heads the table keeps (each is searched when an id is added): ids with
/// other heads past these go to the hash table.
const MAX_HEADS: usize = 256;

/// A head, zero-padded: ids hold no zero byte, so the first zero ends it.
type Head = [u8; HEAD + 2];
/// Matches no id's head: ids' heads hold no zero byte.
const NO_HEAD: Head = [0; HEAD + 2];

/// 32 bytes, aligned so that an entry never straddles two cache lines.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Entry {
    index: u32,
    /// The node's slot, as `Snapshot::slots` holds it (the snapshot writes both).
    slot: Slot,
    /// The id's head, as its position in `HintTable::heads`.
    head: u16,
    tail: [u8; TAIL],
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            index: EMPTY,
            slot: Slot::default(),
            head: 0,
            tail: [0; TAIL],
        }
    }
}

/// The hint of an id this table may hold.
#[inline(always)]
pub(crate) fn hint_of(id: &[u8]) -> Option<u32> {
    if id.len() > HEAD + MINTED_CHARS - 1 {
        return None;
    }
    id_hint(id)
}

/// Bytes of the id before its hint: the prefix, `_` and the mark (2 to `HEAD`, as
/// `id_hint` and `hint_of` bound the length).
#[inline(always)]
fn head_len(id: &[u8]) -> usize {
    id.len() - (MINTED_CHARS - 1)
}

fn head_of(id: &[u8]) -> Head {
    let mut head = [0; HEAD + 2];
    let h = head_len(id);
    head[..h].copy_from_slice(&id[..h]);
    head
}

/// Whether `head` is the first `h` bytes of `id` and no more, in at most three word
/// compares (`id` has a hint, so it is 21 to 33 bytes long and `h` is 2 to 14).
#[inline(always)]
fn same_head(head: &Head, id: &[u8], h: usize) -> bool {
    let first = if h >= 8 {
        (word(id, 0) == word(head, 0)) & (word(id, h - 8) == word(head, h - 8))
    } else {
        (word(id, 0) ^ word(head, 0)) & ((1u64 << (8 * h)) - 1) == 0
    };
    first & (head[h] == 0)
}

#[derive(Clone)]
pub(crate) struct HintTable {
    entries: Chunked<Entry>,
    heads: Arc<[Head]>,
    held: usize,
    expected: usize,
}

impl HintTable {
    pub(crate) fn with_expected_len(expected: usize) -> Self {
        HintTable {
            entries: Chunked::from_vec(Vec::new()),
            heads: Arc::new([]),
            held: 0,
            expected,
        }
    }

    /// One past the highest hint the table has room for so far: the hint for the
    /// next id, as no id the table holds has it.
    pub(crate) fn next_hint(&self) -> u32 {
        self.entries.len() as u32
    }

    /// Whether `e` holds `id`: the 14-byte tail (two overlapping words), then the head.
    #[inline(always)]
    fn holds(&self, e: &Entry, id: &[u8]) -> bool {
        let n = id.len();
        let tail =
            (word(id, n - TAIL) == word(&e.tail, 0)) & (word(id, n - 8) == word(&e.tail, TAIL - 8));
        // An empty entry's head (0) may not exist yet: it then reads `NO_HEAD`,
        // which no id's head matches. No branch until the answer.
        let head = self.heads.get(e.head as usize).unwrap_or(&NO_HEAD);
        tail & (e.index != EMPTY) & same_head(head, id, head_len(id))
    }

    #[inline(always)]
    fn entry(&self, hint: u32, id: &[u8]) -> Option<&Entry> {
        if hint as usize >= self.entries.len() {
            return None;
        }
        let e = self.entries.get(hint);
        self.holds(e, id).then_some(e)
    }

    /// The index of `id`, given its hint.
    #[inline(always)]
    pub(crate) fn get(&self, hint: u32, id: &[u8]) -> Option<u32> {
        self.entry(hint, id).map(|e| e.index)
    }

    /// The index of `id` and its node's slot, given its hint.
    #[inline(always)]
    pub(crate) fn get_with_slot(&self, hint: u32, id: &[u8]) -> Option<(u32, Slot)> {
        self.entry(hint, id).map(|e| (e.index, e.slot))
    }

    /// The position of `id`'s head in `heads`, added if new (`None` when full).
    fn head_number(&mut self, id: &[u8]) -> Option<u16> {
        let head = head_of(id);
        if let Some(at) = self.heads.iter().position(|h| *h == head) {
            return Some(at as u16);
        }
        if self.heads.len() >= MAX_HEADS {
            return None;
        }
        self.heads = self.heads.iter().copied().chain([head]).collect();
        Some((self.heads.len() - 1) as u16)
    }

    /// Sets the index of `id` if the table holds it; otherwise places it at its hint
    /// if that entry is free and within bounds, with an empty slot until `set_slot`.
    /// False: it belongs in the hash table.
    pub(crate) fn set(&mut self, hint: u32, id: &[u8], index: u32) -> bool {
        let at = hint as usize;
        if at < self.entries.len() {
            let e = *self.entries.get(hint);
            if e.index != EMPTY {
                if !self.holds(&e, id) {
                    return false;
                }
                self.entries.set(hint, Entry { index, ..e });
                return true;
            }
        } else if at >= 2 * self.expected.max(self.held) + SLACK {
            return false;
        }
        let Some(head) = self.head_number(id) else {
            return false;
        };
        while self.entries.len() <= at {
            self.entries.push(Entry::default());
        }
        let n = id.len();
        let mut tail = [0; TAIL];
        tail.copy_from_slice(&id[n - TAIL..]);
        self.entries.set(
            hint,
            Entry {
                index,
                slot: Slot::default(),
                head,
                tail,
            },
        );
        self.held += 1;
        true
    }

    /// Copies the slot of node `index` into the entry of `id`, if the table holds it
    /// for that node; false otherwise (the snapshot then reads its own slots).
    pub(crate) fn set_slot(&mut self, hint: u32, id: &[u8], index: u32, slot: Slot) -> bool {
        match self.entry(hint, id) {
            Some(e) if e.index == index => {
                if e.slot != slot {
                    let e = Entry { slot, ..*e };
                    self.entries.set(hint, e);
                }
                true
            }
            _ => false,
        }
    }

    /// Copies every held node's slot from `slots` (by node index), once, when the
    /// snapshot is built and its slots are final.
    pub(crate) fn copy_slots(&mut self, slots: &[Slot]) {
        self.entries.update_each(|e| {
            if let Some(s) = slots.get(e.index as usize) {
                e.slot = *s;
            }
        });
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
    fn the_slot_set_for_its_node_is_read_back_with_the_index() {
        let mut t = HintTable::with_expected_len(10);
        let id = hinted_id("project", 2, &[5; 20]);
        assert!(t.set(2, id.as_bytes(), 7));
        let slot = Slot {
            owner: 3,
            parent: 1,
            ty: 2,
            flags: 1,
            holders: 9,
        };
        assert!(
            !t.set_slot(2, id.as_bytes(), 8, slot),
            "another node's slot"
        );
        assert_eq!(
            t.get_with_slot(2, id.as_bytes()),
            Some((7, Slot::default()))
        );
        assert!(t.set_slot(2, id.as_bytes(), 7, slot));
        assert_eq!(t.get_with_slot(2, id.as_bytes()), Some((7, slot)));
        let mut slots = vec![Slot::default(); 8];
        slots[7].owner = 4;
        t.copy_slots(&slots);
        assert_eq!(t.get_with_slot(2, id.as_bytes()), Some((7, slots[7])));
    }

    #[test]
    fn ids_past_the_heads_it_keeps_are_refused() {
        let mut t = HintTable::with_expected_len(1000);
        for i in 0..MAX_HEADS as u32 + 5 {
            let id = hinted_id(&format!("t{i}"), i, &[1; 20]);
            assert_eq!(t.set(i, id.as_bytes(), i), (i as usize) < MAX_HEADS, "{id}");
        }
        let shared = hinted_id("t0", 900, &[2; 20]);
        assert!(t.set(900, shared.as_bytes(), 1), "a head it keeps");
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
