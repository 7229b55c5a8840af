//! `steward backup --to FILE`: a consistent copy of an SQLite database while
//! Steward runs (`VACUUM INTO`: one read transaction, so the copy is the
//! database at one moment, WAL included), checked before it is reported. For
//! PostgreSQL it names what to run instead: `pg_dump` does this job better
//! than a copy streamed through Steward would.

use super::serve::DatabaseUrlArg;
use crate::store::Store;
use clap::Args;
use sqlx::Row as _;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseUrlArg,
    /// The file to write the copy to; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

impl BackupArgs {
    pub fn run(self) -> anyhow::Result<()> {
        tokio::runtime::Runtime::new()?.block_on(async {
            let url = &self.database.database_url;
            // Said before connecting: the advice holds whether or not it answers.
            if url.expose().starts_with("postgres") {
                anyhow::bail!(
                    "steward backup copies SQLite databases; for PostgreSQL use its own tools: \
                     `pg_dump --format=custom --file=steward.dump DATABASE` (consistent while \
                     Steward runs), restored with `pg_restore --dbname=NEW_DATABASE steward.dump`; \
                     see docs/operations.md#backups"
                );
            }
            if self.to.exists() {
                anyhow::bail!(
                    "{} exists already: a backup never overwrites a file",
                    self.to.display()
                );
            }
            let target = self
                .to
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("the path {} is not UTF-8", self.to.display()))?;
            // Any schema: a backup is what to take before `steward migrate`.
            let store = Store::connect(url.expose(), false)
                .await
                .map_err(|e| anyhow::anyhow!("opening the database {url}: {e}"))?;
            let started = std::time::Instant::now();
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(store.pool())
                .await
                .map_err(|e| anyhow::anyhow!("copying to {target}: {e}"))?;
            let organizations = check_copy(target).await?;
            let bytes = std::fs::metadata(&self.to).map_or(0, |m| m.len());
            println!(
                "Backed up {url} to {target}: {organizations} organization(s), {:.1} MiB, in {:.1?}; \
                 the copy passed SQLite's integrity check.",
                bytes as f64 / (1024.0 * 1024.0),
                started.elapsed()
            );
            Ok(())
        })
    }
}

/// Opens the copy and runs SQLite's integrity check; how many organizations it
/// holds.
async fn check_copy(target: &str) -> anyhow::Result<i64> {
    let copy = Store::connect(&format!("sqlite://{target}"), false).await?;
    let verdict: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(copy.pool())
        .await?
        .try_get(0)?;
    if verdict != "ok" {
        anyhow::bail!("the copy {target} fails SQLite's integrity check: {verdict}");
    }
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM organizations")
        .fetch_one(copy.pool())
        .await?
        .try_get(0)?;
    // Closed, so the copy is one file again (no -wal beside it).
    copy.pool().close().await;
    Ok(count)
}
