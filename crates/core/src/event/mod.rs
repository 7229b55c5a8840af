//! Events: what `decide` says happened. They are the audit log, and `apply` folds
//! them into the state, so replaying them rebuilds it.

use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
    WebhookId,
};
use crate::state::Deprovision;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// What a change is called and which ids it names, for the audit filter, the
// feed and webhooks.
mod naming;

/// Who made a change: a member, Steward itself (expiry sweeps, the operator's
/// CLI), or a customer's directory through its SCIM token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Actor {
    User(UserId),
    System,
    /// A directory (Okta, Entra ID...) provisioning through the SCIM token
    /// `key_id`. It acts with the rights of the member who made the token, so
    /// every rule is decided as for them (never above their rank), while the
    /// log names the directory.
    Directory {
        key_id: ApiKeyId,
        creator: UserId,
    },
}

impl Actor {
    /// The member whose rights the change is decided with.
    pub fn user(&self) -> Option<&UserId> {
        match self {
            Actor::User(u) => Some(u),
            Actor::Directory { creator, .. } => Some(creator),
            Actor::System => None,
        }
    }
}

/// Roles held on one scope object, as given in an invitation or an import row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRoles {
    pub object_id: ObjectId,
    pub roles: Vec<String>,
}

/// The audit event types, spelled as `Change` serializes them (its serde `type`
/// tags, which the API publishes); the server names them from here, never in a
/// string of its own. A test holds these to the serde tags.
pub mod event_type {
    pub const ORG_CREATED: &str = "org.created";
    pub const ORG_DELETED: &str = "org.deleted";
    pub const MEMBER_INVITED: &str = "member.invited";
    pub const INVITATION_REVOKED: &str = "invitation.revoked";
    pub const INVITATION_EXPIRED: &str = "invitation.expired";
    pub const MEMBER_JOINED: &str = "member.joined";
    pub const MEMBER_UPDATED: &str = "member.updated";
    pub const MEMBER_DELETED: &str = "member.deleted";
    pub const USER_ROLE_CHANGED: &str = "user.role_changed";
    pub const SCOPE_ROLES_CHANGED: &str = "scope.roles_changed";
    pub const OWNERSHIP_TRANSFER_NOMINATED: &str = "ownership.transfer_nominated";
    pub const OWNERSHIP_TRANSFER_ACCEPTED: &str = "ownership.transfer_accepted";
    pub const OWNERSHIP_TRANSFER_DECLINED: &str = "ownership.transfer_declined";
    pub const OWNERSHIP_TRANSFER_CANCELLED: &str = "ownership.transfer_cancelled";
    pub const OWNERSHIP_TRANSFER_EXPIRED: &str = "ownership.transfer_expired";
    pub const OBJECT_CREATED: &str = "object.created";
    pub const OBJECT_DELETED: &str = "object.deleted";
    pub const OBJECT_OWNER_CHANGED: &str = "object.owner_changed";
    pub const OBJECT_RENAMED: &str = "object.renamed";
    pub const OBJECT_MOVED: &str = "object.moved";
    pub const GRANT_CHANGED: &str = "grant.changed";
    pub const IMPORT_APPLIED: &str = "import.applied";
    pub const API_KEY_CREATED: &str = "api_key.created";
    pub const API_KEY_REVOKED: &str = "api_key.revoked";
    pub const AUTH_LOGIN_FAILED: &str = "auth.login_failed";
    pub const AUTH_PASSWORD_RESET: &str = "auth.password_reset";
    pub const AUTH_PASSWORD_CHANGED: &str = "auth.password_changed";
    pub const SCIM_REFUSED: &str = "scim.refused";
    pub const ORG_SECOND_FACTOR_REQUIRED: &str = "org.second_factor_required";
    pub const AUTH_SECOND_FACTOR_RESET: &str = "auth.second_factor_reset";
    pub const SSO_CONFIGURED: &str = "sso.configured";
    pub const SSO_REMOVED: &str = "sso.removed";
    pub const SSO_DOMAIN_PROVEN: &str = "sso.domain_proven";
    pub const SSO_JOINED: &str = "sso.joined";
    pub const SSO_SIGNED_IN: &str = "sso.signed_in";
    pub const AUTH_BREAK_GLASS: &str = "auth.break_glass";
    pub const MEMBER_SUSPENDED: &str = "member.suspended";
    pub const MEMBER_REINSTATED: &str = "member.reinstated";
    pub const ORG_DEPROVISION_CHANGED: &str = "org.deprovision_changed";
    pub const WEBHOOK_CONFIGURED: &str = "webhook.configured";
    pub const WEBHOOK_SECRET_ROTATED: &str = "webhook.secret_rotated";
    pub const WEBHOOK_REMOVED: &str = "webhook.removed";
    pub const WEBHOOK_DISABLED: &str = "webhook.disabled";
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    pub actor: Actor,
    #[serde(flatten)]
    pub change: Change,
    /// The names of the people and objects the event mentions (its actor
    /// included), as they were when it happened, so the log still reads after
    /// they are renamed or deleted. Events recorded before it existed have none,
    /// and an event without names serializes exactly as it did then, so the
    /// stored bodies (and their hashes) are unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
}

/// What changed. The `type` names are the audit event types of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Change {
    #[serde(rename = "org.created")]
    OrgCreated {
        org_id: OrgId,
        name: Name,
        owner_id: UserId,
        owner_email: Email,
        owner_name: Name,
        owner_role: String,
    },
    #[serde(rename = "org.deleted")]
    OrgDeleted { org_id: OrgId },
    #[serde(rename = "member.invited")]
    MemberInvited {
        invitation_id: InvitationId,
        email: Email,
        name: Option<Name>,
        role: String,
        #[serde(default)]
        scopes: Vec<ScopeRoles>,
        expires_at: Timestamp,
    },
    #[serde(rename = "invitation.revoked")]
    InvitationRevoked {
        invitation_id: InvitationId,
        email: Email,
    },
    #[serde(rename = "invitation.expired")]
    InvitationExpired {
        invitation_id: InvitationId,
        email: Email,
    },
    #[serde(rename = "member.joined")]
    MemberJoined {
        invitation_id: Option<InvitationId>,
        user_id: UserId,
        email: Email,
        name: Name,
        role: String,
    },
    #[serde(rename = "member.updated")]
    MemberUpdated {
        user_id: UserId,
        previous_name: Name,
        name: Name,
    },
    /// The member's scope roles and grants go with them; their objects go to
    /// `objects_to` (the root account) or are left without an owner.
    #[serde(rename = "member.deleted")]
    MemberDeleted {
        user_id: UserId,
        email: Email,
        role: String,
        objects_to: Option<UserId>,
    },
    #[serde(rename = "user.role_changed")]
    RoleChanged {
        user_id: UserId,
        previous_role: String,
        new_role: String,
    },
    #[serde(rename = "scope.roles_changed")]
    ScopeRolesChanged {
        user_id: UserId,
        object_id: ObjectId,
        previous_roles: Vec<String>,
        roles: Vec<String>,
    },
    #[serde(rename = "ownership.transfer_nominated")]
    TransferNominated {
        nomination_id: NominationId,
        from_user: UserId,
        to_user: UserId,
        expires_at: Timestamp,
    },
    /// The organization's owner becomes `to_user`; the role changes that go with it
    /// follow as their own `user.role_changed` events.
    #[serde(rename = "ownership.transfer_accepted")]
    TransferAccepted {
        nomination_id: NominationId,
        from_user: UserId,
        to_user: UserId,
    },
    #[serde(rename = "ownership.transfer_declined")]
    TransferDeclined {
        nomination_id: NominationId,
        from_user: UserId,
        to_user: UserId,
    },
    #[serde(rename = "ownership.transfer_cancelled")]
    TransferCancelled {
        nomination_id: NominationId,
        from_user: UserId,
        to_user: UserId,
    },
    #[serde(rename = "ownership.transfer_expired")]
    TransferExpired {
        nomination_id: NominationId,
        from_user: UserId,
        to_user: UserId,
    },
    #[serde(rename = "object.created")]
    ObjectCreated {
        object_id: ObjectId,
        object_type: String,
        name: Name,
        parent_id: Option<ObjectId>,
        owner_id: Option<UserId>,
    },
    /// The object's descendants, and every grant and scope role on them, go too.
    #[serde(rename = "object.deleted")]
    ObjectDeleted { object_id: ObjectId },
    /// Cascades to every descendant (project -> questions, dashboard -> charts).
    #[serde(rename = "object.owner_changed")]
    ObjectOwnerChanged {
        object_id: ObjectId,
        previous_owner: Option<UserId>,
        new_owner: Option<UserId>,
    },
    /// Both names are kept so the log reads without looking back for the old one.
    #[serde(rename = "object.renamed")]
    ObjectRenamed {
        object_id: ObjectId,
        previous_name: Name,
        name: Name,
    },
    /// The object and its descendants sit under `parent_id` now; an inheriting
    /// object's new owner follows as its own `object.owner_changed`.
    #[serde(rename = "object.moved")]
    ObjectMoved {
        object_id: ObjectId,
        previous_parent: Option<ObjectId>,
        parent_id: Option<ObjectId>,
    },
    #[serde(rename = "grant.changed")]
    GrantChanged {
        object_id: ObjectId,
        user_id: UserId,
        previous_actions: Vec<String>,
        actions: Vec<String>,
    },
    /// Closes an import: the per-row events come before it in the same batch.
    #[serde(rename = "import.applied")]
    ImportApplied {
        created: usize,
        updated: usize,
        unchanged: usize,
    },
    /// Holds the hash, never the secret: the log can be exported and read by auditors.
    #[serde(rename = "api_key.created")]
    ApiKeyCreated {
        key_id: ApiKeyId,
        name: Name,
        key_hash: String,
        permissions: Vec<String>,
    },
    /// `name` is kept so the log says which key went without looking back for it.
    #[serde(rename = "api_key.revoked")]
    ApiKeyRevoked { key_id: ApiKeyId, name: Name },
    /// Changes nothing: it is there for the audit trail.
    #[serde(rename = "auth.login_failed")]
    LoginFailed { user_id: UserId },
    /// The password was set by a mailed reset link; for the audit trail.
    #[serde(rename = "auth.password_reset")]
    PasswordReset { user_id: UserId },
    /// The password was changed by its holder, signed in; for the audit trail.
    #[serde(rename = "auth.password_changed")]
    PasswordChanged { user_id: UserId },
    /// Changes nothing: a directory's request that the rules refused, kept so
    /// the log says what the directory tried and why it was not done.
    #[serde(rename = "scim.refused")]
    DirectoryRefused { reason: String, request: String },
    /// The organization's admins and owners must (or need no longer) have a
    /// second factor to manage it.
    #[serde(rename = "org.second_factor_required")]
    SecondFactorRequiredSet { required: bool },
    /// An admin took the member's second factor away; the application deletes
    /// it and ends the member's sessions with the change.
    #[serde(rename = "auth.second_factor_reset")]
    SecondFactorReset { user_id: UserId },
    /// The organization's OpenID provider as configured (never its secret).
    #[serde(rename = "sso.configured")]
    SsoConfigured {
        issuer: String,
        client_id: String,
        domains: Vec<String>,
        require_sso: bool,
        notify_new_sign_in: bool,
    },
    #[serde(rename = "sso.removed")]
    SsoRemoved { issuer: String },
    #[serde(rename = "sso.domain_proven")]
    SsoDomainProven { domain: String, proven_by: Email },
    /// Follows the `member.joined` of a just-in-time membership; for the trail.
    #[serde(rename = "sso.joined")]
    SsoJoined { user_id: UserId, issuer: String },
    /// Changes nothing: a sign-in through the provider, for the audit trail.
    #[serde(rename = "sso.signed_in")]
    SsoSignedIn { user_id: UserId, issuer: String },
    /// Changes nothing: the owner's password sign-in while SSO is required.
    #[serde(rename = "auth.break_glass")]
    BreakGlass { user_id: UserId },
    /// The member keeps their roles and grants but is answered as a non-member
    /// until reinstated; their sessions, refresh tokens end with it, and the
    /// keys they made are revoked as their own `api_key.revoked` events.
    #[serde(rename = "member.suspended")]
    MemberSuspended { user_id: UserId, email: Email },
    #[serde(rename = "member.reinstated")]
    MemberReinstated { user_id: UserId, email: Email },
    /// What a directory's deprovisioning does from now on.
    #[serde(rename = "org.deprovision_changed")]
    DeprovisionChanged {
        previous: Deprovision,
        on_deprovision: Deprovision,
    },
    /// An endpoint added or its settings replaced; never its secret.
    #[serde(rename = "webhook.configured")]
    WebhookConfigured {
        webhook_id: WebhookId,
        url: String,
        /// Empty: every event type.
        event_types: Vec<String>,
        enabled: bool,
    },
    #[serde(rename = "webhook.secret_rotated")]
    WebhookSecretRotated { webhook_id: WebhookId },
    #[serde(rename = "webhook.removed")]
    WebhookRemoved { webhook_id: WebhookId, url: String },
    /// Steward turned the endpoint off: its deliveries kept failing.
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled {
        webhook_id: WebhookId,
        reason: String,
    },
}

#[cfg(test)]
mod tests;
