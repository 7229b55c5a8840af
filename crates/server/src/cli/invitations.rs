//! `steward invitations ...`: invite, list and revoke from the command line, as a
//! member of the organization (its owner unless `--as` says otherwise), through
//! the same rules as the API.

use super::serve::{DatabaseArgs, PublicArgs};
use crate::application::invitations::InviteBody;
use crate::application::{Caller, InOrg, Steward};
use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use steward_core::{Actor, Email, InvitationId, OrgId, UserId};

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
    /// The organization the command is about, the only one it loads (an id that
    /// does not parse is refused by `member`).
    pub(super) fn orgs(&self) -> Vec<OrgId> {
        OrgId::parse(&self.org).into_iter().collect()
    }

    /// The member the command acts as, inside the organization.
    pub(super) async fn in_org(&self, steward: &Steward) -> anyhow::Result<InOrg> {
        let (org, user) = self.member(steward).await?;
        Ok(steward.in_org(Caller::Account(user), org.as_str())?)
    }

    /// The organization and the member the command acts as (the import, which
    /// asks for `members:manage` itself).
    pub(super) async fn resolve(&self, steward: &Steward) -> anyhow::Result<(OrgId, Actor)> {
        let (org, user) = self.member(steward).await?;
        Ok((org, Actor::User(user)))
    }

    async fn member(&self, steward: &Steward) -> anyhow::Result<(OrgId, UserId)> {
        let org = OrgId::parse(&self.org).map_err(|e| anyhow!("--org: {e}"))?;
        let wanted = self
            .as_member
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(|e| anyhow!("--as: {e}"))?;
        let user = steward
            .acting_member(&org, wanted.as_ref())
            .await
            .map_err(|e| anyhow!("organization {org}: {e}"))?;
        match user {
            Some(user) => Ok((org, user)),
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
                let steward = super::steward(&target.database, &public, &target.orgs()).await?;
                let org = target.in_org(&steward).await?;
                let invite = InviteBody {
                    email,
                    name,
                    role,
                    scopes: Vec::new(),
                    expires_in_days: Some(days),
                };
                let view = steward.create_invitation(&org, invite).await?;
                println!(
                    "Invited {} as {} (invitation {}, expires at {}).",
                    view.email, view.role, view.id, view.expires_at
                );
                println!("One-time link: {}", view.accept_url.unwrap_or_default());
            }
            InvitationsCommand::List { target } => {
                let steward = opened(&target).await?;
                let org = target.in_org(&steward).await?;
                let now = steward.service().clock().now().0;
                let list = steward.invitations(&org).await?.items;
                if list.is_empty() {
                    println!("No pending invitations in {}.", org.org);
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
                let steward = opened(&target).await?;
                let org = target.in_org(&steward).await?;
                let invitation = InvitationId::parse(&id).map_err(|e| anyhow!("--id: {e}"))?;
                steward.revoke_invitation(&org, invitation).await?;
                println!("Revoked invitation {id}.");
            }
        }
        Ok(())
    }
}

/// The use cases over the database, for a command that prints no link.
async fn opened(target: &Target) -> anyhow::Result<Steward> {
    let public = PublicArgs { public_url: None };
    super::steward(&target.database, &public, &target.orgs()).await
}
