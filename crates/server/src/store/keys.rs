//! The signing keys of access tokens. Nodes that start together on one database
//! must agree on them, so the first key is created, and every later one rotated
//! in, under a lock.

use super::{Dialect, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::fmt;

/// One row of `signing_keys`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeyRow {
    pub id: String,
    /// The PKCS#8 document, base64 (standard alphabet).
    pub private_der: String,
    /// The raw 32-byte Ed25519 public key, base64url without padding (a JWK's `x`).
    pub public_key: String,
    /// When it was made, and so published in the JWKS.
    pub created_at: i64,
    /// When it starts signing: a rotated-in key is published first, so that every
    /// node knows it before meeting a token it signed.
    pub signs_from: i64,
    /// When it leaves the JWKS (the column `retired_at`): `None` while it is the
    /// key that signs (or is about to).
    pub retiring_at: Option<i64>,
}

impl fmt::Debug for SigningKeyRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyRow")
            .field("id", &self.id)
            .field("private_der", &"***")
            .field("public_key", &self.public_key)
            .field("created_at", &self.created_at)
            .field("signs_from", &self.signs_from)
            .field("retiring_at", &self.retiring_at)
            .finish()
    }
}

const COLUMNS: &str = "id, private_der, public_key, created_at, signs_from, retired_at";

impl Store {
    /// The keys served at `now`, oldest first. When no key is live (none, or all
    /// retiring), `first` is stored; the check and the insert happen under a
    /// lock, so nodes starting at once end up with one key between them rather
    /// than each signing with one the others never loaded.
    pub async fn ensure_signing_key(
        &self,
        first: SigningKeyRow,
        now: i64,
    ) -> Result<Vec<SigningKeyRow>, StoreError> {
        let mut tx = self.lock_signing_keys().await?;
        let live: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL")
                .fetch_one(&mut *tx)
                .await?;
        if live == 0 {
            insert(&mut tx, &first).await?;
        }
        tx.commit().await?;
        self.signing_keys(now).await
    }

    /// Makes `next` the key that signs from its `signs_from`: every live key is
    /// set to leave the JWKS at `retiring_at`, and keys already past their own
    /// retiring time are deleted. Answers the keys served at `now`.
    pub async fn rotate_signing_key(
        &self,
        next: SigningKeyRow,
        retiring_at: i64,
        now: i64,
    ) -> Result<Vec<SigningKeyRow>, StoreError> {
        let mut tx = self.lock_signing_keys().await?;
        sqlx::query("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(retiring_at)
            .execute(&mut *tx)
            .await?;
        insert(&mut tx, &next).await?;
        tx.commit().await?;
        self.signing_keys(now).await
    }

    /// The keys served at `now` (live, or retiring later), oldest first.
    pub async fn signing_keys(&self, now: i64) -> Result<Vec<SigningKeyRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM signing_keys \
             WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at, id"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(key_row).collect()
    }

    /// A write transaction that a second one waits behind until it commits (on
    /// SQLite, BEGIN IMMEDIATE already does that); plain reads go on.
    async fn lock_signing_keys(&self) -> Result<Transaction<'static, Any>, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }
}

async fn insert(tx: &mut Transaction<'static, Any>, key: &SigningKeyRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (id, private_der, public_key, created_at, signs_from, retired_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&key.id)
    .bind(&key.private_der)
    .bind(&key.public_key)
    .bind(key.created_at)
    .bind(key.signs_from)
    .bind(key.retiring_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn key_row(r: &AnyRow) -> Result<SigningKeyRow, StoreError> {
    Ok(SigningKeyRow {
        id: r.try_get(0)?,
        private_der: r.try_get(1)?,
        public_key: r.try_get(2)?,
        created_at: r.try_get(3)?,
        signs_from: r.try_get(4)?,
        retiring_at: r.try_get(5)?,
    })
}
