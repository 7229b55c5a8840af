//! Second factors at rest: an account's TOTP secret (whether confirmed, the
//! last step a code was taken for), its recovery codes (hashed, single-use) and
//! the sign-in challenges between a password and a code (docs/two-factor.md).

use super::{Store, StoreError};
use crate::secrets::secret_hash_hex;
use sqlx::{AnyConnection, Row as _};
use steward_core::UserId;

/// A TOTP key in base32. Its Debug never shows it: it is as good as the
/// second factor itself.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(pub String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// An account's second factor as stored.
#[derive(Debug, Clone)]
pub struct StoredSecondFactor {
    pub secret: TotpSecret,
    pub confirmed: bool,
    pub last_step: i64,
}

impl Store {
    /// The account's second factor, confirmed or not.
    pub async fn second_factor(
        &self,
        account: &UserId,
    ) -> Result<Option<StoredSecondFactor>, StoreError> {
        let row = sqlx::query(
            "SELECT secret, confirmed_at, last_step FROM second_factors WHERE account_id = $1",
        )
        .bind(account.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredSecondFactor {
                secret: TotpSecret(r.try_get(0)?),
                confirmed: r.try_get::<Option<i64>, _>(1)?.is_some(),
                last_step: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Whether the account has a confirmed second factor.
    pub async fn has_second_factor(&self, account: &UserId) -> Result<bool, StoreError> {
        Ok(self
            .second_factor(account)
            .await?
            .is_some_and(|f| f.confirmed))
    }

    /// Starts an enrolment: a new unconfirmed secret replaces an unconfirmed
    /// one. Answers false (and changes nothing) when a confirmed one is there.
    pub async fn begin_second_factor(
        &self,
        account: &UserId,
        secret: &TotpSecret,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM second_factors WHERE account_id = $1 AND confirmed_at IS NULL")
            .bind(account.as_str())
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO second_factors (account_id, secret, created_at, last_step) \
             SELECT $1, $2, $3, 0 WHERE NOT EXISTS \
             (SELECT 1 FROM second_factors WHERE account_id = $1)",
        )
        .bind(account.as_str())
        .bind(&secret.0)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }

    /// Takes the code of `step` for the account: true once per step and only
    /// for a step after the last one taken, so a code is never accepted twice,
    /// on any node (the update is the test).
    pub async fn take_totp_step(&self, account: &UserId, step: i64) -> Result<bool, StoreError> {
        let taken = sqlx::query(
            "UPDATE second_factors SET last_step = $1 WHERE account_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(account.as_str())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// Confirms the enrolment with the step its first code was for, and stores
    /// the recovery codes' hashes, replacing any older ones.
    pub async fn confirm_second_factor(
        &self,
        account: &UserId,
        step: i64,
        recovery_codes: &[String],
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let confirmed = sqlx::query(
            "UPDATE second_factors SET confirmed_at = $1, last_step = $2 \
             WHERE account_id = $3 AND confirmed_at IS NULL AND last_step < $2",
        )
        .bind(now)
        .bind(step)
        .bind(account.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if confirmed != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account.as_str())
            .execute(&mut *tx)
            .await?;
        for code in recovery_codes {
            sqlx::query("INSERT INTO recovery_codes (code_hash, account_id) VALUES ($1, $2)")
                .bind(secret_hash_hex(code))
                .bind(account.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Uses one recovery code of the account: true once, never again.
    pub async fn take_recovery_code(
        &self,
        account: &UserId,
        code: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let taken = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE code_hash = $2 AND account_id = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(secret_hash_hex(code))
        .bind(account.as_str())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// How many of the account's recovery codes are left.
    pub async fn recovery_codes_left(&self, account: &UserId) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account.as_str())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Removes the account's second factor and recovery codes (its holder
    /// turning it off).
    pub async fn remove_second_factor(&self, account: &UserId) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        remove_second_factor(&mut conn, account.as_str()).await
    }

    /// A challenge for the account, valid until `expires_at`: its secret is the
    /// client's, its hash ours.
    pub async fn create_second_factor_challenge(
        &self,
        account: &UserId,
        secret: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM second_factor_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO second_factor_challenges (token_hash, account_id, expires_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(secret_hash_hex(secret))
        .bind(account.as_str())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account a live, unused challenge is for.
    pub async fn second_factor_challenge(
        &self,
        secret: &str,
        now: i64,
    ) -> Result<Option<UserId>, StoreError> {
        let account: Option<String> = sqlx::query_scalar(
            "SELECT account_id FROM second_factor_challenges \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(secret_hash_hex(secret))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        account
            .map(|a| UserId::parse(&a).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// Uses the challenge up: true once.
    pub async fn take_second_factor_challenge(
        &self,
        secret: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let taken = sqlx::query(
            "UPDATE second_factor_challenges SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(secret_hash_hex(secret))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }
}

/// The account's second factor and recovery codes, gone: its holder turning
/// it off, or an admin's reset in the transaction that records it.
pub(super) async fn remove_second_factor(
    conn: &mut AnyConnection,
    account: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM second_factor_challenges WHERE account_id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM second_factors WHERE account_id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
