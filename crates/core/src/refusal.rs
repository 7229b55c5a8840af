//! Why a command was refused: one variant per rule, each with the `reason` string of
//! the HTTP contract, and the class of answer it deserves.

use crate::id::{ApiKeyId, Email, ObjectId, UserId, WebhookId};

/// The class of a refusal; the HTTP layer turns it into a status in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Malformed input or a name the policy does not know (400).
    Invalid,
    /// A governance rule forbids it (403).
    Forbidden,
    /// No such thing, as far as this caller may know (404).
    NotFound,
    /// The state does not allow it now (409).
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("your role does not allow this")]
    NotPermitted,
    #[error("nobody changes their own role or deletes themselves; ask another administrator")]
    SelfChange,
    #[error("that is above your own role")]
    AboveOwnRank,
    #[error("the owner cannot be demoted or removed by someone who is not an owner")]
    CannotDemoteOwner,
    #[error("the owner role is given only through the ownership transfer")]
    OwnerViaTransferOnly,
    #[error("the organization owner cannot be edited, changed or deleted")]
    OwnerImmutable,
    #[error("this would leave the organization with fewer admins than its policy requires")]
    LastAdmin,
    #[error("the organization's owner cannot be suspended")]
    OwnerNotSuspendable,
    #[error("this would leave the organization without an owner")]
    LastOwner,
    #[error("only the nominee can accept or decline the ownership transfer")]
    NotNominee,
    #[error("an e-mail address never changes")]
    EmailImmutable,
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    #[error("unknown action {0:?}")]
    UnknownAction(String),
    #[error("unknown object type {0:?}")]
    UnknownType(String),
    #[error("action {action} does not apply to a {object_type}")]
    ActionNotApplicable { action: String, object_type: String },
    #[error("{0} is not a scope that holds roles")]
    NotAScope(ObjectId),
    #[error("a {0} holds one role per member")]
    SingleRoleScope(String),
    #[error("a {object_type} cannot be placed there: {expected}")]
    InvalidParent {
        object_type: String,
        expected: String,
    },
    #[error("a {0} always has its parent's owner")]
    OwnerFollowsParent(String),
    #[error("this policy has no root account to hand objects to")]
    NoRootAccount,
    #[error("the expiry must be in the future")]
    ExpiryInPast,
    #[error("no such organization")]
    NoOrganization,
    #[error("no such member: {0}")]
    UnknownMember(UserId),
    #[error("no such object: {0}")]
    UnknownObject(ObjectId),
    #[error("no such invitation")]
    UnknownInvitation,
    #[error("there is no pending ownership transfer")]
    NoPendingTransfer,
    #[error("the organization already exists")]
    OrganizationExists,
    #[error("{0} is already a member")]
    DuplicateEmail(Email),
    #[error("{0} has already been invited")]
    AlreadyInvited(Email),
    #[error("{0} appears more than once in the file")]
    DuplicateInFile(Email),
    #[error("that account is already a member")]
    AlreadyMember,
    #[error("an object with id {0} already exists")]
    DuplicateObject(ObjectId),
    #[error("an invitation with that id already exists")]
    DuplicateInvitation,
    #[error("an ownership transfer is already pending")]
    TransferPending,
    #[error("the ownership transfer has expired")]
    TransferExpired,
    #[error("the invitation has expired")]
    InvitationExpired,
    #[error("unknown API key permission {0:?}; a key may have \"check\" and \"read\"")]
    UnknownPermission(String),
    #[error("an API key needs at least one permission")]
    NoPermissions,
    #[error("the key hash must be the SHA-256 of the secret, in 64 lowercase hex characters")]
    InvalidKeyHash,
    #[error("an API key with that id or secret already exists")]
    DuplicateApiKey,
    #[error("no such API key: {0}")]
    UnknownApiKey(ApiKeyId),
    #[error("this organization requires its admins and owners to have a second factor; set one up on your account page first")]
    SecondFactorRequired,
    #[error("this person is also a member of other organizations; their second factor is theirs to reset, or an operator's")]
    MemberOfOtherOrganizations,
    #[error("single sign-on gives the default role {0:?}, which is an owner's or an admin's; choose a lower default role")]
    SsoRoleTooHigh(String),
    #[error("the address that proves a domain must be on it ({0})")]
    SsoAddressNotOnDomain(String),
    #[error("unknown event type {0:?}")]
    UnknownEventType(String),
    #[error("a webhook URL is an absolute http:// or https:// URL with a host and no user or password; {0:?} is not")]
    InvalidWebhookUrl(String),
    #[error("no such webhook: {0}")]
    UnknownWebhook(WebhookId),
    #[error("{} rows were refused; nothing was applied", .0.len())]
    Rows(Vec<RowRefusal>),
}

/// One refused row of a batch, with the file line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRefusal {
    pub line: usize,
    pub email: Option<Email>,
    pub refusal: Refusal,
}

impl Refusal {
    /// The machine-readable reason of the HTTP contract.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::NotPermitted => "not_permitted",
            Refusal::SelfChange => "self_change",
            Refusal::AboveOwnRank => "above_own_rank",
            Refusal::CannotDemoteOwner => "cannot_demote_owner",
            Refusal::OwnerViaTransferOnly => "owner_via_transfer_only",
            Refusal::OwnerImmutable => "owner_immutable",
            Refusal::LastAdmin => "last_admin",
            Refusal::OwnerNotSuspendable => "owner_not_suspendable",
            Refusal::LastOwner => "last_owner",
            Refusal::NotNominee => "not_nominee",
            Refusal::EmailImmutable => "email_immutable",
            Refusal::UnknownRole(_) => "unknown_role",
            Refusal::UnknownAction(_) => "unknown_action",
            Refusal::UnknownType(_) => "unknown_type",
            Refusal::ActionNotApplicable { .. } => "action_not_applicable",
            Refusal::NotAScope(_) => "not_a_scope",
            Refusal::SingleRoleScope(_) => "single_role_scope",
            Refusal::InvalidParent { .. } => "invalid_parent",
            Refusal::OwnerFollowsParent(_) => "owner_follows_parent",
            Refusal::NoRootAccount => "no_root_account",
            Refusal::ExpiryInPast => "expiry_in_past",
            Refusal::NoOrganization => "unknown_org",
            Refusal::UnknownMember(_) => "unknown_member",
            Refusal::UnknownObject(_) => "unknown_object",
            Refusal::UnknownInvitation => "unknown_invitation",
            Refusal::NoPendingTransfer => "no_pending_transfer",
            Refusal::OrganizationExists => "org_exists",
            Refusal::DuplicateEmail(_) => "duplicate_email",
            Refusal::AlreadyInvited(_) => "already_invited",
            Refusal::DuplicateInFile(_) => "duplicate_in_file",
            Refusal::AlreadyMember => "already_member",
            Refusal::DuplicateObject(_) => "duplicate_object",
            Refusal::DuplicateInvitation => "duplicate_invitation",
            Refusal::TransferPending => "transfer_pending",
            Refusal::TransferExpired => "transfer_expired",
            Refusal::InvitationExpired => "invitation_expired",
            Refusal::UnknownPermission(_) => "unknown_permission",
            Refusal::NoPermissions => "no_permissions",
            Refusal::InvalidKeyHash => "invalid_key_hash",
            Refusal::DuplicateApiKey => "duplicate_api_key",
            Refusal::UnknownApiKey(_) => "unknown_api_key",
            Refusal::SecondFactorRequired => "second_factor_required",
            Refusal::MemberOfOtherOrganizations => "member_of_other_organizations",
            Refusal::SsoRoleTooHigh(_) => "sso_role_too_high",
            Refusal::SsoAddressNotOnDomain(_) => "sso_address_not_on_domain",
            Refusal::UnknownEventType(_) => "unknown_event_type",
            Refusal::InvalidWebhookUrl(_) => "invalid_webhook_url",
            Refusal::UnknownWebhook(_) => "unknown_webhook",
            Refusal::Rows(_) => "rows_refused",
        }
    }

    pub fn kind(&self) -> RefusalKind {
        use Refusal::*;
        match self {
            NotPermitted
            | SelfChange
            | AboveOwnRank
            | CannotDemoteOwner
            | OwnerViaTransferOnly
            | OwnerImmutable
            | LastAdmin
            | LastOwner
            | NotNominee
            | SecondFactorRequired
            | MemberOfOtherOrganizations
            | SsoRoleTooHigh(_)
            | OwnerNotSuspendable => RefusalKind::Forbidden,
            EmailImmutable
            | UnknownRole(_)
            | UnknownAction(_)
            | UnknownType(_)
            | ActionNotApplicable { .. }
            | NotAScope(_)
            | SingleRoleScope(_)
            | InvalidParent { .. }
            | OwnerFollowsParent(_)
            | NoRootAccount
            | ExpiryInPast
            | Rows(_)
            | DuplicateInFile(_)
            | UnknownPermission(_)
            | NoPermissions
            | InvalidKeyHash
            | SsoAddressNotOnDomain(_)
            | UnknownEventType(_)
            | InvalidWebhookUrl(_) => RefusalKind::Invalid,
            NoOrganization | UnknownMember(_) | UnknownObject(_) | UnknownInvitation
            | NoPendingTransfer | UnknownApiKey(_) | UnknownWebhook(_) => RefusalKind::NotFound,
            OrganizationExists | DuplicateEmail(_) | AlreadyInvited(_) | AlreadyMember
            | DuplicateObject(_) | DuplicateInvitation | TransferPending | TransferExpired
            | InvitationExpired | DuplicateApiKey => RefusalKind::Conflict,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_has_the_class_its_api_status_needs() {
        assert_eq!(Refusal::CannotDemoteOwner.kind(), RefusalKind::Forbidden);
        assert_eq!(Refusal::LastAdmin.kind(), RefusalKind::Forbidden);
        assert_eq!(Refusal::EmailImmutable.kind(), RefusalKind::Invalid);
        assert_eq!(
            Refusal::UnknownRole("x".into()).kind(),
            RefusalKind::Invalid
        );
        assert_eq!(Refusal::NoOrganization.kind(), RefusalKind::NotFound);
        assert_eq!(Refusal::TransferPending.kind(), RefusalKind::Conflict);
        assert_eq!(Refusal::LastAdmin.reason(), "last_admin");
    }

    #[test]
    fn api_key_refusals_have_their_reasons_and_classes() {
        let key = ApiKeyId::parse("key-1").unwrap();
        for (refusal, reason, kind) in [
            (
                Refusal::UnknownPermission("write".into()),
                "unknown_permission",
                RefusalKind::Invalid,
            ),
            (
                Refusal::NoPermissions,
                "no_permissions",
                RefusalKind::Invalid,
            ),
            (
                Refusal::InvalidKeyHash,
                "invalid_key_hash",
                RefusalKind::Invalid,
            ),
            (
                Refusal::DuplicateApiKey,
                "duplicate_api_key",
                RefusalKind::Conflict,
            ),
            (
                Refusal::UnknownApiKey(key),
                "unknown_api_key",
                RefusalKind::NotFound,
            ),
        ] {
            assert_eq!(refusal.reason(), reason);
            assert_eq!(refusal.kind(), kind, "{reason}");
        }
    }
}
