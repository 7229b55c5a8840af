//! `IdText`: an id's text in 16 bytes, the size of the `Arc<str>` it replaces. Up
//! to 14 bytes it sits in the value itself, with no allocation (most customer ids
//! and the ids of tests and benchmarks); longer, it is shared behind a thin `Arc`
//! of a fixed-size buffer whose malloc chunk is the one an `Arc<str>` of that
//! length took, so no id costs more than before (docs/scaling.md#memory). And
//! `SmallText`, the 24-byte text of names and e-mails, which nothing shares.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// Bytes held in the value: what is left of 16 after the tag and the length.
const INLINE: usize = 14;

/// The text of an id (or of any name the snapshot keys by its bytes). Compares and
/// orders by its bytes, as a `str` does, and hashes as the `str` it holds, so a
/// map keyed by it (or by an id type around it) is looked up by `&str`.
#[derive(Clone)]
pub struct IdText(Repr);

/// Each heap buffer's size makes `Arc`'s 16 bytes of counts plus it end where an
/// `Arc<str>` of the longest text it holds ended, in the same glibc chunk (48, 64,
/// 80 and 96 bytes). Past 64 bytes (longer than any id) the text is boxed.
#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Up24 { len: u8, text: Arc<[u8; 24]> },
    Up40 { len: u8, text: Arc<[u8; 40]> },
    Up56 { len: u8, text: Arc<[u8; 56]> },
    Up64 { len: u8, text: Arc<[u8; 64]> },
    Long(Arc<Box<str>>),
}

/// A buffer of `N` bytes starting with `b` (no longer than `N`, or cut to it).
fn buffer<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    let n = b.len().min(N);
    out[..n].copy_from_slice(&b[..n]);
    out
}

impl IdText {
    pub fn new(text: &str) -> IdText {
        let b = text.as_bytes();
        // `len` fits a byte in every variant that stores it (64 at most).
        let len = b.len() as u8;
        IdText(match b.len() {
            0..=INLINE => Repr::Inline {
                len,
                bytes: buffer(b),
            },
            15..=24 => Repr::Up24 {
                len,
                text: Arc::new(buffer(b)),
            },
            25..=40 => Repr::Up40 {
                len,
                text: Arc::new(buffer(b)),
            },
            41..=56 => Repr::Up56 {
                len,
                text: Arc::new(buffer(b)),
            },
            57..=64 => Repr::Up64 {
                len,
                text: Arc::new(buffer(b)),
            },
            _ => Repr::Long(Arc::new(Box::from(text))),
        })
    }

    /// The bytes, without the check `as_str` makes: what comparisons use.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Up24 { len, text } => &text[..usize::from(*len)],
            Repr::Up40 { len, text } => &text[..usize::from(*len)],
            Repr::Up56 { len, text } => &text[..usize::from(*len)],
            Repr::Up64 { len, text } => &text[..usize::from(*len)],
            Repr::Long(text) => text.as_bytes(),
        }
    }

    /// The text. The bytes are a whole `str`'s (`new`), so they always read back;
    /// reading them back checks they are UTF-8, a few instructions for an id.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Long(text) => text,
            _ => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
        }
    }
}

impl From<&str> for IdText {
    fn from(text: &str) -> IdText {
        IdText::new(text)
    }
}

/// So a table of records keyed by their id is looked up by the bare text too.
impl AsRef<IdText> for IdText {
    fn as_ref(&self) -> &IdText {
        self
    }
}

impl Deref for IdText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for IdText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for IdText {
    #[inline]
    fn eq(&self, other: &IdText) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdText {}

impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &IdText) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A `str` orders by its bytes, so this is the text's order.
impl Ord for IdText {
    #[inline]
    fn cmp(&self, other: &IdText) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

/// As the `str` hashes, so `Borrow<str>` finds it in a hash map.
impl Hash for IdText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for IdText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A text nothing shares (a name, an e-mail address) in 24 bytes: up to 22 bytes
/// held in the value itself, longer in a `Box<str>`. Most names and e-mails then
/// need no allocation of their own: a 32- or 48-byte malloc chunk each saved per
/// member at 1,000,000 members (docs/scaling.md#memory). A copy of a long one
/// copies its text; they are rare, and an `Arc` would cost every short one.
/// Compares, orders and hashes as the `str` it holds.
#[derive(Clone)]
pub(crate) enum SmallText {
    Inline { len: u8, bytes: [u8; SMALL_INLINE] },
    Long(Box<str>),
}

/// The bytes a `SmallText` holds in itself: what is left of 24 bytes after the
/// variant's tag and the length.
const SMALL_INLINE: usize = 22;

impl SmallText {
    pub(crate) fn new(s: &str) -> SmallText {
        match u8::try_from(s.len()) {
            Ok(len) if s.len() <= SMALL_INLINE => {
                let mut bytes = [0; SMALL_INLINE];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                SmallText::Inline { len, bytes }
            }
            _ => SmallText::Long(Box::from(s)),
        }
    }

    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // The bytes are a whole `str`'s (`new`), so they always read back;
            // the check costs a few instructions per short text.
            SmallText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            SmallText::Long(s) => s,
        }
    }
}

impl PartialEq for SmallText {
    #[inline]
    fn eq(&self, other: &SmallText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SmallText {}

impl PartialOrd for SmallText {
    fn partial_cmp(&self, other: &SmallText) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SmallText {
    fn cmp(&self, other: &SmallText) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for SmallText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl serde::Serialize for SmallText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn an_id_text_is_as_small_as_the_arc_it_replaces() {
        assert_eq!(std::mem::size_of::<IdText>(), 16);
        assert_eq!(std::mem::size_of::<Option<IdText>>(), 16);
        assert_eq!(std::mem::size_of::<Arc<str>>(), 16);
    }

    #[test]
    fn every_length_reads_back_as_given() {
        for n in 0..=300 {
            let text: String = "abcdefghij".chars().cycle().take(n).collect();
            assert_eq!(IdText::new(&text).as_str(), text);
            assert_eq!(IdText::new(&text).as_bytes(), text.as_bytes());
        }
        assert_eq!(IdText::new("ünïcödé-ünïcödé").as_str(), "ünïcödé-ünïcödé");
    }

    #[test]
    fn a_small_text_reads_back_every_length_in_24_bytes() {
        for n in 0..=60 {
            let text: String = "abcdéfghij".chars().cycle().take(n).collect();
            assert_eq!(SmallText::new(&text).as_str(), text);
        }
        assert_eq!(std::mem::size_of::<SmallText>(), 24);
    }

    proptest! {
        #[test]
        fn a_small_text_compares_orders_and_hashes_as_its_str(a in "[a-zé@.]{0,30}", b in "[a-zé@.]{0,30}") {
            let (x, y) = (SmallText::new(&a), SmallText::new(&b));
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(hash_of(&x), hash_of(a.as_str()));
        }

        #[test]
        fn it_compares_orders_and_hashes_as_its_str(a in "[a-z0-9_.-]{0,70}", b in "[a-z0-9_.-]{0,70}") {
            let (x, y) = (IdText::new(&a), IdText::new(&b));
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(hash_of(&x), hash_of(a.as_str()));
        }
    }
}
