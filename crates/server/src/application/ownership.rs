//! (to be written: the ownership use cases)
