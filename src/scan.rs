//! Placeholder: scan pipeline.
