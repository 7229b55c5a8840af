//! `steward import FILE --org ORG`: the CSV import from the command line, as a
//! member (the owner unless `--as`), through the import's use case
//! (`Steward::import_csv`); progress on stderr, the outcome on stdout, a non-zero
//! exit when any row is refused.

use super::invitations::Target;
use super::serve::PublicArgs;
use crate::application::import::{ImportAnswer, ImportStep, MAX_IMPORT_BYTES};
use anyhow::{anyhow, bail, Context};
use clap::Args;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file: header email,name,role and optionally scopes.
    file: PathBuf,
    #[command(flatten)]
    target: Target,
    /// Decide every row and show the outcome; store nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    public: PublicArgs,
}

impl ImportArgs {
    pub fn run(self) -> anyhow::Result<()> {
        tokio::runtime::Runtime::new()?.block_on(self.run_async())
    }

    async fn run_async(self) -> anyhow::Result<()> {
        let bytes = read_file(&self.file)?;
        let steward =
            super::steward(&self.target.database, &self.public, &self.target.orgs()).await?;
        let (org, actor) = self.target.resolve(&steward).await?;
        let total = bytes.len() as u64;
        let mut bar = Bar::new("parsing");
        let started = Instant::now();
        let answer = steward
            .import_csv(&org, &actor, bytes, self.dry_run, move |step| match step {
                ImportStep::Parsing(p) => bar.show(&format!("{} rows", p.rows), p.bytes, total),
                ImportStep::Applying { rows } => {
                    bar.show(&format!("{rows} rows"), total, total);
                    bar.done();
                    bar = Bar::new(if self.dry_run { "deciding" } else { "applying" });
                    bar.show(&format!("{rows} rows"), 0, 0);
                    bar.done();
                }
            })
            .await
            .map_err(|e| anyhow!("{}: {e}", self.file.display()))?;
        eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
        report(&answer, &steward.settings().link(""))
    }
}

/// The whole file, refused by its size before it is read.
fn read_file(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata()?.len();
    if size > MAX_IMPORT_BYTES as u64 {
        bail!(
            "{}: {size} bytes; an import takes at most {} MiB, split the file",
            path.display(),
            MAX_IMPORT_BYTES >> 20
        );
    }
    let mut bar = Bar::new("reading");
    let mut bytes = Vec::with_capacity(size as usize);
    let mut chunk = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        if bytes.len() + n > MAX_IMPORT_BYTES {
            bail!(
                "{}: grew past {} MiB while read",
                path.display(),
                MAX_IMPORT_BYTES >> 20
            );
        }
        bytes.extend_from_slice(&chunk[..n]);
        bar.show("", bytes.len() as u64, size);
    }
    bar.done();
    Ok(bytes)
}

/// The outcome on stdout: counts, each created invitation's link (shown only
/// now), every error. An error fails the command.
fn report(answer: &ImportAnswer, url: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for row in &answer.created {
        if let Some(token) = &row.token {
            writeln!(
                out,
                "invited {} as {}: {url}/invitations/{token}",
                row.email, row.role
            )?;
        }
    }
    for e in &answer.errors {
        let email = e.email.as_deref().unwrap_or("-");
        writeln!(
            out,
            "line {}: {email}: {} ({})",
            e.line, e.message, e.reason
        )?;
    }
    let (verb, would) = match (answer.dry_run, answer.applied) {
        (true, _) => ("Dry run, nothing stored", "would be "),
        (false, true) => ("Applied", ""),
        (false, false) => ("Nothing applied", "would be "),
    };
    writeln!(
        out,
        "{verb}: {} {would}created, {} {would}updated, {} unchanged, {} errors.",
        answer.created.len(),
        answer.updated.len(),
        answer.unchanged.len(),
        answer.errors.len()
    )?;
    if !answer.errors.is_empty() {
        bail!("{} rows refused; nothing was applied", answer.errors.len());
    }
    Ok(())
}

/// A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere
/// (a log, a pipe) each phase prints one line when it ends.
struct Bar {
    phase: &'static str,
    terminal: bool,
    shown: Option<u64>,
    last: String,
}

impl Bar {
    fn new(phase: &'static str) -> Bar {
        Bar {
            phase,
            terminal: std::io::stderr().is_terminal(),
            shown: None,
            last: String::new(),
        }
    }

    fn show(&mut self, what: &str, done: u64, total: u64) {
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        const WIDTH: u64 = 30;
        let filled = (percent * WIDTH / 100) as usize;
        self.last = format!(
            "{:<9} [{}{}] {percent:>3}% {what}",
            self.phase,
            "#".repeat(filled),
            " ".repeat(WIDTH as usize - filled)
        );
        if self.terminal && self.shown != Some(percent) {
            self.shown = Some(percent);
            eprint!("\r{}", self.last);
        }
    }

    fn done(&mut self) {
        if self.terminal {
            eprintln!();
        } else if !self.last.is_empty() {
            eprintln!("{}", self.last);
        }
    }
}
