//! (to be written: the accounts use cases)
