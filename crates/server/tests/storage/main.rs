//! The storage suite: one binary, the same tests against SQLite and (when
//! `STEWARD_TEST_POSTGRES_URL` is set) PostgreSQL.

mod support;

mod accounts;
mod bulk_load;
mod chain;
mod conformance;
mod crash;
mod group_commit;
mod many_orgs;
mod nodes;
mod policies;
mod question;
mod races;
mod reload;
