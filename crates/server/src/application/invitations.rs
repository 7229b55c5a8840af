//! Invitations: how one is made, shown and accepted.

use crate::secrets::new_secret;
use steward_core::InvitationId;

/// How long an invitation lasts when its maker does not say.
pub const INVITATION_DAYS: u32 = 7;

/// An invitation token is `<org>.<secret>`; the invitation's id is derived from
/// the secret's hash, so the audit log (which shows ids) never holds the secret.
pub fn invitation_token(org: &str) -> (String, InvitationId) {
    let secret = new_secret("inv_");
    let id = invitation_id_of(&secret);
    (format!("{org}.{secret}"), id)
}

pub fn invitation_id_of(secret: &str) -> InvitationId {
    let hash = crate::secrets::secret_hash_hex(secret);
    // 32 hex digits after `inv_` always make a valid id.
    InvitationId::parse(&format!("inv_{}", &hash[..32]))
        .unwrap_or_else(|_| unreachable!("hex digits make a valid id"))
}

/// Splits a token into its organization and invitation id.
pub fn parse_invitation_token(token: &str) -> Option<(String, InvitationId)> {
    let (org, secret) = token.rsplit_once('.')?;
    if !secret.starts_with("inv_") {
        return None;
    }
    Some((org.to_string(), invitation_id_of(secret)))
}
