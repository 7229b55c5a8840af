//! `steward completions SHELL` and `steward man`: shell completions and manual
//! pages, generated from the same definitions as the command line itself, so
//! they never fall behind it.

use clap::{Args, CommandFactory};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in; e.g. `steward completions bash >
    /// /etc/bash_completion.d/steward`.
    pub shell: clap_complete::Shell,
}

impl CompletionsArgs {
    pub fn run(self) -> anyhow::Result<()> {
        let mut cli = super::Cli::command();
        clap_complete::generate(self.shell, &mut cli, "steward", &mut std::io::stdout());
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into DIR (steward.1, steward-serve.1,
    /// steward-keys-rotate.1...); without it, steward(1) goes to stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl ManArgs {
    pub fn run(self) -> anyhow::Result<()> {
        let cli = super::Cli::command();
        match self.dir {
            Some(dir) => {
                std::fs::create_dir_all(&dir)?;
                clap_mangen::generate_to(cli, &dir)
                    .map_err(|e| anyhow::anyhow!("writing the pages to {}: {e}", dir.display()))?;
                println!("Wrote the manual pages to {}.", dir.display());
            }
            None => clap_mangen::Man::new(cli).render(&mut std::io::stdout())?,
        }
        Ok(())
    }
}
