//! The CSV import's parser on arbitrary bytes: it answers (rows, or an error with
//! a line), never panics, and the lines it names are the file's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_core::import_file::parse;

fuzz_target!(|data: &[u8]| {
    // No line can be past the number of line breaks + 1.
    let last_line = data.iter().filter(|b| matches!(b, b'\n' | b'\r')).count() as u64 + 1;
    match parse(data) {
        Ok(file) => {
            let mut previous = 1;
            for line in file.rows.iter().map(|r| r.line) {
                assert!(line as u64 > previous && line as u64 <= last_line);
                previous = line as u64;
            }
            for e in &file.errors {
                assert!(e.line >= 2 && e.line as u64 <= last_line);
                assert!(e.email.len() <= 254);
            }
        }
        Err(e) => {
            if let Some(line) = e.line() {
                assert!(line >= 1 && line <= last_line, "{e}");
            }
            assert!(!e.reason().is_empty());
        }
    }
});
