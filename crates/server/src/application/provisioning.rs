//! Provisioning from a customer's directory (SCIM 2.0, docs/provisioning.md):
//! its token, who a SCIM request is, and the requests it sent. The people and
//! groups it changes are in `provisioning/users.rs` and `provisioning/groups.rs`;
//! every change is a command through the service and `decide`, made by
//! `Actor::Directory` with the rights of the member who made the token.

mod groups;
mod requests;
mod users;

pub use groups::{DirectoryGroup, GroupMapping, MappingChoice, MappingOption, ProvisionedGroup};
pub(crate) use requests::RequestLog;
pub use users::{DirectoryUser, ProvisionedUser};

use super::api_keys::{CreateKey, KeyView};
use super::{AppError, Application, InOrg, Page, Steward, Unauthenticated};
use crate::secrets::secret_hash;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Instant;
use steward_core::api_key::KeyUse;
use steward_core::{Actor, ApiKeyId, Command, Deprovision, OrgId, UserId};

/// The key permission a SCIM token carries, and nothing else.
pub const SCIM_PERMISSION: &str = "scim";

/// Where a directory is pointed: the SCIM base URL of an organization.
pub fn scim_base_path(org: &str) -> String {
    format!("/scim/v2/{org}")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateScimToken {
    /// What the directory is called ("Okta", "Entra ID"): the audit log names
    /// it as the actor of its changes.
    pub name: String,
}

/// A SCIM token as the API answers it: an API key with the `scim` permission,
/// and the base URL to paste into the directory.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScimTokenView {
    #[serde(flatten)]
    pub key: KeyView,
    pub base_url: String,
}

/// What a directory's deprovisioning (SCIM `active: false`) does to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDeprovision {
    /// Removed from the organization, as before (the default).
    Remove,
    /// Suspended: kept with their roles, answered as a non-member until
    /// `active: true` reinstates them (docs/provisioning.md#suspension).
    Suspend,
}

impl From<Deprovision> for OnDeprovision {
    fn from(d: Deprovision) -> OnDeprovision {
        match d {
            Deprovision::Remove => OnDeprovision::Remove,
            Deprovision::Suspend => OnDeprovision::Suspend,
        }
    }
}

impl From<OnDeprovision> for Deprovision {
    fn from(d: OnDeprovision) -> Deprovision {
        match d {
            OnDeprovision::Remove => Deprovision::Remove,
            OnDeprovision::Suspend => Deprovision::Suspend,
        }
    }
}

/// The organization's provisioning settings.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScimSettings {
    pub on_deprovision: OnDeprovision,
}

/// A request a directory sent, as the Provisioning page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryRequest {
    /// Unix milliseconds.
    pub at: i64,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// "ok", or why it was refused, in words.
    pub outcome: String,
}

/// A directory authenticated by its SCIM token, inside its organization.
#[derive(Debug, Clone)]
pub struct Directory {
    pub org: OrgId,
    key_id: ApiKeyId,
    creator: UserId,
}

impl Directory {
    /// Who its changes are made by: the directory, with its creator's rights.
    pub fn actor(&self) -> Actor {
        Actor::Directory {
            key_id: self.key_id.clone(),
            creator: self.creator.clone(),
        }
    }
}

impl Steward {
    /// A new SCIM token; its secret is in the answer and nowhere else. Made by
    /// a member who manages members (the core's rule for keys); it acts with
    /// its maker's rank at most, at every use.
    pub async fn create_scim_token(
        &self,
        org: &InOrg,
        input: CreateScimToken,
    ) -> Result<ScimTokenView, AppError> {
        let key = self
            .create_api_key(
                org,
                CreateKey {
                    name: input.name,
                    permissions: Some(vec![SCIM_PERMISSION.into()]),
                },
            )
            .await?;
        Ok(self.scim_token_view(org, key))
    }

    /// The organization's SCIM tokens, without their secrets.
    pub async fn scim_tokens(&self, org: &InOrg) -> Result<Page<ScimTokenView>, AppError> {
        let keys = self.api_keys(org).await?;
        let items = keys
            .items
            .into_iter()
            .filter(|k| k.permissions.iter().any(|p| p == SCIM_PERMISSION))
            .map(|k| self.scim_token_view(org, k))
            .collect();
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    /// Revokes a SCIM token (an API key of another kind is not one).
    pub async fn revoke_scim_token(&self, org: &InOrg, token: &str) -> Result<(), AppError> {
        let key_id = ApiKeyId::parse(token).map_err(|_| AppError::UnknownApiKey)?;
        let is_scim = self
            .service()
            .read(&org.org, |state| {
                state
                    .api_key(&key_id)
                    .is_some_and(|k| k.permissions.iter().any(|p| p == SCIM_PERMISSION))
            })
            .await?;
        if !is_scim {
            return Err(AppError::UnknownApiKey);
        }
        self.revoke_api_key(org, token).await
    }

    fn scim_token_view(&self, org: &InOrg, key: KeyView) -> ScimTokenView {
        ScimTokenView {
            key,
            base_url: self.settings().link(&scim_base_path(org.org.as_str())),
        }
    }

    /// The organization's provisioning settings. Needs `members:manage`.
    pub async fn scim_settings(&self, org: &InOrg) -> Result<ScimSettings, AppError> {
        org.require("members:manage")?;
        let on_deprovision = self
            .service()
            .read(&org.org, |state| state.on_deprovision())
            .await?;
        Ok(ScimSettings {
            on_deprovision: on_deprovision.into(),
        })
    }

    /// Sets what deprovisioning does, by the core's rule (owners and admins);
    /// answers the settings as they are now.
    pub async fn set_scim_settings(
        &self,
        org: &InOrg,
        settings: ScimSettings,
    ) -> Result<ScimSettings, AppError> {
        let command = Command::SetDeprovision {
            on_deprovision: settings.on_deprovision.into(),
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        self.scim_settings(org).await
    }

    /// The requests directories sent lately, newest first. Needs `members:manage`.
    pub async fn directory_requests(&self, org: &InOrg) -> Result<Vec<DirectoryRequest>, AppError> {
        org.require("members:manage")?;
        self.flush_directory_requests().await;
        let rows = self
            .service()
            .store()
            .scim_requests(org.org.as_str(), 50)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| DirectoryRequest {
                at: r.at,
                method: r.method,
                path: r.path,
                status: u16::try_from(r.status).unwrap_or(0),
                outcome: r.outcome,
            })
            .collect())
    }

    /// Writes to the audit log that the rules refused a directory's request
    /// (`scim.refused`, the directory as the actor), as a refused password is.
    /// A failure to write it is logged, never the request's answer.
    pub async fn record_directory_refusal(
        &self,
        org: &str,
        token: &str,
        reason: &str,
        request: String,
    ) {
        let Some(grant) = self.service().api_key(&secret_hash(token)) else {
            return;
        };
        let (Some(creator), Ok(org_id)) = (grant.created_by().cloned(), OrgId::parse(org)) else {
            return;
        };
        let actor = Actor::Directory {
            key_id: grant.key_id.clone(),
            creator,
        };
        let command = Command::RecordDirectoryRefusal {
            reason: reason.to_string(),
            request,
        };
        if let Err(e) = self.service().execute(&org_id, &actor, command).await {
            tracing::warn!(%org, error = %e, "a refused SCIM request could not be logged");
        }
    }

    /// Keeps what a directory asked and how it went, for the Provisioning page:
    /// queued, and written with the requests around it (`RequestLog`). A
    /// failure to keep it is logged, never the request's answer.
    pub fn record_directory_request(&self, org: &str, request: DirectoryRequest) {
        self.directory_log
            .append(self.service().store(), org, request);
    }

    /// Writes the directory requests still queued (before they are read, and
    /// when the node stops).
    pub async fn flush_directory_requests(&self) {
        self.directory_log.write(self.service().store()).await;
    }
}

impl Application {
    /// The directory behind a SCIM bearer token, for `org`. Failures count
    /// against the login limiter (per organization and client address), so
    /// guessing tokens is as slow as guessing passwords.
    pub fn directory(&self, org: &str, token: &str, client: IpAddr) -> Result<Directory, AppError> {
        let attempt = self
            .sign_in
            .limiter
            .admit(&format!("scim:{org}"), client, Instant::now())
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let grant = self
            .service()
            .api_key(&secret_hash(token))
            .filter(|g| &*g.org == org);
        let snapshot = self.service().snapshot(org);
        let (Some(grant), Some(snapshot)) = (grant, snapshot) else {
            tracing::info!(%org, "a SCIM token was refused");
            return Err(Unauthenticated::InvalidApiKey.into());
        };
        grant
            .permits(&snapshot, KeyUse::Scim)
            .map_err(|denial| super::Denied::Key(denial.to_string()))?;
        let creator = grant
            .created_by()
            .cloned()
            .ok_or_else(|| super::Denied::Key("a SCIM token needs a member who made it".into()))?;
        self.sign_in.limiter.succeeded(attempt);
        Ok(Directory {
            org: OrgId::parse(org).map_err(|_| AppError::no_organization())?,
            key_id: grant.key_id.clone(),
            creator,
        })
    }
}
