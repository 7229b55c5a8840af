//! The HTTP API, over the real server on a random port against a fresh database:
//! the seeds' scenarios per preset, tenancy, tokens.

mod cli;
mod governance;
mod support;
mod tenancy;
mod tokens;
