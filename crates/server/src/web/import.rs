//! Import CSV: upload a file, preview what each row would do (the API's dry
//! run), confirm, and see the invitations' links once.

use super::page::{render, Frame, PageError};
use super::session::{same_token, Browser};
use crate::application::import::{ImportAnswer, ImportedRow, MAX_IMPORT_BYTES};
use crate::application::{AppError, Application, Caller, ErrorKind};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};

/// How many rows of each kind the preview lists (the counts are always whole).
const PREVIEW_ROWS: usize = 200;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/import", get(page).post(apply))
        .route("/orgs/{org}/import/preview", post(preview))
        // The file plus the form's few small fields.
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    frame: Frame,
    max_mib: usize,
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "users").await?;
    app.steward.importer(&in_org)?;
    Ok(render(&ImportPage {
        frame,
        max_mib: MAX_IMPORT_BYTES >> 20,
    })?
    .into_response())
}

/// The upload's fields, the CSRF token checked.
struct Upload {
    file: Bytes,
    /// The SHA-256 of the file the person previewed, on the confirming post.
    previewed: Option<String>,
}

async fn read_upload(browser: &Browser, mut multipart: Multipart) -> Result<Upload, PageError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        PageError::App(AppError::invalid(
            "file",
            format!("the upload could not be read: {}", e.body_text()),
        ))
    };
    let (mut csrf, mut previewed, mut file) = (None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(bad)?),
            Some("previewed") => previewed = Some(field.text().await.map_err(bad)?),
            Some("file") => file = Some(field.bytes().await.map_err(bad)?),
            _ => {}
        }
    }
    if !csrf.is_some_and(|t| same_token(&t, &browser.session.csrf_token)) {
        return Err(PageError::Csrf);
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::invalid("file", "choose a CSV file to import"))?;
    Ok(Upload { file, previewed })
}

fn digest(file: &[u8]) -> String {
    hex::encode(Sha256::digest(file))
}

/// The API's own import handler, given the file as `text/csv`.
/// The import's use case, as the API runs it, for the signed-in member.
async fn run(
    app: &Application,
    browser: &Browser,
    org: &str,
    file: Bytes,
    dry_run: bool,
) -> Result<ImportAnswer, AppError> {
    let org = app
        .steward
        .in_org(Caller::Account(browser.user.clone()), org)?;
    let actor = app.steward.importer(&org)?;
    app.steward
        .import_csv(&org.org, &actor, file.into(), dry_run, |_| {})
        .await
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct Preview {
    created: usize,
    updated: usize,
    unchanged: usize,
    rows: Vec<ImportedRow>,
    more: usize,
    errors: Vec<(usize, String, String)>,
    /// The failure of the file as a whole (not a CSV of this shape, too large).
    refused: Option<String>,
    digest: String,
    role_labels: RoleLabels,
}

/// Role names to the policy's labels, for the preview's "Viewer -> Admin".
struct RoleLabels(std::sync::Arc<steward_core::Policy>);

impl RoleLabels {
    fn of(&self, role: &str) -> String {
        super::page::role_label(&self.0, role)
    }
}

/// "Preview": the dry run, as a fragment under the form.
async fn preview(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(&browser, multipart).await?;
    let digest = digest(&upload.file);
    let role_labels = RoleLabels(app.service().policy().clone());
    let page = match run(&app, &browser, &org, upload.file, true).await {
        Ok(answer) => {
            let counts = (
                answer.created.len(),
                answer.updated.len(),
                answer.unchanged.len(),
            );
            let mut rows: Vec<ImportedRow> =
                answer.created.into_iter().chain(answer.updated).collect();
            rows.sort_by_key(|r| r.line);
            let more = rows.len().saturating_sub(PREVIEW_ROWS);
            rows.truncate(PREVIEW_ROWS);
            Preview {
                created: counts.0,
                updated: counts.1,
                unchanged: counts.2,
                rows,
                more,
                errors: answer
                    .errors
                    .into_iter()
                    .map(|e| {
                        (
                            e.line,
                            e.email.unwrap_or_default(),
                            super::page::sentence(&e.message),
                        )
                    })
                    .collect(),
                refused: None,
                digest,
                role_labels,
            }
        }
        Err(e) if e.kind() == ErrorKind::Internal => return Err(e.into()),
        Err(e) => Preview {
            created: 0,
            updated: 0,
            unchanged: 0,
            rows: Vec::new(),
            more: 0,
            errors: Vec::new(),
            refused: Some(super::page::words(&e)),
            digest,
            role_labels,
        },
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "import_done.html")]
struct Done {
    frame: Frame,
    created: Vec<(String, String)>,
    updated: usize,
    unchanged: usize,
}

/// "Import": the real run, of exactly the file that was previewed.
async fn apply(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(&browser, multipart).await?;
    if upload.previewed.as_deref() != Some(digest(&upload.file).as_str()) {
        return Err(AppError::FileChanged.into());
    }
    let answer = run(&app, &browser, &org, upload.file, false).await?;
    if !answer.applied {
        return Err(AppError::ImportRefused {
            refused: answer.errors.len(),
        }
        .into());
    }
    let (mut frame, _) = Frame::load(&app, &browser, &org, "users").await?;
    frame.notice = Some(super::page::Notice::ok(format!(
        "Imported: {} invited, {} updated, {} unchanged.",
        answer.created.len(),
        answer.updated.len(),
        answer.unchanged.len()
    )));
    let settings = app.settings();
    Ok(render(&Done {
        frame,
        created: answer
            .created
            .into_iter()
            .map(|r| {
                let link = r
                    .token
                    .map(|t| settings.link(&format!("/invitations/{t}")))
                    .unwrap_or_default();
                (r.email, link)
            })
            .collect(),
        updated: answer.updated.len(),
        unchanged: answer.unchanged.len(),
    })?
    .into_response())
}
