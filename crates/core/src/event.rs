//! Events: what `decide` says happened. They are the audit log, and `apply` folds
//! them into the state, so replaying them rebuilds it.

use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};

/// Who made a change: a member, or Steward itself (expiry sweeps, the operator's CLI).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Actor {
    User(UserId),
    System,
}

impl Actor {
    pub fn user(&self) -> Option<&UserId> {
        match self {
            Actor::User(u) => Some(u),
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

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    pub actor: Actor,
    #[serde(flatten)]
    pub change: Change,
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
}

impl Change {
    /// The audit event type (`user.role_changed`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Change::OrgCreated { .. } => "org.created",
            Change::OrgDeleted { .. } => "org.deleted",
            Change::MemberInvited { .. } => "member.invited",
            Change::InvitationRevoked { .. } => "invitation.revoked",
            Change::InvitationExpired { .. } => "invitation.expired",
            Change::MemberJoined { .. } => "member.joined",
            Change::MemberUpdated { .. } => "member.updated",
            Change::MemberDeleted { .. } => "member.deleted",
            Change::RoleChanged { .. } => "user.role_changed",
            Change::ScopeRolesChanged { .. } => "scope.roles_changed",
            Change::TransferNominated { .. } => "ownership.transfer_nominated",
            Change::TransferAccepted { .. } => "ownership.transfer_accepted",
            Change::TransferDeclined { .. } => "ownership.transfer_declined",
            Change::TransferCancelled { .. } => "ownership.transfer_cancelled",
            Change::TransferExpired { .. } => "ownership.transfer_expired",
            Change::ObjectCreated { .. } => "object.created",
            Change::ObjectDeleted { .. } => "object.deleted",
            Change::ObjectOwnerChanged { .. } => "object.owner_changed",
            Change::GrantChanged { .. } => "grant.changed",
            Change::ImportApplied { .. } => "import.applied",
            Change::ApiKeyCreated { .. } => "api_key.created",
            Change::ApiKeyRevoked { .. } => "api_key.revoked",
            Change::LoginFailed { .. } => "auth.login_failed",
        }
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
            | Change::ScopeRolesChanged { user_id, .. }
            | Change::GrantChanged { user_id, .. }
            | Change::LoginFailed { user_id } => Some(user_id.as_str()),
            Change::TransferNominated { to_user, .. }
            | Change::TransferAccepted { to_user, .. }
            | Change::TransferDeclined { to_user, .. }
            | Change::TransferCancelled { to_user, .. }
            | Change::TransferExpired { to_user, .. } => Some(to_user.as_str()),
            Change::ObjectCreated { object_id, .. }
            | Change::ObjectDeleted { object_id }
            | Change::ObjectOwnerChanged { object_id, .. } => Some(object_id.as_str()),
            Change::ApiKeyCreated { key_id, .. } | Change::ApiKeyRevoked { key_id, .. } => {
                Some(key_id.as_str())
            }
            Change::ImportApplied { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_change_reads_as_the_audit_log_names_it() {
        let e = Event {
            at: Timestamp(5),
            actor: Actor::User(UserId::parse("ann").unwrap()),
            change: Change::RoleChanged {
                user_id: UserId::parse("bob").unwrap(),
                previous_role: "viewer".into(),
                new_role: "admin".into(),
            },
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "user.role_changed");
        assert_eq!(json["data"]["previous_role"], "viewer");
        assert_eq!(json["data"]["new_role"], "admin");
        assert_eq!(e.change.type_name(), "user.role_changed");
        assert_eq!(e.change.target(), Some("bob"));
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn api_key_and_login_events_read_as_the_audit_log_names_them() {
        let created = Change::ApiKeyCreated {
            key_id: ApiKeyId::parse("key-1").unwrap(),
            name: Name::parse("Billing back-end").unwrap(),
            key_hash: "ab".repeat(32),
            permissions: vec!["check".into()],
        };
        let revoked = Change::ApiKeyRevoked {
            key_id: ApiKeyId::parse("key-1").unwrap(),
            name: Name::parse("Billing back-end").unwrap(),
        };
        let failed = Change::LoginFailed {
            user_id: UserId::parse("bob").unwrap(),
        };
        for (change, type_name, target) in [
            (created, "api_key.created", "key-1"),
            (revoked, "api_key.revoked", "key-1"),
            (failed, "auth.login_failed", "bob"),
        ] {
            let e = Event {
                at: Timestamp(5),
                actor: Actor::System,
                change,
            };
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["type"], type_name);
            assert!(json["data"].is_object(), "{type_name}: data");
            assert_eq!(e.change.type_name(), type_name);
            assert_eq!(e.change.target(), Some(target));
            let back: Event = serde_json::from_value(json).unwrap();
            assert_eq!(back, e);
        }
    }
}
