//! Refresh tokens: each use gives a new one in the same family (one login), and a
//! token presented after it was used means a copy exists, so the family ends.

use super::{Store, StoreError};
use crate::auth::secret::{new_secret, secret_hash_hex};
use sqlx::{AnyConnection, Row as _};

/// A refresh token's life, renewed by each rotation.
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 86_400;

/// The prefix of refresh tokens' secrets.
pub const REFRESH_TOKEN_PREFIX: &str = "stw_rt_";

/// Why a refresh token was not exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RefreshRefusal {
    #[error("unknown refresh token")]
    Unknown,
    #[error("the refresh token has expired")]
    Expired,
    /// It was already exchanged: a copy exists, so its family is now revoked.
    #[error("the refresh token was already used; its session is revoked")]
    Reused,
    /// Revoked before it was ever used (logout, or its account left an
    /// organization): no sign of a copy, nothing more to revoke.
    #[error("the refresh token was revoked")]
    Revoked,
}

impl Store {
    /// The first refresh token of a new family (a login).
    pub async fn issue_refresh_token(
        &self,
        account_id: &str,
        now: i64,
    ) -> Result<String, StoreError> {
        let family = crate::service::ids::random_id("rtf");
        let secret = new_secret(REFRESH_TOKEN_PREFIX);
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, account_id, family_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret_hash_hex(&secret))
        .bind(account_id)
        .bind(family)
        .bind(now)
        .bind(now + REFRESH_TOKEN_SECONDS)
        .execute(&self.pool)
        .await?;
        Ok(secret)
    }

    /// Exchanges a refresh token for the account id and its successor.
    ///
    /// The token is marked rotated by an UPDATE that matches only while it is
    /// neither rotated nor revoked, so of two concurrent exchanges one wins; the
    /// other then holds a used token, like any replay, and revokes the family.
    pub async fn rotate_refresh_token(
        &self,
        secret: &str,
        now: i64,
    ) -> Result<Result<(String, String), RefreshRefusal>, StoreError> {
        let hash = secret_hash_hex(secret);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT account_id, family_id, expires_at, rotated_at, revoked_at \
             FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(Err(RefreshRefusal::Unknown));
        };
        let account: String = row.try_get(0)?;
        let family: String = row.try_get(1)?;
        let expires_at: i64 = row.try_get(2)?;
        let rotated_at: Option<i64> = row.try_get(3)?;
        let revoked_at: Option<i64> = row.try_get(4)?;

        if rotated_at.is_none() && revoked_at.is_some() {
            tx.rollback().await?;
            return Ok(Err(RefreshRefusal::Revoked));
        }
        let used = rotated_at.is_some() || revoked_at.is_some();
        if !used && now >= expires_at {
            tx.rollback().await?;
            return Ok(Err(RefreshRefusal::Expired));
        }
        let won = !used
            && sqlx::query(
                "UPDATE refresh_tokens SET rotated_at = $1 \
                 WHERE token_hash = $2 AND rotated_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(&hash)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
        if !won {
            revoke_family(&mut tx, &family, now).await?;
            tx.commit().await?;
            return Ok(Err(RefreshRefusal::Reused));
        }
        let next = new_secret(REFRESH_TOKEN_PREFIX);
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, account_id, family_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret_hash_hex(&next))
        .bind(&account)
        .bind(&family)
        .bind(now)
        .bind(now + REFRESH_TOKEN_SECONDS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok((account, next)))
    }

    /// Logout: revokes the token's whole family. `false` when the token is unknown.
    pub async fn revoke_refresh_family(&self, secret: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let family: Option<String> =
            sqlx::query_scalar("SELECT family_id FROM refresh_tokens WHERE token_hash = $1")
                .bind(secret_hash_hex(secret))
                .fetch_optional(&mut *tx)
                .await?;
        let Some(family) = family else {
            tx.rollback().await?;
            return Ok(false);
        };
        revoke_family(&mut tx, &family, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Revokes every refresh token of the account (deleted, or its password
    /// changed); the number of tokens that were still live.
    pub async fn revoke_account_refresh_tokens(
        &self,
        account_id: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        revoke_account_tokens(&mut conn, account_id, now).await
    }
}

/// Revokes every live refresh token of the account, on `conn` (a member's
/// deletion does it inside the organization's write).
pub(super) async fn revoke_account_tokens(
    conn: &mut AnyConnection,
    account_id: &str,
    now: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

async fn revoke_family(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    family: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(family)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
