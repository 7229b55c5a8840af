//! Steward's check engine against a flat floor, cedar-policy and casbin, on one
//! analytics workload. `cargo run --release --bin compare` prints the table.

pub mod casbin_engine;
pub mod cedar_engine;
pub mod timing;
pub mod workload;
