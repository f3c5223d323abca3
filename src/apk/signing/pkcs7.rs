//! PKCS#7 / CMS `SignedData` as used by v1 (JAR) signing: the
//! `META-INF/*.RSA`, `*.DSA` and `*.EC` files.
//!
//! See: RFC 2315 §9.1 and RFC 5652 §5. Only the framing is walked:
//!
//! ```text
//! ContentInfo ::= SEQUENCE {
//!   contentType  OBJECT IDENTIFIER,            -- 1.2.840.113549.1.7.2 signedData
//!   content      [0] EXPLICIT SignedData }
//! SignedData ::= SEQUENCE {
//!   version INTEGER, digestAlgorithms SET, encapContentInfo SEQUENCE,
//!   certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL,
//!   crls         [1] IMPLICIT ... OPTIONAL,
//!   signerInfos  SET OF SignerInfo }
//! SignerInfo ::= SEQUENCE {
//!   version INTEGER,
//!   sid     IssuerAndSerialNumber (SEQUENCE { issuer Name, serialNumber INTEGER })
//!         | [0] SubjectKeyIdentifier, ... }
//! ```
//!
//! BER indefinite lengths are accepted (see [`super::der`]); signatures are
//! not checked.

use super::der::{self, read_tlv, BerError, Tlv, CONTEXT, INTEGER, OID, SEQUENCE, SET, UNIVERSAL};
use super::SigningError;

/// `1.2.840.113549.1.7.2`, id-signedData.
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// Caps: real JAR signature blocks hold one signer and a short chain; these
/// keep matching (certificates × signers, each an X.509 parse) cheap.
const MAX_CERTIFICATES: usize = 256;
const MAX_SIGNER_INFOS: usize = 16;

/// How a `SignerInfo` names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignerId<'a> {
    /// The issuer `Name` (whole DER element) and the serial number's content octets.
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    /// The subjectKeyIdentifier's octets.
    SubjectKeyId(&'a [u8]),
}

/// What v1 needs from a `SignedData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedData<'a> {
    /// Every `Certificate` in the `certificates` field (whole DER elements).
    pub certificates: Vec<&'a [u8]>,
    /// One entry per `SignerInfo` whose `sid` could be read.
    pub signer_ids: Vec<SignerId<'a>>,
    /// Bytes after the `ContentInfo`.
    pub trailing: usize,
    /// Non-certificate choices, and certificates past the cap of 256,
    /// skipped in `certificates`.
    pub skipped_certificate_choices: usize,
    /// Whether indefinite lengths were met at the top levels.
    pub indefinite: bool,
}

fn ber(structure: &'static str) -> impl Fn(BerError) -> SigningError {
    move |e| SigningError::Der {
        structure,
        offset: e.offset as u64,
        reason: e.reason,
    }
}

fn expect(
    t: Option<Result<Tlv, BerError>>,
    structure: &'static str,
    at: usize,
    ok: impl Fn(&Tlv) -> bool,
) -> Result<Tlv, SigningError> {
    match t {
        None => Err(SigningError::Der {
            structure,
            offset: at as u64,
            reason: "missing",
        }),
        Some(Err(e)) => Err(ber(structure)(e)),
        Some(Ok(t)) if ok(&t) => Ok(t),
        Some(Ok(t)) => Err(SigningError::Der {
            structure,
            offset: t.start as u64,
            reason: "unexpected tag",
        }),
    }
}

/// Certificates of a PKCS#7/CMS `SignedData` (v1 `.RSA`/`.DSA`/`.EC` file),
/// each as the whole DER `Certificate` element, in file order.
///
/// The list may include CA certificates besides the signer's own; see
/// [`super::collect`] for picking the signer's. Errors name the ASN.1
/// structure and the byte offset inside `der`.
pub fn pkcs7_certificates(der: &[u8]) -> Result<Vec<&[u8]>, SigningError> {
    Ok(parse_signed_data(der)?.certificates)
}

/// Walks a `ContentInfo` holding `SignedData`.
pub(crate) fn parse_signed_data(data: &[u8]) -> Result<SignedData<'_>, SigningError> {
    let ci = read_tlv(data, 0, data.len(), 0).map_err(ber("ContentInfo"))?;
    if !ci.is(UNIVERSAL, true, SEQUENCE) {
        return Err(SigningError::Der {
            structure: "ContentInfo",
            offset: 0,
            reason: "not a SEQUENCE",
        });
    }
    let mut indefinite = ci.indefinite;
    let mut kids = ci.children(data, 0);
    let oid = expect(
        kids.next(),
        "ContentInfo.contentType",
        ci.content_start,
        |t| t.is(UNIVERSAL, false, OID),
    )?;
    if oid.content(data) != OID_SIGNED_DATA {
        return Err(SigningError::NotSignedData {
            oid: der::oid_to_string(oid.content(data)),
        });
    }
    let explicit = expect(kids.next(), "ContentInfo.content", oid.end, |t| {
        t.is(CONTEXT, true, 0)
    })?;
    indefinite |= explicit.indefinite;
    let mut inner = explicit.children(data, 1);
    let sd = expect(inner.next(), "SignedData", explicit.content_start, |t| {
        t.is(UNIVERSAL, true, SEQUENCE)
    })?;
    indefinite |= sd.indefinite;

    let mut out = SignedData {
        certificates: Vec::new(),
        signer_ids: Vec::new(),
        trailing: data.len().saturating_sub(ci.end),
        skipped_certificate_choices: 0,
        indefinite,
    };
    let mut fields = sd.children(data, 2);
    let version = expect(fields.next(), "SignedData.version", sd.content_start, |t| {
        t.is(UNIVERSAL, false, INTEGER)
    })?;
    let digests = expect(
        fields.next(),
        "SignedData.digestAlgorithms",
        version.end,
        |t| t.is(UNIVERSAL, true, SET),
    )?;
    let _encap = expect(
        fields.next(),
        "SignedData.encapContentInfo",
        digests.end,
        |t| t.is(UNIVERSAL, true, SEQUENCE),
    )?;
    for f in fields {
        let f = f.map_err(ber("SignedData"))?;
        if f.is(CONTEXT, true, 0) {
            for c in f.children(data, 3) {
                let c = c.map_err(ber("SignedData.certificates"))?;
                if c.is(UNIVERSAL, true, SEQUENCE) && out.certificates.len() < MAX_CERTIFICATES {
                    out.certificates.push(c.whole(data));
                } else {
                    // extendedCertificate, attribute certificates, other,
                    // or past the cap.
                    out.skipped_certificate_choices += 1;
                }
            }
        } else if f.is(UNIVERSAL, true, SET) {
            for si in f.children(data, 3) {
                let si = si.map_err(ber("SignerInfo"))?;
                if out.signer_ids.len() >= MAX_SIGNER_INFOS {
                    break;
                }
                if let Some(id) = signer_id(data, &si) {
                    out.signer_ids.push(id);
                }
            }
        }
        // [1] crls and anything unknown: skipped.
    }
    Ok(out)
}

fn signer_id<'a>(data: &'a [u8], si: &Tlv) -> Option<SignerId<'a>> {
    if !si.is(UNIVERSAL, true, SEQUENCE) {
        return None;
    }
    let mut f = si.children(data, 4);
    let _version = f.next()?.ok()?;
    let sid = f.next()?.ok()?;
    if sid.is(UNIVERSAL, true, SEQUENCE) {
        let mut g = sid.children(data, 5);
        let issuer = g.next()?.ok()?;
        let serial = g.next()?.ok()?;
        if !serial.is(UNIVERSAL, false, INTEGER) {
            return None;
        }
        Some(SignerId::IssuerSerial {
            issuer: issuer.whole(data),
            serial: serial.content(data),
        })
    } else if sid.is(CONTEXT, false, 0) {
        Some(SignerId::SubjectKeyId(sid.content(data)))
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
pub(crate) mod tests {
    use super::*;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else {
            v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend_from_slice(content);
        v
    }

    /// A `ContentInfo`/`SignedData` holding `certs` and one `SignerInfo`
    /// naming an empty issuer and serial 7 (which matches no real certificate).
    pub(crate) fn signed_data(certs: &[&[u8]]) -> Vec<u8> {
        let oid = tlv(0x06, OID_SIGNED_DATA);
        let mut sd = tlv(0x02, &[1]);
        sd.extend(tlv(0x31, &[]));
        sd.extend(tlv(
            0x30,
            &tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
            ),
        ));
        sd.extend(tlv(0xa0, &certs.concat()));
        let name = tlv(0x30, &[]);
        let sid = tlv(0x30, &[name, tlv(0x02, &[7])].concat());
        let si = tlv(0x30, &[tlv(0x02, &[1]), sid].concat());
        sd.extend(tlv(0x31, &si));
        tlv(0x30, &[oid, tlv(0xa0, &tlv(0x30, &sd))].concat())
    }

    #[test]
    fn finds_certificates_and_signer() {
        let c1 = tlv(0x30, b"one");
        let c2 = tlv(0x30, b"two");
        let d = signed_data(&[&c1, &c2]);
        let sd = parse_signed_data(&d).unwrap();
        assert_eq!(sd.certificates, vec![&c1[..], &c2[..]]);
        assert_eq!(
            sd.signer_ids,
            vec![SignerId::IssuerSerial {
                issuer: &[0x30, 0][..],
                serial: &[7][..]
            }]
        );
        assert_eq!(pkcs7_certificates(&d).unwrap().len(), 2);
    }

    #[test]
    fn not_signed_data() {
        let d = tlv(
            0x30,
            &tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
            ),
        );
        let e = pkcs7_certificates(&d).unwrap_err();
        assert_eq!(
            e,
            SigningError::NotSignedData {
                oid: "1.2.840.113549.1.7.1".into()
            }
        );
    }

    #[test]
    fn garbage_is_an_error() {
        for d in [
            &b""[..],
            b"\x30",
            b"\x04\x00",
            b"\x30\x03\x02\x01\x01",
            b"\x30\x80\x06\x00",
        ] {
            assert!(pkcs7_certificates(d).is_err(), "{d:?}");
        }
    }

    #[test]
    fn every_truncation_and_flip_is_safe() {
        let c1 = tlv(0x30, b"one");
        let d = signed_data(&[&c1]);
        for cut in 0..=d.len() {
            let _ = parse_signed_data(&d[..cut]);
        }
        for i in 0..d.len() {
            for bit in [0x01u8, 0x20, 0x80, 0xff] {
                let mut g = d.clone();
                g[i] ^= bit;
                let _ = parse_signed_data(&g);
            }
        }
    }
}
