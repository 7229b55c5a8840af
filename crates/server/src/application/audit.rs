//! (to be written: the audit use cases)
