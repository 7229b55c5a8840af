//! What a directory reads to learn what this service provider supports:
//! `ServiceProviderConfig`, `ResourceTypes` and `Schemas` (RFC 7643 §5-7).

use super::resources::{ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
use serde_json::{json, Value};

/// The most resources one list answers.
pub const MAX_RESULTS: usize = 1000;

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/steward/steward/blob/main/docs/provisioning.md",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "The organization's SCIM token, made on the console's Provisioning page",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig")
        }
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A member of the organization",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{ "schema": ENTERPRISE_SCHEMA, "required": false }],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") }
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A directory group; the organization maps it to a role",
            "schema": GROUP_SCHEMA,
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") }
        }),
    ]
}

fn attribute(name: &str, kind: &str, extra: Value) -> Value {
    let mut a = json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none"
    });
    if let (Some(a), Value::Object(extra)) = (a.as_object_mut(), extra) {
        a.extend(extra);
    }
    a
}

fn sub_attributes(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| {
                attribute(
                    n,
                    if *n == "primary" { "boolean" } else { "string" },
                    json!({}),
                )
            })
            .collect(),
    )
}

pub fn schemas(base: &str) -> Vec<Value> {
    let schema = |id: &str, name: &str, attributes: Vec<Value>| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": id,
            "name": name,
            "attributes": attributes,
            "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{id}") }
        })
    };
    vec![
        schema(
            USER_SCHEMA,
            "User",
            vec![
                attribute(
                    "userName",
                    "string",
                    json!({"required": true, "uniqueness": "server"}),
                ),
                attribute(
                    "name",
                    "complex",
                    json!({"subAttributes": sub_attributes(&["formatted", "familyName", "givenName", "middleName"])}),
                ),
                attribute("displayName", "string", json!({})),
                attribute("active", "boolean", json!({})),
                attribute("externalId", "string", json!({"caseExact": true})),
                attribute(
                    "emails",
                    "complex",
                    json!({"multiValued": true, "subAttributes": sub_attributes(&["value", "type", "primary"])}),
                ),
                attribute("title", "string", json!({})),
            ],
        ),
        schema(
            GROUP_SCHEMA,
            "Group",
            vec![
                attribute("displayName", "string", json!({"required": true})),
                attribute("externalId", "string", json!({"caseExact": true})),
                attribute(
                    "members",
                    "complex",
                    json!({"multiValued": true, "subAttributes": sub_attributes(&["value", "display", "$ref"])}),
                ),
            ],
        ),
        schema(
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            [
                "employeeNumber",
                "costCenter",
                "organization",
                "division",
                "department",
            ]
            .iter()
            .map(|n| attribute(n, "string", json!({})))
            .chain([attribute(
                "manager",
                "complex",
                json!({"subAttributes": sub_attributes(&["value", "displayName"])}),
            )])
            .collect(),
        ),
    ]
}
