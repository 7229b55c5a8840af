//! (to be written: the objects use cases)
