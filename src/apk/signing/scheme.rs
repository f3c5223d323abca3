//! APK Signature Scheme v2, v3 and v3.1 signer blocks, and the v3
//! proof-of-rotation lineage.
//!
//! See: <https://source.android.com/docs/security/features/apksigning/v2#apk-signature-scheme-v2-block>
//! and <https://source.android.com/docs/security/features/apksigning/v3#format>.
//! All integers are little-endian; "length-prefixed" means a `u32` byte count
//! followed by that many bytes; a "sequence" is a length-prefixed run of
//! length-prefixed elements (apksig `ApkSigningBlockUtils.getLengthPrefixedSlice`).
//!
//! ```text
//! value:   sequence of signer
//! signer:  length-prefixed signed data
//!            sequence of digest { u32 algorithm, length-prefixed digest }
//!            sequence of length-prefixed X.509 certificate (DER)
//!            [v3, v3.1: u32 minSdk, u32 maxSdk]
//!            sequence of attribute { u32 id, value }
//!          [v3, v3.1: u32 minSdk, u32 maxSdk]
//!          sequence of signature { u32 algorithm, length-prefixed signature }
//!          length-prefixed SubjectPublicKeyInfo (DER)
//! ```
//!
//! Nothing is verified here: no digest, no signature, no lineage signature.

use super::SigningError;
use crate::formats::{read, Anomaly};

/// v3 signed-data attribute carrying the proof-of-rotation lineage
/// (apksig `V3SchemeConstants.PROOF_OF_ROTATION_ATTR_ID`).
pub(crate) const PROOF_OF_ROTATION_ATTR_ID: u32 = 0x3ba0_6f8c;
/// v3 attribute: minimum SDK of the v3.1 rotation
/// (apksig `V3SchemeConstants.ROTATION_MIN_SDK_VERSION_ATTR_ID`).
pub(crate) const ROTATION_MIN_SDK_VERSION_ATTR_ID: u32 = 0x559f_8b02;
/// v2 attribute naming newer schemes the APK was also signed with, so that
/// stripping them is detected (apksig `V2SchemeConstants.STRIPPING_PROTECTION_ATTR_ID`).
pub(crate) const STRIPPING_PROTECTION_ATTR_ID: u32 = 0xbeef_f00d;

/// Caps on element counts, far above anything real, so a crafted block
/// cannot make us allocate per byte.
const MAX_SIGNERS: usize = 64;
const MAX_CERTS: usize = 64;
const MAX_LINEAGE: usize = 256;

/// A cursor over a length-prefixed region that knows its file offset.
#[derive(Debug, Clone)]
pub(crate) struct Lp<'a> {
    r: read::Reader<'a>,
    base: u64,
}

impl<'a> Lp<'a> {
    /// A cursor over `data`, which starts at file offset `base`.
    pub fn new(data: &'a [u8], base: u64) -> Self {
        Lp {
            r: read::Reader::new(data),
            base,
        }
    }

    /// File offset of the cursor.
    pub fn offset(&self) -> u64 {
        self.base + self.r.pos() as u64
    }

    pub fn has_remaining(&self) -> bool {
        self.r.remaining() > 0
    }

    pub fn u32(&mut self, structure: &'static str) -> Result<u32, SigningError> {
        let at = self.offset();
        let left = self.r.remaining() as u64;
        self.r.u32().map_err(|_| SigningError::Truncated {
            structure,
            offset: at,
            wanted: 4,
            left,
        })
    }

    /// A length-prefixed field's bytes, with the file offset of its first byte.
    pub fn bytes(&mut self, structure: &'static str) -> Result<(u64, &'a [u8]), SigningError> {
        let at = self.offset();
        let len = self.u32(structure)?;
        let left = self.r.remaining() as u64;
        if u64::from(len) > left {
            return Err(SigningError::LengthPrefixed {
                structure,
                offset: at,
                len: u64::from(len),
                left,
            });
        }
        let start = self.offset();
        let b = self
            .r
            .bytes(len as usize)
            .map_err(|_| SigningError::LengthPrefixed {
                structure,
                offset: at,
                len: u64::from(len),
                left,
            })?;
        Ok((start, b))
    }

    /// A length-prefixed field, as a new cursor.
    pub fn slice(&mut self, structure: &'static str) -> Result<Lp<'a>, SigningError> {
        let (at, b) = self.bytes(structure)?;
        Ok(Lp::new(b, at))
    }
}

/// One certificate in a v3 proof-of-rotation lineage, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawLineageNode<'a> {
    pub certificate: &'a [u8],
    pub flags: u32,
    /// Algorithm the parent used to sign this node (0 for the first).
    pub parent_signature_algorithm: u32,
    /// Algorithm this node uses to sign the next.
    pub signature_algorithm: u32,
}

/// One signer of a v2/v3/v3.1 block, undecoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawSigner<'a> {
    /// 1-based, as apksigner numbers them.
    pub number: usize,
    /// File offset of the signer's length prefix.
    pub offset: u64,
    /// DER certificates; the first is the signer's own.
    pub certificates: Vec<&'a [u8]>,
    /// (minSdk, maxSdk) for v3/v3.1, taken from the signed data.
    pub sdk: Option<(u32, u32)>,
    /// Algorithm IDs of the signatures.
    pub signature_algorithms: Vec<u32>,
    /// IDs of the signed-data additional attributes, in order.
    pub attribute_ids: Vec<u32>,
    /// Proof-of-rotation lineage (v3/v3.1 attribute 0x3ba06f8c).
    pub lineage: Option<Vec<RawLineageNode<'a>>>,
    /// Scheme IDs named by the v2 stripping-protection attribute.
    pub stripping_protection: Vec<u32>,
    /// v3 rotation-min-sdk-version attribute.
    pub rotation_min_sdk: Option<u32>,
}

/// Parses a v2 (`v3 == false`) or v3/v3.1 (`v3 == true`) block value at
/// file offset `base`. A malformed signer is skipped with an anomaly naming
/// `scheme`; a malformed outer sequence is an error.
pub(crate) fn parse_signers<'a>(
    value: &'a [u8],
    base: u64,
    v3: bool,
    scheme: &str,
    anomalies: &mut Vec<Anomaly>,
) -> Result<Vec<RawSigner<'a>>, SigningError> {
    let mut outer = Lp::new(value, base);
    let mut signers_seq = outer.slice("signers")?;
    if outer.has_remaining() {
        anomalies.push(Anomaly::new(
            "sig-scheme-trailing-data",
            Some(outer.offset()),
            format!("{scheme} block has bytes after its signer sequence"),
        ));
    }
    let mut out = Vec::new();
    let mut number = 0;
    while signers_seq.has_remaining() {
        number += 1;
        if number > MAX_SIGNERS {
            anomalies.push(Anomaly::new(
                "sig-too-many-signers",
                Some(signers_seq.offset()),
                format!("{scheme} block has more than {MAX_SIGNERS} signers; the rest are ignored"),
            ));
            break;
        }
        let at = signers_seq.offset();
        let mut signer = match signers_seq.slice("signer") {
            Ok(s) => s,
            Err(e) => {
                // The framing is lost: nothing after this can be found.
                anomalies.push(Anomaly::new(
                    "sig-malformed-signer",
                    Some(at),
                    format!("{scheme} signer #{number}: {e}; later signers ignored"),
                ));
                break;
            }
        };
        match parse_signer(&mut signer, number, at, v3, scheme, anomalies) {
            Ok(s) => out.push(s),
            Err(e) => anomalies.push(Anomaly::new(
                "sig-malformed-signer",
                Some(at),
                format!("{scheme} signer #{number}: {e}"),
            )),
        }
    }
    if number == 0 {
        anomalies.push(Anomaly::new(
            "sig-no-signers",
            Some(base),
            format!("{scheme} block lists no signers"),
        ));
    }
    Ok(out)
}

fn parse_signer<'a>(
    signer: &mut Lp<'a>,
    number: usize,
    offset: u64,
    v3: bool,
    scheme: &str,
    anomalies: &mut Vec<Anomaly>,
) -> Result<RawSigner<'a>, SigningError> {
    let mut signed = signer.slice("signed data")?;
    let mut s = RawSigner {
        number,
        offset,
        certificates: Vec::new(),
        sdk: None,
        signature_algorithms: Vec::new(),
        attribute_ids: Vec::new(),
        lineage: None,
        stripping_protection: Vec::new(),
        rotation_min_sdk: None,
    };

    let _digests = signed.slice("digests")?;
    let mut certs = signed.slice("certificates")?;
    while certs.has_remaining() {
        let (_, der) = certs.bytes("certificate")?;
        if s.certificates.len() >= MAX_CERTS {
            break;
        }
        s.certificates.push(der);
    }
    if v3 {
        let min = signed.u32("minSdkVersion")?;
        let max = signed.u32("maxSdkVersion")?;
        s.sdk = Some((min, max));
    }
    let mut attrs = signed.slice("additional attributes")?;
    while attrs.has_remaining() {
        let mut attr = attrs.slice("additional attribute")?;
        let attr_at = attr.offset();
        let id = attr.u32("additional attribute id")?;
        s.attribute_ids.push(id);
        match id {
            PROOF_OF_ROTATION_ATTR_ID if v3 => {
                if s.lineage.is_some() {
                    anomalies.push(Anomaly::new(
                        "sig-duplicate-lineage",
                        Some(attr_at),
                        format!("{scheme} signer #{number} has more than one proof-of-rotation attribute; the first is kept"),
                    ));
                    continue;
                }
                match parse_lineage(&mut attr) {
                    Ok(l) => s.lineage = Some(l),
                    Err(e) => anomalies.push(Anomaly::new(
                        "sig-malformed-lineage",
                        Some(attr_at),
                        format!("{scheme} signer #{number} proof-of-rotation: {e}"),
                    )),
                }
            }
            ROTATION_MIN_SDK_VERSION_ATTR_ID if v3 => {
                s.rotation_min_sdk = attr.u32("rotation-min-sdk-version").ok();
            }
            STRIPPING_PROTECTION_ATTR_ID if !v3 => {
                if let Ok(id) = attr.u32("stripping protection scheme id") {
                    s.stripping_protection.push(id);
                }
            }
            _ => {}
        }
    }

    if v3 {
        // apksig V3SchemeVerifier: "minSdkVersion mismatch between signed and
        // unsigned in v3 signer block" rejects the signer; we keep it.
        let min = signer.u32("minSdkVersion")?;
        let max = signer.u32("maxSdkVersion")?;
        if s.sdk != Some((min, max)) {
            anomalies.push(Anomaly::new(
                "sig-v3-sdk-mismatch",
                Some(offset),
                format!(
                    "{scheme} signer #{number}: SDK range {min}..={max} outside the signed data differs from the signed {:?}",
                    s.sdk.unwrap_or_default()
                ),
            ));
        }
    }
    let mut sigs = signer.slice("signatures")?;
    while sigs.has_remaining() {
        let mut sig = sigs.slice("signature")?;
        let alg = sig.u32("signature algorithm id")?;
        let _ = sig.bytes("signature")?;
        if s.signature_algorithms.len() < MAX_CERTS {
            s.signature_algorithms.push(alg);
        }
    }
    let _public_key = signer.bytes("public key")?;
    Ok(s)
}

/// Parses a proof-of-rotation attribute value (after its ID).
///
/// Format (apksig `V3SigningCertificateLineage.readSigningCertificateLineage`):
/// `u32 version (1)`, then a run of length-prefixed nodes, each
/// `{ length-prefixed signed data { length-prefixed certificate,
/// u32 parent signature algorithm }, u32 flags, u32 signature algorithm,
/// length-prefixed signature }`.
pub(crate) fn parse_lineage<'a>(
    attr: &mut Lp<'a>,
) -> Result<Vec<RawLineageNode<'a>>, SigningError> {
    let at = attr.offset();
    let version = attr.u32("lineage version")?;
    if version != 1 {
        return Err(SigningError::UnsupportedVersion {
            structure: "proof-of-rotation lineage",
            offset: at,
            version,
        });
    }
    let mut nodes = Vec::new();
    while attr.has_remaining() {
        let mut node = attr.slice("lineage node")?;
        let mut signed = node.slice("lineage node signed data")?;
        let (_, certificate) = signed.bytes("lineage certificate")?;
        let parent_signature_algorithm = signed.u32("lineage parent signature algorithm")?;
        let flags = node.u32("lineage flags")?;
        let signature_algorithm = node.u32("lineage signature algorithm")?;
        let _ = node.bytes("lineage signature")?;
        if nodes.len() >= MAX_LINEAGE {
            break;
        }
        nodes.push(RawLineageNode {
            certificate,
            flags,
            parent_signature_algorithm,
            signature_algorithm,
        });
    }
    Ok(nodes)
}

/// Name of a v2/v3 signature algorithm ID, as in apksig's `SignatureAlgorithm`.
pub(crate) fn signature_algorithm_name(id: u32) -> Option<&'static str> {
    Some(match id {
        0x0101 => "RSA_PSS_WITH_SHA256",
        0x0102 => "RSA_PSS_WITH_SHA512",
        0x0103 => "RSA_PKCS1_V1_5_WITH_SHA256",
        0x0104 => "RSA_PKCS1_V1_5_WITH_SHA512",
        0x0201 => "ECDSA_WITH_SHA256",
        0x0202 => "ECDSA_WITH_SHA512",
        0x0301 => "DSA_WITH_SHA256",
        0x0303 => "DETDSA_WITH_SHA256",
        0x0421 => "VERITY_RSA_PKCS1_V1_5_WITH_SHA256",
        0x0423 => "VERITY_ECDSA_WITH_SHA256",
        0x0425 => "VERITY_DSA_WITH_SHA256",
        _ => return None,
    })
}

/// Names of the lineage capability flags (apksig `SigningCertificateLineage`:
/// `PAST_CERT_INSTALLED_DATA` 1, `PAST_CERT_SHARED_USER_ID` 2,
/// `PAST_CERT_PERMISSION` 4, `PAST_CERT_ROLLBACK` 8, `PAST_CERT_AUTH` 16).
pub(crate) fn lineage_flag_names(flags: u32) -> Vec<String> {
    const NAMES: [(u32, &str); 5] = [
        (1, "installed-data"),
        (2, "shared-user-id"),
        (4, "permission"),
        (8, "rollback"),
        (16, "auth"),
    ];
    let mut out: Vec<String> = NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| (*n).to_string())
        .collect();
    let unknown = flags & !0x1f;
    if unknown != 0 {
        out.push(format!("{unknown:#x}"));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
pub(crate) mod tests {
    use super::*;

    /// u32 length prefix + bytes.
    pub(crate) fn lp(b: &[u8]) -> Vec<u8> {
        let mut v = (b.len() as u32).to_le_bytes().to_vec();
        v.extend_from_slice(b);
        v
    }

    /// A sequence of length-prefixed elements, itself length-prefixed.
    pub(crate) fn seq(items: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = items.iter().flat_map(|i| lp(i)).collect();
        lp(&body)
    }

    /// A signer block: `certs` DER blobs, v3 SDK range if `sdk`, extra attributes.
    pub(crate) fn signer(certs: &[&[u8]], sdk: Option<(u32, u32)>, attrs: &[Vec<u8>]) -> Vec<u8> {
        let mut signed = Vec::new();
        let digest = [0x0103u32.to_le_bytes().to_vec(), lp(&[0xaa; 32])].concat();
        signed.extend(seq(&[digest]));
        signed.extend(seq(&certs.iter().map(|c| c.to_vec()).collect::<Vec<_>>()));
        if let Some((a, b)) = sdk {
            signed.extend(a.to_le_bytes());
            signed.extend(b.to_le_bytes());
        }
        signed.extend(seq(attrs));
        let mut s = lp(&signed);
        if let Some((a, b)) = sdk {
            s.extend(a.to_le_bytes());
            s.extend(b.to_le_bytes());
        }
        let sig = [0x0103u32.to_le_bytes().to_vec(), lp(&[0xbb; 8])].concat();
        s.extend(seq(&[sig]));
        s.extend(lp(b"public key"));
        s
    }

    pub(crate) fn block(signers: &[Vec<u8>]) -> Vec<u8> {
        seq(signers)
    }

    pub(crate) fn lineage_attr(certs: &[&[u8]]) -> Vec<u8> {
        let mut v = PROOF_OF_ROTATION_ATTR_ID.to_le_bytes().to_vec();
        v.extend(1u32.to_le_bytes());
        for (i, c) in certs.iter().enumerate() {
            let mut signed = lp(c);
            signed.extend((if i == 0 { 0u32 } else { 0x0103 }).to_le_bytes());
            let mut node = lp(&signed);
            node.extend(0x1fu32.to_le_bytes());
            node.extend(0x0103u32.to_le_bytes());
            node.extend(lp(b"sig"));
            v.extend(lp(&node));
        }
        v
    }

    #[test]
    fn v2_and_v3_signers() {
        let v = block(&[
            signer(&[b"CERT1", b"CHAIN"], None, &[]),
            signer(&[b"CERT2"], None, &[]),
        ]);
        let mut an = Vec::new();
        let s = parse_signers(&v, 100, false, "v2", &mut an).unwrap();
        assert!(an.is_empty(), "{an:?}");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].certificates, vec![&b"CERT1"[..], &b"CHAIN"[..]]);
        assert_eq!(s[1].number, 2);
        assert_eq!(s[0].offset, 104);
        assert_eq!(s[0].signature_algorithms, vec![0x0103]);

        let attr = lineage_attr(&[b"OLD", b"NEW"]);
        let v = block(&[signer(&[b"NEW"], Some((28, 0x7fff_ffff)), &[attr])]);
        let s = parse_signers(&v, 0, true, "v3", &mut an).unwrap();
        assert!(an.is_empty(), "{an:?}");
        assert_eq!(s[0].sdk, Some((28, 0x7fff_ffff)));
        let l = s[0].lineage.as_ref().unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].certificate, b"OLD");
        assert_eq!(l[1].parent_signature_algorithm, 0x0103);
        assert_eq!(
            lineage_flag_names(l[0].flags),
            vec![
                "installed-data",
                "shared-user-id",
                "permission",
                "rollback",
                "auth"
            ]
        );
    }

    #[test]
    fn malformed_signer_is_skipped() {
        let mut bad = signer(&[b"X"], None, &[]);
        bad.truncate(bad.len() - 3);
        let v = block(&[bad, signer(&[b"GOOD"], None, &[])]);
        let mut an = Vec::new();
        let s = parse_signers(&v, 0, false, "v2", &mut an).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].certificates, vec![&b"GOOD"[..]]);
        assert_eq!(an[0].code, "sig-malformed-signer");
    }

    #[test]
    fn huge_length_prefix_is_an_error() {
        let mut v = vec![0xff, 0xff, 0xff, 0xff];
        v.extend_from_slice(&[0; 16]);
        let mut an = Vec::new();
        let e = parse_signers(&v, 0x40, false, "v2", &mut an).unwrap_err();
        assert!(
            matches!(
                e,
                SigningError::LengthPrefixed {
                    offset: 0x40,
                    len: 0xffff_ffff,
                    left: 16,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn truncated_and_unknown_version() {
        let mut lpc = Lp::new(&[1, 2], 0x10);
        assert_eq!(
            lpc.u32("x"),
            Err(SigningError::Truncated {
                structure: "x",
                offset: 0x10,
                wanted: 4,
                left: 2
            })
        );
        let mut attr = Lp::new(&[2, 0, 0, 0], 0x20);
        assert_eq!(
            parse_lineage(&mut attr),
            Err(SigningError::UnsupportedVersion {
                structure: "proof-of-rotation lineage",
                offset: 0x20,
                version: 2
            })
        );
        // A v3 signer cut right after its signed data: the SDK range is missing.
        let s = signer(&[b"C"], Some((28, 33)), &[]);
        let signed_len = u32::from_le_bytes(s[0..4].try_into().unwrap()) as usize;
        let v = block(&[s[..4 + signed_len + 2].to_vec()]);
        let mut an = Vec::new();
        assert!(parse_signers(&v, 0, true, "v3", &mut an)
            .unwrap()
            .is_empty());
        assert!(
            an[0].detail.contains("`maxSdkVersion`") || an[0].detail.contains("`minSdkVersion`"),
            "{}",
            an[0].detail
        );
    }

    #[test]
    fn sdk_mismatch_is_flagged() {
        let mut s = signer(&[b"C"], Some((28, 33)), &[]);
        // The unsigned copy sits right after the signed data.
        let signed_len = u32::from_le_bytes(s[0..4].try_into().unwrap()) as usize;
        s[4 + signed_len] = 24;
        let mut an = Vec::new();
        let v = block(&[s]);
        let out = parse_signers(&v, 0, true, "v3", &mut an).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(an[0].code, "sig-v3-sdk-mismatch");
    }

    #[test]
    fn every_truncation_and_flip_is_safe() {
        let attr = lineage_attr(&[b"OLD", b"NEW"]);
        let v = block(&[signer(&[b"NEW"], Some((28, 33)), &[attr])]);
        for cut in 0..=v.len() {
            let _ = parse_signers(&v[..cut], 0, true, "v3", &mut Vec::new());
        }
        for i in 0..v.len() {
            for bit in [0x01u8, 0x80, 0xff] {
                let mut g = v.clone();
                g[i] ^= bit;
                let _ = parse_signers(&g, 0, true, "v3", &mut Vec::new());
                let _ = parse_signers(&g, 0, false, "v2", &mut Vec::new());
            }
        }
    }
}
