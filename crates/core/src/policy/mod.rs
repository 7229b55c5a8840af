//! The policy: object types, actions, roles and governance settings, validated once.
//!
//! A `Policy` only exists valid: `Policy::parse` reads the TOML and reports every
//! problem it finds with its line and key, and the result is immutable.

mod console;
mod error;
mod raw;
mod validate;

pub use error::{PolicyError, PolicyErrors};

use crate::set::{ActionSet, RoleSet};
use std::collections::HashMap;

/// Index of an object type in its policy; the organization is always type 0.
pub type TypeIndex = u8;
/// Index of an action in its policy (at most 128).
pub type ActionIndex = u16;
/// Index of a role in its policy (at most 64).
pub type RoleIndex = u16;

/// The organization's type: the root of every tree.
pub const ORGANIZATION: TypeIndex = 0;

/// How far a role's permission reaches below the node where the role is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Every object of the action's type below the node.
    All,
    /// Only objects below a scope (system, service, site) the user is assigned to.
    Assigned,
    /// Only objects the user owns.
    Own,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::All => "all",
            Reach::Assigned => "assigned",
            Reach::Own => "own",
        }
    }
}

/// How many owners an organization has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerCount {
    ExactlyOne,
    AtLeastOne,
}

/// How the owner role moves from one member to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// Never (docs/model.md#seed-003-platform: "the organization owner cannot be changed").
    Never,
    /// An owner gives the owner role like any other role (docs/model.md#seed-000-systems: several owners).
    Direct,
    /// The owner nominates; the nominee accepts within the TTL (docs/model.md#ownership-transfer).
    Nomination,
}

#[derive(Debug, Clone)]
pub struct ObjectType {
    pub name: String,
    pub label: String,
    pub parent: Option<TypeIndex>,
    /// A child type that takes its parent's actions, owner and permissions
    /// (question under project, chart under dashboard).
    pub inherits: bool,
    /// The type whose actions apply to objects of this type: itself, or for an
    /// inheriting type the nearest ancestor that declares actions.
    pub action_type: TypeIndex,
    /// A scope carries role assignments (system, service, site).
    pub scope: bool,
    pub multiple_roles: bool,
    /// Besides `members:manage`, the action on the scope that lets someone set roles there.
    pub managed_by: Option<ActionIndex>,
    pub create: Option<ActionIndex>,
    pub delete: Option<ActionIndex>,
    pub share: Option<ActionIndex>,
    /// Every action that applies to objects of this type.
    pub actions: ActionSet,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub name: String,
    /// What the action lets someone do, in words (`edit projects`); its name
    /// when the policy gives none.
    pub label: String,
    /// The type this action is about (`ORGANIZATION` for organization actions).
    pub object_type: TypeIndex,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub label: String,
    pub description: String,
    /// Where the role is held: the organization, or a scope type.
    pub level: TypeIndex,
    pub rank: i64,
    pub all: ActionSet,
    pub assigned: ActionSet,
    pub own: ActionSet,
    /// The permissions as written, expanded: (action, reach) in policy order.
    pub permissions: Vec<(ActionIndex, Reach)>,
}

/// How the console offers the organization roles (`[console]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Console {
    pub role_control: RoleControl,
}

/// The control that gives a member an organization role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RoleControl {
    /// A dropdown of the roles (seeds 000 and 001).
    #[default]
    Dropdown,
    /// One check box (seed 003's "Organization Admin"): ticked gives `checked`,
    /// unticked `unchecked`. Every other organization role is the owner's.
    Checkbox {
        checked: RoleIndex,
        unchecked: RoleIndex,
    },
}

#[derive(Debug, Clone)]
pub struct Governance {
    pub default_role: RoleIndex,
    pub self_change: bool,
    /// Roles that count for the minimum-admins rule.
    pub admin_roles: RoleSet,
    pub min_admins: usize,
    /// For each organization role, the roles its holders may give (indexed by role).
    pub may_assign: Vec<RoleSet>,
}

#[derive(Debug, Clone)]
pub struct Ownership {
    /// The organization role that marks its owners; `None` when the owner is a
    /// designated account holding an ordinary role (docs/model.md#seed-004-analytics-roles: the root account).
    pub role: Option<RoleIndex>,
    /// The role the organization's creator (and a new owner by transfer) holds.
    pub creator_role: RoleIndex,
    pub count: OwnerCount,
    pub editable: bool,
    pub transfer: Transfer,
    pub nomination_ttl_days: u32,
    /// What the old owner becomes when a nomination is accepted.
    pub previous_owner_role: RoleIndex,
    /// The owner may do everything on every object (docs/model.md#seed-002-analytics: the company administrator).
    pub root: bool,
    /// An object's owner may do every action on it and below it.
    pub owner_has_every_action: bool,
}

/// A validated, immutable policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub types: Vec<ObjectType>,
    pub actions: Vec<Action>,
    pub roles: Vec<Role>,
    pub console: Console,
    pub governance: Governance,
    pub ownership: Ownership,
    /// The organization roles, in rank order, highest first.
    pub org_roles: Vec<RoleIndex>,
    /// The organization actions every policy declares, resolved once.
    pub org_actions: OrgActions,
    type_by_name: HashMap<String, TypeIndex>,
    action_by_name: HashMap<String, ActionIndex>,
    /// By the role's level (a type index), then its name: looked up with a
    /// borrowed name, so `role_index` allocates nothing (it runs per member when
    /// a snapshot is built).
    role_by_name: Vec<HashMap<String, RoleIndex>>,
    /// The TOML it was read from, so it can be shown and stored as written.
    pub source: String,
}

/// The organization actions every policy declares and Steward itself asks about
/// (docs/model.md#the-model), as indexes into the policy's actions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrgActions {
    pub view: ActionIndex,
    pub delete: ActionIndex,
    pub members_view: ActionIndex,
    pub members_manage: ActionIndex,
    pub audit_view: ActionIndex,
    pub ownership_transfer: ActionIndex,
}

/// The shipped presets: name, and the TOML embedded at build time.
pub const PRESETS: [(&str, &str); 4] = [
    ("systems", include_str!("../../../../policies/systems.toml")),
    (
        "operations",
        include_str!("../../../../policies/operations.toml"),
    ),
    (
        "analytics",
        include_str!("../../../../policies/analytics.toml"),
    ),
    (
        "platform",
        include_str!("../../../../policies/platform.toml"),
    ),
];

impl Policy {
    /// Reads and validates a policy file; every error found is reported with its
    /// line and key.
    pub fn parse(source: &str) -> Result<Policy, PolicyErrors> {
        validate::parse(source)
    }

    /// One of the shipped presets by name.
    pub fn preset(name: &str) -> Option<Policy> {
        PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            // A test parses every shipped preset; one that did not would be absent.
            .and_then(|(_, src)| Policy::parse(src).ok())
    }

    pub fn type_index(&self, name: &str) -> Option<TypeIndex> {
        self.type_by_name.get(name).copied()
    }
    pub fn action_index(&self, name: &str) -> Option<ActionIndex> {
        self.action_by_name.get(name).copied()
    }
    /// A role held at the given level (the organization or a scope type).
    pub fn role_index(&self, level: TypeIndex, name: &str) -> Option<RoleIndex> {
        self.role_by_name.get(level as usize)?.get(name).copied()
    }
    pub fn org_role(&self, name: &str) -> Option<RoleIndex> {
        self.role_index(ORGANIZATION, name)
    }
    pub fn role(&self, index: RoleIndex) -> &Role {
        &self.roles[index as usize]
    }
    pub fn action(&self, index: ActionIndex) -> &Action {
        &self.actions[index as usize]
    }
    pub fn object_type(&self, index: TypeIndex) -> &ObjectType {
        &self.types[index as usize]
    }
    /// Whether `action` is about objects of type `ty` (directly or by inheritance).
    pub fn applies(&self, action: ActionIndex, ty: TypeIndex) -> bool {
        self.types[ty as usize].actions.contains(action)
    }
    /// The roles that may be held on a scope type, in rank order, highest first.
    pub fn roles_at(&self, level: TypeIndex) -> impl Iterator<Item = RoleIndex> + '_ {
        let mut roles: Vec<RoleIndex> = (0..self.roles.len() as RoleIndex)
            .filter(|&r| self.roles[r as usize].level == level)
            .collect();
        roles.sort_by_key(|&r| std::cmp::Reverse(self.roles[r as usize].rank));
        roles.into_iter()
    }
    /// Whether holders of `role` count for the minimum-admins rule.
    pub fn counts_as_admin(&self, role: RoleIndex) -> bool {
        self.governance.admin_roles.contains(role)
    }
    /// Whether `ancestor` is `ty` or one of its parent types.
    pub fn type_is_within(&self, ty: TypeIndex, ancestor: TypeIndex) -> bool {
        let mut t = Some(ty);
        while let Some(cur) = t {
            if cur == ancestor {
                return true;
            }
            t = self.types[cur as usize].parent;
        }
        false
    }
}
