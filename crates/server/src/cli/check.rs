//! `steward check`: the same answer as `POST /check`, from the command line.

use super::serve::DatabaseArgs;
use anyhow::anyhow;
use clap::Args;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The organization id.
    #[arg(long)]
    org: String,
    /// The user id.
    #[arg(long)]
    user: String,
    /// `type:action` (`site:view`) or `org:action` (`members:manage`).
    #[arg(long)]
    action: String,
    /// The object id (the organization's id for organization actions).
    #[arg(long)]
    object: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

impl CheckArgs {
    /// Prints `allowed` or `denied` with the reason; exits 0 either way.
    pub fn run(self) -> anyhow::Result<()> {
        tokio::runtime::Runtime::new()?.block_on(async {
            let service = self.database.open().await?;
            let snapshot = service
                .snapshot(&self.org)
                .ok_or_else(|| anyhow!("no organization {}", self.org))?;
            let decision = snapshot.check_by_name(&self.user, &self.action, &self.object);
            println!(
                "{} ({})",
                if decision.allowed {
                    "allowed"
                } else {
                    "denied"
                },
                snapshot.reason_text(&decision)
            );
            Ok(())
        })
    }
}
