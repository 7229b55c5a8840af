//! `steward audit verify`: walks an organization's hash chain in the database,
//! or, with `--file`, an exported log with no database at all.

use super::serve::DatabaseArgs;
use crate::application::audit_file::verify_file;
use anyhow::{bail, Context};
use clap::Subcommand;
use std::path::PathBuf;
use steward_core::OrgId;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no event of the organization's audit log was edited or removed.
    Verify {
        /// The organization's id (with the database).
        #[arg(long, required_unless_present = "file", conflicts_with = "file")]
        org: Option<String>,
        /// An export (`GET /api/v1/orgs/{org}/audit/export`, JSON lines) to check
        /// offline, without a database (docs/audit.md).
        #[arg(long)]
        file: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

impl AuditCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let AuditCommand::Verify {
            org,
            file,
            database,
        } = self;
        if let Some(path) = file {
            return verify_export(&path);
        }
        let Some(org) = org else {
            bail!("--org or --file is needed");
        };
        let org = OrgId::parse(&org)?;
        tokio::runtime::Runtime::new()?.block_on(async {
            let service = database.open(&[]).await?;
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

fn verify_export(path: &std::path::Path) -> anyhow::Result<()> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let report = verify_file(std::io::BufReader::new(file))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let org = report.org.as_deref().unwrap_or("?");
    match report.broken {
        None => {
            println!(
                "{}: {org}: audit chain intact, {} events",
                path.display(),
                report.events
            );
            Ok(())
        }
        Some((seq, why)) => bail!(
            "{}: {org}: audit chain broken at event #{seq}: {why}",
            path.display()
        ),
    }
}
