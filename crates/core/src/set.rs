//! Small fixed-size bitsets: actions and roles, so a permission test is one AND.

use std::fmt;

macro_rules! bitset {
    ($(#[$doc:meta])* $name:ident, $bits:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $bits);

        impl $name {
            pub const EMPTY: $name = $name(0);
            pub const CAPACITY: usize = <$bits>::BITS as usize;

            #[inline(always)]
            pub const fn contains(self, index: u16) -> bool {
                self.0 >> index & 1 == 1
            }
            pub fn insert(&mut self, index: u16) {
                self.0 |= 1 << index;
            }
            pub fn remove(&mut self, index: u16) {
                self.0 &= !(1 << index);
            }
            pub const fn union(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }
            /// The members, lowest index first.
            pub fn iter(self) -> impl Iterator<Item = u16> {
                let mut bits = self.0;
                std::iter::from_fn(move || {
                    if bits == 0 {
                        return None;
                    }
                    let i = bits.trailing_zeros() as u16;
                    bits &= bits - 1;
                    Some(i)
                })
            }
        }

        impl FromIterator<u16> for $name {
            fn from_iter<I: IntoIterator<Item = u16>>(iter: I) -> Self {
                let mut set = $name::EMPTY;
                for i in iter {
                    set.insert(i);
                }
                set
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_set().entries(self.iter()).finish()
            }
        }
    };
}

bitset!(
    /// A set of actions of one policy, by index (a policy has at most 128 actions).
    ActionSet, u128);
bitset!(
    /// A set of roles of one policy, by index (a policy has at most 64 roles).
    RoleSet, u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_their_whole_capacity() {
        assert_eq!((ActionSet::CAPACITY, RoleSet::CAPACITY), (128, 64));
        let a: ActionSet = [0u16, 5, 127].into_iter().collect();
        assert!(a.contains(127) && a.contains(0) && !a.contains(1));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 5, 127]);
        let mut r: RoleSet = [63u16, 2].into_iter().collect();
        r.remove(2);
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![63]);
    }
}
