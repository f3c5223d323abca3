//! Tests of `collect` over hand-built blocks and generated signature files.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
