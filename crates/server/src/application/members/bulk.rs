//! Deleting several members at once: each by the rule of the single delete,
//! the permitted ones deleted even when others are refused.

use super::super::{AppError, InOrg, Steward};
use super::hand_over_to_root;
use serde::Deserialize;
use std::collections::HashSet;
use steward_core::{Command, Refusal, UserId};

/// The most ids one bulk delete takes: one transaction, one answer, bounded.
pub const BULK_DELETE_MAX: usize = 1000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDeleteBody {
    /// 1 to 1000 distinct member ids.
    pub user_ids: Vec<String>,
    /// `root`: hand the deleted members' objects to the root account.
    pub transfer_objects_to: Option<String>,
}

/// What a bulk delete did: the members deleted and those kept, in the order asked.
#[derive(Debug)]
pub struct BulkDeletion {
    pub deleted: Vec<AskedMember>,
    pub refused: Vec<RefusedDeletion>,
}

/// A member as the caller named them, and the name they had before: the
/// deleted are gone from the organization afterwards.
#[derive(Debug)]
pub struct AskedMember {
    pub user_id: String,
    /// `None` for an id that named no member.
    pub name: Option<String>,
}

/// A member the rules kept.
#[derive(Debug)]
pub struct RefusedDeletion {
    pub member: AskedMember,
    pub refusal: DeleteRefusal,
}

/// Why one member of a bulk delete was not deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteRefusal {
    /// The single delete's rule (`owner_immutable`, `self_change`, `last_admin`...).
    Refused(Refusal),
    /// Text that is no member id at all: it names nobody.
    NotAnId,
}

impl RefusedDeletion {
    /// The reason the single delete answers for the same member.
    pub fn reason(&self) -> &'static str {
        match &self.refusal {
            DeleteRefusal::Refused(refusal) => refusal.reason(),
            DeleteRefusal::NotAnId => "unknown_member",
        }
    }

    /// The refusal in words, naming an id that is none as it was given.
    pub fn message(&self) -> String {
        match &self.refusal {
            DeleteRefusal::Refused(refusal) => refusal.to_string(),
            DeleteRefusal::NotAnId => format!("no such member: {:?}", self.member.user_id),
        }
    }
}

/// The ids of a bulk delete: some, at most `BULK_DELETE_MAX`, each once.
fn bulk_ids(user_ids: &[String]) -> Result<(), AppError> {
    if user_ids.is_empty() {
        return Err(AppError::invalid("user_ids", "user_ids names no member"));
    }
    if user_ids.len() > BULK_DELETE_MAX {
        return Err(AppError::invalid(
            "user_ids",
            format!("user_ids takes at most {BULK_DELETE_MAX} ids; send several requests"),
        ));
    }
    let mut seen = HashSet::with_capacity(user_ids.len());
    if let Some(twice) = user_ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(AppError::invalid(
            "user_ids",
            format!("user_ids names {twice:?} twice"),
        ));
    }
    Ok(())
}

impl Steward {
    /// Deletes each member the core permits, by the rule of the single delete, and
    /// reports the others: the permitted ones are deleted even when some are
    /// refused (docs/model.md#seed-003-platform), all in one transaction, each
    /// decided after the ones before it.
    pub async fn delete_members(
        &self,
        org: &InOrg,
        body: BulkDeleteBody,
    ) -> Result<BulkDeletion, AppError> {
        let actor = org.actor()?;
        bulk_ids(&body.user_ids)?;
        let hand_over_to_root = hand_over_to_root(body.transfer_objects_to.as_deref())?;
        let parsed: Vec<Option<UserId>> = body
            .user_ids
            .iter()
            .map(|id| UserId::parse(id).ok())
            .collect();
        let names = self.names_before(org, &parsed).await?;
        let commands = parsed
            .iter()
            .flatten()
            .map(|user_id| Command::DeleteMember {
                user_id: user_id.clone(),
                hand_over_to_root,
            })
            .collect();
        let mut outcomes = self
            .service
            .execute_each(&org.org, &actor, commands)
            .await?
            .into_iter();
        let mut done = BulkDeletion {
            deleted: Vec::new(),
            refused: Vec::new(),
        };
        let asked = body.user_ids.into_iter().zip(names);
        for ((user_id, name), parsed) in asked.zip(&parsed) {
            let refusal = match parsed {
                // The outcomes come in the order of the ids that parsed, one each.
                Some(_) => match outcomes.next() {
                    Some(Ok(_)) => None,
                    Some(Err(refusal)) => Some(DeleteRefusal::Refused(refusal)),
                    None => {
                        return Err(AppError::Internal(
                            "the bulk delete answered fewer outcomes than commands".into(),
                        ))
                    }
                },
                None => Some(DeleteRefusal::NotAnId),
            };
            let member = AskedMember { user_id, name };
            match refusal {
                None => done.deleted.push(member),
                Some(refusal) => done.refused.push(RefusedDeletion { member, refusal }),
            }
        }
        // A caller who may not delete members at all is told so, as by the single
        // delete, rather than with a list of refusals about each member.
        let not_permitted =
            |r: &RefusedDeletion| r.refusal == DeleteRefusal::Refused(Refusal::NotPermitted);
        if done.deleted.is_empty() && done.refused.iter().any(not_permitted) {
            return Err(Refusal::NotPermitted.into());
        }
        Ok(done)
    }

    /// The names the members have before they are deleted, for whoever shows
    /// them afterwards.
    async fn names_before(
        &self,
        org: &InOrg,
        users: &[Option<UserId>],
    ) -> Result<Vec<Option<String>>, AppError> {
        let names = self
            .service
            .read(&org.org, |state| {
                users
                    .iter()
                    .map(|user| Some(state.member(user.as_ref()?)?.name.to_string()))
                    .collect()
            })
            .await?;
        Ok(names)
    }
}
