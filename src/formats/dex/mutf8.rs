//! Modified UTF-8 (MUTF-8), the string encoding of DEX files.
//!
//! It differs from UTF-8 in two ways: U+0000 is written `C0 80`, and code
//! points above U+FFFF are written as two surrogates of three bytes each
//! (CESU-8). Everything else is byte-for-byte UTF-8, so a string that is
//! valid UTF-8 is returned borrowed.
//!
//! See: <https://source.android.com/docs/core/runtime/dex-format#mutf-8>

use std::borrow::Cow;

/// Decodes MUTF-8 bytes. Malformed sequences and unpaired surrogates become
/// U+FFFD; nothing is rejected.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        // Valid UTF-8 contains neither `C0 80` nor encoded surrogates, so
        // it means the same in MUTF-8.
        return Cow::Borrowed(s);
    }
    let units = Units {
        bytes,
        pos: 0,
        pending: None,
    };
    Cow::Owned(
        char::decode_utf16(units)
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect(),
    )
}

/// The UTF-16 code units of a MUTF-8 byte string.
struct Units<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Low surrogate of a four-byte (standard UTF-8) sequence, which MUTF-8
    /// does not allow but which is decoded anyway.
    pending: Option<u16>,
}

impl Units<'_> {
    /// The continuation byte at `pos + i`, if there is one.
    fn cont(&self, i: usize) -> Option<u32> {
        self.bytes
            .get(self.pos + i)
            .filter(|&&c| c & 0xc0 == 0x80)
            .map(|&c| u32::from(c & 0x3f))
    }
}

impl Iterator for Units<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        if let Some(u) = self.pending.take() {
            return Some(u);
        }
        let b = u32::from(*self.bytes.get(self.pos)?);
        let (unit, used) = if b < 0x80 {
            (b, 1)
        } else if b & 0xe0 == 0xc0 {
            match self.cont(1) {
                Some(c1) => (((b & 0x1f) << 6) | c1, 2),
                None => (0xfffd, 1),
            }
        } else if b & 0xf0 == 0xe0 {
            match (self.cont(1), self.cont(2)) {
                (Some(c1), Some(c2)) => (((b & 0x0f) << 12) | (c1 << 6) | c2, 3),
                _ => (0xfffd, 1),
            }
        } else if b & 0xf8 == 0xf0 {
            match (self.cont(1), self.cont(2), self.cont(3)) {
                (Some(c1), Some(c2), Some(c3)) => {
                    let cp = ((b & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
                    if (0x1_0000..=0x10_ffff).contains(&cp) {
                        let v = cp - 0x1_0000;
                        self.pending = Some((0xdc00 | (v & 0x3ff)) as u16);
                        (0xd800 | (v >> 10), 4)
                    } else {
                        (0xfffd, 4)
                    }
                }
                _ => (0xfffd, 1),
            }
        } else {
            (0xfffd, 1)
        };
        self.pos += used;
        Some(unit as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn ascii_and_utf8_are_borrowed() {
        assert!(matches!(
            decode(b"Lcom/foo;"),
            std::borrow::Cow::Borrowed("Lcom/foo;")
        ));
        assert!(matches!(
            decode("儿童乐园".as_bytes()),
            std::borrow::Cow::Borrowed("儿童乐园")
        ));
    }

    #[test]
    fn nul_and_surrogate_pairs() {
        assert_eq!(decode(&[b'a', 0xc0, 0x80, b'b']), "a\0b");
        // U+1F600 as a CESU-8 surrogate pair.
        assert_eq!(decode(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), "\u{1F600}");
        // Standard UTF-8 four-byte form mixed with a MUTF-8 NUL.
        assert_eq!(decode(&[0xf0, 0x9f, 0x98, 0x80, 0xc0, 0x80]), "\u{1F600}\0");
    }

    #[test]
    fn malformed_is_replaced() {
        assert_eq!(decode(&[0xed, 0xa0, 0xbd, b'x']), "\u{FFFD}x");
        assert_eq!(decode(&[0xc0]), "\u{FFFD}");
        assert_eq!(
            decode(&[0xff, b'a', 0xe4, 0xb8]),
            "\u{FFFD}a\u{FFFD}\u{FFFD}"
        );
    }
}
