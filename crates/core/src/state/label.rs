//! `Label`: a name the policy declares (an organization role, an object type) as a
//! member or an object holds it: one shared string per name rather than a `String`
//! per holder. A million members hold three or four roles between them, and a
//! `String` each was 32 bytes of heap and 24 of struct per member
//! (docs/scaling.md#memory).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A role's or a type's name, shared by everything that holds it. The name sits
/// behind two pointers (`Arc<Box<str>>`) so a label is 8 bytes, not the 16 of an
/// `Arc<str>`: a member and an object each hold one, and labels are few, so the
/// second allocation per name is nothing (docs/scaling.md#memory). Reads as a
/// `&str` (`Deref`), compares with `str` and `String`, and hashes and orders as
/// its text, so it keys a map looked up by `&str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(Arc<Box<str>>);

impl Label {
    pub fn new(name: &str) -> Label {
        Label(Arc::new(Box::from(name)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both name the same string in memory (not only equal text).
    pub fn shares(&self, other: &Label) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Label {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Label {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// `name.into()` hands out the label this thread handed out last for the same
/// name: the loaders make a member's role and an object's type this way, a row at
/// a time, and a string made per row and dropped once `State::restore` shares
/// one leaves a 32-byte hole per member and per object in the heap that malloc
/// does not give back (about 64 MiB of VmRSS at 1,000,000 + 1,000,000).
impl From<&str> for Label {
    fn from(name: &str) -> Label {
        thread_local! {
            static SEEN: std::cell::RefCell<Labels> = std::cell::RefCell::new(Labels::default());
        }
        SEEN.with(|seen| seen.borrow_mut().get(name))
    }
}

impl From<String> for Label {
    fn from(name: String) -> Label {
        Label(Arc::new(name.into_boxed_str()))
    }
}

impl From<&String> for Label {
    fn from(name: &String) -> Label {
        Label::new(name)
    }
}

impl From<Label> for String {
    fn from(label: Label) -> String {
        label.0.to_string()
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// As a `String` shows, so a state's debug output reads as it did.
impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Label {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Label> for str {
    fn eq(&self, other: &Label) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Label> for &str {
    fn eq(&self, other: &Label) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Label> for String {
    fn eq(&self, other: &Label) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Hands out one `Label` per name: the loaders and `State::restore` ask it for
/// each row's role or type, so a million rows share the few names they hold.
/// A policy declares a handful of roles and types, so a scan of the ones seen
/// beats hashing; past `MAX` names (a policy of many types) it stops sharing
/// new ones rather than scanning longer.
#[derive(Debug, Default)]
pub struct Labels {
    seen: Vec<Label>,
}

impl Labels {
    const MAX: usize = 64;

    /// The shared label for `name`, made on its first use.
    pub fn get(&mut self, name: &str) -> Label {
        if let Some(l) = self.seen.iter().find(|l| l.as_str() == name) {
            return l.clone();
        }
        let label = Label::new(name);
        if self.seen.len() < Self::MAX {
            self.seen.push(label.clone());
        }
        label
    }

    /// `label` itself, or the equal one handed out before (dropping this copy).
    pub fn share(&mut self, label: Label) -> Label {
        if let Some(l) = self.seen.iter().find(|l| **l == label) {
            return l.clone();
        }
        if self.seen.len() < Self::MAX {
            self.seen.push(label.clone());
        }
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn equal_names_from_the_labels_share_one_string() {
        let mut labels = Labels::default();
        let a = labels.get("operator");
        let b = labels.share(Label::new("operator"));
        let c = labels.get("viewer");
        assert!(a.shares(&b));
        assert!(!a.shares(&c));
        assert_eq!(a, "operator");
        assert_eq!("operator".to_string(), a);
    }

    #[test]
    fn labels_made_from_one_name_on_one_thread_share_its_string() {
        let a: Label = "a-role-made-twice".into();
        let b: Label = "a-role-made-twice".into();
        assert!(a.shares(&b));
        assert!(!a.shares(&Label::new("a-role-made-twice")));
    }

    #[test]
    fn a_label_keys_a_map_looked_up_by_its_text() {
        let mut m = BTreeMap::new();
        m.insert(Label::new("admin"), 1);
        assert_eq!(m.get("admin"), Some(&1));
        assert_eq!(format!("{:?}", Label::new("admin")), "\"admin\"");
    }
}
