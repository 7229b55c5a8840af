//! (to be written: the members use cases)
