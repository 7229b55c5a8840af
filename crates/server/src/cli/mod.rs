//! The command line: `steward serve`, `steward policy ...`.

mod policy;

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
    /// Run the HTTP API and the admin console.
    Serve,
    /// Check or show a policy (a preset name or a TOML file).
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve => {
                println!("Steward's HTTP server is not built yet: it arrives with the API issue.");
                println!(
                    "What works today: `steward policy check FILE` and `steward policy show NAME`."
                );
                Ok(())
            }
            Command::Policy(cmd) => cmd.run(),
        }
    }
}
