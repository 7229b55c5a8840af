//! Database URLs as given by the operator: the text sqlx connects with, and the
//! form every message shows, with the password and any secret-looking query
//! parameter replaced by `***` (docs/deployment.md).

use std::fmt;
use std::str::FromStr;
use url::Url;

/// What a hidden secret is shown as.
const HIDDEN: &str = "***";

/// Query parameter names (or their endings: `sslpassword`, `api_token`) whose
/// value is a secret.
const SECRET_NAMES: [&str; 8] = [
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "sslpassword",
];

/// The query parameters sqlx's PostgreSQL driver reads (sqlx-postgres 0.8,
/// `options/parse.rs`). It logs any other one with its value at `warn`, so the
/// others are taken out before it sees them.
const POSTGRES_PARAMETERS: [&str; 19] = [
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
    // `options[NAME]` is matched by its prefix.
    "options[",
];

/// A database URL that shows itself redacted: `Display` and `Debug` never print
/// its secrets, so it can go into any message or log field. `expose` is for
/// connecting only.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The URL with its secrets, for the driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<DatabaseUrl, Self::Err> {
        Ok(DatabaseUrl::new(s))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", redact(&self.0))
    }
}

/// The URL without its secrets, for messages: the userinfo's password and the
/// value of every query parameter named like a secret become `***`. A URL that
/// does not parse shows only its scheme, since where its secrets are is unknown.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return match url.split_once("://") {
            Some((scheme, _)) if is_scheme(scheme) => format!("{scheme}://{HIDDEN}"),
            _ => HIDDEN.to_string(),
        };
    };
    if parsed.cannot_be_a_base() && parsed.path().contains('@') {
        // `scheme:user:password@host`, without `//`: all of it is the path.
        return format!("{}:{HIDDEN}", parsed.scheme());
    }
    if parsed.password().is_some() {
        // Fails only for URLs that cannot have a password, which have none.
        let _ = parsed.set_password(Some(HIDDEN));
    }
    if let Some(query) = parsed.query() {
        let hidden = map_query(query, |name, pair| {
            Some(if is_secret_name(name) {
                format!("{}={HIDDEN}", pair.split('=').next().unwrap_or(""))
            } else {
                pair.to_string()
            })
        });
        parsed.set_query(Some(&hidden));
    }
    parsed.into()
}

/// A PostgreSQL URL with the query parameters sqlx does not read taken out (it
/// would log them, values included, and then ignore them), and their names.
pub(super) fn postgres_for_sqlx(url: &str) -> (String, Vec<String>) {
    let Ok(mut parsed) = Url::parse(url) else {
        // sqlx's own parse error names no part of the URL.
        return (url.to_string(), Vec::new());
    };
    let Some(query) = parsed.query() else {
        return (url.to_string(), Vec::new());
    };
    let mut ignored = Vec::new();
    let kept = map_query(query, |name, pair| {
        let known = POSTGRES_PARAMETERS
            .iter()
            .any(|p| name == *p || (p.ends_with('[') && name.starts_with(p)));
        if known {
            Some(pair.to_string())
        } else {
            ignored.push(name.to_string());
            None
        }
    });
    parsed.set_query((!kept.is_empty()).then_some(kept.as_str()));
    (parsed.into(), ignored)
}

/// Rebuilds a query pair by pair, each kept as written (not re-encoded) or
/// dropped; `each` gets the pair's decoded name and its raw text.
fn map_query(query: &str, mut each: impl FnMut(&str, &str) -> Option<String>) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let raw_name = pair.split('=').next().unwrap_or("");
            let name: String = form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(n, _)| n.into_owned())
                .unwrap_or_default();
            each(&name, pair)
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|s| name.ends_with(s))
}

fn is_scheme(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_in_the_userinfo_is_hidden() {
        assert_eq!(
            redact("postgres://steward:s3cret@db:5432/steward"),
            "postgres://steward:***@db:5432/steward"
        );
        assert_eq!(
            redact("postgres://steward:p%40ss%3Aword@db/x"),
            "postgres://steward:***@db/x"
        );
    }

    #[test]
    fn a_url_without_secrets_is_shown_as_given() {
        for url in [
            "postgres://postgres@127.0.0.1/x",
            "postgres://db/x?sslmode=require&application_name=steward%20node",
            "sqlite://steward.db",
            "sqlite:///var/lib/steward/steward.db?mode=rwc",
        ] {
            assert_eq!(redact(url), url);
        }
    }

    #[test]
    fn every_query_parameter_named_like_a_secret_is_hidden() {
        assert_eq!(
            redact("postgres://db/x?password=secret"),
            "postgres://db/x?password=***"
        );
        assert_eq!(
            redact("postgres://u:pw@db/x?sslmode=verify-full&sslpassword=s1&PGPASSWORD=s2&api_token=s3&passwd=s4&pass=s5&pwd=s6&client_secret=s7&access_key=s8&application_name=a"),
            "postgres://u:***@db/x?sslmode=verify-full&sslpassword=***&PGPASSWORD=***&api_token=***&passwd=***&pass=***&pwd=***&client_secret=***&access_key=***&application_name=a"
        );
        // An encoded name is still recognised; a parameter without a value stays.
        assert_eq!(
            redact("postgres://db/x?pass%77ord=secret&password"),
            "postgres://db/x?pass%77ord=***&password=***"
        );
    }

    #[test]
    fn a_url_that_does_not_parse_shows_only_its_scheme() {
        assert_eq!(
            redact("postgres://u:secret@[not a host/x?password=secret"),
            "postgres://***"
        );
        assert_eq!(redact("secret@somewhere"), "***");
        // Without `//`, what looks like userinfo is the path, hidden whole.
        assert_eq!(redact("postgres:u:secret@somewhere/x"), "postgres:***");
        assert_eq!(redact("sqlite:steward.db"), "sqlite:steward.db");
    }

    #[test]
    fn display_and_debug_never_show_the_secret() {
        let url = DatabaseUrl::new("postgres://u:s3cret@db/x?token=t0ken");
        for shown in [url.to_string(), format!("{url:?}")] {
            assert!(
                !shown.contains("s3cret") && !shown.contains("t0ken"),
                "{shown}"
            );
        }
        assert_eq!(url.expose(), "postgres://u:s3cret@db/x?token=t0ken");
    }

    #[test]
    fn sqlx_is_given_only_the_parameters_it_reads() {
        let (url, ignored) = postgres_for_sqlx(
            "postgres://u:pw@db/x?sslmode=disable&sslpassword=s3cret&options[search_path]=a&connect_timeout=5",
        );
        assert_eq!(
            url,
            "postgres://u:pw@db/x?sslmode=disable&options[search_path]=a"
        );
        assert_eq!(ignored, ["sslpassword", "connect_timeout"]);
        let (url, ignored) = postgres_for_sqlx("postgres://db/x?sslpassword=s3cret");
        assert_eq!(url, "postgres://db/x");
        assert_eq!(ignored, ["sslpassword"]);
        let (url, ignored) = postgres_for_sqlx("postgres://u:pw@db/x");
        assert_eq!((url.as_str(), ignored.len()), ("postgres://u:pw@db/x", 0));
    }
}
