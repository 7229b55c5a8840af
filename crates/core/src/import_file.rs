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
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, String, Option<String>, String)> {
        let file = parse(text.as_bytes()).unwrap();
        assert_eq!(file.errors, [], "{text}");
        file.rows
            .into_iter()
            .map(|r| {
                (
                    r.line,
                    r.email.to_string(),
                    r.name.map(|n| n.to_string()),
                    r.role,
                )
            })
            .collect()
    }

    fn refused(bytes: &[u8]) -> ImportFileError {
        parse(bytes).expect_err("the file should be refused")
    }

    fn problems(text: &str) -> Vec<(usize, String, &'static str)> {
        parse(text.as_bytes())
            .unwrap()
            .errors
            .into_iter()
            .map(|e| (e.line, e.email, e.problem.reason()))
            .collect()
    }

    #[test]
    fn rows_carry_their_file_line_with_the_header_as_line_one() {
        let text = "email,name,role\nAda@Acme.test,Ada Lovelace,admin\n\nbob@acme.test,,viewer\n";
        assert_eq!(
            rows(text),
            [
                (
                    2,
                    "ada@acme.test".into(),
                    Some("Ada Lovelace".into()),
                    "admin".into()
                ),
                (4, "bob@acme.test".into(), None, "viewer".into()),
            ]
        );
    }

    #[test]
    fn a_quoted_field_may_hold_commas_and_line_breaks_and_later_lines_stay_true() {
        let text = "email,name,role\n\"a@acme.test\",\"Lovelace, Ada\",admin\nb@acme.test,\"B\nB\",viewer\nc@acme.test,C,viewer\n";
        let file = parse(text.as_bytes()).unwrap();
        assert_eq!(
            file.rows[0].name.as_ref().unwrap().as_str(),
            "Lovelace, Ada"
        );
        // A line break is a control character, which no name may hold.
        assert_eq!(file.errors[0].line, 3);
        assert_eq!(file.errors[0].problem.reason(), "invalid_name");
        // The row after the quoted line break starts on line 5.
        assert_eq!(file.rows[1].line, 5);
    }

    #[test]
    fn blank_lines_and_every_kind_of_line_break_count() {
        let text = "\n\nemail,name,role\r\n\r\na@acme.test,,viewer\rb@acme.test,,viewer\n\n\nc@acme.test,,viewer";
        let lines: Vec<_> = rows(text).into_iter().map(|r| r.0).collect();
        assert_eq!(lines, [5, 6, 9]);
    }

    #[test]
    fn columns_may_come_in_any_order_and_case_with_a_byte_order_mark() {
        let text = "\u{feff}Role, EMAIL ,Name\r\nviewer,c@acme.test,Cy\r\n";
        assert_eq!(
            rows(text),
            [(2, "c@acme.test".into(), Some("Cy".into()), "viewer".into())]
        );
    }

    #[test]
    fn scopes_are_object_role_pairs_and_an_empty_cell_leaves_them_alone() {
        let text = "email,name,role,scopes\na@acme.test,,viewer,site-a:viewer; site-b:viewer;site-a:operator;\nb@acme.test,,viewer,\nc@acme.test,,viewer,site-c:\n";
        let file = parse(text.as_bytes()).unwrap();
        assert_eq!(file.errors, []);
        let scopes = |i: usize| file.rows[i].scopes.clone();
        assert_eq!(
            scopes(0).unwrap(),
            [
                ScopeRoles {
                    object_id: ObjectId::parse("site-a").unwrap(),
                    roles: vec!["operator".into(), "viewer".into()]
                },
                ScopeRoles {
                    object_id: ObjectId::parse("site-b").unwrap(),
                    roles: vec!["viewer".into()]
                },
            ]
        );
        assert_eq!(scopes(1), None);
        assert_eq!(scopes(2).unwrap()[0].roles, Vec::<String>::new());
    }

    #[test]
    fn an_empty_file_or_a_header_alone_is_refused() {
        assert_eq!(refused(b""), ImportFileError::Empty);
        assert_eq!(refused(b"\n\n"), ImportFileError::Empty);
        assert_eq!(refused(b"email,name,role\n"), ImportFileError::NoRows);
    }

    #[test]
    fn a_file_without_the_header_is_refused_naming_the_first_column_it_does_not_know() {
        let e = refused(b"ada@acme.test,Ada,admin\n");
        assert_eq!(
            e,
            ImportFileError::UnknownColumn {
                column: 1,
                name: "ada@acme.test".into()
            }
        );
        assert!(e
            .to_string()
            .starts_with("line 1, column 1: unknown column"));
        assert_eq!(
            refused(b"email,role\na@acme.test,viewer\n"),
            ImportFileError::MissingColumn { name: "name" }
        );
        assert_eq!(
            refused(b"email,name,role,Email\n"),
            ImportFileError::DuplicateColumn {
                column: 4,
                name: "email".into()
            }
        );
    }

    #[test]
    fn bad_utf8_is_refused_with_its_line_and_column() {
        let e = refused(b"email,name,role\na@acme.test,Ada,admin\nb@acme.test,B\xffob,viewer\n");
        assert_eq!(
            e,
            ImportFileError::NotUtf8 {
                line: 3,
                column: 2,
                byte: 2
            }
        );
        assert_eq!(e.reason(), "not_utf8");
        assert!(e.to_string().starts_with("line 3, column 2:"), "{e}");
        assert_eq!(
            refused(b"email,n\xc3me,role\n").line(),
            Some(1),
            "in the header too"
        );
    }

    #[test]
    fn a_row_with_another_number_of_fields_is_refused_at_its_line() {
        assert_eq!(
            refused(b"email,name,role\na@acme.test,A,viewer\nb@acme.test,viewer\n"),
            ImportFileError::FieldCount {
                line: 3,
                expected: 3,
                found: 2
            }
        );
        let mut wide = b"email,name,role\na@acme.test,A,viewer\nb@acme.test,B,viewer".to_vec();
        wide.extend(std::iter::repeat_n(b',', 9_997));
        wide.extend(b"\nc@acme.test,C,viewer\nnot even,a,row,\xff\n");
        assert_eq!(
            refused(&wide),
            ImportFileError::FieldCount {
                line: 3,
                expected: 3,
                found: 10_000
            }
        );
    }

    #[test]
    fn a_file_of_more_than_max_rows_is_refused_at_the_first_row_too_many() {
        let mut text = String::from("email,name,role\n");
        for i in 0..=MAX_ROWS {
            text.push_str(&format!("u{i}@a.b,,viewer\n"));
        }
        assert_eq!(
            refused(text.as_bytes()),
            ImportFileError::TooManyRows {
                line: MAX_ROWS as u64 + 2,
                max: MAX_ROWS
            }
        );
        // One row fewer is read.
        let cut = text.trim_end().rfind('\n').unwrap() + 1;
        assert_eq!(parse(&text.as_bytes()[..cut]).unwrap().rows.len(), MAX_ROWS);
    }

    #[test]
    fn rows_with_bad_fields_are_each_reported_and_the_others_still_read() {
        let text = "email,name,role,scopes\nnot-an-email,A,viewer,\nb@acme.test,B,viewer,site-a\nc@acme.test,C,viewer,\nC@ACME.test,C again,admin,\nd@acme.test,D,viewer,bad id!:viewer\ne@acme.test,E,viewer,\n";
        assert_eq!(
            problems(text),
            [
                (2, "not-an-email".into(), "invalid_email"),
                (3, "b@acme.test".into(), "invalid_scopes"),
                (5, "c@acme.test".into(), "duplicate_in_file"),
                (6, "d@acme.test".into(), "invalid_scopes"),
            ]
        );
        let file = parse(text.as_bytes()).unwrap();
        assert_eq!(
            file.errors[2].problem,
            RowProblem::Duplicate { first_line: 4 }
        );
        assert_eq!(file.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [4, 7]);
    }

    #[test]
    fn a_long_faulty_field_is_echoed_cut_on_a_character_boundary() {
        let long = "é".repeat(1_000);
        let text = format!("email,name,role\n{long},A,viewer\n");
        let errors = parse(text.as_bytes()).unwrap().errors;
        assert_eq!(errors[0].email.len(), 254);
    }

    #[test]
    fn a_cell_an_export_marked_as_text_reads_back_as_it_was_written() {
        let text = "email,name,role\n'-dash@acme.test,'=SUM(A1),viewer\n'+plus@acme.test,'@home,viewer\n'=eq@acme.test,'-1,viewer\n''=odd@acme.test,'''quoted,viewer\n";
        assert_eq!(
            rows(text),
            [
                (
                    2,
                    "-dash@acme.test".into(),
                    Some("=SUM(A1)".into()),
                    "viewer".into()
                ),
                (
                    3,
                    "+plus@acme.test".into(),
                    Some("@home".into()),
                    "viewer".into()
                ),
                (
                    4,
                    "=eq@acme.test".into(),
                    Some("-1".into()),
                    "viewer".into()
                ),
                (
                    5,
                    "'=odd@acme.test".into(),
                    Some("''quoted".into()),
                    "viewer".into()
                ),
            ]
        );
    }

    #[test]
    fn a_mark_an_export_would_not_have_added_is_part_of_the_text() {
        let text = "email,name,role\no'brien@acme.test,'Ohana,viewer\n";
        assert_eq!(
            rows(text),
            [(
                2,
                "o'brien@acme.test".into(),
                Some("'Ohana".into()),
                "viewer".into()
            )]
        );
        assert_eq!(strip_quote_prefix("'Ohana"), "'Ohana");
        assert_eq!(strip_quote_prefix("'"), "'");
        assert_eq!(strip_quote_prefix(""), "");
    }

    proptest::proptest! {
        /// What an export writes, the import reads back: for any text, the cell
        /// with the mark added where the export adds it loses exactly that mark,
        /// and no cell starts a formula.
        #[test]
        fn the_quote_prefix_round_trips_any_text(text in "['=+@\\-\t\ra-z ]{0,6}|\\PC*") {
            let cell = if needs_quote_prefix(&text) {
                format!("{QUOTE_PREFIX}{text}")
            } else {
                text.clone()
            };
            proptest::prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']));
            proptest::prop_assert_eq!(strip_quote_prefix(&cell), text.as_str());
        }
    }

    #[test]
    fn progress_ends_at_the_files_size() {
        let mut text = String::from("email,name,role\n");
        for i in 0..10_000 {
            text.push_str(&format!("u{i}@acme.test,,viewer\n"));
        }
        let mut seen = Vec::new();
        parse_with_progress(text.as_bytes(), |p| seen.push(p)).unwrap();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen[0].bytes > 0 && seen[0].bytes < seen[1].bytes);
        assert_eq!(
            seen[2],
            Progress {
                rows: 10_000,
                bytes: text.len() as u64
            }
        );
    }
}
