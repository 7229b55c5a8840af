//! The command line: `steward serve`, `steward policy ...`, `steward audit ...`.

mod audit;
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
    /// Run Steward: open the database and load every organization.
    Serve(serve::ServeArgs),
    /// Check or show a policy (a preset name or a TOML file).
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Inspect an organization's audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => args.run(),
            Command::Policy(cmd) => cmd.run(),
            Command::Audit(cmd) => cmd.run(),
        }
    }
}
