//! From the raw TOML to a `Policy`: resolve every name, check every rule, and
//! collect all the problems rather than stopping at the first.

use super::error::{Lines, PolicyError, PolicyErrors};
use super::raw::{RawPolicy, RawRole};
use super::*;
use std::collections::BTreeMap;
use toml::Spanned;

// The parts of the validation, each an `impl Validator` of its own.
mod governance;
mod types;

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
            role_by_name: Vec::new(),
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
                if policy.role_by_name.len() <= level as usize {
                    policy
                        .role_by_name
                        .resize_with(level as usize + 1, HashMap::new);
                }
                policy.role_by_name[level as usize]
                    .insert(name.clone(), policy.roles.len() as RoleIndex);
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
