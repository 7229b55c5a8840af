//! A vector in fixed-size chunks behind `Arc`s: cloning it copies only the chunk
//! pointers, and a write copies the one chunk it touches (copy-on-write), so a new
//! snapshot shares almost everything with the one readers are still using.
//!
//! Every chunk but the last holds `CHUNK` items; the last holds only what it
//! needs, rounded up to a power of two, so a small organization's snapshot is
//! not five full chunks (about 46 KB) of empty slots: with 100,000 small
//! organizations on a node that was most of their memory
//! (docs/benchmarks.md#many-organizations-and-the-memory-limit).

use std::sync::Arc;

const CHUNK_BITS: u32 = 10;
pub(crate) const CHUNK: usize = 1 << CHUNK_BITS;
const MASK: usize = CHUNK - 1;
/// The least a last chunk holds: growing it copies it, so not one item at a time.
const FIRST_ROOM: usize = 8;

#[derive(Clone)]
pub(crate) struct Chunked<T> {
    /// The chunk pointers sit in the `Arc`'s own allocation (not behind a `Vec`'s), so
    /// a read is two dependent loads from the snapshot: the pointer, then the item.
    /// The spine is copied whole when a chunk is added or copied: a pointer per
    /// 1,024 items.
    chunks: Arc<[Arc<[T]>]>,
    len: usize,
}

/// Room for `items` in a last chunk.
fn room_for(items: usize) -> usize {
    items.next_power_of_two().clamp(FIRST_ROOM, CHUNK)
}

impl<T: Clone + Default> Chunked<T> {
    pub(crate) fn from_vec(items: Vec<T>) -> Self {
        let len = items.len();
        let mut chunks: Vec<Arc<[T]>> = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut it = items.into_iter();
        let mut left = len;
        while left > 0 {
            let take = left.min(CHUNK);
            let room = if take == CHUNK { CHUNK } else { room_for(take) };
            let chunk: Arc<[T]> = it
                .by_ref()
                .take(take)
                .chain(std::iter::repeat_with(T::default).take(room - take))
                .collect();
            chunks.push(chunk);
            left -= take;
        }
        Chunked {
            chunks: chunks.into(),
            len,
        }
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub(crate) fn get(&self, i: u32) -> &T {
        let i = i as usize;
        &self.chunks[i >> CHUNK_BITS][i & MASK]
    }

    pub(crate) fn set(&mut self, i: u32, value: T) {
        let i = i as usize;
        assert!(i < self.len, "index {i} out of {}", self.len);
        let chunks = Arc::make_mut(&mut self.chunks);
        Arc::make_mut(&mut chunks[i >> CHUNK_BITS])[i & MASK] = value;
    }

    /// The spine as a vector, to add a chunk to it.
    fn grow_spine(&mut self, chunk: Arc<[T]>) {
        let mut spine = Vec::with_capacity(self.chunks.len() + 1);
        spine.extend(self.chunks.iter().cloned());
        spine.push(chunk);
        self.chunks = spine.into();
    }

    pub(crate) fn push(&mut self, value: T) -> u32 {
        let i = self.len;
        let (chunk, at) = (i >> CHUNK_BITS, i & MASK);
        if chunk == self.chunks.len() {
            self.grow_spine(
                std::iter::repeat_with(T::default)
                    .take(FIRST_ROOM)
                    .collect(),
            );
        }
        let chunks = Arc::make_mut(&mut self.chunks);
        if at == chunks[chunk].len() {
            // The last chunk is full but smaller than `CHUNK`: twice the room.
            let room = room_for(at + 1);
            let grown: Arc<[T]> = chunks[chunk]
                .iter()
                .cloned()
                .chain(std::iter::repeat_with(T::default).take(room - at))
                .collect();
            chunks[chunk] = grown;
        }
        Arc::make_mut(&mut chunks[chunk])[at] = value;
        self.len += 1;
        i as u32
    }

    /// Changes every item in place, copying each shared chunk once (where `set` per
    /// item would check both levels' sharing per item).
    pub(crate) fn update_each(&mut self, mut f: impl FnMut(&mut T)) {
        let len = self.len;
        let chunks = Arc::make_mut(&mut self.chunks);
        for (c, chunk) in chunks.iter_mut().enumerate() {
            let items = Arc::make_mut(chunk);
            let used = len.saturating_sub(c * CHUNK).min(items.len());
            items.iter_mut().take(used).for_each(&mut f);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter()).take(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_leaves_the_shared_copy_untouched() {
        let a = Chunked::from_vec((0..3000u32).collect());
        let mut b = a.clone();
        b.set(2500, 7);
        b.push(9);
        assert_eq!(*a.get(2500), 2500);
        assert_eq!(*b.get(2500), 7);
        assert_eq!(*b.get(3000), 9);
        assert_eq!((a.len(), b.len()), (3000, 3001));
        assert_eq!(b.iter().count(), 3001);
        // Untouched chunks are still shared.
        assert!(Arc::ptr_eq(&a.chunks[0], &b.chunks[0]));
    }

    #[test]
    fn a_small_vector_holds_only_a_small_last_chunk_and_grows_it_as_pushed() {
        let mut v = Chunked::from_vec((0..20u32).collect());
        assert_eq!(v.chunks[0].len(), 32);
        let before = v.clone();
        for i in 20..2100u32 {
            assert_eq!(v.push(i), i);
        }
        assert_eq!(
            v.chunks.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [1024, 1024, 64]
        );
        assert!(v.iter().copied().eq(0..2100u32));
        assert!((0..2100u32).all(|i| *v.get(i) == i));
        // The clone taken before kept its own small chunk.
        assert!(before.iter().copied().eq(0..20u32));
        let empty = Chunked::<u32>::from_vec(Vec::new());
        assert_eq!((empty.len(), empty.chunks.len()), (0, 0));
    }
}
