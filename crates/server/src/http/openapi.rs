//! `/api/v1/openapi.json`: the OpenAPI 3 description, generated from the handlers'
//! annotations so it cannot drift from the code.

use super::{
    accounts, api_keys, audit, check, discovery, exports, import, members, objects, orgs,
    ownership, scim_tokens, Application,
};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward",
        description = "Organizations, members, roles and permissions. Errors are `{\"error\": {\"code\", \"reason\", \"message\"}}`; another organization's ids are always 404.",
    ),
    paths(
        accounts::signup, accounts::login, accounts::refresh, accounts::logout, accounts::me,
        accounts::jwks, accounts::accept_invitation, accounts::request_password_reset,
        accounts::reset_password, accounts::verify_email, accounts::change_password,
        discovery::openid_configuration, discovery::oauth_authorization_server,
        orgs::create, orgs::read, orgs::delete, orgs::deletion, orgs::my_access, orgs::policy, orgs::org_policy,
        members::list, members::read, members::update, members::remove, members::bulk_delete,
        members::set_scope_roles, members::invite, members::invitations,
        members::revoke_invitation, members::resend_invitation, import::import,
        ownership::nominate, ownership::pending, ownership::cancel, ownership::accept,
        ownership::decline,
        objects::create, objects::list, objects::read, objects::update, objects::remove,
        objects::change_owner, objects::permissions, objects::set_grant,
        check::check, check::check_batch, check::member_permissions,
        audit::list, audit::verify, exports::audit_export, exports::members_export,
        api_keys::create, api_keys::list, api_keys::revoke,
        scim_tokens::create, scim_tokens::list, scim_tokens::revoke,
    ),
    modifiers(&BearerAuth),
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
}
