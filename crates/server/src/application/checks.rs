//! (to be written: the checks use cases)
