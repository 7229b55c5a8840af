//! API keys: made by a member who manages members, shown once, stored as their
//! SHA-256; each carries its permissions (`check`, `read`). The core's
//! `CreateApiKey` and `RevokeApiKey` decide who may; listing needs
//! `members:manage`.

use super::{AppError, InOrg, Page, Steward, API_KEY_PREFIX};
use crate::secrets::{new_secret, random_id, secret_hash_hex};
use serde::{Deserialize, Serialize};
use steward_core::api_key::ApiKey;
use steward_core::{ApiKeyId, Command, Name, Timestamp, UserId};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    pub name: String,
    /// `check` (the default) and/or `read`.
    pub permissions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyView {
    #[schema(value_type = String)]
    pub id: ApiKeyId,
    #[schema(value_type = String)]
    pub name: Name,
    pub permissions: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub created_by: Option<UserId>,
    /// Unix seconds.
    #[schema(value_type = i64)]
    pub created_at: Timestamp,
    /// The secret, shown once when the key is made: send it as `Bearer <key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl From<&ApiKey> for KeyView {
    fn from(k: &ApiKey) -> KeyView {
        KeyView {
            id: k.id.clone(),
            name: k.name.clone(),
            permissions: k.permissions.clone(),
            created_by: k.created_by.clone(),
            created_at: k.created_at,
            key: None,
        }
    }
}

impl Steward {
    /// A new key of the organization; its secret is in the answer and nowhere
    /// else.
    pub async fn create_api_key(&self, org: &InOrg, input: CreateKey) -> Result<KeyView, AppError> {
        let secret = new_secret(API_KEY_PREFIX);
        let key_id = ApiKeyId::parse(&random_id("key"))?;
        let command = Command::CreateApiKey {
            key_id: key_id.clone(),
            name: Name::parse(&input.name).map_err(|e| AppError::field("name", e))?,
            key_hash: secret_hash_hex(&secret),
            permissions: input.permissions.unwrap_or_else(|| vec!["check".into()]),
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        let mut view = self
            .service()
            .read(&org.org, |state| state.api_key(&key_id).map(KeyView::from))
            .await?
            .ok_or_else(|| AppError::Internal("the API key vanished after it was made".into()))?;
        view.key = Some(secret);
        Ok(view)
    }

    /// The organization's keys, without their secrets.
    pub async fn api_keys(&self, org: &InOrg) -> Result<Page<KeyView>, AppError> {
        org.require("members:manage")?;
        let items = self
            .service()
            .read(&org.org, |state| {
                state.api_keys().map(KeyView::from).collect()
            })
            .await?;
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    /// Revokes a key.
    pub async fn revoke_api_key(&self, org: &InOrg, key: &str) -> Result<(), AppError> {
        let key_id = ApiKeyId::parse(key).map_err(|_| AppError::UnknownApiKey)?;
        self.service()
            .execute(&org.org, &org.actor()?, Command::RevokeApiKey { key_id })
            .await?;
        Ok(())
    }
}
