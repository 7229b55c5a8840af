//! Talking to an organization's OpenID provider: discovery (cached briefly),
//! the authorization URL with PKCE, state and nonce, and the code exchange whose
//! ID token the `openidconnect` crate checks (issuer, audience, expiry,
//! signature, nonce). The crate brings no HTTP client here: `ProviderHttp` gives
//! it reqwest, without redirects (docs/sign-in.md#single-sign-on).

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpClientError, HttpRequest,
    HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _,
};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// How long a provider's discovery document (and its keys) is reused.
const METADATA_SECONDS: u64 = 300;
/// How long Steward waits for a provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// openidconnect's HTTP client: reqwest, following no redirect (an endpoint that
/// redirects is not the one discovery named).
pub struct ProviderHttp(reqwest::Client);

impl ProviderHttp {
    fn new() -> Result<ProviderHttp, String> {
        // reqwest's rustls needs a crypto provider: aws-lc-rs, the one already
        // built for the tokens. Installing it again (another caller did) is fine.
        static PROVIDER: Once = Once::new();
        PROVIDER.call_once(|| {
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        });
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map(ProviderHttp)
            .map_err(|e| format!("an HTTP client for the providers: {e}"))
    }
}

type Answer<'c> = Pin<
    Box<dyn Future<Output = Result<HttpResponse, HttpClientError<reqwest::Error>>> + Send + 'c>,
>;

impl<'c> openidconnect::AsyncHttpClient<'c> for ProviderHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Answer<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(Box::new)?;
            let response = self.0.execute(request).await.map_err(Box::new)?;
            let mut answer = openidconnect::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?;
            Ok(answer.body(body.to_vec())?)
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
