//! `POST /api/v1/orgs/{org}/import`: a CSV file of members and roles, previewed
//! (`?dry_run=true`) or applied all at once; `import_csv` is shared with the CLI.

use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Caller, InOrg};
use crate::application::invitations::{invitation_token, INVITATION_DAYS};
use crate::application::Application;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use steward_core::import_file::{self, Progress, RowError};
use steward_core::{Actor, ImportPlan, InvitationId, OrgId, RowEffect, RowOutcome, RowRefusal};

/// The largest file taken (32 MiB): larger is refused before it is read whole
/// (413 `file_too_large`). Rows are limited apart (`import_file::MAX_ROWS`).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> Router<Application> {
    Router::new().route("/api/v1/orgs/{org}/import", post(import))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// `true`: decide every row and store nothing.
    pub dry_run: Option<bool>,
}

/// What an import did, or would do: every row of the file is in exactly one list.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportAnswer {
    pub dry_run: bool,
    /// Whether the file was stored: not on a dry run, never with any error.
    pub applied: bool,
    /// New people invited (one invitation each).
    pub created: Vec<ImportedRow>,
    /// Members whose role or scope roles change.
    pub updated: Vec<ImportedRow>,
    /// Members who already have it, or people already invited with that role.
    pub unchanged: Vec<ImportedRow>,
    /// Every refused row, in file order. Any error: nothing was applied.
    pub errors: Vec<ImportRowError>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportedRow {
    /// The file line (the header is line 1).
    pub line: usize,
    pub email: String,
    /// The organization role the row gives.
    pub role: String,
    /// The member's role before the file; absent for someone new.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_role: Option<String>,
    /// A created row of an applied import: its invitation.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub invitation_id: Option<String>,
    /// A created row of an applied import: the secret that accepts the
    /// invitation, shown only here (as `POST /invitations` shows it once).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub token: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportRowError {
    pub line: usize,
    /// The row's e-mail as written (absent if the row had none).
    pub email: Option<String>,
    /// The rule (`cannot_demote_owner`, `unknown_role`, `invalid_email`,
    /// `duplicate_in_file`, ...).
    pub reason: String,
    pub message: String,
}

impl From<RowError> for ImportRowError {
    fn from(e: RowError) -> Self {
        ImportRowError {
            line: e.line,
            email: Some(e.email),
            reason: e.problem.reason().to_string(),
            message: e.problem.to_string(),
        }
    }
}

impl From<RowRefusal> for ImportRowError {
    fn from(r: RowRefusal) -> Self {
        ImportRowError {
            line: r.line,
            email: r.email.map(|e| e.to_string()),
            reason: r.refusal.reason().to_string(),
            message: r.refusal.to_string(),
        }
    }
}

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum ImportStep {
    /// Rows parsed so far, and how far into the file.
    Parsing(Progress),
    /// The rows are being decided (and stored, unless a dry run).
    Applying { rows: usize },
}

/// Parses a CSV file and imports it into `org` as `actor`; the API and the CLI
/// come here. A file refused whole is an `ApiError`; refused rows are in the
/// answer's `errors`, and then nothing is stored.
pub async fn import_csv(
    app: &Application,
    org: &OrgId,
    actor: &Actor,
    bytes: Bytes,
    dry_run: bool,
    mut step: impl FnMut(ImportStep) + Send + 'static,
) -> Result<ImportAnswer, ApiError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ApiError::TooLarge {
            limit: MAX_IMPORT_BYTES,
        });
    }
    let expires_at = app.service().clock().now().plus_days(INVITATION_DAYS);
    let org_text = org.to_string();
    // Parsing 100,000 rows (and making their invitations' secrets) takes a
    // noticeable time: off the async threads.
    let (parsed, step) = tokio::task::spawn_blocking(move || {
        let parsed = import_file::parse_with_progress(&bytes, |p| step(ImportStep::Parsing(p)));
        let parsed = parsed.map(|file| {
            let mut tokens = Vec::new();
            let rows: Vec<_> = file
                .rows
                .into_iter()
                .map(|row| {
                    let id = if dry_run {
                        // Never stored; unique within the file as ids must be.
                        InvitationId::parse(&format!("dry-run-{}", row.line))
                            .expect("a line number makes a valid id")
                    } else {
                        let (token, id) = invitation_token(&org_text);
                        tokens.push((row.line, id.clone(), token));
                        id
                    };
                    row.into_import_row(id, expires_at)
                })
                .collect();
            (rows, file.errors, tokens)
        });
        (parsed, step)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("the import's parser stopped: {e}")))?;
    let mut step = step;
    let (rows, file_errors, tokens) = parsed?;
    step(ImportStep::Applying { rows: rows.len() });
    // A row that does not parse refuses the file as a refused rule would: the
    // other rows are decided for the answer, and nothing is stored.
    let store = !dry_run && file_errors.is_empty();
    let plan = app.service().import(org, actor, rows, !store).await?;
    Ok(answer(plan, file_errors, tokens, dry_run))
}

fn answer(
    plan: ImportPlan,
    file_errors: Vec<RowError>,
    tokens: Vec<(usize, InvitationId, String)>,
    dry_run: bool,
) -> ImportAnswer {
    let mut errors: Vec<ImportRowError> = file_errors.into_iter().map(Into::into).collect();
    errors.extend(plan.refused.into_iter().map(ImportRowError::from));
    errors.sort_by_key(|e| e.line);
    let applied = !dry_run && errors.is_empty();
    let mut answer = ImportAnswer {
        dry_run,
        applied,
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: Vec::new(),
        errors,
    };
    // Rows and tokens are both in file order: one walk pairs them.
    let mut tokens = tokens.into_iter().peekable();
    for outcome in plan.outcomes {
        let effect = outcome.effect;
        let mut row = imported(outcome);
        match effect {
            RowEffect::Created => {
                if applied {
                    while tokens.next_if(|(line, ..)| *line < row.line).is_some() {}
                    if let Some((_, id, token)) = tokens.next_if(|(line, ..)| *line == row.line) {
                        row.invitation_id = Some(id.to_string());
                        row.token = Some(token);
                    }
                }
                answer.created.push(row);
            }
            RowEffect::Updated => answer.updated.push(row),
            RowEffect::Unchanged => answer.unchanged.push(row),
        }
    }
    answer
}

fn imported(o: RowOutcome) -> ImportedRow {
    ImportedRow {
        line: o.line,
        email: o.email.to_string(),
        role: o.role,
        previous_role: o.previous_role,
        invitation_id: None,
        token: None,
    }
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

#[utoipa::path(post, path = "/api/v1/orgs/{org}/import", tag = "members",
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
    let org = InOrg::resolve(app.service(), caller, &org)?;
    let actor = org.actor()?;
    // Refused before the body is read: each row would be refused anyway.
    org.require("members:manage")?;
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
    let too_large = ApiError::TooLarge {
        limit: MAX_IMPORT_BYTES,
    };
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
    Ok(Json(
        import_csv(&app, &org.org, &actor, bytes, dry_run, |_| {}).await?,
    ))
}
