//! What a service call can answer besides success.

use crate::store::StoreError;
use steward_core::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The core refused the command: nothing was stored.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}
