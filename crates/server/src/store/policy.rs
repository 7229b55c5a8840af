//! The deployment's policy as stored (`policies`): the one in force, the ones
//! before it, and the check every write makes that the node still decides with
//! the one in force (docs/deployment.md).

use super::{Dialect, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row as _;
use std::fmt;

/// The channel on which a replacement is announced to the other PostgreSQL nodes.
pub const POLICY_CHANNEL: &str = "steward_policy";

/// Which policy: the name its file gives and the SHA-256 (hex) of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyId {
    pub name: String,
    pub sha256: String,
}

impl PolicyId {
    pub fn of(name: &str, source: &str) -> PolicyId {
        PolicyId {
            name: name.to_string(),
            sha256: hex::encode(Sha256::digest(source.as_bytes())),
        }
    }
}

/// `operations (sha256 5f0c1e2d3a4b)`: the name, and enough of the hash to tell
/// two versions of one file apart.
impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = self.sha256.get(..12).unwrap_or(&self.sha256);
        write!(f, "{} (sha256 {short})", self.name)
    }
}

/// One row of `policies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    /// 1 for the first start's; each replacement adds one.
    pub seq: i64,
    pub id: PolicyId,
    pub source: String,
    pub adopted_at: i64,
}

const COLUMNS: &str = "seq, name, source, sha256, adopted_at";

fn stored_from(row: &AnyRow) -> Result<StoredPolicy, StoreError> {
    Ok(StoredPolicy {
        seq: row.try_get(0)?,
        id: PolicyId {
            name: row.try_get(1)?,
            sha256: row.try_get(3)?,
        },
        source: row.try_get(2)?,
        adopted_at: row.try_get(4)?,
    })
}

impl Store {
    /// The policy in force, if one was ever stored.
    pub async fn stored_policy(&self) -> Result<Option<StoredPolicy>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM policies ORDER BY seq DESC LIMIT 1");
        let row = sqlx::query(&sql).fetch_optional(&self.pool).await?;
        row.as_ref().map(stored_from).transpose()
    }

    /// Every policy the database has had, the first start's first.
    pub async fn policy_history(&self) -> Result<Vec<StoredPolicy>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM policies ORDER BY seq");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(stored_from).collect()
    }

    /// Stores the first policy, unless one is stored already (another node's first
    /// start came first: its policy stays). Answers the policy in force after.
    pub async fn store_first_policy(
        &self,
        id: &PolicyId,
        source: &str,
        now: i64,
    ) -> Result<StoredPolicy, StoreError> {
        sqlx::query(
            "INSERT INTO policies (seq, name, source, sha256, adopted_at) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING",
        )
        .bind(&id.name)
        .bind(source)
        .bind(&id.sha256)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.stored_policy()
            .await?
            .ok_or_else(|| StoreError::Corrupt("no policy after storing one".into()))
    }

    /// Makes `source` the policy in force, after the one there (kept as history).
    /// It waits for the writes in flight and holds new ones until it commits, so no
    /// write decided with the old policy commits after it: every write compares
    /// the policy under its lock (`begin_org`). Answers the policy it replaced.
    pub async fn replace_policy(
        &self,
        id: &PolicyId,
        source: &str,
        now: i64,
    ) -> Result<Option<StoredPolicy>, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.dialect == Dialect::Postgres {
            // Conflicts with the row locks writes take on their organization and
            // with the insert of a new one (SQLite: BEGIN IMMEDIATE already did).
            sqlx::query("LOCK TABLE organizations IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let sql = format!("SELECT {COLUMNS} FROM policies ORDER BY seq DESC LIMIT 1");
        let previous = match sqlx::query(&sql).fetch_optional(&mut *tx).await? {
            Some(row) => Some(stored_from(&row)?),
            None => None,
        };
        if previous.as_ref().is_some_and(|p| p.id == *id) {
            tx.rollback().await?;
            return Ok(previous);
        }
        sqlx::query(
            "INSERT INTO policies (seq, name, source, sha256, adopted_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(previous.as_ref().map_or(1, |p| p.seq + 1))
        .bind(&id.name)
        .bind(source)
        .bind(&id.sha256)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(POLICY_CHANNEL)
                .bind(&id.sha256)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(previous)
    }

    /// This store's writes from now on refuse once the policy in force is no
    /// longer `id` (another node replaced it).
    pub fn pinned_to(mut self, id: PolicyId) -> Store {
        self.policy = Some(std::sync::Arc::new(id));
        self
    }

    /// The policy this store's writes are pinned to.
    pub fn pinned_policy(&self) -> Option<&PolicyId> {
        self.policy.as_deref()
    }

    /// Inside a write, after its lock: refuses when the policy in force is not the
    /// one this store is pinned to. A read of its own statement, so on PostgreSQL
    /// it sees a replacement that committed while the lock was awaited.
    pub(super) async fn check_pinned_policy(
        &self,
        tx: &mut sqlx::AnyConnection,
    ) -> Result<(), StoreError> {
        let Some(held) = self.pinned_policy() else {
            return Ok(());
        };
        let row = sqlx::query("SELECT name, sha256 FROM policies ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let stored = match row {
            Some(r) => PolicyId {
                name: r.try_get(0)?,
                sha256: r.try_get(1)?,
            },
            None => PolicyId {
                name: "none".into(),
                sha256: String::new(),
            },
        };
        if stored.sha256 == held.sha256 {
            return Ok(());
        }
        Err(StoreError::PolicyReplaced {
            held: held.clone(),
            stored,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_is_named_with_the_start_of_its_hash() {
        let id = PolicyId::of("operations", "name = \"operations\"\n");
        assert_eq!(id.sha256.len(), 64);
        assert_eq!(
            id.to_string(),
            format!("operations (sha256 {})", &id.sha256[..12])
        );
        assert_ne!(id, PolicyId::of("operations", "name = \"operations\"\n\n"));
    }
}
