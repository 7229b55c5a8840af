//! The config file (`--config steward.toml`, or `STEWARD_CONFIG`): one key per
//! `serve` setting, named as its flag (`database-url = "..."`). The file fills
//! in the settings' environment variables that are not set, so a flag beats the
//! environment, which beats the file, which beats the defaults, and every
//! command that reads a setting (`--database-url`...) reads it from the file
//! too. `steward config print` shows what `serve` would run with.

use clap::parser::ValueSource;
use clap::{CommandFactory, Subcommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings `serve` would run with (flags aside), where each comes
    /// from, secrets masked; the output is itself a config file.
    Print,
    /// Check the config file: every key known, every value readable.
    Check,
}

/// A setting the file may hold: a `serve` flag with an environment variable.
struct Setting {
    id: String,
    key: String,
    env: String,
    on_off: bool,
}

/// Every `serve` setting a config file may hold, in `--help`'s order. A flag
/// without a variable (`--replace-policy`, a one-off act) is not a setting.
fn settings() -> Vec<Setting> {
    let cli = super::Cli::command();
    let Some(serve) = cli.find_subcommand("serve") else {
        return Vec::new();
    };
    serve
        .get_arguments()
        .filter(|a| !a.is_hide_set() && a.get_id() != "config")
        .filter_map(|a| {
            Some(Setting {
                id: a.get_id().to_string(),
                key: a.get_long()?.to_string(),
                env: a.get_env()?.to_str()?.to_string(),
                on_off: a.get_possible_values().iter().any(|v| v.get_name() == "on"),
            })
        })
        .collect()
}

/// The keys a config file set (the environment did not already), for `print`.
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub from_file: Vec<String>,
}

/// Reads the config file and sets, for each key, its setting's environment
/// variable unless the environment already has it. Call before the command line
/// is parsed, while the process has one thread.
pub fn load(path: &Path) -> anyhow::Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading the config file {}: {e}", path.display()))?;
    let values = parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut from_file = Vec::new();
    for (env, value) in values {
        if std::env::var_os(&env).is_none() {
            std::env::set_var(&env, value);
            from_file.push(env);
        }
    }
    Ok(Loaded {
        path: Some(path.to_path_buf()),
        from_file,
    })
}

/// The file's settings, as (environment variable, value as on the command line).
fn parse(text: &str) -> anyhow::Result<Vec<(String, String)>> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        anyhow::anyhow!("not a valid TOML file: {}", e.to_string().trim_end())
    })?;
    let settings = settings();
    let mut values = Vec::new();
    for (key, value) in &table {
        let line = line_of(text, key);
        let Some(setting) = settings.iter().find(|s| &s.key == key) else {
            let known: Vec<&str> = settings.iter().map(|s| s.key.as_str()).collect();
            anyhow::bail!(
                "line {line}: unknown key `{key}`; the keys are {}",
                known.join(", ")
            );
        };
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) if setting.on_off => (if *b { "on" } else { "off" }).into(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => anyhow::bail!("line {line}: `{key}` takes a string, as on the command line"),
        };
        values.push((setting.env.clone(), text));
    }
    Ok(values)
}

/// The line (from 1) where `key` is set or opens a table; 0 if not found (a
/// quoted key).
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let set = l
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', '.']));
            set || l.trim_end() == format!("[{key}]")
        })
        .map_or(0, |i| i + 1)
}

/// A setting's value as `print` shows it: URLs without their passwords,
/// secrets as `***`.
fn masked(key: &str, value: &str) -> String {
    if key.ends_with("url") {
        crate::store::redact(value)
    } else if ["password", "secret", "token"]
        .iter()
        .any(|w| key.ends_with(w))
    {
        "***".into()
    } else {
        value.into()
    }
}

impl ConfigCommand {
    pub fn run(self, loaded: &Loaded) -> anyhow::Result<()> {
        match self {
            ConfigCommand::Check => {
                match &loaded.path {
                    Some(path) => println!("{}: every key is known.", path.display()),
                    None => println!("No config file (--config or STEWARD_CONFIG)."),
                }
                Ok(())
            }
            ConfigCommand::Print => {
                print!("{}", effective(loaded)?);
                Ok(())
            }
        }
    }
}

/// `serve`'s settings as a config file, each with where it comes from.
fn effective(loaded: &Loaded) -> anyhow::Result<String> {
    let matches = super::Cli::command().try_get_matches_from(["steward", "serve"])?;
    let Some(serve) = matches.subcommand_matches("serve") else {
        anyhow::bail!("no serve command");
    };
    let file = loaded
        .path
        .as_ref()
        .map_or("the config file".to_string(), |p| p.display().to_string());
    let mut out = String::from(
        "# The settings `steward serve` runs with, flags aside (a flag beats the\n\
         # environment, which beats the config file, which beats the defaults).\n",
    );
    let mut unset = BTreeMap::new();
    for setting in settings() {
        let value = serve
            .get_raw(&setting.id)
            .and_then(|mut v| v.next())
            .map(|v| v.to_string_lossy().into_owned());
        let Some(value) = value else {
            unset.insert(setting.key.clone(), setting.env.clone());
            continue;
        };
        let source = match serve.value_source(&setting.id) {
            Some(ValueSource::EnvVariable) if loaded.from_file.contains(&setting.env) => {
                file.clone()
            }
            Some(ValueSource::EnvVariable) => setting.env.clone(),
            Some(ValueSource::CommandLine) => "command line".into(),
            _ => "default".into(),
        };
        let shown = toml::Value::String(masked(&setting.key, &value));
        out.push_str(&format!("{} = {shown}  # {source}\n", setting.key));
    }
    for (key, env) in unset {
        out.push_str(&format!("# {key} = (not set; {env})\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_serve_flag_with_a_variable_is_a_key() {
        let keys: Vec<String> = settings().into_iter().map(|s| s.key).collect();
        for key in ["database-url", "policy", "bind", "signup", "public-url"] {
            assert!(keys.iter().any(|k| k == key), "{key} in {keys:?}");
        }
        assert!(!keys.iter().any(|k| k == "replace-policy" || k == "config"));
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it_and_its_line() {
        let text = "bind = \"0.0.0.0:8080\"\n\n  databse-url = \"sqlite://x.db\"\n";
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("line 3: unknown key `databse-url`"), "{err}");
        assert!(err.contains("database-url"), "{err}");
        let err = parse("[serve]\nbind = 1\n").unwrap_err().to_string();
        assert!(err.contains("line 1: unknown key `serve`"), "{err}");
        let err = parse("bind = [1]\n").unwrap_err().to_string();
        assert!(err.contains("line 1: `bind` takes a string"), "{err}");
    }

    #[test]
    fn values_are_read_as_on_the_command_line() {
        let values = parse("signup = false\nbind = \"[::]:80\"\n").unwrap();
        assert!(values.contains(&("STEWARD_SIGNUP".into(), "off".into())));
        assert!(values.contains(&("STEWARD_BIND".into(), "[::]:80".into())));
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            masked("database-url", "postgres://u:hunter2@db/steward"),
            "postgres://u:***@db/steward"
        );
        assert_eq!(masked("smtp-password", "hunter2"), "***");
        assert_eq!(masked("token-audience", "steward"), "steward");
    }
}
