//! Container stage: opening `.apk` files, split bundles (`.xapk`, `.apks`,
//! a directory of split APKs), zip entries and signing info.
//!
//! This module reads files (memory-mapped) but decodes nothing beyond the
//! zip layer: the formats stage turns entries into typed data. It never
//! extracts to disk and never follows nested bundles more than one level.
//!
//! ```no_run
//! let c = humiao::apk::open(std::path::Path::new("app.xapk"), &Default::default())?;
//! for apk in &c.apks {
//!     println!("{} {} bytes", apk.name, apk.bytes().len());
//! }
//! # Ok::<(), humiao::apk::OpenError>(())
//! ```
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod signing;
pub mod zip;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::formats::Anomaly;
use zip::{Archive, ZipError};

/// Limits that keep hostile inputs from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest uncompressed size of one entry that is read (bytes).
    pub max_entry_size: u64,
    /// Largest nested APK read out of a bundle (bytes).
    pub max_nested_apk_size: u64,
    /// Most split APKs read from one bundle or directory.
    pub max_splits: usize,
    /// Most entries in one zip (central-directory records). Each costs
    /// memory whether or not it is read.
    pub max_entries: usize,
    /// Most bytes of code (DEX and archives holding DEX) inflated for one
    /// input, over all its files; what lies beyond is reported as not
    /// analysed.
    pub max_code_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Generous enough for a 2 GB game's largest real entry.
            max_entry_size: 1 << 31,
            max_nested_apk_size: 1 << 31,
            max_splits: 256,
            // Large real games hold tens of thousands of entries.
            max_entries: 500_000,
            // Real apps hold well under 1 GB of DEX even with 100+ files.
            max_code_bytes: 4 << 30,
        }
    }
}

/// Checks a zip's entry count against [`Limits::max_entries`].
pub fn check_entry_count(archive: &Archive<'_>, limits: &Limits) -> Result<(), ZipError> {
    let n = archive.entries().len();
    if n > limits.max_entries {
        return Err(ZipError::TooManyEntries {
            entries: n,
            limit: limits.max_entries,
        });
    }
    Ok(())
}

/// Why an input could not be opened as an app.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file or directory could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The zip layer is broken.
    #[error("{0}")]
    Zip(#[from] ZipError),
    /// An Android App Bundle, which is a publishing format, not an install one.
    #[error("Android App Bundle (.aab) is not supported yet; build a universal APK with `bundletool build-apks --mode=universal` and scan that")]
    AppBundle,
    /// A zip with neither AndroidManifest.xml nor split APKs.
    #[error("no AndroidManifest.xml and no APKs inside: not an Android package")]
    NotAnApp,
    /// A directory without any `.apk` file.
    #[error("directory holds no .apk files")]
    EmptyDirectory,
    /// A split APK inside a bundle could not be read.
    #[error("split `{name}`: {source}")]
    Split {
        /// Entry name of the split.
        name: String,
        /// Cause.
        source: ZipError,
    },
}

/// What kind of input this was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerKind {
    /// A single APK.
    Apk,
    /// An XAPK (APKPure style: `manifest.json` plus APKs).
    Xapk,
    /// An APK set (bundletool `.apks`, or any zip of APKs).
    Apks,
    /// A directory of split APKs.
    SplitDirectory,
}

/// Bytes of a file: memory-mapped, or owned when mapping is impossible.
#[derive(Debug)]
enum Backing {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Mapped(m) => m,
            Backing::Owned(v) => v,
        }
    }

    /// `MADV_DONTNEED` on the pages under `sub`, if `sub` lies in this
    /// mapping.
    fn release(&self, sub: &[u8]) {
        let Backing::Mapped(m) = self else { return };
        let Some(offset) = (sub.as_ptr() as usize).checked_sub(m.as_ptr() as usize) else {
            return;
        };
        if sub.is_empty() || offset.saturating_add(sub.len()) > m.len() {
            return;
        }
        // SAFETY: `Mmap::map` maps the file shared and read-only, and
        // nothing writes through it. `MADV_DONTNEED` on such a mapping only
        // drops this process's page-table entries: the file's contents stay
        // in the page cache and the next read of these bytes (including
        // through borrows still alive) faults the same contents back in.
        // memmap2 rounds the range out to whole pages, which is equally
        // harmless for the neighbouring bytes. The advice is only a hint;
        // its failure changes nothing.
        let _ = unsafe {
            m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, sub.len())
        };
    }
}

fn map_file(path: &Path) -> std::io::Result<Backing> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(Backing::Owned(Vec::new()));
    }
    // SAFETY: the map is read-only and private to this process. If another
    // process truncates the file while we scan it, reads may fault
    // (SIGBUS); batch scans of files that change under them should copy
    // them first. That is the documented price of zero-copy reads.
    let map = unsafe { memmap2::Mmap::map(&file) }?;
    Ok(Backing::Mapped(map))
}

/// One APK of an app: the whole input file, a stored entry inside a bundle
/// (zero copy), or an inflated entry.
#[derive(Debug, Clone)]
pub struct ApkBlob {
    /// File name, or entry name inside a bundle.
    pub name: String,
    data: BlobData,
}

#[derive(Debug, Clone)]
enum BlobData {
    Whole(Arc<Backing>),
    Range(Arc<Backing>, usize, usize),
    Owned(Arc<Vec<u8>>),
}

impl zip::PageRelease for ApkBlob {
    fn release(&self, bytes: &[u8]) {
        match &self.data {
            BlobData::Whole(b) | BlobData::Range(b, _, _) => b.release(bytes),
            BlobData::Owned(_) => {}
        }
    }
}

impl ApkBlob {
    /// The APK's bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            BlobData::Whole(b) => b.bytes(),
            BlobData::Range(b, s, n) => b.bytes().get(*s..s.saturating_add(*n)).unwrap_or(&[]),
            BlobData::Owned(v) => v,
        }
    }
}

/// An opened input: one app made of one or more APKs.
#[derive(Debug)]
pub struct Container {
    /// Path as given.
    pub path: PathBuf,
    /// Input kind.
    pub kind: ContainerKind,
    /// Size in bytes of the input file (sum of APKs for a directory).
    pub size: u64,
    /// The APKs, base first when it can be told from names.
    pub apks: Vec<ApkBlob>,
    /// The input file's bytes (`None` for a directory).
    input: Option<Arc<Backing>>,
    /// `manifest.json` of an XAPK, raw.
    pub xapk_manifest: Option<serde_json::Value>,
    /// Anomalies of the outer bundle's zip layer.
    pub anomalies: Vec<Anomaly>,
    /// Bundle entries that are neither APKs nor known metadata.
    pub other_entries: Vec<String>,
}

impl Container {
    /// The whole input file (`None` for a directory of splits).
    pub fn input_bytes(&self) -> Option<&[u8]> {
        self.input.as_deref().map(Backing::bytes)
    }

    /// SHA-256 of the input file: streamed from disk for a mapped file,
    /// hashed in memory otherwise (`None` for a directory).
    pub fn input_sha256(&self) -> Option<String> {
        match self.input.as_deref()? {
            Backing::Mapped(_) => sha256_file(&self.path)
                .ok()
                .or_else(|| self.input_bytes().map(sha256_hex)),
            Backing::Owned(v) => Some(sha256_hex(v)),
        }
    }
}

/// Lowercase hex SHA-256 of a file, read in 1 MiB chunks rather than
/// through the memory map, so that hashing a large APK does not make its
/// every page resident in this process (peak RSS stays near the largest
/// inflated entry instead of the file size).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(hex(&h.finalize()))
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Opens `path` as an app: an APK file, an XAPK/APKS bundle, or a directory
/// of split APKs.
pub fn open(path: &Path, limits: &Limits) -> Result<Container, OpenError> {
    if path.is_dir() {
        return open_dir(path, limits);
    }
    open_backing(path, Arc::new(map_file(path)?), limits)
}

/// Opens an app held in memory; `name` stands for its path in messages.
pub fn open_bytes(name: &str, data: Vec<u8>, limits: &Limits) -> Result<Container, OpenError> {
    open_backing(Path::new(name), Arc::new(Backing::Owned(data)), limits)
}

fn open_backing(
    path: &Path,
    backing: Arc<Backing>,
    limits: &Limits,
) -> Result<Container, OpenError> {
    let bytes = backing.bytes();
    let size = bytes.len() as u64;
    // The directory alone tells an APK from a bundle; an APK's entries are
    // read (and its local headers checked) when it is scanned.
    let directory = Archive::parse_directory(bytes)?;
    check_entry_count(&directory.value, limits)?;
    let has = |n: &str| directory.value.find(n).is_some();

    if has("BundleConfig.pb") || has("base/manifest/AndroidManifest.xml") {
        return Err(OpenError::AppBundle);
    }
    if has("AndroidManifest.xml") {
        return Ok(Container {
            path: path.to_path_buf(),
            kind: ContainerKind::Apk,
            size,
            apks: vec![ApkBlob {
                name: file_name(path),
                data: BlobData::Whole(backing.clone()),
            }],
            input: Some(backing.clone()),
            xapk_manifest: None,
            anomalies: Vec::new(), // the APK's own zip anomalies are reported per APK
            other_entries: Vec::new(),
        });
    }

    let parsed = Archive::parse(bytes)?;
    let archive = &parsed.value;
    let mut apk_entries: Vec<&zip::Entry> = archive
        .entries()
        .iter()
        .filter(|e| e.name.to_ascii_lowercase().ends_with(".apk"))
        .collect();
    if apk_entries.is_empty() {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("aab"))
        {
            return Err(OpenError::AppBundle);
        }
        return Err(OpenError::NotAnApp);
    }
    let mut anomalies = parsed.anomalies.clone();
    // Base first: bundletool names it base-master.apk / splits/base-master.apk,
    // XAPKs name it after the package or "base.apk".
    apk_entries.sort_by_key(|e| (!is_base_name(&e.name), e.name.clone()));
    if apk_entries.len() > limits.max_splits {
        anomalies.push(Anomaly::new(
            "bundle-too-many-splits",
            None,
            format!(
                "{} APKs in the bundle; only the first {} are read",
                apk_entries.len(),
                limits.max_splits
            ),
        ));
        apk_entries.truncate(limits.max_splits);
    }
    let mut apks = Vec::with_capacity(apk_entries.len());
    for e in apk_entries {
        let (data, mut a) = archive
            .read_checked(e, limits.max_nested_apk_size)
            .map_err(|source| OpenError::Split {
                name: e.name.to_string(),
                source,
            })?;
        anomalies.append(&mut a);
        let data = match data {
            std::borrow::Cow::Borrowed(s) => {
                let start = (s.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
                BlobData::Range(backing.clone(), start, s.len())
            }
            std::borrow::Cow::Owned(v) => BlobData::Owned(Arc::new(v)),
        };
        apks.push(ApkBlob {
            name: e.name.to_string(),
            data,
        });
    }
    let xapk_manifest = archive
        .find("manifest.json")
        .and_then(|e| archive.read(e, 16 << 20).ok())
        .and_then(|d| serde_json::from_slice::<serde_json::Value>(&d).ok());
    let kind = if xapk_manifest.is_some() {
        ContainerKind::Xapk
    } else {
        ContainerKind::Apks
    };
    let other_entries = archive
        .entries()
        .iter()
        .filter(|e| !e.name.to_ascii_lowercase().ends_with(".apk") && !e.name.ends_with('/'))
        .map(|e| e.name.to_string())
        .collect();
    Ok(Container {
        path: path.to_path_buf(),
        kind,
        size,
        apks,
        input: Some(backing.clone()),
        xapk_manifest,
        anomalies,
        other_entries,
    })
}

fn is_base_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base == "base.apk" || base == "base-master.apk" || base.starts_with("base-master")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn open_dir(path: &Path, limits: &Limits) -> Result<Container, OpenError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("apk")))
        .collect();
    if files.is_empty() {
        return Err(OpenError::EmptyDirectory);
    }
    files.sort_by_key(|p| (!is_base_name(&file_name(p)), file_name(p)));
    let mut anomalies = Vec::new();
    if files.len() > limits.max_splits {
        anomalies.push(Anomaly::new(
            "bundle-too-many-splits",
            None,
            format!(
                "{} APKs in the directory; only the first {} are read",
                files.len(),
                limits.max_splits
            ),
        ));
        files.truncate(limits.max_splits);
    }
    let mut apks = Vec::with_capacity(files.len());
    let mut size = 0u64;
    for f in &files {
        let b = Arc::new(map_file(f)?);
        size += b.bytes().len() as u64;
        apks.push(ApkBlob {
            name: file_name(f),
            data: BlobData::Whole(b),
        });
    }
    Ok(Container {
        path: path.to_path_buf(),
        kind: ContainerKind::SplitDirectory,
        size,
        apks,
        input: None,
        xapk_manifest: None,
        anomalies,
        other_entries: Vec::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::apk::zip::tests::build_zip;

    #[test]
    fn released_pages_read_back_the_same() {
        let big: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let zip = build_zip(&[
            ("AndroidManifest.xml", b"x", false),
            ("classes.dex", &big, false),
            ("lib/a.so", &big, true),
        ]);
        let c = open(&tmp("release.apk", &zip), &Limits::default()).unwrap();
        let blob = &c.apks[0];
        let ar = zip::Archive::parse(blob.bytes())
            .unwrap()
            .value
            .with_page_release(blob);
        for name in ["classes.dex", "lib/a.so"] {
            let e = ar.find(name).unwrap();
            let before = ar.read(e, 1 << 30).unwrap().into_owned();
            ar.release(e);
            assert_eq!(ar.read(e, 1 << 30).unwrap(), before, "{name}");
            assert_eq!(before, big);
        }
        // Bytes that are not this blob's mapping are left alone.
        zip::PageRelease::release(blob, &big);
        zip::PageRelease::release(blob, &[]);
        assert_eq!(
            ar.read(ar.find("classes.dex").unwrap(), 1 << 30).unwrap(),
            big
        );
    }

    fn tmp(name: &str, data: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("humiao-apk-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    #[test]
    fn kinds() {
        let apk = build_zip(&[("AndroidManifest.xml", b"x", true)]);
        let c = open(&tmp("a.apk", &apk), &Limits::default()).unwrap();
        assert_eq!(c.kind, ContainerKind::Apk);
        assert_eq!(c.apks[0].bytes(), &apk[..]);

        let bundle = build_zip(&[
            ("split_config.zh.apk", &apk, false),
            ("base.apk", &apk, true),
            ("manifest.json", b"{\"package_name\":\"x\"}", false),
        ]);
        let c = open(&tmp("b.xapk", &bundle), &Limits::default()).unwrap();
        assert_eq!(c.kind, ContainerKind::Xapk);
        assert_eq!(c.apks.len(), 2);
        assert_eq!(c.apks[0].name, "base.apk");
        assert_eq!(c.apks[0].bytes(), &apk[..]);
        assert_eq!(c.apks[1].bytes(), &apk[..]);

        let aab = build_zip(&[
            ("base/manifest/AndroidManifest.xml", b"x", true),
            ("BundleConfig.pb", b"", false),
        ]);
        assert!(matches!(
            open(&tmp("c.aab", &aab), &Limits::default()),
            Err(OpenError::AppBundle)
        ));
        let none = build_zip(&[("hello.txt", b"x", true)]);
        assert!(matches!(
            open(&tmp("d.zip", &none), &Limits::default()),
            Err(OpenError::NotAnApp)
        ));
        assert!(matches!(
            open(&tmp("e.apk", b""), &Limits::default()),
            Err(OpenError::Zip(ZipError::Empty))
        ));
    }
}
