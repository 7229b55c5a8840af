//! `steward orgs create`: an organization for an owner given by e-mail, with a
//! one-time link for the owner to set a password when they have none yet.

use super::serve::{DatabaseArgs, PublicArgs};
use crate::application::orgs::{NewOrganization, SETUP_LINK_DAYS};
use clap::{Args, Subcommand};
use steward_core::{Email, Name};

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// Create an organization; prints its id and, for an owner without a
    /// password, a one-time link to set one (valid 7 days).
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The organization's name.
    #[arg(long)]
    name: String,
    /// The owner's e-mail; the account is made if it does not exist.
    #[arg(long)]
    owner_email: String,
    /// The owner's name, for a new account (defaults to the e-mail's local part).
    #[arg(long)]
    owner_name: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    public: PublicArgs,
}

impl OrgsCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let OrgsCommand::Create(args) = self;
        tokio::runtime::Runtime::new()?.block_on(args.run())
    }
}

impl CreateArgs {
    async fn run(self) -> anyhow::Result<()> {
        let name = Name::parse(&self.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
        let owner_email =
            Email::parse(&self.owner_email).map_err(|e| anyhow::anyhow!("--owner-email: {e}"))?;
        let owner_name = self
            .owner_name
            .as_deref()
            .map(Name::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--owner-name: {e}"))?;
        let steward = super::steward(&self.database, &self.public, &[]).await?;
        let created = steward
            .create_organization_by_email(NewOrganization {
                name,
                owner_email,
                owner_name,
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (org, owner) = (&created.org, &created.owner);
        println!("Created organization {:?} with id {}.", org.name, org.id);
        println!("Owner: {} ({})", owner.email, owner.id);
        match &created.setup_token {
            Some(token) => {
                let settings = steward.settings();
                println!();
                println!(
                    "One-time link for the owner to set a password (valid {SETUP_LINK_DAYS} days):"
                );
                println!("  {}", settings.link(&format!("/invitations/{token}")));
                println!("Through the API:");
                println!(
                    "  curl -s -X POST {} -H 'Content-Type: application/json' -d '{{\"password\":\"a long password\"}}'",
                    settings.link(&format!("/api/v1/invitations/{token}/accept"))
                );
            }
            None => println!("The owner already has a password and can sign in."),
        }
        Ok(())
    }
}
