//! `steward policy check`, `show` and `history`: validate a policy file, print a
//! policy's role x permission matrix, and list the policies a database has had.

use super::serve::DatabaseUrlArg;
use crate::service::PolicySource;
use anyhow::{bail, Context};
use clap::Subcommand;
use steward_core::policy::{Policy, PRESETS};
use steward_core::Timestamp;

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy file; every error is printed with its line and key.
    Check {
        /// The policy TOML file.
        file: std::path::PathBuf,
    },
    /// Print a policy's roles and the actions each gives, as a table.
    Show {
        /// A preset (systems, operations, analytics, platform) or a TOML file.
        name: String,
    },
    /// The database's policy, and every one it had before: the first start's,
    /// then each `serve --replace-policy`.
    History {
        #[command(flatten)]
        database: DatabaseUrlArg,
    },
}

impl PolicyCommand {
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            PolicyCommand::Check { file } => {
                let source = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
                match Policy::parse(&source) {
                    Ok(p) => {
                        println!(
                            "{}: policy {:?} is valid ({} types, {} actions, {} roles)",
                            file.display(),
                            p.name,
                            p.types.len(),
                            p.actions.len(),
                            p.roles.len()
                        );
                        Ok(())
                    }
                    Err(errors) => {
                        for e in &errors.0 {
                            eprintln!("{}: {e}", file.display());
                        }
                        bail!("{} error(s) in {}", errors.0.len(), file.display())
                    }
                }
            }
            PolicyCommand::Show { name } => {
                let policy = load(&name)?;
                print!("{}", matrix(&policy));
                Ok(())
            }
            PolicyCommand::History { database } => {
                tokio::runtime::Runtime::new()?.block_on(history(&database))
            }
        }
    }
}

/// A preset by name, or a file by path.
fn load(name: &str) -> anyhow::Result<Policy> {
    let source = source(name)?;
    Policy::parse(&source.text).map_err(|e| anyhow::anyhow!("{name}:\n{e}"))
}

/// A preset's text by its name, or a file's by its path.
pub(crate) fn source(name: &str) -> anyhow::Result<PolicySource> {
    if let Some(p) = PolicySource::preset(name) {
        return Ok(p);
    }
    let text = std::fs::read_to_string(name).with_context(|| {
        let presets: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
        format!(
            "{name:?} is neither a preset ({}) nor a readable file",
            presets.join(", ")
        )
    })?;
    Ok(PolicySource {
        origin: name.to_string(),
        text,
    })
}

/// One line per policy the database has had, oldest first; the last is in force.
async fn history(database: &DatabaseUrlArg) -> anyhow::Result<()> {
    let store = database.connect().await?;
    let rows = store.policy_history().await?;
    if rows.is_empty() {
        println!("No policy stored yet: `steward serve` stores one at its first start.");
    }
    for row in &rows {
        let how = if row.seq == 1 {
            "first start".to_string()
        } else {
            format!("replaced #{}", row.seq - 1)
        };
        println!(
            "#{}  {}  {}  sha256 {}  {how}",
            row.seq,
            Timestamp(row.adopted_at).rfc3339(),
            row.id.name,
            row.id.sha256
        );
    }
    Ok(())
}

/// The role x action matrix: `x` given everywhere below where the role is held,
/// `a` only below assigned scopes, `o` only on owned objects.
fn matrix(p: &Policy) -> String {
    let mut roles: Vec<u16> = (0..p.roles.len() as u16).collect();
    roles.sort_by_key(|&r| (p.role(r).level, std::cmp::Reverse(p.role(r).rank)));
    let headers: Vec<String> = roles
        .iter()
        .map(|&r| {
            let role = p.role(r);
            format!("{}@{}", role.name, p.object_type(role.level).name)
        })
        .collect();
    let action_width = p
        .actions
        .iter()
        .map(|a| a.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "policy {}: {}\n\n{:action_width$}",
        p.name, p.description, "action"
    );
    for h in &headers {
        out.push_str(&format!("  {h}"));
    }
    out.push('\n');
    for (i, a) in p.actions.iter().enumerate() {
        let i = i as u16;
        out.push_str(&format!("{:action_width$}", a.name));
        for (&r, h) in roles.iter().zip(&headers) {
            let role = p.role(r);
            let mark = if role.all.contains(i) {
                "x"
            } else if role.assigned.contains(i) {
                "a"
            } else if role.own.contains(i) {
                "o"
            } else {
                "."
            };
            out.push_str(&format!("  {mark:^w$}", w = h.len()));
        }
        out.push('\n');
    }
    out.push_str("\nx: everywhere below where the role is held   a: only below assigned scopes   o: only owned objects\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_marks_the_viewers_assigned_reach() {
        let text = matrix(&Policy::preset("operations").unwrap());
        let row = text.lines().find(|l| l.starts_with("site:view ")).unwrap();
        let header = text.lines().find(|l| l.starts_with("action")).unwrap();
        let col = header.find("viewer@organization").unwrap() + "viewer@organization".len() / 2;
        assert_eq!(&row[col..col + 1], "a", "{header}\n{row}");
    }
}
