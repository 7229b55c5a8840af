//! An id as a hash-map key: short ids (most of them) sit inline in the bucket, so a
//! lookup compares bytes where it already is instead of following a pointer to a
//! string elsewhere in memory.

use crate::id::IdText;
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

/// Ids up to this many bytes sit inline (the enum stays 32 bytes).
pub(crate) const INLINE: usize = 30;

#[derive(Clone)]
pub(crate) enum IdKey {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(IdText),
}

impl IdKey {
    pub(crate) fn new(id: &IdText) -> IdKey {
        let b = id.as_bytes();
        if b.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..b.len()].copy_from_slice(b);
            IdKey::Inline {
                len: b.len() as u8,
                bytes,
            }
        } else {
            IdKey::Shared(id.clone())
        }
    }

    #[inline(always)]
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            IdKey::Inline { len, bytes } => &bytes[..*len as usize],
            IdKey::Shared(s) => s.as_bytes(),
        }
    }
}

// Looked up by `id.as_bytes()`: hashing and equality are those of the bytes.
impl Borrow<[u8]> for IdKey {
    #[inline(always)]
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

impl Hash for IdKey {
    #[inline(always)]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes().hash(state)
    }
}

impl PartialEq for IdKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for IdKey {}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashMap;

    #[test]
    fn short_and_long_ids_are_found_by_their_bytes() {
        let short: IdText = IdText::new("p123");
        let long: IdText = IdText::new("a-rather-long-object-id-of-40-characters");
        let mut m = FxHashMap::default();
        m.insert(IdKey::new(&short), 1);
        m.insert(IdKey::new(&long), 2);
        assert!(matches!(IdKey::new(&short), IdKey::Inline { .. }));
        assert!(matches!(IdKey::new(&long), IdKey::Shared(_)));
        assert_eq!(m.get("p123".as_bytes()), Some(&1));
        assert_eq!(m.get(long.as_bytes()), Some(&2));
        assert_eq!(m.get("p12".as_bytes()), None);
        assert_eq!(std::mem::size_of::<IdKey>(), 32);
    }
}
