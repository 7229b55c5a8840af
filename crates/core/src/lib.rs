//! steward-core: Steward's pure model. Policy, governance (`decide`, `apply`) and the
//! check engine, and the CSV import's parser. No IO, no async, no clock: time is
//! passed in.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod access;
pub mod api_key;
pub mod calendar;
pub mod command;
pub mod decide;
pub mod event;
pub mod id;
pub mod id_text;
pub mod import_file;
pub mod minted_id;
pub mod policy;
pub mod refusal;
pub mod set;
pub mod sight;
pub mod snapshot;
pub mod state;
pub mod warning;
pub mod webhook;

pub use api_key::{ApiKey, API_KEY_PERMISSIONS};
pub use command::{Command, ImportRow};
pub use decide::{
    decide, deprovision_command, plan_import, second_factor_refusal, second_factor_reset_refusal,
    ImportPlan, RowEffect, RowOutcome,
};
pub use event::{Actor, Change, Event, ScopeRoles};
pub use id::{
    ApiKeyId, Email, InvitationId, Name, NominationId, ObjectId, OrgId, ParseError, Timestamp,
    UserId, WebhookId,
};
pub use policy::{OrgActions, Policy, PolicyError, PolicyErrors};
pub use refusal::{Refusal, RefusalKind, RowRefusal};
pub use set::{ActionSet, RoleSet};
pub use snapshot::{Decision, Reason, Snapshot};
pub use state::{apply, replay, Deprovision, Label, State, StateRows};
pub use warning::member_warnings;
pub use webhook::Webhook;
