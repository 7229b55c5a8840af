//! The command line: `steward serve`, `policy`, `orgs`, `invitations`, `import`,
//! `check`, `audit`, `keys`.

mod audit;
mod check;
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
    #[command(subcommand)]
    command: Command,
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
}

impl Cli {
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
        }
    }
}

/// The use cases a command needs, over the store and the service only: no
/// token-signing key, no HTTP state. Links it prints use `--public-url`.
pub async fn steward(
    database: &serve::DatabaseArgs,
    public: &serve::PublicArgs,
) -> anyhow::Result<crate::application::Steward> {
    let service = database.open().await?;
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
