//! The application layer: every use case the API, the console and the CLI
//! perform, reads included, once. Each takes typed input and a `Caller` (or an
//! `InOrg`), answers a typed view or an `AppError`, and goes through the service
//! for every change. Adapters parse, call one use case and render; none calls
//! another adapter. See docs/architecture.md.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod audit_file;
pub mod authzen;
mod caller;
pub mod checks;
mod error;
pub mod exports;
pub mod feed;
pub mod import;
pub mod invitations;
pub mod joining;
pub mod keys;
mod list;
mod mailing;
pub mod me;
pub mod members;
pub mod objects;
pub mod operator_check;
pub mod orgs;
pub mod ownership;
pub mod passwords;
pub mod provisioning;
pub mod second_factor;
pub mod sessions;
pub mod sso;
pub mod webhooks;

pub use caller::{parse_object, parse_user, Caller, InOrg};
pub use error::{AppError, Denied, ErrorKind, Unauthenticated};
pub use list::{page_limit, Page};

use crate::auth::{LoginLimiter, Passwords, Signer, TokenError, TokenIdentity};
use crate::mail::{MailDesk, Transport};
use crate::service::Service;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// API keys carry this prefix, so a bearer token is told apart without parsing.
pub const API_KEY_PREFIX: &str = "stw_key_";

/// What a deployment is set to, for the use cases that depend on it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether self-service signup (`POST /api/v1/signup`, the console's form) is open.
    pub signup: bool,
    /// The address people open, for links printed or returned (invitations);
    /// also the `iss` of access tokens.
    pub public_url: String,
    /// The `aud` of access tokens (`crate::auth::DEFAULT_TOKEN_AUDIENCE` unless
    /// `serve --token-audience` says otherwise).
    pub token_audience: String,
}

impl Settings {
    /// `path` (starting with `/`) under the public address.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// The use cases of organizations, members, objects, checks and the audit log:
/// all an operator's command line needs (no token-signing key). Cheap to clone.
#[derive(Clone)]
pub struct Steward {
    service: Service,
    settings: Arc<Settings>,
    checks: Arc<CheckTally>,
    mail: Arc<MailDesk>,
    /// The SCIM requests not yet written (docs/provisioning.md#the-request-log).
    directory_log: Arc<provisioning::RequestLog>,
}

impl Steward {
    pub fn new(service: Service, settings: Settings) -> Steward {
        Steward {
            service,
            settings: Arc::new(settings),
            checks: Arc::default(),
            mail: Arc::default(),
            directory_log: Arc::default(),
        }
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Checks answered since start, by result.
    pub fn checks(&self) -> &CheckTally {
        &self.checks
    }

    /// The caller inside `org`, or `unknown_org` for one who is not in it.
    pub fn in_org(&self, caller: Caller, org: &str) -> Result<InOrg, AppError> {
        InOrg::resolve(&self.service, caller, org)
    }
}

/// Why a node should not be sent requests.
#[derive(Debug)]
pub enum NotReady {
    /// Another node replaced the database's policy: this one decides with an
    /// old one and writes nothing until restarted.
    PolicyReplaced(crate::store::PolicyId),
    DatabaseUnreachable,
}

impl Steward {
    /// Whether this node can serve: the database answers and its policy is still
    /// the one this node decides with.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        if let Some(stored) = self.service.policy_replaced() {
            return Err(NotReady::PolicyReplaced(stored.clone()));
        }
        match sqlx::query("SELECT 1")
            .execute(self.service.store().pool())
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "readiness: the database does not answer");
                Err(NotReady::DatabaseUnreachable)
            }
        }
    }
}

/// Checks answered, by result (what `/metrics` reports).
#[derive(Default)]
pub struct CheckTally {
    allowed: AtomicU64,
    denied: AtomicU64,
}

impl CheckTally {
    pub fn count(&self, allowed: u64, denied: u64) {
        self.allowed.fetch_add(allowed, Ordering::Relaxed);
        self.denied.fetch_add(denied, Ordering::Relaxed);
    }

    /// (allowed, denied)
    pub fn totals(&self) -> (u64, u64) {
        (
            self.allowed.load(Ordering::Relaxed),
            self.denied.load(Ordering::Relaxed),
        )
    }
}

/// What signing people in needs beyond the organizations: the token-signing key,
/// password hashing and the login limiter.
pub struct SignIn {
    pub signer: Signer,
    pub passwords: Passwords,
    pub limiter: LoginLimiter,
}

/// The whole application, as the API and the console serve it. One `Arc`: the
/// router hands every request its own clone of the state, so a clone is one
/// atomic increment, not one per part (docs/benchmarks.md "Server CPU per HTTP
/// check"). Its parts are read through `Deref` (`app.steward`, `app.sign_in`).
#[derive(Clone)]
pub struct Application(Arc<Parts>);

/// What an `Application` holds.
#[derive(Clone)]
pub struct Parts {
    pub steward: Steward,
    pub sign_in: Arc<SignIn>,
    /// The organizations' OpenID providers (single sign-on).
    pub sso: Arc<sso::Providers>,
}

impl std::ops::Deref for Application {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl Application {
    /// Loads the token-signing key (made on first start) beside the use cases.
    pub async fn open(service: Service, settings: Settings) -> Result<Application, AppError> {
        let now = service.clock().now().0;
        let identity = TokenIdentity::new(&settings.public_url, &settings.token_audience);
        let signer = Signer::load_or_create(service.store(), identity, now).await?;
        Ok(Application(Arc::new(Parts {
            steward: Steward::new(service, settings),
            sign_in: Arc::new(SignIn {
                signer,
                passwords: Passwords::new(),
                limiter: LoginLimiter::default(),
            }),
            sso: Arc::new(sso::Providers::new().map_err(AppError::Internal)?),
        })))
    }

    pub fn service(&self) -> &Service {
        self.steward.service()
    }

    /// The parts, to set up before serving (tests swap the password hashing).
    /// Clones made before keep the parts they had, as they did when each clone
    /// was a copy of every part: set up first, then clone.
    pub fn unshared(&mut self) -> &mut Parts {
        Arc::make_mut(&mut self.0)
    }

    /// Starts delivering the outbox with `transport` (call before the
    /// application is cloned): with SMTP, invitation links go only by mail.
    pub fn deliver_mail(&mut self, transport: Transport) -> tokio::task::JoinHandle<()> {
        let desk = Arc::new(MailDesk {
            over_smtp: transport.is_smtp(),
            bell: tokio::sync::Notify::new(),
        });
        self.unshared().steward.mail = desk.clone();
        crate::mail::spawn_courier(self.service().clone(), transport, desk)
    }

    /// Starts delivering webhooks (docs/webhooks.md); `allow_private` turns the
    /// SSRF rule off (`serve --webhooks-allow-private`).
    /// An endpoint given up on is turned off by `turn_off_failing_webhook`
    /// (call after `deliver_mail`, so its notice rings the mail courier).
    pub fn deliver_webhooks(&self, allow_private: bool) -> tokio::task::JoinHandle<()> {
        let steward = self.steward.clone();
        let give_up: crate::webhooks::GiveUp = Arc::new(move |org, webhook, reason| {
            let steward = steward.clone();
            Box::pin(async move {
                if let Err(e) = steward
                    .turn_off_failing_webhook(&org, &webhook, reason)
                    .await
                {
                    tracing::warn!(%webhook, error = %e, "could not turn a failing webhook off");
                }
            })
        });
        crate::webhooks::spawn_courier(self.service().clone(), allow_private, give_up)
    }

    pub fn settings(&self) -> &Settings {
        self.steward.settings()
    }

    /// The caller behind a bearer token: an API key is looked up by its SHA-256
    /// in memory; anything else must be an access token this deployment signed.
    pub fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        if token.starts_with(API_KEY_PREFIX) {
            // Hashed once per token, looked up every time: a revoked key is
            // refused at once (auth/presented_keys.rs).
            let presented = crate::auth::presented_keys::key_hash(token);
            return match self.service().api_key(&presented.hash) {
                Some(grant) => {
                    presented.remember();
                    Ok(Caller::Key(grant))
                }
                None => {
                    presented.forget();
                    Err(Unauthenticated::InvalidApiKey.into())
                }
            };
        }
        let now = self.service().clock().now().0;
        match self.sign_in.signer.verify(token, now) {
            Ok(claims) => steward_core::UserId::parse(&claims.sub)
                .map(Caller::Account)
                .map_err(|_| Unauthenticated::InvalidToken.into()),
            Err(TokenError::Expired) => Err(Unauthenticated::TokenExpired.into()),
            Err(_) => Err(Unauthenticated::InvalidToken.into()),
        }
    }
}
