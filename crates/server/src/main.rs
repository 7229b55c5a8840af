//! The `steward` binary: parses the command line and hands over to the command.

use std::process::ExitCode;
use steward::cli;

/// The system's allocator; `serve` has it put large blocks in huge pages
/// (steward::huge_pages).
#[global_allocator]
static ALLOCATOR: steward::huge_pages::LargeBlocksInHugePages =
    steward::huge_pages::LargeBlocksInHugePages;

fn main() -> ExitCode {
    match cli::Cli::parse_configured().and_then(|cli| cli.run()) {
        Ok(()) => ExitCode::SUCCESS,
        // The error and its causes, one line; a backtrace is for developers, not users.
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
