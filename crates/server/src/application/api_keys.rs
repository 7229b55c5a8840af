//! (to be written: the api_keys use cases)
