//! Container stage: opening APK, XAPK/APKS bundles, zip entries and signing info.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod signing;
pub mod zip;
