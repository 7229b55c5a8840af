//! The second factor (TOTP, RFC 6238, with recovery codes): enrolment by its
//! signed-in holder, and the sign-in step after a matched password. Every code
//! guessed goes through the login's limiter and audit, as a password does
//! (docs/two-factor.md).

mod organization;

pub use organization::SecondFactorSetting;

use super::sessions::TokenAnswer;
use super::{AppError, Application, Caller, Denied, Steward, Unauthenticated};
use crate::secrets::new_secret;
use crate::store::{Account, TotpSecret};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Instant;
use steward_core::UserId;
use totp_rs::{Algorithm, Secret, TOTP};

/// How long the step between a password and a code may take.
pub const CHALLENGE_SECONDS: i64 = 300;
/// The prefix of a sign-in challenge's secret.
const CHALLENGE_PREFIX: &str = "stw_2fa_";
/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// RFC 6238's defaults, which every authenticator app reads: 30-second steps,
/// 6 digits, HMAC-SHA1.
const STEP_SECONDS: i64 = 30;
const DIGITS: usize = 6;
/// The name authenticator apps show above the account's address.
const ISSUER: &str = "Steward";

/// A new, unconfirmed second factor: the secret to type or scan.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolmentAnswer {
    /// The TOTP key in base32, for apps that take it typed.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub otpauth_uri: String,
    /// The QR code as an SVG image.
    pub qr_svg: String,
}

impl std::fmt::Debug for EnrolmentAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentAnswer(..)")
    }
}

/// The recovery codes, shown once.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecoveryCodesAnswer {
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodesAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodesAnswer(..)")
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecondFactorStatus {
    /// A confirmed second factor is asked for at every sign-in.
    pub enrolled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The 6 digits the authenticator app shows.
    pub code: String,
}

/// Turning the second factor off: a current code (or a recovery code), or the
/// password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableBody {
    pub code: Option<String>,
    pub password: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorLoginBody {
    /// From the login's 202 answer.
    pub challenge: String,
    /// A TOTP code, or one of the recovery codes.
    pub code: String,
}

/// The login's answer for an account with a second factor: no tokens yet.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChallengeAnswer {
    /// Always true.
    pub second_factor_required: bool,
    /// Send it with a code to `POST /auth/login/second-factor`; used once.
    pub challenge: String,
    /// Seconds the challenge lasts (300).
    pub expires_in: i64,
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(..)"))
            }
        }
    )*};
}
redacted_debug!(
    CodeBody,
    DisableBody,
    SecondFactorLoginBody,
    ChallengeAnswer
);

/// Where a password sign-in stands: done, or waiting for a code.
#[derive(Debug)]
pub enum SignInStep<T> {
    Done(T),
    SecondFactor(ChallengeAnswer),
}

impl Application {
    /// The step after a matched password (login and console sign-in alike): an
    /// account with a confirmed second factor gets a challenge instead of
    /// credentials.
    pub(super) async fn second_factor_challenge(
        &self,
        account: &Account,
    ) -> Result<Option<ChallengeAnswer>, AppError> {
        let store = self.service().store();
        if !store.has_second_factor(&account.id).await? {
            return Ok(None);
        }
        let now = self.service().clock().now().0;
        let challenge = new_secret(CHALLENGE_PREFIX);
        store
            .create_second_factor_challenge(&account.id, &challenge, now, now + CHALLENGE_SECONDS)
            .await?;
        Ok(Some(ChallengeAnswer {
            second_factor_required: true,
            challenge,
            expires_in: CHALLENGE_SECONDS,
        }))
    }

    /// `POST /auth/login/second-factor`: the challenge and a code give the
    /// tokens.
    pub async fn login_second_factor(
        &self,
        body: SecondFactorLoginBody,
        client: IpAddr,
    ) -> Result<TokenAnswer, AppError> {
        let account = self
            .pass_second_factor(&body.challenge, &body.code, client)
            .await?;
        self.new_tokens(&account).await
    }

    /// The console's second step: answers the session cookie's secret.
    pub async fn sign_in_second_factor(
        &self,
        challenge: &str,
        code: &str,
        client: IpAddr,
    ) -> Result<String, AppError> {
        let account = self.pass_second_factor(challenge, code, client).await?;
        self.steward.start_session(&account).await
    }

    /// Whether a console challenge is still live (the second step's page asks
    /// before showing its form).
    pub async fn second_factor_challenge_is_live(&self, challenge: &str) -> Result<bool, AppError> {
        let now = self.service().clock().now().0;
        Ok(self
            .service()
            .store()
            .second_factor_challenge(challenge, now)
            .await?
            .is_some())
    }

    /// The challenge's account once a code of theirs is right: each guess
    /// counts in the login's limiter, per account (a key of its own, which a
    /// right password does not forgive) and per client; a wrong one is
    /// audited as a failed login; the challenge is used up by the right one.
    async fn pass_second_factor(
        &self,
        challenge: &str,
        code: &str,
        client: IpAddr,
    ) -> Result<UserId, AppError> {
        let now = self.service().clock().now().0;
        let store = self.service().store();
        let account = store.second_factor_challenge(challenge, now).await?;
        let key = match &account {
            Some(account) => limiter_key(account),
            // An unknown challenge still costs the client an attempt.
            None => format!("second-factor-challenge:{challenge}"),
        };
        let attempt = self
            .sign_in
            .limiter
            .admit(&key, client, Instant::now())
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let Some(account) = account else {
            tracing::info!("a second-factor step failed: unknown challenge");
            return Err(Unauthenticated::InvalidChallenge.into());
        };
        if !self.code_matches(&account, code).await? {
            self.steward.record_failed_login(account);
            tracing::info!("a second-factor step failed");
            return Err(Unauthenticated::InvalidSecondFactorCode.into());
        }
        if !store.take_second_factor_challenge(challenge, now).await? {
            return Err(Unauthenticated::InvalidChallenge.into());
        }
        self.sign_in.limiter.succeeded(attempt);
        Ok(account)
    }

    /// Whether `code` is the account's: a TOTP code of the step before, this
    /// one or the next (clock drift), taken once only; or an unused recovery
    /// code, used up.
    async fn code_matches(&self, account: &UserId, code: &str) -> Result<bool, AppError> {
        let store = self.service().store();
        let Some(factor) = store.second_factor(account).await? else {
            return Ok(false);
        };
        if !factor.confirmed {
            return Ok(false);
        }
        let code = code.trim();
        if code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
            let now = self.service().clock().now().0;
            return Ok(match matching_step(&factor.secret, code, now)? {
                Some(step) => store.take_totp_step(account, step).await?,
                None => false,
            });
        }
        let now = self.service().clock().now().0;
        Ok(store
            .take_recovery_code(account, &normalize_recovery_code(code), now)
            .await?)
    }

    /// `GET /me/second-factor`.
    pub async fn second_factor_status(
        &self,
        caller: Caller,
    ) -> Result<SecondFactorStatus, AppError> {
        let user = person(caller)?;
        let store = self.service().store();
        Ok(SecondFactorStatus {
            enrolled: store.has_second_factor(&user).await?,
            recovery_codes_left: store.recovery_codes_left(&user).await?,
        })
    }

    /// `POST /me/second-factor`: a new secret for the signed-in person, not in
    /// force until a first code confirms it. One already confirmed must be
    /// turned off first.
    pub async fn begin_second_factor(&self, caller: Caller) -> Result<EnrolmentAnswer, AppError> {
        let user = person(caller)?;
        let account = self.steward.account(&user).await?;
        let bytes: [u8; 20] = rand::random();
        let secret = TotpSecret(Secret::Raw(bytes.to_vec()).to_encoded().to_string());
        let now = self.service().clock().now().0;
        if !self
            .service()
            .store()
            .begin_second_factor(&user, &secret, now)
            .await?
        {
            return Err(AppError::SecondFactorEnrolled);
        }
        enrolment(secret, &account)
    }

    /// The enrolment waiting for its first code, shown again (the console,
    /// after a wrong code).
    pub async fn pending_second_factor(
        &self,
        caller: Caller,
    ) -> Result<Option<EnrolmentAnswer>, AppError> {
        let user = person(caller)?;
        let account = self.steward.account(&user).await?;
        match self.service().store().second_factor(&user).await? {
            Some(factor) if !factor.confirmed => Ok(Some(enrolment(factor.secret, &account)?)),
            _ => Ok(None),
        }
    }

    /// `POST /me/second-factor/confirm`: a first code proves the app holds the
    /// secret; the factor is in force from then on, and the recovery codes
    /// are answered, once. Guesses go through the login's limiter.
    pub async fn confirm_second_factor(
        &self,
        caller: Caller,
        code: &str,
        client: IpAddr,
    ) -> Result<RecoveryCodesAnswer, AppError> {
        let user = person(caller)?;
        let attempt = self
            .sign_in
            .limiter
            .admit(&limiter_key(&user), client, Instant::now())
            .map_err(|retry_after| AppError::RateLimited { retry_after })?;
        let store = self.service().store();
        let factor = store
            .second_factor(&user)
            .await?
            .filter(|f| !f.confirmed)
            .ok_or(AppError::NoSecondFactor)?;
        let now = self.service().clock().now().0;
        let step = matching_step(&factor.secret, code.trim(), now)?.ok_or_else(|| {
            AppError::invalid("code", "that code is not the one the app shows now")
        })?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashed: Vec<String> = codes.iter().map(|c| normalize_recovery_code(c)).collect();
        if !store
            .confirm_second_factor(&user, step, &hashed, now)
            .await?
        {
            return Err(AppError::invalid("code", "that code was already used"));
        }
        self.sign_in.limiter.succeeded(attempt);
        tracing::info!(account = %user, "a second factor was enrolled");
        Ok(RecoveryCodesAnswer {
            recovery_codes: codes,
        })
    }

    /// `DELETE /me/second-factor`: its holder turns it off with a current code
    /// (or a recovery code) or the password, either through the limiter.
    pub async fn disable_second_factor(
        &self,
        caller: Caller,
        body: DisableBody,
        client: IpAddr,
    ) -> Result<(), AppError> {
        let user = person(caller)?;
        let store = self.service().store();
        if !store.has_second_factor(&user).await? {
            return Err(AppError::NoSecondFactor);
        }
        match (body.code, body.password) {
            (Some(code), _) => {
                let attempt = self
                    .sign_in
                    .limiter
                    .admit(&limiter_key(&user), client, Instant::now())
                    .map_err(|retry_after| AppError::RateLimited { retry_after })?;
                if !self.code_matches(&user, &code).await? {
                    self.steward.record_failed_login(user);
                    return Err(AppError::invalid("code", "that code is not right"));
                }
                self.sign_in.limiter.succeeded(attempt);
            }
            (None, Some(password)) => {
                let account = self.steward.account(&user).await?;
                self.password_matches(account.email.as_str(), &password, client)
                    .await?;
            }
            (None, None) => {
                return Err(AppError::invalid(
                    "code",
                    "give a current code or your password",
                ))
            }
        }
        store.remove_second_factor(&user).await?;
        tracing::info!(account = %user, "a second factor was turned off by its holder");
        Ok(())
    }
}

impl Steward {
    /// Whether the account has a confirmed second factor (the console's
    /// account page, the enrolment it sends unenrolled admins to).
    pub async fn has_second_factor(&self, user: &UserId) -> Result<bool, AppError> {
        Ok(self.service().store().has_second_factor(user).await?)
    }
}

/// The key, its URI and its QR code, to show.
fn enrolment(secret: TotpSecret, account: &Account) -> Result<EnrolmentAnswer, AppError> {
    let otpauth_uri = otpauth_uri(&secret, account.email.as_str());
    let qr_svg = crate::qr_code::svg(&otpauth_uri, "QR code of the second factor's key")
        .ok_or_else(|| AppError::Internal("the key does not fit a QR code".into()))?;
    Ok(EnrolmentAnswer {
        secret: secret.0,
        otpauth_uri,
        qr_svg,
    })
}

/// Only a person has a second factor.
fn person(caller: Caller) -> Result<UserId, AppError> {
    match caller {
        Caller::Account(user) => Ok(user),
        Caller::Key(_) => Err(Denied::KeyHasNoAccount.into()),
    }
}

/// The limiter's account key for code guesses: not the e-mail's, so a right
/// password (which forgives the e-mail's failures) does not forgive them.
fn limiter_key(account: &UserId) -> String {
    format!("second-factor:{account}")
}

fn totp(secret: &TotpSecret) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret.0.clone())
        .to_bytes()
        .map_err(|_| AppError::Internal("a stored second-factor key is not base32".into()))?;
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECONDS as u64, bytes)
        .map_err(|_| AppError::Internal("a stored second-factor key is too short".into()))
}

/// The step (of the previous, the current and the next) whose code `code` is.
fn matching_step(secret: &TotpSecret, code: &str, now: i64) -> Result<Option<i64>, AppError> {
    let totp = totp(secret)?;
    let current = now / STEP_SECONDS;
    let mut found = None;
    // Every step is computed and compared in constant time, whichever matches.
    for step in [current - 1, current, current + 1] {
        let expected = totp.generate((step.max(0) * STEP_SECONDS) as u64);
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    Ok(found)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `otpauth://totp/Steward:ann@acme.test?secret=...&issuer=Steward`, the
/// Key Uri Format every authenticator app reads.
fn otpauth_uri(secret: &TotpSecret, email: &str) -> String {
    let label: String = form_urlencoded::byte_serialize(format!("{ISSUER}:{email}").as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", &secret.0)
        .append_pair("issuer", ISSUER)
        .append_pair("algorithm", "SHA1")
        .append_pair("digits", &DIGITS.to_string())
        .append_pair("period", &STEP_SECONDS.to_string())
        .finish();
    format!("otpauth://totp/{label}?{query}")
}

/// Ten characters of base32 (no 0/1/8/9 to misread), as `abcde-fghij`.
fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let bytes: [u8; 10] = rand::random();
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A recovery code as typed (any case, with or without its dash) in the one
/// form that is hashed.
fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_of_the_current_step_matches_and_a_stale_one_does_not() {
        let secret = TotpSecret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into());
        let totp = totp(&secret).unwrap();
        let now = 1_700_000_000i64;
        let code = totp.generate(now as u64);
        assert_eq!(matching_step(&secret, &code, now).unwrap(), Some(now / 30));
        let old = totp.generate((now - 300) as u64);
        assert_eq!(matching_step(&secret, &old, now).unwrap(), None);
    }

    #[test]
    fn a_recovery_code_is_read_in_any_case_and_without_its_dash() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            normalize_recovery_code(&code.to_uppercase().replace('-', " ")),
            normalize_recovery_code(&code)
        );
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account() {
        let uri = otpauth_uri(&TotpSecret("ABC".into()), "ann@acme.test");
        assert!(
            uri.starts_with("otpauth://totp/Steward%3Aann%40acme.test?secret=ABC&issuer=Steward"),
            "{uri}"
        );
    }
}
