//! The discovery documents: `/.well-known/openid-configuration` and
//! `/.well-known/oauth-authorization-server` name the issuer of access tokens,
//! where its keys are and the algorithm, for stock JWT middleware
//! (docs/tokens.md).

use crate::application::keys::DiscoveryDocument;
use crate::application::Application;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<Application> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth_authorization_server),
        )
}

#[utoipa::path(get, operation_id = "getOpenidConfiguration", security(()), path = "/.well-known/openid-configuration", tag = "accounts",
    responses((status = 200, body = DiscoveryDocument, description = "the issuer, the JWKS and the signing algorithm of access tokens")))]
pub(crate) async fn openid_configuration(
    State(app): State<Application>,
) -> Json<DiscoveryDocument> {
    Json(app.discovery())
}

/// The same document under RFC 8414's name, for gateways that look there.
#[utoipa::path(get, operation_id = "getOauthAuthorizationServer", security(()), path = "/.well-known/oauth-authorization-server", tag = "accounts",
    responses((status = 200, body = DiscoveryDocument)))]
pub(crate) async fn oauth_authorization_server(
    State(app): State<Application>,
) -> Json<DiscoveryDocument> {
    Json(app.discovery())
}
