//! The CSV import's file format: bytes in, the rows to decide (or each row's
//! fault) out, never a panic. Header `email,name,role` with an optional `scopes`;
//! lines are the file's own (the header is line 1).
//!
//! Two kinds of fault. A file that is not a table of the expected shape (not
//! UTF-8, no or a wrong header, a row with another number of fields) is refused
//! whole at its first fault, with its line and column: nothing after it can be
//! trusted. A row whose fields do not parse (an invalid e-mail, a name, scopes, an
//! e-mail twice) is reported with its line and the other rows are still read, so
//! one answer lists every row to fix. Governance rules are not checked here: the
//! rows go to `plan_import`, exactly as single changes would go to `decide`.

use crate::command::ImportRow;
use crate::event::ScopeRoles;
use crate::id::{Email, InvitationId, Name, ObjectId, ParseError, Timestamp};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The columns a header may name; the first three are required.
pub const COLUMNS: [&str; 4] = ["email", "name", "role", "scopes"];
const REQUIRED: [&str; 3] = ["email", "name", "role"];

/// The most rows a file may have: what one import decides in memory and in one
/// transaction stays bounded (about 170 MB and a few seconds for 100,000; see
/// docs/benchmarks.md), whatever the rows' length.
pub const MAX_ROWS: usize = 200_000;

/// How often `parse_with_progress` reports, in rows.
const PROGRESS_EVERY: usize = 4096;

/// At most this much of a faulty field is echoed back in an error.
const ECHO_MAX: usize = 254;

/// The mark a spreadsheet reads as "this cell is text". The members and audit
/// exports put it in front of a cell that would otherwise start a formula (`=`,
/// `+`, `-`, `@`, a tab or a carriage return: OWASP's CSV injection), and in front
/// of a cell that starts with the mark itself, so the import takes exactly one
/// away and reads back what was written (`-ann@x.test` is exported as
/// `'-ann@x.test` and imported as `-ann@x.test`). One rule for both sides, here.
pub const QUOTE_PREFIX: char = '\'';

/// Whether an export writes `text` with a `QUOTE_PREFIX` in front.
pub fn needs_quote_prefix(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r', QUOTE_PREFIX])
}

/// A cell as the import reads it: without the prefix an export put in front. A
/// mark an export would not have added (`'Ohana`) is part of the text.
pub fn strip_quote_prefix(cell: &str) -> &str {
    match cell.strip_prefix(QUOTE_PREFIX) {
        Some(text) if needs_quote_prefix(text) => text,
        _ => cell,
    }
}

/// A file refused whole: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportFileError {
    #[error("the file is empty; it needs the header email,name,role and one row per person")]
    Empty,
    #[error("the file has a header but no rows")]
    NoRows,
    #[error("line {line}, column {column}: not UTF-8 text (byte {byte} of the field); save the file as UTF-8")]
    NotUtf8 {
        line: u64,
        column: usize,
        byte: usize,
    },
    #[error("line 1, column {column}: unknown column {name:?}; the header is email,name,role and optionally scopes")]
    UnknownColumn { column: usize, name: String },
    #[error("line 1, column {column}: the column {name:?} is named twice")]
    DuplicateColumn { column: usize, name: String },
    #[error(
        "line 1: the header has no {name:?} column; it needs email,name,role and optionally scopes"
    )]
    MissingColumn { name: &'static str },
    #[error("line {line}: {found} fields where the header has {expected}")]
    FieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: {message}")]
    Syntax { line: u64, message: String },
    #[error("line {line}: more than {max} rows; split the file")]
    TooManyRows { line: u64, max: usize },
}

impl ImportFileError {
    /// The machine-readable reason (the API's `reason`).
    pub fn reason(&self) -> &'static str {
        match self {
            ImportFileError::Empty => "empty_file",
            ImportFileError::NoRows => "no_rows",
            ImportFileError::NotUtf8 { .. } => "not_utf8",
            ImportFileError::UnknownColumn { .. } => "unknown_column",
            ImportFileError::DuplicateColumn { .. } => "duplicate_column",
            ImportFileError::MissingColumn { .. } => "missing_column",
            ImportFileError::FieldCount { .. } => "field_count",
            ImportFileError::Syntax { .. } => "csv_syntax",
            ImportFileError::TooManyRows { .. } => "too_many_rows",
        }
    }

    /// The file line of the fault, when it has one.
    pub fn line(&self) -> Option<u64> {
        match self {
            ImportFileError::Empty | ImportFileError::NoRows => None,
            ImportFileError::UnknownColumn { .. }
            | ImportFileError::DuplicateColumn { .. }
            | ImportFileError::MissingColumn { .. } => Some(1),
            ImportFileError::NotUtf8 { line, .. }
            | ImportFileError::FieldCount { line, .. }
            | ImportFileError::Syntax { line, .. }
            | ImportFileError::TooManyRows { line, .. } => Some(*line),
        }
    }
}

/// Why one row's fields do not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("email: {0}")]
    Email(ParseError),
    #[error("name: {0}")]
    Name(ParseError),
    #[error("scopes: {0}")]
    Scopes(String),
    #[error("this e-mail is also on line {first_line}; each person appears once")]
    Duplicate { first_line: usize },
}

impl RowProblem {
    pub fn reason(&self) -> &'static str {
        match self {
            RowProblem::Email(_) => "invalid_email",
            RowProblem::Name(_) => "invalid_name",
            RowProblem::Scopes(_) => "invalid_scopes",
            RowProblem::Duplicate { .. } => "duplicate_in_file",
        }
    }
}

/// A row left out because its fields do not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    /// The e-mail field as written (cut to 254 bytes).
    pub email: String,
    pub problem: RowProblem,
}

/// A row whose fields parse: an `ImportRow` once it has its invitation id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub line: usize,
    pub email: Email,
    pub name: Option<Name>,
    pub role: String,
    /// `None`: the file has no scopes column, or the row's cell is empty.
    pub scopes: Option<Vec<ScopeRoles>>,
}

impl FileRow {
    /// The row to decide; `invitation_id` and `expires_at` are used if it invites.
    pub fn into_import_row(self, invitation_id: InvitationId, expires_at: Timestamp) -> ImportRow {
        ImportRow {
            line: self.line,
            email: self.email,
            name: self.name,
            role: self.role,
            scopes: self.scopes,
            invitation_id,
            expires_at,
        }
    }
}

/// A parsed file: the rows that parse, and the line of every one that does not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportFile {
    pub rows: Vec<FileRow>,
    pub errors: Vec<RowError>,
}

/// How far parsing has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub rows: usize,
    /// Bytes of the file read so far.
    pub bytes: u64,
}

pub fn parse(bytes: &[u8]) -> Result<ImportFile, ImportFileError> {
    parse_with_progress(bytes, |_| {})
}

/// `parse`, calling `progress` every few thousand rows and once at the end.
pub fn parse_with_progress(
    bytes: &[u8],
    mut progress: impl FnMut(Progress),
) -> Result<ImportFile, ImportFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // The field count is checked here, to name the line in our own words.
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut lines = Lines {
        bytes,
        at: 0,
        line: 1,
    };
    if !read(&mut reader, &mut record)? {
        return Err(ImportFileError::Empty);
    }
    let columns = Columns::of(&record, lines.of(&record))?;
    let mut file = ImportFile::default();
    let mut first_line: HashMap<Email, usize> = HashMap::new();
    let mut read_rows = 0;
    while read(&mut reader, &mut record)? {
        let line = lines.of(&record);
        if read_rows == MAX_ROWS {
            return Err(ImportFileError::TooManyRows {
                line,
                max: MAX_ROWS,
            });
        }
        if record.len() != columns.count {
            return Err(ImportFileError::FieldCount {
                line,
                expected: columns.count,
                found: record.len(),
            });
        }
        let fields = utf8_fields(&record, line)?;
        let line = line as usize;
        match columns.row(&fields, line) {
            Ok(row) => match first_line.get(&row.email) {
                Some(&first_line) => file.errors.push(RowError {
                    line,
                    email: row.email.to_string(),
                    problem: RowProblem::Duplicate { first_line },
                }),
                None => {
                    first_line.insert(row.email.clone(), line);
                    file.rows.push(row);
                }
            },
            Err(problem) => file.errors.push(RowError {
                line,
                email: echo(fields[columns.email]),
                problem,
            }),
        }
        read_rows += 1;
        if read_rows % PROGRESS_EVERY == 0 {
            progress(Progress {
                rows: read_rows,
                bytes: record.position().map_or(0, |p| p.byte()),
            });
        }
    }
    if read_rows == 0 {
        return Err(ImportFileError::NoRows);
    }
    progress(Progress {
        rows: read_rows,
        bytes: bytes.len() as u64,
    });
    Ok(file)
}

/// The next record; `false` at the end of the file.
fn read(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::ByteRecord,
) -> Result<bool, ImportFileError> {
    reader.read_byte_record(record).map_err(|e| {
        let line = e.position().map_or(0, |p| p.line());
        ImportFileError::Syntax {
            line,
            message: e.to_string(),
        }
    })
}

/// File lines, counted here: the csv reader's own line is that of the end of the
/// previous record, so it is off after a blank line.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Counted up to here.
    at: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line `record` starts on. Records come in order, so the file is counted
    /// once.
    fn of(&mut self, record: &csv::ByteRecord) -> u64 {
        let end = self.bytes.len();
        let from = record.position().map_or(self.at, |p| p.byte() as usize);
        let mut start = from.clamp(self.at, end);
        // The blank lines the reader skipped; a record never starts with a line
        // break (one in quotes starts with the quote).
        while start < end && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let counted = &self.bytes[self.at..start];
        for (i, b) in counted.iter().enumerate() {
            // \n, \r\n and a lone \r each end a line, as for the reader.
            if *b == b'\n' || (*b == b'\r' && counted.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = start;
        self.line
    }
}

/// Every field of the record as text, or the first that is not UTF-8.
fn utf8_fields(record: &csv::ByteRecord, line: u64) -> Result<Vec<&str>, ImportFileError> {
    record
        .iter()
        .enumerate()
        .map(|(i, field)| {
            std::str::from_utf8(field).map_err(|e| ImportFileError::NotUtf8 {
                line,
                column: i + 1,
                byte: e.valid_up_to() + 1,
            })
        })
        .collect()
}

/// Where each column is, from the header.
struct Columns {
    count: usize,
    email: usize,
    name: usize,
    role: usize,
    scopes: Option<usize>,
}

impl Columns {
    fn of(header: &csv::ByteRecord, line: u64) -> Result<Columns, ImportFileError> {
        let fields = utf8_fields(header, line)?;
        let mut at: BTreeMap<&'static str, usize> = BTreeMap::new();
        for (i, field) in fields.iter().enumerate() {
            // Spreadsheets save a byte-order mark in front of the first column.
            let field = field.trim_start_matches('\u{feff}').trim();
            let Some(known) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(field)) else {
                return Err(ImportFileError::UnknownColumn {
                    column: i + 1,
                    name: echo(field),
                });
            };
            if at.insert(known, i).is_some() {
                return Err(ImportFileError::DuplicateColumn {
                    column: i + 1,
                    name: known.to_string(),
                });
            }
        }
        let required = |name: &'static str| {
            at.get(name)
                .copied()
                .ok_or(ImportFileError::MissingColumn { name })
        };
        let [email, name, role] = REQUIRED;
        Ok(Columns {
            count: fields.len(),
            email: required(email)?,
            name: required(name)?,
            role: required(role)?,
            scopes: at.get("scopes").copied(),
        })
    }

    /// A row's fields, each read as an export wrote it (so an export imports back).
    fn row(&self, fields: &[&str], line: usize) -> Result<FileRow, RowProblem> {
        let cell = |i: usize| strip_quote_prefix(fields[i]);
        let email = Email::parse(cell(self.email)).map_err(RowProblem::Email)?;
        let name = match cell(self.name).trim() {
            "" => None,
            name => Some(Name::parse(name).map_err(RowProblem::Name)?),
        };
        let scopes = match self.scopes.map(|i| cell(i).trim()) {
            None | Some("") => None,
            Some(cell) => Some(parse_scopes(cell)?),
        };
        Ok(FileRow {
            line,
            email,
            name,
            role: cell(self.role).trim().to_string(),
            scopes,
        })
    }
}

/// `site-a:viewer;site-b:operator`: each entry one role on one scope object; an
/// object named more than once holds every role listed; `site-a:` with no role
/// takes that object's roles away.
fn parse_scopes(cell: &str) -> Result<Vec<ScopeRoles>, RowProblem> {
    let mut scopes: BTreeMap<ObjectId, BTreeSet<String>> = BTreeMap::new();
    for entry in cell.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((object, role)) = entry.split_once(':') else {
            return Err(RowProblem::Scopes(format!(
                "{:?} is not object:role (e.g. site-a:viewer)",
                echo(entry)
            )));
        };
        let object = ObjectId::parse(object.trim())
            .map_err(|e| RowProblem::Scopes(format!("{:?}: {e}", echo(object))))?;
        let roles = scopes.entry(object).or_default();
        let role = role.trim();
        if !role.is_empty() {
            roles.insert(role.to_string());
        }
    }
    Ok(scopes
        .into_iter()
        .map(|(object_id, roles)| ScopeRoles {
            object_id,
            roles: roles.into_iter().collect(),
        })
        .collect())
}

/// A faulty field as it is echoed back: at most `ECHO_MAX` bytes, whole characters.
fn echo(field: &str) -> String {
    let mut end = field.len().min(ECHO_MAX);
    while !field.is_char_boundary(end) {
        end -= 1;
    }
    field[..end].to_string()
}

#[cfg(test)]
mod tests;
