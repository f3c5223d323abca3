//! The APK Signing Block and its ID-value pairs.
//!
//! See: <https://source.android.com/docs/security/features/apksigning/v2#apk-signing-block>
//!
//! ```text
//! offset  u64  size of block in bytes, excluding this field   ("header size")
//!         pairs: u64 length, u32 id, (length - 4) bytes value
//!         u64  size of block in bytes, same as the first     ("footer size")
//!         16   magic "APK Sig Block 42"
//! cd_offset    (ZIP central directory starts here)
//! ```
//!
//! The checks and their order mirror apksig's
//! `ApkSigningBlockUtilsLite.findApkSigningBlock` and
//! `ApkSigningBlockUtils.findApkSignatureSchemeBlock`
//! (platform/tools/apksig): a block that is not there is `Ok(None)`; a block
//! whose sizes are out of range or disagree is an error (Android then treats
//! the APK as having no v2+ signature at all); a bad pair length stops the
//! walk but keeps the pairs before it, as Android would still find them.

use super::SigningError;
use crate::formats::{read, Anomaly};

/// The 16 bytes that end the block.
pub const MAGIC: &[u8; 16] = b"APK Sig Block 42";

/// Smallest possible block: two sizes and the magic (apksig `APK_SIG_BLOCK_MIN_SIZE`).
const MIN_SIZE: u64 = 32;
/// Duplicate-ID anomalies reported one by one before a summary.
const MAX_DUPLICATE_ANOMALIES: usize = 8;
/// Footer: size (8) + magic (16).
const FOOTER_SIZE: u64 = 24;

/// APK Signature Scheme v2 (apksig `V2SchemeConstants.APK_SIGNATURE_SCHEME_V2_BLOCK_ID`).
pub const V2_BLOCK_ID: u32 = 0x7109_871a;
/// APK Signature Scheme v3 (apksig `V3SchemeConstants.APK_SIGNATURE_SCHEME_V3_BLOCK_ID`).
pub const V3_BLOCK_ID: u32 = 0xf053_68c0;
/// APK Signature Scheme v3.1 (apksig `V3SchemeConstants.APK_SIGNATURE_SCHEME_V31_BLOCK_ID`).
pub const V31_BLOCK_ID: u32 = 0x1b93_ad61;
/// Source stamp v1 (apksig `SourceStampConstants.V1_SOURCE_STAMP_BLOCK_ID`).
pub const SOURCE_STAMP_V1_BLOCK_ID: u32 = 0x2b09_189e;
/// Source stamp v2 (apksig `SourceStampConstants.V2_SOURCE_STAMP_BLOCK_ID`).
pub const SOURCE_STAMP_V2_BLOCK_ID: u32 = 0x6dff_800d;
/// Padding so the block is a multiple of 4096 bytes for fs-verity
/// (apksig `ApkSigningBlockUtils.VERITY_PADDING_BLOCK_ID`).
pub const VERITY_PADDING_BLOCK_ID: u32 = 0x4272_6577;
/// SDK dependency list written by the Android Gradle plugin, encrypted for
/// Google Play (AOSP tools/base signflinger `SignedApk.DEPENDENCY_INFO_BLOCK_ID`;
/// <https://developer.android.com/studio/releases/gradle-plugin#dependency-metadata>).
pub const DEPENDENCY_INFO_BLOCK_ID: u32 = 0x504b_4453;
/// Google Play "frosting" metadata, added by Play when it serves the APK
/// (<https://bi-zone.medium.com/easter-egg-in-apk-files-what-is-frosting-f356aa9f4d1>;
/// also listed at <https://apt.izzysoft.de/fdroid/index/info#signingblock>).
pub const GOOGLE_PLAY_FROSTING_BLOCK_ID: u32 = 0x2146_444e;
/// Meituan Walle distribution channel (Meituan-Dianping/walle
/// `payload_reader/.../ApkUtil.APK_CHANNEL_BLOCK_ID`).
pub const WALLE_CHANNEL_BLOCK_ID: u32 = 0x7177_7777;
/// Tencent VasDolly distribution channel (Tencent/VasDolly
/// `common/.../ChannelConstants.CHANNEL_BLOCK_ID`).
pub const VASDOLLY_CHANNEL_BLOCK_ID: u32 = 0x8811_55ff;
/// packer-ng distribution channel (mcxiaoke/packer-ng-plugin
/// `common/.../PackerCommon.CHANNEL_BLOCK_ID`, "zxk!").
pub const PACKER_NG_CHANNEL_BLOCK_ID: u32 = 0x7a78_6b21;

/// Human name of a known ID-value pair ID.
pub fn block_id_name(id: u32) -> Option<&'static str> {
    Some(match id {
        V2_BLOCK_ID => "APK Signature Scheme v2",
        V3_BLOCK_ID => "APK Signature Scheme v3",
        V31_BLOCK_ID => "APK Signature Scheme v3.1",
        SOURCE_STAMP_V1_BLOCK_ID => "source stamp v1",
        SOURCE_STAMP_V2_BLOCK_ID => "source stamp v2",
        VERITY_PADDING_BLOCK_ID => "verity padding",
        DEPENDENCY_INFO_BLOCK_ID => "dependency info (Android Gradle plugin)",
        GOOGLE_PLAY_FROSTING_BLOCK_ID => "Google Play frosting",
        WALLE_CHANNEL_BLOCK_ID => "channel: Meituan Walle",
        VASDOLLY_CHANNEL_BLOCK_ID => "channel: Tencent VasDolly",
        PACKER_NG_CHANNEL_BLOCK_ID => "channel: packer-ng",
        _ => return None,
    })
}

/// The APK Signing Block: where it is and the ID-value pairs it holds.
///
/// Borrowed from the file; nothing in it has been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningBlock<'a> {
    /// File offset of the block's first byte (its leading size field).
    pub offset: u64,
    /// Total length of the block in bytes, from `offset` up to the central
    /// directory; the size fields inside hold `size - 8`.
    pub size: u64,
    /// ID-value pairs in file order, duplicates kept.
    pub pairs: Vec<(u32, &'a [u8])>,
    /// Tolerated oddities met while walking the pairs.
    pub anomalies: Vec<Anomaly>,
    value_offsets: Vec<u64>,
}

impl<'a> SigningBlock<'a> {
    /// File offset of the value of `pairs[index]`.
    pub fn value_offset(&self, index: usize) -> Option<u64> {
        self.value_offsets.get(index).copied()
    }

    /// The first pair with this ID, as Android picks it, with its file offset.
    pub fn find(&self, id: u32) -> Option<(u64, &'a [u8])> {
        let i = self.pairs.iter().position(|(pid, _)| *pid == id)?;
        let (_, value) = self.pairs.get(i)?;
        Some((self.value_offset(i)?, value))
    }
}

fn truncated(structure: &'static str, e: read::OutOfBounds) -> SigningError {
    SigningError::Truncated {
        structure,
        offset: e.offset as u64,
        wanted: e.wanted as u64,
        left: e.len.saturating_sub(e.offset) as u64,
    }
}

/// Locates and walks the APK Signing Block that ends right before the central directory.
///
/// Returns `Ok(None)` when there is no block (no magic before the central
/// directory, or too little room for one), as Android's
/// `SignatureNotFoundException` does. Returns an error when the magic is there
/// but the block cannot be framed: sizes out of range, a block that would
/// start before the file, or header and footer sizes that disagree. Pair
/// lengths are bounded by the block; a bad one ends the walk and is reported
/// in [`SigningBlock::anomalies`].
pub fn find_signing_block(
    file: &[u8],
    cd_offset: u64,
) -> Result<Option<SigningBlock<'_>>, SigningError> {
    let len = file.len() as u64;
    if cd_offset > len {
        return Err(SigningError::CdOffsetOutOfRange { cd_offset, len });
    }
    if cd_offset < MIN_SIZE {
        return Ok(None);
    }
    // cd_offset <= file.len(), so it fits usize.
    let cd = usize::try_from(cd_offset)
        .map_err(|_| SigningError::CdOffsetOutOfRange { cd_offset, len })?;
    let footer_at = cd.saturating_sub(FOOTER_SIZE as usize);
    let magic = read::slice(file, footer_at + 8, 16)
        .map_err(|e| truncated("APK Signing Block footer", e))?;
    if magic != MAGIC {
        return Ok(None);
    }
    let footer_size =
        read::u64_at(file, footer_at).map_err(|e| truncated("APK Signing Block footer", e))?;
    // apksig: "APK Signing Block size out of range" unless 24 <= size <= Integer.MAX_VALUE - 8.
    if footer_size < FOOTER_SIZE || footer_size > (i32::MAX as u64) - 8 {
        return Err(SigningError::BlockSizeOutOfRange {
            offset: footer_at as u64,
            size: footer_size,
        });
    }
    let total = footer_size + 8;
    let Some(start) = cd_offset.checked_sub(total) else {
        return Err(SigningError::BlockOffsetOutOfRange {
            cd_offset,
            size: footer_size,
        });
    };
    let start_us = usize::try_from(start).map_err(|_| SigningError::BlockOffsetOutOfRange {
        cd_offset,
        size: footer_size,
    })?;
    let header_size =
        read::u64_at(file, start_us).map_err(|e| truncated("APK Signing Block header", e))?;
    if header_size != footer_size {
        return Err(SigningError::BlockSizeMismatch {
            offset: start,
            header: header_size,
            footer: footer_size,
        });
    }

    let mut block = SigningBlock {
        offset: start,
        size: total,
        pairs: Vec::new(),
        anomalies: Vec::new(),
        value_offsets: Vec::new(),
    };
    let pairs_end = footer_at;
    let mut r = read::Reader::at(file, start_us + 8);
    let mut n: u32 = 0;
    let mut seen = std::collections::BTreeSet::new();
    let mut duplicates: usize = 0;
    while r.pos() < pairs_end {
        n += 1;
        let at = r.pos() as u64;
        let left = (pairs_end - r.pos()) as u64;
        if left < 8 {
            block.anomalies.push(Anomaly::new(
                "sig-block-pair-truncated",
                Some(at),
                format!("APK Signing Block entry #{n} at {at:#x}: {left} bytes left, too few for its size field"),
            ));
            break;
        }
        let pair_len = r
            .u64()
            .map_err(|e| truncated("APK Signing Block entry", e))?;
        // apksig: "APK Signing Block entry #N size out of range" unless 4 <= len <= remaining.
        if pair_len < 4 || pair_len > left - 8 {
            block.anomalies.push(Anomaly::new(
                "sig-block-pair-size-out-of-range",
                Some(at),
                format!(
                    "APK Signing Block entry #{n} at {at:#x}: size {pair_len} out of range ({} bytes left); later entries ignored",
                    left - 8
                ),
            ));
            break;
        }
        let id = r
            .u32()
            .map_err(|e| truncated("APK Signing Block entry", e))?;
        let value_at = r.pos() as u64;
        // pair_len <= left - 8 <= block size, which fits usize.
        let value_len =
            usize::try_from(pair_len - 4).map_err(|_| SigningError::BlockOffsetOutOfRange {
                cd_offset,
                size: footer_size,
            })?;
        let value = r
            .bytes(value_len)
            .map_err(|e| truncated("APK Signing Block entry", e))?;
        // A set, not a scan of `pairs`: a crafted block can hold millions
        // of 12-byte pairs. Anomalies are capped for the same reason.
        if !seen.insert(id) {
            duplicates += 1;
            if duplicates <= MAX_DUPLICATE_ANOMALIES {
                block.anomalies.push(Anomaly::new(
                    "sig-block-duplicate-id",
                    Some(at),
                    format!("APK Signing Block entry #{n} at {at:#x} repeats ID {id:#010x}; Android uses the first"),
                ));
            }
        }
        block.pairs.push((id, value));
        block.value_offsets.push(value_at);
    }
    if duplicates > MAX_DUPLICATE_ANOMALIES {
        block.anomalies.push(Anomaly::new(
            "sig-block-duplicate-id",
            Some(start),
            format!(
                "{} more repeated IDs in the APK Signing Block",
                duplicates - MAX_DUPLICATE_ANOMALIES
            ),
        ));
    }
    Ok(Some(block))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
pub(crate) mod tests {
    use super::*;

    /// A file of `prefix` zero bytes, then a signing block holding `pairs`,
    /// then a fake 4-byte central directory. Returns (file, cd_offset).
    pub(crate) fn build(prefix: usize, pairs: &[(u32, &[u8])]) -> (Vec<u8>, u64) {
        let mut body = Vec::new();
        for (id, v) in pairs {
            body.extend_from_slice(&((v.len() + 4) as u64).to_le_bytes());
            body.extend_from_slice(&id.to_le_bytes());
            body.extend_from_slice(v);
        }
        let size = (body.len() + 24) as u64;
        let mut f = vec![0u8; prefix];
        f.extend_from_slice(&size.to_le_bytes());
        f.extend_from_slice(&body);
        f.extend_from_slice(&size.to_le_bytes());
        f.extend_from_slice(MAGIC);
        let cd = f.len() as u64;
        f.extend_from_slice(b"PK\x01\x02");
        (f, cd)
    }

    #[test]
    fn good_block() {
        let (f, cd) = build(
            10,
            &[(V2_BLOCK_ID, b"abc"), (VERITY_PADDING_BLOCK_ID, &[0; 5])],
        );
        let b = find_signing_block(&f, cd).unwrap().unwrap();
        assert_eq!(b.offset, 10);
        assert_eq!(b.size, cd - 10);
        assert_eq!(
            b.pairs,
            vec![
                (V2_BLOCK_ID, &b"abc"[..]),
                (VERITY_PADDING_BLOCK_ID, &[0u8; 5][..])
            ]
        );
        assert_eq!(b.value_offset(0), Some(10 + 8 + 12));
        assert_eq!(b.find(V2_BLOCK_ID), Some((30, &b"abc"[..])));
        assert!(b.anomalies.is_empty());
    }

    #[test]
    fn empty_block_and_no_block() {
        let (f, cd) = build(0, &[]);
        let b = find_signing_block(&f, cd).unwrap().unwrap();
        assert!(b.pairs.is_empty());
        assert_eq!(find_signing_block(&f, cd - 1).unwrap(), None);
        assert_eq!(find_signing_block(&f, 0).unwrap(), None);
        assert_eq!(find_signing_block(&[0u8; 100], 100).unwrap(), None);
        assert!(matches!(
            find_signing_block(&f, f.len() as u64 + 1),
            Err(SigningError::CdOffsetOutOfRange { .. })
        ));
    }

    #[test]
    fn size_mismatch() {
        let (mut f, cd) = build(4, &[(V2_BLOCK_ID, b"x")]);
        f[4] ^= 1;
        let e = find_signing_block(&f, cd).unwrap_err();
        assert!(
            matches!(e, SigningError::BlockSizeMismatch { offset: 4, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("do not match"));
    }

    #[test]
    fn sizes_out_of_range() {
        let (mut f, cd) = build(0, &[(V2_BLOCK_ID, b"x")]);
        let footer = cd as usize - 24;
        // Larger than the bytes before the central directory.
        f[footer..footer + 8].copy_from_slice(&1000u64.to_le_bytes());
        assert!(matches!(
            find_signing_block(&f, cd),
            Err(SigningError::BlockOffsetOutOfRange { .. })
        ));
        // Huge.
        f[footer..footer + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            find_signing_block(&f, cd),
            Err(SigningError::BlockSizeOutOfRange { .. })
        ));
        // Too small.
        f[footer..footer + 8].copy_from_slice(&3u64.to_le_bytes());
        assert!(matches!(
            find_signing_block(&f, cd),
            Err(SigningError::BlockSizeOutOfRange { .. })
        ));
    }

    #[test]
    fn pair_length_overflow_keeps_earlier_pairs() {
        let (mut f, cd) = build(0, &[(V2_BLOCK_ID, b"abc"), (V3_BLOCK_ID, b"def")]);
        // Second pair's length field: at 8 (block size) + 8 + 4 + 3.
        let second = 8 + 15;
        for bad in [u64::MAX, 1 << 40, 100, 3, 0] {
            f[second..second + 8].copy_from_slice(&bad.to_le_bytes());
            let b = find_signing_block(&f, cd).unwrap().unwrap();
            assert_eq!(b.pairs.len(), 1, "len {bad}");
            assert_eq!(b.anomalies[0].code, "sig-block-pair-size-out-of-range");
        }
    }

    #[test]
    fn truncated_pair_header() {
        // 5 stray bytes where a pair should start.
        let mut g = Vec::new();
        let size = (24 + 5) as u64;
        g.extend_from_slice(&size.to_le_bytes());
        g.extend_from_slice(&[1, 2, 3, 4, 5]);
        g.extend_from_slice(&size.to_le_bytes());
        g.extend_from_slice(MAGIC);
        let cd2 = g.len() as u64;
        let b = find_signing_block(&g, cd2).unwrap().unwrap();
        assert!(b.pairs.is_empty());
        assert_eq!(b.anomalies[0].code, "sig-block-pair-truncated");
    }

    #[test]
    fn duplicate_ids_are_flagged() {
        let (f, cd) = build(
            0,
            &[
                (VERITY_PADDING_BLOCK_ID, b""),
                (VERITY_PADDING_BLOCK_ID, b""),
            ],
        );
        let b = find_signing_block(&f, cd).unwrap().unwrap();
        assert_eq!(b.pairs.len(), 2);
        assert_eq!(b.anomalies[0].code, "sig-block-duplicate-id");
    }

    #[test]
    fn many_duplicates_stay_cheap() {
        let pairs: Vec<(u32, &[u8])> = (0..200_000).map(|_| (7u32, &b""[..])).collect();
        let (f, cd) = build(0, &pairs);
        let b = find_signing_block(&f, cd).unwrap().unwrap();
        assert_eq!(b.pairs.len(), 200_000);
        assert_eq!(b.anomalies.len(), MAX_DUPLICATE_ANOMALIES + 1);
        assert!(b.anomalies[MAX_DUPLICATE_ANOMALIES]
            .detail
            .starts_with("199991 more"));
    }

    #[test]
    fn every_truncation_and_flip_is_safe() {
        let (f, cd) = build(3, &[(V2_BLOCK_ID, b"abcdef"), (V3_BLOCK_ID, b"gh")]);
        for cut in 0..=f.len() {
            for c in [0, cd, cut as u64, u64::MAX] {
                let _ = find_signing_block(&f[..cut], c);
            }
        }
        for i in 0..f.len() {
            for bit in [0x01u8, 0x80, 0xff] {
                let mut g = f.clone();
                g[i] ^= bit;
                let _ = find_signing_block(&g, cd);
            }
        }
    }
}
