//! Webhook endpoints and their delivery log under `/api/v1/orgs/{org}/webhooks`,
//! over the application's use cases (application/webhooks.rs); docs/webhooks.md.

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::application::webhooks::{DeliveryView, NewWebhook, WebhookChange, WebhookView};
use crate::application::{Application, Page};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/api/v1/orgs/{org}/webhooks", post(create).get(list))
        .route(
            "/api/v1/orgs/{org}/webhooks/{webhook}",
            get(read).patch(update).delete(remove),
        )
        .route(
            "/api/v1/orgs/{org}/webhooks/{webhook}/rotate-secret",
            post(rotate_secret),
        )
        .route(
            "/api/v1/orgs/{org}/webhooks/{webhook}/deliveries",
            get(deliveries),
        )
        .route(
            "/api/v1/orgs/{org}/webhooks/{webhook}/deliveries/{seq}/redeliver",
            post(redeliver),
        )
}

#[utoipa::path(post, operation_id = "createWebhook", path = "/api/v1/orgs/{org}/webhooks", tag = "webhooks",
    params(("org" = String, Path)),
    request_body(content = NewWebhook, example = json!({"url": "https://hooks.example.com/steward", "event_types": ["member.deleted", "user.role_changed"]})),
    responses((status = 201, body = WebhookView), (status = 400), (status = 403), (status = 404)))]
async fn create(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiJson(body): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookView>), ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    let webhook = app.steward.create_webhook(&org, body).await?;
    Ok((StatusCode::CREATED, Json(webhook)))
}

#[utoipa::path(get, operation_id = "listWebhooks", path = "/api/v1/orgs/{org}/webhooks", tag = "webhooks",
    params(("org" = String, Path)),
    responses((status = 200, body = Page<WebhookView>), (status = 403), (status = 404)))]
async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<Page<WebhookView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.webhooks(&org).await?))
}

#[utoipa::path(get, operation_id = "getWebhook", path = "/api/v1/orgs/{org}/webhooks/{webhook}", tag = "webhooks",
    params(("org" = String, Path), ("webhook" = String, Path)),
    responses((status = 200, body = WebhookView), (status = 403), (status = 404)))]
async fn read(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, webhook)): ApiPath<(String, String)>,
) -> Result<Json<WebhookView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.webhook(&org, &webhook).await?))
}

#[utoipa::path(patch, operation_id = "updateWebhook", path = "/api/v1/orgs/{org}/webhooks/{webhook}", tag = "webhooks",
    params(("org" = String, Path), ("webhook" = String, Path)),
    request_body(content = WebhookChange, example = json!({"enabled": true})),
    responses((status = 200, body = WebhookView), (status = 400), (status = 403), (status = 404)))]
async fn update(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, webhook)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<WebhookChange>,
) -> Result<Json<WebhookView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(
        app.steward.update_webhook(&org, &webhook, body).await?,
    ))
}

#[utoipa::path(delete, operation_id = "deleteWebhook", path = "/api/v1/orgs/{org}/webhooks/{webhook}", tag = "webhooks",
    params(("org" = String, Path), ("webhook" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
async fn remove(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, webhook)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.delete_webhook(&org, &webhook).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "rotateWebhookSecret", path = "/api/v1/orgs/{org}/webhooks/{webhook}/rotate-secret", tag = "webhooks",
    params(("org" = String, Path), ("webhook" = String, Path)),
    responses((status = 200, body = WebhookView), (status = 403), (status = 404)))]
async fn rotate_secret(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, webhook)): ApiPath<(String, String)>,
) -> Result<Json<WebhookView>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(
        app.steward.rotate_webhook_secret(&org, &webhook).await?,
    ))
}

#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/api/v1/orgs/{org}/webhooks/{webhook}/deliveries", tag = "webhooks",
    params(("org" = String, Path), ("webhook" = String, Path)),
    responses((status = 200, body = Page<DeliveryView>), (status = 403), (status = 404)))]
async fn deliveries(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, webhook)): ApiPath<(String, String)>,
) -> Result<Json<Page<DeliveryView>>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    Ok(Json(app.steward.webhook_deliveries(&org, &webhook).await?))
}

#[utoipa::path(post, operation_id = "redeliverWebhook", path = "/api/v1/orgs/{org}/webhooks/{webhook}/deliveries/{seq}/redeliver", tag = "webhooks",
    params(("org" = String, Path), ("webhook" = String, Path), ("seq" = i64, Path)),
    responses((status = 202), (status = 403), (status = 404)))]
async fn redeliver(
    State(app): State<Application>,
    caller: Caller,
    ApiPath((org, webhook, seq)): ApiPath<(String, String, i64)>,
) -> Result<StatusCode, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    app.steward.redeliver(&org, &webhook, seq).await?;
    Ok(StatusCode::ACCEPTED)
}
