//! Validated identifiers: an id that exists is well-formed (opaque, URL-safe, bounded).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Why a piece of text is not a valid id, e-mail or name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is longer than {max} characters")]
    TooLong { what: &'static str, max: usize },
    #[error("{what} contains {found:?}; only letters, digits, '-', '_' and '.' are allowed")]
    BadCharacter { what: &'static str, found: char },
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
}

const MAX_ID_LEN: usize = 64;

fn parse_id(what: &'static str, s: &str) -> Result<Arc<str>, ParseError> {
    if s.is_empty() {
        return Err(ParseError::Empty { what });
    }
    if s.len() > MAX_ID_LEN {
        return Err(ParseError::TooLong {
            what,
            max: MAX_ID_LEN,
        });
    }
    if let Some(found) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(ParseError::BadCharacter { what, found });
    }
    Ok(Arc::from(s))
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                parse_id($what, s).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The shared text, so indexes can hold it without copying.
            pub fn as_arc(&self) -> &Arc<str> {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// An account, global across organizations.
    UserId, "user id");
id_type!(
    /// An organization; also the id of its root node in the object tree.
    OrgId, "organization id");
id_type!(
    /// An object of the organization's tree (project, site, system...).
    ObjectId, "object id");
id_type!(
    /// A pending invitation.
    InvitationId, "invitation id");
id_type!(
    /// An ownership nomination.
    NominationId, "nomination id");
id_type!(
    /// An API key a product's back-end authenticates with; not its secret.
    ApiKeyId, "API key id");

/// An e-mail address, lower-cased; it identifies an account and never changes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(Arc<str>);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ParseError::Empty { what: "e-mail" });
        }
        if s.len() > 254 {
            return Err(ParseError::TooLong {
                what: "e-mail",
                max: 254,
            });
        }
        let bad = || ParseError::BadEmail(s.to_string());
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || s.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"')
            })
        {
            return Err(bad());
        }
        Ok(Self(Arc::from(s.to_lowercase())))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({:?})", &*self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A display name (a member's full name, an organization's or object's name):
/// trimmed, non-empty, at most 200 characters, no control characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Name(Arc<str>);

impl Name {
    pub const MAX_LEN: usize = 200;

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ParseError::Empty { what: "name" });
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(ParseError::TooLong {
                what: "name",
                max: Self::MAX_LEN,
            });
        }
        if let Some(found) = s.chars().find(|c| c.is_control()) {
            return Err(ParseError::BadCharacter {
                what: "name",
                found,
            });
        }
        Ok(Self(Arc::from(s)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({:?})", &*self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A point in time, in whole seconds since the Unix epoch. The core has no clock:
/// the caller passes `now` in, which keeps every decision replayable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn plus_days(self, days: u32) -> Self {
        Self(self.0 + days as i64 * 86_400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_what_would_break_a_url() {
        assert!(UserId::parse("u-1_a.b").is_ok());
        assert_eq!(
            UserId::parse(""),
            Err(ParseError::Empty { what: "user id" })
        );
        assert!(matches!(
            UserId::parse("a/b"),
            Err(ParseError::BadCharacter { found: '/', .. })
        ));
        assert!(matches!(
            ObjectId::parse(&"x".repeat(65)),
            Err(ParseError::TooLong { .. })
        ));
    }

    #[test]
    fn email_is_lower_cased_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "ann",
            "@x.com",
            "ann@",
            "ann@x",
            "a b@x.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Ann Lee ").unwrap().as_str(), "Ann Lee");
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse("a\u{0}b").is_err());
        assert!(Name::parse(&"é".repeat(201)).is_err());
        assert!(Name::parse(&"é".repeat(200)).is_ok());
    }
}
