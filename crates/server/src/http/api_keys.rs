//! API keys: `POST`, `GET` and `DELETE` under `/api/v1/orgs/{org}/api-keys`,
//! over the application's key use cases (application/api_keys.rs).

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::api_keys::{CreateKey, KeyView};
use crate::application::{Application, Page};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/api-keys", post(create).get(list))
        .route("/api/v1/orgs/{org}/api-keys/{key}", delete(revoke))
}

#[utoipa::path(post, operation_id = "createApiKey", path = "/api/v1/orgs/{org}/api-keys", tag = "api keys",
    params(("org" = String, Path)),
    request_body(content = CreateKey, example = json!({"name": "back-end", "permissions": ["check"]})),
    responses((status = 201, body = KeyView), (status = 400), (status = 403), (status = 404)))]
async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<CreateKey>,
) -> Result<(StatusCode, Json<KeyView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let key = app.steward.create_api_key(&org, body).await?;
    Ok((StatusCode::CREATED, Json(key)))
}

#[utoipa::path(get, operation_id = "listApiKeys", path = "/api/v1/orgs/{org}/api-keys", tag = "api keys",
    params(("org" = String, Path)),
    responses((status = 200, body = Page<KeyView>), (status = 403), (status = 404)))]
async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Page<KeyView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.api_keys(&org).await?))
}

#[utoipa::path(delete, operation_id = "revokeApiKey", path = "/api/v1/orgs/{org}/api-keys/{key}", tag = "api keys",
    params(("org" = String, Path), ("key" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
async fn revoke(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, key)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.revoke_api_key(&org, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
