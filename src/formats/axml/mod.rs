//! Placeholder: filled by the axml work.
