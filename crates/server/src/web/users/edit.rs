//! The edit panel of one member (seeds 001 and 003): name, organization role
//! and scope roles, changed together on Save only. It opens as a dialog over
//! the Users page (`/panel`, the form alone) or as its own page without
//! script; what it offers, and why it greys a control, the roster says.

use super::{posted_role, user_row, RoleOption};
use crate::application::members::{MemberEdit, MemberView, ScopeChoice};
use crate::application::{parse_user, AppError, Application};
use crate::web::form::Posted;
use crate::web::page::{render, role_label, words, Frame, PageError};
use crate::web::session::Browser;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use steward_core::policy::RoleControl;
use steward_core::Policy;

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/users/{user}", get(edit_page).post(save_user))
        .route("/orgs/{org}/users/{user}/panel", get(edit_panel))
        .route(
            "/orgs/{org}/users/{user}/second-factor/reset",
            axum::routing::post(reset_second_factor),
        )
}

/// What the panel shows and offers, the same in the dialog and the page.
struct EditForm {
    org_id: String,
    csrf: String,
    user: MemberView,
    role_label: String,
    /// The Role dropdown: the role held first, then those the caller may give.
    options: Vec<RoleOption>,
    /// The policy's check box instead, when it offers one for this member.
    role_box: Option<EditBox>,
    /// The role in words only: the policy's check box cannot give the role
    /// they hold (the owner's).
    role_as_text: bool,
    /// Why the role is greyed, when it is.
    locked: Option<String>,
    /// Why nothing here may be changed, when nothing may (Save is greyed).
    readonly: Option<String>,
    scopes: Vec<ScopeEdit>,
    error: Option<String>,
    /// The member has a second factor; `Some(true)`: the caller may reset it.
    second_factor: Option<bool>,
}

/// Seed 003's "Organization Admin" box on one member.
struct EditBox {
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "user_edit.html")]
struct EditPage {
    frame: Frame,
    form: EditForm,
    in_dialog: bool,
}

#[derive(Template)]
#[template(path = "user_edit_panel.html")]
struct EditPanel {
    form: EditForm,
    in_dialog: bool,
}

/// One scope (system, service, site) of the edit panel, with its roles.
struct ScopeEdit {
    id: String,
    name: String,
    type_label: String,
    multiple: bool,
    roles: Vec<RoleOption>,
}

impl ScopeEdit {
    fn of(policy: &Policy, scope: ScopeChoice) -> ScopeEdit {
        let object_type = policy.object_type(scope.object_type);
        ScopeEdit {
            id: scope.object_id.to_string(),
            name: scope.name,
            type_label: object_type.label.clone(),
            multiple: object_type.multiple_roles,
            roles: policy
                .roles_at(scope.object_type)
                .map(|r| {
                    let role = policy.role(r);
                    RoleOption {
                        name: role.name.clone(),
                        label: role.label.clone(),
                        selected: scope.held.contains(&role.name),
                    }
                })
                .collect(),
        }
    }
}

/// The panel of `user` as the browser's member may see and change it.
async fn edit_form(
    app: &Application,
    browser: &Browser,
    org: &str,
    user: &str,
    error: Option<String>,
) -> Result<(Frame, EditForm), PageError> {
    let (frame, in_org) = Frame::load(app, browser, org, "users").await?;
    let editor = app
        .steward
        .member_editor(&in_org, &parse_user(user)?)
        .await?;
    let target = parse_user(user)?;
    let second_factor = app.steward.second_factor_of(&in_org, &target).await?;
    let policy = app.service().policy();
    let view = editor.row.member.clone();
    let assignable = editor.row.assignable.clone();
    let row = user_row(policy, editor.row);
    let (role_box, role_as_text) = match policy.console.role_control {
        RoleControl::Checkbox { checked, unchecked } => {
            let held = policy.org_role(&view.role);
            let role_box = (held == Some(checked) || held == Some(unchecked)).then(|| EditBox {
                label: policy.role(checked).label.clone(),
                checked: held == Some(checked),
            });
            let as_text = role_box.is_none();
            (role_box, as_text)
        }
        RoleControl::Dropdown => (None, false),
    };
    // A box whose other role may not be given is greyed like the dropdown.
    let locked = match (&role_box, row.locked) {
        (Some(_), None) if assignable.is_empty() => {
            Some("There is no other role to give.".to_string())
        }
        (_, locked) => locked,
    };
    let form = EditForm {
        org_id: frame.org_id.clone(),
        csrf: frame.csrf.clone(),
        role_label: role_label(policy, &view.role),
        user: view,
        options: row.options,
        role_box,
        role_as_text,
        locked,
        readonly: row.uneditable,
        scopes: editor
            .scopes
            .into_iter()
            .map(|s| ScopeEdit::of(policy, s))
            .collect(),
        error,
        second_factor,
    };
    Ok((frame, form))
}

async fn edit_page(
    State(app): State<Application>,
    browser: Browser,
    Path((org, user)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    show_edit(&app, &browser, &org, &user, None).await
}

/// The form alone, for the dialog the Users page opens.
async fn edit_panel(
    State(app): State<Application>,
    browser: Browser,
    Path((org, user)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let (_, form) = edit_form(&app, &browser, &org, &user, None).await?;
    render(&EditPanel {
        form,
        in_dialog: true,
    })
}

async fn show_edit(
    app: &Application,
    browser: &Browser,
    org: &str,
    user: &str,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let (frame, form) = edit_form(app, browser, org, user, error).await?;
    render(&EditPage {
        frame,
        form,
        in_dialog: false,
    })
}

/// Save in the edit panel: name, role and every scope's roles in one
/// transaction, decided against the same state; one refusal refuses all.
async fn save_user(
    State(app): State<Application>,
    Path((org, user)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let target = parse_user(&user)?;
    let f = &posted.fields;
    let edit = MemberEdit {
        name: f.get("name").map(str::to_string),
        role: posted_role(app.service().policy(), f),
        scopes: f
            .all("scope")
            .map(|scope| {
                let field = format!("scope_roles:{scope}");
                let roles = f.all(&field).map(str::to_string).collect();
                (scope.to_string(), roles)
            })
            .collect(),
    };
    match app.steward.edit_member(&in_org, &target, edit).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{org}/users?done=saved")).into_response()),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let page = show_edit(&app, &posted.browser, &org, &user, Some(words(&e))).await?;
            Ok(page.into_response())
        }
    }
}

/// The edit panel's "Reset second factor" (docs/two-factor.md#admin-reset):
/// the member signs in with their password alone, and sets a new one up.
async fn reset_second_factor(
    State(app): State<Application>,
    Path((org, user)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let in_org = posted.in_org(&app, &org)?;
    let target = parse_user(&user)?;
    match app.steward.reset_second_factor(&in_org, &target).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{org}/users?done=saved")).into_response()),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let page = show_edit(&app, &posted.browser, &org, &user, Some(words(&e))).await?;
            Ok(page.into_response())
        }
    }
}
