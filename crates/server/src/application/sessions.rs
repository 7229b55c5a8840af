//! (to be written: the sessions use cases)
