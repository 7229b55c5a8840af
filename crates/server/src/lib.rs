//! Steward's server: the store (SQLite, PostgreSQL), the service layer every path
//! goes through, and the command line. `secrets` (random ids and bearer secrets)
//! sits below them all.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod app;
pub mod application;
pub mod auth;
pub mod cli;
pub mod download;
pub mod freed_memory;
pub mod http;
pub mod huge_pages;
pub mod mail;
pub mod qr_code;
pub mod scim;
pub mod secrets;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod urlencoded;
pub mod web;
pub mod webhooks;
