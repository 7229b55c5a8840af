//! The signing keys of access tokens. Nodes that start together on one database
//! must agree on them, so the first key is created under a lock.

use super::{Dialect, Store, StoreError};
use sqlx::Row as _;
use std::fmt;

/// One row of `signing_keys`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeyRow {
    pub id: String,
    /// The PKCS#8 document, base64 (standard alphabet).
    pub private_der: String,
    /// The raw 32-byte Ed25519 public key, base64url without padding (a JWK's `x`).
    pub public_key: String,
    pub created_at: i64,
}

impl fmt::Debug for SigningKeyRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyRow")
            .field("id", &self.id)
            .field("private_der", &"***")
            .field("public_key", &self.public_key)
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl Store {
    /// The keys not retired, oldest first (the last one signs). When there is none,
    /// `first` is stored; the check and the insert happen
    /// under a lock, so nodes starting at once end up with one key between them
    /// rather than each signing with one the others never loaded.
    pub async fn ensure_signing_key(
        &self,
        first: SigningKeyRow,
    ) -> Result<Vec<SigningKeyRow>, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.dialect == Dialect::Postgres {
            // Self-conflicting, so a second node waits here until the first commits;
            // plain reads of the table go on.
            sqlx::query("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let live: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL")
                .fetch_one(&mut *tx)
                .await?;
        if live == 0 {
            let key = first;
            sqlx::query(
                "INSERT INTO signing_keys (id, private_der, public_key, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&key.id)
            .bind(&key.private_der)
            .bind(&key.public_key)
            .bind(key.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.signing_keys().await
    }

    /// The keys not retired, oldest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, private_der, public_key, created_at FROM signing_keys \
             WHERE retired_at IS NULL ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SigningKeyRow {
                    id: r.try_get(0)?,
                    private_der: r.try_get(1)?,
                    public_key: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                })
            })
            .collect()
    }
}
