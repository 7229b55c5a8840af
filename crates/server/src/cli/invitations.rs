//! `steward invitations ...`: invite, list and revoke from the command line, as a
//! member of the organization (its owner unless `--as` says otherwise), through
//! the same rules as the API.

use super::orgs::app;
use super::serve::{DatabaseArgs, PublicArgs};
use crate::application::Steward;
use crate::http::{create_invitation, invitation_view, InviteBody};
use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use steward_core::{Actor, Command, Email, InvitationId, OrgId};

#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// Invite someone; prints the one-time link (valid 7 days unless --days).
    Create {
        #[command(flatten)]
        target: Target,
        /// The invitee's e-mail.
        #[arg(long)]
        email: String,
        /// The invitee's name (they may give one when accepting otherwise).
        #[arg(long)]
        name: Option<String>,
        /// The organization role (defaults to the policy's default role).
        #[arg(long)]
        role: Option<String>,
        /// Days until the invitation expires.
        #[arg(long, default_value_t = crate::application::invitations::INVITATION_DAYS)]
        days: u32,
        #[command(flatten)]
        public: PublicArgs,
    },
    /// List the organization's pending invitations.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Revoke a pending invitation by its id.
    Revoke {
        #[command(flatten)]
        target: Target,
        /// The invitation id (from `list`).
        #[arg(long)]
        id: String,
    },
}

/// The organization a command acts in, and as whom (the import shares it).
#[derive(Debug, Args)]
pub struct Target {
    /// The organization id.
    #[arg(long)]
    org: String,
    /// Act as this member (e-mail); defaults to the organization's owner.
    #[arg(long = "as")]
    as_member: Option<String>,
    #[command(flatten)]
    pub(super) database: DatabaseArgs,
}

impl Target {
    /// The organization and the member the command acts as.
    pub(super) async fn resolve(&self, steward: &Steward) -> anyhow::Result<(OrgId, Actor)> {
        let org = OrgId::parse(&self.org).map_err(|e| anyhow!("--org: {e}"))?;
        let policy = steward.service().policy().clone();
        let wanted = self
            .as_member
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(|e| anyhow!("--as: {e}"))?;
        let actor = steward
            .service()
            .read(&org, |state| match &wanted {
                Some(email) => state.member_by_email(email).map(|m| m.user_id.clone()),
                None => state.owner_id(&policy).cloned(),
            })
            .await
            .map_err(|e| anyhow!("organization {org}: {e}"))?;
        match actor {
            Some(user) => Ok((org, Actor::User(user))),
            None => bail!("no such member in {org}"),
        }
    }
}

impl InvitationsCommand {
    pub fn run(self) -> anyhow::Result<()> {
        tokio::runtime::Runtime::new()?.block_on(self.run_async())
    }

    async fn run_async(self) -> anyhow::Result<()> {
        match self {
            InvitationsCommand::Create {
                target,
                email,
                name,
                role,
                days,
                public,
            } => {
                let app = app(&target.database, &public).await?;
                let (org, actor) = target.resolve(&app.steward).await?;
                let body = InviteBody {
                    email,
                    name,
                    role,
                    scopes: Vec::new(),
                    expires_in_days: Some(days),
                };
                let view = create_invitation(&app, &org, &actor, body)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                println!(
                    "Invited {} as {} (invitation {}, expires at {}).",
                    view.email, view.role, view.id, view.expires_at
                );
                println!("One-time link: {}", view.accept_url.unwrap_or_default());
            }
            InvitationsCommand::List { target } => {
                let app = app(&target.database, &PublicArgs { public_url: None }).await?;
                let (org, _) = target.resolve(&app.steward).await?;
                let now = app.service().clock().now().0;
                let list = app
                    .service()
                    .read(&org, |state| {
                        state.invitations().map(invitation_view).collect::<Vec<_>>()
                    })
                    .await?;
                if list.is_empty() {
                    println!("No pending invitations in {org}.");
                }
                for i in list {
                    println!(
                        "{}  {}  {}  expires in {} h",
                        i.id,
                        i.email,
                        i.role,
                        (i.expires_at - now).max(0) / 3600
                    );
                }
            }
            InvitationsCommand::Revoke { target, id } => {
                let app = app(&target.database, &PublicArgs { public_url: None }).await?;
                let (org, actor) = target.resolve(&app.steward).await?;
                let invitation_id = InvitationId::parse(&id).map_err(|e| anyhow!("--id: {e}"))?;
                app.service()
                    .execute(&org, &actor, Command::RevokeInvitation { invitation_id })
                    .await?;
                println!("Revoked invitation {id}.");
            }
        }
        Ok(())
    }
}
