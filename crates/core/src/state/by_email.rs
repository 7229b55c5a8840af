//! `ByEmail`: the members by e-mail address, as a set of (a hash of the address,
//! the member's id). A map from the address held a second copy of every address
//! and of every id (36 bytes a member at 1,000,000; 45 once an address is 24
//! bytes inline); this holds 24 and reads the address from the member itself
//! (docs/scaling.md#memory).

use super::{Member, Table};
use crate::id::{Email, IdText, UserId};
use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

/// The ids of the members under the hash of their address, in (hash, id) order.
/// Two addresses may share a hash: a lookup takes every id under the hash and
/// keeps the member whose address is the one asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByEmail(BTreeSet<(u64, IdText)>);

/// SipHash with fixed keys: the same address hashes the same in every state, so
/// two states holding the same members hold equal indexes (`State: Eq`).
fn hash_of(email: &Email) -> u64 {
    let mut h = DefaultHasher::new();
    email.as_str().hash(&mut h);
    h.finish()
}

impl ByEmail {
    pub fn insert(&mut self, email: &Email, user: &UserId) {
        self.0.insert((hash_of(email), user.as_text().clone()));
    }

    pub fn remove(&mut self, email: &Email, user: &UserId) {
        self.0.remove(&(hash_of(email), user.as_text().clone()));
    }

    /// The member with this address, among `members` (those this index was kept
    /// for).
    pub fn find<'a>(&self, email: &Email, members: &'a Table<Member>) -> Option<&'a Member> {
        self.find_hashed(hash_of(email), email, members)
    }

    fn find_hashed<'a>(
        &self,
        hash: u64,
        email: &Email,
        members: &'a Table<Member>,
    ) -> Option<&'a Member> {
        // The empty text orders before every id, so the range starts at the hash.
        (self.0.range((hash, IdText::new(""))..))
            .take_while(|(h, _)| *h == hash)
            .filter_map(|(_, id)| members.get(id))
            .find(|m| m.email == *email)
    }
}

/// Collected whole (sorted once, built bottom up), as `State::restore` needs at a
/// million members.
impl<'a> FromIterator<&'a Member> for ByEmail {
    fn from_iter<I: IntoIterator<Item = &'a Member>>(members: I) -> Self {
        ByEmail(
            (members.into_iter())
                .map(|m| (hash_of(&m.email), m.user_id.as_text().clone()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Name;
    use crate::state::Label;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn member(id: &str, email: &str) -> Member {
        Member {
            user_id: UserId::parse(id).unwrap(),
            email: Email::from_stored(email).unwrap(),
            name: Name::parse("Ann").unwrap(),
            role: Label::new("viewer"),
            suspended: false,
        }
    }

    #[test]
    fn two_members_whose_addresses_share_a_hash_are_both_found() {
        let (a, b) = (member("a", "ann@x.test"), member("b", "bob@x.test"));
        let members: Table<Member> = [a.clone(), b.clone()].into_iter().collect();
        // Both filed under one hash, as a collision would file them.
        let hash = hash_of(&a.email);
        let index = ByEmail(
            [
                (hash, a.user_id.as_text().clone()),
                (hash, b.user_id.as_text().clone()),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(index.find_hashed(hash, &a.email, &members), Some(&a));
        assert_eq!(index.find_hashed(hash, &b.email, &members), Some(&b));
        let carl = Email::from_stored("carl@x.test").unwrap();
        assert_eq!(index.find_hashed(hash, &carl, &members), None);
    }

    proptest! {
        /// The plain definition: a map from address to id, changed the same way.
        #[test]
        fn it_finds_what_a_map_by_address_finds(
            rows in proptest::collection::vec(("[a-f]{1,2}", "[a-c]{1,2}"), 0..30),
            removed in proptest::collection::vec("[a-f]{1,2}", 0..10),
            asked in proptest::collection::vec("[a-c]{1,2}", 0..10),
        ) {
            // One member per id and one per address, as `decide` keeps them.
            let mut by_id: BTreeMap<String, Member> = BTreeMap::new();
            for (id, local) in &rows {
                let email = format!("{local}@x.test");
                if !by_id.values().any(|m| m.email.as_str() == email) {
                    by_id.entry(id.clone()).or_insert_with(|| member(id, &email));
                }
            }
            let mut members: Table<Member> = by_id.values().cloned().collect();
            let mut index: ByEmail = by_id.values().collect();
            let mut map: BTreeMap<Email, UserId> =
                by_id.values().map(|m| (m.email.clone(), m.user_id.clone())).collect();
            for id in &removed {
                if let Some(m) = members.remove(&UserId::parse(id).unwrap()) {
                    index.remove(&m.email, &m.user_id);
                    map.remove(&m.email);
                }
            }
            for local in asked.iter().chain(rows.iter().map(|(_, l)| l)) {
                let email = Email::from_stored(&format!("{local}@x.test")).unwrap();
                let found = index.find(&email, &members).map(|m| m.user_id.clone());
                prop_assert_eq!(found.as_ref(), map.get(&email));
            }
        }
    }
}
