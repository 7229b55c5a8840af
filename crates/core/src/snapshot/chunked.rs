//! A vector in fixed-size chunks behind `Arc`s: cloning it copies only the chunk
//! pointers, and a write copies the one chunk it touches (copy-on-write), so a new
//! snapshot shares almost everything with the one readers are still using.

use std::sync::Arc;

const CHUNK_BITS: u32 = 10;
pub(crate) const CHUNK: usize = 1 << CHUNK_BITS;
const MASK: usize = CHUNK - 1;

#[derive(Clone)]
pub(crate) struct Chunked<T> {
    chunks: Arc<Vec<Arc<[T; CHUNK]>>>,
    len: usize,
}

impl<T: Clone + Default> Chunked<T> {
    pub(crate) fn from_vec(items: Vec<T>) -> Self {
        let len = items.len();
        let mut chunks = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut it = items.into_iter();
        while chunks.len() * CHUNK < len {
            let chunk: [T; CHUNK] = std::array::from_fn(|_| it.next().unwrap_or_default());
            chunks.push(Arc::new(chunk));
        }
        Chunked {
            chunks: Arc::new(chunks),
            len,
        }
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The element at `i`; callers only hold indices below `len`.
    #[inline(always)]
    pub(crate) fn get(&self, i: u32) -> &T {
        let i = i as usize;
        &self.chunks[i >> CHUNK_BITS][i & MASK]
    }

    /// Changes one element, copying its chunk if another snapshot shares it.
    pub(crate) fn set(&mut self, i: u32, value: T) {
        let i = i as usize;
        assert!(i < self.len, "index {i} out of {}", self.len);
        let chunks = Arc::make_mut(&mut self.chunks);
        Arc::make_mut(&mut chunks[i >> CHUNK_BITS])[i & MASK] = value;
    }

    pub(crate) fn push(&mut self, value: T) -> u32 {
        let i = self.len;
        let chunks = Arc::make_mut(&mut self.chunks);
        if i >> CHUNK_BITS == chunks.len() {
            chunks.push(Arc::new(std::array::from_fn(|_| T::default())));
        }
        Arc::make_mut(&mut chunks[i >> CHUNK_BITS])[i & MASK] = value;
        self.len += 1;
        i as u32
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
}
