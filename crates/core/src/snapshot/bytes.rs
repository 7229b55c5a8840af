//! Ids' bytes read a word at a time, for the snapshot's tables that keep an id's
//! text inline (the id index, the user table, the hint table, action names).

#[inline(always)]
pub(super) fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline(always)]
pub(super) fn half(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w) as u64
}

/// An id's first and last eight bytes (overlapping when shorter than 16; four and
/// four below 8; the first, middle and last byte below 4): what the id index
/// hashes and what the action names compare.
#[inline(always)]
pub(super) fn first_and_last(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    if n >= 8 {
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
    }
}

/// Whether the first `id.len()` stored bytes are `id` (`id.len() <= N`),
/// compared a word at a time: the bucket's tail is padding, so reading past the id
/// there is harmless, and the id's own last word may overlap the one before it.
#[inline(always)]
pub(super) fn same_bytes<const N: usize>(stored: &[u8; N], id: &[u8]) -> bool {
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
    } else if n > 0 {
        // The first, middle and last byte are all of an id of up to three bytes.
        stored[0] == id[0] && stored[n / 2] == id[n / 2] && stored[n - 1] == id[n - 1]
    } else {
        true
    }
}
