//! (to be written: the exports use cases)
