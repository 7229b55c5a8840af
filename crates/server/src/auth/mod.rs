//! Authentication: passwords, the signed access tokens and their keys, and the
//! login rate limit. The SQL lives in `store`; the bearer secrets behind refresh
//! and setup tokens in `crate::secrets`, below both.

pub mod password;
pub mod presented_keys;
pub mod rate_limit;
pub mod signing;

pub use password::{
    HashingBusy, HashingError, HashingLimits, HashingTurn, Password, PasswordError, Passwords,
};
pub use rate_limit::{Attempt, LoginLimiter, LoginLimits};
pub use signing::{
    AccessClaims, KeyError, SignError, Signer, TokenError, TokenIdentity, ACCESS_TOKEN_SECONDS,
    DEFAULT_TOKEN_AUDIENCE, KEY_PUBLISH_SECONDS, KEY_RETIRE_GRACE_SECONDS,
};
