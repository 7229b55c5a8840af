//! `steward audit verify`: walks an organization's hash chain.

use super::serve::DatabaseArgs;
use anyhow::bail;
use clap::Subcommand;
use steward_core::OrgId;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no event of the organization's audit log was edited or removed.
    Verify {
        /// The organization's id.
        #[arg(long)]
        org: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

impl AuditCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let AuditCommand::Verify { org, database } = self;
        let org = OrgId::parse(&org)?;
        tokio::runtime::Runtime::new()?.block_on(async {
            let service = database.open().await?;
            let report = service.verify(&org).await?;
            match report.first_bad_seq {
                None => {
                    println!("{org}: audit chain intact, {} events", report.events);
                    Ok(())
                }
                Some(seq) => bail!("{org}: audit chain broken at event #{seq}"),
            }
        })
    }
}
