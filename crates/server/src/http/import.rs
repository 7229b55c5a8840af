//! `POST /api/v1/orgs/{org}/import`: a CSV file of members and roles, previewed
//! (`?dry_run=true`) or applied all at once (the use case is
//! `Steward::import_csv`).

use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Caller};
use crate::application::import::{ImportAnswer, ImportQuery, MAX_IMPORT_BYTES};
use crate::application::{AppError, Application};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::post;
use axum::{Json, Router};

pub fn router() -> Router<Application> {
    Router::new().route("/api/v1/orgs/{org}/import", post(import))
}

/// The body types a CSV file comes as: browsers call it `text/csv` or, on
/// Windows, `application/vnd.ms-excel`; curl's `--data-binary` sends none or
/// `application/x-www-form-urlencoded`.
fn is_csv(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "text/csv"
            | "text/plain"
            | "application/csv"
            | "application/vnd.ms-excel"
            | "application/octet-stream"
            | "application/x-www-form-urlencoded"
    )
}

#[utoipa::path(post, operation_id = "importMembers", path = "/api/v1/orgs/{org}/import", tag = "members",
    params(("org" = String, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "Header `email,name,role` and optionally `scopes` (`site-a:viewer;site-b:viewer`); at most 32 MiB."),
    responses(
        (status = 200, body = ImportAnswer, description = "Every row's outcome; with any `errors`, nothing was applied."),
        (status = 400, description = "The file is not a CSV of that shape (`reason` and the line and column in `message`)."),
        (status = 403), (status = 404),
        (status = 413, description = "Larger than 32 MiB (`file_too_large`).")))]
pub(crate) async fn import(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportAnswer>, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    // Refused before the body is read: each row would be refused anyway.
    let actor = app.steward.importer(&org)?;
    if !is_csv(&headers) {
        return Err(ApiError::invalid(
            "content_type",
            "send the file as Content-Type: text/csv",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = ApiError::from(AppError::FileTooLarge {
        limit: MAX_IMPORT_BYTES,
    });
    if declared.is_some_and(|n| n > MAX_IMPORT_BYTES as u64) {
        return Err(too_large);
    }
    // Reads at most the limit: a body without a length stops there.
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES)
        .await
        .map_err(|e| {
            let cause = e.into_inner();
            if cause.is::<http_body_util::LengthLimitError>() {
                too_large
            } else {
                ApiError::invalid("body", format!("the body could not be read: {cause}"))
            }
        })?;
    let dry_run = query.dry_run.unwrap_or(false);
    let answer = app
        .steward
        .import_csv(&org.org, &actor, bytes.into(), dry_run, |_| {})
        .await?;
    Ok(Json(answer))
}
