//! The ids Steward mints: a prefix, `_` and 20 base-32 characters. An object's id
//! also carries a hint, the organization-local number it was created with, so a
//! snapshot finds the object's entry without hashing the id (docs/model.md#minted-ids).
//! The core owns the format; the caller brings the randomness.

/// The characters after the `_`: digits and lower-case letters without `i`, `l`, `o`
/// and `u`, which read like other characters.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters after the prefix's `_`.
pub const MINTED_CHARS: usize = 20;
/// The first character after the `_` of a hinted id. It is not in `ALPHABET`, so no
/// id minted before hints existed is taken for a hinted one.
pub const HINT_MARK: u8 = b'u';
/// Base-32 characters of the hint, after the mark, most significant first.
pub const HINT_CHARS: usize = 5;
/// Hints run from 0 to below this; past it, ids are minted without one.
pub const HINT_LIMIT: u32 = 1 << (5 * HINT_CHARS);

/// Each byte's value in `ALPHABET`, or `NOT_IN_ALPHABET`.
const VALUE: [u8; 256] = {
    let mut v = [NOT_IN_ALPHABET; 256];
    let mut i = 0;
    while i < 32 {
        v[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    v
};
/// All ones: as a signed byte, -1 (see `id_hint`).
const NOT_IN_ALPHABET: u8 = 0xff;

/// `prefix`, `_` and 20 characters, each from the low five bits of a byte of
/// `random` (100 bits in all).
pub fn minted_id(prefix: &str, random: &[u8; MINTED_CHARS]) -> String {
    let mut id = String::with_capacity(prefix.len() + 1 + MINTED_CHARS);
    id.push_str(prefix);
    id.push('_');
    id.extend(random.iter().map(|r| ALPHABET[(r & 31) as usize] as char));
    id
}

/// `prefix`, `_`, the mark `u`, `hint` in five characters and 14 random ones (70
/// bits): still 20 characters after the `_`. A hint at or past `HINT_LIMIT` is left
/// out (`minted_id`). Hints need not be unique: an id whose hint another id holds
/// is found the slower way.
pub fn hinted_id(prefix: &str, hint: u32, random: &[u8; MINTED_CHARS]) -> String {
    if hint >= HINT_LIMIT {
        return minted_id(prefix, random);
    }
    let mut id = minted_id(prefix, random);
    let at = prefix.len() + 1;
    let mut hint_text = [HINT_MARK; 1 + HINT_CHARS];
    for (i, c) in hint_text[1..].iter_mut().enumerate() {
        *c = ALPHABET[(hint >> (5 * (HINT_CHARS - 1 - i)) & 31) as usize];
    }
    // Both are ASCII, so the text stays valid UTF-8.
    id.replace_range(
        at..at + 1 + HINT_CHARS,
        std::str::from_utf8(&hint_text).unwrap_or(""),
    );
    id
}

/// The hint an id carries, if it has a hinted id's shape: `_`, the mark and five
/// characters of `ALPHABET`, 20 characters from its end. Any id may be asked; an
/// imported one of that shape gets a hint too, which is harmless (a hint only says
/// where to look first).
///
/// On `check_by_name`'s path, so in few instructions: one two-byte compare for `_`
/// and the mark, then per character one read of `VALUE` (256 bytes, so no bounds
/// check), a shift and an OR. `NOT_IN_ALPHABET` is all ones and widens with its sign,
/// so wherever it is shifted it sets a bit at or above `HINT_LIMIT`: one compare at
/// the end refuses any character outside the alphabet.
#[inline(always)]
pub fn id_hint(id: &[u8]) -> Option<u32> {
    let n = id.len();
    if n < 1 + MINTED_CHARS {
        return None;
    }
    let Ok(text) = <&[u8; 2 + HINT_CHARS]>::try_from(&id[n - 21..n - 14]) else {
        return None;
    };
    if u16::from_le_bytes([text[0], text[1]]) != u16::from_le_bytes([b'_', HINT_MARK]) {
        return None;
    }
    let v = |c: u8| VALUE[c as usize] as i8 as i32 as u32;
    let hint =
        v(text[2]) << 20 | v(text[3]) << 15 | v(text[4]) << 10 | v(text[5]) << 5 | v(text[6]);
    (hint < HINT_LIMIT).then_some(hint)
}

/// `id_hint` as the format defines it, a character at a time: what the tests hold
/// the fast one to.
#[cfg(test)]
fn plain_hint(id: &[u8]) -> Option<u32> {
    let n = id.len();
    if n < 21 || id[n - 21] != b'_' || id[n - 20] != HINT_MARK {
        return None;
    }
    id[n - 19..n - 14].iter().try_fold(0u32, |hint, c| {
        let v = ALPHABET.iter().position(|a| a == c)?;
        Some(hint * 32 + v as u32)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: [u8; MINTED_CHARS] = [
        7, 200, 31, 32, 1, 9, 250, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ];

    #[test]
    fn a_hinted_id_has_twenty_characters_after_its_prefix_and_gives_its_hint_back() {
        for hint in [0, 1, 31, 32, 1000, 600_001, HINT_LIMIT - 1] {
            let id = hinted_id("project", hint, &RANDOM);
            assert_eq!(id.len(), "project_".len() + MINTED_CHARS, "{id}");
            assert!(id.starts_with("project_u"), "{id}");
            assert_eq!(id_hint(id.as_bytes()), Some(hint), "{id}");
        }
    }

    #[test]
    fn ids_minted_without_a_hint_never_look_hinted() {
        for b in 0..=255u8 {
            let id = minted_id("usr", &[b; MINTED_CHARS]);
            assert_eq!(id.len(), 24);
            assert!(id[4..].bytes().all(|c| ALPHABET.contains(&c)));
            assert_eq!(id_hint(id.as_bytes()), None, "{id}");
        }
        assert_eq!(
            hinted_id("obj", HINT_LIMIT, &RANDOM),
            minted_id("obj", &RANDOM)
        );
    }

    #[test]
    fn only_the_exact_shape_has_a_hint() {
        assert_eq!(id_hint(b"p_u00001abcdefghjkmnpq"), Some(1));
        assert_eq!(id_hint(b"_u0000zabcdefghjkmnpq"), Some(31));
        assert_eq!(id_hint(b"p_u0000iabcdefghjkmnpq"), None, "i is not base-32");
        assert_eq!(
            id_hint(b"p_U00001abcdefghjkmnpq"),
            None,
            "the mark is lower-case"
        );
        assert_eq!(id_hint(b"p-u00001abcdefghjkmnpq"), None);
        assert_eq!(id_hint(b"u00001abcdefghjkmnpq"), None, "too short");
        assert_eq!(id_hint(b"p3"), None);
    }

    #[test]
    fn every_hint_round_trips() {
        let mut id = *b"question_u00000abcdefghjkmnpq";
        for hint in 0..HINT_LIMIT {
            for (i, c) in id[10..15].iter_mut().enumerate() {
                *c = ALPHABET[(hint >> (5 * (4 - i)) & 31) as usize];
            }
            if id_hint(&id) != Some(hint) {
                panic!("{hint}: {:?}", std::str::from_utf8(&id));
            }
        }
    }

    #[test]
    fn every_character_outside_the_alphabet_is_refused_at_every_place_of_the_hint() {
        for at in 0..HINT_CHARS {
            for c in 0..=255u8 {
                let mut id = *b"p_u3z9ykabcdefghjkmnpq";
                id[3 + at] = c;
                assert_eq!(id_hint(&id).is_some(), ALPHABET.contains(&c), "{c} at {at}");
                assert_eq!(id_hint(&id), plain_hint(&id), "{c} at {at}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_decoding_answers_as_the_plain_definition(
            id in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(ALPHABET.to_vec()),
                    proptest::sample::select(vec![b'_', b'u', b'i', b'l', b'o', b'A', b'-', 0, 0xff]),
                    proptest::num::u8::ANY,
                ],
                0..40,
            ),
            mark in proptest::bool::ANY,
        ) {
            let mut id = id;
            let n = id.len();
            if mark && n >= 21 {
                id[n - 21] = b'_';
                id[n - 20] = HINT_MARK;
            }
            proptest::prop_assert_eq!(id_hint(&id), plain_hint(&id));
        }
    }
}
