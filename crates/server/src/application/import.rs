//! The CSV import of members and roles: previewed (a dry run) or applied all at
//! once, with a progress callback for long files. The API, the console and the
//! CLI all come here.

use super::invitations::{invitation_token, INVITATION_DAYS};
use super::{AppError, InOrg, Steward};
use serde::{Deserialize, Serialize};
use steward_core::import_file::{self, Progress, RowError};
use steward_core::{
    Actor, ImportPlan, ImportRow, InvitationId, OrgId, RowEffect, RowOutcome, RowRefusal, Timestamp,
};

/// The largest file taken (32 MiB): larger is refused before it is read whole
/// (413 `file_too_large`). Rows are limited apart (`import_file::MAX_ROWS`).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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

impl Steward {
    /// The member who may import into `org`, asked before the file is read:
    /// without `members:manage` every row would be refused anyway.
    pub fn importer(&self, org: &InOrg) -> Result<Actor, AppError> {
        let actor = org.actor()?;
        org.require("members:manage")?;
        Ok(actor)
    }

    /// Parses a CSV file and imports it into `org` as `actor`: the API, the
    /// console and the CLI come here. A file refused whole is an error; refused
    /// rows are in the answer's `errors`, and then nothing is stored.
    pub async fn import_csv(
        &self,
        org: &OrgId,
        actor: &Actor,
        bytes: Vec<u8>,
        dry_run: bool,
        step: impl FnMut(ImportStep) + Send + 'static,
    ) -> Result<ImportAnswer, AppError> {
        if bytes.len() > MAX_IMPORT_BYTES {
            return Err(AppError::FileTooLarge {
                limit: MAX_IMPORT_BYTES,
            });
        }
        let expires_at = self.service().clock().now().plus_days(INVITATION_DAYS);
        let (rows, file_errors, tokens) = parse(org, bytes, dry_run, expires_at, step).await?;
        // A row that does not parse refuses the file as a refused rule would: the
        // other rows are decided for the answer, and nothing is stored.
        let store = !dry_run && file_errors.is_empty();
        let plan = self.service().import(org, actor, rows, !store).await?;
        Ok(answer(plan, file_errors, tokens, dry_run))
    }
}

/// A file's rows, the rows that did not parse, and the invitation secrets made.
type ParsedFile = (
    Vec<ImportRow>,
    Vec<RowError>,
    Vec<(usize, InvitationId, String)>,
);

/// Parsing 100,000 rows (and making their invitations' secrets) takes a
/// noticeable time: off the async threads.
async fn parse(
    org: &OrgId,
    bytes: Vec<u8>,
    dry_run: bool,
    expires_at: Timestamp,
    mut step: impl FnMut(ImportStep) + Send + 'static,
) -> Result<ParsedFile, AppError> {
    let org_text = org.to_string();
    let (parsed, mut step) = tokio::task::spawn_blocking(move || {
        let parsed = import_file::parse_with_progress(&bytes, |p| step(ImportStep::Parsing(p)));
        let parsed = parsed.map(|file| {
            let mut tokens = Vec::new();
            let rows = file
                .rows
                .into_iter()
                .map(|row| {
                    let id = if dry_run {
                        // Never stored; unique within the file as ids must be.
                        InvitationId::parse(&format!("dry-run-{}", row.line))
                    } else {
                        invitation_token(&org_text).map(|(token, id)| {
                            tokens.push((row.line, id.clone(), token));
                            id
                        })
                    };
                    id.map(|id| row.into_import_row(id, expires_at))
                })
                .collect::<Result<Vec<_>, _>>();
            rows.map(|rows| (rows, file.errors, tokens))
        });
        (parsed, step)
    })
    .await
    .map_err(|e| AppError::Internal(format!("the import's parser stopped: {e}")))?;
    let (rows, file_errors, tokens) = match parsed {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(e)) => return Err(AppError::Internal(format!("an invitation's id: {e}"))),
        Err(e) => return Err(e.into()),
    };
    step(ImportStep::Applying { rows: rows.len() });
    Ok((rows, file_errors, tokens))
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
