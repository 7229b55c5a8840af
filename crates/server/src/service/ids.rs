//! Ids for new things. The core takes them as arguments (it has no randomness);
//! they are random, so two nodes never choose the same one.

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

macro_rules! new_ids {
    ($($fn:ident -> $ty:ident, $prefix:literal;)*) => {
        $(
            pub fn $fn() -> steward_core::$ty {
                steward_core::$ty::parse(&random_id($prefix)).expect("random ids are valid ids")
            }
        )*
    };
}

new_ids! {
    new_org_id -> OrgId, "org";
    new_user_id -> UserId, "usr";
    new_object_id -> ObjectId, "obj";
    new_invitation_id -> InvitationId, "inv";
    new_nomination_id -> NominationId, "nom";
}
