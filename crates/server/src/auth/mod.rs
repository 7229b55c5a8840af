//! Authentication: passwords, the secrets behind refresh and setup tokens, the
//! signed access tokens and the login rate limit. The SQL lives in `store`.

pub mod password;
pub mod rate_limit;
pub mod secret;
pub mod signing;

pub use password::{HashingBusy, HashingLimits, HashingTurn, Password, PasswordError, Passwords};
pub use rate_limit::{Attempt, LoginLimiter, LoginLimits};
pub use secret::{new_secret, secret_hash, secret_hash_hex};
pub use signing::{AccessClaims, Signer, TokenError, ACCESS_TOKEN_SECONDS};
