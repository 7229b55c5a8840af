//! `steward serve`: opens the database (an SQLite file by default, created on first
//! start), loads every organization into memory and keeps it current.

use super::policy;
use crate::service::Service;
use crate::store::Store;
use clap::Args;
use std::time::Duration;

/// Where the data lives; shared by every command that opens the database.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long,
        env = "STEWARD_DATABASE_URL",
        default_value = "sqlite://steward.db"
    )]
    pub database_url: String,
    /// The policy: a preset (systems, operations, analytics, platform) or a TOML file.
    #[arg(long, env = "STEWARD_POLICY", default_value = "operations")]
    pub policy: String,
}

impl DatabaseArgs {
    pub async fn open(&self) -> anyhow::Result<Service> {
        let policy = policy::load(&self.policy)?;
        let store = Store::open(&self.database_url).await.map_err(|e| {
            anyhow::anyhow!("opening the database {}: {e}", redact(&self.database_url))
        })?;
        Ok(Service::open(store, policy).await?)
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl ServeArgs {
    pub fn run(self) -> anyhow::Result<()> {
        // Logs go to stderr; RUST_LOG (e.g. `steward=debug`) picks what is shown.
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            .with_writer(std::io::stderr)
            .init();
        tokio::runtime::Runtime::new()?.block_on(async {
            let started = std::time::Instant::now();
            let service = self.database.open().await?;
            let _listener = service.spawn_change_listener().await?;
            let _sweep = service.spawn_expiry_sweep(Duration::from_secs(60));
            println!(
                "Steward: database {} open, {} organization(s) loaded in {:.1?} (policy {}).",
                redact(&self.database.database_url),
                service.organization_count(),
                started.elapsed(),
                service.policy().name
            );
            println!("The HTTP API and the console are not built yet; press Ctrl-C to stop.");
            tokio::signal::ctrl_c().await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_password_in_the_database_url_is_never_printed() {
        assert_eq!(
            redact("postgres://steward:s3cret@db:5432/steward"),
            "postgres://steward:***@db:5432/steward"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://steward.db"), "sqlite://steward.db");
    }
}
