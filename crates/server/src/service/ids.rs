//! Ids for new things. The core takes them as arguments (it has no randomness);
//! they are random, so two nodes never choose the same one. Tests name databases
//! with them; the API's handlers will name organizations, objects and invitations.

use rand::Rng;

/// `prefix` and 20 random base-32 characters (100 bits).
pub fn random_id(prefix: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut rng = rand::thread_rng();
    let mut id = String::with_capacity(prefix.len() + 21);
    id.push_str(prefix);
    id.push('_');
    for _ in 0..20 {
        id.push(ALPHABET[rng.gen_range(0..32)] as char);
    }
    id
}
