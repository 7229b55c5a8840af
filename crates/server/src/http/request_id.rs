//! The id of a request (`x-request-id`) when its client sent none: a random
//! UUID v4 drawn from the thread's generator, so making one is no system call
//! (tower-http's `MakeRequestUuid` asks the kernel for each), written on the
//! stack (no allocation until the answer's header).

use rand::RngCore;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A random UUID v4 as its 36 characters of text.
pub fn random_request_id() -> [u8; 36] {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    // Version 4, variant 1 (RFC 9562): a random UUID like any other.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = [0u8; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text[at] = b'-';
            at += 1;
        }
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0x0f)];
        at += 2;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made() -> String {
        String::from_utf8(random_request_id().to_vec()).unwrap()
    }

    #[test]
    fn a_made_request_id_is_a_random_uuid_and_never_the_same_twice() {
        let (one, two) = (made(), made());
        assert_ne!(one, two);
        assert_eq!(one.len(), 36);
        let groups: Vec<usize> = one.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&one[14..15], "4");
        assert!(matches!(&one[19..20], "8" | "9" | "a" | "b"));
        assert!(one.bytes().all(|b| b == b'-' || HEX.contains(&b)));
    }
}
