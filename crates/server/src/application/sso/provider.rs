//! Talking to an organization's OpenID provider: discovery (cached briefly),
//! the authorization URL with PKCE, state and nonce, and the code exchange whose
//! ID token the `openidconnect` crate checks (issuer, audience, expiry,
//! signature, nonce). The crate brings no HTTP client here: `ProviderHttp` gives
//! it hyper over rustls, without redirects (docs/sign-in.md#single-sign-on).

use axum::body::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse as _,
};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a provider's discovery document (and its keys) is reused.
const METADATA_SECONDS: u64 = 300;
/// How long Steward waits for a provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// openidconnect's HTTP client: hyper over rustls (aws-lc-rs, the system's CA
/// roots), plain http too (a provider on the same host, the tests), following
/// no redirect (an endpoint that redirects is not the one discovery named).
pub struct ProviderHttp(Client<HttpsConnector<HttpConnector>, Full<Bytes>>);

/// Why a request to a provider failed, for the log.
#[derive(Debug, thiserror::Error)]
pub enum ProviderHttpError {
    #[error("request: {0}")]
    Request(#[from] hyper_util::client::legacy::Error),
    #[error("answer: {0}")]
    Answer(String),
    #[error("building an answer: {0}")]
    Http(#[from] openidconnect::http::Error),
    #[error("no answer within {} s", PROVIDER_TIMEOUT.as_secs())]
    Timeout,
}

impl ProviderHttp {
    fn new() -> Result<ProviderHttp, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("the system's CA roots for the providers: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(ProviderHttp(
            Client::builder(TokioExecutor::new()).build(https),
        ))
    }
}

type Answer<'c> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderHttpError>> + Send + 'c>>;

impl<'c> openidconnect::AsyncHttpClient<'c> for ProviderHttp {
    type Error = ProviderHttpError;
    type Future = Answer<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = request.map(|body| Full::new(Bytes::from(body)));
            let exchange = async {
                let response = self.0.request(request).await?;
                let (parts, body) = response.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| ProviderHttpError::Answer(e.to_string()))?
                    .to_bytes()
                    .to_vec();
                Ok::<_, ProviderHttpError>(HttpResponse::from_parts(parts, body))
            };
            tokio::time::timeout(PROVIDER_TIMEOUT, exchange)
                .await
                .map_err(|_| ProviderHttpError::Timeout)?
        })
    }
}

/// What a sign-in sent to the provider must remember until it comes back.
pub struct Sent {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider says signed in, its ID token checked.
#[derive(Debug)]
pub struct Vouched {
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// Why a sign-in failed at the provider's end.
#[derive(Debug)]
pub enum ProviderFailure {
    /// Discovery or the token endpoint failed: the provider, or its settings.
    Unreachable(String),
    /// The ID token failed a check (issuer, audience, expiry, signature, nonce),
    /// or there was none.
    TokenRefused(String),
}

/// The organizations' providers, as this node knows them.
pub struct Providers {
    http: ProviderHttp,
    metadata: Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>,
}

/// A provider's settings, as a sign-in uses them.
pub struct ProviderSettings<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: &'a str,
}

impl Providers {
    pub fn new() -> Result<Providers, String> {
        Ok(Providers {
            http: ProviderHttp::new()?,
            metadata: Mutex::default(),
        })
    }

    async fn metadata(&self, issuer: &str) -> Result<CoreProviderMetadata, ProviderFailure> {
        let cached = self
            .metadata
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(issuer)
            .filter(|(at, _)| at.elapsed() < Duration::from_secs(METADATA_SECONDS))
            .map(|(_, m)| m.clone());
        if let Some(metadata) = cached {
            return Ok(metadata);
        }
        let url = IssuerUrl::new(issuer.to_string())
            .map_err(|e| ProviderFailure::Unreachable(format!("issuer URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(url, &self.http)
            .await
            .map_err(|e| ProviderFailure::Unreachable(format!("discovery: {}", chain(&e))))?;
        self.metadata
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(issuer.to_string(), (Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(
        &self,
        settings: &ProviderSettings<'_>,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        ProviderFailure,
    > {
        let metadata = self.metadata(settings.issuer).await?;
        let redirect = RedirectUrl::new(settings.redirect_uri.to_string())
            .map_err(|e| ProviderFailure::Unreachable(format!("redirect URI: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.to_string()),
            Some(ClientSecret::new(settings.client_secret.to_string())),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's authorization URL for `email`, with a new state, nonce and
    /// PKCE challenge (S256).
    pub async fn send(
        &self,
        settings: &ProviderSettings<'_>,
        email: &str,
    ) -> Result<Sent, ProviderFailure> {
        let client = self.client(settings).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_extra_param("login_hint", email)
            .set_pkce_challenge(challenge)
            .url();
        Ok(Sent {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code for tokens and checks the ID token against the nonce
    /// the sign-in was sent with.
    pub async fn receive(
        &self,
        settings: &ProviderSettings<'_>,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Vouched, ProviderFailure> {
        let client = self.client(settings).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| ProviderFailure::Unreachable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| ProviderFailure::Unreachable(format!("code exchange: {}", chain(&e))))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| ProviderFailure::TokenRefused("no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce.to_string()))
            .map_err(|e| ProviderFailure::TokenRefused(chain(&e)))?;
        let email = claims
            .email()
            .map(|e| e.as_str().to_string())
            .ok_or_else(|| ProviderFailure::TokenRefused("no email claim".into()))?;
        Ok(Vouched {
            email,
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
        })
    }
}

/// An error and its causes, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
