//! `Children`: the objects right below an object, held only by the objects that
//! have some. Most objects are leaves, and an empty `BTreeSet` in each was 24
//! bytes a object; this is 8 (docs/scaling.md#memory).

use crate::id::ObjectId;
use std::collections::BTreeSet;

/// A set of object ids, listed in id order, that allocates nothing while empty.
/// The box is the point: it makes the field 8 bytes rather than a set's 24, and
/// the extra allocation is paid only by objects that have children.
#[allow(clippy::box_collection)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Children(Option<Box<BTreeSet<ObjectId>>>);

impl Children {
    pub fn new() -> Children {
        Children(None)
    }

    /// Adds `child`; false if it was there already.
    pub fn insert(&mut self, child: ObjectId) -> bool {
        self.0.get_or_insert_with(Box::default).insert(child)
    }

    /// Takes `child` out; false if it was not there. The last one out frees the set.
    pub fn remove(&mut self, child: &ObjectId) -> bool {
        let Some(set) = &mut self.0 else {
            return false;
        };
        let removed = set.remove(child);
        if set.is_empty() {
            self.0 = None;
        }
        removed
    }

    pub fn contains(&self, child: &ObjectId) -> bool {
        self.0.as_ref().is_some_and(|set| set.contains(child))
    }

    pub fn clear(&mut self) {
        self.0 = None;
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |set| set.len())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The children in id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &ObjectId> {
        self.0.iter().flat_map(|set| set.iter())
    }
}

impl<'a> IntoIterator for &'a Children {
    type Item = &'a ObjectId;
    type IntoIter = std::iter::Flatten<std::option::IntoIter<&'a BTreeSet<ObjectId>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.as_deref().into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(s: &str) -> ObjectId {
        ObjectId::parse(s).unwrap()
    }

    #[test]
    fn children_are_listed_in_id_order_and_the_last_one_out_frees_the_set() {
        let mut c = Children::new();
        assert!(c.is_empty() && c.iter().next().is_none());
        assert!(c.insert(oid("b")) && c.insert(oid("a")) && !c.insert(oid("a")));
        assert_eq!(
            c.iter().map(ObjectId::as_str).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(c.iter().next_back(), Some(&oid("b")));
        assert!(c.contains(&oid("a")) && c.len() == 2);
        assert!(c.remove(&oid("a")) && !c.remove(&oid("a")) && c.remove(&oid("b")));
        assert!(c.is_empty() && c == Children::default());
        assert_eq!(std::mem::size_of::<Children>(), 8);
    }
}
