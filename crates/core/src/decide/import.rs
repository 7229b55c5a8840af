//! A CSV import as one all-or-nothing batch (docs/model.md#seed-001-operations:
//! "re-apply roles across a file"): a row that changes nothing is unchanged, whoever it names; every other
//! row is decided exactly as the single change would be, against the state the
//! rows before it leave, and any refused row refuses the whole batch.

use super::{decide, Context};
use crate::command::{Command, ImportRow};
use crate::event::{Actor, Change, Event, ScopeRoles};
use crate::id::{Email, Timestamp, UserId};
use crate::policy::Policy;
use crate::refusal::{Refusal, RowRefusal};
use crate::state::{apply, State};
use std::collections::{BTreeSet, HashSet};

/// What one accepted row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowEffect {
    /// Someone new is invited.
    Created,
    /// A member's role or scope roles change.
    Updated,
    /// The member already has it, or the same invitation is pending.
    Unchanged,
}

/// One accepted row, for a preview: its line, who, and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    pub line: usize,
    pub email: Email,
    pub role: String,
    /// The member's organization role before the file (`None`: not a member).
    pub previous_role: Option<String>,
    pub effect: RowEffect,
}

/// What an import does, row by row: the accepted rows, the refused ones, and the
/// events that apply it (ending with `import.applied` only when nothing was refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    pub outcomes: Vec<RowOutcome>,
    pub refused: Vec<RowRefusal>,
    pub events: Vec<Event>,
}

impl ImportPlan {
    pub fn count(&self, effect: RowEffect) -> usize {
        self.outcomes.iter().filter(|o| o.effect == effect).count()
    }
}

/// Decides every row of an import without changing anything: a dry run's answer,
/// and what `Command::Import` stores when no row is refused. `Err` only when the
/// caller cannot import at all (not a member, no organization).
pub fn plan_import(
    policy: &Policy,
    state: &State,
    actor: &Actor,
    rows: Vec<ImportRow>,
    now: Timestamp,
) -> Result<ImportPlan, Refusal> {
    plan(
        &Context {
            policy,
            state,
            actor,
            now,
        },
        rows,
    )
}

pub(super) fn decide_import(cx: &Context, rows: Vec<ImportRow>) -> Result<Vec<Event>, Refusal> {
    let plan = plan(cx, rows)?;
    if !plan.refused.is_empty() {
        return Err(Refusal::Rows(plan.refused));
    }
    Ok(plan.events)
}

fn plan(cx: &Context, rows: Vec<ImportRow>) -> Result<ImportPlan, Refusal> {
    let actor = cx.acting_member()?;
    // Importing is managing members, whatever the rows say: someone who may not
    // learns nothing from the answer (not even which rows would change nothing).
    let may_import = cx.may_manage_members(&actor.user_id);
    // Each row is decided against the state the rows before it left; the copy is
    // made only when a row changes something, so a file that changes nothing (the
    // same file again) never copies a large organization.
    let mut scratch = std::borrow::Cow::Borrowed(cx.state);
    let mut events = Vec::new();
    let mut refused = Vec::new();
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut seen = HashSet::with_capacity(rows.len());
    for row in rows {
        let refuse = |refusal| RowRefusal {
            line: row.line,
            email: Some(row.email.clone()),
            refusal,
        };
        if !seen.insert(row.email.clone()) {
            refused.push(refuse(Refusal::DuplicateInFile(row.email.clone())));
            continue;
        }
        if !may_import {
            refused.push(refuse(Refusal::NotPermitted));
            continue;
        }
        let outcome = |effect, previous_role: Option<&str>| RowOutcome {
            line: row.line,
            email: row.email.clone(),
            role: row.role.clone(),
            previous_role: previous_role.map(str::to_string),
            effect,
        };
        let member = scratch
            .member_by_email(&row.email)
            .map(|m| (m.user_id.clone(), m.role.clone()));
        // A row that changes nothing is unchanged, whoever it names: the importer
        // themself, an owner, a higher rank. So a members export imports back as
        // it is; the rules are asked only of a row that changes something.
        if let Some((user_id, role)) = &member {
            if *role == row.role && scopes_held(&scratch, user_id, row.scopes.as_deref()) {
                outcomes.push(outcome(RowEffect::Unchanged, Some(role)));
                continue;
            }
        }
        let commands = match &member {
            Some((user_id, _)) => {
                let mut c = vec![Command::ChangeRole {
                    user_id: user_id.clone(),
                    role: row.role.clone(),
                }];
                for s in row.scopes.iter().flatten() {
                    c.push(Command::SetScopeRoles {
                        user_id: user_id.clone(),
                        object_id: s.object_id.clone(),
                        roles: s.roles.clone(),
                    });
                }
                c
            }
            None => {
                // Importing the same file twice leaves a pending invitation as it is.
                let pending = scratch
                    .invitations_for(&row.email)
                    .find(|i| i.expires_at > cx.now);
                if let Some(inv) = pending {
                    if inv.role == row.role {
                        outcomes.push(outcome(RowEffect::Unchanged, None));
                        continue;
                    }
                }
                vec![Command::Invite {
                    invitation_id: row.invitation_id.clone(),
                    email: row.email.clone(),
                    name: row.name.clone(),
                    role: Some(row.role.clone()),
                    scopes: row.scopes.clone().unwrap_or_default(),
                    expires_at: row.expires_at,
                }]
            }
        };
        let mut row_events = Vec::new();
        let mut failure = None;
        for command in commands {
            match decide(cx.policy, &scratch, cx.actor, command, cx.now) {
                Ok(evs) => {
                    for e in &evs {
                        apply(scratch.to_mut(), e);
                    }
                    row_events.extend(evs);
                }
                Err(r) => {
                    failure = Some(r);
                    break;
                }
            }
        }
        match failure {
            Some(r) => refused.push(refuse(r)),
            None => {
                let previous = member.as_ref().map(|(_, role)| role.as_str());
                let effect = match (&member, row_events.is_empty()) {
                    (None, _) => RowEffect::Created,
                    (Some(_), true) => RowEffect::Unchanged,
                    (Some(_), false) => RowEffect::Updated,
                };
                outcomes.push(outcome(effect, previous));
                events.extend(row_events);
            }
        }
    }
    let mut plan = ImportPlan {
        outcomes,
        refused,
        events,
    };
    if plan.refused.is_empty() {
        let change = Change::ImportApplied {
            created: plan.count(RowEffect::Created),
            updated: plan.count(RowEffect::Updated),
            unchanged: plan.count(RowEffect::Unchanged),
        };
        plan.events.push(Event {
            at: cx.now,
            actor: cx.actor.clone(),
            change,
            names: Default::default(),
        });
    }
    Ok(plan)
}

/// Whether the member holds exactly the listed roles on each listed scope (an
/// empty list: none there). Scopes the row does not list are left as they are.
fn scopes_held(state: &State, user: &UserId, scopes: Option<&[ScopeRoles]>) -> bool {
    scopes.into_iter().flatten().all(|s| {
        let listed: BTreeSet<&str> = s.roles.iter().map(String::as_str).collect();
        state.object(&s.object_id).is_some()
            && state
                .scope_roles(user, &s.object_id)
                .map_or(listed.is_empty(), |held| {
                    held.len() == listed.len() && listed.iter().all(|r| held.contains(*r))
                })
    })
}
