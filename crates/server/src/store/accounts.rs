//! Accounts: people, global across organizations, identified by e-mail.

use super::{parse_id, Store, StoreError};
use sqlx::Row as _;
use steward_core::{Email, Name, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub email: Email,
    pub name: Name,
    /// Argon2id PHC string; `None` until the person sets a password.
    pub password_hash: Option<String>,
}

impl Store {
    /// Creates an account; `Ok(false)` when the e-mail already has one.
    pub async fn create_account(
        &self,
        account: &Account,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO accounts (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(account.id.as_str())
        .bind(account.email.as_str())
        .bind(account.name.as_str())
        .bind(account.password_hash.clone())
        .bind(now.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, StoreError> {
        self.account_where("email", email.as_str()).await
    }

    pub async fn account(&self, id: &UserId) -> Result<Option<Account>, StoreError> {
        self.account_where("id", id.as_str()).await
    }

    async fn account_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<Account>, StoreError> {
        let sql =
            format!("SELECT id, email, name, password_hash FROM accounts WHERE {column} = $1");
        let row = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(Account {
                id: parse_id(&r, 0, UserId::parse)?,
                email: parse_id(&r, 1, Email::parse)?,
                name: parse_id(&r, 2, Name::parse)?,
                password_hash: r.try_get(3)?,
            })
        })
        .transpose()
    }
}
