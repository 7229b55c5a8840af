//! API keys: made by a member who manages members, shown once, stored as their
//! SHA-256; each carries its permissions (`check`, `read`).

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller, InOrg};
use super::members::Page;
use crate::application::{Application, API_KEY_PREFIX};
use crate::secrets::random_id;
use crate::secrets::{new_secret, secret_hash_hex};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use steward_core::{ApiKeyId, Command, Name};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/api-keys", post(create).get(list))
        .route("/api/v1/orgs/{org}/api-keys/{key}", delete(revoke))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    pub name: String,
    /// `check` (the default) and/or `read`.
    pub permissions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyView {
    pub id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub created_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The secret, shown once when the key is made: send it as `Bearer <key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

fn key_view(k: &steward_core::api_key::ApiKey) -> KeyView {
    KeyView {
        id: k.id.to_string(),
        name: k.name.to_string(),
        permissions: k.permissions.clone(),
        created_by: k.created_by.as_ref().map(|u| u.to_string()),
        created_at: k.created_at.0,
        key: None,
    }
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/api-keys", tag = "api keys",
    params(("org" = String, Path)), request_body = CreateKey,
    responses((status = 201, body = KeyView), (status = 400), (status = 403), (status = 404)))]
async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<CreateKey>,
) -> Result<(StatusCode, Json<KeyView>), ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let secret = new_secret(API_KEY_PREFIX);
    let key_id = ApiKeyId::parse(&random_id("key"))?;
    let command = Command::CreateApiKey {
        key_id: key_id.clone(),
        name: Name::parse(&body.name).map_err(|e| ApiError::field("name", e))?,
        key_hash: secret_hash_hex(&secret),
        permissions: body.permissions.unwrap_or_else(|| vec!["check".into()]),
    };
    app.service()
        .execute(&org.org, &org.actor()?, command)
        .await?;
    let mut view = app
        .service()
        .read(&org.org, |state| state.api_key(&key_id).map(key_view))
        .await?
        .ok_or_else(|| ApiError::Internal("the API key vanished after it was made".into()))?;
    view.key = Some(secret);
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/api-keys", tag = "api keys",
    params(("org" = String, Path)),
    responses((status = 200, body = Page<KeyView>), (status = 403), (status = 404)))]
async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Page<KeyView>>, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    org.require("members:manage")?;
    let items = app
        .service()
        .read(&org.org, |state| state.api_keys().map(key_view).collect())
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/api-keys/{key}", tag = "api keys",
    params(("org" = String, Path), ("key" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
async fn revoke(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, key)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let key_id = ApiKeyId::parse(&key)
        .map_err(|_| ApiError::not_found("unknown_api_key", "no such API key"))?;
    app.service()
        .execute(&org.org, &org.actor()?, Command::RevokeApiKey { key_id })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
