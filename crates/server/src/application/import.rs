//! (to be written: the import use cases)
