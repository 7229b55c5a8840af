//! SCIM PATCH (RFC 7644 §3.5.2): `add`, `replace` and `remove`, with a path
//! (`name.givenName`, `emails[type eq "work"].value`, `members[value eq "x"]`,
//! an extension's URN) or without one (an object of attributes, as Entra ID
//! and Okta send). Applied to the resource as a GET renders it; the result is
//! then stored as a PUT would be, so PATCH adds no rule of its own.

use super::filter::{self, Filter, Op};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Deserialize)]
pub struct PatchOp {
    pub op: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Replace,
    Remove,
}

/// Why an operation cannot apply: the SCIM `scimType` and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    pub scim_type: &'static str,
    pub detail: String,
}

fn invalid(scim_type: &'static str, detail: impl Into<String>) -> PatchError {
    PatchError {
        scim_type,
        detail: detail.into(),
    }
}

/// A path, split: the attribute's steps, an optional filter on its elements,
/// and an optional sub-attribute of the elements that match.
struct Target {
    steps: Vec<String>,
    filter: Option<Filter>,
    sub: Option<String>,
}

fn target(path: &str) -> Result<Target, PatchError> {
    let Some(open) = path.find('[') else {
        return Ok(Target {
            steps: filter::steps(path),
            filter: None,
            sub: None,
        });
    };
    let close = path
        .rfind(']')
        .filter(|&c| c > open)
        .ok_or_else(|| invalid("invalidPath", format!("{path}: a [ is not closed")))?;
    let inner = filter::parse(&path[open + 1..close])
        .map_err(|e| invalid("invalidFilter", format!("{path}: {}", e.0)))?;
    let sub = path[close + 1..].strip_prefix('.').map(str::to_string);
    Ok(Target {
        steps: filter::steps(&path[..open]),
        filter: Some(inner),
        sub,
    })
}

/// The key an object already uses for `name` (attribute names ignore case).
fn key_in(map: &Map<String, Value>, name: &str) -> String {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

/// The object at `steps`, made on the way when `make`.
fn object_at<'v>(
    resource: &'v mut Value,
    steps: &[String],
    make: bool,
) -> Option<&'v mut Map<String, Value>> {
    let mut current = resource;
    for step in steps {
        let map = current.as_object_mut()?;
        let key = key_in(map, step);
        if !map.contains_key(&key) {
            if !make {
                return None;
            }
            map.insert(key.clone(), Value::Object(Map::new()));
        }
        current = map.get_mut(&key)?;
        if current.is_null() && make {
            *current = Value::Object(Map::new());
        }
    }
    current.as_object_mut()
}

/// Adds `value` to what is there: arrays grow (without duplicates), objects
/// merge, anything else is replaced.
fn add_into(slot: &mut Value, value: Value) {
    match (slot, value) {
        (Value::Array(have), Value::Array(more)) => {
            for v in more {
                let same = |h: &Value| {
                    h == &v || (h.get("value").is_some() && h.get("value") == v.get("value"))
                };
                if !have.iter().any(same) {
                    have.push(v);
                }
            }
        }
        (Value::Object(have), Value::Object(more)) => {
            for (k, v) in more {
                let key = key_in(have, &k);
                match have.get_mut(&key) {
                    Some(slot) => add_into(slot, v),
                    None => {
                        have.insert(key, v);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

fn apply_simple(
    resource: &mut Value,
    kind: Kind,
    steps: &[String],
    value: Option<Value>,
) -> Result<(), PatchError> {
    let Some((last, parents)) = steps.split_last() else {
        return Err(invalid("invalidPath", "an empty path"));
    };
    let Some(parent) = object_at(resource, parents, kind != Kind::Remove) else {
        return Ok(());
    };
    let key = key_in(parent, last);
    match kind {
        Kind::Remove => {
            match (value, parent.get_mut(&key)) {
                // Entra ID removes members by value: `"path": "members", "value": [{"value": "id"}]`.
                (Some(Value::Array(gone)), Some(Value::Array(have))) => {
                    have.retain(|h| {
                        !gone.iter().any(|g| {
                            g == h || (g.get("value").is_some() && g.get("value") == h.get("value"))
                        })
                    });
                }
                _ => {
                    parent.remove(&key);
                }
            }
            Ok(())
        }
        Kind::Replace => {
            let value = value.ok_or_else(|| invalid("invalidValue", "replace needs a value"))?;
            parent.insert(key, value);
            Ok(())
        }
        Kind::Add => {
            let value = value.ok_or_else(|| invalid("invalidValue", "add needs a value"))?;
            match parent.get_mut(&key) {
                Some(slot) if !slot.is_null() => add_into(slot, value),
                _ => {
                    parent.insert(key, value);
                }
            }
            Ok(())
        }
    }
}

/// An element the filter describes (`type eq "work"`), for an add or replace
/// whose filter matches none.
fn element_from(filter: &Filter) -> Map<String, Value> {
    let mut element = Map::new();
    let mut add = |f: &Filter| {
        if let Filter::Compare(path, Op::Eq, v) = f {
            element.insert(path.clone(), v.clone());
        }
    };
    match filter {
        Filter::And(a, b) => {
            add(a);
            add(b);
        }
        other => add(other),
    }
    element
}

fn apply_filtered(
    resource: &mut Value,
    kind: Kind,
    t: Target,
    value: Option<Value>,
) -> Result<(), PatchError> {
    let Some((last, parents)) = t.steps.split_last() else {
        return Err(invalid("invalidPath", "an empty path"));
    };
    let filter = t.filter.unwrap_or(Filter::Present("value".into()));
    let Some(parent) = object_at(resource, parents, kind != Kind::Remove) else {
        return Ok(());
    };
    let key = key_in(parent, last);
    let slot = parent
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    let Value::Array(elements) = slot else {
        return Ok(());
    };
    if kind == Kind::Remove {
        match &t.sub {
            None => elements.retain(|e| !filter::matches(&filter, e)),
            Some(sub) => {
                for e in elements.iter_mut().filter(|e| filter::matches(&filter, e)) {
                    if let Some(map) = e.as_object_mut() {
                        let k = key_in(map, sub);
                        map.remove(&k);
                    }
                }
            }
        }
        return Ok(());
    }
    let value = value.ok_or_else(|| invalid("invalidValue", "add and replace need a value"))?;
    let mut hit = false;
    for e in elements.iter_mut().filter(|e| filter::matches(&filter, e)) {
        hit = true;
        match (&t.sub, e.as_object_mut()) {
            (Some(sub), Some(map)) => {
                let k = key_in(map, sub);
                map.insert(k, value.clone());
            }
            _ => add_into(e, value.clone()),
        }
    }
    if !hit {
        let mut element = element_from(&filter);
        match (&t.sub, value) {
            (Some(sub), v) => {
                element.insert(sub.clone(), v);
            }
            (None, Value::Object(more)) => element.extend(more),
            (None, _) => return Err(invalid("noTarget", "no element matches the path's filter")),
        }
        elements.push(Value::Object(element));
    }
    Ok(())
}

fn apply_one(
    resource: &mut Value,
    kind: Kind,
    path: Option<&str>,
    value: Option<Value>,
) -> Result<(), PatchError> {
    match path.map(str::trim).filter(|p| !p.is_empty()) {
        Some(path) => {
            let t = target(path)?;
            if t.filter.is_some() {
                apply_filtered(resource, kind, t, value)
            } else {
                apply_simple(resource, kind, &t.steps, value)
            }
        }
        None => {
            if kind == Kind::Remove {
                return Err(invalid("noTarget", "remove needs a path"));
            }
            let Some(Value::Object(attributes)) = value else {
                return Err(invalid(
                    "invalidValue",
                    "without a path, the value is an object of attributes",
                ));
            };
            // Each attribute as its own path: Entra ID sends `"name.givenName"` keys.
            for (k, v) in attributes {
                apply_one(resource, kind, Some(&k), Some(v))?;
            }
            Ok(())
        }
    }
}

/// Applies the operations in order; the first that cannot apply stops them all.
pub fn apply(resource: &mut Value, ops: Vec<PatchOp>) -> Result<(), PatchError> {
    for op in ops {
        let kind = match op.op.to_ascii_lowercase().as_str() {
            "add" => Kind::Add,
            "replace" => Kind::Replace,
            "remove" => Kind::Remove,
            other => return Err(invalid("invalidSyntax", format!("unknown op {other}"))),
        };
        apply_one(resource, kind, op.path.as_deref(), op.value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(mut resource: Value, ops: Value) -> Value {
        apply(&mut resource, serde_json::from_value(ops).unwrap()).unwrap();
        resource
    }

    #[test]
    fn replace_without_a_path_sets_each_attribute_dotted_ones_too() {
        let out = patched(
            json!({"active": true, "name": {"givenName": "Ann"}}),
            json!([{"op": "Replace", "value": {"active": "False", "name.givenName": "Anna", "displayName": "Anna Lee"}}]),
        );
        assert_eq!(out["active"], "False");
        assert_eq!(out["name"]["givenName"], "Anna");
        assert_eq!(out["displayName"], "Anna Lee");
    }

    #[test]
    fn members_are_added_once_and_removed_by_filter_or_by_value() {
        let out = patched(
            json!({"members": [{"value": "a"}]}),
            json!([
                {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}, {"value": "c"}]},
                {"op": "remove", "path": "members[value eq \"a\"]"},
                {"op": "Remove", "path": "members", "value": [{"value": "c"}]}
            ]),
        );
        assert_eq!(out["members"], json!([{"value": "b"}]));
    }

    #[test]
    fn a_filtered_path_sets_the_matching_element_or_makes_it() {
        let out = patched(
            json!({"emails": [{"type": "work", "value": "a@x.test"}]}),
            json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@x.test"},
                {"op": "add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1"}
            ]),
        );
        assert_eq!(
            out["emails"],
            json!([{"type": "work", "value": "b@x.test"}])
        );
        assert_eq!(
            out["phoneNumbers"],
            json!([{"type": "mobile", "value": "+1"}])
        );
    }

    #[test]
    fn an_extension_attribute_is_set_under_its_urn() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let out = patched(
            json!({}),
            json!([{"op": "add", "path": format!("{urn}:department"), "value": "Sales"}]),
        );
        assert_eq!(out[urn]["department"], "Sales");
    }

    #[test]
    fn an_unknown_op_and_a_pathless_remove_are_refused() {
        for ops in [
            json!([{"op": "move", "path": "a"}]),
            json!([{"op": "remove"}]),
        ] {
            let mut r = json!({});
            assert!(apply(&mut r, serde_json::from_value(ops).unwrap()).is_err());
        }
    }
}
