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
#[inline(always)]
pub fn id_hint(id: &[u8]) -> Option<u32> {
    let n = id.len();
    if n < 1 + MINTED_CHARS || id[n - 21] != b'_' || id[n - 20] != HINT_MARK {
        return None;
    }
    let at = n - 19;
    let mut hint = 0u32;
    let mut bad = 0u8;
    for &c in &id[at..at + HINT_CHARS] {
        let v = VALUE[c as usize];
        bad |= v;
        hint = hint << 5 | (v & 31) as u32;
    }
    // Only NOT_IN_ALPHABET has the high bits set.
    (bad & 0xe0 == 0).then_some(hint)
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
}
