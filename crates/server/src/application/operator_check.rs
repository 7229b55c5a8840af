//! The operator's check (`steward check`): one question answered from the
//! database without holding the organization in memory. The store reads only
//! the rows the question needs (store/load_question.rs) and the core's own
//! check answers from them, so the decision is written once, in steward-core.

use super::checks::{Because, CheckRequest, Verdict};
use super::error::AppError;
use crate::store::Store;
use std::sync::Arc;
use steward_core::{OrgId, Policy, Snapshot};

/// Nobody asks, so nothing is hidden: the answer a key of the organization
/// gets from `POST /check`. A deleted organization is no organization.
pub async fn operator_check(
    store: &Store,
    policy: Arc<Policy>,
    org: &str,
    question: &CheckRequest<'_>,
) -> Result<Verdict, AppError> {
    let org = OrgId::parse(org).map_err(|_| AppError::no_organization())?;
    let state = store
        .load_question(&org, &question.user_id, &question.object_id)
        .await?;
    let snapshot = Snapshot::build(policy, &state);
    if !snapshot.is_live() {
        return Err(AppError::no_organization());
    }
    let decision = snapshot.check_by_name(&question.user_id, &question.action, &question.object_id);
    Ok(Verdict {
        allowed: decision.allowed,
        because: Because::of(&snapshot, decision.reason),
    })
}
