//! Expiry: a nomination past its TTL and invitations past their date become
//! `ownership.transfer_expired` / `invitation.expired` events, through the same
//! `execute` as every other change, by a periodic sweep and before every read.

use super::{Service, ServiceError};
use std::time::Duration;
use steward_core::{Actor, Command, OrgId};
use tokio::task::JoinHandle;

impl Service {
    /// Expires what is due in one organization.
    pub async fn expire_due(&self, org: &OrgId) -> Result<(), ServiceError> {
        let live = self.live_or_load(org).await?;
        let now = self.clock().now();
        // `look`: a read's expiry never waits for a write in flight either.
        let (nomination, invitations) = self
            .look(org, &live, |state| {
                let nomination = state.nomination().is_some_and(|n| n.expires_at <= now);
                let invitations: Vec<_> = state
                    .invitations()
                    .filter(|i| i.expires_at <= now)
                    .map(|i| i.id.clone())
                    .collect();
                (nomination, invitations)
            })
            .await?;
        if nomination {
            self.expire(org, Command::ExpireNomination).await?;
        }
        for invitation_id in invitations {
            self.expire(org, Command::ExpireInvitation { invitation_id })
                .await?;
        }
        Ok(())
    }

    async fn expire(&self, org: &OrgId, command: Command) -> Result<(), ServiceError> {
        match self.execute(org, &Actor::System, command).await {
            // Another node (or a read racing the sweep) expired it first, or the
            // organization was deleted meanwhile.
            Ok(_) | Err(ServiceError::Refused(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every `every`, expires what is due in every organization.
    pub fn spawn_expiry_sweep(&self, every: Duration) -> JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                for org in service.organization_ids() {
                    if let Err(e) = service.expire_due(&org).await {
                        tracing::warn!(%org, error = %e, "expiry sweep failed");
                    }
                }
            }
        })
    }
}
