//! The HTTP API, over the real server on a random port against a fresh database:
//! the seeds' scenarios per preset, tenancy, tokens, password hashing.

mod cli;
mod console;
mod endpoints;
mod governance;
mod hashing;
mod operations;
mod scim;
mod scim_console;
mod scim_groups;
mod scim_quirks;
mod scim_rules;
mod sight;
mod support;
mod tenancy;
mod tokens;
