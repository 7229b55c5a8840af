//! `Table`: the members or the objects of a state, in id order, each keyed by the
//! id it holds itself. A `BTreeMap` from id to record held every id twice (the key
//! and the record's own field), 16 bytes per member and per object
//! (docs/scaling.md#memory).

use super::{Member, Object};
use crate::id::IdText;
use std::borrow::Borrow;
use std::collections::BTreeSet;
use std::fmt;

/// A record that carries its own id.
pub trait Keyed {
    fn key(&self) -> &IdText;
}

impl Keyed for Member {
    fn key(&self) -> &IdText {
        self.user_id.as_text()
    }
}

impl Keyed for Object {
    fn key(&self) -> &IdText {
        self.id.as_text()
    }
}

/// A record as an element of the set: equal to, and ordered as, its id alone.
#[derive(Clone)]
struct ByKey<T>(T);

impl<T: Keyed> PartialEq for ByKey<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}

impl<T: Keyed> Eq for ByKey<T> {}

impl<T: Keyed> PartialOrd for ByKey<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Keyed> Ord for ByKey<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.key().cmp(other.0.key())
    }
}

impl<T: Keyed> Borrow<IdText> for ByKey<T> {
    fn borrow(&self) -> &IdText {
        self.0.key()
    }
}

/// Records by their id, listed in id order. A set gives no `&mut` to its elements,
/// so a change takes the record out and puts it back (`edit`): twice the tree
/// walk of a map's `get_mut`, on the write path only.
#[derive(Clone)]
pub struct Table<T>(BTreeSet<ByKey<T>>);

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table(BTreeSet::new())
    }
}

impl<T: Keyed> Table<T> {
    pub fn get(&self, id: &impl AsRef<IdText>) -> Option<&T> {
        self.0.get(id.as_ref()).map(|r| &r.0)
    }

    pub fn contains(&self, id: &impl AsRef<IdText>) -> bool {
        self.0.contains(id.as_ref())
    }

    /// Adds `record`, in the place of any with its id.
    pub fn insert(&mut self, record: T) {
        self.0.replace(ByKey(record));
    }

    pub fn remove(&mut self, id: &impl AsRef<IdText>) -> Option<T> {
        self.0.take(id.as_ref()).map(|r| r.0)
    }

    /// Changes the record with this id, if there is one; `change` must leave its
    /// id as it is. Whether there was one.
    pub fn edit(&mut self, id: &impl AsRef<IdText>, change: impl FnOnce(&mut T)) -> bool {
        let Some(mut record) = self.remove(id) else {
            return false;
        };
        change(&mut record);
        self.insert(record);
        true
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.0.iter().map(|r| &r.0)
    }

    pub fn into_values(self) -> impl Iterator<Item = T> {
        self.0.into_iter().map(|r| r.0)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Collected whole: sorted once and built bottom up (linear for records already in
/// id order), as `State::restore` needs at a million rows. Of records with one id,
/// the last stays, as in a map.
impl<T: Keyed> FromIterator<T> for Table<T> {
    fn from_iter<I: IntoIterator<Item = T>>(records: I) -> Self {
        let mut records: Vec<T> = records.into_iter().collect();
        records.sort_by(|a, b| a.key().cmp(b.key()));
        let mut kept: Vec<ByKey<T>> = Vec::with_capacity(records.len());
        for r in records {
            match kept.last_mut() {
                Some(last) if last.0.key() == r.key() => *last = ByKey(r),
                _ => kept.push(ByKey(r)),
            }
        }
        Table(kept.into_iter().collect())
    }
}

/// Two tables are equal when they hold equal records, not only the same ids.
impl<T: Keyed + PartialEq> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.values().eq(other.values())
    }
}

impl<T: Keyed + Eq> Eq for Table<T> {}

impl<T: Keyed + fmt::Debug> fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Email, Name, UserId};
    use crate::state::Label;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn member(id: &str, name: &str) -> Member {
        Member {
            user_id: UserId::parse(id).unwrap(),
            email: Email::from_stored(&format!("{id}@x.test")).unwrap(),
            name: Name::parse(name).unwrap(),
            role: Label::new("viewer"),
            suspended: false,
        }
    }

    #[test]
    fn tables_with_the_same_ids_but_other_records_differ() {
        let a: Table<Member> = [member("a", "Ann")].into_iter().collect();
        let b: Table<Member> = [member("a", "Bob")].into_iter().collect();
        assert_ne!(a, b);
    }

    #[test]
    fn an_edit_changes_the_record_in_place_and_a_missing_id_changes_nothing() {
        let mut t: Table<Member> = [member("a", "Ann"), member("b", "Bob")]
            .into_iter()
            .collect();
        assert!(t.edit(&UserId::parse("a").unwrap(), |m| m.suspended = true));
        assert!(!t.edit(&UserId::parse("c").unwrap(), |m| m.suspended = true));
        let suspended: Vec<bool> = t.values().map(|m| m.suspended).collect();
        assert_eq!(suspended, [true, false]);
    }

    proptest! {
        /// The plain definition: a map from id to record, filled in the same order.
        #[test]
        fn it_holds_what_a_map_by_id_holds(
            rows in proptest::collection::vec(("[a-f]{1,2}", "[A-Z][a-z]{0,3}"), 0..40),
            removed in proptest::collection::vec("[a-f]{1,2}", 0..10),
        ) {
            let records = rows.iter().map(|(id, name)| member(id, name));
            let mut map: BTreeMap<UserId, Member> =
                records.clone().map(|m| (m.user_id.clone(), m)).collect();
            let mut table: Table<Member> = records.collect();
            for id in &removed {
                let id = UserId::parse(id).unwrap();
                prop_assert_eq!(map.remove(&id), table.remove(&id));
                prop_assert_eq!(map.get(&id), table.get(&id));
            }
            prop_assert!(map.values().eq(table.values()));
            prop_assert_eq!(map.len(), table.len());
        }
    }
}
