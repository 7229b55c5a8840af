//! `steward serve`: opens the database (an SQLite file by default, created on first
//! start), loads every organization into memory and keeps it current.

use super::policy;
use crate::application::Application;
use crate::application::Settings;
use crate::service::{Adoption, PolicyChoice, Service, Unstored};
use crate::store::{DatabaseUrl, Store};
use clap::Args;
use std::time::Duration;
use steward_core::OrgId;

/// Prints a line to standard output, as `println!` does, but a closed or broken
/// stdout (its reader gone: a pipe to a log shipper that died, a test that read
/// the URL and let go) is not a reason for the server to stop: `println!` panics
/// there.
macro_rules! say {
    ($($line:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($line)*);
    }};
}

/// Where the data lives.
#[derive(Debug, Args)]
pub struct DatabaseUrlArg {
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    // hide_env_values: --help would print the variable's value, password and all.
    #[arg(
        long,
        env = "STEWARD_DATABASE_URL",
        default_value = "sqlite://steward.db",
        hide_env_values = true
    )]
    pub database_url: DatabaseUrl,
}

/// The database, and the policy for it if it has none yet; shared by every
/// command that opens the database.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    #[command(flatten)]
    pub url: DatabaseUrlArg,
    /// The policy for a database that has none yet: a preset (systems,
    /// operations, analytics, platform) or a TOML file; operations when not
    /// given. A database keeps the policy it first started with and every
    /// command reads it from there; `serve --replace-policy` replaces it.
    #[arg(long, env = "STEWARD_POLICY")]
    pub policy: Option<String>,
}

impl DatabaseUrlArg {
    /// The store, for a command other than `serve` and `migrate`: never created
    /// nor migrated; a schema behind this release is refused, naming `steward
    /// migrate`.
    pub async fn connect(&self) -> anyhow::Result<Store> {
        let url = &self.database_url;
        // `url` shows itself redacted.
        let store = Store::connect(url.expose(), false)
            .await
            .map_err(|e| anyhow::anyhow!("opening the database {url}: {e}"))?;
        store.require_usable_schema().await?;
        Ok(store)
    }
}

impl DatabaseArgs {
    /// The service, with the database's policy (every command but `serve`),
    /// holding only `orgs`: a command loads the organization it is about, not
    /// every one (docs/operations.md#one-off-commands).
    pub async fn open(&self, orgs: &[OrgId]) -> anyhow::Result<Service> {
        let store = self.url.connect().await?;
        let choice = self.choice(false, Unstored::DefaultIfEmpty)?;
        Ok(Service::start_holding(store, choice, orgs).await?.0)
    }

    /// The store and the database's policy, chosen as `open` chooses it, with
    /// no organization loaded (`steward check`).
    pub async fn policy(&self) -> anyhow::Result<(Store, steward_core::Policy)> {
        let store = self.url.connect().await?;
        let choice = self.choice(false, Unstored::DefaultIfEmpty)?;
        let policy = Service::adopt_policy(&store, choice).await?;
        Ok((store, policy))
    }

    /// The service on `store`, with the database's policy stored or replaced as
    /// `replace` and `unstored` say.
    async fn adopt(
        &self,
        store: Store,
        replace: bool,
        unstored: Unstored,
        loading: &crate::service::Loading,
    ) -> anyhow::Result<(Service, Adoption)> {
        let choice = self.choice(replace, unstored)?;
        Ok(Service::start_counting(store, choice, loading).await?)
    }

    fn choice(&self, replace: bool, unstored: Unstored) -> anyhow::Result<PolicyChoice> {
        let given = self.policy.as_deref().map(policy::source).transpose()?;
        Ok(PolicyChoice {
            given,
            replace,
            unstored,
        })
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
    /// Replace the database's policy with --policy when they differ (recorded:
    /// `steward policy history`). Without it, another policy refuses to start.
    // No variable: a replacement is a deliberate, one-off act, not a setting.
    #[arg(long, requires = "policy")]
    pub replace_policy: bool,
    /// The address and port to listen on.
    #[arg(long, env = "STEWARD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Whether anyone may sign up (POST /api/v1/signup) and get an organization.
    #[arg(long, env = "STEWARD_SIGNUP", value_enum, default_value = "on")]
    pub signup: OnOff,
    #[command(flatten)]
    pub public: PublicArgs,
    /// The audience (`aud`) access tokens are issued for and must name to be
    /// accepted; the issuer (`iss`) is the public URL. Every node of one
    /// deployment must use the same.
    #[arg(long, env = "STEWARD_TOKEN_AUDIENCE", default_value = crate::application::keys::DEFAULT_TOKEN_AUDIENCE)]
    pub token_audience: String,
    /// Log lines as text, or as one JSON object each (for log collectors).
    #[arg(long, env = "STEWARD_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// The OpenTelemetry collector to send traces to over OTLP/HTTP (protobuf),
    /// e.g. `http://127.0.0.1:4318`; spans go to its `/v1/traces`. None are
    /// made for export without it (docs/operations.md#tracing).
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// When to apply the schema's migrations at start: `new` (a new, empty
    /// database only), `auto` (any pending), `never`. An existing database
    /// behind this release is otherwise refused: run `steward migrate`.
    #[arg(long, env = "STEWARD_MIGRATE", value_enum, default_value = "new")]
    pub migrate: super::migrate::MigrateWhen,
    /// Tests only: a wait before each organization is loaded, to see a node
    /// that is still starting.
    #[arg(
        long,
        hide = true,
        env = "STEWARD_TEST_LOAD_PAUSE_MS",
        default_value = "0"
    )]
    pub load_pause_ms: u64,
    /// A bound on the memory organizations take (`2GiB`, `512MiB`, bytes): past
    /// it the least recently used are dropped and loaded again on their next
    /// request, which waits for it (docs/scaling.md#a-memory-limit). Without
    /// it every organization is held.
    #[arg(long, env = "STEWARD_MEMORY_LIMIT")]
    pub memory_limit: Option<crate::service::MemoryLimit>,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Let webhooks go to private, loopback, link-local and unique-local
    /// addresses (refused by default: docs/webhooks.md#ssrf). For a
    /// deployment whose receivers are on its own network, and for tests.
    #[arg(long, env = "STEWARD_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,
}

/// Where mails go (docs/operations.md#mail).
#[derive(clap::Args)]
pub struct MailArgs {
    /// The SMTP relay: `smtps://user:password@host:465`, or
    /// `smtp://user:password@host:587?tls=required` (STARTTLS). Without it,
    /// mails (links included) are written to the log. Never logged whole: its
    /// password is dropped from every message.
    #[arg(long, env = "STEWARD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of Steward's mails, e.g. `Steward <steward@example.com>`.
    #[arg(
        long,
        env = "STEWARD_MAIL_FROM",
        default_value = "Steward <steward@localhost>"
    )]
    pub mail_from: String,
}

// By hand: the URL may hold the relay's password.
impl std::fmt::Debug for MailArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailArgs")
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(crate::mail::redact_smtp_url),
            )
            .field("mail_from", &self.mail_from)
            .finish()
    }
}

impl MailArgs {
    pub fn transport(&self) -> anyhow::Result<crate::mail::Transport> {
        Ok(match &self.smtp_url {
            Some(url) => crate::mail::Transport::smtp(url, &self.mail_from)?,
            None => crate::mail::Transport::Log,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl ServeArgs {
    /// Logs to stderr, and spans to the OTLP collector when one is given.
    fn observe(
        &self,
        runtime: tokio::runtime::Handle,
    ) -> anyhow::Result<Option<crate::telemetry::otlp::Exporting>> {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        use tracing_subscriber::{Layer, Registry};
        // RUST_LOG (e.g. `steward=debug`) picks what is shown.
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        // Colours only for a terminal: a file or a collector reads plain
        // `key=value` (the mails written to the log are read back by people
        // and tests).
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let logs = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(ansi);
        // The request span's fields are formatted only for a line written in it.
        use crate::telemetry::Deferred;
        use tracing_subscriber::fmt::format::{DefaultFields, JsonFields};
        let logs = match self.log_format {
            LogFormat::Text => Deferred::new(logs, DefaultFields::new(), ansi)
                .with_filter(filter)
                .boxed(),
            LogFormat::Json => Deferred::new(logs.json(), JsonFields::new(), ansi)
                .with_filter(filter)
                .boxed(),
        };
        let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![logs];
        let mut exporting = None;
        if let Some(endpoint) = &self.otlp_endpoint {
            let (spans, running) = crate::telemetry::otlp::layer(endpoint, runtime)?;
            layers.push(spans.boxed());
            exporting = Some(running);
        }
        tracing_subscriber::registry().with(layers).init();
        if let Some(endpoint) = &self.otlp_endpoint {
            tracing::info!(%endpoint, "sending traces over OTLP");
        }
        Ok(exporting)
    }

    pub fn run(self) -> anyhow::Result<()> {
        // Before any thread allocates: what the loads free must be able to go back.
        crate::freed_memory::keep_large_blocks_in_own_pages();
        crate::huge_pages::advise_for_large_blocks();
        crate::auth::signing::seed_random_early();
        let runtime = tokio::runtime::Runtime::new()?;
        let exporting = self.observe(runtime.handle().clone())?;
        let served = runtime.block_on(async {
            let started = std::time::Instant::now();
            // Listen first: until the organizations are loaded `/healthz` answers
            // and everything else says it is starting (never a refused connection).
            let listener = tokio::net::TcpListener::bind(self.bind)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", self.bind))?;
            let pause = Duration::from_millis(self.load_pause_ms);
            let mut starting = crate::app::Starting::pausing(pause);
            starting.loading.memory_limit = self.memory_limit;
            let starting = std::sync::Arc::new(starting);
            let bound = listener.local_addr().map_or(self.bind, |a| a);
            say!("Steward is listening on http://{bound}; /readyz answers 200 once it has started.");
            // The signal is seen by the server (stop accepting, finish what is in
            // flight) and by the service (end the open event feeds, which would
            // otherwise never finish).
            let (stop, stopping) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown_signal().await;
                stop.send_replace(true);
            });
            let mut server = tokio::spawn(crate::app::serve_starting(
                starting.clone(),
                listener,
                stopped(stopping.clone()),
            ));
            let opening = async {
                let store =
                    super::migrate::for_serving(&self.database.url, self.migrate, &starting).await?;
                starting.enter(crate::app::Phase::Loading);
                self.database
                    .adopt(store, self.replace_policy, Unstored::Default, &starting.loading)
                    .await
            };
            let (service, adoption) = tokio::select! {
                opened = opening => opened?,
                stopped = &mut server => {
                    stopped??;
                    say!("Steward stopped before it had started.");
                    return Ok(());
                }
            };
            if let Adoption::Replaced { previous, now } = &adoption {
                tracing::warn!(%previous, %now, "the database's policy was replaced");
            }
            let feeds = service.clone();
            tokio::spawn(async move {
                stopped(stopping).await;
                feeds.close();
            });
            tracing::debug!(elapsed = ?started.elapsed(), "organizations loaded");
            let lacking = service.roles_the_policy_lacks().await;
            let _listener = service.spawn_change_listener().await?;
            let _watcher = service.spawn_file_watcher(Duration::from_millis(250)).await?;
            let _sweep = service.spawn_expiry_sweep(Duration::from_secs(60));
            let _shedding = service.spawn_shedding(Duration::from_secs(1));
            let url = self
                .public
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{bound}"));
            let config = Settings {
                signup: self.signup == OnOff::On,
                public_url: url.clone(),
                token_audience: self.token_audience.clone(),
            };
            let orgs = service.organization_count();
            let transport = self.mail.transport()?;
            let mut app = Application::open(service, config).await?;
            // First: the mail desk is set before the application is cloned.
            let _courier = app.deliver_mail(transport);
            // Picks up `steward keys rotate` and other nodes' rotations well within
            // the time a new key is published before it signs.
            let _keys = app.spawn_key_refresh(Duration::from_secs(10));
            let _webhooks = app.deliver_webhooks(self.webhooks_allow_private);
            let steward = app.steward.clone();
            // Before ready: what the loaders freed leaves the resident set first.
            crate::freed_memory::give_back();
            starting.ready(crate::app::serving(app));
            say!(
                "Steward: database {}, {orgs} organization(s) loaded in {:.1?}, policy {}.",
                self.database.url.database_url,
                started.elapsed(),
                adoption.policy(),
            );
            match &adoption {
                Adoption::Stored(_) => {}
                Adoption::First(id) => say!("Stored policy {id} as the database's policy."),
                Adoption::Replaced { previous, now } => say!(
                    "Replaced the database's policy {previous} with {now} (recorded: `steward policy history`)."
                ),
            }
            if !lacking.is_empty() {
                let held: Vec<String> =
                    lacking.iter().map(|(role, n)| format!("{role} ({n})")).collect();
                say!(
                    "Warning: members hold roles policy {} does not have, which give nothing until changed: {}.",
                    adoption.policy().name,
                    held.join(", ")
                );
            }
            say!("Steward is running at {url}/  (API: {url}/api/v1, Ctrl-C stops it)");
            if orgs == 0 {
                say!();
                say!("The database is empty. Create the first organization with either:");
                if self.signup == OnOff::On {
                    say!("  in a browser at {url}/sign-up, or with");
                    say!(
                        "  curl -s -X POST {url}/api/v1/signup -H 'Content-Type: application/json' \\\n    -d '{{\"email\":\"you@example.com\",\"name\":\"Your Name\",\"password\":\"a long password\",\"org_name\":\"Acme\"}}'"
                    );
                    if self.mail.smtp_url.is_none() {
                        // Without a relay the address link is only in the log (docs/accounts.md).
                        say!(
                            "  (no --smtp-url: mails are written to this log; open the /verify-email/ link it prints for that address), or"
                        );
                    }
                }
                say!("  steward orgs create --name Acme --owner-email you@example.com");
            }
            server.await??;
            // The SCIM request log's last batch (docs/provisioning.md#the-request-log).
            steward.flush_directory_requests().await;
            say!("Steward stopped.");
            Ok(())
        });
        // The spans still batched, sent while the runtime still runs.
        if let Some(exporting) = exporting {
            exporting.shutdown();
        }
        served
    }
}

/// Resolves once `stopping` turns `true` (or its sender is gone).
async fn stopped(mut stopping: tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|&s| s).await;
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
