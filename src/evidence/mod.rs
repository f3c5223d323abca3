//! Placeholder: evidence model.
