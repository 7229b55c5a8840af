//! `steward keys list` and `steward keys rotate`: the keys that sign access
//! tokens, shown without their private halves, and the rotation to a new one.

use super::serve::{DatabaseArgs, PublicArgs};
use crate::application::keys::{SigningKeyView, ACCESS_TOKEN_SECONDS, KEY_PUBLISH_SECONDS};
use clap::Subcommand;
use steward_core::Timestamp;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show the keys served in the JWKS: id (kid), created, signing from,
    /// retiring at (when it leaves the JWKS). Never the private key.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Make a new key the signing key. It is published in the JWKS at once and
    /// signs a minute later, once every node sharing the database has loaded it;
    /// the key it replaces stays in the JWKS until the last token it signed has
    /// expired (15 minutes after that), then is dropped. Nothing else changes:
    /// tokens already issued stay valid until they expire.
    Rotate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

impl KeysCommand {
    pub fn run(self) -> anyhow::Result<()> {
        tokio::runtime::Runtime::new()?.block_on(async {
            let (database, rotate) = match &self {
                KeysCommand::List { database } => (database, false),
                KeysCommand::Rotate { database } => (database, true),
            };
            let steward = super::steward(database, &PublicArgs { public_url: None }, &[]).await?;
            let keys = if rotate {
                steward.rotate_signing_key().await?
            } else {
                steward.signing_keys().await?
            };
            match (rotate, keys.last()) {
                (_, None) => {
                    println!("No signing key yet: `steward serve` makes the first one.");
                    return Ok(());
                }
                (true, Some(next)) => {
                    println!(
                        "Rotated: {} signs from {} (published now, {KEY_PUBLISH_SECONDS} s ahead).",
                        next.kid,
                        time(next.signs_from)
                    );
                    if keys.len() > 1 {
                        println!(
                            "The keys it replaces stay in the JWKS until their last token \
                             ({ACCESS_TOKEN_SECONDS} s) has expired."
                        );
                    }
                }
                (false, Some(_)) => {}
            }
            print_table(&keys);
            Ok(())
        })
    }
}

fn print_table(keys: &[SigningKeyView]) {
    println!(
        "{:<30} {:<21} {:<21} RETIRING AT",
        "KID", "CREATED", "SIGNS FROM"
    );
    for key in keys {
        let retiring = key.retiring_at.map_or_else(|| "-".to_string(), time);
        println!(
            "{:<30} {:<21} {:<21} {retiring}",
            key.kid,
            time(key.created_at),
            time(key.signs_from)
        );
    }
}

fn time(unix: i64) -> String {
    Timestamp(unix).rfc3339()
}
