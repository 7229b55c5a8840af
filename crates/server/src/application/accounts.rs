//! Accounts: people, global across organizations. Signing up (an account and
//! the organization it owns), `/me`, and the account behind a user id.

use super::{AppError, Application, Caller, Denied, Steward, Unauthenticated};
use crate::auth::Password;
// Until the organizations' use case moves to application/orgs.rs.
use super::orgs::OrgView;
use crate::secrets::random_id;
use crate::store::{Account, LinkPurpose, StoreError};
use serde::{Deserialize, Serialize};
use steward_core::{Email, Name, UserId};

/// An account as people see it: never its password hash.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountView {
    #[schema(value_type = String)]
    pub id: UserId,
    #[schema(value_type = String)]
    pub email: Email,
    #[schema(value_type = String)]
    pub name: Name,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> AccountView {
        AccountView {
            id: a.id.clone(),
            email: a.email.clone(),
            name: a.name.clone(),
        }
    }
}

/// `/me`: the account and the organizations it is in.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeView {
    pub account: AccountView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MembershipView {
    pub org: OrgRef,
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

/// What signing up takes: the account, and the name of the organization it owns.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    pub email: String,
    pub name: String,
    pub password: String,
    pub org_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignupAnswer {
    pub account: AccountView,
    pub org: OrgView,
    /// Always false: a link is mailed to the address, and the account signs in
    /// once it is opened (`POST /auth/verify-email/{token}`).
    pub email_verified: bool,
}

/// A new account's id.
pub(super) fn new_user_id() -> Result<UserId, AppError> {
    UserId::parse(&random_id("usr")).map_err(|e| AppError::Internal(format!("a new user id: {e}")))
}

impl Application {
    /// Self-service signup (when the deployment allows it): an account with a
    /// password, and a new organization it owns. The address is not proven: a
    /// link is mailed to it, and the account cannot sign in until it is opened
    /// (with the password), so nobody signs up with someone else's address.
    pub async fn signup(&self, body: SignupBody) -> Result<SignupAnswer, AppError> {
        if !self.settings().signup {
            return Err(AppError::SignupDisabled);
        }
        let org_name = Name::parse(&body.org_name).map_err(|e| AppError::field("org_name", e))?;
        let email = Email::parse(&body.email).map_err(|e| AppError::field("email", e))?;
        let name = Name::parse(&body.name).map_err(|e| AppError::field("name", e))?;
        let account = self.create_account(email, name, &body.password).await?;
        // The account was made just now, so nothing the organization's creation
        // refuses is the caller's to fix.
        let org = self
            .steward
            .create_organization_for(&account.id, org_name)
            .await?;
        self.steward
            .mail_account_link(&account, LinkPurpose::Verify)
            .await?;
        Ok(SignupAnswer {
            account: (&account).into(),
            org,
            email_verified: false,
        })
    }

    /// Makes an account with a password; the e-mail must be free.
    pub(super) async fn create_account(
        &self,
        email: Email,
        name: Name,
        password: &str,
    ) -> Result<Account, AppError> {
        let password = Password::parse(password).map_err(|e| AppError::field("password", e))?;
        // Before the hash, so a taken address costs no Argon2 work; the insert's
        // own check stays for an account made in between.
        let store = self.service().store();
        if store.account_by_email(&email).await?.is_some() {
            return Err(AppError::DuplicateEmail(email));
        }
        let account = Account {
            id: new_user_id()?,
            email,
            name,
            password_hash: Some(self.sign_in.passwords.hash(&password).await?),
            created_at: self.service().clock().now(),
        };
        match store.create_account(&account).await {
            Ok(()) => Ok(account),
            Err(StoreError::DuplicateEmail) => Err(AppError::DuplicateEmail(account.email)),
            Err(e) => Err(e.into()),
        }
    }
}

impl Steward {
    /// The account behind a user id; one deleted since its token was issued is
    /// `invalid_token`.
    pub async fn account(&self, user: &UserId) -> Result<Account, AppError> {
        self.service()
            .store()
            .account_by_id(user)
            .await?
            .ok_or(Unauthenticated::AccountGone.into())
    }

    /// `/me`: a person's account and memberships; an API key has none.
    pub async fn me(&self, caller: Caller) -> Result<MeView, AppError> {
        let Caller::Account(user) = caller else {
            return Err(Denied::KeyHasNoAccount.into());
        };
        let account = self.account(&user).await?;
        self.me_of(&account).await
    }

    pub(super) async fn me_of(&self, account: &Account) -> Result<MeView, AppError> {
        Ok(MeView {
            account: account.into(),
            memberships: self.memberships(&account.id).await?,
        })
    }

    /// The organizations the account is in, by name.
    pub async fn memberships(&self, user: &UserId) -> Result<Vec<MembershipView>, AppError> {
        Ok(self
            .service()
            .store()
            .memberships_of(user.as_str())
            .await?
            .into_iter()
            .map(|m| MembershipView {
                org: OrgRef {
                    id: m.org_id,
                    name: m.org_name,
                },
                role: m.role,
            })
            .collect())
    }
}
