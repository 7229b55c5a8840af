//! What this binary is, for `steward_build_info`: its version, the git commit
//! and the compiler it was built from (set by build.rs).

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// "unknown" when built outside a git checkout without `STEWARD_GIT_COMMIT`.
pub const GIT_COMMIT: &str = env!("STEWARD_GIT_COMMIT");
/// `rustc --version` of the build.
pub const RUSTC: &str = env!("STEWARD_RUSTC_VERSION");
