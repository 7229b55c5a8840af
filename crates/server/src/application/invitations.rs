//! Invitations: how one is made (the API, the console's form and `steward
//! invitations` alike), listed with who made it, revoked, re-sent and
//! recognized by its token.

use super::members::ScopeView;
use super::{AppError, InOrg, Page, Steward};
use crate::secrets::new_secret;
use crate::store::AuditFilter;
use serde::{Deserialize, Serialize};
use steward_core::event::event_type;
use steward_core::state::Invitation;
use steward_core::{Command, Email, InvitationId, ObjectId, ParseError, Refusal, ScopeRoles};

/// How long an invitation lasts when its maker does not say.
pub const INVITATION_DAYS: u32 = 7;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    pub email: String,
    pub name: Option<String>,
    /// Defaults to the policy's default role.
    pub role: Option<String>,
    #[serde(default)]
    pub scopes: Vec<ScopeView>,
    /// Days until the invitation expires (default 7).
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: String,
    pub scopes: Vec<ScopeView>,
    /// Unix seconds.
    pub expires_at: i64,
    /// The member who made it (their user id), as the audit log has it; left
    /// out when the log does not say (an import, an operator's command).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<String>,
    /// Shown once, when the invitation is made; it is the secret that accepts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Where the invitee accepts (the console's page for the token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_url: Option<String>,
}

impl From<&Invitation> for InvitationView {
    fn from(i: &Invitation) -> InvitationView {
        InvitationView {
            id: i.id.to_string(),
            email: i.email.to_string(),
            name: i.name.as_ref().map(|n| n.to_string()),
            role: i.role.clone(),
            scopes: i
                .scopes
                .iter()
                .map(|s| ScopeView {
                    object_id: s.object_id.to_string(),
                    roles: s.roles.clone(),
                })
                .collect(),
            expires_at: i.expires_at.0,
            invited_by: None,
            token: None,
            accept_url: None,
        }
    }
}

impl Steward {
    /// Makes an invitation; the answer carries its token and link, shown only now.
    pub async fn create_invitation(
        &self,
        org: &InOrg,
        invite: InviteBody,
    ) -> Result<InvitationView, AppError> {
        let actor = org.actor()?;
        let email = Email::parse(&invite.email).map_err(|e| AppError::field("email", e))?;
        let name = super::members::optional_name(invite.name.as_deref())?;
        let scopes = invite
            .scopes
            .into_iter()
            .map(|s| {
                Ok(ScopeRoles {
                    object_id: ObjectId::parse(&s.object_id)
                        .map_err(|e| AppError::field("scopes", e))?,
                    roles: s.roles,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let days = invite.expires_in_days.unwrap_or(INVITATION_DAYS);
        if !(1..=90).contains(&days) {
            return Err(AppError::invalid(
                "expires_in_days",
                "an invitation lasts between 1 and 90 days",
            ));
        }
        let (token, invitation_id) = invitation_token(org.org.as_str())
            .map_err(|e| AppError::Internal(format!("a new invitation's id: {e}")))?;
        let command = Command::Invite {
            invitation_id: invitation_id.clone(),
            email,
            name,
            role: invite.role,
            scopes,
            expires_at: self.service.clock().now().plus_days(days),
        };
        self.service.execute(&org.org, &actor, command).await?;
        self.issued(org, &invitation_id, token).await
    }

    /// The invitation just made, with its token and link (shown only now).
    async fn issued(
        &self,
        org: &InOrg,
        invitation_id: &InvitationId,
        token: String,
    ) -> Result<InvitationView, AppError> {
        let mut view = self
            .service
            .read(&org.org, |state| {
                state.invitation(invitation_id).map(InvitationView::from)
            })
            .await?
            .ok_or_else(|| {
                AppError::Internal("the invitation vanished after it was made".into())
            })?;
        view.invited_by = org.user().map(|u| u.to_string());
        view.accept_url = Some(self.settings.link(&format!("/invitations/{token}")));
        view.token = Some(token);
        self.send_invitation(org, &mut view).await?;
        Ok(view)
    }

    /// Re-sends an invitation: the old link is revoked and a fresh one, for the
    /// same address, name, role and scopes, lasts the usual days from now. Both
    /// are decided in turn and stored together, so a refusal leaves the old one.
    pub async fn resend_invitation(
        &self,
        org: &InOrg,
        invitation_id: InvitationId,
    ) -> Result<InvitationView, AppError> {
        let actor = org.actor()?;
        let old = self
            .service
            .read(&org.org, |state| state.invitation(&invitation_id).cloned())
            .await?
            .ok_or(Refusal::UnknownInvitation)?;
        let (token, fresh_id) = invitation_token(org.org.as_str())
            .map_err(|e| AppError::Internal(format!("a new invitation's id: {e}")))?;
        let commands = vec![
            Command::RevokeInvitation { invitation_id },
            Command::Invite {
                invitation_id: fresh_id.clone(),
                email: old.email,
                name: old.name,
                role: Some(old.role),
                scopes: old.scopes,
                expires_at: self.service.clock().now().plus_days(INVITATION_DAYS),
            },
        ];
        let steps = commands.into_iter().map(|c| (actor.clone(), c)).collect();
        self.service.execute_in_turn(&org.org, steps).await?;
        self.issued(org, &fresh_id, token).await
    }

    /// The pending invitations (`members:view`), all on one page.
    pub async fn invitations(&self, org: &InOrg) -> Result<Page<InvitationView>, AppError> {
        org.require("members:view")?;
        let mut items: Vec<InvitationView> = self
            .service
            .read(&org.org, |state| {
                state.invitations().map(InvitationView::from).collect()
            })
            .await?;
        for item in &mut items {
            item.invited_by = self.inviter(org, &item.id).await?;
        }
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    /// Who made an invitation: the actor of its `member.invited` event.
    async fn inviter(&self, org: &InOrg, invitation_id: &str) -> Result<Option<String>, AppError> {
        let filter = AuditFilter {
            event_type: Some(event_type::MEMBER_INVITED.to_string()),
            target: Some(invitation_id.to_string()),
            limit: 1,
            ..AuditFilter::default()
        };
        let made = self.service.store().audit(&org.org, &filter).await?;
        Ok(made.into_iter().next().and_then(|e| e.actor_id))
    }

    /// Revokes a pending invitation.
    pub async fn revoke_invitation(
        &self,
        org: &InOrg,
        invitation_id: InvitationId,
    ) -> Result<(), AppError> {
        self.service
            .execute(
                &org.org,
                &org.actor()?,
                Command::RevokeInvitation { invitation_id },
            )
            .await?;
        Ok(())
    }
}

/// An invitation id from a path; text that is no id names no invitation.
pub fn parse_invitation(id: &str) -> Result<InvitationId, AppError> {
    InvitationId::parse(id).map_err(|_| Refusal::UnknownInvitation.into())
}

/// An invitation token is `<org>.<secret>`; the invitation's id is derived from
/// the secret's hash, so the audit log (which shows ids) never holds the secret.
pub fn invitation_token(org: &str) -> Result<(String, InvitationId), ParseError> {
    let secret = new_secret("inv_");
    let id = invitation_id_of(&secret)?;
    Ok((format!("{org}.{secret}"), id))
}

/// `inv_` and the first 32 hex digits of the secret's hash: always a valid id,
/// but the id's rules are steward-core's, so their answer is passed on.
pub fn invitation_id_of(secret: &str) -> Result<InvitationId, ParseError> {
    let hash = crate::secrets::secret_hash_hex(secret);
    InvitationId::parse(&format!("inv_{hash:.32}"))
}

/// Splits a token into its organization and invitation id.
pub fn parse_invitation_token(token: &str) -> Option<(String, InvitationId)> {
    let (org, secret) = token.rsplit_once('.')?;
    if !secret.starts_with("inv_") {
        return None;
    }
    Some((org.to_string(), invitation_id_of(secret).ok()?))
}
