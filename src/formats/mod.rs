//! Pure parsers: bytes in, typed views out.
//!
//! Nothing in here does I/O, knows a path, or knows about rules or reports.
//! Every parser follows the same pattern (see `docs/architecture.md`):
//!
//! * it borrows the input and bounds every count by the bytes that are left
//!   before it allocates or loops;
//! * it never indexes, unwraps or panics (the lints below hold the line);
//! * it is exactly as lenient as Android, and every deviation it tolerates is
//!   returned as an [`Anomaly`] next to the value, inside [`Parsed`].
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod arsc;
pub mod axml;
pub mod dex;
pub mod elf;
pub mod nsc;
pub mod read;
pub mod resvalue;

use serde::Serialize;

/// A value together with the irregularities met while decoding it.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// The decoded value.
    pub value: T,
    /// Deviations from the specification that were tolerated.
    pub anomalies: Vec<Anomaly>,
}

impl<T> Parsed<T> {
    /// A value with no anomaly.
    pub fn clean(value: T) -> Self {
        Parsed {
            value,
            anomalies: Vec::new(),
        }
    }
}

/// Something odd found in a file that did not stop decoding.
///
/// `code` is a stable kebab-case identifier (documented in
/// `docs/evidence.md`); `detail` is a human sentence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Anomaly {
    /// Stable identifier, e.g. `axml-bad-chunk-size`.
    pub code: &'static str,
    /// Byte offset inside the decoded buffer, where meaningful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Human-readable explanation.
    pub detail: String,
}

impl Anomaly {
    /// Builds an anomaly.
    pub fn new(code: &'static str, offset: Option<u64>, detail: impl Into<String>) -> Self {
        Anomaly {
            code,
            offset,
            detail: detail.into(),
        }
    }
}
