//! From the raw TOML to a `Policy`: resolve every name, check every rule, and
//! collect all the problems rather than stopping at the first.

use super::error::{Lines, PolicyError, PolicyErrors};
use super::raw::{RawPolicy, RawRole, RawType};
use super::*;
use std::collections::BTreeMap;
use toml::Spanned;

pub(super) fn parse(source: &str) -> Result<Policy, PolicyErrors> {
    let lines = Lines::new(source);
    let raw: RawPolicy = toml::from_str(source).map_err(|e| {
        let (line, column) = e.span().map(|s| lines.at(s.start)).unwrap_or((0, 0));
        PolicyErrors(vec![PolicyError {
            line,
            column,
            key: String::new(),
            message: e.message().trim().to_string(),
        }])
    })?;
    let mut v = Validator {
        lines,
        errors: Vec::new(),
    };
    let policy = v.policy(raw, source);
    match (policy, v.errors.is_empty()) {
        (Some(policy), true) => Ok(policy),
        // Every path that gives up reports why; should one not, say so rather than panic.
        (None, true) => Err(PolicyErrors(vec![PolicyError {
            line: 0,
            column: 0,
            key: String::new(),
            message: "the policy could not be read".into(),
        }])),
        _ => {
            v.errors.sort_by_key(|e| (e.line, e.column));
            Err(PolicyErrors(v.errors))
        }
    }
}

/// The organization actions every policy declares (docs/model.md#the-model).
pub(crate) const REQUIRED_ORG_ACTIONS: [&str; 6] = [
    "org:view",
    "org:delete",
    "members:view",
    "members:manage",
    "audit:view",
    "ownership:transfer",
];

pub(super) struct Validator {
    lines: Lines,
    pub(super) errors: Vec<PolicyError>,
}

fn is_snake(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && s.len() <= 64
}

fn label_of(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, word) in name.split('_').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut c = word.chars();
        if let Some(first) = c.next() {
            if i == 0 {
                out.extend(first.to_uppercase());
            } else {
                out.push(first);
            }
            out.push_str(c.as_str());
        }
    }
    out
}

impl Validator {
    pub(super) fn err<T>(
        &mut self,
        at: &Spanned<T>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        let (line, column) = self.lines.at(at.span().start);
        self.errors.push(PolicyError {
            line,
            column,
            key: key.into(),
            message: message.into(),
        });
    }

    pub(super) fn err_whole(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.errors.push(PolicyError {
            line: 0,
            column: 0,
            key: key.into(),
            message: message.into(),
        });
    }

    fn policy(&mut self, raw: RawPolicy, source: &str) -> Option<Policy> {
        if !is_snake(raw.policy.name.get_ref()) {
            self.err(
                &raw.policy.name,
                "policy.name",
                format!(
                    "policy name {:?} is not lower_snake_case",
                    raw.policy.name.get_ref()
                ),
            );
        }
        let (mut types, type_by_name) = self.types(&raw.types)?;
        let (actions, action_by_name) = self.actions(&raw.types, &types, &type_by_name);
        for t in types.iter_mut() {
            let at = t.action_type;
            t.actions = actions
                .iter()
                .enumerate()
                .filter(|(_, a)| a.object_type == at)
                .map(|(i, _)| i as ActionIndex)
                .collect();
        }
        // Missing ones are errors already: the placeholder is never used.
        let org_actions = self
            .required_actions(&raw.types, &action_by_name, &actions)
            .unwrap_or_default();
        self.type_actions(
            &raw.types,
            &mut types,
            &type_by_name,
            &action_by_name,
            &actions,
        );
        let partial = Policy {
            name: raw.policy.name.get_ref().clone(),
            description: raw.policy.description.clone(),
            types,
            actions,
            roles: Vec::new(),
            console: Console::default(),
            governance: Governance {
                default_role: 0,
                self_change: false,
                admin_roles: RoleSet::EMPTY,
                min_admins: 0,
                may_assign: Vec::new(),
            },
            ownership: Ownership {
                role: None,
                creator_role: 0,
                count: OwnerCount::ExactlyOne,
                editable: true,
                transfer: Transfer::Never,
                nomination_ttl_days: 0,
                previous_owner_role: 0,
                root: false,
                owner_has_every_action: true,
            },
            org_roles: Vec::new(),
            org_actions,
            type_by_name,
            action_by_name,
            role_by_name: HashMap::new(),
            source: source.to_string(),
        };
        let mut policy = partial;
        self.roles(&raw.roles, &mut policy);
        if !self.errors.is_empty() {
            // Governance names roles; with the roles broken its errors would only repeat them.
            return None;
        }
        self.governance(&raw, &mut policy);
        if let Some(console) = &raw.console {
            self.console(console, &mut policy);
        }
        let mut org_roles: Vec<RoleIndex> = (0..policy.roles.len() as RoleIndex)
            .filter(|&r| policy.roles[r as usize].level == ORGANIZATION)
            .collect();
        org_roles.sort_by_key(|&r| std::cmp::Reverse(policy.roles[r as usize].rank));
        policy.org_roles = org_roles;
        Some(policy)
    }

    fn types(
        &mut self,
        raw: &BTreeMap<Spanned<String>, RawType>,
    ) -> Option<(Vec<ObjectType>, HashMap<String, TypeIndex>)> {
        let Some(org_key) = raw.keys().find(|k| k.get_ref() == "organization") else {
            self.err_whole(
                "types.organization",
                "the policy has no [types.organization]",
            );
            return None;
        };
        if raw.len() > 200 {
            self.err_whole("types", "a policy has at most 200 object types");
            return None;
        }
        // The organization is type 0; the others follow in name order (the TOML table's).
        let mut order: Vec<&Spanned<String>> = vec![org_key];
        order.extend(raw.keys().filter(|k| k.get_ref() != "organization"));
        let type_by_name: HashMap<String, TypeIndex> = order
            .iter()
            .enumerate()
            .map(|(i, k)| (k.get_ref().clone(), i as TypeIndex))
            .collect();
        let mut types = Vec::with_capacity(order.len());
        for key in &order {
            let name = key.get_ref();
            let t = &raw[*key];
            let k = format!("types.{name}");
            if !is_snake(name) {
                self.err(
                    key,
                    &k,
                    format!("type name {name:?} is not lower_snake_case"),
                );
            }
            let parent = match (&t.parent, name.as_str()) {
                (Some(p), "organization") => {
                    self.err(
                        p,
                        format!("{k}.parent"),
                        "the organization is the root and has no parent",
                    );
                    None
                }
                (None, "organization") => None,
                (None, _) => {
                    self.err(key, &k, format!("type {name} has no parent (write parent = \"organization\" for a top-level type)"));
                    None
                }
                (Some(p), _) => match type_by_name.get(p.get_ref()) {
                    Some(&i) => Some(i),
                    None => {
                        self.err(
                            p,
                            format!("{k}.parent"),
                            format!("unknown parent type {:?} of type {name}", p.get_ref()),
                        );
                        None
                    }
                },
            };
            if t.inherits && !t.actions.is_empty() {
                self.err(
                    key,
                    format!("{k}.actions"),
                    format!("type {name} inherits its parent's actions and cannot declare its own"),
                );
            }
            if t.inherits && t.scope {
                self.err(
                    key,
                    format!("{k}.scope"),
                    format!("type {name} inherits from its parent and cannot also be a scope"),
                );
            }
            if name == "organization" && (t.inherits || t.scope) {
                self.err(key, &k, "the organization cannot inherit or be a scope");
            }
            if t.multiple_roles && !t.scope {
                self.err(
                    key,
                    format!("{k}.multiple_roles"),
                    format!("type {name} is not a scope, so it holds no roles"),
                );
            }
            types.push(ObjectType {
                name: name.clone(),
                label: t.label.clone().unwrap_or_else(|| label_of(name)),
                parent,
                inherits: t.inherits,
                action_type: 0,
                scope: t.scope,
                multiple_roles: t.multiple_roles,
                managed_by: None,
                create: None,
                delete: None,
                share: None,
                actions: ActionSet::EMPTY,
            });
        }
        // Parents must lead to the organization without a cycle.
        let n = types.len();
        for i in 0..n {
            let mut cur = i;
            let mut steps = 0;
            while let Some(p) = types[cur].parent {
                cur = p as usize;
                steps += 1;
                if steps > n {
                    let key = order[i];
                    self.err(
                        key,
                        format!("types.{}.parent", key.get_ref()),
                        format!("type {} is its own ancestor", key.get_ref()),
                    );
                    return None;
                }
            }
            if cur != 0 && types[i].parent.is_some() {
                return None; // an unknown parent was already reported
            }
        }
        for i in 0..n {
            let mut at = i;
            while types[at].inherits {
                at = types[at].parent.map(|p| p as usize).unwrap_or(0);
            }
            types[i].action_type = at as TypeIndex;
        }
        Some((types, type_by_name))
    }

    fn actions(
        &mut self,
        raw: &BTreeMap<Spanned<String>, RawType>,
        types: &[ObjectType],
        type_by_name: &HashMap<String, TypeIndex>,
    ) -> (Vec<Action>, HashMap<String, ActionIndex>) {
        let mut actions = Vec::new();
        let mut by_name: HashMap<String, ActionIndex> = HashMap::new();
        for t in types {
            // `types` was made from `raw`'s keys: every name is there.
            let Some((key, raw_type)) = raw.get_key_value(t.name.as_str()) else {
                continue;
            };
            let ty = type_by_name[&t.name];
            for a in &raw_type.actions {
                let name = a.get_ref();
                let k = format!("types.{}.actions", key.get_ref());
                let well_formed = name
                    .split_once(':')
                    .is_some_and(|(p, v)| is_snake(p) && is_snake(v));
                if !well_formed {
                    self.err(
                        a,
                        &k,
                        format!("action {name:?} is not written prefix:action in lower_snake_case"),
                    );
                    continue;
                }
                if ty != ORGANIZATION && !name.starts_with(&format!("{}:", t.name)) {
                    self.err(
                        a,
                        &k,
                        format!(
                            "action {name:?} of type {} must start with \"{}:\"",
                            t.name, t.name
                        ),
                    );
                    continue;
                }
                if by_name.contains_key(name) {
                    self.err(a, &k, format!("action {name:?} is declared twice"));
                    continue;
                }
                if actions.len() == ActionSet::CAPACITY {
                    self.err(
                        a,
                        &k,
                        format!("a policy has at most {} actions", ActionSet::CAPACITY),
                    );
                    continue;
                }
                by_name.insert(name.clone(), actions.len() as ActionIndex);
                actions.push(Action {
                    name: name.clone(),
                    label: name.clone(),
                    object_type: ty,
                });
            }
            self.action_labels(key, raw_type, &by_name, &mut actions);
        }
        (actions, by_name)
    }

    /// A type's `labels`: each for one of its own actions, one line of words.
    fn action_labels(
        &mut self,
        key: &Spanned<String>,
        raw_type: &RawType,
        by_name: &HashMap<String, ActionIndex>,
        actions: &mut [Action],
    ) {
        let k = format!("types.{}.labels", key.get_ref());
        for (action, label) in &raw_type.labels {
            let name = action.get_ref();
            let own = raw_type.actions.iter().any(|a| a.get_ref() == name);
            let Some(&index) = by_name.get(name).filter(|_| own) else {
                self.err(
                    action,
                    &k,
                    format!("{name:?} is not an action of type {}", key.get_ref()),
                );
                continue;
            };
            let label = label.trim();
            if label.is_empty() || label.contains(['\n', '\r']) {
                self.err(
                    action,
                    &k,
                    format!("the label of {name:?} must be one line of words"),
                );
                continue;
            }
            actions[index as usize].label = label.to_string();
        }
    }

    /// The organization actions Steward itself asks about (who may delete the
    /// organization, manage members, see the audit log, transfer ownership),
    /// resolved once; `None` (with an error each) when one is missing.
    fn required_actions(
        &mut self,
        raw: &BTreeMap<Spanned<String>, RawType>,
        action_by_name: &HashMap<String, ActionIndex>,
        actions: &[Action],
    ) -> Option<OrgActions> {
        let (key, _) = raw.get_key_value("organization")?;
        let mut found = [0; REQUIRED_ORG_ACTIONS.len()];
        let mut complete = true;
        for (slot, name) in found.iter_mut().zip(REQUIRED_ORG_ACTIONS) {
            match action_by_name.get(name) {
                Some(&a) if actions[a as usize].object_type == ORGANIZATION => *slot = a,
                _ => {
                    complete = false;
                    self.err(
                        key,
                        "types.organization.actions",
                        format!("the organization must declare the action {name:?}"),
                    );
                }
            }
        }
        let [view, delete, members_view, members_manage, audit_view, ownership_transfer] = found;
        complete.then_some(OrgActions {
            view,
            delete,
            members_view,
            members_manage,
            audit_view,
            ownership_transfer,
        })
    }

    fn type_actions(
        &mut self,
        raw: &BTreeMap<Spanned<String>, RawType>,
        types: &mut [ObjectType],
        type_by_name: &HashMap<String, TypeIndex>,
        action_by_name: &HashMap<String, ActionIndex>,
        actions: &[Action],
    ) {
        for (key, t) in raw {
            let ti = type_by_name[key.get_ref()] as usize;
            let name = key.get_ref();
            let fields = [
                ("managed_by", &t.managed_by),
                ("create", &t.create),
                ("delete", &t.delete),
                ("share", &t.share),
            ];
            for (field, value) in fields {
                let Some(value) = value else { continue };
                let k = format!("types.{name}.{field}");
                let Some(&a) = action_by_name.get(value.get_ref()) else {
                    self.err(
                        value,
                        k,
                        format!(
                            "unknown action {:?} in {field} of type {name}",
                            value.get_ref()
                        ),
                    );
                    continue;
                };
                let on = types[ti].action_type;
                let a_type = actions[a as usize].object_type;
                let ok = match field {
                    // Who may create: an action on the parent (checked there), or an action of
                    // the new object's own type (the creator must hold it everywhere below the parent).
                    "create" => {
                        let parent_at = types[ti].parent.map(|p| types[p as usize].action_type);
                        Some(a_type) == parent_at || a_type == on
                    }
                    "managed_by" => a_type == on && types[ti].scope,
                    _ => a_type == on || a_type == ORGANIZATION,
                };
                if !ok {
                    self.err(
                        value,
                        k,
                        format!(
                            "action {:?} cannot decide {field} for type {name}: it is about {}",
                            value.get_ref(),
                            types[a_type as usize].name
                        ),
                    );
                    continue;
                }
                match field {
                    "managed_by" => types[ti].managed_by = Some(a),
                    "create" => types[ti].create = Some(a),
                    "delete" => types[ti].delete = Some(a),
                    _ => types[ti].share = Some(a),
                }
            }
            // Who creates, deletes and shares is said outright: a type nobody could ever
            // create or delete is a mistake, not a policy. An inheriting type is deleted
            // and shared as its parent is.
            let needed: &[(&str, &Option<Spanned<String>>, &str)] = if ti == ORGANIZATION as usize {
                &[]
            } else if types[ti].inherits {
                &[("create", &t.create, "who may create one")]
            } else {
                &[
                    ("create", &t.create, "who may create one"),
                    ("delete", &t.delete, "who may delete one"),
                    ("share", &t.share, "who may change its grants and owner"),
                ]
            };
            for (field, value, meaning) in needed {
                if value.is_none() {
                    self.err(
                        key,
                        format!("types.{name}.{field}"),
                        format!("type {name} needs {field} = \"<action>\": {meaning}"),
                    );
                }
            }
            if ti == ORGANIZATION as usize {
                for (field, value) in [
                    ("create", &t.create),
                    ("delete", &t.delete),
                    ("share", &t.share),
                ] {
                    if let Some(v) = value {
                        self.err(v, format!("types.organization.{field}"), format!("the organization has no {field} action: it is created and deleted through Steward itself"));
                    }
                }
            }
            if types[ti].inherits {
                for (field, value) in [("delete", &t.delete), ("share", &t.share)] {
                    if let Some(v) = value {
                        self.err(
                            v,
                            format!("types.{name}.{field}"),
                            format!("type {name} inherits: it is {field}d as its parent is"),
                        );
                    }
                }
            }
        }
    }

    fn roles(
        &mut self,
        raw: &BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, RawRole>>,
        policy: &mut Policy,
    ) {
        let mut has_roles = vec![false; policy.types.len()];
        for (level_key, roles) in raw {
            let Some(level) = policy.type_index(level_key.get_ref()) else {
                self.err(
                    level_key,
                    format!("roles.{}", level_key.get_ref()),
                    format!("roles are held on unknown type {:?}", level_key.get_ref()),
                );
                continue;
            };
            if level != ORGANIZATION && !policy.types[level as usize].scope {
                self.err(
                    level_key,
                    format!("roles.{}", level_key.get_ref()),
                    format!(
                        "type {} is not a scope (scope = true), so it holds no roles",
                        level_key.get_ref()
                    ),
                );
                continue;
            }
            for (role_key, role) in roles {
                let name = role_key.get_ref();
                let k = format!("roles.{}.{}", level_key.get_ref(), name);
                if !is_snake(name) {
                    self.err(
                        role_key,
                        &k,
                        format!("role name {name:?} is not lower_snake_case"),
                    );
                    continue;
                }
                if policy.roles.len() == RoleSet::CAPACITY {
                    self.err(
                        role_key,
                        &k,
                        format!("a policy has at most {} roles", RoleSet::CAPACITY),
                    );
                    continue;
                }
                let mut r = Role {
                    name: name.clone(),
                    label: role.label.clone().unwrap_or_else(|| label_of(name)),
                    description: role.description.clone(),
                    level,
                    rank: *role.rank.get_ref(),
                    all: ActionSet::EMPTY,
                    assigned: ActionSet::EMPTY,
                    own: ActionSet::EMPTY,
                    permissions: Vec::new(),
                };
                if r.rank < 0 {
                    self.err(
                        &role.rank,
                        format!("{k}.rank"),
                        format!("rank of role {name} is negative"),
                    );
                }
                for p in &role.permissions {
                    self.permission(p, &mut r, policy, &format!("{k}.permissions"));
                }
                has_roles[level as usize] = true;
                policy
                    .role_by_name
                    .insert((level, name.clone()), policy.roles.len() as RoleIndex);
                policy.roles.push(r);
            }
        }
        if !has_roles[ORGANIZATION as usize] {
            self.err_whole("roles.organization", "the policy has no organization roles");
        }
        for (i, t) in policy.types.iter().enumerate() {
            if t.scope && !has_roles[i] {
                self.err_whole(
                    format!("roles.{}", t.name),
                    format!(
                        "scope type {} has no roles (add [roles.{}.<role>])",
                        t.name, t.name
                    ),
                );
            }
        }
    }

    fn permission(&mut self, p: &Spanned<String>, role: &mut Role, policy: &Policy, key: &str) {
        let text = p.get_ref();
        let parts: Vec<&str> = text.split(':').collect();
        let reach_of = |s: &str| match s {
            "all" => Some(Reach::All),
            "assigned" => Some(Reach::Assigned),
            "own" => Some(Reach::Own),
            _ => None,
        };
        let (pattern, reach_text) = match parts.as_slice() {
            ["*"] => ("*".to_string(), "all"),
            ["*", r] => ("*".to_string(), *r),
            [p, v] => (format!("{p}:{v}"), "all"),
            [p, v, r] => (format!("{p}:{v}"), *r),
            _ => {
                self.err(
                    p,
                    key,
                    format!(
                        "permission {text:?} in role {} is not written type:action:reach",
                        role.name
                    ),
                );
                return;
            }
        };
        let Some(reach) = reach_of(reach_text) else {
            self.err(
                p,
                key,
                format!(
                    "unknown reach {reach_text:?} in role {} (all, assigned or own)",
                    role.name
                ),
            );
            return;
        };
        let within = |a: &Action| policy.type_is_within(a.object_type, role.level);
        let matched: Vec<ActionIndex> = if pattern == "*" {
            (0..policy.actions.len() as ActionIndex)
                .filter(|&i| within(&policy.actions[i as usize]))
                .collect()
        } else if let Some(prefix) = pattern.strip_suffix(":*") {
            let prefix = format!("{prefix}:");
            (0..policy.actions.len() as ActionIndex)
                .filter(|&i| {
                    let a = &policy.actions[i as usize];
                    a.name.starts_with(&prefix) && within(a)
                })
                .collect()
        } else {
            match policy.action_index(&pattern) {
                None => {
                    // "edt" when project:* exists and only the verb is wrong; the whole name otherwise.
                    let (prefix, verb) = pattern.split_once(':').unwrap_or(("", &pattern));
                    let known_prefix = policy
                        .actions
                        .iter()
                        .any(|a| a.name.starts_with(&format!("{prefix}:")));
                    let shown = if known_prefix { verb } else { pattern.as_str() };
                    self.err(
                        p,
                        key,
                        format!("unknown action {shown:?} in role {}", role.name),
                    );
                    return;
                }
                Some(a) if !within(&policy.actions[a as usize]) => {
                    self.err(
                        p,
                        key,
                        format!(
                            "action {pattern} in role {} is about {}, which is not below {} where the role is held",
                            role.name, policy.types[policy.actions[a as usize].object_type as usize].name, policy.types[role.level as usize].name
                        ),
                    );
                    return;
                }
                Some(a) => vec![a],
            }
        };
        if matched.is_empty() {
            self.err(
                p,
                key,
                format!(
                    "permission {text:?} in role {} matches no action",
                    role.name
                ),
            );
            return;
        }
        for a in matched {
            let on_org = policy.actions[a as usize].object_type == ORGANIZATION;
            let effective = if on_org { Reach::All } else { reach };
            if on_org && reach != Reach::All && !pattern.contains('*') {
                self.err(
                    p,
                    key,
                    format!(
                        "organization action {pattern} in role {} can only have reach all",
                        role.name
                    ),
                );
                return;
            }
            match effective {
                Reach::All => role.all.insert(a),
                Reach::Assigned => role.assigned.insert(a),
                Reach::Own => role.own.insert(a),
            }
            role.permissions.push((a, effective));
        }
    }

    pub(super) fn org_role(
        &mut self,
        policy: &Policy,
        name: &Spanned<String>,
        key: &str,
    ) -> Option<RoleIndex> {
        let r = policy.org_role(name.get_ref());
        if r.is_none() {
            self.err(
                name,
                key,
                format!("unknown organization role {:?}", name.get_ref()),
            );
        }
        r
    }

    fn governance(&mut self, raw: &RawPolicy, policy: &mut Policy) {
        let g = &raw.governance;
        let o = &raw.ownership;
        let default_role = self.org_role(policy, &g.default_role, "governance.default_role");
        let mut admin_roles = RoleSet::EMPTY;
        for r in &g.admin_roles {
            if let Some(i) = self.org_role(policy, r, "governance.admin_roles") {
                admin_roles.insert(i);
            }
        }
        let min_admins = g.min_admins.as_ref().map(|m| *m.get_ref()).unwrap_or(0);
        if let Some(m) = &g.min_admins {
            if min_admins < 0 {
                self.err(m, "governance.min_admins", "min_admins is negative");
            }
            if min_admins > 0 && admin_roles.is_empty() {
                self.err(
                    m,
                    "governance.min_admins",
                    "min_admins needs admin_roles: which roles count as admin",
                );
            }
        }
        let mut may_assign = vec![RoleSet::EMPTY; policy.roles.len()];
        for (who, whom) in &g.may_assign {
            let Some(w) = self.org_role(
                policy,
                who,
                &format!("governance.may_assign.{}", who.get_ref()),
            ) else {
                continue;
            };
            for r in whom {
                if let Some(i) = self.org_role(
                    policy,
                    r,
                    &format!("governance.may_assign.{}", who.get_ref()),
                ) {
                    may_assign[w as usize].insert(i);
                }
            }
        }

        let owner_role = o
            .role
            .as_ref()
            .and_then(|r| self.org_role(policy, r, "ownership.role"));
        let creator_role = match (&o.creator_role, owner_role) {
            (Some(c), _) => self.org_role(policy, c, "ownership.creator_role"),
            (None, Some(r)) => Some(r),
            (None, None) => {
                self.err_whole("ownership.creator_role", "without ownership.role, ownership.creator_role must say which role the owner holds");
                None
            }
        };
        if let (Some(c), Some(r), Some(cs)) = (creator_role, owner_role, &o.creator_role) {
            if c != r {
                self.err(
                    cs,
                    "ownership.creator_role",
                    "with ownership.role set, the creator holds the owner role",
                );
            }
        }
        let count = match o.count.get_ref().as_str() {
            "exactly_one" => OwnerCount::ExactlyOne,
            "at_least_one" => OwnerCount::AtLeastOne,
            other => {
                self.err(
                    &o.count,
                    "ownership.count",
                    format!("unknown owner count {other:?} (exactly_one or at_least_one)"),
                );
                OwnerCount::ExactlyOne
            }
        };
        let transfer = match o.transfer.get_ref().as_str() {
            "never" => Transfer::Never,
            "direct" => Transfer::Direct,
            "nomination" => Transfer::Nomination,
            other => {
                self.err(
                    &o.transfer,
                    "ownership.transfer",
                    format!("unknown transfer {other:?} (never, direct or nomination)"),
                );
                Transfer::Never
            }
        };
        if transfer == Transfer::Direct && (count != OwnerCount::AtLeastOne || owner_role.is_none())
        {
            self.err(
                &o.transfer,
                "ownership.transfer",
                "transfer = \"direct\" needs an owner role and count = \"at_least_one\"",
            );
        }
        if count == OwnerCount::AtLeastOne && owner_role.is_none() {
            self.err(
                &o.count,
                "ownership.count",
                "count = \"at_least_one\" needs an owner role",
            );
        }
        let ttl = match (&o.nomination_ttl_days, transfer) {
            (Some(d), _) if *d.get_ref() <= 0 || *d.get_ref() > 365 => {
                self.err(
                    d,
                    "ownership.nomination_ttl_days",
                    "nomination_ttl_days must be between 1 and 365",
                );
                0
            }
            (Some(d), _) => *d.get_ref() as u32,
            (None, Transfer::Nomination) => {
                self.err(
                    &o.transfer,
                    "ownership.nomination_ttl_days",
                    "transfer = \"nomination\" needs nomination_ttl_days",
                );
                0
            }
            (None, _) => 0,
        };
        let previous_owner_role = match (&o.previous_owner_role, transfer) {
            (Some(r), _) => self.org_role(policy, r, "ownership.previous_owner_role"),
            (None, Transfer::Nomination) => {
                self.err(&o.transfer, "ownership.previous_owner_role", "transfer = \"nomination\" needs previous_owner_role: what the old owner becomes");
                None
            }
            (None, _) => creator_role,
        };
        if let (Some(p), Some(r), Some(ps)) =
            (previous_owner_role, owner_role, &o.previous_owner_role)
        {
            if p == r {
                self.err(
                    ps,
                    "ownership.previous_owner_role",
                    "the old owner cannot stay owner",
                );
            }
        }
        if let (Some(d), Some(r)) = (default_role, owner_role) {
            if d == r {
                self.err(
                    &g.default_role,
                    "governance.default_role",
                    "invitees cannot default to the owner role",
                );
            }
        }
        if let Some(r) = owner_role {
            if transfer != Transfer::Direct {
                for (who, whom) in &g.may_assign {
                    for x in whom {
                        if x.get_ref() == &policy.roles[r as usize].name {
                            self.err(
                                x,
                                format!("governance.may_assign.{}", who.get_ref()),
                                "the owner role moves only by transfer; it cannot be assigned",
                            );
                        }
                    }
                }
            }
        }
        let (Some(default_role), Some(creator_role), Some(previous_owner_role)) =
            (default_role, creator_role, previous_owner_role)
        else {
            return;
        };
        policy.governance = Governance {
            default_role,
            self_change: g.self_change,
            admin_roles,
            min_admins: min_admins.max(0) as usize,
            may_assign,
        };
        policy.ownership = Ownership {
            role: owner_role,
            creator_role,
            count,
            editable: o.editable,
            transfer,
            nomination_ttl_days: ttl,
            previous_owner_role,
            root: o.root,
            owner_has_every_action: o.owner_has_every_action,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_the_seeds() {
        assert_eq!(
            label_of("external_topic_assignment"),
            "External topic assignment"
        );
        assert_eq!(label_of("owner"), "Owner");
    }
}
