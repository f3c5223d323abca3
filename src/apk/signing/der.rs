//! A minimal BER/DER tag-length-value walker.
//!
//! Just enough ASN.1 to find the `certificates` and `signerInfos` of a
//! PKCS#7 `SignedData` and the parameters of a DSA key. It accepts BER
//! indefinite lengths (some old signing tools emit them; apksig's own
//! `Asn1BerParser` accepts them too) but never trusts a length: every length
//! is bounded by the enclosing element, and nesting is capped at
//! [`MAX_DEPTH`].
//!
//! Positions are absolute indices into the buffer given to [`read_tlv`], so
//! errors can name the byte offset of the broken element.

/// Deepest nesting we follow; PKCS#7 as used by JAR signing needs about 8.
pub(crate) const MAX_DEPTH: u32 = 32;

/// What went wrong, and where, while walking BER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BerError {
    /// Offset of the element whose header or body is broken.
    pub offset: usize,
    /// Lowercase explanation, e.g. `length runs past the end`.
    pub reason: &'static str,
}

fn err(offset: usize, reason: &'static str) -> BerError {
    BerError { offset, reason }
}

/// Tag class: universal.
pub(crate) const UNIVERSAL: u8 = 0;
/// Tag class: context-specific.
pub(crate) const CONTEXT: u8 = 2;

/// Universal tag numbers used here.
pub(crate) const INTEGER: u32 = 2;
pub(crate) const OID: u32 = 6;
pub(crate) const SEQUENCE: u32 = 16;
pub(crate) const SET: u32 = 17;

/// One decoded element header; content lives in `data[content_start..content_end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tlv {
    /// 0 universal, 1 application, 2 context-specific, 3 private.
    pub class: u8,
    /// Constructed (bit 6 of the identifier) or primitive.
    pub constructed: bool,
    /// Tag number (high-tag-number form decoded).
    pub number: u32,
    /// Offset of the identifier octet.
    pub start: usize,
    /// First content byte.
    pub content_start: usize,
    /// One past the last content byte (before the end-of-contents octets of
    /// an indefinite-length element).
    pub content_end: usize,
    /// One past the whole element, end-of-contents octets included.
    pub end: usize,
    /// Whether the element used the BER indefinite-length form.
    pub indefinite: bool,
}

impl Tlv {
    /// Whether the element has this class, form and number.
    pub fn is(&self, class: u8, constructed: bool, number: u32) -> bool {
        self.class == class && self.constructed == constructed && self.number == number
    }

    /// The content octets.
    pub fn content<'a>(&self, data: &'a [u8]) -> &'a [u8] {
        data.get(self.content_start..self.content_end)
            .unwrap_or_default()
    }

    /// The whole element, header included.
    pub fn whole<'a>(&self, data: &'a [u8]) -> &'a [u8] {
        data.get(self.start..self.end).unwrap_or_default()
    }

    /// The elements inside a constructed element.
    pub fn children<'a>(&self, data: &'a [u8], depth: u32) -> Children<'a> {
        Children {
            data,
            pos: self.content_start,
            end: self.content_end,
            depth: depth + 1,
        }
    }
}

/// Reads the element starting at `pos`; it must end at or before `limit`.
pub(crate) fn read_tlv(data: &[u8], pos: usize, limit: usize, depth: u32) -> Result<Tlv, BerError> {
    if depth > MAX_DEPTH {
        return Err(err(pos, "nesting deeper than 32 levels"));
    }
    let limit = limit.min(data.len());
    let byte = |p: usize| -> Result<u8, BerError> {
        if p >= limit {
            return Err(err(pos, "header runs past the end"));
        }
        data.get(p)
            .copied()
            .ok_or(err(pos, "header runs past the end"))
    };
    let id = byte(pos)?;
    let class = id >> 6;
    let constructed = id & 0x20 != 0;
    let mut number = u32::from(id & 0x1f);
    let mut p = pos + 1;
    if number == 0x1f {
        // High-tag-number form: base-128, at most 4 bytes (28 bits) here.
        number = 0;
        let mut n = 0;
        loop {
            let b = byte(p)?;
            p += 1;
            n += 1;
            if n > 4 {
                return Err(err(pos, "tag number too large"));
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = byte(p)?;
    p += 1;
    if l0 == 0x80 {
        if !constructed {
            return Err(err(pos, "indefinite length on a primitive element"));
        }
        // Walk children up to the end-of-contents octets (00 00).
        let content_start = p;
        let mut q = p;
        loop {
            if byte(q)? == 0 && byte(q + 1)? == 0 {
                return Ok(Tlv {
                    class,
                    constructed,
                    number,
                    start: pos,
                    content_start,
                    content_end: q,
                    end: q + 2,
                    indefinite: true,
                });
            }
            let child = read_tlv(data, q, limit, depth + 1)?;
            q = child.end;
        }
    }
    let len: usize = if l0 < 0x80 {
        usize::from(l0)
    } else if l0 == 0xff {
        return Err(err(pos, "reserved length octet 0xff"));
    } else {
        let n = l0 & 0x7f;
        if n > 8 {
            return Err(err(pos, "length of length over 8 bytes"));
        }
        let mut v: u64 = 0;
        for _ in 0..n {
            v = (v << 8) | u64::from(byte(p)?);
            p += 1;
        }
        usize::try_from(v).map_err(|_| err(pos, "length runs past the end"))?
    };
    let content_end = p
        .checked_add(len)
        .filter(|&e| e <= limit)
        .ok_or(err(pos, "length runs past the end"))?;
    Ok(Tlv {
        class,
        constructed,
        number,
        start: pos,
        content_start: p,
        content_end,
        end: content_end,
        indefinite: false,
    })
}

/// Iterator over the elements of a constructed element's content.
#[derive(Debug, Clone)]
pub(crate) struct Children<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    depth: u32,
}

impl Iterator for Children<'_> {
    type Item = Result<Tlv, BerError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        match read_tlv(self.data, self.pos, self.end, self.depth) {
            Ok(t) => {
                self.pos = t.end;
                Some(Ok(t))
            }
            Err(e) => {
                // Stop after the first error: the rest cannot be framed.
                self.pos = self.end;
                Some(Err(e))
            }
        }
    }
}

/// Dotted-decimal text of an OBJECT IDENTIFIER's content octets, e.g.
/// `1.2.840.113549.1.7.2`; `?` for an arc that does not fit 64 bits.
pub(crate) fn oid_to_string(content: &[u8]) -> String {
    let mut arcs: Vec<String> = Vec::new();
    let mut v: u64 = 0;
    let mut overflow = false;
    let mut first = true;
    for &b in content {
        if v > (u64::MAX >> 7) {
            overflow = true;
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if overflow {
                arcs.push("?".into());
            } else if first {
                let (a, b) = match v {
                    0..=39 => (0, v),
                    40..=79 => (1, v - 40),
                    _ => (2, v - 80),
                };
                arcs.push(a.to_string());
                arcs.push(b.to_string());
            } else {
                arcs.push(v.to_string());
            }
            first = false;
            v = 0;
            overflow = false;
        }
    }
    arcs.join(".")
}

/// Number of significant bits in a big-endian unsigned integer.
pub(crate) fn bit_length(be: &[u8]) -> u32 {
    let mut it = be.iter().skip_while(|&&b| b == 0);
    match it.next() {
        None => 0,
        Some(&first) => {
            let rest = u32::try_from(it.count()).unwrap_or(u32::MAX / 16);
            (8 - first.leading_zeros()).saturating_add(rest.saturating_mul(8))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite() {
        // SEQUENCE (indefinite) { INTEGER 5, SEQUENCE { } } EOC
        let d = [0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x00, 0x00, 0x00];
        let t = read_tlv(&d, 0, d.len(), 0).unwrap();
        assert!(t.indefinite);
        assert_eq!((t.content_start, t.content_end, t.end), (2, 7, 9));
        let kids: Vec<_> = t.children(&d, 0).collect::<Result<_, _>>().unwrap();
        assert_eq!(kids.len(), 2);
        assert!(kids[0].is(UNIVERSAL, false, INTEGER));
        assert_eq!(kids[0].content(&d), &[5]);
    }

    #[test]
    fn lengths_are_bounded() {
        assert!(read_tlv(&[0x30, 0x05, 0x00], 0, 3, 0).is_err());
        assert!(read_tlv(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff], 0, 6, 0).is_err());
        assert!(read_tlv(&[0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0, 11, 0).is_err());
        assert!(read_tlv(&[0x04, 0x80, 0x00, 0x00], 0, 4, 0).is_err());
        assert!(read_tlv(&[0x30, 0x80, 0x02, 0x01], 0, 4, 0).is_err());
        // A child may not run past its parent even if the buffer is longer.
        let d = [0x30, 0x02, 0x04, 0x03, 0x00, 0x00, 0x00];
        let t = read_tlv(&d, 0, d.len(), 0).unwrap();
        assert!(t.children(&d, 0).next().unwrap().is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut d = Vec::new();
        for _ in 0..40 {
            d.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..40 {
            d.extend_from_slice(&[0x00, 0x00]);
        }
        assert!(read_tlv(&d, 0, d.len(), 0).is_err());
    }

    #[test]
    fn oids_and_bits() {
        assert_eq!(
            oid_to_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]),
            "1.2.840.113549.1.7.2"
        );
        assert_eq!(oid_to_string(&[0x55, 0x04, 0x03]), "2.5.4.3");
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[0, 0]), 0);
    }
}
