//! `steward policy check` and `steward policy show`: validate a policy file, and
//! print a policy's role x permission matrix.

use anyhow::{bail, Context};
use clap::Subcommand;
use steward_core::policy::{Policy, PRESETS};

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
        }
    }
}

/// A preset by name, or a file by path.
pub(crate) fn load(name: &str) -> anyhow::Result<Policy> {
    if let Some(p) = Policy::preset(name) {
        return Ok(p);
    }
    let source = std::fs::read_to_string(name).with_context(|| {
        let presets: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
        format!(
            "{name:?} is neither a preset ({}) nor a readable file",
            presets.join(", ")
        )
    })?;
    Policy::parse(&source).map_err(|e| anyhow::anyhow!("{name}:\n{e}"))
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
