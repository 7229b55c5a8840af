//! Joining: accepting an invitation (with a new account, or signed in as the
//! invited one), the one-time setup link `steward orgs create` prints for an
//! owner without a password, and what the console's join page offers. No
//! password is checked here: an address that has an account joins signed in,
//! so the login's limiter, audit and timing stay the one way in.

use super::accounts::{new_user_id, MeView};
use super::invitations::parse_invitation_token;
use super::{AppError, Application, Caller, Steward, Unauthenticated};
use crate::auth::Password;
// Until the members' views move to application/members.rs.
use super::members::MemberView;
use crate::store::{Account, AuditFilter, LinkPurpose, SETUP_TOKEN_PREFIX};
use serde::{Deserialize, Serialize};
use steward_core::event::event_type;
use steward_core::state::Invitation;
use steward_core::{Actor, Command, Email, InvitationId, Name, OrgId, Refusal, UserId};

/// How long a setup link lasts.
pub const SETUP_LINK_DAYS: u32 = 7;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The name to show; defaults to the one in the invitation.
    pub name: Option<String>,
    /// Sets the password of a new account (or of a setup link's). An existing
    /// account accepts signed in, with its access token: no password is checked
    /// here.
    pub password: Option<String>,
}

/// What accepting a link answers: for an invitation the member who joined, for
/// a setup link the account (as `/me` shows it).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AcceptAnswer {
    Member(MemberView),
    Account(MeView),
}

/// An invitation accepted: who joined, and as whom the organization now shows them.
pub struct Joined {
    pub user: UserId,
    pub member: MemberView,
    /// Whether the account may sign in: false for a new account made from a
    /// link someone was shown, until its address is proven by mail.
    pub email_verified: bool,
}

/// What the person at a link does next (the console's join page).
#[derive(Debug, PartialEq, Eq)]
pub enum JoinStep {
    /// A new address, or a setup link: choose a name and a password.
    ChoosePassword,
    /// The invited account is the one signed in: one click joins.
    Confirm { org_name: String, email: Email },
    /// The invited address has an account: sign in with it, then come back.
    /// `other_account`: someone else is signed in now.
    SignInFirst { other_account: bool },
}

/// A live invitation, found by its token.
struct Invited {
    org: OrgId,
    org_name: String,
    invitation: Invitation,
    /// The account the invited address already has.
    account: Option<Account>,
}

fn is_setup_link(token: &str) -> bool {
    token.starts_with(SETUP_TOKEN_PREFIX)
}

fn optional_name(name: Option<&str>) -> Result<Option<Name>, AppError> {
    name.map(Name::parse)
        .transpose()
        .map_err(|e| AppError::field("name", e))
}

impl Steward {
    /// What the link's page offers the person at it, signed in as `signed_in`.
    pub async fn join_step(
        &self,
        token: &str,
        signed_in: Option<&UserId>,
    ) -> Result<JoinStep, AppError> {
        if is_setup_link(token) {
            return Ok(JoinStep::ChoosePassword);
        }
        let invited = self.invited(token).await?;
        Ok(match (invited.account, signed_in) {
            (None, _) => JoinStep::ChoosePassword,
            (Some(account), Some(user)) if &account.id == user => JoinStep::Confirm {
                org_name: invited.org_name,
                email: account.email,
            },
            (Some(_), signed_in) => JoinStep::SignInFirst {
                other_account: signed_in.is_some(),
            },
        })
    }

    /// The owner `steward orgs create` names: the address's account, or a new
    /// one without a password (named `name`, else the address's local part).
    pub async fn owner_account(
        &self,
        email: Email,
        name: Option<Name>,
    ) -> Result<Account, AppError> {
        let (account, is_new) = self.account_for(email, name).await?;
        if is_new {
            self.service().store().create_account(&account).await?;
        }
        Ok(account)
    }

    /// The address's account, or (`true`) a new one without a password, not
    /// yet stored: for a caller that stores it with a change of its own.
    pub(crate) async fn account_for(
        &self,
        email: Email,
        name: Option<Name>,
    ) -> Result<(Account, bool), AppError> {
        if let Some(account) = self.service().store().account_by_email(&email).await? {
            return Ok((account, false));
        }
        let name = match name {
            Some(name) => name,
            None => {
                let local = email.as_str().split('@').next().unwrap_or("Owner");
                Name::parse(local).map_err(|e| AppError::field("name", e))?
            }
        };
        let account = Account {
            id: new_user_id()?,
            email,
            name,
            password_hash: None,
            created_at: self.service().clock().now(),
        };
        Ok((account, true))
    }

    /// A one-time link's token for an account to set its password, valid
    /// `SETUP_LINK_DAYS`; opened at `/invitations/<token>`.
    pub async fn setup_token(&self, account: &UserId) -> Result<String, AppError> {
        let now = self.service().clock().now();
        Ok(self
            .service()
            .store()
            .create_setup_token(account.as_str(), now.0, now.plus_days(SETUP_LINK_DAYS).0)
            .await?)
    }

    /// The invitation behind `token`, if it is live: 404 `unknown_invitation`, or
    /// 409 `invitation_expired` for one that expired.
    async fn invited(&self, token: &str) -> Result<Invited, AppError> {
        let unknown = || AppError::from(Refusal::UnknownInvitation);
        let (org, invitation_id) = parse_invitation_token(token).ok_or_else(unknown)?;
        let org = OrgId::parse(&org).map_err(|_| unknown())?;
        // An organization dropped under the memory limit comes back first.
        self.service().bring_back(org.as_str()).await?;
        self.service().snapshot(org.as_str()).ok_or_else(unknown)?;
        // Reading expires what is due (and `Join` decides expiry again), so an
        // invitation still here is live; a gone one's audit event says why.
        let (invitation, org_name) = self
            .service()
            .read(&org, |state| {
                let name = state.org().map(|o| o.name.to_string()).unwrap_or_default();
                (state.invitation(&invitation_id).cloned(), name)
            })
            .await?;
        let invitation = match invitation {
            Some(i) => i,
            None if self.has_expired(&org, &invitation_id).await? => {
                return Err(Refusal::InvitationExpired.into())
            }
            None => return Err(unknown()),
        };
        let account = self
            .service()
            .store()
            .account_by_email(&invitation.email)
            .await?;
        Ok(Invited {
            org,
            org_name,
            invitation,
            account,
        })
    }

    /// Whether the invitation existed and expired (its `invitation.expired` event).
    async fn has_expired(&self, org: &OrgId, invitation: &InvitationId) -> Result<bool, AppError> {
        let filter = AuditFilter {
            event_type: Some(event_type::INVITATION_EXPIRED.into()),
            target: Some(invitation.to_string()),
            limit: 1,
            ..Default::default()
        };
        Ok(!self.service().store().audit(org, &filter).await?.is_empty())
    }
}

impl Application {
    /// `POST /invitations/{token}/accept`: a setup link sets its account's
    /// password; an invitation is accepted by the account behind `bearer`, or by
    /// a new account for the invited address. A key is no one's to join with.
    pub async fn accept_link(
        &self,
        token: &str,
        body: AcceptBody,
        bearer: Option<&str>,
    ) -> Result<AcceptAnswer, AppError> {
        if is_setup_link(token) {
            return self
                .set_up_account(token, body)
                .await
                .map(AcceptAnswer::Account);
        }
        let signed_in = match bearer.map(|b| self.authenticate(b)).transpose()? {
            Some(Caller::Account(user)) => Some(user),
            Some(Caller::Key(_)) => return Err(Refusal::UnknownInvitation.into()),
            None => None,
        };
        let joined = self
            .accept_invitation(token, body, signed_in.as_ref())
            .await?;
        Ok(AcceptAnswer::Member(joined.member))
    }

    /// The console's join form: a new account for the invited address (or a
    /// setup link's password); answers who is now signed up, and whether they
    /// may sign in yet (their address proven).
    pub async fn join_with_password(
        &self,
        token: &str,
        name: Option<String>,
        password: String,
    ) -> Result<(UserId, bool), AppError> {
        let body = AcceptBody {
            name,
            password: Some(password),
        };
        if is_setup_link(token) {
            return Ok((self.set_up_account(token, body).await?.account.id, true));
        }
        let joined = self.accept_invitation(token, body, None).await?;
        Ok((joined.user, joined.email_verified))
    }

    /// Accepts an invitation. Who joins: the signed-in account the invitation is
    /// for, or a new account for the invited address (with the password the body
    /// chooses). An address that already has an account joins only signed in
    /// (401 `sign_in_required`), so no password is ever checked here. A new
    /// account's address is proven when the link went only by mail; otherwise
    /// (its inviter saw the link) a proof is mailed, and it signs in after.
    pub async fn accept_invitation(
        &self,
        token: &str,
        body: AcceptBody,
        signed_in: Option<&UserId>,
    ) -> Result<Joined, AppError> {
        let Invited {
            org,
            invitation,
            account,
            ..
        } = self.steward.invited(token).await?;
        let name = optional_name(body.name.as_deref())?;
        let mut proof_needed = None;
        let user = match (signed_in, account) {
            (Some(user), Some(account)) if &account.id == user => account.id,
            // The invitation is for someone else's address.
            (Some(_), _) => return Err(Refusal::UnknownInvitation.into()),
            (None, Some(_)) => return Err(Unauthenticated::SignInRequired.into()),
            (None, None) => {
                let display = name
                    .clone()
                    .or_else(|| invitation.name.clone())
                    .ok_or_else(|| AppError::invalid("name", "name: give the name to show"))?;
                let password = body.password.as_deref().ok_or_else(|| {
                    AppError::invalid(
                        "password",
                        "password: choose a password for the new account",
                    )
                })?;
                let email = invitation.email.clone();
                let account = self.create_account(email, display, password).await?;
                let store = self.service().store();
                if store
                    .was_invitation_mailed_only(invitation.id.as_str())
                    .await?
                {
                    let now = self.service().clock().now().0;
                    store.mark_email_verified(&account.id, now).await?;
                } else {
                    proof_needed = Some(account.clone());
                }
                account.id
            }
        };
        let command = Command::Join {
            invitation_id: invitation.id,
            user_id: user.clone(),
            name,
        };
        self.service()
            .execute(&org, &Actor::User(user.clone()), command)
            .await?;
        let member = self.member_after_joining(org, &user).await?;
        if let Some(account) = &proof_needed {
            self.steward
                .mail_account_link(account, LinkPurpose::Verify)
                .await?;
        }
        Ok(Joined {
            user,
            member,
            email_verified: proof_needed.is_none(),
        })
    }

    /// The new member as they see themself.
    async fn member_after_joining(
        &self,
        org: OrgId,
        user: &UserId,
    ) -> Result<MemberView, AppError> {
        let in_org = self
            .steward
            .in_org(Caller::Account(user.clone()), org.as_str())?;
        self.steward.current_member(&in_org, user).await
    }

    /// A setup link: sets the password once (and the name, if given), and
    /// answers like `/me`.
    async fn set_up_account(&self, token: &str, body: AcceptBody) -> Result<MeView, AppError> {
        let password = body.password.as_deref().ok_or_else(|| {
            AppError::invalid("password", "password: choose a password for your account")
        })?;
        let password = Password::parse(password).map_err(|e| AppError::field("password", e))?;
        // A busy node refuses before the link is used up.
        let turn = self.sign_in.passwords.turn().await?;
        let now = self.service().clock().now();
        let store = self.service().store();
        let account = store
            .take_setup_token(token, now.0)
            .await?
            .ok_or(AppError::UnknownLink)?;
        let account = UserId::parse(&account)
            .map_err(|e| AppError::Internal(format!("a setup link's account: {e}")))?;
        let hash = turn.hash(&password).await?;
        store.set_password(&account, &hash).await?;
        // The operator named this address on the command line and handed the
        // link over: their word proves it (docs/accounts.md).
        store.mark_email_verified(&account, now.0).await?;
        if let Some(name) = optional_name(body.name.as_deref())? {
            store.rename_account(&account, &name).await?;
        }
        let account = store
            .account_by_id(&account)
            .await?
            .ok_or_else(|| AppError::Internal("a setup link's account is gone".into()))?;
        self.steward.me_of(&account).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::Settings;
    use crate::service::Service;
    use steward_core::Policy;

    async fn steward() -> (tempfile::TempDir, Steward) {
        let (dir, store) = crate::store::temp_store().await;
        let service = Service::open(store, Policy::preset("operations").unwrap())
            .await
            .unwrap();
        let settings = Settings {
            signup: false,
            public_url: "http://steward.invalid".into(),
            token_audience: crate::auth::DEFAULT_TOKEN_AUDIENCE.into(),
        };
        (dir, Steward::new(service, settings))
    }

    #[tokio::test]
    async fn the_cli_owner_is_the_addresss_account_or_a_new_one_without_a_password() {
        let (_dir, steward) = steward().await;
        let email = Email::parse("Olivia@Acme.test").unwrap();
        let made = steward.owner_account(email.clone(), None).await.unwrap();
        assert_eq!(made.name.as_str(), "olivia");
        assert_eq!(made.password_hash, None);
        let again = steward
            .owner_account(email, Some(Name::parse("Someone Else").unwrap()))
            .await
            .unwrap();
        assert_eq!(again, made);
    }

    #[tokio::test]
    async fn a_setup_link_asks_for_a_password_and_an_unknown_invitation_is_unknown() {
        let (_dir, steward) = steward().await;
        let owner = steward
            .owner_account(Email::parse("o@acme.test").unwrap(), None)
            .await
            .unwrap();
        let link = steward.setup_token(&owner.id).await.unwrap();
        assert_eq!(
            steward.join_step(&link, None).await.unwrap(),
            JoinStep::ChoosePassword
        );
        for token in ["nothing", "org_x.inv_abc", "org_x.stw_setup"] {
            let refused = steward.join_step(token, None).await.unwrap_err();
            assert_eq!(refused.reason(), "unknown_invitation", "{token}");
        }
    }
}
