//! The policy file as written: TOML with spans, before any meaning is checked.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub type Key = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub policy: RawMeta,
    pub types: BTreeMap<Key, RawType>,
    pub roles: BTreeMap<Key, BTreeMap<Key, RawRole>>,
    /// How the console offers the organization roles; optional.
    pub console: Option<RawConsole>,
    pub governance: RawGovernance,
    pub ownership: RawOwnership,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawType {
    pub label: Option<String>,
    pub parent: Option<Spanned<String>>,
    #[serde(default)]
    pub inherits: bool,
    #[serde(default)]
    pub actions: Vec<Spanned<String>>,
    #[serde(default)]
    pub scope: bool,
    #[serde(default)]
    pub multiple_roles: bool,
    pub managed_by: Option<Spanned<String>>,
    pub create: Option<Spanned<String>>,
    pub delete: Option<Spanned<String>>,
    pub share: Option<Spanned<String>>,
    /// Each action's words (`"project:edit" = "edit projects"`); an action
    /// without one is shown by its name.
    #[serde(default)]
    pub labels: BTreeMap<Key, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub label: Option<String>,
    pub rank: Spanned<i64>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsole {
    pub role_control: Option<Spanned<String>>,
    pub checked_role: Option<Spanned<String>>,
    pub unchecked_role: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGovernance {
    pub default_role: Spanned<String>,
    #[serde(default)]
    pub self_change: bool,
    #[serde(default)]
    pub admin_roles: Vec<Spanned<String>>,
    pub min_admins: Option<Spanned<i64>>,
    #[serde(default)]
    pub may_assign: BTreeMap<Key, Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOwnership {
    pub role: Option<Spanned<String>>,
    pub creator_role: Option<Spanned<String>>,
    pub count: Spanned<String>,
    #[serde(default = "yes")]
    pub editable: bool,
    pub transfer: Spanned<String>,
    pub nomination_ttl_days: Option<Spanned<i64>>,
    pub previous_owner_role: Option<Spanned<String>>,
    #[serde(default)]
    pub root: bool,
    #[serde(default = "yes")]
    pub owner_has_every_action: bool,
}

fn yes() -> bool {
    true
}
