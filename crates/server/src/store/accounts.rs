//! Accounts (people, global across organizations, found by e-mail) and the
//! one-time setup tokens that let an account set its password.

use super::{Store, StoreError};
use crate::secrets::{new_secret, secret_hash_hex};
use sqlx::any::AnyRow;
use sqlx::Row as _;
use std::fmt;
use steward_core::{Email, Name, Timestamp, UserId};

/// The prefix of setup tokens' secrets.
pub const SETUP_TOKEN_PREFIX: &str = "stw_setup_";

#[derive(Clone, PartialEq)]
pub struct Account {
    pub id: UserId,
    /// As `Email::parse` gives it (lower case): lookups compare it exactly.
    pub email: Email,
    pub name: Name,
    /// Argon2id PHC string; `None` until the person sets a password.
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
}

/// The hash is no password, but one in a log is an offline guessing target.
impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password_hash", &self.password_hash.as_ref().map(|_| "***"))
            .field("created_at", &self.created_at)
            .finish()
    }
}

const ACCOUNT_COLUMNS: &str = "id, email, name, password_hash, created_at";

/// A row as the account it was written from; one that does not parse back was
/// not written by Steward.
fn account_from(row: &AnyRow) -> Result<Account, StoreError> {
    let corrupt = |e: steward_core::ParseError| StoreError::Corrupt(format!("an account: {e}"));
    let text = |column: usize| row.try_get::<String, _>(column);
    Ok(Account {
        id: UserId::parse(&text(0)?).map_err(corrupt)?,
        email: Email::from_stored(&text(1)?).map_err(corrupt)?,
        name: Name::parse(&text(2)?).map_err(corrupt)?,
        password_hash: row.try_get(3)?,
        created_at: Timestamp(row.try_get(4)?),
    })
}

/// Whether `e` is the e-mail's unique index refusing a second account: PostgreSQL
/// names the constraint, SQLite the column.
fn is_duplicate_email(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    db.is_unique_violation()
        && (db.constraint().is_some_and(|c| c.contains("email"))
            || db.message().contains("accounts.email"))
}

/// Inserts an account in an open transaction (the caller commits); `DuplicateEmail`
/// when the e-mail already has one (also when another node created it a moment
/// ago: the unique index decides).
pub(super) async fn insert_account(
    conn: &mut sqlx::AnyConnection,
    account: &Account,
) -> Result<(), StoreError> {
    let taken = sqlx::query("SELECT 1 FROM accounts WHERE email = $1")
        .bind(account.email.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if taken {
        return Err(StoreError::DuplicateEmail);
    }
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, email, name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account.id.as_str())
    .bind(account.email.as_str())
    .bind(account.name.as_str())
    .bind(account.password_hash.clone())
    .bind(account.created_at.0)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if is_duplicate_email(&e) => Err(StoreError::DuplicateEmail),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    /// Creates an account; `DuplicateEmail` when the e-mail already has one (also
    /// when another node created it a moment ago: the unique index decides).
    pub async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_account(&mut tx, account).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1");
        let row = sqlx::query(&sql)
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from).transpose()
    }

    pub async fn account_by_id(&self, id: &UserId) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from).transpose()
    }

    /// Sets the password hash; `false` when there is no such account.
    pub async fn set_password(&self, id: &UserId, password_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Renames the account; `false` when there is no such account.
    pub async fn rename_account(&self, id: &UserId, name: &Name) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE accounts SET name = $1 WHERE id = $2")
            .bind(name.as_str())
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A one-time link's secret (`stw_setup_...`) for `account_id`, valid until
    /// `expires_at`. Only its hash is stored.
    pub async fn create_setup_token(
        &self,
        account_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<String, StoreError> {
        let secret = new_secret(SETUP_TOKEN_PREFIX);
        sqlx::query(
            "INSERT INTO setup_tokens (token_hash, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(secret_hash_hex(&secret))
        .bind(account_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(secret)
    }

    /// Uses a setup token: the account it was made for, or `None` when it is
    /// unknown, expired or already used. One conditional UPDATE marks it used, so
    /// of two requests with the same link only one gets the account.
    pub async fn take_setup_token(
        &self,
        secret: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let account = sqlx::query_scalar(
            "UPDATE setup_tokens SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3 \
             RETURNING account_id",
        )
        .bind(now)
        .bind(secret_hash_hex(secret))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::temp_store;

    fn account(id: &str, email: &str) -> Account {
        Account {
            id: UserId::parse(id).unwrap(),
            email: Email::parse(email).unwrap(),
            name: Name::parse(&format!("{id} name")).unwrap(),
            password_hash: None,
            created_at: Timestamp(1000),
        }
    }

    fn id(id: &str) -> UserId {
        UserId::parse(id).unwrap()
    }

    fn email(email: &str) -> Email {
        Email::parse(email).unwrap()
    }

    #[tokio::test]
    async fn accounts_are_found_and_updated() {
        let (_dir, store) = temp_store().await;
        let a = account("acc_a", "a@acme.test");
        store.create_account(&a).await.unwrap();
        store
            .create_account(&account("acc_b", "b@acme.test"))
            .await
            .unwrap();
        assert_eq!(
            store.account_by_email(&email("a@acme.test")).await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            store.account_by_id(&id("acc_a")).await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            store.account_by_email(&email("c@acme.test")).await.unwrap(),
            None
        );
        assert!(matches!(
            store.create_account(&account("acc_c", "a@acme.test")).await,
            Err(StoreError::DuplicateEmail)
        ));

        assert!(store
            .set_password(&id("acc_a"), "$argon2id$x")
            .await
            .unwrap());
        let alice = Name::parse("Alice").unwrap();
        assert!(store.rename_account(&id("acc_a"), &alice).await.unwrap());
        let nobody = Name::parse("Nobody").unwrap();
        assert!(!store
            .rename_account(&id("acc_none"), &nobody)
            .await
            .unwrap());
        let a = store.account_by_id(&id("acc_a")).await.unwrap().unwrap();
        assert_eq!(a.password_hash.as_deref(), Some("$argon2id$x"));
        assert_eq!(a.name, alice);
        assert!(!format!("{a:?}").contains("argon2"));
    }

    #[tokio::test]
    async fn the_unique_index_is_recognised_as_a_duplicate_email() {
        // create_account's own check runs first; this is the path for an insert
        // from another process that slipped in between.
        let (_dir, store) = temp_store().await;
        store
            .create_account(&account("acc_a", "a@acme.test"))
            .await
            .unwrap();
        let insert = "INSERT INTO accounts (id, email, name, created_at) VALUES ($1, $2, 'x', 0)";
        let same_email = sqlx::query(insert)
            .bind("acc_b")
            .bind("a@acme.test")
            .execute(store.pool())
            .await
            .unwrap_err();
        assert!(is_duplicate_email(&same_email), "{same_email}");
        let same_id = sqlx::query(insert)
            .bind("acc_a")
            .bind("b@acme.test")
            .execute(store.pool())
            .await
            .unwrap_err();
        assert!(!is_duplicate_email(&same_id), "{same_id}");
    }

    #[tokio::test]
    async fn a_setup_token_works_once_and_not_after_it_expires() {
        let (_dir, store) = temp_store().await;
        store
            .create_account(&account("acc_a", "a@acme.test"))
            .await
            .unwrap();
        let secret = store.create_setup_token("acc_a", 1000, 2000).await.unwrap();
        assert!(secret.starts_with(SETUP_TOKEN_PREFIX));
        assert_eq!(
            store
                .take_setup_token("stw_setup_nope", 1001)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .take_setup_token(&secret, 1001)
                .await
                .unwrap()
                .as_deref(),
            Some("acc_a")
        );
        assert_eq!(store.take_setup_token(&secret, 1002).await.unwrap(), None);

        let late = store.create_setup_token("acc_a", 1000, 2000).await.unwrap();
        assert_eq!(store.take_setup_token(&late, 2000).await.unwrap(), None);
    }
}
