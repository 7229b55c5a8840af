//! What every console page shares: the frame (header, organization selector,
//! navigation, the nominee's banner), notices, and turning errors into pages.

use super::session::Browser;
use crate::application::{AppError, ErrorKind};
use crate::application::{Application, Caller, InOrg};
use crate::service::ServiceError;
use crate::store::StoreError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

/// The header and navigation around a page.
pub struct Frame {
    pub me_name: String,
    pub me_email: String,
    pub csrf: String,
    pub org_id: String,
    pub org_name: String,
    pub orgs: Vec<OrgChoice>,
    pub section: &'static str,
    /// The sections the caller's role opens, for the navigation.
    pub nav: Nav,
    pub nomination: Option<NominationBanner>,
    pub notice: Option<Notice>,
}

/// Which sections the navigation offers: only those the rules would open to
/// the caller (`steward_core::decide` through `InOrg::require`), so nobody is
/// led to a refusal from the menu.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nav {
    pub members: bool,
    pub audit: bool,
    pub ownership: bool,
    pub settings: bool,
    pub provisioning: bool,
    pub webhooks: bool,
}

impl Nav {
    pub fn of(in_org: &InOrg) -> Nav {
        let may = |action: &str| in_org.require(action).is_ok();
        let members = may("members:view");
        Nav {
            members,
            audit: may("audit:view"),
            ownership: may("ownership:transfer"),
            settings: members || may("org:delete"),
            provisioning: may("members:manage"),
            // The rule the API's webhook reads ask, not a copy of it.
            webhooks: crate::application::webhooks::require_webhooks(in_org).is_ok(),
        }
    }

    /// The organization's first page for this caller: the Users page for
    /// those who manage people, their own page for everyone else.
    pub fn landing(&self, org: &str) -> String {
        if self.members {
            format!("/orgs/{org}/users")
        } else {
            format!("/orgs/{org}/me")
        }
    }
}

pub struct OrgChoice {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// Shown to the nominee on every page of the organization.
pub struct NominationBanner {
    pub from_name: String,
    pub expires: String,
}

pub struct Notice {
    pub class: &'static str,
    pub text: String,
}

impl Notice {
    pub fn ok(text: impl Into<String>) -> Notice {
        Notice {
            class: "ok",
            text: text.into(),
        }
    }

    pub fn warn(text: impl Into<String>) -> Notice {
        Notice {
            class: "warn",
            text: text.into(),
        }
    }

    /// A refusal in words; a server fault is logged and said generically.
    pub fn error(e: &AppError) -> Notice {
        Notice {
            class: "error",
            text: words(e),
        }
    }
}

/// What the person reads for an application error: its reason in words; a
/// server fault is logged and said generically.
pub fn words(e: &AppError) -> String {
    match e {
        AppError::Internal(detail) => {
            tracing::error!(error = %detail, "a console request failed");
            "Something went wrong on our side and nothing was changed. Try again in a moment."
                .to_string()
        }
        other => sentence(&other.to_string()),
    }
}

/// The console's one match from an error's kind to the page's status and title.
pub fn status_and_title(kind: ErrorKind) -> (StatusCode, &'static str) {
    match kind {
        ErrorKind::Invalid => (StatusCode::BAD_REQUEST, "That did not work"),
        ErrorKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "That did not work"),
        ErrorKind::Unauthenticated => (StatusCode::UNAUTHORIZED, "That did not work"),
        ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "Not allowed"),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "Not found"),
        ErrorKind::Conflict => (StatusCode::CONFLICT, "That did not work"),
        ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "That did not work"),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "That did not work"),
        ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong"),
    }
}

/// A server message as a sentence: capital first letter, full stop.
pub fn sentence(message: &str) -> String {
    let mut text = message.to_string();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// `?done=...`: what the form before a redirect did, for the page's notice.
#[derive(serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// After a form's change: done, to `done_url`; refused, the form's page again
/// with the server's reason (`again`); a fault, the error page.
pub async fn after_change<F>(
    outcome: Result<(), AppError>,
    done_url: String,
    again: impl FnOnce(Notice) -> F,
) -> Result<Response, PageError>
where
    F: std::future::Future<Output = Result<Response, PageError>>,
{
    match outcome {
        Ok(()) => Ok(Redirect::to(&done_url).into_response()),
        Err(e) if e.kind() == ErrorKind::Internal => Err(e.into()),
        Err(e) => again(Notice::error(&e)).await,
    }
}

impl Frame {
    /// The frame of `org` for this browser, and the browser as a caller in it
    /// (404 when they are not a member, exactly as the API answers).
    pub async fn load(
        app: &Application,
        browser: &Browser,
        org: &str,
        section: &'static str,
    ) -> Result<(Frame, InOrg), PageError> {
        let in_org = InOrg::resolve(app.service(), Caller::Account(browser.user.clone()), org)?;
        let policy = in_org.snapshot.policy().clone();
        let orgs = app
            .steward
            .memberships(&browser.user)
            .await?
            .into_iter()
            .map(|m| OrgChoice {
                role: role_label(&policy, &m.role),
                id: m.org.id,
                name: m.org.name,
            })
            .collect();
        let me = browser.user.clone();
        let (org_name, nomination) = app
            .service()
            .read(&in_org.org, |state| {
                let name = state.org().map(|o| o.name.to_string()).unwrap_or_default();
                let banner =
                    state
                        .nomination()
                        .filter(|n| n.to_user == me)
                        .map(|n| NominationBanner {
                            from_name: state
                                .member(&n.from_user)
                                .map_or_else(|| n.from_user.to_string(), |m| m.name.to_string()),
                            expires: when(n.expires_at.0),
                        });
                (name, banner)
            })
            .await?;
        Ok((
            Frame {
                me_name: browser.account.name.to_string(),
                me_email: browser.account.email.to_string(),
                csrf: browser.session.csrf_token.clone(),
                org_id: in_org.org.to_string(),
                org_name,
                orgs,
                section,
                nav: Nav::of(&in_org),
                nomination,
                notice: None,
            },
            in_org,
        ))
    }
}

/// A field that names a member by e-mail: a list of people to pick from while
/// the organization is small enough to list, else typing the e-mail (a page
/// listing 100,000 members in a dropdown would weigh megabytes).
pub struct MemberPicker {
    pub value: String,
    /// `(e-mail, name)`; empty when there are too many members to list.
    pub choices: Vec<(String, String)>,
}

/// Organizations with more members than this get a plain e-mail field.
const PICKER_LIMIT: usize = 300;

impl MemberPicker {
    pub fn new(state: &steward_core::State, value: &str) -> MemberPicker {
        let choices = if state.member_count() <= PICKER_LIMIT {
            state
                .members()
                .map(|m| (m.email.to_string(), m.name.to_string()))
                .collect()
        } else {
            Vec::new()
        };
        MemberPicker {
            value: value.to_string(),
            choices,
        }
    }
}

/// The member a picker's text names: an e-mail (any case) or a member id.
pub fn find_member(state: &steward_core::State, text: &str) -> Option<steward_core::UserId> {
    let text = text.trim();
    if let Ok(email) = steward_core::Email::parse(text) {
        return state.member_by_email(&email).map(|m| m.user_id.clone());
    }
    let id = steward_core::UserId::parse(text).ok()?;
    state.member(&id).map(|m| m.user_id.clone())
}

/// A role's label from the policy ("Organization Administrator"), at the
/// organization or on a scope, or its name.
pub fn role_label(policy: &steward_core::Policy, role: &str) -> String {
    policy
        .org_role(role)
        .map(|r| policy.role(r))
        .or_else(|| policy.roles.iter().find(|r| r.name == role))
        .map_or_else(|| role.to_string(), |r| r.label.clone())
}

/// Unix seconds as people read them: `2026-11-29 20:31 UTC`.
pub fn when(seconds: i64) -> String {
    let t = steward_core::Timestamp(seconds).utc();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// `YYYY-MM-DD` (a date input's value) as the unix seconds of its midnight, UTC.
pub fn parse_date(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    steward_core::Timestamp::from_date(year, month, day).map(|t| t.0)
}

/// A page inside the organization's frame that only says something: what a
/// member sees of a section their role does not open to them.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub frame: Frame,
    pub title: String,
    pub text: String,
}

/// A section the rules do not open to this member: said inside the frame,
/// so the rest of the console stays in reach. Any other error goes on.
pub fn closed_section(frame: Frame, title: &str, e: AppError) -> Result<Response, PageError> {
    if e.kind() != ErrorKind::Forbidden {
        return Err(e.into());
    }
    Ok((
        StatusCode::FORBIDDEN,
        render(&MessagePage {
            frame,
            title: title.to_string(),
            text: format!("{} Ask an administrator if you need it.", words(&e)),
        })?,
    )
        .into_response())
}

/// A page without the organization's frame: sign-in, sign-up, errors.
#[derive(Template)]
#[template(path = "plain.html")]
pub struct PlainPage {
    pub title: String,
    pub error: Option<String>,
    pub info: Option<String>,
    pub form: PlainForm,
}

pub enum PlainForm {
    SignIn {
        email: String,
        next: String,
        csrf: String,
        signup: bool,
    },
    SignUp {
        email: String,
        name: String,
        org_name: String,
        csrf: String,
    },
    NewOrg {
        csrf: String,
        has_orgs: bool,
    },
    /// A new account's name and password (or a setup link's).
    Join {
        token: String,
        csrf: String,
    },
    /// The invited account, signed in: one click to join.
    JoinSignedIn {
        token: String,
        csrf: String,
        org_name: String,
        email: String,
    },
    /// The invited address has an account: sign in with it, then come back.
    JoinSignIn {
        sign_in: String,
        other_account: bool,
    },
    Message {
        back: String,
    },
    /// "Forgot your password?": the address to mail a reset link to.
    ForgotPassword {
        csrf: String,
        email: String,
    },
    /// A reset link's page: the new password.
    ResetPassword {
        token: String,
        csrf: String,
    },
    /// A proof-of-address link's page: the account's password.
    VerifyEmail {
        token: String,
        csrf: String,
        email: String,
    },
    /// The signed-in account's page: changing the password.
    Account {
        csrf: String,
        email: String,
        name: String,
    },
}

pub fn render(page: &impl Template) -> Result<Html<String>, PageError> {
    page.render()
        .map(Html)
        .map_err(|e| PageError::App(AppError::Internal(format!("template: {e}"))))
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// No session (or an ended one): sign in, then come back.
    SignIn { next: String },
    /// A form without its session's CSRF token.
    Csrf,
    /// A use case's error.
    App(AppError),
    /// An answer made outside the console (a layer's, a rejected request).
    Stray { status: StatusCode, message: String },
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError::App(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        PageError::App(e.into())
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> PageError {
        PageError::App(e.into())
    }
}

/// The account's second-factor page.
const ENROLMENT: &str = "/account/second-factor";

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // An admin without the second factor their organization requires is
        // sent to set one up (docs/two-factor.md#the-organization-setting).
        let enrol = matches!(
            &self,
            PageError::App(AppError::Refused(
                steward_core::Refusal::SecondFactorRequired
            ))
        );
        let back = if enrol { ENROLMENT } else { "/" };
        let (status, title, text) = match self {
            PageError::SignIn { next } => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                return Redirect::to(&format!("/sign-in?next={next}")).into_response();
            }
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The page was open too long or came from elsewhere. Reload it and try again."
                    .to_string(),
            ),
            PageError::App(e) => {
                let (status, title) = status_and_title(e.kind());
                (status, title, words(&e))
            }
            PageError::Stray { status, message } => {
                let title = match status {
                    StatusCode::NOT_FOUND => "Not found",
                    StatusCode::FORBIDDEN => "Not allowed",
                    _ => "That did not work",
                };
                (status, title, sentence(&message))
            }
        };
        let page = PlainPage {
            title: title.to_string(),
            error: Some(text),
            info: None,
            form: PlainForm::Message { back: back.into() },
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title).into_response(),
        };
        if enrol {
            // htmx follows this header; a plain page shows the link.
            response.headers_mut().insert(
                "HX-Redirect",
                axum::http::HeaderValue::from_static(ENROLMENT),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_labelled_at_the_organization_and_on_a_scope() {
        let policy = steward_core::Policy::preset("platform").unwrap();
        let org_role = policy.role(policy.org_roles[0]);
        assert_eq!(role_label(&policy, &org_role.name), org_role.label);
        assert_eq!(role_label(&policy, "no_such_role"), "no_such_role");
        // A role held on a service only.
        let service_admin = policy
            .roles
            .iter()
            .find(|r| r.name == "service_admin")
            .unwrap();
        assert_ne!(service_admin.label, "service_admin");
        assert_eq!(role_label(&policy, "service_admin"), service_admin.label);
    }

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_796_000_000), "2026-11-30 00:53 UTC");
        assert_eq!(when(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn a_date_input_is_its_midnight() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400));
        assert_eq!(
            parse_date("2026-11-29").map(when).as_deref(),
            Some("2026-11-29 00:00 UTC")
        );
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn a_refusal_reads_as_a_sentence_and_a_fault_says_nothing_inside() {
        let refusal = AppError::from(steward_core::Refusal::CannotDemoteOwner);
        assert_eq!(
            words(&refusal),
            "The owner cannot be demoted or removed by someone who is not an owner."
        );
        let fault = AppError::Internal("database is locked at /var/lib/x".into());
        assert!(!words(&fault).contains("database"));
    }
}
