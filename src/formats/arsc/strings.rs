//! `ResStringPool`: the string pools of a resource table (global values,
//! package type names, package key names).
//!
//! The pool borrows its chunk; [`StringPool::parse`] checks the header, the
//! offset table and the pool bounds once, and [`StringPool::get`] decodes
//! one string on demand. Both encodings (UTF-8 with `UTF8_FLAG`, UTF-16
//! otherwise) and both length encodings (one unit, or two units with the
//! high bit set) are handled.
//!
//! See `ResStringPool::setTo`, `ResStringPool::stringAt` and
//! `ResStringPool::string8At` in
//! `frameworks/base/libs/androidfw/ResourceTypes.cpp`.
//!
//! ```
//! use humiao::formats::arsc::strings::StringPool;
//! // An empty UTF-8 pool: header only.
//! let mut pool = vec![0x01, 0x00, 0x1c, 0x00, 0x1c, 0, 0, 0];
//! pool.extend_from_slice(&[0; 8]); // stringCount, styleCount
//! pool.extend_from_slice(&0x100u32.to_le_bytes()); // flags: UTF8
//! pool.extend_from_slice(&[0; 8]); // stringsStart, stylesStart
//! let parsed = StringPool::parse(&pool).unwrap();
//! assert!(parsed.value.is_empty());
//! assert_eq!(parsed.value.get(0), None);
//! ```
//!
//! This decoder is owned by the ARSC parser for now; the AXML decoder has its
//! own and the two will be unified later.

use std::borrow::Cow;

use crate::formats::read::{u16_at, u32_at};
use crate::formats::Anomaly;

/// `RES_STRING_POOL_TYPE`.
pub const RES_STRING_POOL_TYPE: u16 = 0x0001;
/// `sizeof(ResStringPool_header)`.
pub const HEADER_SIZE: usize = 28;
/// `ResStringPool_header::SORTED_FLAG`.
pub const SORTED_FLAG: u32 = 1 << 0;
/// `ResStringPool_header::UTF8_FLAG`.
pub const UTF8_FLAG: u32 = 1 << 8;

/// More strings than this is refused even if the bytes are there
/// (yara-x uses the same kind of cap for DEX string tables).
pub const MAX_STRINGS: u32 = 4_000_000;

/// Why a string pool could not be used at all.
///
/// Offsets are relative to the start of the pool chunk; the table parser
/// wraps this error with the absolute offset of the chunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StringPoolError {
    /// Fewer bytes than a `ResStringPool_header`.
    #[error("string pool header truncated: {len} bytes, 28 needed")]
    Truncated {
        /// Bytes available.
        len: usize,
    },
    /// The chunk is not a `RES_STRING_POOL_TYPE` chunk.
    #[error("not a string pool: chunk type {found:#06x}")]
    NotAPool {
        /// Chunk type found.
        found: u16,
    },
    /// `headerSize` / `size` inconsistent with each other or with the data.
    #[error(
        "string pool chunk sizes invalid: header {header_size}, size {size}, {len} bytes available"
    )]
    BadChunkSize {
        /// `header.headerSize`.
        header_size: u16,
        /// `header.size`.
        size: u32,
        /// Bytes available.
        len: usize,
    },
    /// An offset table does not fit in the chunk.
    #[error("string pool `{table}` at {offset:#x} with {count} entries runs past the end of the chunk ({size} bytes)")]
    TableOutOfBounds {
        /// `string offsets` or `style offsets`.
        table: &'static str,
        /// Offset of the table inside the chunk.
        offset: usize,
        /// Declared count.
        count: u32,
        /// Chunk size.
        size: u32,
    },
    /// `stringsStart` / `stylesStart` points outside the chunk or the pool
    /// would be empty although strings are declared.
    #[error("string pool `{field}` {value:#x} is outside the chunk ({size} bytes)")]
    BadOffset {
        /// Field name (`stringsStart`, `stylesStart`).
        field: &'static str,
        /// Field value.
        value: u32,
        /// Chunk size.
        size: u32,
    },
}

/// A parsed, borrowed string pool.
#[derive(Debug, Clone, Copy)]
pub struct StringPool<'a> {
    /// `stringCount` entries of u32 offsets (validated length).
    string_offsets: &'a [u8],
    /// The string data (from `stringsStart` to `stylesStart` or chunk end).
    strings: &'a [u8],
    string_count: u32,
    style_count: u32,
    flags: u32,
    /// Size of the chunk as declared (and checked against the data).
    chunk_size: u32,
}

impl Default for StringPool<'_> {
    fn default() -> Self {
        StringPool::empty()
    }
}

impl<'a> StringPool<'a> {
    /// A pool with no string (used where a pool is missing).
    pub fn empty() -> Self {
        StringPool {
            string_offsets: &[],
            strings: &[],
            string_count: 0,
            style_count: 0,
            flags: 0,
            chunk_size: 0,
        }
    }

    /// Parses a `ResStringPool_header` chunk at the start of `data`.
    ///
    /// `data` may extend past the chunk; only `header.size` bytes are used.
    /// Damage that makes every string unreadable is an error; damage to
    /// single strings is reported as anomalies (codes `arsc-string-*`) and
    /// those strings read as `None`.
    pub fn parse(
        data: &'a [u8],
    ) -> Result<crate::formats::Parsed<StringPool<'a>>, StringPoolError> {
        let len = data.len();
        if len < HEADER_SIZE {
            return Err(StringPoolError::Truncated { len });
        }
        let rd16 = |o| u16_at(data, o).map_err(|_| StringPoolError::Truncated { len });
        let rd32 = |o| u32_at(data, o).map_err(|_| StringPoolError::Truncated { len });
        let chunk_type = rd16(0)?;
        if chunk_type != RES_STRING_POOL_TYPE {
            return Err(StringPoolError::NotAPool { found: chunk_type });
        }
        let header_size = rd16(2)?;
        let size = rd32(4)?;
        let string_count = rd32(8)?;
        let style_count = rd32(12)?;
        let flags = rd32(16)?;
        let strings_start = rd32(20)?;
        let styles_start = rd32(24)?;
        let size_us = size as usize;
        if usize::from(header_size) < HEADER_SIZE || u32::from(header_size) > size || size_us > len
        {
            return Err(StringPoolError::BadChunkSize {
                header_size,
                size,
                len,
            });
        }
        let chunk = data.get(..size_us).unwrap_or_default();
        let mut anomalies = Vec::new();

        if flags & !(SORTED_FLAG | UTF8_FLAG) != 0 {
            anomalies.push(Anomaly::new(
                "arsc-string-pool-unknown-flags",
                Some(16),
                format!("string pool flags {flags:#x} has unknown bits"),
            ));
        }

        // Offset tables: bounded by the bytes in the chunk before any use.
        let hdr = usize::from(header_size);
        let room = size_us - hdr;
        if string_count > MAX_STRINGS || string_count as usize > room / 4 {
            return Err(StringPoolError::TableOutOfBounds {
                table: "string offsets",
                offset: hdr,
                count: string_count,
                size,
            });
        }
        let strings_table_len = string_count as usize * 4;
        let string_offsets = chunk.get(hdr..hdr + strings_table_len).unwrap_or_default();
        let styles_table_off = hdr + strings_table_len;
        if style_count > MAX_STRINGS || style_count as usize > (size_us - styles_table_off) / 4 {
            return Err(StringPoolError::TableOutOfBounds {
                table: "style offsets",
                offset: styles_table_off,
                count: style_count,
                size,
            });
        }

        let char_size: usize = if flags & UTF8_FLAG != 0 { 1 } else { 2 };
        let mut strings: &[u8] = &[];
        if string_count > 0 {
            // ResStringPool::setTo: "string pool starts at %d, after total size".
            if strings_start as usize >= size_us.saturating_sub(2) {
                return Err(StringPoolError::BadOffset {
                    field: "stringsStart",
                    value: strings_start,
                    size,
                });
            }
            let end = if style_count == 0 {
                size_us
            } else {
                if styles_start as usize >= size_us.saturating_sub(2) {
                    return Err(StringPoolError::BadOffset {
                        field: "stylesStart",
                        value: styles_start,
                        size,
                    });
                }
                if styles_start <= strings_start {
                    return Err(StringPoolError::BadOffset {
                        field: "stylesStart",
                        value: styles_start,
                        size,
                    });
                }
                styles_start as usize
            };
            let pool_len = (end - strings_start as usize) / char_size * char_size;
            if pool_len == 0 {
                return Err(StringPoolError::BadOffset {
                    field: "stringsStart",
                    value: strings_start,
                    size,
                });
            }
            strings = chunk
                .get(strings_start as usize..strings_start as usize + pool_len)
                .unwrap_or_default();
            if strings_start as usize % 4 != 0 {
                anomalies.push(Anomaly::new(
                    "arsc-string-pool-unaligned",
                    Some(20),
                    format!("stringsStart {strings_start:#x} is not 4-byte aligned"),
                ));
            }
            if strings.iter().rev().take(char_size).any(|b| *b != 0) {
                // Android refuses such a pool ("last string is not
                // 0-terminated"); the strings before it are still readable.
                anomalies.push(Anomaly::new(
                    "arsc-string-pool-unterminated",
                    Some(u64::from(strings_start) + pool_len as u64),
                    "last string of the pool is not NUL-terminated",
                ));
            }
        } else if style_count > 0 && styles_start as usize >= size_us {
            return Err(StringPoolError::BadOffset {
                field: "stylesStart",
                value: styles_start,
                size,
            });
        }

        let pool = StringPool {
            string_offsets,
            strings,
            string_count,
            style_count,
            flags,
            chunk_size: size,
        };
        pool.validate_strings(&mut anomalies);
        Ok(crate::formats::Parsed {
            value: pool,
            anomalies,
        })
    }

    /// Checks every string once so damaged ones are reported as anomalies
    /// (one anomaly per kind, with the count and the first index). The
    /// check locates and validates each string in place; nothing is
    /// decoded or allocated.
    fn validate_strings(&self, anomalies: &mut Vec<Anomaly>) {
        let mut bad: Option<(u32, u32)> = None; // (first index, count)
        let mut overflow: Option<(u32, u32)> = None;
        let mut utf8: Option<(u32, u32)> = None;
        let bump = |slot: &mut Option<(u32, u32)>, i: u32| {
            let (first, n) = slot.unwrap_or((i, 0));
            *slot = Some((first, n + 1));
        };
        let utf8_pool = self.is_utf8();
        for i in 0..self.string_count {
            let Some(off) = self.offset_of(i) else {
                bump(&mut bad, i);
                continue;
            };
            let (length_overflow, valid) = if utf8_pool {
                match locate_utf8(self.strings, off) {
                    None => {
                        bump(&mut bad, i);
                        continue;
                    }
                    Some((bytes, overflow)) => (
                        overflow,
                        bytes.is_ascii() || std::str::from_utf8(bytes).is_ok(),
                    ),
                }
            } else {
                match locate_utf16(self.strings, off) {
                    None => {
                        bump(&mut bad, i);
                        continue;
                    }
                    Some(body) => (false, utf16_is_valid(body)),
                }
            };
            if length_overflow {
                bump(&mut overflow, i);
            }
            if !valid {
                bump(&mut utf8, i);
            }
        }
        let mut push = |code, slot: Option<(u32, u32)>, what: &str| {
            if let Some((first, n)) = slot {
                anomalies.push(Anomaly::new(
                    code,
                    None,
                    format!("{n} string(s) {what} (first: #{first})"),
                ));
            }
        };
        push(
            "arsc-string-unreadable",
            bad,
            "are out of bounds or not NUL-terminated",
        );
        push(
            "arsc-string-length-overflow",
            overflow,
            "have a UTF-8 length that wrapped at 32768 bytes (Android recovers them)",
        );
        push(
            "arsc-string-invalid-encoding",
            utf8,
            "are not valid UTF-8/UTF-16 and were decoded lossily",
        );
    }

    /// Number of strings (`stringCount`).
    pub fn len(&self) -> usize {
        self.string_count as usize
    }

    /// Whether the pool holds no string.
    pub fn is_empty(&self) -> bool {
        self.string_count == 0
    }

    /// Number of style span arrays (`styleCount`).
    pub fn style_count(&self) -> usize {
        self.style_count as usize
    }

    /// Whether the pool is UTF-8 encoded (`UTF8_FLAG`).
    pub fn is_utf8(&self) -> bool {
        self.flags & UTF8_FLAG != 0
    }

    /// Whether the pool declares itself sorted (`SORTED_FLAG`).
    pub fn is_sorted(&self) -> bool {
        self.flags & SORTED_FLAG != 0
    }

    /// Declared chunk size in bytes.
    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }

    /// String `idx`, or `None` if the index is out of range or the string
    /// is damaged (as Android's `stringAt` returns an error).
    pub fn get(&self, idx: u32) -> Option<Cow<'a, str>> {
        self.decode(idx)
    }

    /// Iterates over all strings in index order (`None` for damaged ones).
    pub fn iter(&self) -> impl Iterator<Item = Option<Cow<'a, str>>> + '_ {
        (0..self.string_count).map(move |i| self.get(i))
    }

    fn offset_of(&self, idx: u32) -> Option<usize> {
        let at = (idx as usize).checked_mul(4)?;
        u32_at(self.string_offsets, at).ok().map(|v| v as usize)
    }

    fn decode(&self, idx: u32) -> Option<Cow<'a, str>> {
        if idx >= self.string_count {
            return None;
        }
        let off = self.offset_of(idx)?;
        if self.is_utf8() {
            decode_utf8(self.strings, off)
        } else {
            decode_utf16(self.strings, off)
        }
    }
}

/// `decodeLength` for UTF-8 pools: one byte, or two if the high bit is set.
fn utf8_length(pool: &[u8], pos: &mut usize) -> Option<usize> {
    let b0 = *pool.get(*pos)?;
    *pos += 1;
    if b0 & 0x80 != 0 {
        let b1 = *pool.get(*pos)?;
        *pos += 1;
        Some((usize::from(b0 & 0x7f) << 8) | usize::from(b1))
    } else {
        Some(usize::from(b0))
    }
}

/// The UTF-8 string at `off`, invalid sequences replaced by U+FFFD.
fn decode_utf8(pool: &[u8], off: usize) -> Option<Cow<'_, str>> {
    let (bytes, _) = locate_utf8(pool, off)?;
    Some(String::from_utf8_lossy(bytes))
}

/// The bytes of the UTF-8 string at `off` (without lengths and terminator)
/// and whether its length had wrapped (the terminator was found at a later
/// 0x8000 boundary); `None` if it is out of bounds or not
/// NUL-terminated.
fn locate_utf8(pool: &[u8], off: usize) -> Option<(&[u8], bool)> {
    // ResStringPool::string8At: offset must leave room for the lengths.
    if off >= pool.len().saturating_sub(1) {
        return None;
    }
    let mut pos = off;
    let _utf16_len = utf8_length(pool, &mut pos)?;
    let enc_len = utf8_length(pool, &mut pos)?;
    // ResStringPool::stringDecodeAt: aapt once wrote byte lengths above
    // 0x7fff modulo 0x8000; Android looks for the terminator at each later
    // 0x8000 boundary until the end of the pool.
    let mut end = enc_len;
    let mut tries: usize = 0;
    loop {
        let nul_at = pos.checked_add(end)?;
        let b = *pool.get(nul_at)?;
        if b == 0 {
            break;
        }
        tries += 1;
        end = (tries << 15) | enc_len;
        if tries > pool.len() >> 15 {
            return None;
        }
    }
    Some((pool.get(pos..pos + end)?, end != enc_len))
}

/// Whether UTF-16LE `body` has no unpaired surrogate.
fn utf16_is_valid(body: &[u8]) -> bool {
    let mut want_low = false;
    for c in body.chunks_exact(2) {
        let u = u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ]);
        // A low surrogate must follow a high one, and only a high one.
        if want_low != (0xdc00..=0xdfff).contains(&u) {
            return false;
        }
        want_low = (0xd800..=0xdbff).contains(&u);
    }
    !want_low
}

/// The UTF-16 string at byte offset `off`, unpaired surrogates replaced
/// by U+FFFD.
fn decode_utf16(pool: &[u8], off: usize) -> Option<Cow<'_, str>> {
    let body = locate_utf16(pool, off)?;
    let text: String = char::decode_utf16(body.chunks_exact(2).map(|c| {
        u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    }))
    .map(|r| r.unwrap_or('\u{FFFD}'))
    .collect();
    Some(Cow::Owned(text))
}

/// The UTF-16LE code units of the string at byte offset `off` (without
/// length and terminator); `None` if out of bounds or not NUL-terminated.
fn locate_utf16(pool: &[u8], off: usize) -> Option<&[u8]> {
    // Byte offset of the string; Android divides by sizeof(uint16_t).
    let off = off & !1;
    if off >= pool.len().saturating_sub(2) {
        return None;
    }
    let mut pos = off;
    let u0 = usize::from(u16_at(pool, pos).ok()?);
    pos += 2;
    let units = if u0 & 0x8000 != 0 {
        let u1 = usize::from(u16_at(pool, pos).ok()?);
        pos += 2;
        ((u0 & 0x7fff) << 16) | u1
    } else {
        u0
    };
    let byte_len = units.checked_mul(2)?;
    let body = pool.get(pos..pos.checked_add(byte_len)?)?;
    // Reject non NUL-terminated strings, as Android does.
    if u16_at(pool, pos + byte_len).ok()? != 0 {
        return None;
    }
    Some(body)
}

/// Builds a string pool chunk (test and fixture helper).
#[cfg(test)]
pub(crate) fn build_pool(strings: &[&str], utf8: bool) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len() as u32);
        if utf8 {
            let n16 = s.encode_utf16().count();
            push_len8(&mut data, n16);
            push_len8(&mut data, s.len());
            data.extend_from_slice(s.as_bytes());
            data.push(0);
        } else {
            let units: Vec<u16> = s.encode_utf16().collect();
            if units.len() > 0x7fff {
                data.extend_from_slice(&((((units.len() >> 16) as u16) | 0x8000).to_le_bytes()));
                data.extend_from_slice(&((units.len() & 0xffff) as u16).to_le_bytes());
            } else {
                data.extend_from_slice(&(units.len() as u16).to_le_bytes());
            }
            for u in units {
                data.extend_from_slice(&u.to_le_bytes());
            }
            data.extend_from_slice(&[0, 0]);
        }
    }
    while data.len() % 4 != 0 {
        data.push(0);
    }
    let strings_start = HEADER_SIZE + offsets.len() * 4;
    let size = strings_start + data.len();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&RES_STRING_POOL_TYPE.to_le_bytes());
    out.extend_from_slice(&(HEADER_SIZE as u16).to_le_bytes());
    out.extend_from_slice(&(size as u32).to_le_bytes());
    out.extend_from_slice(&(offsets.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(if utf8 { UTF8_FLAG } else { 0 }).to_le_bytes());
    out.extend_from_slice(
        &(if strings.is_empty() {
            0
        } else {
            strings_start as u32
        })
        .to_le_bytes(),
    );
    out.extend_from_slice(&0u32.to_le_bytes());
    for o in offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    out.extend_from_slice(&data);
    out
}

#[cfg(test)]
fn push_len8(data: &mut Vec<u8>, n: usize) {
    if n > 0x7f {
        data.push(((n >> 8) as u8 & 0x7f) | 0x80);
        data.push((n & 0xff) as u8);
    } else {
        data.push(n as u8);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_utf16_round_trip() {
        let long = "x".repeat(300);
        let long16 = "y".repeat(40000);
        for utf8 in [true, false] {
            let items: Vec<&str> = vec!["", "app", "儿童隐私", "😀 emoji", &long, &long16];
            let bytes = build_pool(&items, utf8);
            let p = StringPool::parse(&bytes).unwrap();
            // The UTF-8 length of the 40000-byte string cannot be encoded
            // (two bytes hold 0x7fff at most); the builder wraps it as old
            // aapt did and the decoder recovers it as Android does.
            let codes: Vec<_> = p.anomalies.iter().map(|a| a.code).collect();
            assert_eq!(
                codes,
                if utf8 {
                    vec!["arsc-string-length-overflow"]
                } else {
                    vec![]
                }
            );
            let pool = p.value;
            assert_eq!(pool.len(), items.len());
            assert_eq!(pool.is_utf8(), utf8);
            for (i, s) in items.iter().enumerate() {
                assert_eq!(pool.get(i as u32).as_deref(), Some(*s), "utf8={utf8} #{i}");
            }
            assert_eq!(pool.get(items.len() as u32), None);
        }
    }

    #[test]
    fn utf8_length_wrapped_at_0x8000_is_recovered() {
        // A 0x8005-byte string whose byte length was written as 5.
        let s = "z".repeat(0x8005);
        let mut bytes = build_pool(&[&s[..5]], true);
        // Rebuild the data by hand: lengths 5/5, then 0x8005 bytes, NUL.
        let strings_start = HEADER_SIZE + 4;
        bytes.truncate(strings_start);
        bytes.extend_from_slice(&[5, 5]);
        bytes.extend_from_slice(s.as_bytes());
        bytes.extend_from_slice(&[0, 0, 0]);
        let size = bytes.len() as u32;
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
        let p = StringPool::parse(&bytes).unwrap();
        assert_eq!(p.value.get(0).unwrap().len(), 0x8005);
        assert!(p
            .anomalies
            .iter()
            .any(|a| a.code == "arsc-string-length-overflow"));
    }

    #[test]
    fn huge_count_is_an_error_not_an_allocation() {
        let mut bytes = build_pool(&["a"], true);
        bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            StringPool::parse(&bytes),
            Err(StringPoolError::TableOutOfBounds {
                table: "string offsets",
                ..
            })
        ));
        let mut bytes = build_pool(&["a"], true);
        bytes[12..16].copy_from_slice(&0x4000_0000u32.to_le_bytes());
        assert!(matches!(
            StringPool::parse(&bytes),
            Err(StringPoolError::TableOutOfBounds {
                table: "style offsets",
                ..
            })
        ));
    }

    #[test]
    fn header_errors() {
        assert_eq!(
            StringPool::parse(&[1, 0, 28]).unwrap_err(),
            StringPoolError::Truncated { len: 3 }
        );
        let mut bytes = build_pool(&["a"], false);
        bytes[0] = 2;
        assert_eq!(
            StringPool::parse(&bytes).unwrap_err(),
            StringPoolError::NotAPool { found: 2 }
        );
        let mut bytes = build_pool(&["a"], false);
        let n = bytes.len() as u32 + 4;
        bytes[4..8].copy_from_slice(&n.to_le_bytes());
        assert!(matches!(
            StringPool::parse(&bytes),
            Err(StringPoolError::BadChunkSize { .. })
        ));
        let mut bytes = build_pool(&["a"], false);
        bytes[20..24].copy_from_slice(&0xffffu32.to_le_bytes());
        assert!(matches!(
            StringPool::parse(&bytes),
            Err(StringPoolError::BadOffset {
                field: "stringsStart",
                ..
            })
        ));
    }

    #[test]
    fn in_place_utf16_check_agrees_with_decoding() {
        let cases: [&[u16]; 7] = [
            &[0x41, 0x42],
            &[0xd83d, 0xde00],
            &[0xd83d],
            &[0xde00, 0x41],
            &[0x41, 0xd83d, 0x41],
            &[0xd83d, 0xd83d, 0xde00],
            &[],
        ];
        for units in cases {
            let mut pool: Vec<u8> = (units.len() as u16).to_le_bytes().to_vec();
            for u in units {
                pool.extend(u.to_le_bytes());
            }
            pool.extend([0, 0]);
            let body = locate_utf16(&pool, 0).unwrap();
            let lossy = decode_utf16(&pool, 0).unwrap().contains('\u{FFFD}');
            assert_eq!(utf16_is_valid(body), !lossy, "{units:x?}");
        }
    }

    #[test]
    fn damaged_string_reads_as_none_with_anomaly() {
        let mut bytes = build_pool(&["abc", "de"], false);
        // Point string 1 far outside the pool.
        let at = HEADER_SIZE + 4;
        bytes[at..at + 4].copy_from_slice(&0x1000u32.to_le_bytes());
        let p = StringPool::parse(&bytes).unwrap();
        assert_eq!(p.value.get(0).as_deref(), Some("abc"));
        assert_eq!(p.value.get(1), None);
        assert!(p
            .anomalies
            .iter()
            .any(|a| a.code == "arsc-string-unreadable"));
    }
}
