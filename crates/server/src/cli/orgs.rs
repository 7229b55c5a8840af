//! `steward orgs create`: an organization for an owner given by e-mail, with a
//! one-time link for the owner to set a password when they have none yet.

use super::serve::{DatabaseArgs, PublicArgs};
use crate::application::Application;
use crate::application::Settings;
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

/// The state the CLI's commands share with the HTTP API's handlers.
pub async fn app(database: &DatabaseArgs, public: &PublicArgs) -> anyhow::Result<Application> {
    let service = database.open().await?;
    let config = Settings {
        signup: false,
        public_url: public
            .public_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080".into()),
    };
    Ok(Application::open(service, config).await?)
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
        let email =
            Email::parse(&self.owner_email).map_err(|e| anyhow::anyhow!("--owner-email: {e}"))?;
        let app = app(&self.database, &self.public).await?;
        let owner_name = self
            .owner_name
            .as_deref()
            .map(Name::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--owner-name: {e}"))?;
        let account = app.steward.owner_account(email, owner_name).await?;
        let owner = account.id.clone();
        let org = crate::http::create_organization(&app, &owner, name)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("Created organization {:?} with id {}.", org.name, org.id);
        println!("Owner: {} ({})", account.email, account.id);
        if account.password_hash.is_none() {
            let token = app.steward.setup_token(&account.id).await?;
            let url = app.settings().public_url.trim_end_matches('/');
            println!();
            println!("One-time link for the owner to set a password (valid 7 days):");
            println!("  {url}/invitations/{token}");
            println!("Through the API:");
            println!(
                "  curl -s -X POST {url}/api/v1/invitations/{token}/accept -H 'Content-Type: application/json' -d '{{\"password\":\"a long password\"}}'"
            );
        } else {
            println!("The owner already has a password and can sign in.");
        }
        Ok(())
    }
}
