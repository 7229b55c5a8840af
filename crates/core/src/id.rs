//! Validated identifiers: an id that exists is well-formed (opaque, URL-safe, bounded).

pub use crate::id_text::IdText;
use crate::id_text::SmallText;
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Why a piece of text is not a valid id, e-mail or name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is longer than {max} characters")]
    TooLong { what: &'static str, max: usize },
    #[error("{what} contains {found:?}; only letters, digits, '-', '_' and '.' are allowed")]
    BadCharacter { what: &'static str, found: char },
    #[error("{0}")]
    BadEmail(EmailFault),
}

/// Why a text is not an e-mail address Steward accepts. Every fault is the API's
/// `email` reason; the message names what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailFault {
    #[error("{0:?} is not an e-mail address")]
    NotAnAddress(String),
    /// A format character (Unicode category Cf: zero-width space or joiner, soft
    /// hyphen, word joiner, byte-order mark, direction marks and overrides) or
    /// another default-ignorable one: it renders as nothing, so the address would
    /// look like another.
    #[error(
        "the address contains {}, an invisible or formatting character that would make it look like another address; type it without",
        code_point(.0)
    )]
    Invisible(char),
    /// A character whose compatibility form differs (fullwidth letters, ligatures,
    /// superscripts): it looks like `plain`.
    #[error(
        "the address contains {found:?} ({}), a compatibility form of {plain:?} that looks like it; write {plain:?}",
        code_point(.found)
    )]
    CompatibilityForm { found: char, plain: String },
    /// A private-use or unassigned code point: nobody can tell what it shows, and
    /// an unassigned one could later normalize to something else.
    #[error(
        "the address contains {}, a private-use or unassigned character; remove it",
        code_point(.0)
    )]
    Unassigned(char),
}

fn code_point(c: &char) -> String {
    format!("U+{:04X}", u32::from(*c))
}

const MAX_ID_LEN: usize = 64;

fn parse_id(what: &'static str, s: &str) -> Result<IdText, ParseError> {
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
    Ok(IdText::new(s))
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        /// Its text is an `IdText`: inline up to 14 bytes, shared past them.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(IdText);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                parse_id($what, s).map(Self)
            }
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
            /// The text, so indexes can hold it as the id does (a copy of at
            /// most 16 bytes, sharing any longer text).
            pub fn as_text(&self) -> &IdText {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl AsRef<IdText> for $name {
            fn as_ref(&self) -> &IdText {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
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
id_type!(
    /// A webhook endpoint of an organization; not its secret.
    WebhookId, "webhook id");

/// An e-mail address in one form: lower-cased and NFC (Unicode's composed form),
/// so `jose\u{301}@x` and `jos\u{e9}@x` are one address; it identifies an account
/// and never changes. Its text is a `SmallText`, like a name's: most addresses
/// (15 to 22 bytes) are held in the 24 bytes of the value, with no allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(SmallText);

impl Email {
    /// The address typed by someone, in its one form, or why it is not one.
    /// Lookups compare this form exactly, so the rules that make it one form live
    /// here and nowhere else: NFC, lower case; no invisible or formatting
    /// character, no compatibility look-alike (its NFKC form is its NFC form), no
    /// private-use or unassigned character.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ParseError::Empty { what: "e-mail" });
        }
        let fault = |f| Err(ParseError::BadEmail(f));
        if let Some(c) = s.chars().find(|&c| is_invisible(c)) {
            return fault(EmailFault::Invisible(c));
        }
        if let Some(c) = s.chars().find(|&c| is_unassigned(c)) {
            return fault(EmailFault::Unassigned(c));
        }
        // Lower case maps character by character, so compose before and after it.
        let email: String = s.nfc().collect::<String>().to_lowercase().nfc().collect();
        if let Some(found) = email.chars().find(|&c| is_compatibility_form(c)) {
            return fault(EmailFault::CompatibilityForm {
                found,
                plain: std::iter::once(found).nfkc().collect(),
            });
        }
        if email.len() > 254 {
            return Err(ParseError::TooLong {
                what: "e-mail",
                max: 254,
            });
        }
        let not_an_address = || ParseError::BadEmail(EmailFault::NotAnAddress(s.to_string()));
        let (local, domain) = email.split_once('@').ok_or_else(not_an_address)?;
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || email.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"')
            })
        {
            return Err(not_an_address());
        }
        Ok(Self(SmallText::new(&email)))
    }

    /// The part after the `@`: the domain single sign-on routes by.
    pub fn domain(&self) -> &str {
        self.as_str()
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain)
    }

    /// An address as Steward stored it (the state tables, the audit log), taken as
    /// it is: an address an earlier version accepted stays readable, so an
    /// organization holding one still loads and its log still verifies. Such an
    /// address may not be in today's form, so typing it again (sign-in,
    /// invitation, import) finds nothing; see docs/api.md. Only what Steward wrote
    /// comes here; everything typed goes through `parse`.
    pub fn from_stored(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() {
            return Err(ParseError::Empty { what: "e-mail" });
        }
        Ok(Self(SmallText::new(s)))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({:?})", self.as_str())
    }
}

/// Only Steward's own records are read back into an `Email` (events of the audit
/// log): read as stored, as `from_stored` says. Input is parsed.
impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::from_stored(&s).map_err(serde::de::Error::custom)
    }
}

/// Characters that render as nothing: Unicode's format characters (Cf) and the
/// other default-ignorable code points (a combining grapheme joiner, Hangul
/// fillers, variation selectors), from the Unicode Character Database's
/// Default_Ignorable_Code_Point list.
fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

fn is_unassigned(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Unassigned | GeneralCategory::PrivateUse | GeneralCategory::Surrogate
    )
}

/// Whether the character's compatibility decomposition differs from its
/// canonical one; a text without such a character has NFKC = NFC.
fn is_compatibility_form(c: char) -> bool {
    !std::iter::once(c).nfkd().eq(std::iter::once(c).nfd())
}

/// A display name (a member's full name, an organization's or object's name):
/// trimmed, non-empty, at most 200 characters, no control characters. Nothing
/// indexes a name, so it is never shared: a `SmallText`, 24 bytes, up to 22 of
/// them inline, so most names need no allocation of their own
/// (docs/scaling.md#memory).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Name(SmallText);

impl Name {
    pub const MAX_LEN: usize = 200;

    /// `member`: the name of someone whose e-mail gives none that parses.
    pub fn fallback() -> Name {
        Name(SmallText::new("member"))
    }

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
        Ok(Name(SmallText::new(s)))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({:?})", self.as_str())
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

    #[test]
    fn a_name_reads_back_as_given_whether_held_inline_or_boxed() {
        for text in [
            "A",
            "Ann Lee",
            &"x".repeat(22),
            &"y".repeat(23),
            "José Ñúñez-Ågård",
        ] {
            assert_eq!(Name::parse(text).unwrap().as_str(), text);
        }
        assert_eq!(std::mem::size_of::<Name>(), 24);
    }

    #[test]
    fn an_email_reads_back_as_stored_whether_held_inline_or_boxed() {
        for text in [
            "a@b.c",
            "u0000001@scale.test",
            "twenty-two@bytes.test",
            "twenty-three@bytes.test",
            "someone.with.a.long.address@example.com",
        ] {
            assert_eq!(Email::from_stored(text).unwrap().as_str(), text);
            assert_eq!(Email::parse(text).unwrap().as_str(), text);
        }
        assert_eq!(std::mem::size_of::<Email>(), 24);
        assert_eq!(
            Email::parse("someone.with.a.long.address@example.com")
                .unwrap()
                .domain(),
            "example.com"
        );
    }

    #[test]
    fn names_compare_by_their_text_whichever_way_they_are_held() {
        let short = Name::parse("b").unwrap();
        let long = Name::parse(&"a".repeat(30)).unwrap();
        assert!(long < short);
        assert_eq!(Name::parse(&"a".repeat(30)).unwrap(), long);
        assert_eq!(short, Name::parse(" b ").unwrap());
        assert_ne!(short, Name::parse("c").unwrap());
    }
}
