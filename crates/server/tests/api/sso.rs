//! Single sign-on against a real (small) OpenID provider served by the test
//! (oidc_stub.rs): a person on the organization's proven domain signs in
//! through it and joins with the default role; every forged or replayed answer
//! is refused and counted by the login's limiter; an organization that
//! requires SSO refuses its members' passwords, and its owner's break-glass
//! sign-in is audited (docs/sign-in.md).

use crate::oidc_stub::{OidcStub, Tweak, CLIENT_ID, CLIENT_SECRET};
use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};
use steward::application::sso::SsoCallback;
use steward::application::AppError;

const LOCALHOST: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

struct Setup {
    app: TestApp,
    stub: OidcStub,
    org: Org,
}

/// An organization owned by owner@acme.test, with single sign-on through the
/// stub for acme.test, proven by the owner's verified address.
async fn setup(require_sso: bool) -> Setup {
    setup_on(
        steward_core::Policy::preset("systems").unwrap(),
        require_sso,
    )
    .await
}

async fn setup_on(policy: steward_core::Policy, require_sso: bool) -> Setup {
    let app = spawn_app(policy).await;
    let stub = OidcStub::start().await;
    let org = app.signup("owner@acme.test", "Acme").await;
    let settings = app
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{}/sso", org.id),
            Some(&org.owner.token),
            Some(json!({
                "issuer": stub.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "domains": ["acme.test"],
                "require_sso": require_sso,
                "notify_new_sign_in": true,
            })),
        )
        .await
        .expect(200);
    assert_eq!(settings["domains"][0]["proven"], false);
    let proven = app
        .post(
            &format!("/api/v1/orgs/{}/sso/domains/acme.test/prove", org.id),
            &org.owner.token,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(proven["domains"][0]["proven_by"], "owner@acme.test");
    Setup { app, stub, org }
}

impl Setup {
    async fn authorization_url(&self, email: &str) -> String {
        self.app
            .call(
                Method::POST,
                "/api/v1/auth/sso/start",
                None,
                Some(json!({"email": email})),
            )
            .await
            .expect(200)["authorization_url"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The provider's answer, straight to the use case: the account or the error.
    async fn finish(&self, email: &str, tweak: Tweak) -> Result<String, AppError> {
        let url = self.authorization_url(email).await;
        let (state, code) = self.stub.grant(&url, email, tweak);
        self.finish_with(&state, &code).await
    }

    async fn finish_with(&self, state: &str, code: &str) -> Result<String, AppError> {
        let callback = SsoCallback {
            state: Some(state.to_string()),
            code: Some(code.to_string()),
            error: None,
        };
        self.app
            .app
            .sso_finish(callback, LOCALHOST)
            .await
            .map(|u| u.to_string())
    }

    async fn audit(&self, event_type: &str) -> Vec<Value> {
        self.app
            .get(
                &format!("/api/v1/orgs/{}/audit?type={event_type}", self.org.id),
                &self.org.owner.token,
            )
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    async fn members(&self) -> Vec<Value> {
        self.app
            .get(
                &format!("/api/v1/orgs/{}/members", self.org.id),
                &self.org.owner.token,
            )
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn reason(result: Result<String, AppError>) -> &'static str {
    match result {
        Ok(user) => panic!("signed in as {user}"),
        Err(e) => e.reason(),
    }
}

fn claims(claims: Value) -> Tweak {
    Tweak {
        claims,
        ..Tweak::default()
    }
}

#[tokio::test]
async fn a_person_on_the_proven_domain_signs_in_through_the_provider_and_joins_with_the_default_role(
) {
    let s = setup(false).await;
    let url = s.authorization_url("nia@acme.test").await;
    assert!(url.starts_with(&s.stub.issuer), "{url}");
    let (state, code) = s.stub.grant(&url, "nia@acme.test", Tweak::default());
    // The browser comes back to the console's callback and is signed in.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser
        .get(s.app.url("/sso/callback"))
        .query(&[("state", &state), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 303, "{:?}", answer.text().await);
    assert!(answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("steward_session=")));
    let members = s.members().await;
    let nia = members
        .iter()
        .find(|m| m["email"] == "nia@acme.test")
        .unwrap_or_else(|| panic!("no membership: {members:?}"));
    assert_eq!(nia["role"], "member");
    assert_eq!(nia["name"], "Nia Newcomer");
    assert_eq!(s.audit("sso.joined").await.len(), 1);
    assert_eq!(s.audit("sso.signed_in").await.len(), 1);
    // The organization asked for a notice: one is queued to the person.
    let mail = s
        .app
        .app
        .service()
        .store()
        .pending_mail_to("nia@acme.test")
        .await
        .unwrap();
    assert!(
        mail.iter().any(|l| l.subject.contains("single sign-on")),
        "{mail:?}"
    );

    // The same state again is a replay.
    let again = browser
        .get(s.app.url("/sso/callback"))
        .query(&[("state", &state), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 200);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("unknown, used or expired"));
    // A second sign-in joins nobody again.
    assert!(s.finish("nia@acme.test", Tweak::default()).await.is_ok());
    assert_eq!(s.audit("sso.joined").await.len(), 1);
    assert_eq!(s.audit("sso.signed_in").await.len(), 2);
}

#[tokio::test]
async fn a_replayed_state_is_refused() {
    let s = setup(false).await;
    let url = s.authorization_url("nia@acme.test").await;
    let (state, code) = s.stub.grant(&url, "nia@acme.test", Tweak::default());
    assert!(s.finish_with(&state, &code).await.is_ok());
    assert_eq!(
        reason(s.finish_with(&state, &code).await),
        "sso_state_invalid"
    );
    assert_eq!(
        reason(s.finish_with("made-up-state", &code).await),
        "sso_state_invalid"
    );
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    let s = setup(false).await;
    let tweak = claims(json!({"iss": "http://evil.test"}));
    assert_eq!(
        reason(s.finish("nia@acme.test", tweak).await),
        "sso_token_invalid"
    );
    assert!(s
        .members()
        .await
        .iter()
        .all(|m| m["email"] != "nia@acme.test"));
}

#[tokio::test]
async fn an_id_token_for_another_client_is_refused() {
    let s = setup(false).await;
    let tweak = claims(json!({"aud": "another-client"}));
    assert_eq!(
        reason(s.finish("nia@acme.test", tweak).await),
        "sso_token_invalid"
    );
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let s = setup(false).await;
    let now = steward_now();
    let tweak = claims(json!({"iat": now - 7200, "exp": now - 3600}));
    assert_eq!(
        reason(s.finish("nia@acme.test", tweak).await),
        "sso_token_invalid"
    );
}

#[tokio::test]
async fn an_id_token_with_a_bad_signature_is_refused() {
    let s = setup(false).await;
    let tweak = Tweak {
        forged: true,
        ..Tweak::default()
    };
    assert_eq!(
        reason(s.finish("nia@acme.test", tweak).await),
        "sso_token_invalid"
    );
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let s = setup(false).await;
    let tweak = claims(json!({"nonce": "a-nonce-from-another-sign-in"}));
    assert_eq!(
        reason(s.finish("nia@acme.test", tweak).await),
        "sso_token_invalid"
    );
}

#[tokio::test]
async fn the_provider_cannot_sign_in_an_address_off_the_organizations_proven_domains() {
    let s = setup(false).await;
    let url = s.authorization_url("nia@acme.test").await;
    let (state, code) = s
        .stub
        .grant(&url, "victim@elsewhere.test", Tweak::default());
    assert_eq!(
        reason(s.finish_with(&state, &code).await),
        "sso_email_refused"
    );
}

#[tokio::test]
async fn failed_single_sign_ons_are_counted_by_the_login_limiter() {
    let s = setup(false).await;
    for _ in 0..5 {
        let tweak = claims(json!({"aud": "another-client"}));
        assert_eq!(
            reason(s.finish("nia@acme.test", tweak).await),
            "sso_token_invalid"
        );
    }
    // Even a good answer now waits: the address has spent its attempts.
    assert_eq!(
        reason(s.finish("nia@acme.test", Tweak::default()).await),
        "too_many_attempts"
    );
}

#[tokio::test]
async fn an_address_without_a_proven_sso_domain_is_not_sent_anywhere() {
    let s = setup(false).await;
    s.app
        .call(
            Method::POST,
            "/api/v1/auth/sso/start",
            None,
            Some(json!({"email": "someone@elsewhere.test"})),
        )
        .await
        .refused(404, "sso_not_configured");
}

#[tokio::test]
async fn a_domain_belongs_to_one_organization() {
    let s = setup(false).await;
    let other = s.app.signup("boss@other.test", "Other").await;
    s.app
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{}/sso", other.id),
            Some(&other.owner.token),
            Some(json!({
                "issuer": s.stub.issuer,
                "client_id": "x",
                "client_secret": "y",
                "domains": ["acme.test"],
            })),
        )
        .await
        .refused(409, "sso_domain_taken");
}

#[tokio::test]
async fn the_client_secret_is_never_answered_nor_audited() {
    let s = setup(false).await;
    let view = s
        .app
        .get(
            &format!("/api/v1/orgs/{}/sso", s.org.id),
            &s.org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(view["client_secret_set"], true);
    assert!(!view.to_string().contains(CLIENT_SECRET));
    let audit = s.audit("sso.configured").await;
    assert_eq!(audit.len(), 1);
    assert!(!Value::from(audit).to_string().contains(CLIENT_SECRET));
}

#[tokio::test]
async fn a_member_may_not_read_or_change_single_sign_on() {
    let s = setup(false).await;
    let member = s
        .app
        .join(&s.org.id, &s.org.owner, "mo@acme.test", Some("member"))
        .await;
    s.app
        .get(&format!("/api/v1/orgs/{}/sso", s.org.id), &member.token)
        .await
        .refused(403, "not_permitted");
    s.app
        .delete(&format!("/api/v1/orgs/{}/sso", s.org.id), &member.token)
        .await
        .refused(403, "not_permitted");
}

#[tokio::test]
async fn sso_required_refuses_a_members_password_and_audits_the_owners_break_glass() {
    let s = setup(false).await;
    s.app
        .join(&s.org.id, &s.org.owner, "mo@acme.test", Some("member"))
        .await;
    s.app
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{}/sso", s.org.id),
            Some(&s.org.owner.token),
            Some(json!({
                "issuer": s.stub.issuer,
                "client_id": CLIENT_ID,
                "domains": ["acme.test"],
                "require_sso": true,
            })),
        )
        .await
        .expect(200);
    let login = |email: &'static str| {
        s.app.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
    };
    let refused = login("mo@acme.test").await;
    refused.refused(403, "sso_required");
    assert!(refused.body.to_string().contains(&s.stub.issuer));
    assert!(s.audit("auth.break_glass").await.is_empty());
    login("owner@acme.test").await.expect(200);
    let glass = s.audit("auth.break_glass").await;
    assert_eq!(glass.len(), 1);
    assert_eq!(glass[0]["target_id"], s.org.owner.id);
    // Single sign-on still signs the member in.
    assert!(s.finish("mo@acme.test", Tweak::default()).await.is_ok());
}

#[tokio::test]
async fn a_just_in_time_join_cannot_make_an_admin_and_leaves_no_account() {
    let mut policy = steward_core::Policy::preset("systems").unwrap();
    policy.governance.default_role = policy.org_role("admin").unwrap();
    let s = setup_on(policy, false).await;
    assert_eq!(
        reason(s.finish("nia@acme.test", Tweak::default()).await),
        "sso_role_too_high"
    );
    assert!(s
        .members()
        .await
        .iter()
        .all(|m| m["email"] != "nia@acme.test"));
    let email = steward_core::Email::parse("nia@acme.test").unwrap();
    let account = s.app.app.service().store().account_by_email(&email).await;
    assert!(account.unwrap().is_none(), "an account was left behind");
}

fn steward_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
