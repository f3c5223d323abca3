//! Chunk layer: the `ResXMLTree_header`, the chunks before the first node
//! (string pool, resource map, anything else), and the node stream.
//!
//! Android's rules are copied, including their leniency:
//!
//! * `ResXMLTree::setTo` checks only `headerSize <= size <= file length`
//!   of the file header (not its type), starts at `headerSize`, and scans
//!   chunks until the first XML node; unknown chunks are skipped, the last
//!   string pool and the last resource map seen win, and a chunk failing
//!   `validate_chunk` (header size, alignment, bounds) makes the file
//!   unreadable. Bytes after the declared size are ignored.
//! * `ResXMLParser::nextNode` then walks nodes by their `size`: a node that
//!   fails `validateNode` ends the document (`BAD_DOCUMENT`), unknown node
//!   types are skipped, and each node's extension starts at its own
//!   `headerSize`, so larger headers are fine.
//!
//! See `frameworks/base/libs/androidfw/ResourceTypes.cpp` (`validate_chunk`,
//! `ResXMLTree::setTo`, `ResXMLTree::validateNode`, `ResXMLParser::nextNode`)
//! and `include/androidfw/ResourceTypes.h` for the structures.

use super::stringpool::{StringPool, RES_STRING_POOL_TYPE};
use super::{AnomalySink, AxmlError};
use crate::formats::read;

/// `RES_XML_TYPE`: the file header.
pub(crate) const RES_XML_TYPE: u16 = 0x0003;
/// `RES_XML_FIRST_CHUNK_TYPE`: first node type.
const RES_XML_FIRST_CHUNK_TYPE: u16 = 0x0100;
/// `RES_XML_LAST_CHUNK_TYPE`: last node type.
const RES_XML_LAST_CHUNK_TYPE: u16 = 0x017f;
/// `RES_XML_START_NAMESPACE_TYPE`.
pub(crate) const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
/// `RES_XML_END_NAMESPACE_TYPE`.
pub(crate) const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
/// `RES_XML_START_ELEMENT_TYPE`.
pub(crate) const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
/// `RES_XML_END_ELEMENT_TYPE`.
pub(crate) const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
/// `RES_XML_CDATA_TYPE`.
pub(crate) const RES_XML_CDATA_TYPE: u16 = 0x0104;
/// `RES_XML_RESOURCE_MAP_TYPE`.
pub(crate) const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;

/// `sizeof(ResChunk_header)`.
pub(crate) const CHUNK_HEADER_SIZE: usize = 8;
/// `sizeof(ResXMLTree_node)`: chunk header, `lineNumber`, `comment`.
const NODE_HEADER_SIZE: usize = 16;
/// `sizeof(ResXMLTree_attrExt)`.
const ATTR_EXT_SIZE: usize = 20;
/// `sizeof(ResXMLTree_attribute)`.
pub(crate) const ATTRIBUTE_SIZE: usize = 20;

/// `ResChunk_header`, with the offset it was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkHeader {
    /// Offset of the chunk in the file.
    pub offset: usize,
    /// `type`.
    pub chunk_type: u16,
    /// `headerSize`.
    pub header_size: u16,
    /// `size`.
    pub size: u32,
}

impl ChunkHeader {
    /// Reads a chunk header at `offset`.
    pub(crate) fn read(data: &[u8], offset: usize) -> Result<Self, read::OutOfBounds> {
        let mut r = read::Reader::at(data, offset);
        Ok(ChunkHeader {
            offset,
            chunk_type: r.u16()?,
            header_size: r.u16()?,
            size: r.u32()?,
        })
    }

    /// `validate_chunk(chunk, minSize, dataEnd)`: returns why it fails.
    fn validate(&self, min_size: usize, end: usize) -> Result<(), &'static str> {
        let header_size = usize::from(self.header_size);
        let size = self.size as usize;
        if header_size < min_size {
            return Err("header size is smaller than the structure");
        }
        if header_size > size {
            return Err("header size is larger than the chunk");
        }
        if (header_size | size) & 3 != 0 {
            return Err("size or header size is not a multiple of 4");
        }
        if size > end.saturating_sub(self.offset) {
            return Err("chunk extends past the end of the document");
        }
        Ok(())
    }

    fn bad(&self, reason: &'static str) -> AxmlError {
        AxmlError::BadChunk {
            offset: self.offset,
            chunk_type: self.chunk_type,
            header_size: self.header_size,
            size: self.size,
            reason,
        }
    }
}

/// What `ResXMLTree::setTo` finds before the first node.
#[derive(Debug, Clone)]
pub(crate) struct Layout<'a> {
    /// End of the document (`mDataEnd`): the file header's `size`.
    pub end: usize,
    /// The string pool.
    pub pool: StringPool<'a>,
    /// The resource-ID map, `4 × n` bytes (`mResIds`).
    pub res_ids: &'a [u8],
    /// Offset of the first XML node.
    pub first_node: usize,
}

impl Layout<'_> {
    /// `mResIds[idx]`, if the map has that many entries.
    pub(crate) fn res_id(&self, idx: u32) -> Option<u32> {
        let at = (idx as usize).checked_mul(4)?;
        read::u32_at(self.res_ids, at).ok()
    }
}

/// Validates the file header and finds the string pool, resource map and
/// first node, as `ResXMLTree::setTo` does.
pub(crate) fn layout<'a>(data: &'a [u8], sink: &mut AnomalySink) -> Result<Layout<'a>, AxmlError> {
    let header = ChunkHeader::read(data, 0).map_err(|_| AxmlError::Truncated {
        structure: "xml header",
        offset: 0,
        len: data.len(),
    })?;
    let end = header.size as usize;
    if usize::from(header.header_size) > end || end > data.len() {
        return Err(AxmlError::BadFileHeader {
            header_size: header.header_size,
            size: header.size,
            len: data.len(),
        });
    }
    if header.chunk_type != RES_XML_TYPE {
        sink.push(
            "axml-bad-file-type",
            Some(0),
            format!(
                "file header has type {:#06x}, not RES_XML_TYPE (0x0003); Android does not check it",
                header.chunk_type
            ),
        );
    }
    if usize::from(header.header_size) != CHUNK_HEADER_SIZE {
        sink.push(
            "axml-odd-header-size",
            Some(0),
            format!("file header size is {} (expected 8)", header.header_size),
        );
    }
    if end < data.len() {
        sink.push(
            "axml-trailing-data",
            Some(end as u64),
            format!(
                "{} bytes after the {}-byte document declared by the file header are ignored",
                data.len() - end,
                end
            ),
        );
    }

    let mut pool: Option<StringPool<'a>> = None;
    let mut pool_error: Option<AxmlError> = None;
    let mut res_ids: &[u8] = &[];
    let mut off = usize::from(header.header_size);
    let mut first_node = None;
    // `chunk < mDataEnd - sizeof(ResChunk_header) && chunk < mDataEnd - chunk->size`
    while off < end.saturating_sub(CHUNK_HEADER_SIZE) {
        let chunk = ChunkHeader::read(data, off).map_err(|_| AxmlError::Truncated {
            structure: "chunk header",
            offset: off,
            len: data.len(),
        })?;
        if off
            .checked_add(chunk.size as usize)
            .is_none_or(|e| e >= end)
        {
            break;
        }
        chunk
            .validate(CHUNK_HEADER_SIZE, end)
            .map_err(|reason| chunk.bad(reason))?;
        match chunk.chunk_type {
            RES_STRING_POOL_TYPE => {
                if pool.is_some() || pool_error.is_some() {
                    sink.push(
                        "axml-duplicate-string-pool",
                        Some(off as u64),
                        "a second string pool replaces the first, as on Android",
                    );
                }
                // Android keeps going and fails at the end if the last pool
                // seen was bad.
                match StringPool::parse(data, &chunk) {
                    Ok(p) => {
                        pool = Some(p);
                        pool_error = None;
                    }
                    Err(e) => {
                        pool = None;
                        pool_error = Some(e);
                    }
                }
                if usize::from(chunk.header_size) != 28 {
                    sink.push(
                        "axml-odd-header-size",
                        Some(off as u64),
                        format!(
                            "string pool header size is {} (expected 28)",
                            chunk.header_size
                        ),
                    );
                }
            }
            RES_XML_RESOURCE_MAP_TYPE => {
                if !res_ids.is_empty() {
                    sink.push(
                        "axml-duplicate-resource-map",
                        Some(off as u64),
                        "a second resource map replaces the first, as on Android",
                    );
                }
                let start = off + usize::from(chunk.header_size);
                let count = (chunk.size as usize - usize::from(chunk.header_size)) / 4;
                res_ids =
                    read::slice(data, start, count * 4).map_err(|_| AxmlError::Truncated {
                        structure: "resource map",
                        offset: off,
                        len: data.len(),
                    })?;
                if usize::from(chunk.header_size) != CHUNK_HEADER_SIZE {
                    sink.push(
                        "axml-odd-header-size",
                        Some(off as u64),
                        format!(
                            "resource map header size is {} (expected 8)",
                            chunk.header_size
                        ),
                    );
                }
            }
            RES_XML_FIRST_CHUNK_TYPE..=RES_XML_LAST_CHUNK_TYPE => {
                validate_node(data, off, end).map_err(|(h, reason)| h.bad(reason))?;
                first_node = Some(off);
                break;
            }
            other => sink.push(
                "axml-unknown-chunk",
                Some(off as u64),
                format!(
                    "skipped a chunk of unknown type {other:#06x} ({} bytes)",
                    chunk.size
                ),
            ),
        }
        off += chunk.size as usize;
    }

    let Some(first_node) = first_node else {
        return Err(AxmlError::NoRootElement { end });
    };
    if let Some(e) = pool_error {
        return Err(e);
    }
    let Some(pool) = pool else {
        return Err(AxmlError::MissingStringPool);
    };
    Ok(Layout {
        end,
        pool,
        res_ids,
        first_node,
    })
}

/// `ResXMLTree::validateNode`: returns the node's header or why it fails.
fn validate_node(
    data: &[u8],
    off: usize,
    end: usize,
) -> Result<ChunkHeader, (ChunkHeader, &'static str)> {
    let Ok(h) = ChunkHeader::read(data, off) else {
        let h = ChunkHeader {
            offset: off,
            chunk_type: 0,
            header_size: 0,
            size: 0,
        };
        return Err((h, "node header runs past the end of the file"));
    };
    h.validate(NODE_HEADER_SIZE, end).map_err(|r| (h, r))?;
    if h.chunk_type != RES_XML_START_ELEMENT_TYPE {
        return Ok(h);
    }
    let header_size = usize::from(h.header_size);
    let size = h.size as usize;
    if size < header_size + ATTR_EXT_SIZE {
        return Err((h, "start element is too small for its attribute header"));
    }
    let ext = off + header_size;
    let field = |at: usize| read::u16_at(data, ext + at).map(usize::from);
    let (Ok(start), Ok(attr_size), Ok(count)) = (field(8), field(10), field(12)) else {
        return Err((h, "start element runs past the end of the file"));
    };
    let attrs_end = start as u64 + attr_size as u64 * count as u64;
    if attrs_end > (size - header_size) as u64 {
        return Err((h, "attributes run past the end of the start element"));
    }
    Ok(h)
}

/// One XML node, as `ResXMLParser::nextNode` returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Node {
    /// Offset of the node chunk.
    pub offset: usize,
    /// `ResXMLTree_node::lineNumber`.
    pub line: u32,
    /// `ResXMLTree_node::comment` (string index or `0xFFFFFFFF`).
    pub comment: u32,
    /// The type-specific extension.
    pub kind: NodeKind,
}

/// The extension of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// `ResXMLTree_namespaceExt` of a start-namespace node.
    StartNamespace {
        /// `prefix`.
        prefix: u32,
        /// `uri`.
        uri: u32,
    },
    /// `ResXMLTree_namespaceExt` of an end-namespace node.
    EndNamespace {
        /// `prefix`.
        prefix: u32,
        /// `uri`.
        uri: u32,
    },
    /// `ResXMLTree_attrExt`.
    StartElement {
        /// `ns`.
        ns: u32,
        /// `name`.
        name: u32,
        /// Offset of the extension (attributes are relative to it).
        ext: usize,
        /// `attributeStart`.
        attribute_start: u16,
        /// `attributeSize`.
        attribute_size: u16,
        /// `attributeCount`.
        attribute_count: u16,
    },
    /// `ResXMLTree_endElementExt`.
    EndElement {
        /// `ns`.
        ns: u32,
        /// `name`.
        name: u32,
    },
    /// `ResXMLTree_cdataExt`.
    Cdata {
        /// `data`: string index of the text.
        data: u32,
    },
    /// A node type Android skips.
    Unknown {
        /// `type`.
        chunk_type: u16,
    },
}

/// Why the node stream stopped early (`BAD_DOCUMENT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadNode {
    /// The offending node's header.
    pub header: ChunkHeader,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Iterator over nodes starting at the first node, as repeated
/// `ResXMLParser::nextNode` calls.
pub(crate) struct Nodes<'a> {
    data: &'a [u8],
    end: usize,
    next: Option<usize>,
}

impl<'a> Nodes<'a> {
    /// Nodes of `layout`.
    pub(crate) fn new(data: &'a [u8], layout: &Layout<'_>) -> Self {
        Nodes {
            data,
            end: layout.end,
            next: Some(layout.first_node),
        }
    }

    fn read_node(&self, off: usize) -> Result<Node, BadNode> {
        let header = validate_node(self.data, off, self.end)
            .map_err(|(header, reason)| BadNode { header, reason })?;
        let bad = |reason| BadNode { header, reason };
        let ext = off + usize::from(header.header_size);
        let ext_len = header.size as usize - usize::from(header.header_size);
        let min_ext = match header.chunk_type {
            RES_XML_START_NAMESPACE_TYPE | RES_XML_END_NAMESPACE_TYPE => 8,
            RES_XML_START_ELEMENT_TYPE => ATTR_EXT_SIZE,
            RES_XML_END_ELEMENT_TYPE => 8,
            RES_XML_CDATA_TYPE => 12,
            _ => 0,
        };
        if ext_len < min_ext {
            return Err(bad("node is too small for its extension"));
        }
        let u32_at = |at: usize| read::u32_at(self.data, at).map_err(|_| bad("node truncated"));
        let u16_at = |at: usize| read::u16_at(self.data, at).map_err(|_| bad("node truncated"));
        let kind = match header.chunk_type {
            RES_XML_START_NAMESPACE_TYPE => NodeKind::StartNamespace {
                prefix: u32_at(ext)?,
                uri: u32_at(ext + 4)?,
            },
            RES_XML_END_NAMESPACE_TYPE => NodeKind::EndNamespace {
                prefix: u32_at(ext)?,
                uri: u32_at(ext + 4)?,
            },
            RES_XML_START_ELEMENT_TYPE => NodeKind::StartElement {
                ns: u32_at(ext)?,
                name: u32_at(ext + 4)?,
                ext,
                attribute_start: u16_at(ext + 8)?,
                attribute_size: u16_at(ext + 10)?,
                attribute_count: u16_at(ext + 12)?,
            },
            RES_XML_END_ELEMENT_TYPE => NodeKind::EndElement {
                ns: u32_at(ext)?,
                name: u32_at(ext + 4)?,
            },
            RES_XML_CDATA_TYPE => NodeKind::Cdata { data: u32_at(ext)? },
            other => NodeKind::Unknown { chunk_type: other },
        };
        Ok(Node {
            offset: off,
            line: u32_at(off + 8)?,
            comment: u32_at(off + 12)?,
            kind,
        })
    }
}

impl Iterator for Nodes<'_> {
    type Item = Result<Node, BadNode>;

    fn next(&mut self) -> Option<Self::Item> {
        let off = self.next.take()?;
        if off >= self.end {
            return None;
        }
        match self.read_node(off) {
            Ok(node) => {
                // validate_node guarantees size >= 16, so this always moves on.
                self.next = off.checked_add(node_size(self.data, off));
                Some(Ok(node))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

fn node_size(data: &[u8], off: usize) -> usize {
    read::u32_at(data, off + 4).map_or(usize::MAX, |s| s as usize)
}

/// One `ResXMLTree_attribute`, undecoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawAttribute {
    /// `ns`.
    pub ns: u32,
    /// `name`.
    pub name: u32,
    /// `rawValue`.
    pub raw_value: u32,
    /// `typedValue.dataType`.
    pub data_type: u8,
    /// `typedValue.data`.
    pub data: u32,
}

impl RawAttribute {
    /// Reads the attribute at `off`.
    pub(crate) fn read(data: &[u8], off: usize) -> Result<Self, read::OutOfBounds> {
        let mut r = read::Reader::at(data, off);
        let ns = r.u32()?;
        let name = r.u32()?;
        let raw_value = r.u32()?;
        let _size = r.u16()?;
        let _res0 = r.u8()?;
        let data_type = r.u8()?;
        let data = r.u32()?;
        Ok(RawAttribute {
            ns,
            name,
            raw_value,
            data_type,
            data,
        })
    }
}
