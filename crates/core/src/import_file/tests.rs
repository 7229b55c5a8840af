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
