//! `/api/v1/openapi.json`: the OpenAPI 3 description, generated from the handlers'
//! annotations so it cannot drift from the code.

use super::error::{ErrorBody, ErrorFields};
use super::{
    accounts, api_keys, audit, authzen, check, discovery, exports, feed, import, members, objects,
    orgs, ownership, scim_tokens, second_factor, sso, webhooks, Application,
};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward",
        description = "Organizations, members, roles and permissions. Errors are `{\"error\": {\"code\", \"reason\", \"message\"}}` (`ErrorBody`); another organization's ids are always 404.",
    ),
    paths(
        accounts::signup, accounts::login, accounts::refresh, accounts::logout, accounts::me,
        accounts::jwks, accounts::accept_invitation, accounts::request_password_reset,
        accounts::reset_password, accounts::verify_email, accounts::change_password,
        discovery::openid_configuration, discovery::oauth_authorization_server,
        orgs::create, orgs::read, orgs::delete, orgs::deletion, orgs::my_access, orgs::policy, orgs::org_policy,
        members::list, members::read, members::update, members::remove, members::bulk_delete,
        members::suspend, members::reinstate,
        members::set_scope_roles, members::invite, members::invitations,
        members::revoke_invitation, members::resend_invitation, import::import,
        ownership::nominate, ownership::pending, ownership::cancel, ownership::accept,
        ownership::decline,
        objects::create, objects::list, objects::read, objects::update, objects::remove,
        objects::change_owner, objects::permissions, objects::set_grant,
        check::check, check::check_batch, check::member_permissions,
        audit::list, audit::verify, feed::list, exports::audit_export, exports::members_export,
        api_keys::create, api_keys::list, api_keys::revoke,
        scim_tokens::create, scim_tokens::list, scim_tokens::revoke,
        scim_tokens::groups, scim_tokens::map_group, scim_tokens::settings,
        scim_tokens::set_settings,
        sso::read, sso::configure, sso::remove, sso::prove_domain, sso::start,
        authzen::evaluation, authzen::evaluations, authzen::configuration,
        second_factor::status, second_factor::begin, second_factor::confirm,
        second_factor::disable, second_factor::login, second_factor::setting,
        second_factor::set_setting, second_factor::reset,
        webhooks::create, webhooks::list, webhooks::read, webhooks::update, webhooks::remove,
        webhooks::rotate_secret, webhooks::deliveries, webhooks::redeliver,
    ),
    components(schemas(ErrorBody, ErrorFields)),
    modifiers(&BearerAuth, &ErrorAnswers),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

/// Access tokens and API keys both travel as `Authorization: Bearer`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every 4xx and 5xx answer carries `ErrorBody`: said once here rather than on
/// each of the handlers' annotations, so no error answer can be left bare.
struct ErrorAnswers;

impl Modify for ErrorAnswers {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let body = Content::new(Some(Ref::from_schema_name("ErrorBody")));
        // SCIM answers its errors in its own schema (RFC 7644), not in ErrorBody.
        let ours = api
            .paths
            .paths
            .iter_mut()
            .filter(|(path, _)| !path.starts_with("/scim"));
        for (_, item) in ours {
            for op in operations(item) {
                // An operation that needs a token may always be answered 401.
                if op.security.is_none() && !op.responses.responses.contains_key("401") {
                    let unauthenticated = utoipa::openapi::Response::new("");
                    op.responses
                        .responses
                        .insert("401".into(), RefOr::T(unauthenticated));
                }
                for (status, answer) in op.responses.responses.iter_mut() {
                    if !(status.starts_with('4') || status.starts_with('5')) {
                        continue;
                    }
                    if let RefOr::T(answer) = answer {
                        let mut with_body = body.clone();
                        with_body.example = Some(error_example(status));
                        answer.content.insert("application/json".into(), with_body);
                        if answer.description.is_empty() {
                            answer.description = description(status).into();
                        }
                    }
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn description(status: &str) -> &'static str {
    match status {
        "400" => "The input is invalid; `reason` names the field or rule.",
        "401" => "No credentials, or bad or expired ones.",
        "403" => "A rule or the caller's permissions forbid it; `message` says which.",
        "404" => "No such thing, or the caller may not know it exists.",
        "409" => "It conflicts with what is there.",
        "413" => "The body is over the endpoint's limit.",
        "429" => "Too many attempts; `Retry-After` says when to try again.",
        "503" => "Busy; try again.",
        _ => "An error.",
    }
}

fn error_example(status: &str) -> serde_json::Value {
    let (code, reason, message) = match status {
        "400" => ("INVALID", "body", "missing field `user_id`"),
        "401" => ("UNAUTHENTICATED", "invalid_token", "the token is not valid"),
        "403" => (
            "FORBIDDEN",
            "not_permitted",
            "you may not manage members here",
        ),
        "404" => ("NOT_FOUND", "org_not_found", "no such organization"),
        "409" => ("CONFLICT", "email_taken", "that address has an account"),
        "413" => ("INVALID", "body_too_large", "the request body is too large"),
        "429" => ("RATE_LIMITED", "too_many_attempts", "try again in 30 s"),
        _ => ("UNAVAILABLE", "busy", "busy; try again"),
    };
    serde_json::json!({"error": {"code": code, "reason": reason, "message": message}})
}

pub fn router() -> Router<Application> {
    Router::new().route("/api/v1/openapi.json", get(openapi))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_of_the_contract_is_described() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/signup",
            "/api/v1/auth/login",
            "/api/v1/auth/refresh",
            "/api/v1/auth/logout",
            "/api/v1/me",
            "/.well-known/jwks.json",
            "/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server",
            "/api/v1/orgs",
            "/api/v1/orgs/{org}",
            "/api/v1/orgs/{org}/members",
            "/api/v1/orgs/{org}/members/{user}",
            "/api/v1/orgs/{org}/members/bulk-delete",
            "/api/v1/orgs/{org}/invitations",
            "/api/v1/invitations/{token}/accept",
            "/api/v1/orgs/{org}/members/{user}/scopes/{object}",
            "/api/v1/orgs/{org}/ownership-transfer",
            "/api/v1/orgs/{org}/ownership-transfer/accept",
            "/api/v1/orgs/{org}/ownership-transfer/decline",
            "/api/v1/orgs/{org}/objects",
            "/api/v1/orgs/{org}/objects/{id}",
            "/api/v1/orgs/{org}/objects/{id}/owner",
            "/api/v1/orgs/{org}/objects/{id}/permissions",
            "/api/v1/orgs/{org}/objects/{id}/grants/{user}",
            "/api/v1/orgs/{org}/check",
            "/api/v1/orgs/{org}/check/batch",
            "/api/v1/orgs/{org}/members/{user}/permissions",
            "/api/v1/orgs/{org}/import",
            "/api/v1/orgs/{org}/audit",
            "/api/v1/orgs/{org}/audit/verify",
            "/api/v1/orgs/{org}/audit/export",
            "/api/v1/orgs/{org}/events",
            "/api/v1/orgs/{org}/members/export",
            "/api/v1/policy",
            "/api/v1/orgs/{org}/policy",
            "/api/v1/orgs/{org}/api-keys",
        ] {
            assert!(
                paths.contains_key(path),
                "{path} is missing from openapi.json"
            );
        }
        assert!(doc["components"]["schemas"]["MemberView"].is_object());
        assert!(doc["components"]["schemas"]["ImportAnswer"].is_object());
        assert!(
            doc["paths"]["/api/v1/orgs/{org}/objects/{id}"]["patch"].is_object(),
            "renaming and moving an object is described"
        );
        assert!(doc["components"]["schemas"]["UpdateObject"].is_object());
    }

    fn operations(doc: &serde_json::Value) -> Vec<(String, String, &serde_json::Value)> {
        let mut found = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                found.push((path.clone(), method.clone(), op));
            }
        }
        found
    }

    #[test]
    fn every_operation_has_its_own_operation_id() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut seen = std::collections::HashMap::new();
        for (path, method, op) in operations(&doc) {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{method} {path} has operationId {id:?}, not a camelCase name"
            );
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("{id} names both {other} and {method} {path}");
            }
        }
        assert_eq!(
            seen.get("listMembers").map(String::as_str),
            Some("get /api/v1/orgs/{org}/members")
        );
    }

    #[test]
    fn a_parameter_declared_in_the_path_is_in_the_path() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        for (path, method, op) in operations(&doc) {
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    param["in"].as_str() == Some("path"),
                    in_path,
                    "{method} {path}: parameter {name} is declared in {}",
                    param["in"]
                );
            }
        }
        let list = &doc["paths"]["/api/v1/orgs/{org}/members"]["get"]["parameters"];
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "role" && p["in"] == "query"));
    }

    #[test]
    fn every_error_answer_is_described_with_the_error_body() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let ours = operations(&doc)
            .into_iter()
            .filter(|(path, _, _)| !path.starts_with("/scim"));
        for (path, method, op) in ours {
            for (status, answer) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        answer["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status} has no error schema"
                    );
                }
            }
        }
        let members = &doc["paths"]["/api/v1/orgs/{org}/members"]["get"]["responses"];
        assert!(
            members["401"].is_object(),
            "an operation that needs a token may be 401"
        );
        let signup = &doc["paths"]["/api/v1/signup"]["post"];
        assert_eq!(
            signup["security"],
            serde_json::json!([{}]),
            "signing up needs no token"
        );
        let fields = &doc["components"]["schemas"]["ErrorFields"]["properties"];
        for field in ["code", "reason", "message"] {
            assert!(fields[field].is_object(), "the error body has {field}");
        }
    }

    /// Every path a router of `http/` serves is in the description: read from the
    /// routers' source, so a route added without its annotation fails here.
    #[test]
    fn every_route_the_router_serves_is_described() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let sources = [
            include_str!("accounts.rs"),
            include_str!("api_keys.rs"),
            include_str!("api_docs.rs"),
            include_str!("audit.rs"),
            include_str!("authzen.rs"),
            include_str!("check.rs"),
            include_str!("discovery.rs"),
            include_str!("exports.rs"),
            include_str!("feed.rs"),
            include_str!("import.rs"),
            include_str!("members.rs"),
            include_str!("objects.rs"),
            include_str!("orgs.rs"),
            include_str!("ownership.rs"),
            include_str!("ops.rs"),
            include_str!("scim_tokens.rs"),
            include_str!("sso.rs"),
            include_str!("webhooks.rs"),
        ];
        // The description itself, its reader, and the operator's probes.
        let undescribed = ["/api/v1/openapi.json", "/healthz", "/readyz", "/metrics"];
        let described = |path: &str| paths.contains_key(path) || path.starts_with("/api/docs");
        let mut routes = 0;
        for source in sources {
            for piece in source.split(".route(").skip(1) {
                let path = piece.trim_start().trim_start_matches('"');
                let path = &path[..path.find('"').unwrap()];
                routes += 1;
                if !undescribed.contains(&path) {
                    assert!(described(path), "{path} is served, not described");
                }
            }
        }
        assert!(routes > 30, "the routers were read ({routes} routes)");
    }
}
