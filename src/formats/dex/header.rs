//! `header_item`, the Adler-32 checksum, id-table validation and the
//! `map_list` cross-check.
//!
//! See: <https://source.android.com/docs/core/runtime/dex-format#header-item>

use serde::Serialize;

use super::ids::Pools;
use super::{Dex, DexError};
use crate::formats::read::{slice, u16_at, u32_at};
use crate::formats::{Anomaly, Parsed};

/// Size of the header up to version 040.
pub(super) const HEADER_SIZE: usize = 0x70;
/// Size of the header from version 041 (adds `container_size`, `header_offset`).
const HEADER_SIZE_V41: usize = 0x78;
/// `ENDIAN_CONSTANT`.
const ENDIAN_CONSTANT: u32 = 0x1234_5678;
/// Versions ART knows (036 was never used).
const KNOWN_VERSIONS: [u16; 6] = [35, 37, 38, 39, 40, 41];
/// Cap on tables addressed by 32-bit indexes (strings, fields, methods,
/// class definitions): far above any real file (the largest apps have a
/// few hundred thousand strings per DEX), and it keeps a forged count from
/// driving a long loop.
pub(super) const MAX_ITEMS: u32 = 1 << 24;
/// `type_ids` and `proto_ids` are addressed by 16-bit indexes; ART refuses
/// more than 65535 entries.
const MAX_ITEMS_16: u32 = 0xffff;

/// The DEX `header_item`, fields named as in the specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// `magic`: `dex\n` + version + NUL.
    pub magic: [u8; 8],
    /// The version number from the magic (35, 37, …, 41).
    pub version: u16,
    /// `checksum`: Adler-32 of the file after this field.
    pub checksum: u32,
    /// Adler-32 we computed (equal to `checksum` in an intact file).
    pub computed_checksum: u32,
    /// `signature`: SHA-1 of the file after this field (not verified).
    pub signature: [u8; 20],
    /// `file_size` (from 041: distance to the next header or the end).
    pub file_size: u32,
    /// `header_size`.
    pub header_size: u32,
    /// `endian_tag`.
    pub endian_tag: u32,
    /// `link_size`.
    pub link_size: u32,
    /// `link_off`.
    pub link_off: u32,
    /// `map_off`.
    pub map_off: u32,
    /// `string_ids_size`.
    pub string_ids_size: u32,
    /// `string_ids_off`.
    pub string_ids_off: u32,
    /// `type_ids_size`.
    pub type_ids_size: u32,
    /// `type_ids_off`.
    pub type_ids_off: u32,
    /// `proto_ids_size`.
    pub proto_ids_size: u32,
    /// `proto_ids_off`.
    pub proto_ids_off: u32,
    /// `field_ids_size`.
    pub field_ids_size: u32,
    /// `field_ids_off`.
    pub field_ids_off: u32,
    /// `method_ids_size`.
    pub method_ids_size: u32,
    /// `method_ids_off`.
    pub method_ids_off: u32,
    /// `class_defs_size`.
    pub class_defs_size: u32,
    /// `class_defs_off`.
    pub class_defs_off: u32,
    /// `data_size`.
    pub data_size: u32,
    /// `data_off`.
    pub data_off: u32,
    /// `container_size` (version 041 and later).
    pub container_size: Option<u32>,
    /// `header_offset` (version 041 and later).
    pub header_offset: Option<u32>,
}

impl Header {
    /// Whether the stored checksum matches the file.
    pub fn checksum_ok(&self) -> bool {
        self.checksum == self.computed_checksum
    }
}

/// Adler-32 (RFC 1950), as `checksum` uses it: the plain loop with zlib's
/// deferred modulo runs at about 3 GB/s, so it is not worth more.
pub(super) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    // Largest n such that 255 n (n + 1) / 2 + (n + 1) (MOD - 1) < 2^32.
    const NMAX: usize = 5552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Reads and checks the header at `base`, validates the id tables, and
/// cross-checks the map list.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#header-item>
pub(super) fn parse(data: &[u8], base: usize) -> Result<Parsed<Dex<'_>>, DexError> {
    let mut anomalies = Vec::new();
    let len = data.len();
    let head = data.get(base..).unwrap_or(&[]);
    let magic_bytes = head.get(..8).unwrap_or(head);
    if head.len() < 8 {
        let prefix = head.get(..head.len().min(4)).unwrap_or(head);
        if !head.is_empty() && b"dex\n".starts_with(prefix) {
            return Err(DexError::TooShort { len: head.len() });
        }
        return Err(DexError::BadMagic {
            found: magic_bytes.to_vec(),
        });
    }
    if !super::is_dex(head) {
        return Err(DexError::BadMagic {
            found: magic_bytes.to_vec(),
        });
    }
    if head.len() < HEADER_SIZE {
        return Err(DexError::TooShort { len: head.len() });
    }
    let mut magic = [0u8; 8];
    magic.copy_from_slice(magic_bytes);
    let version = magic
        .get(4..7)
        .map(|d| {
            d.iter()
                .fold(0u16, |v, c| v * 10 + u16::from(c.wrapping_sub(b'0')))
        })
        .unwrap_or(0);
    if !KNOWN_VERSIONS.contains(&version) {
        anomalies.push(Anomaly::new(
            "dex-unknown-version",
            Some(base as u64),
            format!("DEX version {version:03} is not one ART knows (035, 037-041); read as 039"),
        ));
    }
    let rd = |off: usize| u32_at(head, off).map_err(|_| DexError::TooShort { len: head.len() });
    let endian_tag = rd(0x28)?;
    if endian_tag != ENDIAN_CONSTANT {
        return Err(DexError::BadEndianTag { tag: endian_tag });
    }
    let mut signature = [0u8; 20];
    signature
        .copy_from_slice(slice(head, 12, 20).map_err(|_| DexError::TooShort { len: head.len() })?);
    let header_size = rd(0x24)?;
    if (header_size as usize) < HEADER_SIZE || header_size as usize > head.len() {
        return Err(DexError::BadHeaderSize {
            header_size,
            len: head.len(),
        });
    }
    let v41 = version >= 41 && header_size as usize >= HEADER_SIZE_V41;
    let expected_header = if version >= 41 {
        HEADER_SIZE_V41
    } else {
        HEADER_SIZE
    };
    if header_size as usize != expected_header {
        anomalies.push(Anomaly::new(
            "dex-odd-header-size",
            Some(base as u64 + 0x24),
            format!("header_size is {header_size:#x}, version {version:03} expects {expected_header:#x}"),
        ));
    }
    let file_size = rd(0x20)?;
    // The bytes this DEX covers for the checksum.
    let own_end = (file_size as usize).min(head.len());
    if (file_size as usize) < head.len() && !v41 {
        anomalies.push(Anomaly::new(
            "dex-trailing-data",
            Some(base as u64 + u64::from(file_size)),
            format!(
                "file_size is {file_size} but the file has {} bytes; ART refuses such a file",
                head.len()
            ),
        ));
    } else if file_size as usize > head.len() {
        anomalies.push(Anomaly::new(
            "dex-truncated",
            Some(len as u64),
            format!(
                "file_size is {file_size} but only {} bytes are present",
                head.len()
            ),
        ));
    }
    let checksum = rd(0x08)?;
    let computed_checksum = adler32(head.get(12..own_end.max(12)).unwrap_or(&[]));
    if checksum != computed_checksum {
        anomalies.push(Anomaly::new(
            "dex-bad-checksum",
            Some(base as u64 + 8),
            format!("checksum is {checksum:08x} but the file sums to {computed_checksum:08x}; ART refuses such a file"),
        ));
    }
    let header = Header {
        magic,
        version,
        checksum,
        computed_checksum,
        signature,
        file_size,
        header_size,
        endian_tag,
        link_size: rd(0x2c)?,
        link_off: rd(0x30)?,
        map_off: rd(0x34)?,
        string_ids_size: rd(0x38)?,
        string_ids_off: rd(0x3c)?,
        type_ids_size: rd(0x40)?,
        type_ids_off: rd(0x44)?,
        proto_ids_size: rd(0x48)?,
        proto_ids_off: rd(0x4c)?,
        field_ids_size: rd(0x50)?,
        field_ids_off: rd(0x54)?,
        method_ids_size: rd(0x58)?,
        method_ids_off: rd(0x5c)?,
        class_defs_size: rd(0x60)?,
        class_defs_off: rd(0x64)?,
        data_size: rd(0x68)?,
        data_off: rd(0x6c)?,
        container_size: if v41 { Some(rd(0x70)?) } else { None },
        header_offset: if v41 { Some(rd(0x74)?) } else { None },
    };
    let h = &header;
    // Offsets are relative to the start of `data` (the container in 041).
    let header_end = base.saturating_add(header_size as usize);
    let mut table = |name: &'static str, count: u32, off: u32, item: usize, limit: u32| {
        section(
            data,
            header_end,
            name,
            count,
            off,
            item,
            limit,
            &mut anomalies,
        )
    };
    let string_ids = table(
        "string_ids",
        h.string_ids_size,
        h.string_ids_off,
        4,
        MAX_ITEMS,
    )?;
    let type_ids = table("type_ids", h.type_ids_size, h.type_ids_off, 4, MAX_ITEMS_16)?;
    let proto_ids = table(
        "proto_ids",
        h.proto_ids_size,
        h.proto_ids_off,
        12,
        MAX_ITEMS_16,
    )?;
    let field_ids = table("field_ids", h.field_ids_size, h.field_ids_off, 8, MAX_ITEMS)?;
    let method_ids = table(
        "method_ids",
        h.method_ids_size,
        h.method_ids_off,
        8,
        MAX_ITEMS,
    )?;
    let class_defs = table(
        "class_defs",
        h.class_defs_size,
        h.class_defs_off,
        32,
        MAX_ITEMS,
    )?;
    if h.data_size > 0 && u64::from(h.data_off) + u64::from(h.data_size) > len as u64 {
        anomalies.push(Anomaly::new(
            "dex-bad-data-section",
            Some(u64::from(h.data_off)),
            format!(
                "data section at {:#x} with {} bytes runs past the end ({len} bytes)",
                h.data_off, h.data_size
            ),
        ));
    }
    check_map(data, &header, &mut anomalies);
    Ok(Parsed {
        value: Dex {
            pools: Pools {
                data,
                string_ids,
                type_ids,
            },
            header,
            proto_ids,
            field_ids,
            method_ids,
            class_defs,
        },
        anomalies,
    })
}

/// Validates one id table: `count` entries of `item` bytes at `off`.
#[allow(clippy::too_many_arguments)]
fn section<'a>(
    data: &'a [u8],
    header_end: usize,
    name: &'static str,
    count: u32,
    off: u32,
    item: usize,
    limit: u32,
    anomalies: &mut Vec<Anomaly>,
) -> Result<&'a [u8], DexError> {
    let len = data.len();
    if count == 0 {
        if off != 0 {
            anomalies.push(Anomaly::new(
                "dex-odd-section",
                Some(u64::from(off)),
                format!("{name} has no entries but an offset of {off:#x} (ART requires 0)"),
            ));
        }
        return Ok(&[]);
    }
    if count > limit {
        return Err(DexError::TooManyItems {
            table: name,
            count,
            limit,
        });
    }
    let start = off as usize;
    let remaining = len.saturating_sub(start);
    if start > len || count as usize > remaining / item {
        return Err(DexError::TableOutOfBounds {
            table: name,
            offset: off,
            count,
            len,
        });
    }
    if off % 4 != 0 {
        anomalies.push(Anomaly::new(
            "dex-odd-section",
            Some(u64::from(off)),
            format!("{name} at {off:#x} is not 4-byte aligned"),
        ));
    }
    if start < header_end {
        anomalies.push(Anomaly::new(
            "dex-odd-section",
            Some(u64::from(off)),
            format!("{name} at {off:#x} overlaps the header (which ends at {header_end:#x})"),
        ));
    }
    slice(data, start, count as usize * item).map_err(|_| DexError::TableOutOfBounds {
        table: name,
        offset: off,
        count,
        len,
    })
}

/// Compares the `map_list` with the header's id tables.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#map-list>
fn check_map(data: &[u8], h: &Header, anomalies: &mut Vec<Anomaly>) {
    let off = h.map_off as usize;
    let bad = |detail: String| Anomaly::new("dex-bad-map", Some(u64::from(h.map_off)), detail);
    if h.map_off == 0 {
        anomalies.push(bad(
            "map_off is 0: the file has no map_list (ART requires one)".into(),
        ));
        return;
    }
    let Ok(size) = u32_at(data, off) else {
        anomalies.push(bad(format!(
            "map_list at {off:#x} runs past the end ({} bytes)",
            data.len()
        )));
        return;
    };
    let remaining = data.len().saturating_sub(off + 4);
    if size as usize > remaining / 12 {
        anomalies.push(bad(format!(
            "map_list at {off:#x} with {size} items runs past the end ({} bytes)",
            data.len()
        )));
        return;
    }
    let tables: [(u16, &str, u32, u32); 6] = [
        (0x0001, "string_ids", h.string_ids_size, h.string_ids_off),
        (0x0002, "type_ids", h.type_ids_size, h.type_ids_off),
        (0x0003, "proto_ids", h.proto_ids_size, h.proto_ids_off),
        (0x0004, "field_ids", h.field_ids_size, h.field_ids_off),
        (0x0005, "method_ids", h.method_ids_size, h.method_ids_off),
        (0x0006, "class_defs", h.class_defs_size, h.class_defs_off),
    ];
    let mut found = [None::<(u32, u32)>; 6];
    for i in 0..size as usize {
        let at = off + 4 + i * 12;
        let (Ok(ty), Ok(count), Ok(item_off)) =
            (u16_at(data, at), u32_at(data, at + 4), u32_at(data, at + 8))
        else {
            break;
        };
        if let Some(slot) = tables
            .iter()
            .position(|t| t.0 == ty)
            .and_then(|p| found.get_mut(p))
        {
            *slot = Some((count, item_off));
        }
    }
    for ((_, name, count, table_off), seen) in tables.iter().zip(found) {
        let mismatch = match seen {
            None if *count == 0 => None,
            None => Some(format!("map_list has no {name} item but the header declares {count} entries")),
            Some((c, o)) if c != *count || (c != 0 && o != *table_off) => Some(format!(
                "map_list says {name} has {c} entries at {o:#x}, the header says {count} at {table_off:#x}"
            )),
            Some(_) => None,
        };
        if let Some(detail) = mismatch {
            anomalies.push(Anomaly::new(
                "dex-map-mismatch",
                Some(u64::from(h.map_off)),
                detail,
            ));
        }
    }
}
