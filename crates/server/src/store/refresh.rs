//! Refresh tokens: each use gives a new one in the same family (one login), and a
//! token presented after it was used means a copy exists, so the family ends;
//! except a retry within a few seconds, which gets the same successor.

use super::{Store, StoreError};
use crate::secrets::{new_secret, open_secret, seal_secret, secret_hash_hex};
use sqlx::{AnyConnection, Row as _};

/// A refresh token's life, renewed by each rotation.
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 86_400;

/// A token presented again within this many seconds of its rotation is a retry
/// (a client whose first request timed out, or two tabs at once), answered with
/// the same successor; after that it is a replay and revokes the family.
pub const REFRESH_RETRY_GRACE_SECONDS: i64 = 10;

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
        let family = crate::secrets::random_id("rtf");
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
    /// neither rotated nor revoked, so of two concurrent exchanges one wins and
    /// makes the successor. The other, like any retry within
    /// `REFRESH_RETRY_GRACE_SECONDS`, gets that same successor: it is stored
    /// sealed under the presented token's secret, which only its holder has.
    /// The same successor rather than a sibling in the family, because a sibling
    /// would start a second live chain that reuse detection never sees again: a
    /// copy stolen and replayed within the window would live on undetected. With
    /// one successor there is one chain, and whichever holder uses it second is
    /// caught as a replay. Later, or once the family is revoked, a used token
    /// revokes the family.
    pub async fn rotate_refresh_token(
        &self,
        secret: &str,
        now: i64,
    ) -> Result<Result<(String, String), RefreshRefusal>, StoreError> {
        let hash = secret_hash_hex(secret);
        let mut tx = self.begin_write().await?;
        let Some(mut token) = read_token(&mut tx, &hash).await? else {
            tx.rollback().await?;
            return Ok(Err(RefreshRefusal::Unknown));
        };
        if token.rotated_at.is_none() && token.revoked_at.is_none() {
            if now >= token.expires_at {
                tx.rollback().await?;
                return Ok(Err(RefreshRefusal::Expired));
            }
            let next = new_secret(REFRESH_TOKEN_PREFIX);
            let sealed = seal_secret(&next, REFRESH_TOKEN_PREFIX, secret)
                .ok_or_else(|| StoreError::Corrupt("a new refresh token did not seal".into()))?;
            let won = sqlx::query(
                "UPDATE refresh_tokens SET rotated_at = $1, successor_sealed = $2 \
                 WHERE token_hash = $3 AND rotated_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(sealed)
            .bind(&hash)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if won {
                sqlx::query(
                    "INSERT INTO refresh_tokens \
                     (token_hash, account_id, family_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(secret_hash_hex(&next))
                .bind(&token.account_id)
                .bind(&token.family_id)
                .bind(now)
                .bind(now + REFRESH_TOKEN_SECONDS)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(Ok((token.account_id, next)));
            }
            // A concurrent exchange won (PostgreSQL's UPDATE waited for its
            // commit; SQLite's write lock orders them before the first read):
            // read what it wrote.
            token = match read_token(&mut tx, &hash).await? {
                Some(token) => token,
                None => {
                    tx.rollback().await?;
                    return Ok(Err(RefreshRefusal::Unknown));
                }
            };
        }
        if token.revoked_at.is_some() && token.rotated_at.is_none() {
            tx.rollback().await?;
            return Ok(Err(RefreshRefusal::Revoked));
        }
        if let Some(next) = token.retry_successor(secret, now) {
            tx.rollback().await?;
            return Ok(Ok((token.account_id, next)));
        }
        revoke_family(&mut tx, &token.family_id, now).await?;
        tx.commit().await?;
        Ok(Err(RefreshRefusal::Reused))
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

/// A refresh token's row.
struct TokenRow {
    account_id: String,
    family_id: String,
    expires_at: i64,
    rotated_at: Option<i64>,
    revoked_at: Option<i64>,
    successor_sealed: Option<String>,
}

impl TokenRow {
    /// The successor a retry of this token gets: only within the grace period
    /// after its rotation, and only while the family is not revoked.
    fn retry_successor(&self, secret: &str, now: i64) -> Option<String> {
        let rotated_at = self.rotated_at?;
        if self.revoked_at.is_some() || now >= rotated_at + REFRESH_RETRY_GRACE_SECONDS {
            return None;
        }
        open_secret(
            self.successor_sealed.as_deref()?,
            REFRESH_TOKEN_PREFIX,
            secret,
        )
    }
}

async fn read_token(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    hash: &str,
) -> Result<Option<TokenRow>, StoreError> {
    let row = sqlx::query(
        "SELECT account_id, family_id, expires_at, rotated_at, revoked_at, successor_sealed \
         FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(TokenRow {
        account_id: row.try_get(0)?,
        family_id: row.try_get(1)?,
        expires_at: row.try_get(2)?,
        rotated_at: row.try_get(3)?,
        revoked_at: row.try_get(4)?,
        successor_sealed: row.try_get(5)?,
    }))
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
