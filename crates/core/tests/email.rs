//! E-mail addresses: one address, one form. An address is NFC; invisible and
//! formatting characters and compatibility look-alikes (fullwidth letters and the
//! like) are refused with a reason naming the character, so two accounts or two
//! invitations never differ only in what a reader cannot see.

use proptest::prelude::*;
use steward_core::Email;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The refusal's message, for an address that must be refused.
#[track_caller]
fn refusal(text: &str) -> String {
    match Email::parse(text) {
        Ok(email) => panic!("{text:?} was accepted as {email:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_invisible_character_in_an_address_is_refused_by_its_code_point() {
    for (text, code) in [
        ("jo\u{200B}se@acme.test", "U+200B"), // zero-width space
        ("jo\u{200C}se@acme.test", "U+200C"), // zero-width non-joiner
        ("jo\u{200D}se@acme.test", "U+200D"), // zero-width joiner
        ("jo\u{00AD}se@acme.test", "U+00AD"), // soft hyphen
        ("jo\u{2060}se@acme.test", "U+2060"), // word joiner
        ("\u{FEFF}jose@acme.test", "U+FEFF"), // byte-order mark
        ("jose\u{FEFF}@acme.test", "U+FEFF"),
        ("\u{202E}jose@acme.test", "U+202E"), // right-to-left override
        ("jose@ac\u{200E}me.test", "U+200E"), // left-to-right mark, in the domain
        ("jo\u{034F}se@acme.test", "U+034F"), // combining grapheme joiner
        ("jose\u{FE0F}@acme.test", "U+FE0F"), // variation selector
        ("jo\u{3164}se@acme.test", "U+3164"), // Hangul filler
    ] {
        let message = refusal(text);
        assert!(
            message.contains(code) && message.contains("invisible"),
            "{text:?}: {message}"
        );
    }
}

#[test]
fn a_fullwidth_or_other_compatibility_form_is_refused_naming_the_plain_one() {
    for (text, found, plain) in [
        ("ｊose@acme.test", 'ｊ', "j"),
        ("Ｊose@acme.test", 'ｊ', "j"),
        ("jose＠acme.test", '＠', "@"),
        ("jose@acme．test", '．', "."),
        ("\u{FB01}n@acme.test", '\u{FB01}', "fi"), // the ligature fi
        ("jos\u{00E9}\u{00B2}@acme.test", '\u{00B2}', "2"),
    ] {
        let message = refusal(text);
        assert!(
            message.contains(&format!("{found:?}")) && message.contains(&format!("{plain:?}")),
            "{text:?}: {message}"
        );
    }
}

#[test]
fn a_private_use_or_unassigned_character_is_refused() {
    for (text, code) in [
        ("jo\u{E000}se@acme.test", "U+E000"),
        ("jo\u{10FFFD}se@acme.test", "U+10FFFD"),
        ("jo\u{0378}se@acme.test", "U+0378"),
    ] {
        let message = refusal(text);
        assert!(message.contains(code), "{text:?}: {message}");
    }
}

#[test]
fn a_decomposed_accent_is_the_same_address_as_the_composed_one() {
    let composed = Email::parse("jos\u{00E9}@acme.test").unwrap();
    let decomposed = Email::parse("jose\u{0301}@acme.test").unwrap();
    assert_eq!(decomposed, composed);
    assert_eq!(decomposed.as_str(), "jos\u{00E9}@acme.test");
    assert_eq!(
        Email::parse("JOSE\u{0301}@ACME.test").unwrap(),
        composed,
        "and in capitals"
    );
    // A canonical singleton (the Kelvin sign) is its letter.
    assert_eq!(
        Email::parse("\u{212A}im@acme.test").unwrap().as_str(),
        "kim@acme.test"
    );
}

#[test]
fn ordinary_addresses_in_any_script_still_parse() {
    for text in [
        "ann@example.com",
        "o'brien@example.com",
        "-dash@example.com",
        "+plus@example.com",
        "=equals@example.com",
        "müller@bücher.example",
        "δοκιμή@παράδειγμα.δοκιμή",
        "用户@例子.广告",
        "अजय@डाटा.भारत",
    ] {
        assert!(Email::parse(text).is_ok(), "{text:?}");
    }
}

/// Ordinary characters; characters that change under normalization or case
/// mapping (and must come out in one form); characters that must be refused.
fn character() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => proptest::sample::select(vec!['a', 'j', 'o', 's', 'e', 'k', '1', '.', '-', '+', '\'']),
        3 => proptest::sample::select(vec![
            '\u{0301}', '\u{0308}', '\u{0327}', '\u{0345}', '\u{00E9}', '\u{00C9}', '\u{212A}',
            '\u{212B}', '\u{2126}', '\u{0130}', '\u{03A3}', '\u{03C2}', '\u{0399}', '\u{1FBE}',
            '\u{00DF}', '\u{1E9E}', '\u{01C5}', '\u{1100}', '\u{1161}', '\u{11A8}', '\u{AC00}',
        ]),
        1 => proptest::sample::select(vec![
            '\u{FB01}', '\u{FF4A}', '\u{FF2A}', '\u{200B}', '\u{200D}', '\u{00AD}', '\u{2060}',
            '\u{FEFF}', '\u{202E}', '\u{034F}', '\u{FE0F}', '\u{E000}', '\u{0378}',
        ]),
        1 => any::<char>(),
    ]
}

fn part() -> impl Strategy<Value = String> {
    proptest::collection::vec(character(), 1..8).prop_map(|cs| cs.into_iter().collect())
}

/// Mostly something shaped like an address, so most cases get past the shape.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (part(), part(), part()).prop_map(|(l, d, t)| format!("{l}@{d}.{t}")),
        1 => proptest::collection::vec(character(), 0..24).prop_map(|cs| cs.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn parsing_a_parsed_address_gives_it_back(text in text()) {
        if let Ok(email) = Email::parse(&text) {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
        }
    }

    #[test]
    fn a_parsed_address_is_nfc_and_its_own_nfkc(text in text()) {
        if let Ok(email) = Email::parse(&text) {
            let s = email.as_str();
            prop_assert!(unicode_normalization::is_nfc(s), "{:?}", s);
            prop_assert_eq!(s.nfkc().collect::<String>(), s);
        }
    }

    #[test]
    fn no_format_character_survives_parsing(text in text()) {
        if let Ok(email) = Email::parse(&text) {
            let s = email.as_str();
            prop_assert!(
                s.chars().all(|c| c.general_category() != GeneralCategory::Format),
                "{:?}", s
            );
        }
    }

    #[test]
    fn canonically_equivalent_texts_are_one_address(text in text()) {
        let nfc: String = text.nfc().collect();
        let nfd: String = text.nfd().collect();
        // Accepted as one address, or both refused (each message echoes what was typed).
        prop_assert_eq!(Email::parse(&nfc).ok(), Email::parse(&nfd).ok());
        prop_assert_eq!(Email::parse(&nfc).is_err(), Email::parse(&nfd).is_err());
    }
}
