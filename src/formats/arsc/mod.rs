//! `resources.arsc`: the compiled resource table of an APK.
//!
//! Owns the decoding of `RES_TABLE_TYPE` (0x0002): the global value string
//! pool, packages (`0x0200`) with their type and key string pools, type
//! specs (`0x0202`), types (`0x0201`: dense, `FLAG_SPARSE`, `FLAG_OFFSET16`;
//! simple, complex and compact entries), shared-library tables (`0x0203`),
//! overlayables (`0x0204`/`0x0205`) and staged aliases (`0x0206`); and the
//! look-ups a scanner needs: a resource's name, its value in every
//! configuration, a string resolved for a locale the way Android picks it
//! (references followed, cycles stopped), and file paths such as
//! `res/xml/network_security_config.xml`.
//!
//! It must not do I/O or know about APKs: it takes the bytes of
//! `resources.arsc`. Unknown or damaged parts that Android tolerates become
//! [`Anomaly`]s with `arsc-*` codes; damage that makes Android refuse the
//! table (chunk sizes that do not fit, counts larger than the bytes that
//! hold them) is an [`ArscError`].
//!
//! Reference: `frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h`,
//! `ResourceTypes.cpp` and `LoadedArsc.cpp`.
//!
//! ```no_run
//! # fn demo(bytes: &[u8]) -> Result<(), humiao::formats::arsc::ArscError> {
//! let table = humiao::formats::arsc::parse(bytes)?.value;
//! let label = table.resolve_string(0x7f0a_0001, Some("zh-CN"));
//! let per_locale = table.localized_strings(0x7f0a_0001);
//! # Ok(()) }
//! ```
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod chunk;
pub mod config;
pub mod package;
mod resolve;
pub mod strings;

#[cfg(test)]
mod tests;

pub use config::Config;
pub use package::{EntryData, Library, Overlayable, Package, ResEntry, ResType, ResTypeChunk};
pub use resolve::{EntryValue, ResolvedEntry, MAX_REFERENCE_DEPTH};
pub use strings::{StringPool, StringPoolError};

use crate::formats::read::{u16_at, u32_at};
use crate::formats::{Anomaly, Parsed};
use chunk::{Chunk, ChunkIter, Sink};

/// `RES_TABLE_TYPE`.
pub const RES_TABLE_TYPE: u16 = 0x0002;
/// `sizeof(ResTable_header)`.
const TABLE_HEADER_SIZE: usize = 12;

/// Why a resource table could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArscError {
    /// The file does not start with a `RES_TABLE_TYPE` chunk.
    #[error("not a resource table: chunk type {found:#06x} at 0x0")]
    NotATable {
        /// Chunk type found.
        found: u16,
    },
    /// A structure needs more bytes than there are.
    #[error(
        "`{structure}` at {offset:#x} is truncated: needs {needed} bytes, {available} available"
    )]
    Truncated {
        /// Structure being read.
        structure: &'static str,
        /// Absolute offset.
        offset: usize,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A chunk's `headerSize`/`size` are inconsistent or exceed its parent.
    #[error("chunk {chunk_type:#06x} at {offset:#x} inside `{structure}` has bad sizes: header {header_size}, size {size}, {available} bytes available")]
    BadChunkSize {
        /// Parent structure.
        structure: &'static str,
        /// Chunk type.
        chunk_type: u16,
        /// Absolute offset.
        offset: usize,
        /// `headerSize`.
        header_size: u16,
        /// `size`.
        size: u32,
        /// Bytes left in the parent.
        available: usize,
    },
    /// A chunk header is smaller than its structure.
    #[error("`{structure}` at {offset:#x} has header size {header_size}, at least {min} needed")]
    HeaderTooSmall {
        /// Structure.
        structure: &'static str,
        /// Absolute offset.
        offset: usize,
        /// `headerSize`.
        header_size: u16,
        /// Minimum size.
        min: usize,
    },
    /// A declared count needs more bytes than the chunk holds.
    #[error("`{table}` at {offset:#x} with {count} entries runs past the end ({len} bytes)")]
    TableOutOfBounds {
        /// Table name.
        table: &'static str,
        /// Absolute offset of the table.
        offset: usize,
        /// Declared count.
        count: u32,
        /// Bytes available.
        len: usize,
    },
    /// A count larger than the format allows.
    #[error("`{table}` in chunk at {offset:#x} declares {count} entries, more than {max}")]
    BadCount {
        /// Table name.
        table: &'static str,
        /// Absolute offset of the chunk.
        offset: usize,
        /// Declared count.
        count: u32,
        /// Largest allowed.
        max: u32,
    },
    /// An offset field points outside its allowed range.
    #[error("`{field}` at {offset:#x} is {value:#x}, outside {min:#x}..={max:#x}")]
    BadOffset {
        /// Field name.
        field: &'static str,
        /// Absolute offset of the field.
        offset: usize,
        /// Field value.
        value: u32,
        /// Smallest allowed value.
        min: usize,
        /// Largest allowed value.
        max: usize,
    },
    /// A string pool could not be used.
    #[error("`{pool}` string pool at {offset:#x}: {source}")]
    StringPool {
        /// Which pool (`global`, `type strings`, `key strings`).
        pool: &'static str,
        /// Absolute offset of the pool chunk.
        offset: usize,
        /// What is wrong with it.
        source: StringPoolError,
    },
}

/// A decoded resource table. Borrows the string pools from the input;
/// entries are decoded when the table is parsed.
#[derive(Debug, Clone)]
pub struct ResTable<'a> {
    strings: StringPool<'a>,
    packages: Vec<Package<'a>>,
    package_count: u32,
}

/// Decodes `resources.arsc`.
///
/// See `LoadedArsc::Load` / `LoadTable` in `LoadedArsc.cpp`.
pub fn parse(data: &[u8]) -> Result<Parsed<ResTable<'_>>, ArscError> {
    let len = data.len();
    if len < TABLE_HEADER_SIZE {
        return Err(ArscError::Truncated {
            structure: "ResTable_header",
            offset: 0,
            needed: TABLE_HEADER_SIZE,
            available: len,
        });
    }
    let trunc = |_| ArscError::Truncated {
        structure: "ResTable_header",
        offset: 0,
        needed: TABLE_HEADER_SIZE,
        available: len,
    };
    let mut sink = Sink::default();
    let chunk_type = u16_at(data, 0).map_err(trunc)?;
    // LoadedArsc::Load walks the top-level chunks and skips unknown ones, so
    // a table preceded by other well-formed chunks still loads.
    let start = if chunk_type == RES_TABLE_TYPE {
        0
    } else {
        let at = find_table(data).ok_or(ArscError::NotATable { found: chunk_type })?;
        sink.note("arsc-leading-chunk", Some(0), || {
            format!("{at} byte(s) of other chunks before the table chunk; skipped")
        });
        at
    };
    let available = len - start;
    let declared = u32_at(data, start + 4).map_err(trunc)? as usize;
    if declared > available {
        return Err(ArscError::Truncated {
            structure: "ResTable_header",
            offset: start,
            needed: declared,
            available,
        });
    }
    let table = Chunk::read(data, start, len, "file")?;
    table.require_header(TABLE_HEADER_SIZE, "ResTable_header")?;
    let package_count = u32_at(data, start + 8).map_err(trunc)?;
    if table.end() < len {
        let extra = len - table.end();
        sink.note("arsc-trailing-data", Some(table.end()), || {
            format!("{extra} byte(s) after the table chunk; ignored")
        });
    }

    let mut strings: Option<StringPool<'_>> = None;
    let mut packages = Vec::new();
    let mut it = ChunkIter::new(data, table.body_offset(), table.end(), "ResTable_header");
    while let Some(child) = it.next_chunk(&mut sink) {
        let child = child?;
        match child.chunk_type {
            strings::RES_STRING_POOL_TYPE => {
                if strings.is_none() {
                    strings = Some(package::parse_pool(
                        child.data,
                        child.offset,
                        "global",
                        &mut sink,
                    )?);
                } else {
                    sink.note("arsc-extra-string-pool", Some(child.offset), || {
                        "more than one global string pool; only the first is used".into()
                    });
                }
            }
            package::RES_TABLE_PACKAGE_TYPE => {
                if packages.len() as u64 >= u64::from(package_count) {
                    sink.note("arsc-package-count-mismatch", Some(child.offset), || {
                        format!("more package chunks than the {package_count} declared (Android rejects the table)")
                    });
                }
                packages.push(package::parse_package(data, child, &mut sink)?);
            }
            other => sink.note("arsc-unknown-chunk", Some(child.offset), || {
                format!("unknown chunk type {other:#06x} inside the table; skipped")
            }),
        }
    }
    if (packages.len() as u64) < u64::from(package_count) {
        let n = packages.len();
        sink.note("arsc-package-count-mismatch", Some(8), || {
            format!("header declares {package_count} package(s), {n} found")
        });
    }
    let strings = match strings {
        Some(s) => s,
        None => {
            sink.note("arsc-missing-string-pool", Some(0), || {
                "the table has no global string pool".into()
            });
            StringPool::empty()
        }
    };
    let anomalies: Vec<Anomaly> = sink.finish();
    Ok(Parsed {
        value: ResTable {
            strings,
            packages,
            package_count,
        },
        anomalies,
    })
}

/// Offset of the first `RES_TABLE_TYPE` chunk among well-formed top-level
/// chunks, if any.
fn find_table(data: &[u8]) -> Option<usize> {
    let mut scratch = Sink::default();
    let mut it = ChunkIter::new(data, 0, data.len(), "file");
    while let Some(Ok(c)) = it.next_chunk(&mut scratch) {
        if c.chunk_type == RES_TABLE_TYPE {
            return Some(c.offset);
        }
    }
    None
}

impl<'a> ResTable<'a> {
    /// The packages, in file order (`id()`, `name()`).
    pub fn packages(&self) -> impl Iterator<Item = &Package<'a>> + '_ {
        self.packages.iter()
    }

    /// `packageCount` as declared in the header.
    pub fn declared_package_count(&self) -> u32 {
        self.package_count
    }

    /// The global value string pool.
    pub fn string_pool(&self) -> &StringPool<'a> {
        &self.strings
    }
}
