//! Events: what `decide` says happened. They are the audit log, and `apply` folds
//! them into the state, so replaying them rebuilds it.

use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
    WebhookId,
};
use crate::state::Deprovision;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

impl Change {
    /// Every audit event type, in the order of the variants: the audit filter's
    /// choices.
    pub const TYPE_NAMES: &'static [&'static str] = &[
        event_type::ORG_CREATED,
        event_type::ORG_DELETED,
        event_type::MEMBER_INVITED,
        event_type::INVITATION_REVOKED,
        event_type::INVITATION_EXPIRED,
        event_type::MEMBER_JOINED,
        event_type::MEMBER_UPDATED,
        event_type::MEMBER_DELETED,
        event_type::USER_ROLE_CHANGED,
        event_type::SCOPE_ROLES_CHANGED,
        event_type::OWNERSHIP_TRANSFER_NOMINATED,
        event_type::OWNERSHIP_TRANSFER_ACCEPTED,
        event_type::OWNERSHIP_TRANSFER_DECLINED,
        event_type::OWNERSHIP_TRANSFER_CANCELLED,
        event_type::OWNERSHIP_TRANSFER_EXPIRED,
        event_type::OBJECT_CREATED,
        event_type::OBJECT_DELETED,
        event_type::OBJECT_OWNER_CHANGED,
        event_type::OBJECT_RENAMED,
        event_type::OBJECT_MOVED,
        event_type::GRANT_CHANGED,
        event_type::IMPORT_APPLIED,
        event_type::API_KEY_CREATED,
        event_type::API_KEY_REVOKED,
        event_type::AUTH_LOGIN_FAILED,
        event_type::AUTH_PASSWORD_RESET,
        event_type::AUTH_PASSWORD_CHANGED,
        event_type::SCIM_REFUSED,
        event_type::ORG_SECOND_FACTOR_REQUIRED,
        event_type::AUTH_SECOND_FACTOR_RESET,
        event_type::SSO_CONFIGURED,
        event_type::SSO_REMOVED,
        event_type::SSO_DOMAIN_PROVEN,
        event_type::SSO_JOINED,
        event_type::SSO_SIGNED_IN,
        event_type::AUTH_BREAK_GLASS,
        event_type::MEMBER_SUSPENDED,
        event_type::MEMBER_REINSTATED,
        event_type::ORG_DEPROVISION_CHANGED,
        event_type::WEBHOOK_CONFIGURED,
        event_type::WEBHOOK_SECRET_ROTATED,
        event_type::WEBHOOK_REMOVED,
        event_type::WEBHOOK_DISABLED,
    ];

    /// The audit event type (`user.role_changed`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Change::OrgCreated { .. } => event_type::ORG_CREATED,
            Change::OrgDeleted { .. } => event_type::ORG_DELETED,
            Change::MemberInvited { .. } => event_type::MEMBER_INVITED,
            Change::InvitationRevoked { .. } => event_type::INVITATION_REVOKED,
            Change::InvitationExpired { .. } => event_type::INVITATION_EXPIRED,
            Change::MemberJoined { .. } => event_type::MEMBER_JOINED,
            Change::MemberUpdated { .. } => event_type::MEMBER_UPDATED,
            Change::MemberDeleted { .. } => event_type::MEMBER_DELETED,
            Change::RoleChanged { .. } => event_type::USER_ROLE_CHANGED,
            Change::ScopeRolesChanged { .. } => event_type::SCOPE_ROLES_CHANGED,
            Change::TransferNominated { .. } => event_type::OWNERSHIP_TRANSFER_NOMINATED,
            Change::TransferAccepted { .. } => event_type::OWNERSHIP_TRANSFER_ACCEPTED,
            Change::TransferDeclined { .. } => event_type::OWNERSHIP_TRANSFER_DECLINED,
            Change::TransferCancelled { .. } => event_type::OWNERSHIP_TRANSFER_CANCELLED,
            Change::TransferExpired { .. } => event_type::OWNERSHIP_TRANSFER_EXPIRED,
            Change::ObjectCreated { .. } => event_type::OBJECT_CREATED,
            Change::ObjectDeleted { .. } => event_type::OBJECT_DELETED,
            Change::ObjectOwnerChanged { .. } => event_type::OBJECT_OWNER_CHANGED,
            Change::ObjectRenamed { .. } => event_type::OBJECT_RENAMED,
            Change::ObjectMoved { .. } => event_type::OBJECT_MOVED,
            Change::GrantChanged { .. } => event_type::GRANT_CHANGED,
            Change::ImportApplied { .. } => event_type::IMPORT_APPLIED,
            Change::ApiKeyCreated { .. } => event_type::API_KEY_CREATED,
            Change::ApiKeyRevoked { .. } => event_type::API_KEY_REVOKED,
            Change::LoginFailed { .. } => event_type::AUTH_LOGIN_FAILED,
            Change::PasswordReset { .. } => event_type::AUTH_PASSWORD_RESET,
            Change::PasswordChanged { .. } => event_type::AUTH_PASSWORD_CHANGED,
            Change::DirectoryRefused { .. } => event_type::SCIM_REFUSED,
            Change::SecondFactorRequiredSet { .. } => event_type::ORG_SECOND_FACTOR_REQUIRED,
            Change::SecondFactorReset { .. } => event_type::AUTH_SECOND_FACTOR_RESET,
            Change::SsoConfigured { .. } => event_type::SSO_CONFIGURED,
            Change::SsoRemoved { .. } => event_type::SSO_REMOVED,
            Change::SsoDomainProven { .. } => event_type::SSO_DOMAIN_PROVEN,
            Change::SsoJoined { .. } => event_type::SSO_JOINED,
            Change::SsoSignedIn { .. } => event_type::SSO_SIGNED_IN,
            Change::BreakGlass { .. } => event_type::AUTH_BREAK_GLASS,
            Change::MemberSuspended { .. } => event_type::MEMBER_SUSPENDED,
            Change::MemberReinstated { .. } => event_type::MEMBER_REINSTATED,
            Change::DeprovisionChanged { .. } => event_type::ORG_DEPROVISION_CHANGED,
            Change::WebhookConfigured { .. } => event_type::WEBHOOK_CONFIGURED,
            Change::WebhookSecretRotated { .. } => event_type::WEBHOOK_SECRET_ROTATED,
            Change::WebhookRemoved { .. } => event_type::WEBHOOK_REMOVED,
            Change::WebhookDisabled { .. } => event_type::WEBHOOK_DISABLED,
        }
    }

    /// The people and objects the change names by id, and the names it carries
    /// for some of them itself (a new member's, a new object's).
    pub fn mentions(&self) -> (Vec<&str>, Vec<(&str, &str)>) {
        let mut ids: Vec<&str> = Vec::new();
        let mut carried: Vec<(&str, &str)> = Vec::new();
        match self {
            Change::OrgCreated {
                org_id,
                name,
                owner_id,
                owner_name,
                ..
            } => {
                carried.push((org_id.as_str(), name.as_str()));
                carried.push((owner_id.as_str(), owner_name.as_str()));
            }
            Change::MemberJoined { user_id, name, .. } => {
                carried.push((user_id.as_str(), name.as_str()));
            }
            Change::MemberUpdated {
                user_id,
                previous_name,
                ..
            } => carried.push((user_id.as_str(), previous_name.as_str())),
            Change::MemberDeleted {
                user_id,
                objects_to,
                ..
            } => {
                ids.push(user_id.as_str());
                ids.extend(objects_to.iter().map(UserId::as_str));
            }
            Change::RoleChanged { user_id, .. }
            | Change::MemberSuspended { user_id, .. }
            | Change::MemberReinstated { user_id, .. }
            | Change::LoginFailed { user_id }
            | Change::PasswordReset { user_id }
            | Change::PasswordChanged { user_id }
            | Change::SecondFactorReset { user_id }
            | Change::SsoJoined { user_id, .. }
            | Change::SsoSignedIn { user_id, .. }
            | Change::BreakGlass { user_id } => {
                ids.push(user_id.as_str());
            }
            Change::ScopeRolesChanged {
                user_id, object_id, ..
            }
            | Change::GrantChanged {
                user_id, object_id, ..
            } => {
                ids.push(user_id.as_str());
                ids.push(object_id.as_str());
            }
            Change::TransferNominated {
                from_user, to_user, ..
            }
            | Change::TransferAccepted {
                from_user, to_user, ..
            }
            | Change::TransferDeclined {
                from_user, to_user, ..
            }
            | Change::TransferCancelled {
                from_user, to_user, ..
            }
            | Change::TransferExpired {
                from_user, to_user, ..
            } => {
                ids.push(from_user.as_str());
                ids.push(to_user.as_str());
            }
            Change::ObjectCreated {
                object_id,
                name,
                parent_id,
                owner_id,
                ..
            } => {
                carried.push((object_id.as_str(), name.as_str()));
                ids.extend(parent_id.iter().map(ObjectId::as_str));
                ids.extend(owner_id.iter().map(UserId::as_str));
            }
            Change::ObjectDeleted { object_id } => ids.push(object_id.as_str()),
            // The event carries both names; the object goes by the one it had.
            Change::ObjectRenamed {
                object_id,
                previous_name,
                ..
            } => carried.push((object_id.as_str(), previous_name.as_str())),
            Change::ObjectMoved {
                object_id,
                previous_parent,
                parent_id,
            } => {
                ids.push(object_id.as_str());
                ids.extend(previous_parent.iter().map(ObjectId::as_str));
                ids.extend(parent_id.iter().map(ObjectId::as_str));
            }
            Change::ObjectOwnerChanged {
                object_id,
                previous_owner,
                new_owner,
            } => {
                ids.push(object_id.as_str());
                ids.extend(previous_owner.iter().map(UserId::as_str));
                ids.extend(new_owner.iter().map(UserId::as_str));
            }
            Change::OrgDeleted { .. }
            | Change::MemberInvited { .. }
            | Change::InvitationRevoked { .. }
            | Change::InvitationExpired { .. }
            | Change::ImportApplied { .. }
            | Change::ApiKeyCreated { .. }
            | Change::ApiKeyRevoked { .. }
            | Change::DirectoryRefused { .. }
            | Change::SecondFactorRequiredSet { .. }
            | Change::SsoConfigured { .. }
            | Change::SsoRemoved { .. }
            | Change::SsoDomainProven { .. }
            | Change::DeprovisionChanged { .. }
            | Change::WebhookConfigured { .. }
            | Change::WebhookSecretRotated { .. }
            | Change::WebhookRemoved { .. }
            | Change::WebhookDisabled { .. } => {}
        }
        (ids, carried)
    }

    /// The member, object or API key the change is about, for the audit log's target
    /// column.
    pub fn target(&self) -> Option<&str> {
        match self {
            Change::OrgCreated { org_id, .. } | Change::OrgDeleted { org_id } => {
                Some(org_id.as_str())
            }
            Change::MemberInvited { invitation_id, .. }
            | Change::InvitationRevoked { invitation_id, .. }
            | Change::InvitationExpired { invitation_id, .. } => Some(invitation_id.as_str()),
            Change::MemberJoined { user_id, .. }
            | Change::MemberUpdated { user_id, .. }
            | Change::MemberDeleted { user_id, .. }
            | Change::RoleChanged { user_id, .. }
            | Change::MemberSuspended { user_id, .. }
            | Change::MemberReinstated { user_id, .. }
            | Change::ScopeRolesChanged { user_id, .. }
            | Change::GrantChanged { user_id, .. }
            | Change::LoginFailed { user_id }
            | Change::PasswordReset { user_id }
            | Change::PasswordChanged { user_id }
            | Change::SecondFactorReset { user_id }
            | Change::SsoJoined { user_id, .. }
            | Change::SsoSignedIn { user_id, .. }
            | Change::BreakGlass { user_id } => Some(user_id.as_str()),
            Change::TransferNominated { to_user, .. }
            | Change::TransferAccepted { to_user, .. }
            | Change::TransferDeclined { to_user, .. }
            | Change::TransferCancelled { to_user, .. }
            | Change::TransferExpired { to_user, .. } => Some(to_user.as_str()),
            Change::ObjectCreated { object_id, .. }
            | Change::ObjectDeleted { object_id }
            | Change::ObjectOwnerChanged { object_id, .. }
            | Change::ObjectRenamed { object_id, .. }
            | Change::ObjectMoved { object_id, .. } => Some(object_id.as_str()),
            Change::ApiKeyCreated { key_id, .. } | Change::ApiKeyRevoked { key_id, .. } => {
                Some(key_id.as_str())
            }
            Change::ImportApplied { .. }
            | Change::DirectoryRefused { .. }
            | Change::SecondFactorRequiredSet { .. }
            | Change::SsoConfigured { .. }
            | Change::SsoRemoved { .. }
            | Change::SsoDomainProven { .. }
            | Change::DeprovisionChanged { .. } => None,
            Change::WebhookConfigured { webhook_id, .. }
            | Change::WebhookSecretRotated { webhook_id }
            | Change::WebhookRemoved { webhook_id, .. }
            | Change::WebhookDisabled { webhook_id, .. } => Some(webhook_id.as_str()),
        }
    }
}

#[cfg(test)]
mod tests;
