//! Zip reader for APKs: the central directory is authoritative, as it is for
//! Android's installer (libziparchive), and every trick that Android
//! tolerates is recorded as an [`Anomaly`] instead of failing the read.
//!
//! Why not the `zip` crate: it reads the same bytes but says nothing about
//! tampered local headers, decoy records or the APK Signing Block offset,
//! and those are evidence a regulator needs (a tampered APK is a finding).
//!
//! What is tolerated, each recorded as an anomaly:
//! * local headers that disagree with the central directory (compression
//!   method, sizes, CRC, name: the "BadPack" trick) — Android reads the
//!   central directory and only uses the local header to find the data;
//! * the general-purpose "encrypted" flag (Android ignores it);
//! * unknown compression methods on entries whose sizes say "stored";
//! * duplicate names (libziparchive refuses them; we keep the first);
//! * trailing data, a comment length that disagrees, gaps before the
//!   central directory that are not an APK Signing Block;
//! * overlapping entry data (the overlapping-file zip bomb).
//!
//! Nothing here allocates more than the input size or a caller's cap.
//!
//! ```no_run
//! # fn f(bytes: &[u8]) -> Result<(), humiao::apk::zip::ZipError> {
//! let parsed = humiao::apk::zip::Archive::parse(bytes)?;
//! let archive = parsed.value;
//! if let Some(entry) = archive.find("AndroidManifest.xml") {
//!     let data = archive.read(entry, 64 << 20)?;
//! #   let _ = data;
//! }
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::Read;

use serde::Serialize;

use crate::formats::read::{slice, u16_at, u32_at, u64_at};
use crate::formats::{Anomaly, Parsed};

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CDH_SIG: u32 = 0x0201_4b50;
const LFH_SIG: u32 = 0x0403_4b50;
const EOCD_LEN: usize = 22;
const CDH_LEN: usize = 46;
const LFH_LEN: usize = 30;
/// EOCD plus the longest possible comment.
const MAX_EOCD_SEARCH: usize = EOCD_LEN + 0xffff;
/// Compressed/uncompressed ratio above which an entry is reported as a
/// likely zip bomb (deflate's best case is about 1032:1).
const BOMB_RATIO: u64 = 1024;

/// Compression method `stored`.
pub const METHOD_STORED: u16 = 0;
/// Compression method `deflated`.
pub const METHOD_DEFLATED: u16 = 8;

/// Why an archive or an entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// The file is empty.
    #[error("empty file")]
    Empty,
    /// No end-of-central-directory record: not a zip, or truncated.
    #[error("not a zip file: no end-of-central-directory record (truncated or not an archive)")]
    NoEndOfCentralDirectory,
    /// The central directory lies outside the file.
    #[error("central directory at {offset:#x} ({size} bytes) runs past the end ({len} bytes): truncated file")]
    CentralDirectoryOutOfBounds {
        /// Declared offset.
        offset: u64,
        /// Declared size.
        size: u64,
        /// File length.
        len: usize,
    },
    /// More entries than [`crate::apk::Limits::max_entries`] allows.
    #[error("{entries} zip entries, more than the limit of {limit} (raise it with --max-entries if the file is genuine)")]
    TooManyEntries {
        /// Entries in the central directory.
        entries: usize,
        /// The limit.
        limit: usize,
    },
    /// The end record declares entries but none is where it says.
    #[error("central directory at {offset:#x} holds none of the {declared} declared records: truncated, shifted or not a zip")]
    NoCentralRecords {
        /// Declared central directory offset.
        offset: u64,
        /// Entries declared by the end record.
        declared: u64,
    },
    /// A central directory record is damaged.
    #[error("central directory record {index} at {offset:#x} is damaged: {what}")]
    BadCentralRecord {
        /// Record number.
        index: usize,
        /// Offset of the record.
        offset: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// The local header of an entry is missing or damaged.
    #[error("entry `{name}`: local header at {offset:#x} is missing or damaged")]
    BadLocalHeader {
        /// Entry name.
        name: String,
        /// Declared local header offset.
        offset: u64,
    },
    /// The data of an entry lies outside the file.
    #[error("entry `{name}`: data at {offset:#x} ({size} bytes) runs past the end of the file")]
    DataOutOfBounds {
        /// Entry name.
        name: String,
        /// Data offset.
        offset: u64,
        /// Compressed size.
        size: u64,
    },
    /// The entry is larger than the caller allows.
    #[error("entry `{name}`: {size} bytes uncompressed exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Entry name.
        name: String,
        /// Declared or actual size.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// The compression method is not supported and the sizes do not say
    /// "stored".
    #[error("entry `{name}`: unsupported compression method {method}")]
    UnsupportedMethod {
        /// Entry name.
        name: String,
        /// Method number.
        method: u16,
    },
    /// The deflate stream is corrupt.
    #[error("entry `{name}`: corrupt deflate data ({detail})")]
    Inflate {
        /// Entry name.
        name: String,
        /// Decoder message.
        detail: String,
    },
}

/// One central-directory entry, with where its data starts.
#[derive(Debug, Clone, Serialize)]
pub struct Entry<'a> {
    /// Entry name: borrowed from the central directory when it is valid
    /// UTF-8 (nearly always), else a lossy copy.
    pub name: Cow<'a, str>,
    /// Compression method from the central directory.
    pub method: u16,
    /// General-purpose bit flags from the central directory.
    pub flags: u16,
    /// CRC-32 from the central directory.
    pub crc32: u32,
    /// Compressed size from the central directory.
    pub compressed_size: u64,
    /// Uncompressed size from the central directory.
    pub uncompressed_size: u64,
    /// Offset of the local file header.
    pub local_header_offset: u64,
    /// Offset of the entry's data, found through the local header; `None`
    /// when the local header is missing or damaged.
    #[serde(skip)]
    pub data_offset: Option<u64>,
    /// End of the entry's record: data plus any data descriptor.
    #[serde(skip)]
    pub record_end: Option<u64>,
}

/// The owner of memory-mapped bytes, which can tell the kernel that some of
/// them will not be read again soon (so their pages stop counting in the
/// process's resident memory; they stay in the page cache and are mapped
/// again if read).
pub trait PageRelease: Sync + std::fmt::Debug {
    /// Advises that `bytes`, borrowed from this owner, will not be read
    /// again soon. A no-op for bytes that are not memory-mapped.
    fn release(&self, bytes: &[u8]);
}

/// A parsed archive borrowing the file's bytes.
#[derive(Debug)]
pub struct Archive<'a> {
    data: &'a [u8],
    /// Who to tell when an entry's bytes are done with (see
    /// [`Archive::release`]).
    pages: Option<&'a dyn PageRelease>,
    entries: Vec<Entry<'a>>,
    /// Open-addressing hash table of entry positions by name (first entry
    /// of each name only; `u32::MAX` is an empty slot; the length is a
    /// power of two at least twice the entry count).
    index: Vec<u32>,
    /// The index's hash function.
    hasher: RandomState,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: u64,
    /// Offset of the central directory.
    pub cd_offset: u64,
    /// Size of the central directory.
    pub cd_size: u64,
    /// Whether ZIP64 records were used.
    pub zip64: bool,
}

impl<'a> Archive<'a> {
    /// Parses the end record and central directory of `data`, and checks
    /// each local header against it.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<Archive<'a>>, ZipError> {
        let (mut archive, mut anomalies, duplicates) = Archive::directory(data)?;
        // Local headers: find data offsets and cross-check.
        for e in &mut archive.entries {
            check_local_header(data, e, archive.cd_offset, &mut anomalies);
        }
        check_layout(
            data.len() as u64,
            &archive.entries,
            archive.cd_offset,
            data,
            &mut anomalies,
        );
        anomalies.extend(duplicates);
        Ok(Parsed {
            value: archive,
            anomalies,
        })
    }

    /// Parses the end record and central directory only: names, sizes and
    /// the name index, enough to tell what the archive holds. Local headers
    /// are not read, so no entry can be read from the result (each reads as
    /// [`ZipError::BadLocalHeader`]); use [`Archive::parse`] for that.
    pub fn parse_directory(data: &'a [u8]) -> Result<Parsed<Archive<'a>>, ZipError> {
        let (archive, mut anomalies, duplicates) = Archive::directory(data)?;
        anomalies.extend(duplicates);
        Ok(Parsed {
            value: archive,
            anomalies,
        })
    }

    /// The directory, its anomalies, and the duplicate-name anomalies
    /// (reported last).
    #[allow(clippy::type_complexity)]
    fn directory(data: &'a [u8]) -> Result<(Archive<'a>, Vec<Anomaly>, Vec<Anomaly>), ZipError> {
        let mut anomalies = Vec::new();
        if data.is_empty() {
            return Err(ZipError::Empty);
        }
        let eocd = find_eocd(data).ok_or(ZipError::NoEndOfCentralDirectory)?;
        let rd16 = |o: usize| u16_at(data, o).map_err(|_| ZipError::NoEndOfCentralDirectory);
        let rd32 = |o: usize| u32_at(data, o).map_err(|_| ZipError::NoEndOfCentralDirectory);
        let disk = rd16(eocd + 4)?;
        let cd_disk = rd16(eocd + 6)?;
        let mut total_entries = u64::from(rd16(eocd + 10)?);
        let mut cd_size = u64::from(rd32(eocd + 12)?);
        let mut cd_offset = u64::from(rd32(eocd + 16)?);
        let comment_len = usize::from(rd16(eocd + 20)?);
        if disk != 0 || cd_disk != 0 {
            anomalies.push(Anomaly::new(
                "zip-multi-disk",
                Some(eocd as u64),
                format!("end record names disk {disk} / central directory disk {cd_disk}; treated as a single-disk archive"),
            ));
        }
        let end_of_comment = eocd + EOCD_LEN + comment_len;
        if end_of_comment < data.len() {
            anomalies.push(Anomaly::new(
                "zip-trailing-data",
                Some(end_of_comment as u64),
                format!(
                    "{} bytes after the end-of-central-directory record and its comment (Android's installer rejects such a file)",
                    data.len() - end_of_comment
                ),
            ));
        }

        // ZIP64: the locator sits right before the EOCD.
        let mut zip64 = false;
        if let Some(loc) = eocd.checked_sub(20) {
            if u32_at(data, loc) == Ok(EOCD64_LOCATOR_SIG) {
                if let Ok(off64) = u64_at(data, loc + 8) {
                    if let Some(r) = usize::try_from(off64)
                        .ok()
                        .filter(|&r| u32_at(data, r) == Ok(EOCD64_SIG))
                    {
                        if let (Ok(n), Ok(sz), Ok(off)) = (
                            u64_at(data, r + 32),
                            u64_at(data, r + 40),
                            u64_at(data, r + 48),
                        ) {
                            zip64 = true;
                            total_entries = n;
                            cd_size = sz;
                            cd_offset = off;
                        }
                    } else {
                        anomalies.push(Anomaly::new(
                            "zip64-bad-locator",
                            Some(loc as u64),
                            "ZIP64 locator points at no ZIP64 end record; using the 32-bit end record",
                        ));
                    }
                }
            }
        }

        let len = data.len();
        let oob = ZipError::CentralDirectoryOutOfBounds {
            offset: cd_offset,
            size: cd_size,
            len,
        };
        let cd_start = usize::try_from(cd_offset).map_err(|_| oob.clone())?;
        let cd_len = usize::try_from(cd_size).map_err(|_| oob.clone())?;
        let cd = slice(data, cd_start, cd_len).map_err(|_| oob)?;
        let cd_end = cd_start + cd_len;
        if cd_end < eocd && !(zip64 && eocd.saturating_sub(cd_end) <= 76) {
            anomalies.push(Anomaly::new(
                "zip-gap-before-end-record",
                Some(cd_end as u64),
                format!(
                    "{} bytes between the central directory and its end record",
                    eocd - cd_end
                ),
            ));
        }
        if cd_end > eocd {
            anomalies.push(Anomaly::new(
                "zip-central-directory-overlaps-end-record",
                Some(cd_offset),
                "central directory runs into the end-of-central-directory record",
            ));
        }

        // Each record is at least 46 bytes: that bounds the entry count.
        let max_records = cd.len() / CDH_LEN;
        let mut entries: Vec<Entry<'a>> =
            Vec::with_capacity(max_records.min(total_entries as usize));
        let mut pos = 0usize;
        let mut index = 0usize;
        while pos + 4 <= cd.len() {
            if u32_at(cd, pos) != Ok(CDH_SIG) {
                break;
            }
            let rec_off = cd_offset + pos as u64;
            let bad = |what| ZipError::BadCentralRecord {
                index,
                offset: rec_off,
                what,
            };
            let hdr = slice(cd, pos, CDH_LEN).map_err(|_| bad("record truncated"))?;
            let f16 = |o: usize| u16_at(hdr, o).unwrap_or(0);
            let f32 = |o: usize| u32_at(hdr, o).unwrap_or(0);
            let flags = f16(8);
            let method = f16(10);
            let crc32 = f32(16);
            let mut compressed_size = u64::from(f32(20));
            let mut uncompressed_size = u64::from(f32(24));
            let name_len = usize::from(f16(28));
            let extra_len = usize::from(f16(30));
            let comment_len = usize::from(f16(32));
            let mut local_header_offset = u64::from(f32(42));
            let name_bytes = slice(cd, pos + CDH_LEN, name_len)
                .map_err(|_| bad("name runs past the central directory"))?;
            let extra = slice(cd, pos + CDH_LEN + name_len, extra_len)
                .map_err(|_| bad("extra field runs past the central directory"))?;
            let next = pos + CDH_LEN + name_len + extra_len + comment_len;
            if next > cd.len() {
                return Err(bad("comment runs past the central directory"));
            }
            // ZIP64 extended information (0x0001): present fields replace
            // the 0xffffffff placeholders in order.
            if compressed_size == 0xffff_ffff
                || uncompressed_size == 0xffff_ffff
                || local_header_offset == 0xffff_ffff
            {
                if let Some(z) = find_extra(extra, 0x0001) {
                    let mut o = 0;
                    let mut take = |v: &mut u64| {
                        if *v == 0xffff_ffff {
                            if let Ok(x) = u64_at(z, o) {
                                *v = x;
                                o += 8;
                            }
                        }
                    };
                    take(&mut uncompressed_size);
                    take(&mut compressed_size);
                    take(&mut local_header_offset);
                }
            }
            let name = match std::str::from_utf8(name_bytes) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(name_bytes),
            };
            if name_bytes.contains(&0) {
                anomalies.push(Anomaly::new(
                    "zip-nul-in-name",
                    Some(rec_off),
                    format!("entry name `{}` contains a NUL byte", name.escape_debug()),
                ));
            }
            if name.starts_with('/')
                || (memchr::memchr_iter(b'.', name_bytes)
                    .any(|i| name_bytes.get(i + 1) == Some(&b'.'))
                    && name.split(['/', '\\']).any(|c| c == ".."))
            {
                anomalies.push(Anomaly::new(
                    "zip-path-traversal-name",
                    Some(rec_off),
                    format!("entry name `{name}` escapes the archive root"),
                ));
            }
            if flags & 0x0001 != 0 {
                anomalies.push(Anomaly::new(
                    "zip-encryption-flag",
                    Some(rec_off),
                    format!("entry `{name}` has the encryption flag set in the central directory; Android ignores it and so do we"),
                ));
            }
            entries.push(Entry {
                name,
                method,
                flags,
                crc32,
                compressed_size,
                uncompressed_size,
                local_header_offset,
                data_offset: None,
                record_end: None,
            });
            pos = next;
            index += 1;
        }
        if entries.is_empty() && total_entries > 0 {
            return Err(ZipError::NoCentralRecords {
                offset: cd_offset,
                declared: total_entries,
            });
        }
        if (entries.len() as u64) != total_entries {
            anomalies.push(Anomaly::new(
                "zip-entry-count-mismatch",
                Some(eocd as u64),
                format!(
                    "end record declares {total_entries} entries, central directory holds {}",
                    entries.len()
                ),
            ));
        }
        if pos < cd.len() {
            anomalies.push(Anomaly::new(
                "zip-central-directory-garbage",
                Some(cd_offset + pos as u64),
                format!(
                    "{} bytes in the central directory after the last record",
                    cd.len() - pos
                ),
            ));
        }

        // Entry counts are bounded by the central directory size / 46, so
        // they fit in u32 for any file under 197 GB.
        let mut index = vec![u32::MAX; (entries.len() * 2).next_power_of_two().max(8)];
        let mut duplicates = Vec::new();
        let hasher = RandomState::new();
        for (i, e) in entries.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            match index_slot(&index, &hasher, &entries, &e.name) {
                Slot::Empty(s) => {
                    if let Some(slot) = index.get_mut(s) {
                        *slot = i;
                    }
                }
                Slot::Found(_) => duplicates.push(Anomaly::new(
                    "zip-duplicate-entry",
                    Some(e.local_header_offset),
                    format!(
                        "entry `{}` appears more than once; the first is used (Android's installer rejects such APKs)",
                        e.name
                    ),
                )),
            }
        }

        Ok((
            Archive {
                data,
                pages: None,
                entries,
                index,
                hasher,
                eocd_offset: eocd as u64,
                cd_offset,
                cd_size,
                zip64,
            },
            anomalies,
            duplicates,
        ))
    }

    /// Lets [`Archive::release`] hand pages back to `owner`, the owner of
    /// the bytes this archive was parsed from.
    pub fn with_page_release(mut self, owner: &'a dyn PageRelease) -> Self {
        self.pages = Some(owner);
        self
    }

    /// Says that entry `e` (local header, data and descriptor) will not be
    /// read again soon: its memory-mapped pages stop counting in this
    /// process's resident memory. Reading it later still works. Called after
    /// each DEX file or native library, so a scan of a 100 MB APK does not
    /// keep every page it has inflated from resident. A no-op without
    /// [`Archive::with_page_release`].
    pub fn release(&self, e: &Entry<'_>) {
        let Some(owner) = self.pages else { return };
        let start = e.local_header_offset;
        let end = e.record_end.unwrap_or_else(|| {
            e.data_offset
                .unwrap_or(start)
                .saturating_add(e.compressed_size)
        });
        if let (Ok(s), Ok(n)) = (
            usize::try_from(start),
            usize::try_from(end.saturating_sub(start)),
        ) {
            if let Ok(bytes) = slice(self.data, s, n) {
                owner.release(bytes);
            }
        }
    }

    /// All entries, in central-directory order.
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }

    /// The first entry with this exact name.
    pub fn find(&self, name: &str) -> Option<&Entry<'a>> {
        match index_slot(&self.index, &self.hasher, &self.entries, name) {
            Slot::Found(i) => self.entries.get(i),
            Slot::Empty(_) => None,
        }
    }

    /// The whole underlying file.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Reads an entry, inflating if needed, refusing more than `limit`
    /// uncompressed bytes. Stored entries are borrowed, not copied.
    ///
    /// Returns the data and any anomaly met while reading it (size or CRC
    /// mismatch, unknown method treated as stored).
    pub fn read_checked(
        &self,
        e: &Entry<'_>,
        limit: u64,
    ) -> Result<(Cow<'a, [u8]>, Vec<Anomaly>), ZipError> {
        let mut anomalies = Vec::new();
        let start = e.data_offset.ok_or_else(|| ZipError::BadLocalHeader {
            name: e.name.to_string(),
            offset: e.local_header_offset,
        })?;
        let oob = || ZipError::DataOutOfBounds {
            name: e.name.to_string(),
            offset: start,
            size: e.compressed_size,
        };
        let raw = usize::try_from(start)
            .ok()
            .zip(usize::try_from(e.compressed_size).ok())
            .and_then(|(s, n)| slice(self.data, s, n).ok())
            .ok_or_else(oob)?;
        let method = match e.method {
            METHOD_STORED | METHOD_DEFLATED => e.method,
            m if e.compressed_size == e.uncompressed_size => {
                anomalies.push(Anomaly::new(
                    "zip-unknown-method-read-as-stored",
                    Some(e.local_header_offset),
                    format!("entry `{}` declares compression method {m} with equal sizes; read as stored, as Android does", e.name),
                ));
                METHOD_STORED
            }
            m => {
                // apksig (and so apksigner) inflates any method other than
                // stored; the AOSP test vector sig-weird-compression-method
                // relies on it. An entry that does not inflate is an error.
                anomalies.push(Anomaly::new(
                    "zip-unknown-method-inflated",
                    Some(e.local_header_offset),
                    format!("entry `{}` declares compression method {m}; inflated as deflate, as apksig does", e.name),
                ));
                METHOD_DEFLATED
            }
        };
        let too_large = |size| ZipError::TooLarge {
            name: e.name.to_string(),
            size,
            limit,
        };
        let data: Cow<'a, [u8]> = if method == METHOD_STORED {
            if raw.len() as u64 > limit {
                return Err(too_large(raw.len() as u64));
            }
            if e.uncompressed_size != e.compressed_size {
                anomalies.push(Anomaly::new(
                    "zip-stored-size-mismatch",
                    Some(e.local_header_offset),
                    format!(
                        "stored entry `{}` declares {} bytes uncompressed but {} compressed",
                        e.name, e.uncompressed_size, e.compressed_size
                    ),
                ));
            }
            Cow::Borrowed(raw)
        } else {
            // Pre-size by the declared size but never beyond the cap or a
            // deflate-plausible multiple of the compressed size. The cap
            // is `limit + 1`, the most `take` lets through: with room for
            // only `limit` bytes, the byte that proves the entry too large
            // would double the buffer (64 MiB cap, 128 MiB reserved).
            let hint = e
                .uncompressed_size
                .min(limit.saturating_add(1))
                .min((raw.len() as u64).saturating_mul(BOMB_RATIO + 8));
            let mut out = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
            let mut dec = flate2::read::DeflateDecoder::new(raw).take(limit.saturating_add(1));
            dec.read_to_end(&mut out).map_err(|err| {
                if e.method == METHOD_DEFLATED {
                    ZipError::Inflate {
                        name: e.name.to_string(),
                        detail: err.to_string(),
                    }
                } else {
                    ZipError::UnsupportedMethod {
                        name: e.name.to_string(),
                        method: e.method,
                    }
                }
            })?;
            if out.len() as u64 > limit {
                return Err(too_large(e.uncompressed_size.max(out.len() as u64)));
            }
            if out.len() as u64 != e.uncompressed_size {
                anomalies.push(Anomaly::new(
                    "zip-size-mismatch",
                    Some(e.local_header_offset),
                    format!(
                        "entry `{}` inflates to {} bytes, central directory says {}",
                        e.name,
                        out.len(),
                        e.uncompressed_size
                    ),
                ));
            }
            Cow::Owned(out)
        };
        // crc32fast uses PCLMULQDQ/ARMv8 CRC instructions where present;
        // the portable routine behind flate2::Crc costs ~2 instructions per
        // byte, more than the rest of the scan on a large resources.arsc.
        let crc = crc32fast::hash(&data);
        if crc != e.crc32 {
            anomalies.push(Anomaly::new(
                "zip-crc-mismatch",
                Some(e.local_header_offset),
                format!(
                    "entry `{}` has CRC-32 {crc:08x}, central directory says {:08x}",
                    e.name, e.crc32
                ),
            ));
        }
        Ok((data, anomalies))
    }

    /// Reads an entry like [`Archive::read_checked`], dropping anomalies.
    pub fn read(&self, e: &Entry<'_>, limit: u64) -> Result<Cow<'a, [u8]>, ZipError> {
        self.read_checked(e, limit).map(|(d, _)| d)
    }
}

/// Finds the end-of-central-directory record: the last signature within
/// the final 64 KiB + 22 bytes whose fields are plausible, as
/// libziparchive does (it scans backwards from the end).
/// Where a name is, or would go, in the entry index.
enum Slot {
    /// Entry position of the first entry with the name.
    Found(usize),
    /// Free slot where the name would be inserted.
    Empty(usize),
}

/// Linear probing in `index` (a power-of-two table, never full: it has at
/// least twice as many slots as entries).
fn index_slot(index: &[u32], hasher: &RandomState, entries: &[Entry<'_>], name: &str) -> Slot {
    let mask = index.len().wrapping_sub(1);
    // Names come from the file: a keyed hash (SipHash with a per-process
    // random key), so no crafted set of names can collide on purpose and
    // turn the probing quadratic.
    let mut s = hasher.hash_one(name) as usize & mask;
    for _ in 0..index.len() {
        match index.get(s) {
            Some(&u32::MAX) | None => return Slot::Empty(s),
            Some(&i) => {
                if entries.get(i as usize).is_some_and(|e| e.name == name) {
                    return Slot::Found(i as usize);
                }
            }
        }
        s = (s + 1) & mask;
    }
    Slot::Empty(usize::MAX)
}

fn find_eocd(data: &[u8]) -> Option<usize> {
    if data.len() < EOCD_LEN {
        return None;
    }
    let lowest = data.len().saturating_sub(MAX_EOCD_SEARCH);
    let mut i = data.len() - EOCD_LEN;
    let mut last_seen = None;
    loop {
        if u32_at(data, i) == Ok(EOCD_SIG) {
            // Plausibility: the central directory must end at or before
            // this record (a decoy signature inside a comment or inside
            // entry data usually fails this).
            let ok = match (u32_at(data, i + 12), u32_at(data, i + 16)) {
                (Ok(size), Ok(off)) => {
                    (off == 0xffff_ffff) || u64::from(off) + u64::from(size) <= i as u64
                }
                _ => false,
            };
            if ok {
                return Some(i);
            }
            last_seen.get_or_insert(i);
        }
        if i == lowest {
            // No plausible record: use the last signature seen, so that the
            // caller reports what exactly is wrong with it.
            return last_seen;
        }
        i -= 1;
    }
}

/// Android Gradle Plugin's zipflinger writes nameless local headers that
/// no central-directory record points at, to align the next entry
/// ("virtual entries"). A prefix made only of those is benign.
fn is_virtual_entry_padding(data: &[u8], upto: u64) -> bool {
    let mut pos = 0usize;
    while (pos as u64) < upto {
        let ok = u32_at(data, pos) == Ok(LFH_SIG)
            && u16_at(data, pos + 26) == Ok(0)
            && u32_at(data, pos + 18) == Ok(0);
        if !ok {
            return false;
        }
        pos += LFH_LEN + usize::from(u16_at(data, pos + 28).unwrap_or(0));
    }
    pos as u64 == upto
}

fn find_extra(extra: &[u8], id: u16) -> Option<&[u8]> {
    let mut o = 0;
    while let (Ok(tag), Ok(len)) = (u16_at(extra, o), u16_at(extra, o + 2)) {
        let body = slice(extra, o + 4, usize::from(len)).ok()?;
        if tag == id {
            return Some(body);
        }
        o += 4 + usize::from(len);
    }
    None
}

fn check_local_header(
    data: &[u8],
    e: &mut Entry<'_>,
    cd_offset: u64,
    anomalies: &mut Vec<Anomaly>,
) {
    let Ok(lho) = usize::try_from(e.local_header_offset) else {
        return;
    };
    if e.local_header_offset >= cd_offset || u32_at(data, lho) != Ok(LFH_SIG) {
        anomalies.push(Anomaly::new(
            "zip-missing-local-header",
            Some(e.local_header_offset),
            format!(
                "entry `{}`: no local file header at {:#x}",
                e.name, e.local_header_offset
            ),
        ));
        return;
    }
    let Ok(hdr) = slice(data, lho, LFH_LEN) else {
        return;
    };
    let f16 = |o: usize| u16_at(hdr, o).unwrap_or(0);
    let f32 = |o: usize| u32_at(hdr, o).unwrap_or(0);
    let l_flags = f16(6);
    let l_method = f16(8);
    let l_crc = f32(14);
    let l_csize = u64::from(f32(18));
    let l_usize = u64::from(f32(22));
    let l_name_len = usize::from(f16(26));
    let l_extra_len = usize::from(f16(28));
    let data_off = e.local_header_offset + (LFH_LEN + l_name_len + l_extra_len) as u64;
    e.data_offset = Some(data_off);
    let data_end = data_off.saturating_add(e.compressed_size);
    // A data descriptor (flag bit 3) follows the data: optional signature,
    // CRC, and two sizes (4 or 8 bytes each).
    let descriptor_len = if l_flags & 0x0008 != 0 {
        let sig = usize::try_from(data_end)
            .ok()
            .map(|d| u32_at(data, d) == Ok(0x0807_4b50))
            .unwrap_or(false);
        if sig {
            16
        } else {
            12
        }
    } else {
        0
    };
    e.record_end = Some(data_end.saturating_add(descriptor_len));
    let mut diffs = Vec::new();
    if l_method != e.method {
        diffs.push(format!("compression method {l_method} vs {}", e.method));
    }
    let descriptor = l_flags & 0x0008 != 0;
    // With a data descriptor the local fields may legitimately be zero.
    let zero_ok = descriptor && l_crc == 0 && l_csize == 0 && l_usize == 0;
    if !zero_ok {
        if l_crc != e.crc32 {
            diffs.push(format!("CRC {l_crc:08x} vs {:08x}", e.crc32));
        }
        if l_csize != e.compressed_size && l_csize != 0xffff_ffff {
            diffs.push(format!(
                "compressed size {l_csize} vs {}",
                e.compressed_size
            ));
        }
        if l_usize != e.uncompressed_size && l_usize != 0xffff_ffff {
            diffs.push(format!(
                "uncompressed size {l_usize} vs {}",
                e.uncompressed_size
            ));
        }
    }
    if (l_flags & 0x0001) != (e.flags & 0x0001) {
        diffs.push(format!(
            "encryption flag {} vs {}",
            l_flags & 1,
            e.flags & 1
        ));
    }
    if let Ok(l_name) = slice(data, lho + LFH_LEN, l_name_len) {
        if l_name != e.name.as_bytes() && String::from_utf8_lossy(l_name) != e.name {
            diffs.push(format!(
                "name `{}`",
                String::from_utf8_lossy(l_name).escape_debug()
            ));
        }
    }
    if !diffs.is_empty() {
        anomalies.push(Anomaly::new(
            "zip-local-header-mismatch",
            Some(e.local_header_offset),
            format!(
                "entry `{}`: local header disagrees with the central directory ({}); the central directory is used, as Android does",
                e.name,
                diffs.join(", ")
            ),
        ));
    }
}

/// Overlaps, zip-bomb ratios, and data in the gap before the central
/// directory (other than an APK Signing Block).
fn check_layout(
    len: u64,
    entries: &[Entry<'_>],
    cd_offset: u64,
    data: &[u8],
    anomalies: &mut Vec<Anomaly>,
) {
    let mut spans: Vec<(u64, u64, &str)> = entries
        .iter()
        .filter_map(|e| {
            e.record_end
                .map(|end| (e.local_header_offset, end, &*e.name))
        })
        .collect();
    // Central directories are nearly always in data order: check before
    // sorting (ties on the start offset are broken by end and name, so the
    // first overlap reported does not depend on the directory's order).
    if !spans.is_sorted() {
        spans.sort_unstable();
    }
    let mut overlaps = 0usize;
    let mut first_overlap = None;
    let mut max_end = 0u64;
    let mut max_name = "";
    for &(start, end, name) in &spans {
        if start < max_end {
            overlaps += 1;
            first_overlap.get_or_insert((name.to_owned(), max_name.to_owned(), start));
        }
        if end > max_end {
            max_end = end;
            max_name = name;
        }
    }
    if let Some((a, b, off)) = first_overlap {
        anomalies.push(Anomaly::new(
            "zip-overlapping-entries",
            Some(off),
            format!("{overlaps} entries overlap earlier entries' data (first: `{a}` inside `{b}`): a zip-bomb or tampering technique"),
        ));
    }
    for e in entries {
        if e.compressed_size > 0
            && e.uncompressed_size > (1 << 20)
            && e.uncompressed_size / e.compressed_size.max(1) > BOMB_RATIO
        {
            anomalies.push(Anomaly::new(
                "zip-bomb-ratio",
                Some(e.local_header_offset),
                format!(
                    "entry `{}` declares {} bytes from {} compressed (ratio over {BOMB_RATIO}:1)",
                    e.name, e.uncompressed_size, e.compressed_size
                ),
            ));
        }
        if let Some(d) = e.data_offset {
            if d.saturating_add(e.compressed_size) > len {
                anomalies.push(Anomaly::new(
                    "zip-entry-past-end",
                    Some(d),
                    format!(
                        "entry `{}` data runs past the end of the file (truncated?)",
                        e.name
                    ),
                ));
            }
        }
    }
    if let Some(first) = spans.first() {
        if first.0 > 0 && !is_virtual_entry_padding(data, first.0) {
            anomalies.push(Anomaly::new(
                "zip-prepended-data",
                Some(0),
                format!("{} bytes before the first local header", first.0),
            ));
        }
    }
    if max_end < cd_offset {
        let has_sig_block = usize::try_from(cd_offset)
            .ok()
            .and_then(|c| c.checked_sub(16))
            .and_then(|m| slice(data, m, 16).ok())
            == Some(&b"APK Sig Block 42"[..]);
        if !has_sig_block {
            anomalies.push(Anomaly::new(
                "zip-gap-before-central-directory",
                Some(max_end),
                format!("{} bytes between the last entry and the central directory that are not an APK Signing Block", cd_offset - max_end),
            ));
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
pub(crate) mod tests {
    use super::*;

    /// Builds a zip in memory: (name, data, deflate?) per entry.
    pub(crate) fn build_zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::new();
        let mut cd = Vec::new();
        for (name, data, deflate) in entries {
            let body = if *deflate {
                let mut enc =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(data).unwrap();
                enc.finish().unwrap()
            } else {
                data.to_vec()
            };
            let mut crc = flate2::Crc::new();
            crc.update(data);
            let method: u16 = if *deflate { 8 } else { 0 };
            let lho = out.len() as u32;
            out.extend_from_slice(&LFH_SIG.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&body);
            cd.extend_from_slice(&CDH_SIG.to_le_bytes());
            cd.extend_from_slice(&20u16.to_le_bytes());
            cd.extend_from_slice(&20u16.to_le_bytes());
            cd.extend_from_slice(&0u16.to_le_bytes());
            cd.extend_from_slice(&method.to_le_bytes());
            cd.extend_from_slice(&[0; 4]);
            cd.extend_from_slice(&crc.sum().to_le_bytes());
            cd.extend_from_slice(&(body.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0; 12]);
            cd.extend_from_slice(&lho.to_le_bytes());
            cd.extend_from_slice(name.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend_from_slice(&cd);
        out.extend_from_slice(&EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_off.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    fn codes(a: &[Anomaly]) -> Vec<&'static str> {
        a.iter().map(|a| a.code).collect()
    }

    #[test]
    fn reads_stored_and_deflated() {
        let z = build_zip(&[("a.txt", b"hello", false), ("b.bin", &[7u8; 5000], true)]);
        let p = Archive::parse(&z).unwrap();
        assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
        let ar = p.value;
        assert_eq!(ar.entries().len(), 2);
        assert_eq!(&*ar.read(ar.find("a.txt").unwrap(), 100).unwrap(), b"hello");
        let (b, an) = ar.read_checked(ar.find("b.bin").unwrap(), 10_000).unwrap();
        assert_eq!(b.len(), 5000);
        assert!(an.is_empty());
        assert!(matches!(
            ar.read(ar.find("b.bin").unwrap(), 100),
            Err(ZipError::TooLarge { .. })
        ));
    }

    #[test]
    fn errors() {
        assert_eq!(Archive::parse(b"").unwrap_err(), ZipError::Empty);
        assert_eq!(
            Archive::parse(b"hello world, not a zip at all").unwrap_err(),
            ZipError::NoEndOfCentralDirectory
        );
        let z = build_zip(&[("a.txt", b"hello", false)]);
        // Truncate the front: the central directory offset now points past the end.
        let cut = &z[10..];
        assert!(matches!(
            Archive::parse(cut),
            Err(ZipError::NoCentralRecords { .. })
        ));
    }

    #[test]
    fn badpack_local_header_is_an_anomaly() {
        let mut z = build_zip(&[("AndroidManifest.xml", b"<x/>", false)]);
        // Local header method := 0x1337, compressed size := garbage.
        z[8..10].copy_from_slice(&0x1337u16.to_le_bytes());
        z[18..22].copy_from_slice(&0xdeadu32.to_le_bytes());
        z[6] |= 1; // encryption flag in the local header only
        let p = Archive::parse(&z).unwrap();
        assert_eq!(codes(&p.anomalies), vec!["zip-local-header-mismatch"]);
        assert!(p.anomalies[0]
            .detail
            .contains("compression method 4919 vs 0"));
        assert_eq!(
            &*p.value
                .read(p.value.find("AndroidManifest.xml").unwrap(), 100)
                .unwrap(),
            b"<x/>"
        );
    }

    #[test]
    fn duplicates_and_trailing_data() {
        let mut z = build_zip(&[("a", b"1", false), ("a", b"2", false)]);
        z.extend_from_slice(b"junk");
        let p = Archive::parse(&z).unwrap();
        let c = codes(&p.anomalies);
        assert!(c.contains(&"zip-duplicate-entry"));
        assert!(c.contains(&"zip-trailing-data"));
        assert_eq!(
            &*p.value.read(p.value.find("a").unwrap(), 10).unwrap(),
            b"1"
        );
    }

    #[test]
    fn name_index_finds_every_entry_and_each_first_duplicate() {
        let names: Vec<String> = (0..3000).map(|i| format!("res/raw/f{i}.bin")).collect();
        let mut entries: Vec<(&str, &[u8], bool)> = names
            .iter()
            .map(|n| (n.as_str(), &b"x"[..], false))
            .collect();
        entries.push(("res/raw/f7.bin", b"second", false));
        entries.push(("res/raw/f7.bin", b"third", false));
        let z = build_zip(&entries);
        let p = Archive::parse(&z).unwrap();
        let ar = &p.value;
        for n in &names {
            assert_eq!(&*ar.find(n).unwrap().name, n.as_str());
        }
        assert!(ar.find("res/raw/f3000.bin").is_none());
        assert_eq!(
            &*ar.read(ar.find("res/raw/f7.bin").unwrap(), 10).unwrap(),
            b"x"
        );
        let dups: Vec<_> = p
            .anomalies
            .iter()
            .filter(|a| a.code == "zip-duplicate-entry")
            .collect();
        assert_eq!(dups.len(), 2);
        assert!(dups[0].offset < dups[1].offset, "in directory order");
        // The directory-only parse indexes the same names.
        let d = Archive::parse_directory(&z).unwrap();
        assert!(d.value.find("res/raw/f2999.bin").is_some());
        assert_eq!(codes(&d.anomalies), vec!["zip-duplicate-entry"; 2]);
    }

    #[test]
    fn crc_mismatch_is_reported() {
        let mut z = build_zip(&[("a", b"abc", false)]);
        let pos = z.windows(3).position(|w| w == b"abc").unwrap();
        z[pos] = b'x';
        let p = Archive::parse(&z).unwrap();
        let (_, an) = p
            .value
            .read_checked(p.value.find("a").unwrap(), 10)
            .unwrap();
        assert_eq!(codes(&an), vec!["zip-crc-mismatch"]);
    }

    #[test]
    fn no_panic_on_truncation_and_flips() {
        let z = build_zip(&[
            ("AndroidManifest.xml", &[1u8; 300], true),
            ("classes.dex", b"dex\n035", false),
        ]);
        for cut in 0..z.len() {
            if let Ok(p) = Archive::parse(&z[..cut]) {
                for e in p.value.entries() {
                    let _ = p.value.read(e, 1 << 20);
                }
            }
        }
        for i in 0..z.len() {
            for v in [0u8, 0xff, 0x80] {
                let mut m = z.clone();
                m[i] = v;
                if let Ok(p) = Archive::parse(&m) {
                    for e in p.value.entries() {
                        let _ = p.value.read(e, 1 << 20);
                    }
                }
            }
        }
    }
}
