//! The database's schema against this binary's migrations: what is applied, what
//! is pending, what a newer release applied that this one does not know, and
//! whether this binary may run beside it. Only `steward migrate` and `serve
//! --migrate auto` (or `serve` on a new database) apply migrations.

use super::{Dialect, Store, StoreError};
use sqlx::migrate::Migrator;
use sqlx::Row as _;

/// The migrations this binary carries (`migrations/`).
static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// The word a migration's file name carries (`0009_breaking_drop_x.sql`) when
/// binaries that do not know it must stop: it drops, renames or retypes what
/// they read or write. Every other migration only adds (tables, indexes,
/// columns with a default), and an older node keeps running beside it.
pub const BREAKING: &str = "breaking";

/// One migration, by number and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub description: String,
}

impl std::fmt::Display for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04} {}", self.version, self.description)
    }
}

/// Where the database's schema stands for this binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// How many of this binary's migrations the database has.
    pub applied: usize,
    /// This binary's migrations the database lacks, in order.
    pub pending: Vec<Migration>,
    /// Migrations the database has that this binary does not know (a newer
    /// release applied them).
    pub unknown: Vec<Migration>,
}

impl SchemaStatus {
    /// Nothing applied yet: a new database.
    pub fn is_new(&self) -> bool {
        self.applied == 0 && self.unknown.is_empty()
    }

    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }

    /// Ahead of this binary, and every migration it does not know only adds.
    pub fn ahead_but_compatible(&self) -> bool {
        self.pending.is_empty()
            && !self.unknown.is_empty()
            && self
                .unknown
                .iter()
                .all(|m| !m.description.contains(BREAKING))
    }

    /// Whether commands may read and write it as it is: current, or ahead with
    /// only additions; otherwise the reason, naming what to do.
    pub fn usable(&self) -> Result<(), SchemaError> {
        if self.is_current() || self.ahead_but_compatible() {
            Ok(())
        } else if !self.unknown.is_empty() {
            Err(SchemaError::Ahead(self.clone()))
        } else if self.is_new() {
            Err(SchemaError::New)
        } else {
            Err(SchemaError::Behind(self.clone()))
        }
    }
}

/// Why a command does not run on this database's schema.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    #[error("the database has no Steward schema yet: create it with `steward migrate` (or start `steward serve`, which sets up a new database)")]
    New,
    #[error("the database's schema is behind this release ({} pending: {}): run `steward migrate` first", .0.pending.len(), list(&.0.pending))]
    Behind(SchemaStatus),
    #[error("the database's schema is ahead of this release and not compatible with it (applied by a newer release: {}): run the newer release, or restore a backup made before it migrated", list(&.0.unknown))]
    Ahead(SchemaStatus),
}

fn list(migrations: &[Migration]) -> String {
    let names: Vec<String> = migrations.iter().map(|m| m.to_string()).collect();
    names.join(", ")
}

/// This binary's migrations, in order.
pub fn known() -> Vec<Migration> {
    MIGRATOR
        .iter()
        .map(|m| Migration {
            version: m.version,
            description: m.description.to_string(),
        })
        .collect()
}

impl Store {
    /// Compares the database's applied migrations with this binary's, writing
    /// nothing (the migrations table may not exist yet).
    pub async fn schema(&self) -> Result<SchemaStatus, StoreError> {
        let exists = match self.dialect {
            Dialect::Sqlite => {
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Dialect::Postgres => {
                "SELECT 1 FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let has_table = sqlx::query(exists)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        let mut applied = Vec::new();
        if has_table {
            let rows = sqlx::query(
                "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                applied.push(Migration {
                    version: row.try_get(0)?,
                    description: row.try_get(1)?,
                });
            }
        }
        let known = known();
        let is_applied = |v: i64| applied.iter().any(|m| m.version == v);
        let is_known = |v: i64| known.iter().any(|m| m.version == v);
        Ok(SchemaStatus {
            applied: known.iter().filter(|m| is_applied(m.version)).count(),
            pending: known
                .iter()
                .filter(|m| !is_applied(m.version))
                .cloned()
                .collect(),
            unknown: applied
                .iter()
                .filter(|m| !is_known(m.version))
                .cloned()
                .collect(),
        })
    }

    /// Applies the pending migrations; what it applied, in order. Refuses a
    /// schema a newer release migrated (sqlx would too, less clearly).
    pub async fn migrate(&self) -> Result<Vec<Migration>, StoreError> {
        let status = self.schema().await?;
        if !status.unknown.is_empty() {
            return Err(SchemaError::Ahead(status).into());
        }
        MIGRATOR.run(&self.pool).await?;
        Ok(status.pending)
    }

    /// Refuses a schema commands cannot run on: new, behind, or ahead with a
    /// breaking change.
    pub async fn require_usable_schema(&self) -> Result<SchemaStatus, StoreError> {
        let status = self.schema().await?;
        status.usable()?;
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_after_0005_either_only_add_or_are_named_breaking() {
        // 0005 is the last release before older nodes could run beside a newer
        // schema; from then on an older node reads a migration's name to know.
        for m in MIGRATOR.iter().filter(|m| m.version > 5) {
            if m.description.contains(BREAKING) {
                continue;
            }
            let sql = m.sql.to_uppercase();
            for word in ["DROP ", "RENAME ", "ALTER COLUMN"] {
                assert!(
                    !sql.contains(word),
                    "migration {:04} {} has {word}: name it with `{BREAKING}`",
                    m.version,
                    m.description
                );
            }
        }
    }

    fn status(applied: usize, pending: &[i64], unknown: &[(i64, &str)]) -> SchemaStatus {
        let m = |(version, d): (i64, &str)| Migration {
            version,
            description: d.into(),
        };
        SchemaStatus {
            applied,
            pending: pending.iter().map(|v| m((*v, "x"))).collect(),
            unknown: unknown.iter().copied().map(m).collect(),
        }
    }

    #[test]
    fn a_schema_ahead_is_usable_only_when_what_it_added_is_not_breaking() {
        assert!(status(5, &[], &[]).usable().is_ok());
        assert!(status(5, &[], &[(6, "add mail")]).usable().is_ok());
        let breaking = status(5, &[], &[(6, "add mail"), (7, "breaking drop x")]).usable();
        assert!(
            matches!(breaking, Err(SchemaError::Ahead(_))),
            "{breaking:?}"
        );
        assert!(matches!(
            status(0, &[1, 2], &[]).usable(),
            Err(SchemaError::New)
        ));
        let behind = status(4, &[5], &[]).usable().unwrap_err().to_string();
        assert!(behind.contains("steward migrate"), "{behind}");
        assert!(behind.contains("0005 x"), "{behind}");
    }
}
