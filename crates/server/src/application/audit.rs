//! The audit log: newest first with filters, the verification of its chain, and
//! the names its ids stand for (for people reading it).

use super::{page_limit, AppError, InOrg, Page, Steward};
use crate::store::{AuditEntry, AuditFilter, ChainReport};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use steward_core::{ObjectId, UserId};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// An event type, e.g. `user.role_changed`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<String>,
    /// The user who made the change.
    pub actor: Option<String>,
    /// The user or object it was about.
    pub target: Option<String>,
    /// Unix seconds: only events at or after.
    pub since: Option<i64>,
    /// Unix seconds: only events before.
    pub until: Option<i64>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// One event of the log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: String,
    #[serde(flatten)]
    #[schema(inline)]
    pub entry: AuditEntry,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainView {
    pub ok: bool,
    pub events: i64,
    pub first_bad_seq: Option<i64>,
}

impl From<ChainReport> for ChainView {
    fn from(r: ChainReport) -> ChainView {
        ChainView {
            ok: r.ok,
            events: r.events,
            first_bad_seq: r.first_bad_seq,
        }
    }
}

impl Steward {
    /// A page of the log, newest first. Needs `audit:view`; events about an
    /// object the caller may not see are asked for as about one that does not
    /// exist.
    pub async fn audit(&self, org: &InOrg, q: AuditQuery) -> Result<Page<AuditEvent>, AppError> {
        org.require("audit:view")?;
        let object = q
            .target
            .as_deref()
            .filter(|t| org.snapshot.node(t).is_some());
        if let Some(target) = object {
            org.visible_object(target)?;
        }
        let limit = page_limit(q.limit)?;
        let before = q
            .cursor
            .as_deref()
            .map(|c| {
                c.parse::<i64>()
                    .map_err(|_| AppError::invalid("cursor", "not a cursor this API gave"))
            })
            .transpose()?;
        let filter = AuditFilter {
            event_type: q.event_type,
            actor: q.actor,
            target: q.target,
            since: q.since,
            before,
            until: q.until,
            limit: limit as i64 + 1,
        };
        let mut entries = self.service().store().audit(&org.org, &filter).await?;
        let next_cursor = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        let items = entries
            .into_iter()
            .map(|entry| AuditEvent {
                id: entry.seq.to_string(),
                entry,
            })
            .collect();
        Ok(Page { items, next_cursor })
    }

    /// Whether the log's hash chain is whole. Needs `audit:view`.
    pub async fn verify_audit(&self, org: &InOrg) -> Result<ChainView, AppError> {
        org.require("audit:view")?;
        Ok(self.service().verify(&org.org).await?.into())
    }

    /// The names people know the actors and targets of `events` by (members and
    /// objects still there); an id without one is shown as itself.
    pub async fn audit_names(
        &self,
        org: &InOrg,
        events: &[AuditEvent],
    ) -> Result<HashMap<String, String>, AppError> {
        org.require("audit:view")?;
        let ids = events.iter().flat_map(|e| {
            [e.entry.actor_id.as_deref(), e.entry.target_id.as_deref()]
                .into_iter()
                .flatten()
        });
        let ids: Vec<&str> = ids.collect();
        Ok(self
            .service()
            .read(&org.org, |state| {
                let mut names = HashMap::new();
                for id in ids {
                    let member = UserId::parse(id).ok().and_then(|u| state.member(&u));
                    let object = ObjectId::parse(id).ok().and_then(|o| state.object(&o));
                    let name = member
                        .map(|m| m.name.to_string())
                        .or_else(|| object.map(|o| o.name.to_string()));
                    if let Some(name) = name {
                        names.insert(id.to_string(), name);
                    }
                }
                names
            })
            .await?)
    }
}
