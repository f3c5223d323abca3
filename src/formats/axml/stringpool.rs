//! `ResStringPool`: the string table of a binary XML file.
//!
//! The header is checked once, exactly as Android's `ResStringPool::setTo`
//! does (every failure there makes the whole XML tree unreadable on a
//! device, so it is an error here too). Strings are decoded on demand by
//! [`StringPool::get`], following `ResStringPool::stringAt`, except that
//! where Android would hand back `NULL` for a damaged string we still decode
//! what is there and say why it is suspicious.
//!
//! See `frameworks/base/libs/androidfw/ResourceTypes.cpp`
//! (`ResStringPool::setTo`, `ResStringPool::stringAt`,
//! `ResStringPool::stringDecodeAt`) and `system/core/libutils/Unicode.cpp`
//! (`utf8_to_utf16`).

use super::chunks::ChunkHeader;
use super::AxmlError;
use crate::formats::read;

/// `RES_STRING_POOL_TYPE`.
pub(crate) const RES_STRING_POOL_TYPE: u16 = 0x0001;
/// `sizeof(ResStringPool_header)`: chunk header + 5 × u32.
const POOL_HEADER_SIZE: usize = 28;
/// `ResStringPool_header::UTF8_FLAG`.
const UTF8_FLAG: u32 = 1 << 8;

/// A validated string pool borrowing the input.
#[derive(Debug, Clone)]
pub(crate) struct StringPool<'a> {
    /// `stringCount`.
    string_count: u32,
    /// Whether `UTF8_FLAG` is set.
    utf8: bool,
    /// The `stringCount` little-endian u32 offsets (`mEntries`).
    entries: &'a [u8],
    /// The character data, `mStringPoolSize` units long (`mStrings`).
    strings: &'a [u8],
}

/// What [`StringPool::get`] found at an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PoolString {
    /// A well-formed string.
    Ok(String),
    /// A string Android would have rejected (returned `NULL` for) or read
    /// differently; decoded anyway. The `&str` says what is wrong.
    Suspect(String, &'static str),
    /// No string could be read; the `&str` says why.
    Missing(&'static str),
}

impl<'a> StringPool<'a> {
    /// Validates the pool chunk `chunk` (already known to lie inside `data`).
    ///
    /// Mirrors `ResStringPool::setTo(chunk, chunk->size)`.
    pub(crate) fn parse(data: &'a [u8], chunk: &ChunkHeader) -> Result<Self, AxmlError> {
        let at = chunk.offset;
        let size = chunk.size as usize;
        let bad = |reason: &'static str| AxmlError::BadStringPool { offset: at, reason };
        let body = read::slice(data, at, size).map_err(|_| bad("chunk runs past the end"))?;
        if size < POOL_HEADER_SIZE || usize::from(chunk.header_size) < POOL_HEADER_SIZE {
            return Err(bad("header is smaller than `ResStringPool_header`"));
        }
        let header_size = usize::from(chunk.header_size);
        let field = |off: usize| read::u32_at(body, off).map_err(|_| bad("header truncated"));
        let string_count = field(8)?;
        let style_count = field(12)?;
        let flags = field(16)?;
        let strings_start = field(20)? as usize;
        let styles_start = field(24)? as usize;
        let utf8 = flags & UTF8_FLAG != 0;
        let char_size = if utf8 { 1 } else { 2 };

        let mut entries: &[u8] = &[];
        let mut strings: &[u8] = &[];
        if string_count > 0 {
            // Bound the count by the bytes that are really there before
            // anything is sized from it.
            let remaining = size.saturating_sub(header_size);
            let table = (string_count as usize)
                .checked_mul(4)
                .filter(|t| *t <= remaining)
                .ok_or(AxmlError::StringCountTooLarge {
                    offset: at,
                    count: string_count,
                    remaining,
                })?;
            entries = read::slice(body, header_size, table)
                .map_err(|_| bad("string offsets run past the chunk"))?;
            // "There should be at least space for the smallest string."
            if strings_start >= size.saturating_sub(2) {
                return Err(bad("strings start after the end of the chunk"));
            }
            let pool_end = if style_count == 0 {
                size
            } else {
                if styles_start >= size.saturating_sub(2) {
                    return Err(bad("styles start after the end of the chunk"));
                }
                if styles_start <= strings_start {
                    return Err(bad("styles start before the strings"));
                }
                styles_start
            };
            let units = (pool_end - strings_start) / char_size;
            if units == 0 {
                return Err(bad("strings are declared but the character data is empty"));
            }
            strings = read::slice(body, strings_start, units * char_size)
                .map_err(|_| bad("character data runs past the chunk"))?;
            let last = strings.len().saturating_sub(char_size);
            if strings
                .get(last..)
                .is_none_or(|t| t.iter().any(|b| *b != 0))
            {
                return Err(bad("last string is not 0-terminated"));
            }
        }
        if style_count > 0 {
            // Android checks where the style offsets start, that the style
            // data starts inside the chunk and that it ends with the
            // 0xFFFFFFFF ×3 end span. Styles are not used further.
            let styles_index = header_size
                .checked_add((string_count as usize).saturating_mul(4))
                .filter(|e| *e <= size);
            if styles_index.is_none() {
                return Err(bad("style offsets run past the chunk"));
            }
            if styles_start >= size {
                return Err(bad("styles start after the end of the chunk"));
            }
            let words = (size - styles_start) / 4;
            let tail = words
                .checked_sub(3)
                .and_then(|w| read::slice(body, styles_start + w * 4, 12).ok());
            if tail.is_none_or(|t| t.iter().any(|b| *b != 0xff)) {
                return Err(bad("last style is not 0xFFFFFFFF-terminated"));
            }
        }
        Ok(StringPool {
            string_count,
            utf8,
            entries,
            strings,
        })
    }

    /// Number of strings (`stringCount`).
    pub(crate) fn len(&self) -> u32 {
        self.string_count
    }

    /// Whether the pool stores UTF-8 (else UTF-16).
    pub(crate) fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// Decodes string `idx`, as `ResStringPool::stringAt` does.
    pub(crate) fn get(&self, idx: u32) -> PoolString {
        if idx >= self.string_count {
            return PoolString::Missing("index is out of range");
        }
        let Ok(entry) = read::u32_at(self.entries, idx as usize * 4) else {
            return PoolString::Missing("index is out of range");
        };
        if self.utf8 {
            self.get_utf8(entry as usize)
        } else {
            self.get_utf16(entry as usize / 2)
        }
    }

    /// UTF-16 flavour: `u16` length (high bit → two units), units, `0x0000`.
    fn get_utf16(&self, off: usize) -> PoolString {
        let units = self.strings.len() / 2;
        if off >= units.saturating_sub(1) {
            return PoolString::Missing("offset is past the end of the pool");
        }
        let unit = |i: usize| read::u16_at(self.strings, i * 2).ok();
        let mut pos = off;
        let Some(first) = unit(pos) else {
            return PoolString::Missing("offset is past the end");
        };
        let mut len = usize::from(first);
        if first & 0x8000 != 0 {
            pos += 1;
            let Some(second) = unit(pos) else {
                return PoolString::Missing("length runs past the end of the pool");
            };
            len = (usize::from(first & 0x7fff) << 16) | usize::from(second);
        }
        pos += 1;
        // Android: `str + len - strings < mStringPoolSize`, then `str[len] == 0`.
        if pos.saturating_add(len) >= units {
            return PoolString::Missing("string runs past the end of the pool");
        }
        let Ok(bytes) = read::slice(self.strings, pos * 2, len * 2) else {
            return PoolString::Missing("string runs past the end of the pool");
        };
        let text = read::utf16le_lossy(bytes);
        if unit(pos + len) != Some(0) {
            return PoolString::Suspect(
                text,
                "string is not 0-terminated (Android reads no string)",
            );
        }
        if text.contains('\u{FFFD}') && !utf16_has_literal_replacement(bytes) {
            return PoolString::Suspect(text, "string has an unpaired surrogate (shown as U+FFFD)");
        }
        PoolString::Ok(text)
    }

    /// UTF-8 flavour: UTF-16 length, UTF-8 length (each one or two bytes,
    /// high bit extends), bytes, `0x00`.
    fn get_utf8(&self, off: usize) -> PoolString {
        let pool = self.strings;
        if off >= pool.len().saturating_sub(1) {
            return PoolString::Missing("offset is past the end of the pool");
        }
        let mut pos = off;
        let Some((u16_len, used)) = utf8_pool_length(pool, pos) else {
            return PoolString::Missing("length runs past the end of the pool");
        };
        pos += used;
        let Some((enc_len, used)) = utf8_pool_length(pool, pos) else {
            return PoolString::Missing("length runs past the end of the pool");
        };
        pos += used;
        if pos.saturating_add(enc_len) >= pool.len() {
            return PoolString::Missing("string runs past the end of the pool");
        }
        // `stringDecodeAt`: aapt truncated lengths above 0x7FFF, so look for
        // the terminator at `enc_len`, then at `enc_len | (i << 15)`.
        let mut end = enc_len;
        let mut i = 0usize;
        let mut truncated_length = false;
        loop {
            match pool.get(pos.saturating_add(end)) {
                Some(0) => break,
                Some(_) => {
                    i += 1;
                    truncated_length = true;
                    end = (i << 15) | enc_len;
                }
                None => {
                    let bytes = pool.get(pos..).unwrap_or_default();
                    let bytes = bytes.get(..enc_len.min(bytes.len())).unwrap_or_default();
                    return PoolString::Suspect(
                        android_utf8_to_string(bytes).0,
                        "string is not 0-terminated (Android reads no string)",
                    );
                }
            }
        }
        let bytes = pool.get(pos..pos + end).unwrap_or_default();
        let (text, utf16_len, overread) = android_utf8_to_string(bytes);
        if overread {
            return PoolString::Suspect(
                text,
                "string ends inside a UTF-8 sequence (Android reads no string)",
            );
        }
        if utf16_len & 0x7fff != u16_len & 0x7fff {
            return PoolString::Suspect(
                text,
                "string's UTF-16 length does not match its bytes (Android reads no string)",
            );
        }
        if truncated_length {
            return PoolString::Suspect(
                text,
                "string's length field is truncated to 15 bits (old aapt; Android accepts it)",
            );
        }
        if std::str::from_utf8(bytes).is_err() {
            return PoolString::Suspect(
                text,
                "string is not valid UTF-8 (decoded as Android does)",
            );
        }
        PoolString::Ok(text)
    }
}

/// Whether the raw UTF-16 data itself contains U+FFFD (so a replacement
/// character in the decoded text is not our doing).
fn utf16_has_literal_replacement(bytes: &[u8]) -> bool {
    bytes.chunks_exact(2).any(|c| c == [0xfd, 0xff])
}

/// `decodeLength` for UTF-8 pools: returns the length and the bytes used.
fn utf8_pool_length(pool: &[u8], pos: usize) -> Option<(usize, usize)> {
    let first = *pool.get(pos)?;
    if first & 0x80 == 0 {
        return Some((usize::from(first), 1));
    }
    let second = *pool.get(pos + 1)?;
    Some(((usize::from(first & 0x7f) << 8) | usize::from(second), 2))
}

/// Decodes bytes as Android's `utf8_to_utf16` does, then to a Rust string.
///
/// Android looks only at the lead byte to size a sequence (continuation
/// bytes are masked, never checked), so it accepts CESU-8 surrogate pairs,
/// overlong forms and stray continuation bytes (read as U+0080–U+00BF).
/// Unpaired surrogates become U+FFFD. Returns the text, its length in UTF-16
/// units, and whether the last sequence ran past the end (Android then
/// rejects the string).
fn android_utf8_to_string(bytes: &[u8]) -> (String, usize, bool) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        let units = s.chars().map(char::len_utf16).sum();
        return (s.to_owned(), units, false);
    }
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    let mut overread = false;
    while let Some(&lead) = bytes.get(pos) {
        // utf8_codepoint_len: ((0xe5000000 >> ((ch >> 3) & 0x1e)) & 3) + 1
        let len = (((0xe500_0000u32 >> ((u32::from(lead) >> 3) & 0x1e)) & 3) + 1) as usize;
        let Some(seq) = bytes.get(pos..pos + len) else {
            overread = true;
            units.push(0xfffd);
            break;
        };
        let cp = match seq {
            [a] => u32::from(*a),
            [a, b] => (u32::from(a & 0x1f) << 6) | u32::from(b & 0x3f),
            [a, b, c] => {
                (u32::from(a & 0x0f) << 12) | (u32::from(b & 0x3f) << 6) | u32::from(c & 0x3f)
            }
            [a, b, c, d] => {
                (u32::from(a & 0x07) << 18)
                    | (u32::from(b & 0x3f) << 12)
                    | (u32::from(c & 0x3f) << 6)
                    | u32::from(d & 0x3f)
            }
            _ => 0xffff,
        };
        if cp <= 0xffff {
            units.push(cp as u16);
        } else {
            let v = cp - 0x10000;
            units.push(((v >> 10) + 0xd800) as u16);
            units.push(((v & 0x3ff) + 0xdc00) as u16);
        }
        pos += len;
    }
    let n = units.len() - usize::from(overread);
    let text = char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect();
    (text, n, overread)
}

/// Encodes a UTF-16 length prefix (test helper, also used by fixtures).
#[cfg(test)]
pub(crate) fn encode_utf16_len(len: usize, out: &mut Vec<u8>) {
    if len > 0x7fff {
        out.extend_from_slice(&((((len >> 16) as u16) | 0x8000).to_le_bytes()));
        out.extend_from_slice(&((len & 0xffff) as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(len as u16).to_le_bytes());
    }
}

/// Encodes a UTF-8-pool length prefix (test helper).
#[cfg(test)]
pub(crate) fn encode_utf8_len(len: usize, out: &mut Vec<u8>) {
    if len > 0x7f {
        out.push(((len >> 8) as u8) | 0x80);
        out.push((len & 0xff) as u8);
    } else {
        out.push(len as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn android(bytes: &[u8]) -> (String, usize, bool) {
        android_utf8_to_string(bytes)
    }

    #[test]
    fn android_utf8_matches_std_on_valid_input() {
        for s in [
            "",
            "abc",
            "护苗",
            "😀x",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}",
        ] {
            let mut bytes = s.as_bytes().to_vec();
            // force the slow path by checking it directly on a copy
            let (fast, n, over) = android(&bytes);
            assert_eq!(fast, s);
            assert_eq!(n, s.encode_utf16().count());
            assert!(!over);
            bytes.push(0x80); // stray continuation byte → U+0080
            let (slow, _, over) = android(&bytes);
            assert_eq!(slow, format!("{s}\u{80}"));
            assert!(!over);
        }
    }

    #[test]
    fn android_utf8_cesu_pair_and_lone_surrogate() {
        // CESU-8 encoded U+1F600 (ED A0 BD ED B8 80) is accepted by Android.
        let (s, n, _) = android(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]);
        assert_eq!(s, "😀");
        assert_eq!(n, 2);
        // A lone high surrogate becomes U+FFFD.
        let (s, _, _) = android(&[b'a', 0xed, 0xa0, 0xbd, b'b']);
        assert_eq!(s, "a\u{FFFD}b");
        // A truncated lead byte at the end is an over-read.
        let (s, _, over) = android(&[b'a', 0xe6]);
        assert_eq!(s, "a\u{FFFD}");
        assert!(over);
    }
}
