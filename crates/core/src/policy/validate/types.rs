//! Object types and their actions: names, hierarchy, labels, and the actions
//! every policy must declare (docs/policy-file.md).

use super::super::raw::RawType;
use super::*;

impl Validator {
    pub(super) fn types(
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

    pub(super) fn actions(
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
    pub(super) fn action_labels(
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
    pub(super) fn required_actions(
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

    pub(super) fn type_actions(
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
}
