//! Dalvik executables (`classes.dex`, `classes2.dex`, …): a zero-copy
//! reader and a bytecode walk.
//!
//! [`Dex::parse`] checks the header once (`header.rs`): magic and version,
//! endian tag, Adler-32 checksum, and every `*_ids` / `class_defs` table
//! against the bytes present; it keeps the validated table slices and
//! decodes entries on access (`ids.rs`: strings, types, prototypes, field
//! and method references). [`Dex::classes`] decodes `class_def_item`s and
//! their `class_data_item` (`class.rs`); [`Dex::code_item`] and
//! [`Dex::code_refs`] walk a method's instructions with the opcode → length
//! table of the Dalvik bytecode specification and yield the references a
//! scanner needs — `invoke-*`, `const-string`, `const-class`, `sget`,
//! `iget` — without allocating (`code.rs`).
//!
//! What this module must not do: open files, look inside APKs (multidex is
//! the caller's job: parse each `classesN.dex` separately), run in parallel,
//! or decide anything about compliance.
//!
//! Leniency follows ART (`art/libdexfile/dex/dex_file_verifier.cc`), loosened
//! where reading is still possible: what makes the tables unreadable is a
//! [`DexError`] from [`Dex::parse`]; what ART refuses but we can still read
//! (bad checksum, wrong `file_size`, odd alignment, a map that disagrees
//! with the header) is an [`Anomaly`]. Damage inside one class or method
//! is an error for that class or method only: [`Dex::classes`] yields the
//! error and goes on with the next class, and [`Dex::for_each_code_ref`]
//! turns such errors into anomalies (see [`DexError::anomaly_code`]).
//!
//! Anomaly codes (stable; `offset` is a file offset):
//!
//! | code | meaning |
//! |---|---|
//! | `dex-bad-checksum` | Adler-32 of the file does not match the header (ART refuses the file; we still read it) |
//! | `dex-unknown-version` | `dex\n` magic with a version other than 035, 037–041 |
//! | `dex-odd-header-size` | `header_size` is not 0x70 (0x78 from version 041) |
//! | `dex-trailing-data` | bytes after `file_size` (ART refuses; they are ignored) |
//! | `dex-truncated` | the file is shorter than `file_size`; whatever is present is read |
//! | `dex-odd-section` | an id table misaligned, inside the header, or with an offset but no entries |
//! | `dex-bad-data-section` | `data_off`/`data_size` outside the file |
//! | `dex-bad-map` | `map_off` missing or the map list out of bounds |
//! | `dex-map-mismatch` | the map list disagrees with the header about an id table |
//! | `dex-bad-index`, `dex-bad-offset`, `dex-bad-string` | a reference inside a class or method cannot be resolved (from [`DexError::anomaly_code`]) |
//! | `dex-bad-class-data` | a `class_data_item` that does not decode; the class is skipped (also: class data decoded exceeds four times the file size, the remaining classes are skipped) |
//! | `dex-bad-code-item` | a `code_item` out of bounds or inconsistent; the method is skipped |
//! | `dex-bad-instruction` | an unused opcode or an instruction cut short; the rest of the method is skipped |
//! | `dex-walk-budget-exceeded` | instructions walked exceed four times the file size (`code_item`s shared between methods); the walk stops |
//! | `dex-anomalies-truncated` | more than 256 anomalies in one walk; the rest were counted only |
//!
//! ```no_run
//! # fn demo(bytes: &[u8]) -> Result<(), humiao::formats::dex::DexError> {
//! use humiao::formats::dex::{CodeRef, Dex};
//! let dex = Dex::parse(bytes)?.value;
//! let anomalies = dex.for_each_code_ref(|class, _method, r| {
//!     if let CodeRef::Invoke { method, .. } = r {
//!         if let Ok(callee) = dex.method_ref(method) {
//!             println!("{} -> {callee}", String::from_utf8_lossy(class.descriptor));
//!         }
//!     }
//! });
//! # let _ = anomalies;
//! # Ok(()) }
//! ```
//!
//! Cost model: [`Dex::parse`] is linear in the table sizes plus one
//! Adler-32 pass; [`Dex::classes`] and [`Dex::for_each_code_ref`] are linear
//! in the file (budgeted against items shared between classes or methods).
//! Resolving one reference costs the length of the strings involved (one
//! byte read for an ASCII string, a scan up to its NUL otherwise). In a file
//! ART accepts every string has its own `string_data_item`, so resolving
//! each index once is linear; a crafted file can point thousands of ids at
//! one huge name, so callers should resolve each distinct index once and
//! cache by index rather than re-resolve per call site.
//!
//! Specification: <https://source.android.com/docs/core/runtime/dex-format>
//! and <https://source.android.com/docs/core/runtime/dalvik-bytecode>.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod class;
mod code;
mod header;
mod ids;
pub mod mutf8;

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

pub use class::{
    ClassData, ClassDef, Classes, EncodedField, EncodedFields, EncodedMethod, EncodedMethods,
    FieldKind, MethodKind,
};
pub use code::{CodeItem, CodeRef, CodeRefs, InvokeKind};
pub use header::Header;
pub use ids::{FieldRef, MethodRef, Proto, TypeList};

use crate::formats::{Anomaly, Parsed};
use ids::Pools;

/// Most anomalies one [`Dex::for_each_code_ref`] walk records; further ones
/// are counted in a final `dex-anomalies-truncated` entry.
pub const MAX_ANOMALIES: usize = 256;

/// Why a DEX file, or one item inside it, cannot be read.
///
/// [`Dex::parse`] returns the header and table errors; the accessors
/// return the others for the one item they were asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DexError {
    /// The input does not start with `dex\n` + three digits + NUL.
    #[error("not a DEX file: magic {found:02x?}")]
    BadMagic {
        /// The first (up to) eight bytes.
        found: Vec<u8>,
    },
    /// The input is shorter than the 0x70-byte header.
    #[error("DEX file of {len} bytes is shorter than the 0x70-byte header")]
    TooShort {
        /// Input length.
        len: usize,
    },
    /// `endian_tag` is not `0x12345678` (ART reads only little-endian DEX).
    #[error("endian_tag {tag:#010x} at 0x28 is not 0x12345678 (only little-endian DEX exists)")]
    BadEndianTag {
        /// The tag found.
        tag: u32,
    },
    /// `header_size` is smaller than the header or larger than the file.
    #[error("header_size {header_size:#x} at 0x24 is impossible for a {len}-byte file")]
    BadHeaderSize {
        /// `header_size`.
        header_size: u32,
        /// Input length.
        len: usize,
    },
    /// An id table does not fit in the file.
    #[error("{table} at {offset:#x} with {count} entries runs past the end ({len} bytes)")]
    TableOutOfBounds {
        /// Spec name of the table (`string_ids`, `type_list`, …).
        table: &'static str,
        /// Table offset.
        offset: u32,
        /// Declared entry count.
        count: u32,
        /// Input length.
        len: usize,
    },
    /// An id table declares more entries than ART or this reader accepts.
    #[error("{table} declares {count} entries, more than the limit of {limit}")]
    TooManyItems {
        /// Spec name of the table.
        table: &'static str,
        /// Declared entry count.
        count: u32,
        /// The limit.
        limit: u32,
    },
    /// An index beyond its table.
    #[error("{kind} index {index} out of range ({len} entries)")]
    BadIndex {
        /// `string`, `type`, `proto`, `field` or `method`.
        kind: &'static str,
        /// The index.
        index: u32,
        /// Entries in the table.
        len: u32,
    },
    /// A data offset (`string_data_off`, `class_data_off`, …) outside the
    /// file, or a structure there that runs past the end.
    #[error("{structure} at {offset:#x} runs past the end ({len} bytes)")]
    BadOffset {
        /// Spec name of the structure.
        structure: &'static str,
        /// Its offset.
        offset: u32,
        /// Input length.
        len: usize,
    },
    /// A `string_data_item` without its NUL terminator where its
    /// `utf16_size` says it must be.
    #[error("string_data_item at {offset:#x} is not terminated within {utf16_size} UTF-16 units")]
    BadString {
        /// Offset of the `string_data_item`.
        offset: u32,
        /// Declared `utf16_size`.
        utf16_size: u32,
    },
    /// A `class_data_item` that does not decode.
    #[error("class_data_item at {offset:#x}: {reason}")]
    BadClassData {
        /// Offset of the `class_data_item`.
        offset: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A `code_item` whose instructions run past the end of the file.
    #[error(
        "code_item at {offset:#x} with {insns_size} code units runs past the end ({len} bytes)"
    )]
    CodeItemOutOfBounds {
        /// Offset of the `code_item`.
        offset: u32,
        /// Declared `insns_size` (16-bit units).
        insns_size: u32,
        /// Input length.
        len: usize,
    },
    /// A `code_item` whose fields contradict each other or the file.
    #[error("code_item at {offset:#x}: {reason}")]
    BadCodeItem {
        /// Offset of the `code_item`.
        offset: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// An instruction that cannot be decoded; the walk of that method stops.
    #[error("instruction {opcode:#06x} at {offset:#x} (code unit {address:#x}): {reason}")]
    BadInstruction {
        /// File offset of the instruction.
        offset: u32,
        /// Address in 16-bit code units from the start of `insns`.
        address: u32,
        /// The first code unit (opcode in the low byte).
        opcode: u16,
        /// What is wrong.
        reason: &'static str,
    },
}

impl DexError {
    /// The stable anomaly code under which a caller that skips the failing
    /// class or method records this error.
    pub fn anomaly_code(&self) -> &'static str {
        match self {
            DexError::BadIndex { .. } => "dex-bad-index",
            DexError::BadOffset { .. } | DexError::TableOutOfBounds { .. } => "dex-bad-offset",
            DexError::BadString { .. } => "dex-bad-string",
            DexError::BadClassData { .. } => "dex-bad-class-data",
            DexError::CodeItemOutOfBounds { .. } | DexError::BadCodeItem { .. } => {
                "dex-bad-code-item"
            }
            DexError::BadInstruction { .. } => "dex-bad-instruction",
            DexError::BadMagic { .. }
            | DexError::TooShort { .. }
            | DexError::BadEndianTag { .. }
            | DexError::BadHeaderSize { .. }
            | DexError::TooManyItems { .. } => "dex-bad-header",
        }
    }

    /// File offset the error points at, where it has one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            DexError::BadOffset { offset, .. }
            | DexError::TableOutOfBounds { offset, .. }
            | DexError::BadString { offset, .. }
            | DexError::BadClassData { offset, .. }
            | DexError::CodeItemOutOfBounds { offset, .. }
            | DexError::BadCodeItem { offset, .. }
            | DexError::BadInstruction { offset, .. } => Some(u64::from(*offset)),
            _ => None,
        }
    }

    /// This error as an anomaly (for a caller that skips the item and goes on).
    pub fn to_anomaly(&self) -> Anomaly {
        Anomaly::new(self.anomaly_code(), self.offset(), self.to_string())
    }
}

macro_rules! index_newtype {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

index_newtype! {
    /// Index into `string_ids`.
    StringIdx,
    /// Index into `type_ids`.
    TypeIdx,
    /// Index into `proto_ids`.
    ProtoIdx,
    /// Index into `field_ids`.
    FieldIdx,
    /// Index into `method_ids`.
    MethodIdx,
    /// Index into `call_site_ids` (the operand of `invoke-custom`).
    CallSiteIdx,
}

/// `NO_INDEX` in `class_def_item` (`superclass_idx`, `source_file_idx`).
pub const NO_INDEX: u32 = 0xffff_ffff;

/// Whether `data` starts with a DEX magic: `dex\n`, three ASCII digits, NUL.
///
/// Says nothing about the rest of the file; use [`Dex::parse`] for that.
pub fn is_dex(data: &[u8]) -> bool {
    match data.get(..8) {
        Some([b'd', b'e', b'x', b'\n', a, b, c, 0]) => {
            a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit()
        }
        _ => false,
    }
}

/// A parsed DEX file borrowing its bytes.
///
/// Cheap to keep around: the header copied out plus validated slices of
/// the id tables; strings, references and classes are decoded on access.
#[derive(Clone)]
pub struct Dex<'a> {
    header: Header,
    pools: Pools<'a>,
    proto_ids: &'a [u8],
    field_ids: &'a [u8],
    method_ids: &'a [u8],
    class_defs: &'a [u8],
}

impl fmt::Debug for Dex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dex")
            .field("header", &self.header)
            .field("len", &self.pools.data.len())
            .finish()
    }
}

/// Counts for a quick comparison with `dexdump`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountSummary {
    /// `class_defs_size`.
    pub class_defs: u32,
    /// Classes whose `class_def_item` and `class_data_item` decoded.
    pub classes_read: u32,
    /// Classes that failed to decode.
    pub classes_failed: u32,
    /// Methods defined (direct + virtual) in the classes read.
    pub methods_defined: u64,
    /// Of those, methods with a `code_item`.
    pub methods_with_code: u64,
    /// Fields defined (static + instance) in the classes read.
    pub fields_defined: u64,
    /// `method_ids_size`.
    pub method_ids: u32,
    /// `field_ids_size`.
    pub field_ids: u32,
    /// `string_ids_size`.
    pub string_ids: u32,
    /// `type_ids_size`.
    pub type_ids: u32,
    /// `proto_ids_size`.
    pub proto_ids: u32,
}

impl<'a> Dex<'a> {
    /// Parses the header at the start of `data` and validates every id
    /// table against the file.
    ///
    /// Reads a version-041 container's first DEX; [`Dex::next_in_container`]
    /// gives the offset of the next one for [`Dex::parse_at`].
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#header-item>
    pub fn parse(data: &'a [u8]) -> Result<Parsed<Dex<'a>>, DexError> {
        Dex::parse_at(data, 0)
    }

    /// Parses the DEX whose header starts at `header_offset` inside a
    /// version-041 container `data` (all offsets in a DEX header are
    /// relative to the container start). `parse_at(data, 0)` is
    /// [`Dex::parse`].
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#header-item>
    pub fn parse_at(data: &'a [u8], header_offset: usize) -> Result<Parsed<Dex<'a>>, DexError> {
        header::parse(data, header_offset)
    }

    /// The header, with the spec's field names.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The whole input (offsets in this DEX are relative to its start).
    pub fn data(&self) -> &'a [u8] {
        self.pools.data
    }

    /// For a version-041 container, the offset of the next DEX header after
    /// this one, if the container says there is one.
    pub fn next_in_container(&self) -> Option<usize> {
        let h = &self.header;
        let container = h.container_size?;
        let next = u64::from(h.header_offset.unwrap_or(0)) + u64::from(h.file_size);
        (h.file_size >= 0x70
            && next + 0x70 <= u64::from(container).min(self.pools.data.len() as u64))
        .then_some(next)
        .and_then(|n| usize::try_from(n).ok())
    }

    /// The MUTF-8 bytes of a string (without the NUL terminator).
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#string-item>
    pub fn string(&self, idx: StringIdx) -> Result<&'a [u8], DexError> {
        self.pools.string(idx)
    }

    /// A string decoded from MUTF-8 (borrowed when it is plain UTF-8;
    /// malformed sequences become U+FFFD).
    pub fn string_lossy(&self, idx: StringIdx) -> Result<Cow<'a, str>, DexError> {
        self.pools.string(idx).map(mutf8::decode)
    }

    /// A type descriptor such as `Lcom/foo/Bar;`, `I` or `[Ljava/lang/String;`.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#type-id-item>
    pub fn type_descriptor(&self, idx: TypeIdx) -> Result<&'a [u8], DexError> {
        self.pools.type_descriptor(idx)
    }

    /// A method prototype: shorty, return type and parameter types.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#proto-id-item>
    pub fn proto(&self, idx: ProtoIdx) -> Result<Proto<'a>, DexError> {
        ids::proto(&self.pools, self.proto_ids, idx)
    }

    /// A method reference: class, name and prototype.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#method-id-item>
    pub fn method_ref(&self, idx: MethodIdx) -> Result<MethodRef<'a>, DexError> {
        ids::method_ref(&self.pools, self.proto_ids, self.method_ids, idx)
    }

    /// A field reference: class, name and type.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#field-id-item>
    pub fn field_ref(&self, idx: FieldIdx) -> Result<FieldRef<'a>, DexError> {
        ids::field_ref(&self.pools, self.field_ids, idx)
    }

    /// The class definitions in file order. A class that fails to decode
    /// yields its error and the walk goes on with the next one.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#class-def-item>
    pub fn classes(&self) -> Classes<'_, 'a> {
        Classes::new(self)
    }

    /// The `code_item` at `code_off` (an [`EncodedMethod::code_off`]),
    /// checked against the file.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dex-format#code-item>
    pub fn code_item(&self, code_off: u32) -> Result<CodeItem<'a>, DexError> {
        code::code_item(self.pools.data, code_off)
    }

    /// The references made by a method's instructions, in order, without
    /// allocating. Stops after yielding one error for an undecodable
    /// instruction.
    ///
    /// See: <https://source.android.com/docs/core/runtime/dalvik-bytecode>
    pub fn code_refs(&self, code: &CodeItem<'a>) -> CodeRefs<'a> {
        code.refs()
    }

    /// Walks every method of every class and calls `f` for each reference
    /// its code makes. Classes, methods and instructions that fail to
    /// decode are skipped and returned as anomalies (at most
    /// [`MAX_ANOMALIES`], then a count), and so are references whose index
    /// lies beyond its id table (`dex-bad-index`): `f` only sees indices
    /// that are in range.
    ///
    /// The walk is linear in the file size: it stops with
    /// `dex-walk-budget-exceeded` once the instructions walked exceed four
    /// times the file plus 1 MiB, which only `code_item`s shared between
    /// many methods can cause. Resolving a reference costs the length of
    /// the names involved, so a caller that resolves should do it once per
    /// distinct index (a crafted file can point every call at one huge
    /// name).
    pub fn for_each_code_ref<F>(&self, mut f: F) -> Vec<Anomaly>
    where
        F: FnMut(&ClassDef<'a>, &EncodedMethod, CodeRef),
    {
        let mut sink = AnomalySink::default();
        let mut budget = class::work_budget(self.pools.data.len());
        'classes: for class in self.classes() {
            let class = match class {
                Ok(c) => c,
                Err(e) => {
                    sink.push(e.to_anomaly());
                    continue;
                }
            };
            for method in class.methods() {
                if method.code_off == 0 {
                    continue;
                }
                let code = match self.code_item(method.code_off) {
                    Ok(c) => c,
                    Err(e) => {
                        sink.push(e.to_anomaly());
                        continue;
                    }
                };
                match budget.checked_sub(code.insns.len() as u64) {
                    Some(left) => budget = left,
                    None => {
                        sink.push(Anomaly::new(
                            "dex-walk-budget-exceeded",
                            Some(u64::from(code.offset)),
                            "instructions walked so far exceed four times the file size (code_items shared between methods); the rest of the file is not walked",
                        ));
                        break 'classes;
                    }
                }
                for r in code.refs() {
                    let r = match r {
                        Ok(r) => r,
                        Err(e) => {
                            sink.push(e.to_anomaly());
                            continue;
                        }
                    };
                    match self.check_ref(&r) {
                        Ok(()) => f(&class, &method, r),
                        Err(e) => {
                            let at = u64::from(code.insns_off()) + 2 * u64::from(r.address());
                            sink.push(Anomaly::new(
                                e.anomaly_code(),
                                Some(at),
                                format!(
                                    "{e} in the instruction at code unit {:#x} of the code_item at {:#x}; the reference is skipped",
                                    r.address(),
                                    code.offset
                                ),
                            ));
                        }
                    }
                }
            }
        }
        sink.finish()
    }

    /// Whether `r`'s index lies inside its id table. ART's verifier rejects
    /// a method whose instruction names an index beyond the table
    /// (`CheckMethodIndex` and friends in `art/runtime/verifier/`); the walk
    /// reports it rather than hand callers a reference nothing resolves.
    /// Call sites are not checked (their table is not kept).
    fn check_ref(&self, r: &CodeRef) -> Result<(), DexError> {
        let (kind, index, table, size) = match *r {
            CodeRef::Invoke { method, proto, .. } => {
                if let Some(p) = proto {
                    self.in_table("proto", p.0, self.proto_ids, 12)?;
                }
                ("method", method.0, self.method_ids, 8)
            }
            CodeRef::ConstString { string, .. } => ("string", string.0, self.pools.string_ids, 4),
            CodeRef::ConstClass { type_idx, .. } => ("type", type_idx.0, self.pools.type_ids, 4),
            CodeRef::StaticGet { field, .. } | CodeRef::InstanceGet { field, .. } => {
                ("field", field.0, self.field_ids, 8)
            }
            CodeRef::InvokeCustom { .. } => return Ok(()),
        };
        self.in_table(kind, index, table, size)
    }

    fn in_table(
        &self,
        kind: &'static str,
        index: u32,
        table: &[u8],
        size: usize,
    ) -> Result<(), DexError> {
        let len = table.len() / size;
        if (index as usize) < len {
            Ok(())
        } else {
            Err(DexError::BadIndex {
                kind,
                index,
                len: u32::try_from(len).unwrap_or(u32::MAX),
            })
        }
    }

    /// Class, method and field counts (walks all class data, not code).
    pub fn count_summary(&self) -> CountSummary {
        let h = &self.header;
        let mut s = CountSummary {
            class_defs: h.class_defs_size,
            method_ids: h.method_ids_size,
            field_ids: h.field_ids_size,
            string_ids: h.string_ids_size,
            type_ids: h.type_ids_size,
            proto_ids: h.proto_ids_size,
            ..CountSummary::default()
        };
        for class in self.classes() {
            let Ok(class) = class else {
                s.classes_failed += 1;
                continue;
            };
            s.classes_read += 1;
            if let Some(cd) = &class.class_data {
                s.fields_defined +=
                    u64::from(cd.static_fields_size) + u64::from(cd.instance_fields_size);
                s.methods_defined +=
                    u64::from(cd.direct_methods_size) + u64::from(cd.virtual_methods_size);
                s.methods_with_code += cd.methods().filter(|m| m.code_off != 0).count() as u64;
            }
        }
        s
    }
}

/// Collects anomalies, capped at [`MAX_ANOMALIES`].
#[derive(Default)]
struct AnomalySink {
    list: Vec<Anomaly>,
    dropped: usize,
}

impl AnomalySink {
    fn push(&mut self, a: Anomaly) {
        if self.list.len() < MAX_ANOMALIES {
            self.list.push(a);
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<Anomaly> {
        if self.dropped > 0 {
            self.list.push(Anomaly::new(
                "dex-anomalies-truncated",
                None,
                format!("{} more anomalies were not recorded", self.dropped),
            ));
        }
        self.list
    }
}
