//! (to be written: the joining use cases)
