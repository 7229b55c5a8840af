//! `steward migrate [--check]`, and what `serve --migrate` does with a database
//! whose schema is not this release's. Migrating is a step of its own so a
//! rolling upgrade migrates once, on purpose, not under the old nodes.

use super::serve::DatabaseUrlArg;
use crate::app::{Phase, Starting};
use crate::store::{SchemaError, Store};
use clap::Args;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseUrlArg,
    /// List the pending migrations and exit non-zero if there are any, applying
    /// nothing.
    #[arg(long)]
    pub check: bool,
}

/// When `serve` applies migrations itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MigrateWhen {
    /// Only a new, empty database (the first start just works); an existing
    /// database whose schema is behind is refused, naming `steward migrate`.
    New,
    /// Every pending migration, at every start (one node, or a deliberate
    /// upgrade).
    Auto,
    /// Never: a database whose schema is behind is refused.
    Never,
}

impl MigrateArgs {
    pub fn run(self) -> anyhow::Result<()> {
        tokio::runtime::Runtime::new()?.block_on(async {
            let url = &self.database.database_url;
            // A check creates nothing; a migration may create the file.
            let store = Store::connect(url.expose(), !self.check)
                .await
                .map_err(|e| anyhow::anyhow!("opening the database {url}: {e}"))?;
            let status = store.schema().await?;
            if !status.unknown.is_empty() {
                anyhow::bail!(SchemaError::Ahead(status));
            }
            if self.check {
                if status.pending.is_empty() {
                    println!("The schema is current ({} migrations).", status.applied);
                    return Ok(());
                }
                println!("{} pending migration(s):", status.pending.len());
                for m in &status.pending {
                    println!("  {m}");
                }
                anyhow::bail!("the database's schema is behind: `steward migrate` applies them");
            }
            let applied = store.migrate().await?;
            if applied.is_empty() {
                println!(
                    "The schema is current ({} migrations); nothing to do.",
                    status.applied
                );
            }
            for m in &applied {
                println!("Applied {m}");
            }
            Ok(())
        })
    }
}

/// The store `serve` runs on: connected (an SQLite file created if missing),
/// its schema compared with this release's and migrated as `when` allows.
pub async fn for_serving(
    database: &DatabaseUrlArg,
    when: MigrateWhen,
    starting: &Starting,
) -> anyhow::Result<Store> {
    let url = &database.database_url;
    let store = Store::connect(url.expose(), true)
        .await
        .map_err(|e| anyhow::anyhow!("opening the database {url}: {e}"))?;
    let status = store.schema().await?;
    if status.is_current() {
        return Ok(store);
    }
    if status.ahead_but_compatible() {
        let newer: Vec<String> = status.unknown.iter().map(|m| m.to_string()).collect();
        tracing::warn!(
            migrations = %newer.join(", "),
            "the database's schema is ahead of this release, with additions only: serving"
        );
        return Ok(store);
    }
    let allowed = match when {
        MigrateWhen::Auto => status.unknown.is_empty(),
        MigrateWhen::New => status.is_new(),
        MigrateWhen::Never => false,
    };
    if !allowed {
        return Err(match status.usable() {
            Err(behind @ SchemaError::Behind(_)) => {
                anyhow::anyhow!("{behind} (or start `steward serve --migrate auto`)")
            }
            Err(other) => other.into(),
            Ok(()) => anyhow::anyhow!("the database's schema cannot be served"),
        });
    }
    starting.enter(Phase::Migrating);
    for m in store.migrate().await? {
        tracing::info!(migration = %m, "applied");
    }
    Ok(store)
}
