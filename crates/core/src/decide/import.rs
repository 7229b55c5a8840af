//! A CSV import as one all-or-nothing batch (seed 001: "re-apply roles across a
//! file"): each row is decided exactly as the single change would be, against the
//! state the rows before it leave, and any refused row refuses the whole batch.

use super::{decide, Context};
use crate::command::{Command, ImportRow};
use crate::event::{Change, Event};
use crate::refusal::{Refusal, RowRefusal};
use crate::state::apply;
use std::collections::HashSet;

pub(super) fn decide_import(cx: &Context, rows: Vec<ImportRow>) -> Result<Vec<Event>, Refusal> {
    cx.acting_member()?;
    let mut scratch = cx.state.clone();
    let mut events = Vec::new();
    let mut refused = Vec::new();
    let mut seen = HashSet::with_capacity(rows.len());
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
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
        let member = scratch
            .member_by_email(&row.email)
            .map(|m| m.user_id.clone());
        let commands = match &member {
            Some(user_id) => {
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
                        unchanged += 1;
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
                        apply(&mut scratch, e);
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
                match (&member, row_events.is_empty()) {
                    (None, _) => created += 1,
                    (Some(_), true) => unchanged += 1,
                    (Some(_), false) => updated += 1,
                }
                events.extend(row_events);
            }
        }
    }
    if !refused.is_empty() {
        return Err(Refusal::Rows(refused));
    }
    events.push(Event {
        at: cx.now,
        actor: cx.actor.clone(),
        change: Change::ImportApplied {
            created,
            updated,
            unchanged,
        },
    });
    Ok(events)
}
