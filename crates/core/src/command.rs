//! Commands: what someone asks to change. Ids of new things are chosen by the caller
//! (the core has no randomness), so a decision can be replayed exactly.

use crate::event::ScopeRoles;
use crate::id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, Timestamp, UserId,
    WebhookId,
};
use crate::state::Deprovision;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The creator becomes the owner.
    CreateOrganization {
        org_id: OrgId,
        name: Name,
        owner_id: UserId,
        owner_email: Email,
        owner_name: Name,
    },
    DeleteOrganization,
    /// `role` defaults to the policy's default role.
    Invite {
        invitation_id: InvitationId,
        email: Email,
        name: Option<Name>,
        role: Option<String>,
        scopes: Vec<ScopeRoles>,
        expires_at: Timestamp,
    },
    RevokeInvitation {
        invitation_id: InvitationId,
    },
    /// Turns an invitation past its expiry into `invitation.expired`; a no-op otherwise.
    ExpireInvitation {
        invitation_id: InvitationId,
    },
    /// The account `user_id` (the actor) accepts an invitation.
    Join {
        invitation_id: InvitationId,
        user_id: UserId,
        name: Option<Name>,
    },
    ChangeRole {
        user_id: UserId,
        role: String,
    },
    Rename {
        user_id: UserId,
        name: Name,
    },
    /// Always refused: an e-mail never changes.
    ChangeEmail {
        user_id: UserId,
        email: Email,
    },
    /// With `hand_over_to_root`, the member's objects go to the root account. The API
    /// keys the member created are revoked with them (`api_key.revoked` events).
    DeleteMember {
        user_id: UserId,
        hand_over_to_root: bool,
    },
    /// Governed as `DeleteMember` (and never the owner): the member stays, roles
    /// and grants kept, but is answered as a non-member until reinstated; the
    /// keys they made are revoked. Suspending a suspended member changes nothing.
    SuspendMember {
        user_id: UserId,
    },
    /// Governed as `SuspendMember`; a member not suspended is left as they are.
    ReinstateMember {
        user_id: UserId,
    },
    /// What a directory's deprovisioning (SCIM `active: false`) does; owners and
    /// admins (`members:manage`) only.
    SetDeprovision {
        on_deprovision: Deprovision,
    },
    /// The user's roles on one scope object, replaced; empty removes them.
    SetScopeRoles {
        user_id: UserId,
        object_id: ObjectId,
        roles: Vec<String>,
    },
    NominateOwner {
        nomination_id: NominationId,
        to_user: UserId,
    },
    AcceptNomination,
    DeclineNomination,
    CancelNomination,
    /// Turns a nomination past its TTL into `ownership.transfer_expired`; a no-op otherwise.
    ExpireNomination,
    /// `parent_id` is `None` for a top-level object; `owner_id` defaults to the actor.
    CreateObject {
        object_id: ObjectId,
        object_type: String,
        name: Name,
        parent_id: Option<ObjectId>,
        owner_id: Option<UserId>,
    },
    DeleteObject {
        object_id: ObjectId,
    },
    /// Allowed to whoever may share the object (its type's `share` action).
    RenameObject {
        object_id: ObjectId,
        name: Name,
    },
    /// Under another parent of the type's parent type (`None`: the organization);
    /// needs the type's `delete` where it is and its `create` rule where it goes.
    MoveObject {
        object_id: ObjectId,
        parent_id: Option<ObjectId>,
    },
    /// "Make owner": cascades to the object's children.
    ChangeObjectOwner {
        object_id: ObjectId,
        owner_id: UserId,
    },
    /// The user's grant on the object, replaced; empty removes it.
    SetGrant {
        object_id: ObjectId,
        user_id: UserId,
        actions: Vec<String>,
    },
    /// All-or-nothing: a row that changes nothing is unchanged, whoever it names;
    /// every other row is decided as a single change would be, in order.
    Import {
        rows: Vec<ImportRow>,
    },
    /// The caller makes the secret and passes only its hash, so the secret never
    /// enters the audit log. `permissions` are from `API_KEY_PERMISSIONS`.
    CreateApiKey {
        key_id: ApiKeyId,
        name: Name,
        /// 64 lowercase hex characters: the SHA-256 of the secret.
        key_hash: String,
        permissions: Vec<String>,
    },
    RevokeApiKey {
        key_id: ApiKeyId,
    },
    /// Recorded by Steward itself when a member's password is refused, so repeated
    /// guesses show in the organization's audit log.
    RecordLoginFailure {
        user_id: UserId,
    },
    /// Recorded by Steward itself when an account's password is set anew: by a
    /// mailed reset link (`by_reset`) or by its holder, signed in.
    RecordPasswordSet {
        user_id: UserId,
        by_reset: bool,
    },
    /// The organization's OpenID provider, as its owner or an admin sets it
    /// (docs/sign-in.md). The client secret is the server's to keep: it never
    /// enters a command, an event or the audit log.
    ConfigureSso {
        issuer: String,
        client_id: String,
        domains: Vec<String>,
        require_sso: bool,
        notify_new_sign_in: bool,
    },
    RemoveSso {
        issuer: String,
    },
    /// `proven_by` is a verified address on `domain` (the server checked it).
    ProveSsoDomain {
        domain: String,
        proven_by: Email,
    },
    /// Just-in-time membership: Steward joins an account its provider vouched
    /// for, with the policy's default role.
    JoinBySso {
        user_id: UserId,
        email: Email,
        name: Name,
        issuer: String,
    },
    /// Recorded by Steward when a member signs in through the provider.
    RecordSsoSignIn {
        user_id: UserId,
        issuer: String,
    },
    /// Recorded by Steward when the owner signs in with a password although the
    /// organization requires single sign-on.
    RecordBreakGlass {
        user_id: UserId,
    },
    /// Recorded for a directory (SCIM) whose request the rules refused: only a
    /// directory records one, about itself.
    RecordDirectoryRefusal {
        reason: String,
        request: String,
    },
    /// Whether the organization's admins and owners must have a second factor
    /// to manage it (docs/two-factor.md#the-organization-setting).
    SetSecondFactorRequired {
        required: bool,
    },
    /// An admin takes a member's second factor away (a lost phone). Whether the
    /// account is also a member elsewhere is the application's fact to pass:
    /// the core sees one organization (docs/two-factor.md#admin-reset).
    ResetSecondFactor {
        user_id: UserId,
        member_elsewhere: bool,
    },
    /// Adds the webhook endpoint `webhook_id`, or replaces its settings. Its
    /// secret is the caller's to make and keep (docs/webhooks.md): never in the
    /// audit log. `event_types` empty: every event type.
    ConfigureWebhook {
        webhook_id: WebhookId,
        url: String,
        event_types: Vec<String>,
        enabled: bool,
    },
    /// Records that the endpoint's secret was replaced (the secret itself is not
    /// in the log).
    RotateWebhookSecret {
        webhook_id: WebhookId,
    },
    RemoveWebhook {
        webhook_id: WebhookId,
    },
    /// Steward itself turns off an endpoint that kept failing.
    DisableWebhook {
        webhook_id: WebhookId,
        reason: String,
    },
}

/// One row of a CSV import: re-applies the role of a member, or invites a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The file line, reported back with any refusal.
    pub line: usize,
    pub email: Email,
    pub name: Option<Name>,
    pub role: String,
    /// `None` leaves scope roles as they are; `Some` sets each listed scope.
    pub scopes: Option<Vec<ScopeRoles>>,
    /// Used when the row invites someone new.
    pub invitation_id: InvitationId,
    pub expires_at: Timestamp,
}
