//! The HTTP API, over the real server on a random port against a fresh database:
//! the seeds' scenarios per preset, tenancy, tokens and their discovery,
//! password hashing.

mod audit_file;
mod cli;
mod console;
mod console_sight;
mod discovery;
mod endpoints;
mod feed;
mod governance;
mod hashing;
mod holding;
mod mail;
mod oidc_stub;
mod operations;
mod operator;
mod operator_tools;
mod scim;
mod scim_console;
mod scim_groups;
mod scim_quirks;
mod scim_rules;
mod scim_suspension;
mod second_factor;
mod sight;
mod smtp_sink;
mod sso;
mod support;
mod telemetry;
mod tenancy;
mod tokens;
mod traces;
mod webhooks;
mod webhooks_console;
