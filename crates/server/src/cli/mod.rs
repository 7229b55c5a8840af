//! The command line: `steward serve`, `policy`, `orgs`, `invitations`, `import`,
//! `check`, `audit`, `keys`, and the operator's `migrate`, `config`, `backup`,
//! `completions`, `man`, `health`.

mod audit;
mod backup;
mod check;
mod completions;
mod config;
mod health;
mod import;
mod invitations;
mod keys;
mod migrate;
mod orgs;
mod policy;
mod serve;

use clap::{Parser, Subcommand};

/// Steward: organizations, members, roles and permissions, as one self-hosted service.
#[derive(Debug, Parser)]
#[command(name = "steward", version, about, long_about = None)]
pub struct Cli {
    /// A config file (TOML) with `serve`'s settings, one key per flag
    /// (`database-url = "..."`); flags and environment variables override it.
    #[arg(long, global = true, env = "STEWARD_CONFIG", value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
    #[arg(skip)]
    loaded: config::Loaded,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run Steward: the HTTP API, over an SQLite file or PostgreSQL.
    Serve(serve::ServeArgs),
    /// Check or show a policy (a preset name or a TOML file).
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Create organizations.
    #[command(subcommand)]
    Orgs(orgs::OrgsCommand),
    /// Invite people, list and revoke pending invitations.
    #[command(subcommand)]
    Invitations(invitations::InvitationsCommand),
    /// Import members and roles from a CSV file (email,name,role[,scopes]), all
    /// or nothing; --dry-run shows what it would do.
    Import(import::ImportArgs),
    /// Ask whether a user may do an action on an object, and why.
    Check(check::CheckArgs),
    /// Inspect an organization's audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// List or rotate the keys that sign access tokens.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Bring the database's schema up to this release (`--check`: list what is
    /// pending, apply nothing). No other command migrates.
    Migrate(migrate::MigrateArgs),
    /// Show or check the configuration `serve` runs with (`--config`).
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Copy the database, consistently, while Steward runs (SQLite; for
    /// PostgreSQL it says what to run).
    Backup(backup::BackupArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write one per command with --dir.
    Man(completions::ManArgs),
    /// Ask a running server whether it is alive (`/healthz`) or ready
    /// (`--ready`): exits 0 only if so (a container's HEALTHCHECK).
    Health(health::HealthArgs),
}

impl Cli {
    /// The command line, read after the config file (`--config` or
    /// `STEWARD_CONFIG`) has filled in the settings the environment lacks; call
    /// while the process has one thread (it sets environment variables).
    pub fn parse_configured() -> anyhow::Result<Cli> {
        let first = Cli::parse();
        let Some(path) = &first.config else {
            return Ok(first);
        };
        let loaded = config::load(path)?;
        let mut cli = Cli::parse();
        cli.loaded = loaded;
        Ok(cli)
    }

    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => args.run(),
            Command::Policy(cmd) => cmd.run(),
            Command::Orgs(cmd) => cmd.run(),
            Command::Invitations(cmd) => cmd.run(),
            Command::Import(args) => args.run(),
            Command::Check(args) => args.run(),
            Command::Audit(cmd) => cmd.run(),
            Command::Keys(cmd) => cmd.run(),
            Command::Migrate(args) => args.run(),
            Command::Config(cmd) => cmd.run(&self.loaded),
            Command::Backup(args) => args.run(),
            Command::Completions(args) => args.run(),
            Command::Man(args) => args.run(),
            Command::Health(args) => args.run(),
        }
    }
}

/// The use cases a command needs, over the store and the service only: no
/// token-signing key, no HTTP state. Links it prints use `--public-url`. Only
/// `orgs`, the organizations the command is about, are loaded.
pub async fn steward(
    database: &serve::DatabaseArgs,
    public: &serve::PublicArgs,
    orgs: &[steward_core::OrgId],
) -> anyhow::Result<crate::application::Steward> {
    let service = database.open(orgs).await?;
    let settings = crate::application::Settings {
        signup: false,
        public_url: public
            .public_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080".into()),
        token_audience: crate::application::keys::DEFAULT_TOKEN_AUDIENCE.into(),
    };
    Ok(crate::application::Steward::new(service, settings))
}
