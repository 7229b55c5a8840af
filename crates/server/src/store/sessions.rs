//! Console sessions: the cookie holds a secret, the table its SHA-256, the
//! account and the CSRF token every form of that session must carry back.

use super::{Store, StoreError};
use crate::secrets::{new_secret, secret_hash_hex};
use sqlx::{AnyConnection, Row as _};
use steward_core::{Timestamp, UserId};

/// How long a console session lasts without signing in again.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// The prefix of session cookies' secrets.
pub const SESSION_PREFIX: &str = "stw_ses_";

/// A live session: who, and the CSRF token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub account_id: UserId,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

impl Store {
    /// A new session for the account; answers the cookie's secret and the session.
    /// The account's expired sessions go at the same time, so the table holds
    /// only live sessions and those of people who never came back.
    pub async fn create_session(
        &self,
        account_id: &UserId,
        now: Timestamp,
    ) -> Result<(String, Session), StoreError> {
        let secret = new_secret(SESSION_PREFIX);
        let session = Session {
            account_id: account_id.clone(),
            csrf_token: hex::encode(rand::random::<[u8; 16]>()),
            expires_at: Timestamp(now.0 + SESSION_SECONDS),
        };
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND expires_at <= $2")
            .bind(account_id.as_str())
            .bind(now.0)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret_hash_hex(&secret))
        .bind(session.account_id.as_str())
        .bind(&session.csrf_token)
        .bind(now.0)
        .bind(session.expires_at.0)
        .execute(&self.pool)
        .await?;
        Ok((secret, session))
    }

    /// The session behind a cookie's secret, unless it is unknown or expired.
    pub async fn session(
        &self,
        secret: &str,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id, csrf_token, expires_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(secret_hash_hex(secret))
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let account_id: String = row.try_get(0)?;
            Ok(Session {
                account_id: UserId::parse(&account_id)
                    .map_err(|e| StoreError::Corrupt(format!("a session's account: {e}")))?,
                csrf_token: row.try_get(1)?,
                expires_at: Timestamp(row.try_get(2)?),
            })
        })
        .transpose()
    }

    /// Signs one session out.
    pub async fn end_session(&self, secret: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(secret_hash_hex(secret))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of the account (a deleted member is signed out at once).
    pub async fn end_account_sessions(&self, account_id: &str) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        end_account_sessions(&mut conn, account_id).await
    }

    /// Ends every session of the account but `keep` (the one whose password
    /// change this is).
    pub async fn end_account_sessions_but(
        &self,
        account_id: &str,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        let Some(keep) = keep else {
            return self.end_account_sessions(account_id).await;
        };
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account_id)
            .bind(secret_hash_hex(keep))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Ends every session of the account, on `conn` (a member's deletion does it
/// inside the organization's write).
pub(super) async fn end_account_sessions(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::super::Account;
    use steward_core::{Email, Name, Timestamp, UserId};

    async fn account(store: &super::Store, id: &str) -> UserId {
        let account = Account {
            id: UserId::parse(id).unwrap(),
            email: Email::parse(&format!("{id}@example.com")).unwrap(),
            name: Name::parse(id).unwrap(),
            password_hash: None,
            created_at: Timestamp(0),
        };
        store.create_account(&account).await.unwrap();
        account.id
    }

    const fn at(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    #[tokio::test]
    async fn a_session_is_found_by_its_secret_until_it_ends() {
        let (_dir, store) = crate::store::temp_store().await;
        let ann = account(&store, "usr_ann").await;
        let (secret, session) = store.create_session(&ann, at(100)).await.unwrap();
        assert_eq!(
            store.session(&secret, at(101)).await.unwrap(),
            Some(session.clone())
        );
        assert_eq!(store.session("stw_ses_other", at(101)).await.unwrap(), None);
        assert_eq!(
            store.session(&secret, session.expires_at).await.unwrap(),
            None
        );
        store.end_session(&secret).await.unwrap();
        assert_eq!(store.session(&secret, at(101)).await.unwrap(), None);
    }

    #[tokio::test]
    async fn ending_an_accounts_sessions_signs_out_every_browser() {
        let (_dir, store) = crate::store::temp_store().await;
        let ann = account(&store, "usr_ann").await;
        let bob = account(&store, "usr_bob").await;
        let (one, _) = store.create_session(&ann, at(0)).await.unwrap();
        let (two, _) = store.create_session(&ann, at(0)).await.unwrap();
        let (bobs, _) = store.create_session(&bob, at(0)).await.unwrap();
        assert_eq!(store.end_account_sessions(ann.as_str()).await.unwrap(), 2);
        assert_eq!(store.session(&one, at(1)).await.unwrap(), None);
        assert_eq!(store.session(&two, at(1)).await.unwrap(), None);
        assert!(store.session(&bobs, at(1)).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_new_session_clears_the_accounts_expired_ones() {
        let (_dir, store) = crate::store::temp_store().await;
        let ann = account(&store, "usr_ann").await;
        store.create_session(&ann, at(0)).await.unwrap();
        let later = super::SESSION_SECONDS + 1;
        store.create_session(&ann, at(later)).await.unwrap();
        // Only the new one is left to end.
        assert_eq!(store.end_account_sessions(ann.as_str()).await.unwrap(), 1);
    }
}
