//! Why a use case did not do what it was asked: one variant per reason, each
//! with its stable `reason` word and a message for people. Adapters map the
//! `ErrorKind` to their own answer (the API to a status, the console to a page,
//! the CLI to an exit) in one place each; see docs/architecture.md#errors.

use crate::auth::{HashingBusy, HashingError, KeyError};
use crate::service::ServiceError;
use crate::store::StoreError;
use std::time::Duration;
use steward_core::import_file::ImportFileError;
use steward_core::{Email, ParseError, Refusal, RefusalKind};

/// Every error a use case answers with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The core refused: its typed reason (`last_admin`, `unknown_member`...).
    #[error(transparent)]
    Refused(Refusal),
    /// An input that did not parse or is out of range; `field` names it and is
    /// the reason (`name`, `email`, `limit`...).
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A CSV file refused whole, with its line and column.
    #[error(transparent)]
    ImportFile(#[from] ImportFileError),
    /// A file over the use case's limit.
    #[error("the file is larger than {} MiB", .limit / (1024 * 1024))]
    FileTooLarge { limit: usize },
    /// No credentials, wrong ones or spent ones.
    #[error(transparent)]
    Unauthenticated(#[from] Unauthenticated),
    /// The caller may not do this.
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("an account with {0} already exists; sign in instead")]
    DuplicateEmail(Email),
    /// Self-service signup is turned off on this deployment.
    #[error("signup is turned off here; ask an administrator for an invitation")]
    SignupDisabled,
    #[error("no such API key")]
    UnknownApiKey,
    /// A webhook id that is no id at all (a well-formed unknown one is the
    /// core's `unknown_webhook`).
    #[error("no such webhook")]
    NoSuchWebhook,
    /// A delivery the endpoint never had.
    #[error("no such delivery")]
    UnknownDelivery,
    /// AuthZEN's endpoints answer for one organization: the API key's.
    #[error(
        "AuthZEN is asked with an API key (stw_key_...): its organization is the one asked about"
    )]
    ApiKeyRequired,
    /// A member id that is no id at all (a well-formed unknown one is the core's
    /// `unknown_member`).
    #[error("no such member")]
    NoSuchMember,
    /// An object id that is no id at all.
    #[error("no such object")]
    NoSuchObject,
    /// An invitation or setup link that is unknown, used or expired.
    #[error("this link is unknown, used or expired")]
    UnknownLink,
    /// A password-reset or address link that is unknown, used or expired.
    #[error("this link is unknown, used or expired; ask for a new one")]
    UnknownMailLink,
    /// The console's import: the file posted is not the one previewed.
    #[error("the file is not the one previewed; preview it again before importing")]
    FileChanged,
    /// The console's import: rows the preview accepted are refused now.
    #[error("nothing was imported: {refused} rows were refused (the organization changed since the preview); preview the file again")]
    ImportRefused { refused: usize },
    #[error("too many attempts; try again in {} s", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// More passwords to hash than the node's bound lets through in time.
    #[error(transparent)]
    Busy(#[from] HashingBusy),
    /// A directory group (SCIM) that is not there.
    #[error("no such group")]
    UnknownGroup,
    /// A directory provisions someone already provisioned (the same `userName`,
    /// or the address of a member): it should find them and update them.
    #[error("{0} is already provisioned; look them up and update them instead")]
    AlreadyProvisioned(String),
    /// A second factor is set up already: turn it off before setting up another.
    #[error("a second factor is set up already; turn it off first to set up another")]
    SecondFactorEnrolled,
    /// No second factor (or none waiting for its first code) to confirm or
    /// turn off.
    #[error("no second factor is set up; start the setup first")]
    NoSecondFactor,
    /// Password sign-in of a member whose organization signs them in through
    /// its provider (docs/sign-in.md#sso-required).
    #[error("your organization signs you in through {issuer}: use single sign-on")]
    SsoRequired { issuer: String },
    /// No provider for this address's domain, or the organization has none.
    #[error("single sign-on is not set up for this address or organization")]
    SsoNotConfigured,
    /// A domain another organization claims already: one domain, one organization.
    #[error("the domain {0} is claimed by another organization")]
    SsoDomainTaken(String),
    /// Proving a domain needs a verified address on it.
    #[error("nobody in this organization has a verified address on {0}: verify one first")]
    SsoNoProof(String),
    /// The provider's discovery or token endpoint did not answer as OpenID Connect
    /// says (the detail goes to the log, not to the caller).
    #[error("the identity provider could not be reached or answered wrongly; try again or ask an administrator")]
    SsoProviderFailed,
    /// Anything the caller cannot fix: adapters log it and show generic text.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Who is asking could not be told, or not any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unauthenticated {
    #[error("send Authorization: Bearer <token>")]
    MissingCredentials,
    #[error("the token is not valid")]
    InvalidToken,
    #[error("the account no longer exists")]
    AccountGone,
    #[error("the access token has expired; refresh it")]
    TokenExpired,
    #[error("this API key is unknown or revoked")]
    InvalidApiKey,
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    #[error("the refresh token is not valid")]
    InvalidRefreshToken,
    #[error("the refresh token has expired")]
    RefreshTokenExpired,
    #[error("this refresh token was already used; every session from that login is signed out")]
    RefreshTokenReused,
    #[error("the refresh token was revoked; sign in again")]
    RefreshTokenRevoked,
    /// An invitation to an address that has an account: its owner signs in first.
    #[error("an account with this address exists: sign in, then accept the invitation again with its access token")]
    SignInRequired,
    /// The right password for an account whose address is not proven yet.
    #[error("confirm your address first: open the link mailed to it (a new one was just sent)")]
    EmailUnverified,
    /// A second-factor step whose challenge is unknown, used or expired.
    #[error("this sign-in step is unknown, used or expired; sign in again")]
    InvalidChallenge,
    /// The code of a second-factor step is not the account's, or was used.
    #[error("that code is not right, or was used already")]
    InvalidSecondFactorCode,
    /// A single sign-on that came back with a state that is unknown, already used
    /// or expired (a replay, or a sign-in left too long).
    #[error("this single sign-on is unknown, used or expired; start again")]
    SsoStateInvalid,
    /// The provider's ID token failed a check: issuer, audience, expiry,
    /// signature or nonce (which one goes to the log only).
    #[error("the identity provider's answer was refused; start again")]
    SsoTokenInvalid,
    /// The ID token's address is not verified or not on a proven domain of the
    /// organization whose provider answered.
    #[error(
        "the identity provider's address is not one this organization's single sign-on covers"
    )]
    SsoEmailRefused,
}

impl Unauthenticated {
    pub fn reason(self) -> &'static str {
        match self {
            Unauthenticated::MissingCredentials => "missing_credentials",
            Unauthenticated::InvalidToken | Unauthenticated::AccountGone => "invalid_token",
            Unauthenticated::TokenExpired => "token_expired",
            Unauthenticated::InvalidApiKey => "invalid_api_key",
            Unauthenticated::InvalidCredentials => "invalid_credentials",
            Unauthenticated::InvalidRefreshToken => "invalid_refresh_token",
            Unauthenticated::RefreshTokenExpired => "refresh_token_expired",
            Unauthenticated::RefreshTokenReused => "refresh_token_reused",
            Unauthenticated::RefreshTokenRevoked => "refresh_token_revoked",
            Unauthenticated::SignInRequired => "sign_in_required",
            Unauthenticated::EmailUnverified => "email_unverified",
            Unauthenticated::InvalidChallenge => "invalid_challenge",
            Unauthenticated::InvalidSecondFactorCode => "invalid_second_factor_code",
            Unauthenticated::SsoStateInvalid => "sso_state_invalid",
            Unauthenticated::SsoTokenInvalid => "sso_token_invalid",
            Unauthenticated::SsoEmailRefused => "sso_email_refused",
        }
    }
}

/// The caller is known and may not do this (reason `not_permitted`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// A member whose role does not give the action.
    #[error("this needs {action}, which your role does not give")]
    Lacks { action: String },
    /// An API key asked to change something.
    #[error("an API key may only read and check; sign in as a member to make changes")]
    KeyOnlyReadsAndChecks,
    /// An API key refused by steward-core's rule for keys (`KeyDenial`, in words).
    #[error("{0}")]
    Key(String),
    #[error("an API key has no account; /me is for people")]
    KeyHasNoAccount,
    #[error("an API key cannot create organizations")]
    KeyCannotCreateOrganizations,
    /// Who may do what on an object is for those who may change it: the type's
    /// `share` action (its owner, and the roles the policy gives that action).
    #[error("only its owner and members whose role gives {action} may see who may do what on this {object_type}")]
    MayNotShare { action: String, object_type: String },
}

/// What sort of failure an error is: what adapters map to their answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    TooLarge,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    Unavailable,
    Internal,
}

impl AppError {
    /// A field that did not parse: the field is the reason.
    pub fn field(field: &'static str, error: impl std::fmt::Display) -> AppError {
        AppError::Invalid {
            field,
            message: format!("{field}: {error}"),
        }
    }

    /// An input out of range, in the caller's words.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// Another organization's id, or one this caller may not know of.
    pub fn no_organization() -> AppError {
        AppError::Refused(Refusal::NoOrganization)
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::Refused(refusal) => match refusal.kind() {
                RefusalKind::Invalid => ErrorKind::Invalid,
                RefusalKind::Forbidden => ErrorKind::Forbidden,
                RefusalKind::NotFound => ErrorKind::NotFound,
                RefusalKind::Conflict => ErrorKind::Conflict,
            },
            AppError::Invalid { .. } | AppError::ImportFile(_) => ErrorKind::Invalid,
            AppError::FileTooLarge { .. } => ErrorKind::TooLarge,
            AppError::Unauthenticated(_) => ErrorKind::Unauthenticated,
            AppError::Denied(_) | AppError::ApiKeyRequired | AppError::SsoRequired { .. } => {
                ErrorKind::Forbidden
            }
            AppError::SsoNoProof(_) | AppError::SsoProviderFailed => ErrorKind::Invalid,
            AppError::SsoNotConfigured => ErrorKind::NotFound,
            AppError::SsoDomainTaken(_) => ErrorKind::Conflict,
            AppError::SignupDisabled
            | AppError::UnknownApiKey
            | AppError::NoSuchWebhook
            | AppError::UnknownDelivery
            | AppError::NoSuchMember
            | AppError::NoSuchObject
            | AppError::UnknownLink
            | AppError::UnknownMailLink
            | AppError::UnknownGroup
            | AppError::NoSecondFactor => ErrorKind::NotFound,
            AppError::DuplicateEmail(_)
            | AppError::AlreadyProvisioned(_)
            | AppError::FileChanged
            | AppError::SecondFactorEnrolled
            | AppError::ImportRefused { .. } => ErrorKind::Conflict,
            AppError::RateLimited { .. } => ErrorKind::RateLimited,
            AppError::Busy(_) => ErrorKind::Unavailable,
            AppError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The stable word clients branch on (docs/api.md#errors).
    pub fn reason(&self) -> &'static str {
        match self {
            AppError::Refused(refusal) => refusal.reason(),
            AppError::Invalid { field, .. } => field,
            AppError::ImportFile(e) => e.reason(),
            AppError::FileTooLarge { .. } => "file_too_large",
            AppError::Unauthenticated(u) => u.reason(),
            AppError::Denied(_) => "not_permitted",
            AppError::DuplicateEmail(_) => "duplicate_email",
            AppError::SignupDisabled => "signup_disabled",
            AppError::UnknownApiKey => "unknown_api_key",
            AppError::NoSuchWebhook => "unknown_webhook",
            AppError::UnknownDelivery => "unknown_delivery",
            AppError::ApiKeyRequired => "api_key_required",
            AppError::NoSuchMember => "unknown_member",
            AppError::NoSuchObject => "unknown_object",
            AppError::UnknownLink => "unknown_invitation",
            AppError::UnknownMailLink => "unknown_link",
            AppError::FileChanged => "file_changed",
            AppError::ImportRefused { .. } => "import_refused",
            AppError::RateLimited { .. } => "too_many_attempts",
            AppError::Busy(_) => "busy",
            AppError::UnknownGroup => "unknown_group",
            AppError::AlreadyProvisioned(_) => "already_provisioned",
            AppError::SecondFactorEnrolled => "second_factor_enrolled",
            AppError::NoSecondFactor => "no_second_factor",
            AppError::SsoRequired { .. } => "sso_required",
            AppError::SsoNotConfigured => "sso_not_configured",
            AppError::SsoDomainTaken(_) => "sso_domain_taken",
            AppError::SsoNoProof(_) => "sso_no_proof",
            AppError::SsoProviderFailed => "sso_provider_failed",
            AppError::Internal(_) => "internal",
        }
    }

    /// How long the caller should wait before trying again, when that is known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            AppError::RateLimited { retry_after } | AppError::Busy(HashingBusy { retry_after }) => {
                Some(*retry_after)
            }
            _ => None,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        AppError::Refused(refusal)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NoSuchOrganization(_) => AppError::no_organization(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<HashingError> for AppError {
    fn from(e: HashingError) -> AppError {
        match e {
            HashingError::Busy(busy) => AppError::Busy(busy),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<KeyError> for AppError {
    fn from(e: KeyError) -> AppError {
        match e {
            KeyError::Store(e) => e.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> AppError {
        match e {
            ServiceError::Refused(r) => r.into(),
            ServiceError::Store(s) => s.into(),
        }
    }
}

impl From<ParseError> for AppError {
    fn from(e: ParseError) -> AppError {
        let field = match e {
            ParseError::BadEmail(_) => "email",
            ParseError::Empty { .. } | ParseError::TooLong { .. } => "invalid_value",
            ParseError::BadCharacter { .. } => "invalid_value",
        };
        AppError::invalid(field, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_the_core_reason_and_kind() {
        let e = AppError::from(Refusal::LastAdmin);
        assert_eq!((e.kind(), e.reason()), (ErrorKind::Forbidden, "last_admin"));
        let e = AppError::from(Refusal::NoOrganization);
        assert_eq!((e.kind(), e.reason()), (ErrorKind::NotFound, "unknown_org"));
    }

    #[test]
    fn every_denial_is_not_permitted() {
        let e = AppError::from(Denied::Lacks {
            action: "audit:view".into(),
        });
        assert_eq!(e.reason(), "not_permitted");
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(
            e.to_string(),
            "this needs audit:view, which your role does not give"
        );
    }

    #[test]
    fn the_wait_is_known_for_limits_only() {
        let limited = AppError::RateLimited {
            retry_after: Duration::from_secs(30),
        };
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(30)));
        assert_eq!(limited.kind(), ErrorKind::RateLimited);
        assert_eq!(AppError::UnknownLink.retry_after(), None);
    }
}
