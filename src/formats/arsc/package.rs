//! `ResTable_package` and its children: type/key string pools,
//! `ResTable_typeSpec`, `ResTable_type` (dense, `FLAG_SPARSE`,
//! `FLAG_OFFSET16`) with simple, complex and compact entries,
//! `ResTable_lib_header`, overlayable and staged-alias chunks.
//!
//! Checks follow `LoadedPackage::Load`, `VerifyResTableType` and
//! `VerifyResTableEntry` in `frameworks/base/libs/androidfw/LoadedArsc.cpp`.
//! Where Android refuses the whole table for a damaged chunk header or a
//! count that cannot fit, so do we (an [`ArscError`]); where it only fails a
//! lookup (a bad entry offset, a bad value size) we skip that entry and
//! record an anomaly.

use std::collections::BTreeMap;

use super::chunk::{Chunk, ChunkIter, Sink};
use super::config::Config;
use super::strings::{StringPool, RES_STRING_POOL_TYPE};
use super::ArscError;
use crate::formats::read::{u16_at, u32_at, utf16le_lossy};
use crate::formats::resvalue::ResValue;

/// `RES_TABLE_PACKAGE_TYPE`.
pub const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
/// `RES_TABLE_TYPE_TYPE`.
pub const RES_TABLE_TYPE_TYPE: u16 = 0x0201;
/// `RES_TABLE_TYPE_SPEC_TYPE`.
pub const RES_TABLE_TYPE_SPEC_TYPE: u16 = 0x0202;
/// `RES_TABLE_LIBRARY_TYPE`.
pub const RES_TABLE_LIBRARY_TYPE: u16 = 0x0203;
/// `RES_TABLE_OVERLAYABLE_TYPE`.
pub const RES_TABLE_OVERLAYABLE_TYPE: u16 = 0x0204;
/// `RES_TABLE_OVERLAYABLE_POLICY_TYPE`.
pub const RES_TABLE_OVERLAYABLE_POLICY_TYPE: u16 = 0x0205;
/// `RES_TABLE_STAGED_ALIAS_TYPE`.
pub const RES_TABLE_STAGED_ALIAS_TYPE: u16 = 0x0206;

/// `ResTable_type::FLAG_SPARSE`.
pub const FLAG_SPARSE: u8 = 0x01;
/// `ResTable_type::FLAG_OFFSET16`.
pub const FLAG_OFFSET16: u8 = 0x02;
/// `ResTable_type::NO_ENTRY`.
pub const NO_ENTRY: u32 = 0xffff_ffff;

/// `ResTable_entry::FLAG_COMPLEX`.
pub const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
/// `ResTable_entry::FLAG_PUBLIC`.
pub const ENTRY_FLAG_PUBLIC: u16 = 0x0002;
/// `ResTable_entry::FLAG_WEAK`.
pub const ENTRY_FLAG_WEAK: u16 = 0x0004;
/// `ResTable_entry::FLAG_COMPACT` (Android 14+).
pub const ENTRY_FLAG_COMPACT: u16 = 0x0008;

/// `ResTable_typeSpec::SPEC_PUBLIC`.
pub const SPEC_PUBLIC: u32 = 0x4000_0000;

/// `sizeof(ResTable_package)` without `typeIdOffset` (oldest accepted).
const PACKAGE_HEADER_MIN: usize = 284;
/// `sizeof(ResTable_package)`.
const PACKAGE_HEADER_FULL: usize = 288;
/// `kResTableTypeMinSize`: `ResTable_type` up to and including `config.size`.
const TYPE_HEADER_MIN: usize = 24;
/// Offset of `config` inside `ResTable_type`.
const TYPE_CONFIG_OFFSET: usize = 20;
/// `sizeof(ResTable_typeSpec)`.
const TYPE_SPEC_HEADER: usize = 16;
/// `sizeof(ResTable_lib_entry)`.
const LIB_ENTRY_SIZE: usize = 260;
/// `sizeof(ResTable_map)`.
const MAP_SIZE: usize = 12;
/// `sizeof(Res_value)`.
const VALUE_SIZE: usize = 8;

/// One package of the table (`ResTable_package`).
#[derive(Debug, Clone)]
pub struct Package<'a> {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) offset: usize,
    pub(crate) type_strings: StringPool<'a>,
    pub(crate) key_strings: StringPool<'a>,
    pub(crate) type_id_offset: u32,
    pub(crate) types: BTreeMap<u8, ResType<'a>>,
    pub(crate) libraries: Vec<Library>,
    pub(crate) overlayables: Vec<Overlayable>,
    pub(crate) staged_aliases: Vec<(u32, u32)>,
}

/// A shared-library package id mapping (`ResTable_lib_entry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// Package id assigned at build time.
    pub package_id: u32,
    /// Package name of the library.
    pub name: String,
}

/// An overlayable declaration (`ResTable_overlayable_header`) with its
/// policy chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlayable {
    /// Name of the overlayable set.
    pub name: String,
    /// Actor allowed to enable overlays.
    pub actor: String,
    /// `(policy_flags, resource ids)` per policy chunk.
    pub policies: Vec<(u32, Vec<u32>)>,
}

/// Every chunk for one type id in a package: the `ResTable_typeSpec` and
/// one `ResTable_type` per configuration.
#[derive(Debug, Clone)]
pub struct ResType<'a> {
    pub(crate) id: u8,
    pub(crate) spec: Option<TypeSpec<'a>>,
    pub(crate) chunks: Vec<ResTypeChunk<'a>>,
}

/// `ResTable_typeSpec`: per-entry configuration-change flags, read in place
/// (`u32` each).
#[derive(Debug, Clone)]
pub(crate) struct TypeSpec<'a> {
    pub(crate) flags: &'a [u8],
}

impl TypeSpec<'_> {
    fn len(&self) -> usize {
        self.flags.len() / 4
    }
}

/// One `ResTable_type` chunk: a configuration and the entries defined in
/// it.
///
/// Entries stay in the file's bytes and are decoded on access: a table of
/// 100,000 entries costs no allocation until someone asks for one. Parsing
/// has already walked every entry once with the same checks, recording
/// each problem as an anomaly; an entry that failed them reads as absent.
#[derive(Debug, Clone)]
pub struct ResTypeChunk<'a> {
    pub(crate) config: Config,
    pub(crate) flags: u8,
    pub(crate) offset: usize,
    pub(crate) entry_count: u32,
    /// The whole chunk.
    chunk: Chunk<'a>,
    /// `entriesStart`, relative to the chunk.
    entries_start: usize,
    layout: Layout,
    /// Largest key index among the readable entries (checked against the
    /// key pool once the package is read).
    max_key: Option<u32>,
    /// Readable simple entries whose value is a `TYPE_STRING`.
    string_values: u32,
}

/// How a type chunk's entry offsets are laid out.
#[derive(Debug, Clone)]
enum Layout {
    /// One offset per entry index (`u32`, or `u16` × 4 with
    /// `FLAG_OFFSET16`), `NO_ENTRY` for absent entries.
    Dense {
        /// `FLAG_OFFSET16`.
        offset16: bool,
    },
    /// `FLAG_SPARSE` with strictly increasing indices: `(idx, offset / 4)`
    /// pairs, binary-searchable in place as Android does.
    Sparse,
    /// `FLAG_SPARSE` out of order (an anomaly): the readable entries as
    /// `(idx, offset)`, sorted by index, first of each index kept.
    Sorted(Vec<(u16, u32)>),
}

/// One decoded `ResTable_entry` (full or compact) with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResEntry {
    /// Index into the package's key string pool.
    pub key: u32,
    /// `ResTable_entry` flags (`FLAG_COMPLEX`, `FLAG_PUBLIC`, …).
    pub flags: u16,
    /// The value.
    pub data: EntryData,
}

/// The value of an entry before strings are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryData {
    /// A single `Res_value`.
    Simple(ResValue),
    /// A map (`ResTable_map_entry`): style, array, plurals, attr, ….
    Complex {
        /// Parent map resource id, 0 for none.
        parent: u32,
        /// `(name, value)` pairs.
        items: Vec<(u32, ResValue)>,
    },
}

impl<'a> Package<'a> {
    /// Package id (`0x7f` for apps, `0x01` for the framework, `0` for a
    /// shared library whose id is assigned at run time).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Package name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the id is assigned at run time (`id == 0`, a shared library).
    pub fn is_dynamic(&self) -> bool {
        self.id == 0
    }

    /// Absolute offset of the package chunk.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Shared libraries this package references (`RES_TABLE_LIBRARY_TYPE`).
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// Overlayable declarations.
    pub fn overlayables(&self) -> &[Overlayable] {
        &self.overlayables
    }

    /// Staged → finalized resource id aliases.
    pub fn staged_aliases(&self) -> &[(u32, u32)] {
        &self.staged_aliases
    }

    /// The type names pool.
    pub fn type_strings(&self) -> &StringPool<'a> {
        &self.type_strings
    }

    /// The entry names pool.
    pub fn key_strings(&self) -> &StringPool<'a> {
        &self.key_strings
    }

    /// Types in id order.
    pub fn types(&self) -> impl Iterator<Item = &ResType<'a>> + '_ {
        self.types.values()
    }

    /// The type with id `type_id` (the `tt` in `0xpptteeee`).
    pub fn res_type(&self, type_id: u8) -> Option<&ResType<'a>> {
        self.types.get(&type_id)
    }

    /// Name of type `type_id` (`string`, `drawable`, …).
    pub fn type_name(&self, type_id: u8) -> Option<String> {
        let idx = u32::from(type_id)
            .checked_sub(1)?
            .checked_sub(self.type_id_offset)?;
        self.type_strings.get(idx).map(|s| s.into_owned())
    }

    /// Entry name for key index `key`.
    pub fn key_name(&self, key: u32) -> Option<String> {
        self.key_strings.get(key).map(|s| s.into_owned())
    }
}

impl<'a> ResType<'a> {
    /// Type id (the `tt` in `0xpptteeee`).
    pub fn id(&self) -> u8 {
        self.id
    }

    /// Number of entries declared by the type spec (or the largest entry
    /// count of the configurations when the spec is missing).
    pub fn entry_count(&self) -> usize {
        match &self.spec {
            Some(s) => s.len(),
            None => self
                .chunks
                .iter()
                .map(|c| c.entry_count as usize)
                .max()
                .unwrap_or(0),
        }
    }

    /// Configuration-change flags of entry `idx` from the type spec.
    pub fn spec_flags(&self, idx: u16) -> Option<u32> {
        u32_at(self.spec.as_ref()?.flags, usize::from(idx) * 4).ok()
    }

    /// Whether a `ResTable_typeSpec` was found.
    pub fn has_spec(&self) -> bool {
        self.spec.is_some()
    }

    /// The configurations (`ResTable_type` chunks) in file order.
    pub fn configs(&self) -> &[ResTypeChunk<'a>] {
        &self.chunks
    }
}

impl<'a> ResTypeChunk<'a> {
    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// `ResTable_type::flags` (`FLAG_SPARSE`, `FLAG_OFFSET16`).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Absolute offset of the chunk.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Number of readable entries holding a plain string value
    /// (`TYPE_STRING`), counted while parsing (the same as counting
    /// [`Self::entries`] with such a value, without decoding them again).
    pub fn string_value_count(&self) -> usize {
        self.string_values as usize
    }

    /// Entries present in this configuration, in entry-index order,
    /// decoded from the table's bytes.
    pub fn entries(&self) -> impl Iterator<Item = (u16, ResEntry)> + '_ {
        self.slots()
            .filter_map(|(idx, rel)| Some((idx, self.decode(idx, rel, true)?)))
    }

    /// The entry at index `idx`, if defined in this configuration.
    pub fn entry(&self, idx: u16) -> Option<ResEntry> {
        let rel = match &self.layout {
            Layout::Dense { offset16 } => self.dense_offset(usize::from(idx), *offset16)?,
            Layout::Sparse => {
                let n = self.entry_count as usize;
                // Strictly increasing indices: binary search in place.
                let (mut lo, mut hi) = (0usize, n);
                let mut found = None;
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    let (i, rel) = self.sparse_pair(mid)?;
                    match i.cmp(&idx) {
                        std::cmp::Ordering::Less => lo = mid + 1,
                        std::cmp::Ordering::Greater => hi = mid,
                        std::cmp::Ordering::Equal => {
                            found = Some(rel);
                            break;
                        }
                    }
                }
                found?
            }
            Layout::Sorted(v) => {
                let p = v.binary_search_by_key(&idx, |(i, _)| *i).ok()?;
                v.get(p)?.1
            }
        };
        self.decode(idx, rel, true)
    }

    /// Every `(index, offset relative to entriesStart)` slot, in index
    /// order, before the entries are checked.
    fn slots(&self) -> Box<dyn Iterator<Item = (u16, u32)> + '_> {
        match &self.layout {
            Layout::Dense { offset16 } => {
                let offset16 = *offset16;
                Box::new((0..self.entry_count as usize).filter_map(move |i| {
                    Some((u16::try_from(i).ok()?, self.dense_offset(i, offset16)?))
                }))
            }
            Layout::Sparse => {
                Box::new((0..self.entry_count as usize).filter_map(|i| self.sparse_pair(i)))
            }
            Layout::Sorted(v) => Box::new(v.iter().copied()),
        }
    }

    /// Offset of dense slot `i`, `None` for `NO_ENTRY` or out of range.
    fn dense_offset(&self, i: usize, offset16: bool) -> Option<u32> {
        if i >= self.entry_count as usize {
            return None;
        }
        let at = usize::from(self.chunk.header_size);
        if offset16 {
            let off = u16_at(self.chunk.data, at + i * 2).ok()?;
            (off != 0xffff).then_some(u32::from(off) * 4)
        } else {
            let off = u32_at(self.chunk.data, at + i * 4).ok()?;
            (off != NO_ENTRY).then_some(off)
        }
    }

    /// Sparse slot `i`: `(idx, offset)`.
    fn sparse_pair(&self, i: usize) -> Option<(u16, u32)> {
        let at = usize::from(self.chunk.header_size) + i * 4;
        let idx = u16_at(self.chunk.data, at).ok()?;
        let off = u16_at(self.chunk.data, at + 2).ok()?;
        Some((idx, u32::from(off) * 4))
    }

    /// Decodes the entry at `rel`; `None` if it fails the checks parsing
    /// already reported. `items == false` skips collecting map items.
    fn decode(&self, idx: u16, rel: u32, items: bool) -> Option<ResEntry> {
        let type_id = self.chunk.data.get(8).copied().unwrap_or(0);
        let mut quiet = Sink::default();
        read_entry(
            &self.chunk,
            self.entries_start,
            rel,
            type_id,
            idx,
            items,
            &mut quiet,
        )
    }
}

impl ResEntry {
    /// Whether this is a map entry.
    pub fn is_complex(&self) -> bool {
        matches!(self.data, EntryData::Complex { .. })
    }

    /// Whether the entry was stored in the compact form.
    pub fn is_compact(&self) -> bool {
        self.flags & ENTRY_FLAG_COMPACT != 0
    }
}

fn rd16(chunk: &Chunk<'_>, at: usize) -> u16 {
    u16_at(chunk.data, at).unwrap_or(0)
}

fn rd32(chunk: &Chunk<'_>, at: usize) -> u32 {
    u32_at(chunk.data, at).unwrap_or(0)
}

/// UTF-16 name in a fixed field of `units` code units, NUL-terminated.
fn fixed_utf16(bytes: &[u8]) -> String {
    let end = bytes
        .chunks_exact(2)
        .position(|c| c == [0, 0])
        .map_or(bytes.len() / 2 * 2, |p| p * 2);
    utf16le_lossy(bytes.get(..end).unwrap_or_default())
}

/// Parses a `RES_TABLE_PACKAGE_TYPE` chunk.
pub(crate) fn parse_package<'a>(
    file: &'a [u8],
    chunk: Chunk<'a>,
    sink: &mut Sink,
) -> Result<Package<'a>, ArscError> {
    chunk.require_header(PACKAGE_HEADER_MIN, "ResTable_package")?;
    let id = rd32(&chunk, 8);
    let name = fixed_utf16(chunk.data.get(12..12 + 256).unwrap_or_default());
    let type_strings_off = rd32(&chunk, 268);
    let key_strings_off = rd32(&chunk, 276);
    let mut type_id_offset = 0;
    if usize::from(chunk.header_size) >= PACKAGE_HEADER_FULL {
        type_id_offset = rd32(&chunk, 284);
        if type_id_offset > 0xff {
            sink.note(
                "arsc-package-bad-type-id-offset",
                Some(chunk.offset + 284),
                || format!("typeIdOffset {type_id_offset} is larger than 255; ignored"),
            );
            type_id_offset = 0;
        }
    }
    if id > 0xff {
        sink.note("arsc-package-bad-id", Some(chunk.offset + 8), || {
            format!("package id {id:#x} does not fit in 8 bits")
        });
    }

    let mut pkg = Package {
        id,
        name,
        offset: chunk.offset,
        type_strings: StringPool::empty(),
        key_strings: StringPool::empty(),
        type_id_offset,
        types: BTreeMap::new(),
        libraries: Vec::new(),
        overlayables: Vec::new(),
        staged_aliases: Vec::new(),
    };
    let mut have_type_strings = false;
    let mut have_key_strings = false;

    let mut it = ChunkIter::new(file, chunk.body_offset(), chunk.end(), "ResTable_package");
    while let Some(child) = it.next_chunk(sink) {
        let child = child?;
        let rel = child.offset - chunk.offset;
        match child.chunk_type {
            RES_STRING_POOL_TYPE => {
                let which = if rel == type_strings_off as usize && !have_type_strings {
                    Some("type strings")
                } else if rel == key_strings_off as usize && !have_key_strings {
                    Some("key strings")
                } else {
                    None
                };
                match which {
                    Some(pool_name) => {
                        let pool = parse_pool(child.data, child.offset, pool_name, sink)?;
                        if pool_name == "type strings" {
                            pkg.type_strings = pool;
                            have_type_strings = true;
                        } else {
                            pkg.key_strings = pool;
                            have_key_strings = true;
                        }
                    }
                    None => sink.note("arsc-extra-string-pool", Some(child.offset), || {
                        "string pool inside a package that is neither typeStrings nor keyStrings; ignored".into()
                    }),
                }
            }
            RES_TABLE_TYPE_SPEC_TYPE => parse_type_spec(&child, &mut pkg, sink)?,
            RES_TABLE_TYPE_TYPE => parse_type(&child, &mut pkg, sink)?,
            RES_TABLE_LIBRARY_TYPE => parse_library(&child, &mut pkg)?,
            RES_TABLE_OVERLAYABLE_TYPE => parse_overlayable(file, &child, &mut pkg, sink)?,
            RES_TABLE_STAGED_ALIAS_TYPE => parse_staged_alias(&child, &mut pkg)?,
            other => sink.note("arsc-unknown-chunk", Some(child.offset), || {
                format!("unknown chunk type {other:#06x} inside a package; skipped")
            }),
        }
    }

    // Pools that are not among the children (an offset pointing elsewhere
    // inside the package): read them where the header says.
    for (off, have, pool_name) in [
        (type_strings_off, have_type_strings, "type strings"),
        (key_strings_off, have_key_strings, "key strings"),
    ] {
        if have {
            continue;
        }
        let at = chunk.offset.checked_add(off as usize);
        let pool = match at.and_then(|a| chunk.data.get(off as usize..).map(|d| (a, d))) {
            Some((abs, d)) if off != 0 => match StringPool::parse(d) {
                Ok(p) => {
                    sink.note("arsc-string-pool-misplaced", Some(abs), || {
                        format!("`{pool_name}` pool is not a direct child chunk of the package")
                    });
                    sink.extend(abs, p.anomalies);
                    Some(p.value)
                }
                Err(_) => None,
            },
            _ => None,
        };
        match pool {
            Some(p) if pool_name == "type strings" => pkg.type_strings = p,
            Some(p) => pkg.key_strings = p,
            None => sink.note("arsc-missing-string-pool", Some(chunk.offset), || {
                format!(
                    "package {:#x} has no usable `{pool_name}` pool at {off:#x}; names unavailable",
                    pkg.id
                )
            }),
        }
    }

    // Entry keys are checked once the key pool is known.
    let key_count = pkg.key_strings.len();
    for t in pkg.types.values() {
        // Only a chunk with a key beyond the pool needs a second walk.
        for c in t
            .chunks
            .iter()
            .filter(|c| c.max_key.is_some_and(|k| k as usize >= key_count))
        {
            for (idx, e) in c
                .slots()
                .filter_map(|(idx, rel)| Some((idx, c.decode(idx, rel, false)?)))
            {
                if e.key as usize >= key_count {
                    sink.note("arsc-entry-bad-key", Some(c.offset), || {
                        format!(
                            "entry {idx} of type {} has key {} beyond the key pool ({key_count})",
                            t.id, e.key
                        )
                    });
                }
            }
        }
    }
    for t in pkg.types.values() {
        if t.spec.is_none() {
            sink.note("arsc-type-without-spec", None, || {
                format!(
                    "type {} has no RES_TABLE_TYPE_SPEC_TYPE chunk (Android rejects the table)",
                    t.id
                )
            });
        }
    }
    Ok(pkg)
}

pub(crate) fn parse_pool<'a>(
    data: &'a [u8],
    offset: usize,
    pool: &'static str,
    sink: &mut Sink,
) -> Result<StringPool<'a>, ArscError> {
    match StringPool::parse(data) {
        Ok(p) => {
            sink.extend(offset, p.anomalies);
            Ok(p.value)
        }
        Err(source) => Err(ArscError::StringPool {
            pool,
            offset,
            source,
        }),
    }
}

fn parse_type_spec<'a>(
    chunk: &Chunk<'a>,
    pkg: &mut Package<'a>,
    sink: &mut Sink,
) -> Result<(), ArscError> {
    chunk.require_header(TYPE_SPEC_HEADER, "ResTable_typeSpec")?;
    let id = chunk.data.get(8).copied().unwrap_or(0);
    let entry_count = rd32(chunk, 12);
    let body = chunk
        .data
        .get(usize::from(chunk.header_size)..)
        .unwrap_or_default();
    if entry_count as usize > body.len() / 4 {
        return Err(ArscError::TableOutOfBounds {
            table: "ResTable_typeSpec flags",
            offset: chunk.body_offset(),
            count: entry_count,
            len: body.len(),
        });
    }
    if entry_count > 0xffff {
        return Err(ArscError::BadCount {
            table: "ResTable_typeSpec flags",
            offset: chunk.offset,
            count: entry_count,
            max: 0xffff,
        });
    }
    if id == 0 {
        sink.note("arsc-type-id-zero", Some(chunk.offset), || {
            "ResTable_typeSpec with id 0; skipped".into()
        });
        return Ok(());
    }
    let flags = body.get(..entry_count as usize * 4).unwrap_or_default();
    let t = pkg.types.entry(id).or_insert_with(|| ResType {
        id,
        spec: None,
        chunks: Vec::new(),
    });
    if t.spec.is_some() {
        sink.note("arsc-duplicate-type-spec", Some(chunk.offset), || {
            format!("second ResTable_typeSpec for type {id}; the first is kept")
        });
    } else {
        t.spec = Some(TypeSpec { flags });
    }
    Ok(())
}

fn parse_type<'a>(
    chunk: &Chunk<'a>,
    pkg: &mut Package<'a>,
    sink: &mut Sink,
) -> Result<(), ArscError> {
    chunk.require_header(TYPE_HEADER_MIN, "ResTable_type")?;
    let id = chunk.data.get(8).copied().unwrap_or(0);
    let flags = chunk.data.get(9).copied().unwrap_or(0);
    let entry_count = rd32(chunk, 12);
    let entries_start = rd32(chunk, 16) as usize;
    let header_size = usize::from(chunk.header_size);
    let chunk_size = chunk.data.len();

    let sparse = flags & FLAG_SPARSE != 0;
    let offset16 = !sparse && flags & FLAG_OFFSET16 != 0;
    let index_size = if offset16 { 2 } else { 4 };
    // VerifyResTableType: the offsets array must fit between the header and
    // entriesStart, and entriesStart inside the chunk.
    let room = chunk_size.saturating_sub(header_size);
    if entry_count as usize > room / index_size {
        return Err(ArscError::TableOutOfBounds {
            table: "ResTable_type entry offsets",
            offset: chunk.body_offset(),
            count: entry_count,
            len: room,
        });
    }
    if entry_count > 0xffff {
        return Err(ArscError::BadCount {
            table: "ResTable_type entries",
            offset: chunk.offset,
            count: entry_count,
            max: 0xffff,
        });
    }
    let offsets_len = entry_count as usize * index_size;
    if entries_start < header_size + offsets_len || entries_start > chunk_size {
        return Err(ArscError::BadOffset {
            field: "ResTable_type.entriesStart",
            offset: chunk.offset + 16,
            value: entries_start as u32,
            min: header_size + offsets_len,
            max: chunk_size,
        });
    }
    if entries_start % 4 != 0 {
        sink.note("arsc-entries-unaligned", Some(chunk.offset + 16), || {
            format!("entriesStart {entries_start:#x} is not 4-byte aligned")
        });
    }
    if flags & !(FLAG_SPARSE | FLAG_OFFSET16) != 0 {
        sink.note("arsc-type-unknown-flags", Some(chunk.offset + 9), || {
            format!("ResTable_type flags {flags:#04x} has unknown bits")
        });
    }
    if sparse && flags & FLAG_OFFSET16 != 0 {
        sink.note(
            "arsc-type-sparse-and-offset16",
            Some(chunk.offset + 9),
            || "FLAG_SPARSE and FLAG_OFFSET16 both set; read as sparse".into(),
        );
    }
    let (config, quirks) = Config::read(
        chunk
            .data
            .get(TYPE_CONFIG_OFFSET..header_size)
            .unwrap_or_default(),
    );
    if quirks.size_exceeds_header {
        sink.note(
            "arsc-config-size-mismatch",
            Some(chunk.offset + TYPE_CONFIG_OFFSET),
            || {
                format!(
                    "ResTable_config size {} is larger than the {} bytes the header leaves",
                    config.size,
                    header_size - TYPE_CONFIG_OFFSET
                )
            },
        );
    }
    if quirks.size_too_small {
        sink.note(
            "arsc-config-too-small",
            Some(chunk.offset + TYPE_CONFIG_OFFSET),
            || format!("ResTable_config size {} is smaller than 28", config.size),
        );
    }
    if quirks.unknown_fields {
        sink.note(
            "arsc-config-unknown-fields",
            Some(chunk.offset + TYPE_CONFIG_OFFSET),
            || {
                format!(
                    "ResTable_config of {} bytes has non-zero fields past byte 64",
                    config.size
                )
            },
        );
    }
    if id == 0 {
        sink.note("arsc-type-id-zero", Some(chunk.offset), || {
            "ResTable_type with id 0; skipped".into()
        });
        return Ok(());
    }

    // Walk every entry once with the full checks (anomalies go to the
    // sink); keep nothing but, for out-of-order sparse tables, an index.
    let mut tc = ResTypeChunk {
        config,
        flags,
        offset: chunk.offset,
        entry_count,
        chunk: *chunk,
        entries_start,
        layout: if sparse {
            Layout::Sparse
        } else {
            Layout::Dense { offset16 }
        },
        max_key: None,
        string_values: 0,
    };
    let mut last_slot: Option<u16> = None;
    let mut last_valid: Option<u16> = None;
    let mut max_key = None;
    let mut string_values = 0u32;
    let mut unsorted = false;
    for (idx, rel) in tc.slots() {
        if last_slot.is_some_and(|last| last >= idx) {
            unsorted = true;
        }
        last_slot = Some(idx);
        if let Some(e) = read_entry(chunk, entries_start, rel, id, idx, false, sink) {
            max_key = Some(max_key.map_or(e.key, |k: u32| k.max(e.key)));
            if matches!(e.data, EntryData::Simple(v) if v.data_type == crate::formats::resvalue::types::STRING)
            {
                string_values += 1;
            }
            last_valid = Some(last_valid.map_or(idx, |l| l.max(idx)));
        }
    }
    tc.max_key = max_key;
    tc.string_values = string_values;
    if unsorted {
        sink.note("arsc-sparse-unsorted", Some(chunk.offset), || {
            format!("sparse entries of type {id} are not sorted by index (Android's binary search may miss some)")
        });
        // The rare out-of-order table gets an index of its readable
        // entries (a second, quiet walk).
        let mut valid: Vec<(u16, u32)> = tc
            .slots()
            .filter(|&(idx, rel)| tc.decode(idx, rel, false).is_some())
            .collect();
        valid.sort_by_key(|(i, _)| *i);
        valid.dedup_by_key(|(i, _)| *i);
        tc.layout = Layout::Sorted(valid);
        // Duplicate indices were dropped: count what remains.
        tc.string_values = tc
            .entries()
            .filter(|(_, e)| {
                matches!(e.data, EntryData::Simple(v) if v.data_type == crate::formats::resvalue::types::STRING)
            })
            .count() as u32;
    }
    let t = pkg.types.entry(id).or_insert_with(|| ResType {
        id,
        spec: None,
        chunks: Vec::new(),
    });
    if let Some(spec) = &t.spec {
        let n = spec.len();
        if let Some(last) = last_valid {
            if usize::from(last) >= n {
                sink.note("arsc-entry-beyond-spec", Some(chunk.offset), || {
                    format!("type {id} defines entry {last} but its spec declares {n} entries")
                });
            }
        }
    }
    t.chunks.push(tc);
    Ok(())
}

/// `VerifyResTableEntry` + decoding. `rel` is relative to `entriesStart`.
/// With `with_items == false` a map entry's items are checked but not
/// collected (its `items` are empty).
fn read_entry(
    chunk: &Chunk<'_>,
    entries_start: usize,
    rel: u32,
    type_id: u8,
    idx: u16,
    with_items: bool,
    sink: &mut Sink,
) -> Option<ResEntry> {
    let chunk_size = chunk.data.len();
    let abs = |o: usize| Some(chunk.offset + o);
    if rel % 4 != 0 {
        sink.note("arsc-entry-unaligned", abs(entries_start), || {
            format!("entry {idx} of type {type_id} at relative offset {rel:#x} is not 4-byte aligned; skipped")
        });
        return None;
    }
    let off = entries_start.checked_add(rel as usize)?;
    if off.checked_add(8).is_none_or(|e| e > chunk_size) {
        sink.note("arsc-entry-out-of-bounds", abs(entries_start), || {
            format!("entry {idx} of type {type_id} at {off:#x} lies outside its chunk ({chunk_size} bytes); skipped")
        });
        return None;
    }
    let size = rd16(chunk, off);
    let flags = rd16(chunk, off + 2);
    if flags & ENTRY_FLAG_COMPACT != 0 {
        // ResTable_entry::Compact: key u16, flags (type in the high byte),
        // data u32.
        let value = ResValue {
            data_type: (flags >> 8) as u8,
            data: rd32(chunk, off + 4),
        };
        return Some(ResEntry {
            key: u32::from(size),
            flags,
            data: EntryData::Simple(value),
        });
    }
    let entry_size = usize::from(size);
    if entry_size < 8 {
        sink.note("arsc-entry-too-small", abs(off), || {
            format!("entry {idx} of type {type_id} has size {entry_size}; skipped")
        });
        return None;
    }
    if off + entry_size > chunk_size {
        sink.note("arsc-entry-out-of-bounds", abs(off), || {
            format!(
                "entry {idx} of type {type_id} with size {entry_size} runs past its chunk; skipped"
            )
        });
        return None;
    }
    let key = rd32(chunk, off + 4);
    if flags & ENTRY_FLAG_COMPLEX != 0 {
        if entry_size < 16 {
            sink.note("arsc-entry-too-small", abs(off), || {
                format!("map entry {idx} of type {type_id} has size {entry_size} < 16; skipped")
            });
            return None;
        }
        let parent = rd32(chunk, off + 8);
        let count = rd32(chunk, off + 12);
        let maps_start = off + entry_size;
        if maps_start % 4 != 0 {
            sink.note("arsc-entry-unaligned", abs(maps_start), || {
                format!("map entries of entry {idx} of type {type_id} start unaligned; skipped")
            });
            return None;
        }
        if count as usize > chunk_size.saturating_sub(maps_start) / MAP_SIZE {
            sink.note("arsc-map-count-out-of-bounds", abs(off + 12), || {
                format!("map entry {idx} of type {type_id} declares {count} items, more than its chunk holds; skipped")
            });
            return None;
        }
        let mut items = Vec::with_capacity(if with_items { count as usize } else { 0 });
        let mut bad_sizes = 0usize;
        for i in 0..count as usize {
            let m = maps_start + i * MAP_SIZE;
            let name = rd32(chunk, m);
            let vsize = rd16(chunk, m + 4);
            if usize::from(vsize) != VALUE_SIZE {
                bad_sizes += 1;
            }
            let value = ResValue {
                data_type: chunk.data.get(m + 7).copied().unwrap_or(0),
                data: rd32(chunk, m + 8),
            };
            if with_items {
                items.push((name, value));
            }
        }
        if bad_sizes > 0 {
            sink.note("arsc-value-bad-size", abs(maps_start), || {
                format!("{bad_sizes} map item(s) of entry {idx} of type {type_id} have Res_value.size != 8")
            });
        }
        return Some(ResEntry {
            key,
            flags,
            data: EntryData::Complex { parent, items },
        });
    }
    let voff = off + entry_size;
    if voff + VALUE_SIZE > chunk_size {
        sink.note("arsc-value-out-of-bounds", abs(voff), || {
            format!("Res_value of entry {idx} of type {type_id} runs past its chunk; skipped")
        });
        return None;
    }
    let vsize = usize::from(rd16(chunk, voff));
    if vsize < VALUE_SIZE || voff + vsize > chunk_size {
        sink.note("arsc-value-bad-size", abs(voff), || {
            format!("Res_value of entry {idx} of type {type_id} has size {vsize}; skipped")
        });
        return None;
    }
    let value = ResValue {
        data_type: chunk.data.get(voff + 3).copied().unwrap_or(0),
        data: rd32(chunk, voff + 4),
    };
    Some(ResEntry {
        key,
        flags,
        data: EntryData::Simple(value),
    })
}

fn parse_library(chunk: &Chunk<'_>, pkg: &mut Package<'_>) -> Result<(), ArscError> {
    chunk.require_header(12, "ResTable_lib_header")?;
    let count = rd32(chunk, 8);
    let body = chunk
        .data
        .get(usize::from(chunk.header_size)..)
        .unwrap_or_default();
    if count as usize > body.len() / LIB_ENTRY_SIZE {
        return Err(ArscError::TableOutOfBounds {
            table: "ResTable_lib_entry",
            offset: chunk.body_offset(),
            count,
            len: body.len(),
        });
    }
    for e in body.chunks_exact(LIB_ENTRY_SIZE).take(count as usize) {
        pkg.libraries.push(Library {
            package_id: u32_at(e, 0).unwrap_or(0),
            name: fixed_utf16(e.get(4..).unwrap_or_default()),
        });
    }
    Ok(())
}

fn parse_staged_alias(chunk: &Chunk<'_>, pkg: &mut Package<'_>) -> Result<(), ArscError> {
    chunk.require_header(12, "ResTable_staged_alias_header")?;
    let count = rd32(chunk, 8);
    let body = chunk
        .data
        .get(usize::from(chunk.header_size)..)
        .unwrap_or_default();
    if count as usize > body.len() / 8 {
        return Err(ArscError::TableOutOfBounds {
            table: "ResTable_staged_alias_entry",
            offset: chunk.body_offset(),
            count,
            len: body.len(),
        });
    }
    for e in body.chunks_exact(8).take(count as usize) {
        pkg.staged_aliases
            .push((u32_at(e, 0).unwrap_or(0), u32_at(e, 4).unwrap_or(0)));
    }
    Ok(())
}

fn parse_overlayable(
    file: &[u8],
    chunk: &Chunk<'_>,
    pkg: &mut Package<'_>,
    sink: &mut Sink,
) -> Result<(), ArscError> {
    chunk.require_header(8 + 512 + 512, "ResTable_overlayable_header")?;
    let name = fixed_utf16(chunk.data.get(8..8 + 512).unwrap_or_default());
    let actor = fixed_utf16(chunk.data.get(520..520 + 512).unwrap_or_default());
    let mut policies = Vec::new();
    let mut it = ChunkIter::new(
        file,
        chunk.body_offset(),
        chunk.end(),
        "ResTable_overlayable_header",
    );
    while let Some(child) = it.next_chunk(sink) {
        let child = child?;
        if child.chunk_type != RES_TABLE_OVERLAYABLE_POLICY_TYPE {
            sink.note("arsc-unknown-chunk", Some(child.offset), || {
                format!(
                    "unknown chunk type {:#06x} inside an overlayable; skipped",
                    child.chunk_type
                )
            });
            continue;
        }
        child.require_header(16, "ResTable_overlayable_policy_header")?;
        let policy_flags = rd32(&child, 8);
        let count = rd32(&child, 12);
        let body = child
            .data
            .get(usize::from(child.header_size)..)
            .unwrap_or_default();
        if count as usize > body.len() / 4 {
            return Err(ArscError::TableOutOfBounds {
                table: "ResTable_overlayable_policy ids",
                offset: child.body_offset(),
                count,
                len: body.len(),
            });
        }
        let ids = body
            .chunks_exact(4)
            .take(count as usize)
            .map(|c| u32_at(c, 0).unwrap_or(0))
            .collect();
        policies.push((policy_flags, ids));
    }
    pkg.overlayables.push(Overlayable {
        name,
        actor,
        policies,
    });
    Ok(())
}
