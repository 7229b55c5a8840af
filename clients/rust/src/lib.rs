//! Steward's checks from a customer's Rust service: [`Steward`], a typed async
//! client for `/check` and `/check/batch`, and [`RequirePermission`], a tower
//! layer that asks it before an axum route runs and answers 403 with Steward's
//! reason when the caller may not. With the feature `local`, [`LocalCopy`]: the
//! organization held in this process and checked here, kept current from the
//! event feed (docs/integrate.md, "A local copy").
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use steward_client::{from_path, RequirePermission, Steward};
//!
//! let steward = Steward::new("http://127.0.0.1:8080", "org_...", "stw_key_...");
//! let app: Router = Router::new()
//!     .route("/projects/{id}", get(|| async { "edited" }))
//!     .route_layer(RequirePermission::new("project:edit", from_path("id")).with_client(steward));
//! ```
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;
mod layer;
#[cfg(feature = "local")]
mod local;
mod locate;

pub use client::{Decision, Error, FeedEvent, FeedPage, Question, Steward};
pub use layer::{Checker, RequirePermission, RequirePermissionService};
#[cfg(feature = "local")]
pub use local::{
    Answer, Answered, Counts, LoadError, LocalCopy, LocalCopyBuilder, DEFAULT_STALENESS_BOUND,
};
pub use locate::{from_extension, from_header, from_path, Locate, UserId};
