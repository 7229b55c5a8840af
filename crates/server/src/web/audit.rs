//! The audit log, newest first, with its filters and the chain's status.

use super::form::PageQuery;
use super::page::{
    closed_section, find_member, parse_date, render, role_label, when, Frame, MemberPicker,
    PageError,
};
use super::session::Browser;
use crate::application::audit::{AuditEvent, AuditQuery};
use crate::application::exports::{ExportQuery, Format};
use crate::application::{AppError, Application, Caller};
use crate::download::attachment;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use steward_core::{Actor, Change, Event, Policy, Timestamp, UserId};

pub fn router() -> Router<Application> {
    Router::new()
        .route("/orgs/{org}/audit", get(page))
        .route("/orgs/{org}/audit/export", get(export))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    rows: Vec<AuditRow>,
    types: Vec<(&'static str, bool)>,
    picker: MemberPicker,
    filter: Filter,
    chain_ok: bool,
    chain_events: i64,
    first_bad: Option<i64>,
    next: Option<String>,
    /// The current filter as a query string, for the next page's link.
    query: String,
}

struct AuditRow {
    seq: i64,
    at: String,
    event_type: String,
    /// The event in one sentence, names as they were when it happened.
    sentence: String,
    /// The event as recorded, indented, for whoever wants the raw data.
    raw: String,
}

/// How the log names people and objects: by the name the event recorded, else
/// by the one they have now, else by their id.
struct Names<'a> {
    recorded: &'a std::collections::BTreeMap<String, String>,
    current: &'a HashMap<String, String>,
}

impl Names<'_> {
    fn of(&self, id: &str) -> String {
        self.recorded
            .get(id)
            .or_else(|| self.current.get(id))
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// Roles by their labels, joined (`none` for no role).
fn roles_words(policy: &Policy, roles: &[String]) -> String {
    if roles.is_empty() {
        return "none".into();
    }
    roles
        .iter()
        .map(|r| role_label(policy, r))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Actions by the policy's words for them (`nothing` for none).
fn actions_words(policy: &Policy, actions: &[String]) -> String {
    if actions.is_empty() {
        return "nothing".into();
    }
    actions
        .iter()
        .map(|a| {
            policy
                .action_index(a)
                .map_or_else(|| a.clone(), |i| policy.action(i).label.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One event in a sentence: "Ada Admin changed Bob Brown's role from Viewer to
/// Operator". An event the stored body no longer parses as says its type.
fn sentence(event: &Event, policy: &Policy, names: &Names) -> String {
    // A directory acts with its token maker's rights, but the log names it.
    let by = match &event.actor {
        steward_core::Actor::Directory { creator, .. } => {
            format!("The directory (token of {})", names.of(creator.as_str()))
        }
        actor => actor
            .user()
            .map_or_else(|| "Steward".to_string(), |u| names.of(u.as_str())),
    };
    let name = |id: &str| names.of(id);
    let role = |r: &str| role_label(policy, r);
    match &event.change {
        Change::OrgCreated { name: org, .. } => format!("{by} created the organization {org}"),
        Change::OrgDeleted { .. } => format!("{by} deleted the organization"),
        Change::MemberInvited { email, role: r, .. } => {
            format!("{by} invited {email} as {}", role(r))
        }
        Change::InvitationRevoked { email, .. } => {
            format!("{by} revoked the invitation of {email}")
        }
        Change::InvitationExpired { email, .. } => format!("The invitation of {email} expired"),
        Change::MemberJoined {
            user_id, role: r, ..
        } => format!("{} joined as {}", name(user_id.as_str()), role(r)),
        Change::MemberUpdated {
            previous_name,
            name: new,
            ..
        } => format!("{by} renamed {previous_name} to {new}"),
        Change::MemberDeleted {
            user_id,
            email,
            role: r,
            objects_to,
        } => {
            let objects = objects_to
                .as_ref()
                .map(|to| format!("; their objects went to {}", name(to.as_str())))
                .unwrap_or_default();
            format!(
                "{by} removed {} ({email}, {}){objects}",
                name(user_id.as_str()),
                role(r)
            )
        }
        Change::MemberSuspended { user_id, email } => format!(
            "{by} suspended {} ({email}): they keep their roles but may do nothing until reinstated",
            name(user_id.as_str())
        ),
        Change::MemberReinstated { user_id, email } => {
            format!("{by} reinstated {} ({email})", name(user_id.as_str()))
        }
        Change::DeprovisionChanged { on_deprovision, .. } => match on_deprovision {
            steward_core::Deprovision::Suspend => {
                format!("{by} chose that the directory's deprovisioning suspends members")
            }
            steward_core::Deprovision::Remove => {
                format!("{by} chose that the directory's deprovisioning removes members")
            }
        },
        Change::RoleChanged {
            user_id,
            previous_role,
            new_role,
        } => format!(
            "{by} changed {}'s role from {} to {}",
            name(user_id.as_str()),
            role(previous_role),
            role(new_role)
        ),
        Change::ScopeRolesChanged {
            user_id,
            object_id,
            previous_roles,
            roles,
        } => format!(
            "{by} changed {}'s roles on {} from {} to {}",
            name(user_id.as_str()),
            name(object_id.as_str()),
            roles_words(policy, previous_roles),
            roles_words(policy, roles)
        ),
        Change::TransferNominated { to_user, .. } => {
            format!(
                "{by} nominated {} as the next owner",
                name(to_user.as_str())
            )
        }
        Change::TransferAccepted {
            from_user, to_user, ..
        } => format!(
            "{} accepted the ownership from {}",
            name(to_user.as_str()),
            name(from_user.as_str())
        ),
        Change::TransferDeclined {
            from_user, to_user, ..
        } => format!(
            "{} declined the ownership offered by {}",
            name(to_user.as_str()),
            name(from_user.as_str())
        ),
        Change::TransferCancelled { to_user, .. } => format!(
            "{by} cancelled the nomination of {} as the next owner",
            name(to_user.as_str())
        ),
        Change::TransferExpired { to_user, .. } => format!(
            "The nomination of {} as the next owner expired",
            name(to_user.as_str())
        ),
        Change::ObjectCreated {
            object_type,
            name: object,
            parent_id,
            ..
        } => {
            let label = policy.type_index(object_type).map_or_else(
                || object_type.clone(),
                |t| policy.object_type(t).label.clone(),
            );
            let inside = parent_id
                .as_ref()
                .map(|p| format!(" in {}", name(p.as_str())))
                .unwrap_or_default();
            format!("{by} created the {} {object}{inside}", label.to_lowercase())
        }
        Change::ObjectDeleted { object_id } => {
            format!("{by} deleted {}", name(object_id.as_str()))
        }
        Change::ObjectOwnerChanged {
            object_id,
            new_owner,
            ..
        } => match new_owner {
            Some(owner) => format!(
                "{by} made {} the owner of {}",
                name(owner.as_str()),
                name(object_id.as_str())
            ),
            None => format!("{by} left {} without an owner", name(object_id.as_str())),
        },
        Change::ObjectRenamed {
            previous_name,
            name: new,
            ..
        } => format!("{by} renamed {previous_name} to {new}"),
        Change::ObjectMoved {
            object_id,
            previous_parent,
            parent_id,
        } => {
            let place = |p: &Option<steward_core::ObjectId>| {
                p.as_ref()
                    .map_or_else(|| "the organization".to_string(), |p| name(p.as_str()))
            };
            format!(
                "{by} moved {} from {} to {}",
                name(object_id.as_str()),
                place(previous_parent),
                place(parent_id)
            )
        }
        Change::GrantChanged {
            object_id,
            user_id,
            previous_actions,
            actions,
        } => format!(
            "{by} changed what {} may do on {} from {} to {}",
            name(user_id.as_str()),
            name(object_id.as_str()),
            actions_words(policy, previous_actions),
            actions_words(policy, actions)
        ),
        Change::ImportApplied {
            created,
            updated,
            unchanged,
        } => format!(
            "{by} imported a file: {created} created, {updated} updated, {unchanged} unchanged"
        ),
        Change::ApiKeyCreated { name: key, .. } => format!("{by} created the API key {key}"),
        Change::ApiKeyRevoked { name: key, .. } => format!("{by} revoked the API key {key}"),
        Change::LoginFailed { user_id } => {
            format!("A sign-in as {} failed", name(user_id.as_str()))
        }
        Change::PasswordReset { user_id } => format!(
            "{} set a new password through a reset link",
            name(user_id.as_str())
        ),
        Change::DirectoryRefused { reason, request } => {
            format!("{by} was refused {request}: {reason}")
        }
        Change::PasswordChanged { user_id } => {
            format!("{} changed their password", name(user_id.as_str()))
        }
        Change::SecondFactorRequiredSet { required: true } => {
            format!("{by} required a second factor of admins and owners")
        }
        Change::SecondFactorRequiredSet { required: false } => {
            format!("{by} no longer requires a second factor of admins and owners")
        }
        Change::SecondFactorReset { user_id } => {
            format!("{by} reset {}'s second factor", name(user_id.as_str()))
        }
        Change::SsoConfigured {
            issuer,
            domains,
            require_sso,
            ..
        } => format!(
            "{by} set single sign-on through {issuer} for {}{}",
            domains.join(", "),
            if *require_sso { ", required" } else { "" }
        ),
        Change::SsoRemoved { issuer } => format!("{by} removed single sign-on through {issuer}"),
        Change::SsoDomainProven { domain, proven_by } => {
            format!("{by} proved the domain {domain} with {proven_by}")
        }
        Change::SsoJoined { user_id, issuer } => format!(
            "{} joined by single sign-on through {issuer}",
            name(user_id.as_str())
        ),
        Change::SsoSignedIn { user_id, issuer } => {
            format!("{} signed in through {issuer}", name(user_id.as_str()))
        }
        Change::BreakGlass { user_id } => format!(
            "{} signed in with a password although single sign-on is required (break-glass)",
            name(user_id.as_str())
        ),
        Change::WebhookConfigured {
            url, enabled: on, ..
        } => format!(
            "{by} set the webhook to {url} ({})",
            if *on { "on" } else { "off" }
        ),
        Change::WebhookSecretRotated { .. } => format!("{by} replaced a webhook's secret"),
        Change::WebhookRemoved { url, .. } => format!("{by} removed the webhook to {url}"),
        Change::WebhookDisabled { reason, .. } => {
            format!("Steward turned a webhook off: {reason}")
        }
    }
}

impl AuditRow {
    /// One event as the log shows it: a sentence, and the raw event beside it.
    fn of(event: &AuditEvent, policy: &Policy, current: &HashMap<String, String>) -> AuditRow {
        let entry = &event.entry;
        let names = Names {
            recorded: &entry.names,
            current,
        };
        let sentence = parse(entry)
            .map(|e| sentence(&e, policy, &names))
            .unwrap_or_else(|| entry.event_type.clone());
        AuditRow {
            seq: entry.seq,
            at: when(entry.at),
            event_type: entry.event_type.clone(),
            sentence,
            raw: serde_json::to_string_pretty(&event).unwrap_or_default(),
        }
    }
}

/// The entry back as the core's event (its actor, type and data).
fn parse(entry: &crate::store::AuditEntry) -> Option<Event> {
    let actor = match &entry.actor_id {
        Some(id) => Actor::User(UserId::parse(id).ok()?),
        None => Actor::System,
    };
    let change = serde_json::from_value(serde_json::json!({
        "type": entry.event_type,
        "data": entry.data,
    }))
    .ok()?;
    Some(Event {
        at: Timestamp(entry.at),
        actor,
        change,
        names: entry.names.clone(),
    })
}

#[derive(Deserialize, Default, Clone)]
struct Filter {
    #[serde(rename = "type", default)]
    event_type: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    cursor: Option<String>,
}

impl Filter {
    /// The filter as a query string (without the cursor), for the next page's link.
    fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("type", &self.event_type)
            .append_pair("actor", &self.actor)
            .append_pair("target", &self.target)
            .append_pair("since", &self.since)
            .append_pair("until", &self.until)
            .finish()
    }
}

fn date(field: &'static str, value: &str) -> Result<Option<i64>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    parse_date(value).map(Some).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("{field}: {value:?} is not a date (YYYY-MM-DD)"),
        )
    })
}

async fn page(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(filter): PageQuery<Filter>,
) -> Result<Response, PageError> {
    let (frame, in_org) = Frame::load(&app, &browser, &org, "audit").await?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    // The actor by e-mail; a former member's id (still in the log) as typed.
    let (actor, picker) = app
        .service()
        .read(&in_org.org, |state| {
            let actor = find_member(state, &filter.actor).map(|u| u.to_string());
            (actor, MemberPicker::new(state, &filter.actor))
        })
        .await?;
    let query = AuditQuery {
        event_type: non_empty(&filter.event_type),
        actor: actor.or_else(|| non_empty(&filter.actor)),
        target: non_empty(&filter.target),
        since: date("since", &filter.since)?,
        // The whole of the `until` day.
        until: date("until", &filter.until)?.map(|d| d + 86_400),
        limit: Some(50),
        cursor: filter.cursor.clone(),
    };
    let events = match app.steward.audit(&in_org, query).await {
        Ok(events) => events,
        Err(e) => return closed_section(frame, "Audit log", e),
    };
    let chain = app.steward.verify_audit(&in_org).await?;
    let names = app.steward.audit_names(&in_org, &events.items).await?;
    let policy = app.service().policy().clone();
    let rows = events
        .items
        .iter()
        .map(|event| AuditRow::of(event, &policy, &names))
        .collect();
    let query = filter.query();
    Ok(render(&AuditPage {
        frame,
        rows,
        types: Change::TYPE_NAMES
            .iter()
            .map(|t| (*t, *t == filter.event_type))
            .collect(),
        picker,
        chain_ok: chain.ok,
        chain_events: chain.events,
        first_bad: chain.first_bad_seq,
        next: events.next_cursor,
        query,
        filter,
    })?
    .into_response())
}

/// The download links: the same streamed export as the API's, for the
/// signed-in browser.
async fn export(
    State(app): State<Application>,
    browser: Browser,
    Path(org): Path<String>,
    PageQuery(q): PageQuery<ExportQuery>,
) -> Result<Response, PageError> {
    let org = app
        .steward
        .in_org(Caller::Account(browser.user.clone()), &org)?;
    let format = Format::parse(q.format.as_deref())?;
    Ok(attachment(app.steward.audit_export(&org, format).await?))
}
