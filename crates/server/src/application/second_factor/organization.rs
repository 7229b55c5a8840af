//! The organization's side of the second factor: its setting that requires one
//! of admins and owners, and an admin's reset of a member's (a lost phone).
//! The rules are the core's (`decide/second_factor.rs`); the facts it cannot
//! see (other memberships) are read here (docs/two-factor.md).

use crate::application::{AppError, InOrg, Steward};
use serde::{Deserialize, Serialize};
use steward_core::{Command, UserId};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorSetting {
    /// Admins and owners without a second factor are refused the
    /// organization's management actions (`second_factor_required`).
    pub second_factor_required: bool,
}

impl Steward {
    /// The organization's setting; every member may read it.
    pub fn second_factor_setting(&self, org: &InOrg) -> SecondFactorSetting {
        SecondFactorSetting {
            second_factor_required: org.snapshot.requires_second_factor(),
        }
    }

    /// `PUT /orgs/{org}/second-factor-policy`: only an owner or an admin sets
    /// it (`org.second_factor_required` in the log).
    pub async fn set_second_factor_required(
        &self,
        org: &InOrg,
        required: bool,
    ) -> Result<SecondFactorSetting, AppError> {
        self.service()
            .execute(
                &org.org,
                &org.actor()?,
                Command::SetSecondFactorRequired { required },
            )
            .await?;
        Ok(SecondFactorSetting {
            second_factor_required: required,
        })
    }

    /// Whether the member has a second factor (`None`: not), and whether the
    /// caller may reset it (the core's rule; other memberships are asked
    /// only on reset). The console's edit panel.
    pub async fn second_factor_of(
        &self,
        org: &InOrg,
        user: &UserId,
    ) -> Result<Option<bool>, AppError> {
        if !self.service().store().has_second_factor(user).await? {
            return Ok(None);
        }
        let Some(me) = org.user().cloned() else {
            return Ok(Some(false));
        };
        let policy = self.service().policy().clone();
        let target = user.clone();
        let refusal = self
            .service()
            .read(&org.org, move |state| {
                steward_core::second_factor_reset_refusal(&policy, state, &me, &target)
            })
            .await?;
        Ok(Some(refusal.is_none()))
    }

    /// `DELETE /orgs/{org}/members/{user}/second-factor`: an admin takes a
    /// member's second factor away; the member's sessions and refresh tokens
    /// end with it (`auth.second_factor_reset`). Refused for someone another
    /// organization also counts on.
    pub async fn reset_second_factor(&self, org: &InOrg, user: &UserId) -> Result<(), AppError> {
        let actor = org.actor()?;
        let member_elsewhere = self
            .service()
            .store()
            .memberships_of(user.as_str())
            .await?
            .iter()
            .any(|m| m.org_id != org.org.as_str());
        self.service()
            .execute(
                &org.org,
                &actor,
                Command::ResetSecondFactor {
                    user_id: user.clone(),
                    member_elsewhere,
                },
            )
            .await?;
        tracing::info!(org = %org.org, account = %user, "a member's second factor was reset");
        Ok(())
    }
}
