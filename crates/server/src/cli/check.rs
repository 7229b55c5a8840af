//! `steward check`: the same answer as `POST /check`, from the command line,
//! reading only the rows the question needs: no organization is loaded whole,
//! and the database is neither created nor migrated.

use super::serve::DatabaseArgs;
use crate::application::checks::CheckRequest;
use crate::application::operator_check::operator_check;
use crate::application::AppError;
use anyhow::anyhow;
use clap::Args;
use std::borrow::Cow;
use steward_core::Refusal;

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
            let (store, policy) = self.database.policy().await?;
            let question = CheckRequest {
                user_id: Cow::Borrowed(&self.user),
                action: Cow::Borrowed(&self.action),
                object_id: Cow::Borrowed(&self.object),
            };
            let verdict = operator_check(&store, policy.into(), &self.org, &question)
                .await
                .map_err(|e| match e {
                    AppError::Refused(Refusal::NoOrganization) => {
                        anyhow!("no organization {}", self.org)
                    }
                    other => anyhow!("{other}"),
                })?;
            println!(
                "{} ({})",
                if verdict.allowed { "allowed" } else { "denied" },
                verdict.because
            );
            Ok(())
        })
    }
}
