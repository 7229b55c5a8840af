//! Events: what `decide` says happened. They are the audit log, and `apply` folds
//! them into the state, so replaying them rebuilds it.

use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
};
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
            | Change::LoginFailed { user_id }
            | Change::PasswordReset { user_id }
            | Change::PasswordChanged { user_id } => {
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
            | Change::DirectoryRefused { .. } => {}
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
            | Change::ScopeRolesChanged { user_id, .. }
            | Change::GrantChanged { user_id, .. }
            | Change::LoginFailed { user_id }
            | Change::PasswordReset { user_id }
            | Change::PasswordChanged { user_id } => Some(user_id.as_str()),
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
            Change::ImportApplied { .. } | Change::DirectoryRefused { .. } => None,
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
            names: BTreeMap::new(),
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
    fn an_event_without_names_is_stored_exactly_as_before_names_were_kept() {
        // The audit chain hashes the stored body: an old body must read back,
        // and an event without names must write the very same text.
        let old = r#"{"at":5,"actor":{"kind":"user","id":"ann"},"type":"user.role_changed","data":{"user_id":"bob","previous_role":"viewer","new_role":"admin"}}"#;
        let e: Event = serde_json::from_str(old).unwrap();
        assert!(e.names.is_empty());
        assert_eq!(serde_json::to_string(&e).unwrap(), old);

        let mut named = e.clone();
        named.names.insert("bob".into(), "Bob Brown".into());
        let body = serde_json::to_string(&named).unwrap();
        assert!(body.ends_with(r#","names":{"bob":"Bob Brown"}}"#), "{body}");
        assert_eq!(serde_json::from_str::<Event>(&body).unwrap(), named);
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
                names: BTreeMap::new(),
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

    /// One of each variant; the `match` makes a new variant fail to compile here
    /// until it has an example.
    fn one_of_each() -> Vec<Change> {
        let org = || OrgId::parse("org-1").unwrap();
        let user = || UserId::parse("bob").unwrap();
        let object = || ObjectId::parse("obj-1").unwrap();
        let name = || Name::parse("Bob").unwrap();
        let email = || Email::parse("bob@example.com").unwrap();
        let invitation = || InvitationId::parse("inv-1").unwrap();
        let nomination = || NominationId::parse("nom-1").unwrap();
        let key = || ApiKeyId::parse("key-1").unwrap();
        let transfer = || (nomination(), user(), user());
        let all = vec![
            Change::OrgCreated {
                org_id: org(),
                name: name(),
                owner_id: user(),
                owner_email: email(),
                owner_name: name(),
                owner_role: "owner".into(),
            },
            Change::OrgDeleted { org_id: org() },
            Change::MemberInvited {
                invitation_id: invitation(),
                email: email(),
                name: None,
                role: "viewer".into(),
                scopes: vec![],
                expires_at: Timestamp(9),
            },
            Change::InvitationRevoked {
                invitation_id: invitation(),
                email: email(),
            },
            Change::InvitationExpired {
                invitation_id: invitation(),
                email: email(),
            },
            Change::MemberJoined {
                invitation_id: None,
                user_id: user(),
                email: email(),
                name: name(),
                role: "viewer".into(),
            },
            Change::MemberUpdated {
                user_id: user(),
                previous_name: name(),
                name: name(),
            },
            Change::MemberDeleted {
                user_id: user(),
                email: email(),
                role: "viewer".into(),
                objects_to: None,
            },
            Change::RoleChanged {
                user_id: user(),
                previous_role: "viewer".into(),
                new_role: "admin".into(),
            },
            Change::ScopeRolesChanged {
                user_id: user(),
                object_id: object(),
                previous_roles: vec![],
                roles: vec![],
            },
            {
                let (nomination_id, from_user, to_user) = transfer();
                Change::TransferNominated {
                    nomination_id,
                    from_user,
                    to_user,
                    expires_at: Timestamp(9),
                }
            },
            {
                let (nomination_id, from_user, to_user) = transfer();
                Change::TransferAccepted {
                    nomination_id,
                    from_user,
                    to_user,
                }
            },
            {
                let (nomination_id, from_user, to_user) = transfer();
                Change::TransferDeclined {
                    nomination_id,
                    from_user,
                    to_user,
                }
            },
            {
                let (nomination_id, from_user, to_user) = transfer();
                Change::TransferCancelled {
                    nomination_id,
                    from_user,
                    to_user,
                }
            },
            {
                let (nomination_id, from_user, to_user) = transfer();
                Change::TransferExpired {
                    nomination_id,
                    from_user,
                    to_user,
                }
            },
            Change::ObjectCreated {
                object_id: object(),
                object_type: "project".into(),
                name: name(),
                parent_id: None,
                owner_id: None,
            },
            Change::ObjectDeleted {
                object_id: object(),
            },
            Change::ObjectOwnerChanged {
                object_id: object(),
                previous_owner: None,
                new_owner: None,
            },
            Change::ObjectRenamed {
                object_id: object(),
                previous_name: name(),
                name: name(),
            },
            Change::ObjectMoved {
                object_id: object(),
                previous_parent: None,
                parent_id: None,
            },
            Change::GrantChanged {
                object_id: object(),
                user_id: user(),
                previous_actions: vec![],
                actions: vec![],
            },
            Change::ImportApplied {
                created: 0,
                updated: 0,
                unchanged: 0,
            },
            Change::ApiKeyCreated {
                key_id: key(),
                name: name(),
                key_hash: "ab".repeat(32),
                permissions: vec![],
            },
            Change::ApiKeyRevoked {
                key_id: key(),
                name: name(),
            },
            Change::LoginFailed { user_id: user() },
            Change::PasswordReset { user_id: user() },
            Change::PasswordChanged { user_id: user() },
            Change::DirectoryRefused {
                reason: "last_admin".into(),
                request: "DELETE /Users/bob".into(),
            },
        ];
        for change in &all {
            match change {
                Change::OrgCreated { .. }
                | Change::OrgDeleted { .. }
                | Change::MemberInvited { .. }
                | Change::InvitationRevoked { .. }
                | Change::InvitationExpired { .. }
                | Change::MemberJoined { .. }
                | Change::MemberUpdated { .. }
                | Change::MemberDeleted { .. }
                | Change::RoleChanged { .. }
                | Change::ScopeRolesChanged { .. }
                | Change::TransferNominated { .. }
                | Change::TransferAccepted { .. }
                | Change::TransferDeclined { .. }
                | Change::TransferCancelled { .. }
                | Change::TransferExpired { .. }
                | Change::ObjectCreated { .. }
                | Change::ObjectDeleted { .. }
                | Change::ObjectOwnerChanged { .. }
                | Change::ObjectRenamed { .. }
                | Change::ObjectMoved { .. }
                | Change::GrantChanged { .. }
                | Change::ImportApplied { .. }
                | Change::ApiKeyCreated { .. }
                | Change::ApiKeyRevoked { .. }
                | Change::LoginFailed { .. }
                | Change::PasswordReset { .. }
                | Change::PasswordChanged { .. }
                | Change::DirectoryRefused { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_event_type_name_is_the_serde_tag_and_listed_once() {
        let all = one_of_each();
        assert_eq!(all.len(), Change::TYPE_NAMES.len());
        for (change, listed) in all.iter().zip(Change::TYPE_NAMES) {
            let json = serde_json::to_value(change).unwrap();
            assert_eq!(json["type"], change.type_name());
            assert_eq!(change.type_name(), *listed);
        }
        let mut unique = Change::TYPE_NAMES.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), Change::TYPE_NAMES.len());
    }

    #[test]
    fn the_listed_event_types_are_all_serde_knows() {
        // serde names every variant it accepts when it meets one it does not.
        let err = serde_json::from_value::<Change>(serde_json::json!({"type": "no.such"}))
            .unwrap_err()
            .to_string();
        let expected: Vec<&str> = err
            .split("expected one of ")
            .nth(1)
            .unwrap_or_else(|| panic!("serde's message changed: {err}"))
            .split(", ")
            .map(|name| name.trim_matches(|c: char| c == '`' || c.is_whitespace()))
            .map(|name| name.split('`').next().unwrap_or(name))
            .collect();
        assert_eq!(expected, Change::TYPE_NAMES);
    }
}
