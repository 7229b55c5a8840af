//! Steward's check engine against a flat floor, cedar-policy and casbin, on one
//! analytics workload. `cargo run --release --bin compare` prints the table.

#[cfg(feature = "peers")]
pub mod casbin_engine;
#[cfg(feature = "peers")]
pub mod cedar_engine;
pub mod timing;
pub mod workload;
