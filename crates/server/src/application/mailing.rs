//! The mails the use cases send: rendered when the change is made, written to
//! the outbox (with the one-time link they carry, in one transaction), and
//! delivered by the courier after commit. Organization changes are committed by
//! the service's own transaction, which holds the organization's events only: their
//! mail is queued right after that commit (docs/operations.md#mail).

use super::invitations::InvitationView;
use super::ownership::{TransferStatus, TransferView};
use super::{AppError, InOrg, Steward};
use crate::mail::Mail;
use crate::store::{Account, LinkPurpose, Store};
use steward_core::{OrgId, UserId};

/// How long a password-reset link lasts.
pub const RESET_LINK_SECONDS: i64 = 3600;
/// How long a link that proves an address lasts.
pub const VERIFY_LINK_SECONDS: i64 = 7 * 24 * 3600;

fn render(mail: &Mail<'_>, to: &str) -> Result<crate::store::Letter, AppError> {
    mail.to(to)
        .map_err(|e| AppError::Internal(format!("rendering a mail: {e}")))
}

impl Steward {
    /// Whether mails reach people (an SMTP relay), or only the log.
    pub fn mails_reach_people(&self) -> bool {
        self.mail.over_smtp
    }

    /// Queues `mail` to `to`; the courier is rung.
    pub(super) async fn queue_mail(&self, to: &str, mail: Mail<'_>) -> Result<(), AppError> {
        let letter = render(&mail, to)?;
        let now = self.service().clock().now().0;
        self.service().store().queue_mail(&letter, now).await?;
        self.mail.bell.notify_one();
        Ok(())
    }

    /// A one-time link for `account` (a reset, or a proof of address), queued in
    /// the same transaction as the mail that carries it.
    pub(super) async fn mail_account_link(
        &self,
        account: &Account,
        purpose: LinkPurpose,
    ) -> Result<(), AppError> {
        let now = self.service().clock().now().0;
        let (path, lasts) = match purpose {
            LinkPurpose::Reset => ("/password-reset/", RESET_LINK_SECONDS),
            LinkPurpose::Verify => ("/verify-email/", VERIFY_LINK_SECONDS),
        };
        let secret = Store::new_link_secret(purpose);
        let link = self.settings().link(&format!("{path}{secret}"));
        let mail = match purpose {
            LinkPurpose::Reset => Mail::PasswordReset { link: &link },
            LinkPurpose::Verify => Mail::VerifyAddress { link: &link },
        };
        let letter = render(&mail, account.email.as_str())?;
        self.service()
            .store()
            .queue_link_mail(&account.id, purpose, &secret, (now, now + lasts), &letter)
            .await?;
        self.mail.bell.notify_one();
        Ok(())
    }

    /// Mails a new invitation's link. With a relay, the link goes only by mail
    /// (the view loses it, and accepting it proves the address); without one the
    /// inviter is shown it, as before, and an account made from it must prove its
    /// address.
    pub(super) async fn send_invitation(
        &self,
        org: &InOrg,
        view: &mut InvitationView,
    ) -> Result<(), AppError> {
        let Some(link) = view.accept_url.clone() else {
            return Ok(());
        };
        let org_name = self.org_name(&org.org).await?;
        let mail = Mail::Invitation {
            org: &org_name,
            role: &view.role,
            link: &link,
        };
        self.queue_mail(&view.email, mail).await?;
        if self.mails_reach_people() {
            let now = self.service().clock().now().0;
            self.service()
                .store()
                .record_mailed_invitation(&view.id, now)
                .await?;
            view.token = None;
            view.accept_url = None;
        }
        Ok(())
    }

    /// Tells the nominee they were asked to take the organization over.
    pub(super) async fn send_nomination(
        &self,
        org: &InOrg,
        view: &TransferView,
    ) -> Result<(), AppError> {
        let (Some(nominee), Some(owner)) = (
            self.account_named(&view.to_user).await?,
            self.account_named(&view.from_user).await?,
        ) else {
            return Ok(());
        };
        let org_name = self.org_name(&org.org).await?;
        let link = self
            .settings()
            .link(&format!("/orgs/{}/ownership", org.org));
        let mail = Mail::Nomination {
            org: &org_name,
            from: owner.name.as_str(),
            link: &link,
        };
        self.queue_mail(nominee.email.as_str(), mail).await
    }

    /// Tells the owner who nominated how the nominee answered.
    pub(super) async fn send_transfer_answer(
        &self,
        org: &InOrg,
        view: &TransferView,
        status: TransferStatus,
    ) -> Result<(), AppError> {
        let (Some(nominee), Some(owner)) = (
            self.account_named(&view.to_user).await?,
            self.account_named(&view.from_user).await?,
        ) else {
            return Ok(());
        };
        let org_name = self.org_name(&org.org).await?;
        let link = self
            .settings()
            .link(&format!("/orgs/{}/ownership", org.org));
        let mail = Mail::NominationAnswered {
            org: &org_name,
            nominee: nominee.name.as_str(),
            accepted: status == TransferStatus::Accepted,
            link: &link,
        };
        self.queue_mail(owner.email.as_str(), mail).await
    }

    async fn account_named(&self, user: &str) -> Result<Option<Account>, AppError> {
        let Ok(user) = UserId::parse(user) else {
            return Ok(None);
        };
        Ok(self.service().store().account_by_id(&user).await?)
    }

    pub(super) async fn org_name(&self, org: &OrgId) -> Result<String, AppError> {
        Ok(self
            .service()
            .read(org, |state| {
                state.org().map(|o| o.name.to_string()).unwrap_or_default()
            })
            .await?)
    }
}
