//! `steward serve`: opens the database (an SQLite file by default, created on first
//! start), loads every organization into memory and keeps it current.

use super::policy;
use crate::http::{AppState, HttpConfig};
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

/// Where people reach this server; shared by the commands that print links.
#[derive(Debug, Args)]
pub struct PublicArgs {
    /// The address people open (for printed and returned links); defaults to
    /// http://<bind>.
    #[arg(long, env = "STEWARD_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The address and port to listen on.
    #[arg(long, env = "STEWARD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Whether anyone may sign up (POST /api/v1/signup) and get an organization.
    #[arg(long, env = "STEWARD_SIGNUP", value_enum, default_value = "on")]
    pub signup: OnOff,
    #[command(flatten)]
    pub public: PublicArgs,
    /// Log lines as text, or as one JSON object each (for log collectors).
    #[arg(long, env = "STEWARD_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl ServeArgs {
    pub fn run(self) -> anyhow::Result<()> {
        // Logs go to stderr; RUST_LOG (e.g. `steward=debug`) picks what is shown.
        let logs = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            .with_writer(std::io::stderr);
        match self.log_format {
            LogFormat::Text => logs.init(),
            LogFormat::Json => logs.json().init(),
        }
        tokio::runtime::Runtime::new()?.block_on(async {
            let started = std::time::Instant::now();
            let service = self.database.open().await?;
            let _listener = service.spawn_change_listener().await?;
            let _watcher = service.spawn_file_watcher(Duration::from_millis(250)).await?;
            let _sweep = service.spawn_expiry_sweep(Duration::from_secs(60));
            let listener = tokio::net::TcpListener::bind(self.bind)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", self.bind))?;
            let url = self
                .public
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", listener.local_addr().map_or(self.bind, |a| a)));
            let config = HttpConfig {
                signup: self.signup == OnOff::On,
                public_url: url.clone(),
            };
            let orgs = service.organization_count();
            let policy = service.policy().name.clone();
            let app = AppState::new(service, config).await?;
            println!(
                "Steward: database {}, {orgs} organization(s) loaded in {:.1?}, policy {policy}.",
                redact(&self.database.database_url),
                started.elapsed(),
            );
            println!("Steward is running at {url}/  (API: {url}/api/v1, Ctrl-C stops it)");
            if orgs == 0 {
                println!();
                println!("The database is empty. Create the first organization with either:");
                if self.signup == OnOff::On {
                    println!(
                        "  curl -s -X POST {url}/api/v1/signup -H 'Content-Type: application/json' \\\n    -d '{{\"email\":\"you@example.com\",\"name\":\"Your Name\",\"password\":\"a long password\",\"org_name\":\"Acme\"}}'"
                    );
                }
                println!("  steward orgs create --name Acme --owner-email you@example.com");
            }
            crate::http::serve(app, listener, shutdown_signal()).await?;
            println!("Steward stopped.");
            Ok(())
        })
    }
}

/// Ctrl-C or SIGTERM: stop accepting, let in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
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
