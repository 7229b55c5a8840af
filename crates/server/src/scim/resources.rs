//! The SCIM JSON shapes (RFC 7643): a provisioned user or group rendered as a
//! resource with its `meta.version`, a resource as sent read into what the
//! application takes, list responses, and `attributes`/`excludedAttributes`.

use super::filter::field;
use crate::application::provisioning::{
    DirectoryGroup, DirectoryUser, ProvisionedGroup, ProvisionedUser,
};
use crate::secrets::secret_hash_hex;
use serde_json::{json, Map, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Attributes Steward renders itself, never taken from what was sent.
const OWN: [&str; 5] = ["id", "meta", "schemas", "password", "groups"];

fn rfc3339(seconds: i64) -> String {
    let s = seconds.max(0);
    let (days, rest) = (s / 86_400, s % 86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 as (year, month, day) (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The resource's version: a hash of what it says, so any change moves it.
pub fn version(resource: &Value) -> String {
    let mut body = resource.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("meta");
    }
    let hash = secret_hash_hex(&body.to_string());
    format!("W/\"{}\"", &hash[..16])
}

fn with_meta(mut resource: Value, kind: &str, location: String, updated_at: i64) -> Value {
    let version = version(&resource);
    let when = rfc3339(updated_at);
    resource["meta"] = json!({
        "resourceType": kind,
        "created": when,
        "lastModified": when,
        "location": location,
        "version": version,
    });
    resource
}

pub fn user(u: &ProvisionedUser, base: &str) -> Value {
    let mut out = Map::new();
    if let Value::Object(sent) = &u.attributes {
        for (k, v) in sent {
            if !OWN.iter().any(|o| o.eq_ignore_ascii_case(k)) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let mut schemas = vec![json!(USER_SCHEMA)];
    if out.contains_key(ENTERPRISE_SCHEMA) {
        schemas.push(json!(ENTERPRISE_SCHEMA));
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.insert("id".into(), json!(u.id.as_str()));
    out.insert("userName".into(), json!(u.user_name));
    out.insert("displayName".into(), json!(u.name));
    out.insert("active".into(), json!(u.active));
    match &u.external_id {
        Some(e) => out.insert("externalId".into(), json!(e)),
        None => out.remove("externalId"),
    };
    if !out.get("name").is_some_and(Value::is_object) {
        out.insert("name".into(), json!({ "formatted": u.name }));
    }
    let has_emails = out
        .get("emails")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if !has_emails {
        out.insert(
            "emails".into(),
            json!([{ "value": u.email, "type": "work", "primary": true }]),
        );
    }
    let location = format!("{base}/Users/{}", u.id);
    with_meta(Value::Object(out), "User", location, u.updated_at)
}

pub fn group(g: &ProvisionedGroup, base: &str) -> Value {
    let members: Vec<Value> = g
        .members
        .iter()
        .map(|(id, name)| json!({ "value": id, "display": name, "$ref": format!("{base}/Users/{id}") }))
        .collect();
    let mut out = json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id,
        "displayName": g.display_name,
        "members": members,
    });
    if let Some(e) = &g.external_id {
        out["externalId"] = json!(e);
    }
    let location = format!("{base}/Groups/{}", g.id);
    with_meta(out, "Group", location, g.updated_at)
}

fn text(resource: &Value, key: &str) -> Option<String> {
    field(resource, key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `active` as a boolean, from `true` or Entra ID's `"True"`/`"False"`.
fn active(resource: &Value) -> Result<bool, String> {
    match field(resource, "active") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(format!("active: {other} is not true or false")),
    }
}

/// A User resource as sent, read into what the application takes.
pub fn directory_user(resource: &Value) -> Result<DirectoryUser, String> {
    if !resource.is_object() {
        return Err("the body is not a User resource".into());
    }
    let user_name = text(resource, "userName").ok_or("userName is required")?;
    let name = field(resource, "name");
    let display_name = text(resource, "displayName")
        .or_else(|| name.and_then(|n| text(n, "formatted")))
        .or_else(|| {
            let parts: Vec<String> = ["givenName", "familyName"]
                .iter()
                .filter_map(|k| name.and_then(|n| text(n, k)))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
    let emails = field(resource, "emails").and_then(Value::as_array);
    let email = emails.and_then(|list| {
        list.iter()
            .find(|e| field(e, "primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| list.first())
            .and_then(|e| text(e, "value"))
    });
    let mut attributes = resource.clone();
    if let Some(map) = attributes.as_object_mut() {
        map.retain(|k, _| !OWN.iter().any(|o| o.eq_ignore_ascii_case(k)));
        // Stored as a boolean whatever form it came in.
        let key = map
            .keys()
            .find(|k| k.eq_ignore_ascii_case("active"))
            .cloned();
        if let Some(key) = key {
            map.remove(&key);
        }
    }
    Ok(DirectoryUser {
        user_name,
        external_id: text(resource, "externalId"),
        display_name,
        email,
        active: active(resource)?,
        attributes,
    })
}

/// A Group resource as sent.
pub fn directory_group(resource: &Value) -> Result<DirectoryGroup, String> {
    let display_name = text(resource, "displayName").ok_or("displayName is required")?;
    let members = match field(resource, "members") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|m| text(m, "value").ok_or_else(|| "members: each needs a value".to_string()))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("members is not a list".into()),
    };
    Ok(DirectoryGroup {
        display_name,
        external_id: text(resource, "externalId"),
        members,
    })
}

fn names(list: Option<&str>) -> Vec<String> {
    list.into_iter()
        .flat_map(|l| l.split(','))
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// `attributes` keeps only what was asked for (and `id`, `schemas`, `meta`);
/// `excludedAttributes` drops what was named. Sub-attributes (`name.givenName`)
/// and extension URNs are understood.
pub fn project(resource: Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    let Value::Object(map) = resource else {
        return resource;
    };
    let steps = |a: &str| super::filter::steps(a);
    let keep = names(attributes);
    let mut out = if keep.is_empty() {
        map
    } else {
        let mut out = Map::new();
        for (k, v) in &map {
            if ["id", "schemas", "meta"].contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
        for a in keep {
            let s = steps(&a);
            let Some((first, rest)) = s.split_first() else {
                continue;
            };
            let Some((key, value)) = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(first)) else {
                continue;
            };
            match (rest.first(), value) {
                (Some(sub), Value::Object(inner)) => {
                    if let Some((sk, sv)) = inner.iter().find(|(k, _)| k.eq_ignore_ascii_case(sub))
                    {
                        let slot = out
                            .entry(key.clone())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Some(o) = slot.as_object_mut() {
                            o.insert(sk.clone(), sv.clone());
                        }
                    }
                }
                (Some(sub), Value::Array(items)) => {
                    let picked: Vec<Value> = items
                        .iter()
                        .filter_map(|i| field(i, sub).map(|v| json!({ sub.clone(): v })))
                        .collect();
                    out.insert(key.clone(), Value::Array(picked));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        out
    };
    for a in names(excluded) {
        let s = steps(&a);
        match s.as_slice() {
            [one] if !["id", "schemas"].contains(&one.as_str()) => {
                out.retain(|k, _| !k.eq_ignore_ascii_case(one));
            }
            [one, sub] => {
                if let Some(Value::Object(inner)) = out
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(one))
                    .map(|(_, v)| v)
                {
                    inner.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                }
            }
            _ => {}
        }
    }
    Value::Object(out)
}

pub fn list(total: usize, start_index: usize, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc_3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_780_000_000), "2026-05-28T20:26:40Z");
    }

    #[test]
    fn active_reads_entra_ids_strings() {
        let u = directory_user(&json!({"userName": "a@x.test", "active": "False"})).unwrap();
        assert!(!u.active);
        assert!(directory_user(&json!({"userName": "a@x.test", "active": "maybe"})).is_err());
    }

    #[test]
    fn attributes_keep_what_was_asked_and_excluded_drops_it() {
        let r = json!({"id": "1", "schemas": [], "userName": "a", "name": {"givenName": "A", "familyName": "B"}, "emails": [{"value": "a@x", "type": "work"}]});
        let kept = project(r.clone(), Some("userName,name.givenName"), None);
        assert_eq!(
            kept,
            json!({"id": "1", "schemas": [], "userName": "a", "name": {"givenName": "A"}})
        );
        let dropped = project(r, None, Some("emails,name.familyName"));
        assert_eq!(
            dropped,
            json!({"id": "1", "schemas": [], "userName": "a", "name": {"givenName": "A"}})
        );
    }
}
