//! Placeholder: filled by the arsc work.
