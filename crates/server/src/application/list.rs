//! The shape of every listing: a page of items and the cursor to the next one
//! (docs/api.md#lists-and-pagination).

use super::error::AppError;
use serde::Serialize;

/// `{items, next_cursor}`: the list shape of every listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `limit`: 50 by default, at most 1000.
pub fn page_limit(limit: Option<usize>) -> Result<usize, AppError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=1000).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            "limit must be between 1 and 1000",
        )),
    }
}
