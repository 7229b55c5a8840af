//! (to be written: the orgs use cases)
