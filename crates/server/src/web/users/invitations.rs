//! Invitations on the Users page: the invite dialog's form, the pending list
//! (who, role, invited by, expiry) with Revoke and Re-send, and the new link
//! shown once with its Copy button.

use super::{posted_role, show_users, UsersQuery};
use crate::application::invitations::{parse_invitation, InvitationView, InviteBody};
use crate::application::{parse_user, AppError, Application, InOrg};
use crate::web::form::Posted;
use crate::web::page::{role_label, when, Notice, PageError};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use steward_core::policy::{RoleControl, RoleIndex};
use steward_core::{Policy, Refusal};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/invite", post(invite))
        .route("/orgs/{org}/invitations/{invitation}/revoke", post(revoke))
        .route("/orgs/{org}/invitations/{invitation}/resend", post(resend))
}

/// A link just made, shown once.
pub struct Invited {
    pub email: String,
    pub url: String,
}

/// One row of the pending list.
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role_label: String,
    pub invited_by: String,
    pub expires: String,
}

/// The invite dialog's check box, when the policy offers its roles as one.
pub struct RoleBox {
    pub label: String,
    checked: RoleIndex,
    unchecked: RoleIndex,
    /// Why it is greyed (only the unticked role may be given), when it is.
    pub locked: Option<String>,
}

impl RoleBox {
    /// Whether the box gives `role`, ticked or not.
    pub fn gives(&self, role: RoleIndex) -> bool {
        role == self.checked || role == self.unchecked
    }
}

/// The box of the invite dialog, when the policy has one and the caller may
/// invite as its unticked role; greyed when the ticked one is withheld.
pub fn invite_box(
    policy: &Policy,
    invitable: &[RoleIndex],
    withheld: &[(RoleIndex, Refusal)],
) -> Option<RoleBox> {
    let RoleControl::Checkbox { checked, unchecked } = policy.console.role_control else {
        return None;
    };
    if !invitable.contains(&unchecked) {
        return None;
    }
    let locked = withheld
        .iter()
        .find(|(r, _)| *r == checked)
        .map(|(_, why)| super::refusal_words(why));
    Some(RoleBox {
        label: policy.role(checked).label.clone(),
        checked,
        unchecked,
        locked,
    })
}

/// The pending invitations, with who made each by name.
pub async fn pending(app: &Application, org: &InOrg) -> Result<Vec<PendingInvitation>, AppError> {
    let policy = app.service().policy();
    let mut rows = Vec::new();
    for i in app.steward.invitations(org).await?.items {
        let invited_by = match i.invited_by.as_deref().map(parse_user) {
            Some(Ok(user)) => match app.steward.current_member(org, &user).await {
                Ok(member) => member.name,
                Err(_) => "a former member".to_string(),
            },
            _ => "—".to_string(),
        };
        rows.push(PendingInvitation {
            role_label: role_label(policy, &i.role),
            expires: when(i.expires_at),
            id: i.id,
            email: i.email,
            name: i.name,
            invited_by,
        });
    }
    Ok(rows)
}

/// The Users page again, with the link of an invitation just made; with
/// `--smtp-url` the link went only by mail (docs/accounts.md), so the page
/// says so instead of showing it.
async fn with_link(
    app: &Application,
    posted: &Posted,
    org: &str,
    made: Result<InvitationView, AppError>,
    said: impl FnOnce(&InvitationView, bool) -> String,
) -> Result<Response, PageError> {
    let (notice, invited) = match made {
        Ok(view) => {
            let mailed = view.accept_url.is_none();
            let notice = Notice::ok(said(&view, mailed));
            let invited = view.accept_url.map(|url| Invited {
                email: view.email,
                url,
            });
            (notice, invited)
        }
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => (Notice::error(&e), None),
    };
    let query = UsersQuery::default();
    show_users(app, &posted.browser, org, query, Some(notice), invited).await
}

/// Invite: the invitation's link is mailed, or shown once on the page that
/// answers.
async fn invite(
    State(app): State<Application>,
    Path(org): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let f = &posted.fields;
    let body = InviteBody {
        email: f.get("email").unwrap_or("").to_string(),
        name: f.get("name").map(str::to_string),
        role: posted_role(app.service().policy(), f),
        scopes: Vec::new(),
        expires_in_days: None,
    };
    let made = app.steward.create_invitation(&in_org, body).await;
    with_link(&app, &posted, &org, made, |view, mailed| {
        if mailed {
            format!(
                "Invited {}. The invitation was mailed to them; it works once and expires in 7 days.",
                view.email
            )
        } else {
            format!(
                "Invited {}. Send them the link below; it works once and expires in 7 days.",
                view.email
            )
        }
    })
    .await
}

/// Re-send: a fresh link, shown once; the old one stops working.
async fn resend(
    State(app): State<Application>,
    Path((org, invitation)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let made = match parse_invitation(&invitation) {
        Ok(id) => app.steward.resend_invitation(&in_org, id).await,
        Err(e) => Err(e),
    };
    with_link(&app, &posted, &org, made, |view, mailed| {
        if mailed {
            format!(
                "A fresh link was mailed to {}; the old one no longer works.",
                view.email
            )
        } else {
            format!(
                "A fresh link for {}: send them the one below; the old one no longer works.",
                view.email
            )
        }
    })
    .await
}

async fn revoke(
    State(app): State<Application>,
    Path((org, invitation)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let revoked = match parse_invitation(&invitation) {
        Ok(id) => app.steward.revoke_invitation(&in_org, id).await,
        Err(e) => Err(e),
    };
    match revoked {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{org}/users?done=revoked")).into_response()),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let query = UsersQuery::default();
            show_users(
                &app,
                &posted.browser,
                &org,
                query,
                Some(Notice::error(&e)),
                None,
            )
            .await
        }
    }
}
