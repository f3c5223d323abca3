//! Who signed an APK, and with which signature schemes.
//!
//! This module owns the APK Signing Block (v2, v3, v3.1, source stamp and the
//! non-signature pairs tools put there) and v1 (JAR) PKCS#7 signature block
//! files. It takes bytes: the whole file plus the central-directory offset,
//! and the v1 files the caller extracted from `META-INF/`; it does no I/O and
//! does not read the ZIP itself.
//!
//! **Identity, not verification.** Nothing here checks a digest or a
//! signature: a scheme is reported *present* when its structure is there and
//! names at least one signer certificate, never *verified*. A tampered APK
//! will still show the certificates it claims; `apksigner verify` is the tool
//! that says whether they hold.
//!
//! ```no_run
//! # let (file, cd_offset) = (Vec::<u8>::new(), 0u64);
//! # let v1 = Vec::new(); let sf = Vec::new();
//! let info = humiao::apk::signing::collect(&file, cd_offset, &v1, &sf);
//! for s in &info.value.signers {
//!     println!("{} {} {:?}", s.certificate.sha256, s.certificate.subject, s.schemes);
//! }
//! ```
//!
//! Specs: <https://source.android.com/docs/security/features/apksigning>;
//! Android's reference reader is apksig (platform/tools/apksig), whose
//! leniency we copy and whose messages our anomalies echo.
//!
//! # Anomaly codes
//!
//! | code | meaning |
//! |---|---|
//! | `sig-block-size-mismatch` | header and footer sizes differ; Android ignores the block |
//! | `sig-block-size-out-of-range` | footer size < 24, > `i32::MAX - 8`, or reaching before the file; block ignored |
//! | `sig-cd-offset-out-of-range` | the given central-directory offset is past the end of the file |
//! | `sig-cd-not-followed-by-eocd` | ([`collect_in_zip`]) CD does not end at the EOCD; Android ignores the block |
//! | `sig-block-unreadable` | any other failure to frame the block |
//! | `sig-block-pair-size-out-of-range` | an ID-value pair length is < 4 or past the block; later pairs ignored |
//! | `sig-block-pair-truncated` | fewer than 8 bytes left for a pair length; later pairs ignored |
//! | `sig-block-duplicate-id` | a pair ID repeats; Android uses the first |
//! | `sig-malformed-scheme-block` | a v2/v3/v3.1 value has no readable signer sequence |
//! | `sig-malformed-signer` | one signer cannot be read; it is skipped (Android rejects the scheme) |
//! | `sig-no-signers` / `sig-too-many-signers` | empty signer sequence / more than 64 signers |
//! | `sig-scheme-trailing-data` | bytes after a scheme's signer sequence |
//! | `sig-signer-without-certificate` | a signer lists no certificate |
//! | `sig-certificate-unreadable` | a certificate is not readable X.509; only fingerprints reported |
//! | `sig-v3-sdk-mismatch` | a v3 signer's signed and unsigned SDK ranges differ (Android rejects) |
//! | `sig-v3-stripped` | v2's stripping-protection attribute names v3 but there is no v3 block |
//! | `sig-malformed-lineage` / `sig-duplicate-lineage` | proof-of-rotation unreadable / repeated |
//! | `sig-lineage-does-not-end-with-signer` | the newest lineage certificate is not the signer's |
//! | `sig-malformed-source-stamp` | source stamp v2 value unreadable |
//! | `sig-v1-missing-sf` | a v1 signature block has no `.SF`; Android ignores it (not a signer) |
//! | `sig-v1-sf-without-block` | a `.SF` file has no signature block |
//! | `sig-v1-missing-manifest` | v1 signature blocks but no `META-INF/MANIFEST.MF` |
//! | `sig-v1-malformed-block` | a v1 signature block is not a readable PKCS#7 `SignedData` |
//! | `sig-v1-no-certificate` | a v1 `SignedData` carries no certificate |
//! | `sig-v1-signer-certificate-not-found` | no certificate matches a `SignerInfo`; up to 16 are reported |
//! | `sig-v1-trailing-data` | bytes after the PKCS#7 `ContentInfo` |
//! | `sig-v1-ber-indefinite-length` | BER indefinite lengths instead of DER (accepted, as apksig does) |

mod block;
mod cert;
mod der;
mod pkcs7;
mod scheme;

use serde::Serialize;

use crate::formats::{Anomaly, Parsed};

pub use block::{block_id_name, find_signing_block, SigningBlock};
pub use block::{
    DEPENDENCY_INFO_BLOCK_ID, GOOGLE_PLAY_FROSTING_BLOCK_ID, MAGIC, PACKER_NG_CHANNEL_BLOCK_ID,
    SOURCE_STAMP_V1_BLOCK_ID, SOURCE_STAMP_V2_BLOCK_ID, V2_BLOCK_ID, V31_BLOCK_ID, V3_BLOCK_ID,
    VASDOLLY_CHANNEL_BLOCK_ID, VERITY_PADDING_BLOCK_ID, WALLE_CHANNEL_BLOCK_ID,
};
pub use cert::{describe_certificate, Certificate};
pub use pkcs7::pkcs7_certificates;

/// Why signing information could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The caller's central-directory offset is past the end of the file.
    #[error("central directory offset {cd_offset:#x} is past the end of the file ({len} bytes)")]
    CdOffsetOutOfRange {
        /// Offset given.
        cd_offset: u64,
        /// File length.
        len: u64,
    },
    /// The footer's size field is below 24 or above `i32::MAX - 8`
    /// (apksig: "APK Signing Block size out of range").
    #[error("`APK Signing Block` size {size} in footer at {offset:#x} is out of range")]
    BlockSizeOutOfRange {
        /// Offset of the footer size field.
        offset: u64,
        /// Size it holds.
        size: u64,
    },
    /// The block would start before the beginning of the file
    /// (apksig: "APK Signing Block offset out of range").
    #[error(
        "`APK Signing Block` of {size} bytes ending at {cd_offset:#x} would start before the file"
    )]
    BlockOffsetOutOfRange {
        /// Central-directory offset, where the block ends.
        cd_offset: u64,
        /// Footer size field.
        size: u64,
    },
    /// Header and footer size fields differ (apksig: "APK Signing Block
    /// sizes in header and footer do not match"); Android then ignores the
    /// block, so the APK counts as having no v2/v3 signature.
    #[error("`APK Signing Block` sizes in header at {offset:#x} ({header}) and footer ({footer}) do not match")]
    BlockSizeMismatch {
        /// Offset of the header size field (where the block would start).
        offset: u64,
        /// Header size field.
        header: u64,
        /// Footer size field.
        footer: u64,
    },
    /// A fixed-size field runs past the end of its enclosing structure.
    #[error("`{structure}` at {offset:#x} needs {wanted} bytes, {left} left")]
    Truncated {
        /// Structure being read.
        structure: &'static str,
        /// File offset of the field.
        offset: u64,
        /// Bytes needed.
        wanted: u64,
        /// Bytes left in the enclosing structure.
        left: u64,
    },
    /// A `u32` length prefix claims more bytes than its enclosing structure
    /// holds (apksig: "Length-prefixed field longer than remaining buffer").
    #[error("length-prefixed `{structure}` at {offset:#x} claims {len} bytes, {left} left")]
    LengthPrefixed {
        /// Structure being read.
        structure: &'static str,
        /// File offset of the length prefix.
        offset: u64,
        /// Length claimed.
        len: u64,
        /// Bytes left after the prefix.
        left: u64,
    },
    /// A structure carries a version this reader does not know.
    #[error("`{structure}` at {offset:#x} has unsupported version {version}")]
    UnsupportedVersion {
        /// Structure being read.
        structure: &'static str,
        /// File offset of the version field.
        offset: u64,
        /// Version found.
        version: u32,
    },
    /// Broken BER/DER in a PKCS#7 signature block.
    #[error("`{structure}` at {offset:#x}: {reason}")]
    Der {
        /// ASN.1 structure being read.
        structure: &'static str,
        /// Offset inside the signature block file.
        offset: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// The PKCS#7 `ContentInfo` holds something other than `SignedData`.
    #[error("`ContentInfo` content type is {oid}, not `signedData` (1.2.840.113549.1.7.2)")]
    NotSignedData {
        /// Dotted OID found.
        oid: String,
    },
    /// A certificate is not X.509 DER that can be read.
    #[error("certificate is not readable X.509: {reason}")]
    BadCertificate {
        /// Parser message.
        reason: String,
    },
}

/// Which signature schemes are present (not verified).
///
/// APK Signature Scheme v4 is absent on purpose: it lives in a separate
/// `.apk.idsig` file, never inside the APK.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schemes {
    /// v1 / JAR signing: a `META-INF/*.RSA|DSA|EC` file yielding a certificate.
    pub v1: bool,
    /// APK Signature Scheme v2 block (0x7109871a) with a signer certificate.
    pub v2: bool,
    /// APK Signature Scheme v3 block (0xf05368c0) with a signer certificate.
    pub v3: bool,
    /// APK Signature Scheme v3.1 block (0x1b93ad61) with a signer certificate.
    pub v31: bool,
    /// A source stamp pair (v1 0x2b09189e or v2 0x6dff800d) is in the block.
    pub source_stamp: bool,
}

/// An SDK range a v3/v3.1 signer applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkRange {
    /// `v3` or `v3.1`.
    pub scheme: String,
    /// Lowest Android API level this signer covers.
    pub min_sdk: u32,
    /// Highest API level (`2147483647` for "no limit").
    pub max_sdk: u32,
}

/// One signing identity, deduplicated by certificate SHA-256 across schemes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// The signer's own certificate (the first of its list in v2/v3; the
    /// one its `SignerInfo` names in v1).
    pub certificate: Certificate,
    /// Schemes this certificate signs in, oldest first: `v1`, `v2`, `v3`, `v3.1`.
    pub schemes: Vec<String>,
    /// SDK ranges of its v3/v3.1 signer entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sdk_ranges: Vec<SdkRange>,
    /// v1 signature block files holding it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub v1_files: Vec<String>,
    /// v2/v3 signature algorithms listed by its signer entries (apksig names,
    /// e.g. `RSA_PKCS1_V1_5_WITH_SHA256`, or `0x…` when unknown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signature_algorithms: Vec<String>,
}

/// One certificate of a proof-of-rotation lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineageNode {
    /// The certificate.
    pub certificate: Certificate,
    /// Raw capability flags.
    pub flags: u32,
    /// Flag names: `installed-data`, `shared-user-id`, `permission`,
    /// `rollback`, `auth`.
    pub capabilities: Vec<String>,
}

/// A v3/v3.1 signer's proof-of-rotation: the chain of past signing
/// certificates, oldest first, ending with the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rotation {
    /// `v3` or `v3.1`.
    pub scheme: String,
    /// SHA-256 of the signer certificate carrying the lineage.
    pub signer_sha256: String,
    /// Lineage, oldest first.
    pub lineage: Vec<LineageNode>,
    /// v3 rotation-min-sdk-version attribute, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_min_sdk: Option<u32>,
}

/// Where the APK Signing Block sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BlockLocation {
    /// File offset of the block.
    pub offset: u64,
    /// Total block length in bytes.
    pub size: u64,
}

/// Everything about an APK's signatures, for identifying it exactly.
///
/// Present, not verified: see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SigningInfo {
    /// Schemes present.
    pub schemes: Schemes,
    /// Signers, newest scheme first (so `signers[0]` is normally what
    /// apksigner prints as "Signer #1"), deduplicated by certificate SHA-256.
    pub signers: Vec<Signer>,
    /// The APK Signing Block, if one was found and framed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<BlockLocation>,
    /// Every ID-value pair ID in the block, in order, as `0x7109871a` plus
    /// ` (name)` when known.
    pub block_ids: Vec<String>,
    /// Proof-of-rotation lineages of v3/v3.1 signers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rotation: Vec<Rotation>,
    /// Source stamp v2 certificate (identifies the store that stamped the APK).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_stamp_certificate: Option<Certificate>,
    /// v1 files seen: signature blocks, `.SF` files and `MANIFEST.MF`, sorted.
    pub v1_files: Vec<String>,
}

/// Canonical order of scheme labels.
const SCHEME_ORDER: [&str; 4] = ["v1", "v2", "v3", "v3.1"];

struct Builder {
    info: SigningInfo,
    anomalies: Vec<Anomaly>,
}

impl Builder {
    /// Adds (or merges) a signer; returns its index.
    fn signer(&mut self, der: &[u8], scheme: &str, offset: Option<u64>, context: &str) -> usize {
        let sha = cert::sha256_hex(der);
        if let Some(i) = self
            .info
            .signers
            .iter()
            .position(|s| s.certificate.sha256 == sha)
        {
            if let Some(s) = self.info.signers.get_mut(i) {
                if !s.schemes.iter().any(|x| x == scheme) {
                    s.schemes.push(scheme.to_string());
                    s.schemes
                        .sort_by_key(|x| SCHEME_ORDER.iter().position(|o| o == x));
                }
            }
            return i;
        }
        let certificate = self.certificate(der, offset, context);
        self.info.signers.push(Signer {
            certificate,
            schemes: vec![scheme.to_string()],
            sdk_ranges: Vec::new(),
            v1_files: Vec::new(),
            signature_algorithms: Vec::new(),
        });
        self.info.signers.len() - 1
    }

    fn certificate(&mut self, der: &[u8], offset: Option<u64>, context: &str) -> Certificate {
        let (c, e) = cert::describe_lenient(der);
        if let Some(e) = e {
            self.anomalies.push(Anomaly::new(
                "sig-certificate-unreadable",
                offset,
                format!("{context}: {e}; only its fingerprints are reported"),
            ));
        }
        c
    }
}

/// Where the ZIP end-of-central-directory record says things are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipSections {
    /// Offset of the central directory (EOCD field at +16).
    pub cd_offset: u64,
    /// Size of the central directory in bytes (EOCD field at +12).
    pub cd_size: u64,
    /// Offset of the EOCD record itself.
    pub eocd_offset: u64,
}

/// Everything about signatures, given the whole file, the central-directory
/// offset, the contents of the v1 signature block files (`META-INF/*.RSA`,
/// `*.DSA`, `*.EC`, as `(entry name, bytes)`), and the names of the
/// `META-INF/*.SF` files and `META-INF/MANIFEST.MF` present.
///
/// Never fails: whatever cannot be read becomes an anomaly (codes `sig-*`)
/// and the rest is still reported. Mirrors Android where it matters: an APK
/// Signing Block whose sizes disagree is ignored, as apksig ignores it, and a
/// v1 signature block counts only if `v1_sf_names` has its `.SF` file (same
/// stem, e.g. `META-INF/CERT.SF` for `META-INF/CERT.RSA`), because Android's
/// v1 verifier starts from the `.SF` files.
///
/// Android also ignores the signing block unless the central directory ends
/// exactly where the EOCD starts; prefer [`collect_in_zip`], which checks
/// that, when the EOCD is known.
pub fn collect(
    file: &[u8],
    cd_offset: u64,
    v1_blocks: &[(String, Vec<u8>)],
    v1_sf_names: &[String],
) -> Parsed<SigningInfo> {
    let mut b = Builder {
        info: SigningInfo::default(),
        anomalies: Vec::new(),
    };
    collect_signing_block(&mut b, file, cd_offset);
    collect_v1(&mut b, v1_blocks, v1_sf_names);
    Parsed {
        value: b.info,
        anomalies: b.anomalies,
    }
}

/// [`collect`], plus Android's check that the central directory is
/// immediately followed by the EOCD: otherwise Android (apksig
/// `ApkUtilsLite.findApkSigningBlock`, frameworks/base
/// `ApkSigningBlockUtils.getCentralDirOffset`) finds no APK Signing Block,
/// so v2/v3 count as absent and a `sig-cd-not-followed-by-eocd` anomaly
/// says why. The AOSP test vectors `garbage-between-cd-and-eocd` and
/// `v2-only-truncated-cd` exercise this.
pub fn collect_in_zip(
    file: &[u8],
    zip: ZipSections,
    v1_blocks: &[(String, Vec<u8>)],
    v1_sf_names: &[String],
) -> Parsed<SigningInfo> {
    let mut b = Builder {
        info: SigningInfo::default(),
        anomalies: Vec::new(),
    };
    let cd_end = zip.cd_offset.checked_add(zip.cd_size);
    if cd_end == Some(zip.eocd_offset) {
        collect_signing_block(&mut b, file, zip.cd_offset);
    } else {
        let found = match find_signing_block(file, zip.cd_offset) {
            Ok(Some(_)) => "an APK Signing Block is there but Android ignores it",
            _ => "no APK Signing Block would be read",
        };
        b.anomalies.push(Anomaly::new(
            "sig-cd-not-followed-by-eocd",
            Some(zip.cd_offset),
            format!(
                "central directory at {:#x} of {} bytes ends at {}, but the EOCD starts at {:#x}: {found}",
                zip.cd_offset,
                zip.cd_size,
                cd_end.map_or_else(|| "overflow".to_string(), |e| format!("{e:#x}")),
                zip.eocd_offset
            ),
        ));
    }
    collect_v1(&mut b, v1_blocks, v1_sf_names);
    Parsed {
        value: b.info,
        anomalies: b.anomalies,
    }
}

fn collect_signing_block(b: &mut Builder, file: &[u8], cd_offset: u64) {
    match find_signing_block(file, cd_offset) {
        Ok(Some(block)) => collect_block(b, &block),
        Ok(None) => {}
        Err(e) => {
            let (code, offset) = match &e {
                SigningError::BlockSizeMismatch { offset, .. } => {
                    ("sig-block-size-mismatch", Some(*offset))
                }
                SigningError::BlockSizeOutOfRange { offset, .. } => {
                    ("sig-block-size-out-of-range", Some(*offset))
                }
                SigningError::BlockOffsetOutOfRange { cd_offset, .. } => {
                    ("sig-block-size-out-of-range", Some(*cd_offset))
                }
                SigningError::CdOffsetOutOfRange { .. } => ("sig-cd-offset-out-of-range", None),
                _ => ("sig-block-unreadable", Some(cd_offset)),
            };
            b.anomalies.push(Anomaly::new(
                code,
                offset,
                format!("{e}; Android ignores such a block, so v2/v3 signatures count as absent"),
            ));
        }
    }
}

fn collect_block(b: &mut Builder, block: &SigningBlock<'_>) {
    b.info.block = Some(BlockLocation {
        offset: block.offset,
        size: block.size,
    });
    b.anomalies.extend(block.anomalies.iter().cloned());
    b.info.block_ids = block
        .pairs
        .iter()
        .map(|(id, _)| match block_id_name(*id) {
            Some(n) => format!("{id:#010x} ({n})"),
            None => format!("{id:#010x}"),
        })
        .collect();

    let mut stripping: Vec<u32> = Vec::new();
    for (label, id, v3) in [
        ("v3.1", V31_BLOCK_ID, true),
        ("v3", V3_BLOCK_ID, true),
        ("v2", V2_BLOCK_ID, false),
    ] {
        let Some((off, value)) = block.find(id) else {
            continue;
        };
        let raw = match scheme::parse_signers(value, off, v3, label, &mut b.anomalies) {
            Ok(r) => r,
            Err(e) => {
                b.anomalies.push(Anomaly::new(
                    "sig-malformed-scheme-block",
                    Some(off),
                    format!("{label} block at {off:#x}: {e}"),
                ));
                continue;
            }
        };
        let mut any = false;
        for s in raw {
            let Some(first) = s.certificates.first() else {
                b.anomalies.push(Anomaly::new(
                    "sig-signer-without-certificate",
                    Some(s.offset),
                    format!("{label} signer #{} lists no certificate", s.number),
                ));
                continue;
            };
            any = true;
            let context = format!("{label} signer #{} certificate", s.number);
            let i = b.signer(first, label, Some(s.offset), &context);
            if let Some(signer) = b.info.signers.get_mut(i) {
                if let Some((min_sdk, max_sdk)) = s.sdk {
                    signer.sdk_ranges.push(SdkRange {
                        scheme: label.to_string(),
                        min_sdk,
                        max_sdk,
                    });
                }
                for alg in &s.signature_algorithms {
                    let name = scheme::signature_algorithm_name(*alg)
                        .map_or_else(|| format!("{alg:#06x}"), str::to_string);
                    if !signer.signature_algorithms.contains(&name) {
                        signer.signature_algorithms.push(name);
                    }
                }
            }
            stripping.extend(&s.stripping_protection);
            if let Some(lineage) = &s.lineage {
                let signer_sha256 = cert::sha256_hex(first);
                let nodes = lineage
                    .iter()
                    .enumerate()
                    .map(|(n, node)| LineageNode {
                        certificate: b.certificate(
                            node.certificate,
                            Some(s.offset),
                            &format!(
                                "{label} signer #{} lineage certificate #{}",
                                s.number,
                                n + 1
                            ),
                        ),
                        flags: node.flags,
                        capabilities: scheme::lineage_flag_names(node.flags),
                    })
                    .collect::<Vec<_>>();
                if nodes.last().map(|n| n.certificate.sha256.as_str())
                    != Some(signer_sha256.as_str())
                {
                    b.anomalies.push(Anomaly::new(
                        "sig-lineage-does-not-end-with-signer",
                        Some(s.offset),
                        format!(
                            "{label} signer #{}: the last lineage certificate is not the signer's",
                            s.number
                        ),
                    ));
                }
                b.info.rotation.push(Rotation {
                    scheme: label.to_string(),
                    signer_sha256,
                    lineage: nodes,
                    rotation_min_sdk: s.rotation_min_sdk,
                });
            }
        }
        match label {
            "v3.1" => b.info.schemes.v31 = any,
            "v3" => b.info.schemes.v3 = any,
            _ => b.info.schemes.v2 = any,
        }
    }
    // apksig V2SchemeVerifier: "APK Signature Scheme v2 signature %d indicates
    // the APK is signed using %s but no such signature was found. Signature stripped?"
    if stripping.contains(&3) && block.find(V3_BLOCK_ID).is_none() {
        b.anomalies.push(Anomaly::new(
            "sig-v3-stripped",
            Some(block.offset),
            "v2 signer says the APK is also signed with v3, but there is no v3 block: signature stripped?",
        ));
    }

    b.info.schemes.source_stamp = block.find(SOURCE_STAMP_V2_BLOCK_ID).is_some()
        || block.find(SOURCE_STAMP_V1_BLOCK_ID).is_some();
    if let Some((off, value)) = block.find(SOURCE_STAMP_V2_BLOCK_ID) {
        // apksig V2SourceStampVerifier: length-prefixed stamp data whose first
        // field is the length-prefixed stamp certificate.
        let mut r = scheme::Lp::new(value, off);
        match r
            .slice("source stamp")
            .and_then(|mut s| s.bytes("source stamp certificate"))
        {
            Ok((at, der)) => {
                b.info.source_stamp_certificate =
                    Some(b.certificate(der, Some(at), "source stamp certificate"));
            }
            Err(e) => b.anomalies.push(Anomaly::new(
                "sig-malformed-source-stamp",
                Some(off),
                e.to_string(),
            )),
        }
    }
}

/// `META-INF/CERT.RSA` → `META-INF/CERT`.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

fn collect_v1(b: &mut Builder, v1_blocks: &[(String, Vec<u8>)], v1_sf_names: &[String]) {
    let mut files: Vec<String> = v1_blocks
        .iter()
        .map(|(n, _)| n.clone())
        .chain(v1_sf_names.iter().cloned())
        .collect();
    files.sort();
    files.dedup();
    b.info.v1_files = files;

    let mut blocks: Vec<&(String, Vec<u8>)> = v1_blocks.iter().collect();
    blocks.sort_by(|x, y| x.0.cmp(&y.0));
    let sf_stems: Vec<&str> = v1_sf_names
        .iter()
        .filter(|n| n.to_ascii_uppercase().ends_with(".SF"))
        .map(|n| stem(n))
        .collect();
    for (name, data) in blocks {
        if !sf_stems.contains(&stem(name)) {
            // Android's v1 verifier starts from the .SF files (apksig
            // V1SchemeVerifier), so a block without one signs nothing: it
            // is reported, with the certificates it names, but is no signer.
            // Seen in the wild: androguard's partialsignature.apk.
            let certs = pkcs7::pkcs7_certificates(data)
                .map(|cs| {
                    cs.iter()
                        .take(8)
                        .map(|c| cert::sha256_hex(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|e| e.to_string());
            b.anomalies.push(Anomaly::new(
                "sig-v1-missing-sf",
                None,
                format!(
                    "{name} has no matching {}.SF, so Android ignores it (certificates: {certs})",
                    stem(name)
                ),
            ));
            continue;
        }
        let sd = match pkcs7::parse_signed_data(data) {
            Ok(sd) => sd,
            Err(e) => {
                b.anomalies.push(Anomaly::new(
                    "sig-v1-malformed-block",
                    None,
                    format!("{name}: {e}"),
                ));
                continue;
            }
        };
        if sd.trailing > 0 {
            b.anomalies.push(Anomaly::new(
                "sig-v1-trailing-data",
                None,
                format!("{name}: {} bytes after the PKCS#7 ContentInfo", sd.trailing),
            ));
        }
        if sd.indefinite {
            b.anomalies.push(Anomaly::new(
                "sig-v1-ber-indefinite-length",
                None,
                format!("{name}: BER indefinite lengths instead of DER"),
            ));
        }
        if sd.certificates.is_empty() {
            b.anomalies.push(Anomaly::new(
                "sig-v1-no-certificate",
                None,
                format!("{name}: no certificate"),
            ));
            continue;
        }
        // The signer's certificate is the one its SignerInfo names (apksig
        // V1SchemeVerifier); the rest of the SET is chain.
        let mut chosen: Vec<&[u8]> = Vec::new();
        for id in &sd.signer_ids {
            if let Some(c) = sd
                .certificates
                .iter()
                .find(|c| cert::matches_signer_id(c, id))
            {
                if !chosen.contains(c) {
                    chosen.push(c);
                }
            }
        }
        if chosen.is_empty() {
            b.anomalies.push(Anomaly::new(
                "sig-v1-signer-certificate-not-found",
                None,
                format!(
                    "{name}: no certificate matches a SignerInfo; reporting up to 16 of its {}",
                    sd.certificates.len()
                ),
            ));
            chosen = sd.certificates.iter().take(16).copied().collect();
        }
        for c in chosen {
            let i = b.signer(c, "v1", None, &format!("{name} certificate"));
            if let Some(s) = b.info.signers.get_mut(i) {
                if !s.v1_files.contains(name) {
                    s.v1_files.push(name.clone());
                }
            }
            b.info.schemes.v1 = true;
        }
    }
    for sf in v1_sf_names
        .iter()
        .filter(|n| n.to_ascii_uppercase().ends_with(".SF"))
    {
        if !v1_blocks.iter().any(|(n, _)| stem(n) == stem(sf)) {
            b.anomalies.push(Anomaly::new(
                "sig-v1-sf-without-block",
                None,
                format!("{sf} has no matching signature block file"),
            ));
        }
    }
    if !v1_blocks.is_empty()
        && !v1_sf_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("META-INF/MANIFEST.MF"))
    {
        b.anomalies.push(Anomaly::new(
            "sig-v1-missing-manifest",
            None,
            "v1 signature block files without META-INF/MANIFEST.MF",
        ));
    }
}

#[cfg(test)]
mod tests;
