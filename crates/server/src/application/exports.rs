//! Exports: the audit log (JSON lines or CSV, read a page at a time, oldest
//! first) and the member list (CSV in the shape the import reads), as files a
//! spreadsheet opens without running anything in them.

use super::feed::ChainedEvent;
use super::{AppError, InOrg, Steward};
use crate::store::{AuditEntry, StoreError};
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use steward_core::import_file::{needs_quote_prefix, QUOTE_PREFIX};

/// Events per page read from the store, and per chunk of the body.
const EXPORT_PAGE: i64 = 1000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `jsonl` (the default: one event per line, as the feed shows it, with
    /// what its hash covers, so the file verifies anywhere) or `csv`.
    pub format: Option<String>,
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    pub fn parse(format: Option<&str>) -> Result<Format, AppError> {
        match format {
            None | Some("jsonl") => Ok(Format::Jsonl),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(AppError::invalid(
                "format",
                format!("format is \"jsonl\" or \"csv\", not {other:?}"),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jsonl => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

/// The audit log's CSV columns: `at` in RFC 3339 (UTC) for people, `at_unix` for
/// programs; `data` is the event's JSON.
const AUDIT_COLUMNS: [&str; 10] = [
    "id",
    "seq",
    "at",
    "at_unix",
    "type",
    "actor_id",
    "target_id",
    "data",
    "hash",
    "prev_hash",
];

/// A file to download: its name, its format, and its text, whole or in chunks.
pub struct Export {
    pub filename: String,
    pub format: Format,
    pub chunks: BoxStream<'static, Result<String, StoreError>>,
}

impl Steward {
    /// The whole log, oldest first (the order it was written and is chained in,
    /// so the file can be verified top to bottom), up to the head as it stood
    /// when the export began; one page of events is read and written at a time.
    /// Needs `audit:view`.
    pub async fn audit_export(&self, org: &InOrg, format: Format) -> Result<Export, AppError> {
        org.require("audit:view")?;
        let store = self.service().store().clone();
        let head = store
            .head(&org.org)
            .await?
            .ok_or_else(AppError::no_organization)?;
        let org_id = org.org.clone();
        let header = (format == Format::Csv).then(|| {
            let mut line = String::new();
            csv_record(&mut line, AUDIT_COLUMNS);
            Ok::<String, StoreError>(line)
        });
        let filename = format!("audit-{}.{}", org_id, format.extension());
        let pages = futures_util::stream::unfold(Some(0_i64), move |after| {
            let (store, org_id) = (store.clone(), org_id.clone());
            async move {
                let after = after.filter(|&a| a < head.seq)?;
                match store
                    .audit_page(&org_id, after, head.seq, EXPORT_PAGE)
                    .await
                {
                    Ok(entries) => {
                        let last = entries.last()?.seq;
                        Some((Ok(render(format, &org_id, entries)), Some(last)))
                    }
                    Err(e) => {
                        // The answer has begun: the file stops short, which the
                        // client sees as a broken transfer, not a whole file.
                        tracing::error!(org = %org_id, error = %e, "the audit export failed");
                        Some((Err(e), None))
                    }
                }
            }
        });
        // A body must keep answering "ended" once it has ended (http-body's
        // contract; the compression layer asks once more after the last chunk),
        // while a stream may panic when polled past its end, as `unfold` does:
        // fused, it answers `None` again.
        let chunks = futures_util::stream::iter(header)
            .chain(pages)
            .fuse()
            .boxed();
        Ok(Export {
            filename,
            format,
            chunks,
        })
    }

    /// The members as CSV with the columns the import reads, `email,name,role,scopes`,
    /// `scopes` as `object:role;object:role` (one pair per role held, on objects
    /// the caller sees), so an export can be edited and imported back. In the
    /// organization's member order (by id). Needs `members:view`.
    pub async fn members_export(&self, org: &InOrg) -> Result<Export, AppError> {
        org.require("members:view")?;
        // The members are in memory already; the file is a fraction of that.
        let csv = self
            .service()
            .read(&org.org, |state| {
                let mut out = String::new();
                csv_record(&mut out, ["email", "name", "role", "scopes"]);
                for m in state.members() {
                    let mut scopes = String::new();
                    let seen = state
                        .scopes_of(&m.user_id)
                        .filter(|(object, _)| org.sees(object.as_str()));
                    for (object, roles) in seen {
                        for role in roles.iter() {
                            if !scopes.is_empty() {
                                scopes.push(';');
                            }
                            let _ = write!(scopes, "{object}:{role}");
                        }
                    }
                    csv_record(
                        &mut out,
                        [m.email.as_str(), m.name.as_str(), m.role.as_str(), &scopes],
                    );
                }
                out
            })
            .await?;
        Ok(Export {
            filename: format!("members-{}.csv", org.org),
            format: Format::Csv,
            chunks: futures_util::stream::iter([Ok(csv)]).boxed(),
        })
    }
}

/// A page of events as the format writes them.
fn render(format: Format, org: &steward_core::OrgId, entries: Vec<AuditEntry>) -> String {
    let mut out = String::with_capacity(entries.len() * 400);
    for entry in entries {
        match format {
            Format::Jsonl => {
                // With its hashed text: `steward audit verify --file`, or a few
                // lines of any language, verifies the file (docs/audit.md).
                let event = ChainedEvent::new(org, entry);
                // A JSON line needs no escaping: a reader parses it, nothing runs it.
                // An entry is strings, numbers and stored JSON: it always serializes.
                if let Ok(line) = serde_json::to_string(&event) {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
            Format::Csv => {
                let data = entry.data.to_string();
                csv_record(
                    &mut out,
                    [
                        entry.seq.to_string().as_str(),
                        &entry.seq.to_string(),
                        &steward_core::Timestamp(entry.at).rfc3339(),
                        &entry.at.to_string(),
                        &entry.event_type,
                        entry.actor_id.as_deref().unwrap_or(""),
                        entry.target_id.as_deref().unwrap_or(""),
                        &data,
                        &entry.hash,
                        &entry.prev_hash,
                    ],
                );
            }
        }
    }
    out
}

/// One CSV cell as a spreadsheet should read it. A cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be taken for a formula (a member
/// named `=HYPERLINK(...)` runs when the file is opened), so it gets a leading
/// `'`, which spreadsheets read as "text" (OWASP, CSV injection); the rule, shared
/// with the import that reads it back, is steward-core's `needs_quote_prefix`.
/// Then RFC 4180: a cell with a comma, quote or line break is quoted, its quotes
/// doubled.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let formula = needs_quote_prefix(text);
    let quote = text.contains([',', '"', '\n', '\r']);
    if !formula && !quote {
        return Cow::Borrowed(text);
    }
    let mut cell = String::with_capacity(text.len() + 3);
    if quote {
        cell.push('"');
    }
    if formula {
        cell.push(QUOTE_PREFIX);
    }
    for c in text.chars() {
        if c == '"' {
            cell.push('"');
        }
        cell.push(c);
    }
    if quote {
        cell.push('"');
    }
    Cow::Owned(cell)
}

/// Appends one record: the cells, each through `csv_cell`, and a CRLF (RFC 4180).
pub fn csv_record<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(cell));
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_a_spreadsheet_would_run_starts_with_a_quote() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "\"'=HYPERLINK(\"\"http://evil\"\")\"",
            ),
            ("=1+2", "'=1+2"),
            ("+cmd", "'+cmd"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
        ] {
            assert_eq!(csv_cell(text), cell, "{text:?}");
        }
    }

    #[test]
    fn an_ordinary_cell_is_left_alone_and_a_comma_or_quote_is_quoted() {
        assert!(matches!(csv_cell("Ada Lovelace"), Cow::Borrowed(_)));
        assert_eq!(csv_cell("a-b=c"), "a-b=c");
        assert_eq!(csv_cell(""), "");
        assert_eq!(csv_cell("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("{\"a\":1}"), "\"{\"\"a\"\":1}\"");
    }

    #[test]
    fn a_record_is_its_cells_comma_separated_with_crlf() {
        let mut out = String::new();
        csv_record(&mut out, ["a", "b,c", "=d"]);
        assert_eq!(out, "a,\"b,c\",'=d\r\n");
    }

    #[test]
    fn an_export_format_is_jsonl_by_default_csv_on_request_and_nothing_else() {
        assert_eq!(Format::parse(None).unwrap(), Format::Jsonl);
        assert_eq!(Format::parse(Some("jsonl")).unwrap(), Format::Jsonl);
        assert_eq!(Format::parse(Some("csv")).unwrap(), Format::Csv);
        assert_eq!(Format::parse(Some("xlsx")).unwrap_err().reason(), "format");
    }
}
