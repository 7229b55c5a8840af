//! What a change is called (its audit event type) and which ids it names (its
//! target, the users and objects it mentions): what the audit filter, the event
//! feed and webhooks read of a change without matching on it themselves.

use super::*;

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
