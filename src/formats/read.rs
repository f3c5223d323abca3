//! Bounds-checked little-endian reader shared by every parser.
//!
//! All reads return `Result<_, OutOfBounds>`; nothing here can panic.

use std::fmt;

/// A read went past the end of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfBounds {
    /// Offset at which the read started.
    pub offset: usize,
    /// Bytes requested.
    pub wanted: usize,
    /// Length of the buffer.
    pub len: usize,
}

impl fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "read of {} bytes at {:#x} runs past the end ({} bytes)",
            self.wanted, self.offset, self.len
        )
    }
}

impl std::error::Error for OutOfBounds {}

/// Returns `data[off..off+len]` or an error; never panics.
pub fn slice(data: &[u8], off: usize, len: usize) -> Result<&[u8], OutOfBounds> {
    off.checked_add(len)
        .and_then(|end| data.get(off..end))
        .ok_or(OutOfBounds {
            offset: off,
            wanted: len,
            len: data.len(),
        })
}

/// Reads a little-endian u16 at `off`.
pub fn u16_at(data: &[u8], off: usize) -> Result<u16, OutOfBounds> {
    let b = slice(data, off, 2)?;
    Ok(u16::from_le_bytes([
        b.first().copied().unwrap_or(0),
        b.get(1).copied().unwrap_or(0),
    ]))
}

/// Reads a little-endian u32 at `off`.
pub fn u32_at(data: &[u8], off: usize) -> Result<u32, OutOfBounds> {
    let b = slice(data, off, 4)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    Ok(u32::from_le_bytes(a))
}

/// Reads a little-endian u64 at `off`.
pub fn u64_at(data: &[u8], off: usize) -> Result<u64, OutOfBounds> {
    let b = slice(data, off, 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_le_bytes(a))
}

/// A cursor over a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at offset 0.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// A reader at `pos` (may be past the end; reads will then fail).
    pub fn at(data: &'a [u8], pos: usize) -> Self {
        Reader { data, pos }
    }

    /// Current offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Whole underlying buffer.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Bytes left after the cursor.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Moves the cursor to `pos`.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Advances the cursor by `n` bytes, checking bounds.
    pub fn skip(&mut self, n: usize) -> Result<(), OutOfBounds> {
        self.bytes(n).map(|_| ())
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], OutOfBounds> {
        let s = slice(self.data, self.pos, n)?;
        self.pos += n;
        Ok(s)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, OutOfBounds> {
        let b = self.data.get(self.pos).copied().ok_or(OutOfBounds {
            offset: self.pos,
            wanted: 1,
            len: self.data.len(),
        })?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads a little-endian u16.
    pub fn u16(&mut self) -> Result<u16, OutOfBounds> {
        let v = u16_at(self.data, self.pos)?;
        self.pos += 2;
        Ok(v)
    }

    /// Reads a little-endian u32.
    pub fn u32(&mut self) -> Result<u32, OutOfBounds> {
        let v = u32_at(self.data, self.pos)?;
        self.pos += 4;
        Ok(v)
    }

    /// Reads a little-endian u64.
    pub fn u64(&mut self) -> Result<u64, OutOfBounds> {
        let v = u64_at(self.data, self.pos)?;
        self.pos += 8;
        Ok(v)
    }

    /// Reads an unsigned LEB128 value of at most 5 bytes (DEX `uleb128`).
    pub fn uleb128(&mut self) -> Result<u32, OutOfBounds> {
        let mut result: u32 = 0;
        for i in 0..5u32 {
            let b = self.u8()?;
            result |= u32::from(b & 0x7f).wrapping_shl(7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        Ok(result)
    }
}

/// Decodes UTF-16LE code units into a `String`, replacing unpaired
/// surrogates with U+FFFD (Android's `String16` → UTF-8 conversion does the
/// same for display purposes).
pub fn utf16le_lossy(bytes: &[u8]) -> String {
    // Most strings in manifests and resource tables are ASCII: copy the
    // low bytes without decoding characters one by one.
    let ascii: Option<Vec<u8>> = bytes
        .chunks_exact(2)
        .map(|c| match c {
            [b, 0] if b.is_ascii() => Some(*b),
            _ => None,
        })
        .collect();
    if let Some(a) = ascii.and_then(|a| String::from_utf8(a).ok()) {
        return a;
    }
    let units = bytes.chunks_exact(2).map(|c| {
        u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        let d = [1u8, 2, 3];
        let mut r = Reader::new(&d);
        assert_eq!(r.u16(), Ok(0x0201));
        assert!(r.u16().is_err());
        assert_eq!(r.u8(), Ok(3));
        assert!(r.u8().is_err());
        assert!(slice(&d, usize::MAX, 2).is_err());
    }

    #[test]
    fn uleb128_values() {
        for (bytes, want) in [
            (&[0x00u8][..], 0u32),
            (&[0x7f], 127),
            (&[0x80, 0x01], 128),
            (&[0xff, 0xff, 0xff, 0xff, 0x0f], u32::MAX),
        ] {
            assert_eq!(Reader::new(bytes).uleb128(), Ok(want));
        }
        assert!(Reader::new(&[0x80]).uleb128().is_err());
    }

    #[test]
    fn utf16_unpaired_surrogate_is_replaced() {
        let s = utf16le_lossy(&[0x41, 0x00, 0x00, 0xd8, 0x42, 0x00]);
        assert_eq!(s, "A\u{FFFD}B");
    }
}
