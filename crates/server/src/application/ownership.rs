//! The ownership transfer: the owner nominates, the nominee accepts or declines
//! within the policy's days, the owner may cancel.

use super::{AppError, InOrg, Steward};
use crate::secrets::random_id;
use serde::{Deserialize, Serialize};
use steward_core::policy::Transfer;
use steward_core::state::Nomination;
use steward_core::{Command, NominationId, Refusal, Timestamp, UserId};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominateBody {
    pub to_user: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub id: String,
    pub from_user: String,
    pub to_user: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// `pending`, or what ended it: `accepted`, `declined`, `cancelled`.
    #[schema(value_type = String)]
    pub status: TransferStatus,
}

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
}

impl From<&Nomination> for TransferView {
    fn from(n: &Nomination) -> TransferView {
        TransferView {
            id: n.id.to_string(),
            from_user: n.from_user.to_string(),
            to_user: n.to_user.to_string(),
            expires_at: n.expires_at.0,
            status: TransferStatus::Pending,
        }
    }
}

/// The ownership of an organization as its page shows it.
pub struct Ownership {
    pub owner: Option<UserId>,
    /// The owner's name ("" without an owner).
    pub owner_name: String,
    pub pending: Option<PendingNomination>,
    /// How ownership moves under the policy.
    pub transfer: Transfer,
    /// How long a nomination waits for its answer.
    pub nomination_ttl_days: u32,
}

pub struct PendingNomination {
    pub to_user: UserId,
    /// The nominee's name (their id, should they be gone).
    pub to_name: String,
    pub expires_at: Timestamp,
}

impl Steward {
    /// Who owns the organization, and the nomination pending, if any.
    pub async fn ownership(&self, org: &InOrg) -> Result<Ownership, AppError> {
        let policy = self.service.policy();
        let (owner, owner_name, pending) = self
            .service
            .read(&org.org, |state| {
                let name_of = |u: &UserId| {
                    state
                        .member(u)
                        .map_or_else(|| u.to_string(), |m| m.name.to_string())
                };
                let owner = state.owner_id(policy).cloned();
                let pending = state.nomination().map(|n| PendingNomination {
                    to_user: n.to_user.clone(),
                    to_name: name_of(&n.to_user),
                    expires_at: n.expires_at,
                });
                let owner_name = owner.as_ref().map(name_of).unwrap_or_default();
                (owner, owner_name, pending)
            })
            .await?;
        Ok(Ownership {
            owner,
            owner_name,
            pending,
            transfer: policy.ownership.transfer,
            nomination_ttl_days: policy.ownership.nomination_ttl_days,
        })
    }

    /// The pending transfer; none is `no_pending_transfer`.
    pub async fn pending_transfer(&self, org: &InOrg) -> Result<TransferView, AppError> {
        self.nomination(org)
            .await?
            .ok_or_else(|| Refusal::NoPendingTransfer.into())
    }

    /// The owner nominates `to_user`, who becomes the owner on accepting.
    pub async fn nominate_owner(
        &self,
        org: &InOrg,
        to_user: &UserId,
    ) -> Result<TransferView, AppError> {
        let command = Command::NominateOwner {
            nomination_id: NominationId::parse(&random_id("nom"))?,
            to_user: to_user.clone(),
        };
        self.service
            .execute(&org.org, &org.actor()?, command)
            .await?;
        let view = self.nomination(org).await?.ok_or_else(|| {
            AppError::Internal("the nomination vanished after it was made".into())
        })?;
        self.send_nomination(org, &view).await?;
        Ok(view)
    }

    /// The owner withdraws the pending nomination.
    pub async fn cancel_transfer(&self, org: &InOrg) -> Result<(), AppError> {
        self.service
            .execute(&org.org, &org.actor()?, Command::CancelNomination)
            .await?;
        Ok(())
    }

    /// The nominee becomes the owner; answers the transfer, accepted.
    pub async fn accept_transfer(&self, org: &InOrg) -> Result<TransferView, AppError> {
        self.answer_transfer(org, Command::AcceptNomination, TransferStatus::Accepted)
            .await
    }

    /// The nominee turns the nomination down; answers the transfer, declined.
    pub async fn decline_transfer(&self, org: &InOrg) -> Result<TransferView, AppError> {
        self.answer_transfer(org, Command::DeclineNomination, TransferStatus::Declined)
            .await
    }

    /// Accept or decline: the nominee only (the core's rule).
    async fn answer_transfer(
        &self,
        org: &InOrg,
        command: Command,
        status: TransferStatus,
    ) -> Result<TransferView, AppError> {
        let mut view = self.pending_transfer(org).await?;
        self.service
            .execute(&org.org, &org.actor()?, command)
            .await?;
        view.status = status;
        self.send_transfer_answer(org, &view, status).await?;
        Ok(view)
    }

    async fn nomination(&self, org: &InOrg) -> Result<Option<TransferView>, AppError> {
        let view = self
            .service
            .read(&org.org, |state| state.nomination().map(TransferView::from))
            .await?;
        Ok(view)
    }
}
