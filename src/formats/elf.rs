//! Native libraries (`lib/<abi>/*.so`): a thin adapter over
//! [goblin](https://docs.rs/goblin) that returns our own view, [`NativeLib`].
//!
//! What it reads: the machine and class, `DT_SONAME` and `DT_NEEDED`, the
//! exported `Java_*` functions (decoded back to class and method, see
//! [`demangle_jni`]), `JNI_OnLoad`, the imports listed in
//! [`IMPORTS_OF_INTEREST`], printable strings from read-only data, and the
//! UPX packer's marks.
//!
//! What it must not do: trust a count. goblin allocates from counts it reads
//! (m4b/goblin#120 is an open OOM-on-malformed-input issue), so the adapter
//! caps the input at [`MAX_INPUT`] and checks every table's offset, entry
//! size and count against the file length itself *before* goblin sees it.
//! Only small, bounded pieces of goblin are used (header, program and section
//! headers, the `_DYNAMIC` array, symbol decoding); string tables are read
//! here, lossily, so one bad name does not lose the whole table.
//!
//! Leniency follows Android's linker (bionic `linker/linker_phdr.cpp`): the
//! dynamic segment and `DT_*` addresses are authoritative, section headers
//! are optional (packers strip or forge them). Everything odd becomes an
//! [`Anomaly`]:
//!
//! | code | meaning |
//! |---|---|
//! | `elf-not-shared-object` | `e_type` is not `ET_DYN` |
//! | `elf-bad-phentsize` | `e_phentsize` is not the size of a program header (bionic refuses the file) |
//! | `elf-no-program-headers` | no program header table |
//! | `elf-program-headers-out-of-bounds` | the program header table runs past the end of the file |
//! | `elf-no-section-headers` | section headers stripped (`e_shoff` or `e_shnum` is 0): typical of packers |
//! | `elf-bad-shentsize` | `e_shentsize` is not the size of a section header; sections ignored |
//! | `elf-section-headers-out-of-bounds` | `e_shoff`/`e_shnum` run past the end of the file; sections ignored |
//! | `elf-bad-shstrndx` | `e_shstrndx` names no string table; sections have no names |
//! | `elf-section-out-of-bounds` | a section that was needed runs past the end of the file |
//! | `elf-no-dynamic` | no `PT_DYNAMIC` segment nor `.dynamic` section: no imports or exports can be listed |
//! | `elf-dynamic-out-of-bounds` | the dynamic array cannot be read |
//! | `elf-bad-address` | a `DT_*` address maps to no byte of the file |
//! | `elf-dynamic-too-long` | the dynamic array has more than [`MAX_DYNAMIC_ENTRIES`] entries; the rest is ignored |
//! | `elf-dynstr-out-of-bounds` | `DT_STRTAB`/`DT_STRSZ` run past the end of the file (truncated) |
//! | `elf-bad-string-offset` | a name's offset lies outside the dynamic string table |
//! | `elf-long-name` | a `DT_SONAME`/`DT_NEEDED` name longer than [`MAX_NAME_BYTES`] was cut |
//! | `elf-needed-capped` | more than [`MAX_NEEDED`] `DT_NEEDED` entries; the rest are not listed |
//! | `elf-dynsym-count-unknown` | neither `.dynsym` nor a hash table says how many symbols there are |
//! | `elf-dynsym-out-of-bounds` | the dynamic symbol table runs past the end of the file (truncated) |
//! | `elf-jni-name-undecodable` | exported `Java_*` symbols that are not valid JNI mangled names (counted, one example) |
//! | `elf-jni-exports-capped` | more than [`MAX_JNI_EXPORTS`] `Java_*` exports; the rest are not listed |
//! | `elf-strings-capped` | string extraction stopped at a limit ([`MAX_STRINGS`], [`MAX_STRING_BYTES`], [`MAX_STRING_SCAN`]) |
//! | `elf-upx` | UPX marks found (`packed = "upx"`) |
//! | `elf-anomalies-truncated` | more than [`MAX_ANOMALIES`] anomalies; the rest were not recorded |
//!
//! ```no_run
//! # fn f(bytes: &[u8]) -> Result<(), humiao::formats::elf::ElfError> {
//! let lib = humiao::formats::elf::read_native_lib(bytes)?.value;
//! for e in &lib.jni_exports {
//!     println!("{}.{}", e.class, e.method);
//! }
//! # Ok(()) }
//! ```

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::dynamic::{
    Dyn, DT_GNU_HASH, DT_HASH, DT_NEEDED, DT_SONAME, DT_STRSZ, DT_STRTAB, DT_SYMTAB,
};
use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{ProgramHeader, PF_W, PF_X, PT_DYNAMIC, PT_LOAD};
use goblin::elf::section_header::{SectionHeader, SHN_XINDEX, SHT_DYNAMIC, SHT_DYNSYM, SHT_NOBITS};
use goblin::elf::sym::{
    Sym, Symtab, STB_GLOBAL, STB_GNU_UNIQUE, STB_WEAK, STV_DEFAULT, STV_PROTECTED,
};
use goblin::elf::Dynamic;
use serde::Serialize;

use super::{Anomaly, Parsed};

/// Largest input handed to goblin (256 MiB). The biggest libraries seen in
/// store APKs (game engines, `libflutter.so`) are tens of MB.
pub const MAX_INPUT: usize = 256 << 20;
/// At most this many strings are kept.
pub const MAX_STRINGS: usize = 20_000;
/// A longer string is cut to this many bytes (at a character boundary).
pub const MAX_STRING_BYTES: usize = 4096;
/// String extraction stops after scanning this many bytes.
pub const MAX_STRING_SCAN: usize = 64 << 20;
/// Shortest string kept, in characters.
pub const MIN_STRING_CHARS: usize = 6;
/// `DT_SONAME`/`DT_NEEDED` names are cut at this many bytes.
pub const MAX_NAME_BYTES: usize = 4096;
/// At most this many `DT_NEEDED` entries are kept.
pub const MAX_NEEDED: usize = 1024;
/// At most this many `Java_*` exports are kept; longer symbols than
/// [`MAX_JNI_SYMBOL_BYTES`] are not decoded.
pub const MAX_JNI_EXPORTS: usize = 20_000;
/// Longest `Java_*` symbol decoded.
pub const MAX_JNI_SYMBOL_BYTES: usize = 1024;
/// The dynamic array is read up to this many entries (real ones have
/// tens).
pub const MAX_DYNAMIC_ENTRIES: u64 = 65_536;
/// At most this many anomalies are recorded per library.
pub const MAX_ANOMALIES: usize = 64;

/// Imported functions worth reporting, with the reason. A library that
/// imports one of these *can* do the thing; it is a lead, not a finding.
///
/// Names are bionic's libc and libdl exports. The anti-debugging uses
/// (`ptrace`, `inotify_*` on `/proc/self/mem`, `prctl`) are the ones the
/// OWASP Mobile Application Security Testing Guide describes under Android
/// anti-reversing defenses; `__system_property_get` reads device properties
/// such as `ro.serialno` (`bionic/libc/include/sys/system_properties.h`).
pub const IMPORTS_OF_INTEREST: &[(&str, &str)] = &[
    // Loading code at run time (packers, hot-fix SDKs, plug-ins).
    ("dlopen", "loads a library at run time"),
    ("android_dlopen_ext", "loads a library at run time"),
    (
        "dlsym",
        "looks up a symbol at run time (hides which API is called)",
    ),
    (
        "dl_iterate_phdr",
        "walks loaded libraries (hook and root detection)",
    ),
    // Anti-debugging.
    (
        "ptrace",
        "debugger detection or self-tracing (anti-debugging)",
    ),
    (
        "prctl",
        "changes process attributes (e.g. PR_SET_DUMPABLE, anti-debugging)",
    ),
    ("process_vm_readv", "reads another process's memory"),
    ("process_vm_writev", "writes another process's memory"),
    ("kill", "signals other processes"),
    ("syscall", "raw system calls (bypasses libc hooks)"),
    // Running programs.
    ("fork", "starts processes"),
    ("vfork", "starts processes"),
    ("execve", "runs programs"),
    ("execv", "runs programs"),
    ("execvp", "runs programs"),
    ("execl", "runs programs"),
    ("execlp", "runs programs"),
    ("posix_spawn", "runs programs"),
    ("system", "runs shell commands"),
    ("popen", "runs shell commands and reads their output"),
    // Network.
    ("socket", "opens network sockets"),
    ("connect", "connects to network peers"),
    ("bind", "listens on a network port"),
    ("sendto", "sends network data"),
    ("sendmsg", "sends network data"),
    ("send", "sends network data"),
    ("getaddrinfo", "resolves host names"),
    ("gethostbyname", "resolves host names"),
    (
        "getifaddrs",
        "lists network interfaces (IP and MAC addresses)",
    ),
    // Device identity.
    (
        "__system_property_get",
        "reads device properties (serial, model, build fingerprint)",
    ),
    ("__system_property_find", "reads device properties"),
    ("__system_property_read", "reads device properties"),
    ("__system_property_read_callback", "reads device properties"),
    (
        "__system_property_foreach",
        "enumerates all device properties",
    ),
    // Watching and self-modification.
    (
        "inotify_init",
        "watches files (anti-tamper, memory-dump detection)",
    ),
    (
        "inotify_init1",
        "watches files (anti-tamper, memory-dump detection)",
    ),
    (
        "inotify_add_watch",
        "watches files (anti-tamper, memory-dump detection)",
    ),
    (
        "mprotect",
        "changes memory protection (unpacking, self-modifying code)",
    ),
];

/// Why a native library could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ElfError {
    /// Not an ELF file: callers record this as a fact (a `lib/*/x.so` that
    /// is really a DEX, a zip or a picture).
    #[error("not an ELF file: magic {magic:02x?} ({looks_like})")]
    NotElf {
        /// The first four bytes (zero-padded).
        magic: [u8; 4],
        /// What the magic suggests, e.g. `"dex"`, `"zip"`, `"unknown"`.
        looks_like: &'static str,
    },
    /// Larger than [`MAX_INPUT`].
    #[error("file of {len} bytes exceeds the {max}-byte limit for native libraries")]
    TooLarge {
        /// File length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The ELF header itself is cut off.
    #[error("truncated ELF header: {len} bytes, {need} needed")]
    TruncatedHeader {
        /// File length.
        len: usize,
        /// Header length for this class.
        need: usize,
    },
    /// `EI_CLASS` is neither 32- nor 64-bit.
    #[error("unknown ELF class {ei_class} (`EI_CLASS`)")]
    BadClass {
        /// The byte found.
        ei_class: u8,
    },
    /// `EI_DATA` is neither little- nor big-endian.
    #[error("unknown ELF data encoding {ei_data} (`EI_DATA`)")]
    BadDataEncoding {
        /// The byte found.
        ei_data: u8,
    },
    /// goblin refused the header.
    #[error("malformed ELF header: {detail}")]
    BadHeader {
        /// goblin's message.
        detail: String,
    },
}

/// An exported JNI function (`Java_<class>_<method>[__<signature>]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct JniExport {
    /// The symbol as exported.
    pub symbol: String,
    /// Binary class name with dots, e.g. `com.example.Foo` or
    /// `com.example.Foo$Inner`.
    pub class: String,
    /// Method name.
    pub method: String,
    /// Argument part of the descriptor for overloaded natives, e.g.
    /// `ILjava/lang/String;` (the mangled form's `__` suffix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// What the scanner knows about one native library.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NativeLib {
    /// `aarch64`, `arm`, `x86`, `x86_64`, `mips`, `mips64`, `riscv64`, … or
    /// `unknown(0xNN)`.
    pub machine: String,
    /// 32 or 64.
    pub class: u8,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED`, in order.
    pub needed: Vec<String>,
    /// Exported `Java_*` functions, sorted by symbol.
    pub jni_exports: Vec<JniExport>,
    /// Whether `JNI_OnLoad` is exported (registers natives by hand, so
    /// [`NativeLib::jni_exports`] may be incomplete).
    pub has_jni_onload: bool,
    /// Imported functions from [`IMPORTS_OF_INTEREST`], sorted.
    pub imports_of_interest: Vec<String>,
    /// Printable strings from read-only data, in file order, deduplicated.
    pub strings: Vec<String>,
    /// Packer whose marks were found, e.g. `upx`.
    pub packed: Option<String>,
}

/// Reads a native library. Never panics; every count is checked against
/// the input length before goblin sees it.
///
/// See: <https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html>
pub fn read_native_lib(data: &[u8]) -> Result<Parsed<NativeLib>, ElfError> {
    if data.len() > MAX_INPUT {
        return Err(ElfError::TooLarge {
            len: data.len(),
            max: MAX_INPUT,
        });
    }
    let magic = first4(data);
    if magic != *b"\x7fELF" {
        return Err(ElfError::NotElf {
            magic,
            looks_like: looks_like(data),
        });
    }
    let ident = data
        .get(..header::SIZEOF_IDENT)
        .ok_or(ElfError::TruncatedHeader {
            len: data.len(),
            need: header::SIZEOF_IDENT,
        })?;
    let ei_class = ident.get(header::EI_CLASS).copied().unwrap_or(0);
    let ei_data = ident.get(header::EI_DATA).copied().unwrap_or(0);
    let (container, need) = match ei_class {
        header::ELFCLASS32 => (Container::Little, header::header32::SIZEOF_EHDR),
        header::ELFCLASS64 => (Container::Big, header::header64::SIZEOF_EHDR),
        _ => return Err(ElfError::BadClass { ei_class }),
    };
    let le = match ei_data {
        header::ELFDATA2LSB => Endian::Little,
        header::ELFDATA2MSB => Endian::Big,
        _ => return Err(ElfError::BadDataEncoding { ei_data }),
    };
    if data.len() < need {
        return Err(ElfError::TruncatedHeader {
            len: data.len(),
            need,
        });
    }
    let hdr = goblin::elf::Elf::parse_header(data).map_err(|e| ElfError::BadHeader {
        detail: e.to_string(),
    })?;
    let mut r = Reader {
        data,
        ctx: Ctx::new(container, le),
        anomalies: Vec::new(),
    };
    let value = r.read(&hdr);
    Ok(Parsed {
        value,
        anomalies: r.anomalies,
    })
}

fn first4(data: &[u8]) -> [u8; 4] {
    let mut m = [0u8; 4];
    for (d, s) in m.iter_mut().zip(data) {
        *d = *s;
    }
    m
}

/// A guess at what a non-ELF file is, from its first bytes.
fn looks_like(data: &[u8]) -> &'static str {
    let starts = |p: &[u8]| data.starts_with(p);
    if data.is_empty() {
        "empty"
    } else if starts(b"dex\n") {
        "dex"
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "zip"
    } else if starts(b"\x1f\x8b") {
        "gzip"
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        "7z"
    } else if starts(b"\xfd7zXZ\x00") {
        "xz"
    } else if starts(b"\x89PNG") {
        "png"
    } else if starts(b"\xff\xd8\xff") {
        "jpeg"
    } else if starts(b"MZ") {
        "pe"
    } else if starts(b"\xca\xfe\xba\xbe")
        || starts(b"\xcf\xfa\xed\xfe")
        || starts(b"\xce\xfa\xed\xfe")
    {
        "mach-o or java class"
    } else if starts(b"SQLite format 3\0") {
        "sqlite"
    } else if data
        .iter()
        .take(64)
        .all(|&b| b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b))
    {
        "text"
    } else {
        "unknown"
    }
}

/// A slice `[off, off + len)` of `data`, or `None`.
fn range(data: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(off).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    data.get(start..end)
}

/// The NUL-terminated name at `off` inside a string table, borrowed: a
/// forged table can make every name as long as the table, so names are only
/// copied (and capped) once they are kept.
fn cstr(table: &[u8], off: u64) -> Option<&[u8]> {
    let rest = table.get(usize::try_from(off).ok()?..)?;
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    rest.get(..end)
}

/// Lossy UTF-8 of at most `max` bytes of `b`.
fn lossy(b: &[u8], max: usize) -> String {
    String::from_utf8_lossy(b.get(..max).unwrap_or(b)).into_owned()
}

fn machine_name(e_machine: u16, is_64: bool) -> String {
    match e_machine {
        header::EM_AARCH64 => "aarch64".into(),
        header::EM_ARM => "arm".into(),
        header::EM_386 => "x86".into(),
        header::EM_X86_64 => "x86_64".into(),
        header::EM_MIPS if is_64 => "mips64".into(),
        header::EM_MIPS => "mips".into(),
        header::EM_RISCV if is_64 => "riscv64".into(),
        header::EM_RISCV => "riscv32".into(),
        other => format!("unknown({other:#x})"),
    }
}

/// Where the dynamic symbols and their names are.
struct DynInfo<'a> {
    strtab: &'a [u8],
    soname: Option<u64>,
    needed: Vec<u64>,
    symtab: Option<u64>,
    hash: Option<u64>,
    gnu_hash: Option<u64>,
}

struct Reader<'a> {
    data: &'a [u8],
    ctx: Ctx,
    anomalies: Vec<Anomaly>,
}

impl<'a> Reader<'a> {
    fn note(&mut self, code: &'static str, offset: Option<u64>, detail: impl Into<String>) {
        match self.anomalies.len() {
            n if n < MAX_ANOMALIES => self.anomalies.push(Anomaly::new(code, offset, detail)),
            n if n == MAX_ANOMALIES => self.anomalies.push(Anomaly::new(
                "elf-anomalies-truncated",
                None,
                format!("more than {MAX_ANOMALIES} anomalies; the rest were not recorded"),
            )),
            _ => {}
        }
    }

    fn read(&mut self, hdr: &Header) -> NativeLib {
        let is_64 = self.ctx.container.is_big();
        let mut lib = NativeLib {
            machine: machine_name(hdr.e_machine, is_64),
            class: if is_64 { 64 } else { 32 },
            ..NativeLib::default()
        };
        if hdr.e_type != header::ET_DYN {
            self.note(
                "elf-not-shared-object",
                None,
                format!(
                    "e_type is {} ({}), not ET_DYN",
                    hdr.e_type,
                    header::et_to_str(hdr.e_type)
                ),
            );
        }
        let phdrs = self.program_headers(hdr);
        let sections = self.section_headers(hdr);
        let names = self.section_names(hdr, &sections);
        lib.packed = self.upx(&sections, &names);

        let dyns = self.dynamic(&phdrs, &sections);
        let info = dyns.as_deref().map(|d| self.dyn_info(d, &phdrs, &sections));
        if let Some(info) = &info {
            lib.soname = info
                .soname
                .and_then(|off| self.name(info.strtab, off, "DT_SONAME"));
            if info.needed.len() > MAX_NEEDED {
                self.note(
                    "elf-needed-capped",
                    None,
                    format!(
                        "{} DT_NEEDED entries; the first {MAX_NEEDED} are kept",
                        info.needed.len()
                    ),
                );
            }
            let needed: Vec<u64> = info.needed.iter().take(MAX_NEEDED).copied().collect();
            lib.needed = needed
                .into_iter()
                .filter_map(|off| self.name(info.strtab, off, "DT_NEEDED"))
                .collect();
        }
        self.symbols(info.as_ref(), &sections, &mut lib);
        lib.strings = self.strings(&phdrs, &sections, &names, info.as_ref());
        lib
    }

    /// Program headers, checked against the file before goblin reads them.
    fn program_headers(&mut self, hdr: &Header) -> Vec<ProgramHeader> {
        let size = ProgramHeader::size(self.ctx);
        if usize::from(hdr.e_phentsize) != size && hdr.e_phnum != 0 {
            self.note(
                "elf-bad-phentsize",
                None,
                format!(
                    "e_phentsize is {}, expected {size}; Android's linker refuses such a file",
                    hdr.e_phentsize
                ),
            );
        }
        if hdr.e_phnum == 0 || hdr.e_phoff == 0 {
            self.note("elf-no-program-headers", None, "no program header table");
            return Vec::new();
        }
        let count = usize::from(hdr.e_phnum);
        let fits = count
            .checked_mul(size)
            .and_then(|n| range(self.data, hdr.e_phoff, n as u64))
            .is_some();
        if !fits {
            self.note(
                "elf-program-headers-out-of-bounds",
                Some(hdr.e_phoff),
                format!(
                    "{count} program headers at {:#x} run past the end ({} bytes)",
                    hdr.e_phoff,
                    self.data.len()
                ),
            );
            return Vec::new();
        }
        let Ok(off) = usize::try_from(hdr.e_phoff) else {
            return Vec::new();
        };
        match ProgramHeader::parse(self.data, off, count, self.ctx) {
            Ok(p) => p,
            Err(e) => {
                self.note(
                    "elf-program-headers-out-of-bounds",
                    Some(hdr.e_phoff),
                    format!("goblin: {e}"),
                );
                Vec::new()
            }
        }
    }

    /// Section headers, or none (with an anomaly) when stripped or bad.
    fn section_headers(&mut self, hdr: &Header) -> Vec<SectionHeader> {
        let size = SectionHeader::size(self.ctx);
        if hdr.e_shoff == 0 || (hdr.e_shnum == 0 && hdr.e_shentsize == 0) {
            self.note(
                "elf-no-section-headers",
                None,
                "section headers are stripped (common with packers)",
            );
            return Vec::new();
        }
        if usize::from(hdr.e_shentsize) != size {
            self.note(
                "elf-bad-shentsize",
                Some(hdr.e_shoff),
                format!(
                    "e_shentsize is {}, expected {size}; section headers ignored",
                    hdr.e_shentsize
                ),
            );
            return Vec::new();
        }
        let Ok(off) = usize::try_from(hdr.e_shoff) else {
            self.note(
                "elf-section-headers-out-of-bounds",
                Some(hdr.e_shoff),
                "e_shoff does not fit in memory",
            );
            return Vec::new();
        };
        // e_shnum == 0 with e_shoff != 0: the count lives in sh_size of
        // section 0 (extended numbering, gABI "Sections").
        let mut count = u64::from(hdr.e_shnum);
        if count == 0 {
            let first = range(self.data, hdr.e_shoff, size as u64)
                .and_then(|_| SectionHeader::parse_from(self.data, off, 1, self.ctx).ok())
                .and_then(|v| v.into_iter().next());
            count = first.map_or(0, |s| s.sh_size);
            if count == 0 {
                self.note(
                    "elf-no-section-headers",
                    Some(hdr.e_shoff),
                    "e_shnum is 0: no section headers",
                );
                return Vec::new();
            }
        }
        let fits = count
            .checked_mul(size as u64)
            .and_then(|n| range(self.data, hdr.e_shoff, n))
            .is_some();
        if !fits {
            self.note(
                "elf-section-headers-out-of-bounds",
                Some(hdr.e_shoff),
                format!(
                    "{count} section headers at {:#x} run past the end ({} bytes)",
                    hdr.e_shoff,
                    self.data.len()
                ),
            );
            return Vec::new();
        }
        let Ok(count) = usize::try_from(count) else {
            return Vec::new();
        };
        match SectionHeader::parse_from(self.data, off, count, self.ctx) {
            Ok(s) => s,
            Err(e) => {
                self.note(
                    "elf-section-headers-out-of-bounds",
                    Some(hdr.e_shoff),
                    format!("goblin: {e}"),
                );
                Vec::new()
            }
        }
    }

    /// Section names (empty strings when there is no usable `.shstrtab`).
    fn section_names(&mut self, hdr: &Header, sections: &[SectionHeader]) -> Vec<&'a [u8]> {
        if sections.is_empty() {
            return Vec::new();
        }
        let mut idx = u64::from(hdr.e_shstrndx);
        if hdr.e_shstrndx == SHN_XINDEX as u16 {
            idx = sections.first().map_or(0, |s| u64::from(s.sh_link));
        }
        let table = usize::try_from(idx)
            .ok()
            .filter(|&i| i != 0)
            .and_then(|i| sections.get(i))
            .filter(|s| s.sh_type != SHT_NOBITS)
            .and_then(|s| range(self.data, s.sh_offset, s.sh_size));
        let Some(table) = table else {
            self.note(
                "elf-bad-shstrndx",
                None,
                format!("e_shstrndx {idx} names no string table"),
            );
            return vec![&[][..]; sections.len()];
        };
        sections
            .iter()
            .map(|s| cstr(table, s.sh_name as u64).unwrap_or_default())
            .collect()
    }

    /// UPX puts `UPX!` right after the program headers and in its trailer;
    /// PE-style `UPX0`/`UPX1` section names appear in some variants.
    fn upx(&mut self, sections: &[SectionHeader], names: &[&[u8]]) -> Option<String> {
        let head = self
            .data
            .get(..self.data.len().min(4096))
            .unwrap_or_default();
        let tail = self
            .data
            .get(self.data.len().saturating_sub(4096)..)
            .unwrap_or_default();
        let magic = |b: &[u8]| b.windows(4).position(|w| w == b"UPX!");
        let found = if let Some(p) = magic(head) {
            Some((p as u64, "`UPX!` magic near the start".to_string()))
        } else if let Some(p) = magic(tail) {
            Some((
                (self.data.len().saturating_sub(tail.len()) + p) as u64,
                "`UPX!` magic in the trailer".to_string(),
            ))
        } else {
            names
                .iter()
                .zip(sections)
                .find(|(n, _)| matches!(**n, b"UPX0" | b"UPX1" | b".upx"))
                .map(|(n, s)| (s.sh_offset, format!("section `{}`", lossy(n, 16))))
        };
        let (off, why) = found?;
        self.note("elf-upx", Some(off), format!("packed with UPX: {why}"));
        Some("upx".to_string())
    }

    /// The `_DYNAMIC` array: from `PT_DYNAMIC` as the linker does, else
    /// from a `.dynamic` section.
    fn dynamic(&mut self, phdrs: &[ProgramHeader], sections: &[SectionHeader]) -> Option<Vec<Dyn>> {
        let seg = phdrs
            .iter()
            .find(|p| p.p_type == PT_DYNAMIC)
            .cloned()
            .or_else(|| {
                sections
                    .iter()
                    .find(|s| s.sh_type == SHT_DYNAMIC)
                    .map(|s| ProgramHeader {
                        p_type: PT_DYNAMIC,
                        p_offset: s.sh_offset,
                        p_filesz: s.sh_size,
                        ..ProgramHeader::default()
                    })
            });
        let Some(mut seg) = seg else {
            self.note(
                "elf-no-dynamic",
                None,
                "no PT_DYNAMIC segment nor .dynamic section",
            );
            return None;
        };
        if range(self.data, seg.p_offset, seg.p_filesz).is_none() {
            let avail = usize::try_from(seg.p_offset)
                .ok()
                .map(|o| self.data.len().saturating_sub(o))
                .unwrap_or(0);
            self.note(
                "elf-dynamic-out-of-bounds",
                Some(seg.p_offset),
                format!(
                    "dynamic array at {:#x} ({} bytes) runs past the end; truncated",
                    seg.p_offset, seg.p_filesz
                ),
            );
            seg.p_filesz = avail as u64;
        }
        let ent = Dyn::size(self.ctx.container) as u64;
        if seg.p_filesz / ent > MAX_DYNAMIC_ENTRIES {
            self.note(
                "elf-dynamic-too-long",
                Some(seg.p_offset),
                format!(
                    "dynamic array of {} entries; the first {MAX_DYNAMIC_ENTRIES} are read",
                    seg.p_filesz / ent
                ),
            );
            seg.p_filesz = MAX_DYNAMIC_ENTRIES * ent;
        }
        match Dynamic::parse(self.data, std::slice::from_ref(&seg), self.ctx) {
            Ok(Some(d)) => Some(d.dyns),
            Ok(None) => None,
            Err(e) => {
                self.note(
                    "elf-dynamic-out-of-bounds",
                    Some(seg.p_offset),
                    format!("goblin: {e}"),
                );
                None
            }
        }
    }

    /// Maps a virtual address to a file offset through `PT_LOAD` segments,
    /// else through allocated sections.
    fn vaddr_to_offset(
        &self,
        addr: u64,
        phdrs: &[ProgramHeader],
        sections: &[SectionHeader],
    ) -> Option<u64> {
        let via_seg = phdrs.iter().filter(|p| p.p_type == PT_LOAD).find_map(|p| {
            let delta = addr.checked_sub(p.p_vaddr)?;
            (delta < p.p_filesz)
                .then(|| p.p_offset.checked_add(delta))
                .flatten()
        });
        via_seg.or_else(|| {
            sections
                .iter()
                .filter(|s| s.sh_type != SHT_NOBITS && s.sh_addr != 0)
                .find_map(|s| {
                    let delta = addr.checked_sub(s.sh_addr)?;
                    (delta < s.sh_size)
                        .then(|| s.sh_offset.checked_add(delta))
                        .flatten()
                })
        })
    }

    fn dyn_info(
        &mut self,
        dyns: &[Dyn],
        phdrs: &[ProgramHeader],
        sections: &[SectionHeader],
    ) -> DynInfo<'a> {
        let mut info = DynInfo {
            strtab: &[],
            soname: None,
            needed: Vec::new(),
            symtab: None,
            hash: None,
            gnu_hash: None,
        };
        let (mut strtab, mut strsz) = (None, 0u64);
        for d in dyns {
            let addr = |me: &mut Self, what: &str| {
                let off = me.vaddr_to_offset(d.d_val, phdrs, sections);
                if off.is_none() {
                    me.note(
                        "elf-bad-address",
                        None,
                        format!("{what} {:#x} maps to no byte of the file", d.d_val),
                    );
                }
                off
            };
            match d.d_tag {
                DT_NEEDED => info.needed.push(d.d_val),
                DT_SONAME => info.soname = Some(d.d_val),
                DT_STRTAB => strtab = addr(self, "DT_STRTAB"),
                DT_STRSZ => strsz = d.d_val,
                DT_SYMTAB => info.symtab = addr(self, "DT_SYMTAB"),
                DT_HASH => info.hash = addr(self, "DT_HASH"),
                DT_GNU_HASH => info.gnu_hash = addr(self, "DT_GNU_HASH"),
                _ => {}
            }
        }
        if let Some(off) = strtab {
            info.strtab = match range(self.data, off, strsz) {
                Some(t) => t,
                None => {
                    self.note(
                        "elf-dynstr-out-of-bounds",
                        Some(off),
                        format!("DT_STRTAB at {off:#x} with DT_STRSZ {strsz} runs past the end; truncated"),
                    );
                    usize::try_from(off)
                        .ok()
                        .and_then(|o| self.data.get(o..))
                        .unwrap_or_default()
                }
            };
        }
        info
    }

    fn name(&mut self, table: &[u8], off: u64, what: &str) -> Option<String> {
        let Some(n) = cstr(table, off) else {
            self.note(
                "elf-bad-string-offset",
                None,
                format!(
                    "{what} name offset {off} is outside the dynamic string table ({} bytes)",
                    table.len()
                ),
            );
            return None;
        };
        if n.len() > MAX_NAME_BYTES {
            self.note(
                "elf-long-name",
                None,
                format!("{what} name of {} bytes cut to {MAX_NAME_BYTES}", n.len()),
            );
        }
        Some(lossy(n, MAX_NAME_BYTES))
    }

    /// The dynamic symbol table: the `.dynsym` section when it is the one
    /// `DT_SYMTAB` points at (as readelf), else `DT_SYMTAB` with a count
    /// from `DT_HASH`/`DT_GNU_HASH` (as the linker sees it).
    fn symtab(
        &mut self,
        info: Option<&DynInfo<'a>>,
        sections: &[SectionHeader],
    ) -> Option<(u64, u64, &'a [u8])> {
        let ent = Sym::size(self.ctx.container) as u64;
        let dynsym_sec = sections.iter().find(|s| s.sh_type == SHT_DYNSYM);
        let sec_strtab = |s: &SectionHeader| {
            usize::try_from(s.sh_link)
                .ok()
                .and_then(|i| sections.get(i))
                .and_then(|t| range(self.data, t.sh_offset, t.sh_size))
                .unwrap_or_default()
        };
        match (info.and_then(|i| i.symtab), dynsym_sec) {
            (Some(off), Some(s)) if s.sh_offset == off => {
                let table = info
                    .map(|i| i.strtab)
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| sec_strtab(s));
                Some((off, s.sh_size / ent, table))
            }
            (Some(off), _) => {
                let info = info?;
                let count = match (info.hash, info.gnu_hash) {
                    (Some(h), _) => self.u32_at(h.saturating_add(4)).map(u64::from),
                    (None, Some(g)) => self.gnu_hash_count(g),
                    (None, None) => None,
                };
                let Some(count) = count else {
                    self.note(
                        "elf-dynsym-count-unknown",
                        Some(off),
                        "no .dynsym section and no readable DT_HASH/DT_GNU_HASH: symbol count unknown",
                    );
                    return None;
                };
                Some((off, count, info.strtab))
            }
            (None, Some(s)) => Some((s.sh_offset, s.sh_size / ent, sec_strtab(s))),
            (None, None) => None,
        }
    }

    fn u32_at(&self, off: u64) -> Option<u32> {
        let b: [u8; 4] = range(self.data, off, 4)?.try_into().ok()?;
        Some(if self.ctx.le.is_little() {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// Symbol count from a GNU hash table: one past the last symbol any
    /// chain reaches (readelf's method). Every step is bounds-checked, so a
    /// forged table costs at most one pass over the file.
    ///
    /// See: <https://flapenguin.me/elf-dt-gnu-hash>
    fn gnu_hash_count(&self, off: u64) -> Option<u64> {
        let nbuckets = u64::from(self.u32_at(off)?);
        let symoffset = u64::from(self.u32_at(off.checked_add(4)?)?);
        let bloom_size = u64::from(self.u32_at(off.checked_add(8)?)?);
        let word = if self.ctx.container.is_big() { 8 } else { 4 };
        let buckets = off
            .checked_add(16)?
            .checked_add(bloom_size.checked_mul(word)?)?;
        range(self.data, buckets, nbuckets.checked_mul(4)?)?;
        let mut last = 0u64;
        for i in 0..nbuckets {
            last = last.max(u64::from(self.u32_at(buckets + i * 4)?));
        }
        if last < symoffset {
            return Some(symoffset);
        }
        let chains = buckets.checked_add(nbuckets * 4)?;
        let mut idx = last;
        loop {
            let h =
                self.u32_at(chains.checked_add(idx.checked_sub(symoffset)?.checked_mul(4)?)?)?;
            idx += 1;
            if h & 1 != 0 {
                return Some(idx);
            }
        }
    }

    fn symbols(
        &mut self,
        info: Option<&DynInfo<'a>>,
        sections: &[SectionHeader],
        lib: &mut NativeLib,
    ) {
        let Some((off, mut count, strtab)) = self.symtab(info, sections) else {
            return;
        };
        let ent = Sym::size(self.ctx.container) as u64;
        let avail = usize::try_from(off)
            .ok()
            .map_or(0, |o| self.data.len().saturating_sub(o)) as u64
            / ent;
        if count > avail {
            self.note(
                "elf-dynsym-out-of-bounds",
                Some(off),
                format!("{count} dynamic symbols at {off:#x} run past the end; {avail} read"),
            );
            count = avail;
        }
        let (Ok(o), Ok(n)) = (usize::try_from(off), usize::try_from(count)) else {
            return;
        };
        if n == 0 {
            return;
        }
        let syms = match Symtab::parse(self.data, o, n, self.ctx) {
            Ok(s) => s,
            Err(e) => {
                self.note(
                    "elf-dynsym-out-of-bounds",
                    Some(off),
                    format!("goblin: {e}"),
                );
                return;
            }
        };
        let interesting: HashMap<&[u8], &'static str> = IMPORTS_OF_INTEREST
            .iter()
            .map(|(n, _)| (n.as_bytes(), *n))
            .collect();
        let mut imports = BTreeSet::new();
        let (mut bad_names, mut undecodable, mut capped) = (0usize, 0usize, 0usize);
        let mut example = None;
        for sym in syms.iter() {
            let bind = sym.st_bind();
            if !matches!(bind, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE) || sym.st_name == 0 {
                continue;
            }
            let Some(name) = cstr(strtab, sym.st_name as u64) else {
                bad_names += 1;
                continue;
            };
            if sym.st_shndx == 0 {
                if let Some(n) = interesting.get(name) {
                    imports.insert(*n);
                }
                continue;
            }
            if !matches!(sym.st_visibility(), STV_DEFAULT | STV_PROTECTED) {
                continue;
            }
            if name == b"JNI_OnLoad" {
                lib.has_jni_onload = true;
            } else if name.starts_with(b"Java_") {
                if lib.jni_exports.len() >= MAX_JNI_EXPORTS {
                    capped += 1;
                    continue;
                }
                let decoded = Some(name)
                    .filter(|n| n.len() <= MAX_JNI_SYMBOL_BYTES)
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .and_then(demangle_jni);
                match decoded {
                    Some(e) => lib.jni_exports.push(e),
                    None => {
                        undecodable += 1;
                        example.get_or_insert_with(|| lossy(name, 200));
                    }
                }
            }
        }
        if bad_names > 0 {
            self.note(
                "elf-bad-string-offset",
                Some(off),
                format!(
                    "{bad_names} dynamic symbols name offsets outside the string table ({} bytes)",
                    strtab.len()
                ),
            );
        }
        if let Some(example) = example {
            self.note(
                "elf-jni-name-undecodable",
                None,
                format!(
                    "{undecodable} exported Java_* symbols are not valid JNI mangled names (or longer than \
                     {MAX_JNI_SYMBOL_BYTES} bytes), e.g. `{example}`"
                ),
            );
        }
        if capped > 0 {
            self.note(
                "elf-jni-exports-capped",
                None,
                format!("{capped} Java_* exports beyond the first {MAX_JNI_EXPORTS} were not kept"),
            );
        }
        lib.imports_of_interest = imports.into_iter().map(str::to_string).collect();
        lib.jni_exports.sort();
        lib.jni_exports.dedup();
    }

    /// Byte ranges to scan for strings: `.rodata*` and `.data.rel.ro*`
    /// sections; without section headers, the non-writable `PT_LOAD`
    /// segments minus the dynamic string table.
    fn string_ranges(
        &mut self,
        phdrs: &[ProgramHeader],
        sections: &[SectionHeader],
        names: &[&[u8]],
        info: Option<&DynInfo<'a>>,
    ) -> Vec<&'a [u8]> {
        let data = self.data;
        let mut out = Vec::new();
        if !sections.is_empty() {
            for (s, n) in sections.iter().zip(names) {
                if s.sh_type == SHT_NOBITS
                    || !(n.starts_with(b".rodata") || n.starts_with(b".data.rel.ro"))
                {
                    continue;
                }
                match range(data, s.sh_offset, s.sh_size) {
                    Some(b) => out.push(b),
                    None => self.note(
                        "elf-section-out-of-bounds",
                        Some(s.sh_offset),
                        format!(
                            "section `{}` ({} bytes at {:#x}) runs past the end",
                            lossy(n, 64),
                            s.sh_size,
                            s.sh_offset
                        ),
                    ),
                }
            }
            return out;
        }
        let loads: Vec<&ProgramHeader> = phdrs
            .iter()
            .filter(|p| p.p_type == PT_LOAD && p.p_flags & PF_W == 0)
            .collect();
        // lld puts read-only data in its own R segment; GNU ld shares R+X.
        let ro: Vec<&&ProgramHeader> = loads.iter().filter(|p| p.p_flags & PF_X == 0).collect();
        let pick: Vec<&ProgramHeader> = if ro.is_empty() {
            loads.clone()
        } else {
            ro.into_iter().copied().collect()
        };
        let dynstr = info.map(|i| i.strtab).unwrap_or_default();
        for p in pick {
            let Some(seg) = range(data, p.p_offset, p.p_filesz) else {
                continue;
            };
            // Skip the dynamic string table: its names are reported already.
            let start = dynstr.as_ptr() as usize;
            let seg_start = seg.as_ptr() as usize;
            if !dynstr.is_empty()
                && start >= seg_start
                && start + dynstr.len() <= seg_start + seg.len()
            {
                let a = start - seg_start;
                out.extend(seg.get(..a));
                out.extend(seg.get(a + dynstr.len()..));
            } else {
                out.push(seg);
            }
        }
        out
    }

    fn strings(
        &mut self,
        phdrs: &[ProgramHeader],
        sections: &[SectionHeader],
        names: &[&[u8]],
        info: Option<&DynInfo<'a>>,
    ) -> Vec<String> {
        let ranges = self.string_ranges(phdrs, sections, names, info);
        let mut ex = Extractor::default();
        for r in ranges {
            if !ex.scan(r) {
                break;
            }
        }
        if !ex.capped.is_empty() {
            let capped = ex.capped.join(", ");
            self.note(
                "elf-strings-capped",
                None,
                format!("string extraction limited: {capped}"),
            );
        }
        ex.out
    }
}

/// Printable-string extraction with the caps of [`MAX_STRINGS`],
/// [`MAX_STRING_BYTES`] and [`MAX_STRING_SCAN`].
#[derive(Default)]
struct Extractor {
    out: Vec<String>,
    /// Hash of each kept string → its indices in `out`: deduplication
    /// without a second copy of every string.
    seen: HashMap<u64, Vec<usize>>,
    scanned: usize,
    capped: Vec<&'static str>,
}

/// Characters that may appear in a kept string: printable ASCII, and the
/// non-ASCII ranges real app strings use (Latin-1 and Latin Extended-A,
/// general punctuation, CJK, Hangul, full-width forms). Anything else ends a
/// run, which keeps random bytes that happen to be valid UTF-8 out.
fn printable(c: char) -> bool {
    matches!(c,
        ' '..='~' | '\t'
        | '\u{a0}'..='\u{17f}'
        | '\u{2000}'..='\u{206f}'
        | '\u{2e80}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ffef}')
}

impl Extractor {
    /// Scans one range; false once a cap stops extraction.
    fn scan(&mut self, bytes: &[u8]) -> bool {
        let left = MAX_STRING_SCAN.saturating_sub(self.scanned);
        let bytes = match bytes.get(..left) {
            Some(b) if b.len() < bytes.len() => {
                self.capped.push("64 MiB scanned");
                b
            }
            _ => bytes,
        };
        self.scanned += bytes.len();
        for chunk in bytes.utf8_chunks() {
            for run in chunk.valid().split(|c: char| !printable(c)) {
                if run.chars().nth(MIN_STRING_CHARS - 1).is_none() {
                    continue;
                }
                if !self.push(run) {
                    return false;
                }
            }
        }
        left > bytes.len()
    }

    fn push(&mut self, run: &str) -> bool {
        let mut s = run;
        if s.len() > MAX_STRING_BYTES {
            let mut end = MAX_STRING_BYTES;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s = s.get(..end).unwrap_or_default();
            if !self.capped.contains(&"long strings cut at 4096 bytes") {
                self.capped.push("long strings cut at 4096 bytes");
            }
        }
        let mut h = DefaultHasher::new();
        s.hash(&mut h);
        let bucket = self.seen.entry(h.finish()).or_default();
        if bucket
            .iter()
            .any(|&i| self.out.get(i).is_some_and(|o| o == s))
        {
            return true;
        }
        if self.out.len() >= MAX_STRINGS {
            self.capped.push("20000 strings kept");
            return false;
        }
        bucket.push(self.out.len());
        self.out.push(s.to_string());
        true
    }
}

/// Decodes a JNI short or long native-method name back to class, method and
/// (for overloads) the argument descriptor. `None` if `symbol` is not a
/// valid mangled name.
///
/// Escapes: `_1` is `_`, `_2` is `;`, `_3` is `[`, `_0xxxx` is the UTF-16
/// unit `xxxx`; a plain `_` stands for `/` (a package separator) and `__`
/// starts the argument signature.
///
/// See: <https://docs.oracle.com/javase/8/docs/technotes/guides/jni/spec/design.html#resolving_native_method_names>
/// and ART's `MangleForJni` (`art/libdexfile/dex/descriptors_names.cc`).
pub fn demangle_jni(symbol: &str) -> Option<JniExport> {
    #[derive(PartialEq)]
    enum Tok {
        Unit(u16),
        Sep,
    }
    let body = symbol.strip_prefix("Java_")?;
    let b = body.as_bytes();
    let mut toks = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i += 1;
        match c {
            b'_' => match b.get(i) {
                Some(b'0') => {
                    let hex = body.get(i + 1..i + 5)?;
                    if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                        return None;
                    }
                    toks.push(Tok::Unit(u16::from_str_radix(hex, 16).ok()?));
                    i += 5;
                }
                Some(b'1') => {
                    toks.push(Tok::Unit(u16::from(b'_')));
                    i += 1;
                }
                Some(b'2') => {
                    toks.push(Tok::Unit(u16::from(b';')));
                    i += 1;
                }
                Some(b'3') => {
                    toks.push(Tok::Unit(u16::from(b'[')));
                    i += 1;
                }
                _ => toks.push(Tok::Sep),
            },
            c if c.is_ascii_alphanumeric() => toks.push(Tok::Unit(u16::from(c))),
            _ => return None,
        }
    }
    // `__` (two plain separators) starts the signature; escapes guarantee
    // that no name component is empty, so this is unambiguous.
    let split = toks
        .windows(2)
        .position(|w| w.first() == Some(&Tok::Sep) && w.get(1) == Some(&Tok::Sep));
    let (name, sig) = match split {
        Some(p) => (toks.get(..p)?, Some(toks.get(p + 2..)?)),
        None => (toks.as_slice(), None),
    };
    let decode = |t: &[Tok], sep: char| -> Option<String> {
        let mut units: Vec<u16> = Vec::with_capacity(t.len());
        for x in t {
            units.push(match x {
                Tok::Unit(u) => *u,
                Tok::Sep => sep as u16,
            });
        }
        String::from_utf16(&units).ok()
    };
    let last_sep = name.iter().rposition(|t| *t == Tok::Sep)?;
    let class = decode(name.get(..last_sep)?, '.')?;
    let method = decode(name.get(last_sep + 1..)?, '.')?;
    if class.is_empty()
        || method.is_empty()
        || class.starts_with('.')
        || class.ends_with('.')
        || class.contains("..")
    {
        return None;
    }
    let signature = match sig {
        Some(s) => Some(decode(s, '/')?),
        None => None,
    };
    Some(JniExport {
        symbol: symbol.to_string(),
        class,
        method,
        signature,
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;

    const X86_64: &[u8] = include_bytes!("../../tests/data/elf/libkidsdemo-x86_64.so");
    const ARM64: &[u8] = include_bytes!("../../tests/data/elf/libkidsdemo-arm64.so");
    const URL: &str = "https://native.example-tracker.test/collect";

    fn expected(machine: &str) -> NativeLib {
        NativeLib {
            machine: machine.into(),
            class: 64,
            soname: Some("libkidsdemo.so".into()),
            needed: vec!["libc.so.6".into()],
            jni_exports: vec![
                JniExport {
                    symbol: "Java_com_example_kidsdemo_NativeBridge_readId".into(),
                    class: "com.example.kidsdemo.NativeBridge".into(),
                    method: "readId".into(),
                    signature: None,
                },
                JniExport {
                    symbol:
                        "Java_com_example_kidsdemo_NativeBridge_send_1event__Ljava_lang_String_2I"
                            .into(),
                    class: "com.example.kidsdemo.NativeBridge".into(),
                    method: "send_event".into(),
                    signature: Some("Ljava/lang/String;I".into()),
                },
            ],
            has_jni_onload: true,
            imports_of_interest: vec!["__system_property_get".into()],
            strings: vec!["ro.serialno".into(), URL.into()],
            packed: None,
        }
    }

    #[test]
    fn fixture_decodes_exactly() {
        for (data, machine) in [(X86_64, "x86_64"), (ARM64, "aarch64")] {
            let p = read_native_lib(data).unwrap();
            assert_eq!(p.value, expected(machine));
            assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
        }
    }

    // ELF64 little-endian header fields used by the patching tests.
    fn put_u16(d: &mut [u8], off: usize, v: u16) {
        d[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(d: &mut [u8], off: usize, v: u64) {
        d[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }
    fn get_u64(d: &[u8], off: usize) -> u64 {
        u64::from_le_bytes(d[off..off + 8].try_into().unwrap())
    }
    const E_PHOFF: usize = 0x20;
    const E_SHOFF: usize = 0x28;
    const E_PHENTSIZE: usize = 0x36;
    const E_PHNUM: usize = 0x38;
    const E_SHENTSIZE: usize = 0x3a;
    const E_SHNUM: usize = 0x3c;
    const E_SHSTRNDX: usize = 0x3e;

    fn strip_sections(d: &mut [u8]) {
        put_u64(d, E_SHOFF, 0);
        put_u16(d, E_SHNUM, 0);
        put_u16(d, E_SHSTRNDX, 0);
    }

    /// File offsets of the `_DYNAMIC` entries (ELF64 LE).
    fn dyn_entries(d: &[u8]) -> Vec<usize> {
        let phoff = get_u64(d, E_PHOFF) as usize;
        let phnum = u16::from_le_bytes([d[E_PHNUM], d[E_PHNUM + 1]]) as usize;
        let ph = (0..phnum)
            .map(|i| phoff + i * 56)
            .find(|&p| d[p..p + 4] == 2u32.to_le_bytes())
            .unwrap();
        let (off, size) = (get_u64(d, ph + 8) as usize, get_u64(d, ph + 32) as usize);
        (off..off + size).step_by(16).collect()
    }

    fn codes(p: &Parsed<NativeLib>) -> Vec<&'static str> {
        p.anomalies.iter().map(|a| a.code).collect()
    }

    #[test]
    fn stripped_section_headers_use_the_dynamic_segment() {
        let mut d = X86_64.to_vec();
        strip_sections(&mut d);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-no-section-headers"]);
        let want = expected("x86_64");
        assert_eq!(p.value.soname, want.soname);
        assert_eq!(p.value.needed, want.needed);
        assert_eq!(p.value.jni_exports, want.jni_exports);
        assert!(p.value.has_jni_onload);
        assert_eq!(p.value.imports_of_interest, want.imports_of_interest);
        // Without sections the read-only segments are scanned, minus .dynstr.
        assert!(
            p.value.strings.iter().any(|s| s == URL),
            "{:?}",
            p.value.strings
        );
        assert!(
            !p.value.strings.iter().any(|s| s.starts_with("Java_")),
            "{:?}",
            p.value.strings
        );
    }

    #[test]
    fn gnu_hash_alone_gives_the_symbol_count() {
        let mut d = X86_64.to_vec();
        strip_sections(&mut d);
        for e in dyn_entries(&d) {
            if get_u64(&d, e) == DT_HASH {
                put_u64(&mut d, e, 0x6000_0001); // an OS-specific tag nobody reads
            }
        }
        let p = read_native_lib(&d).unwrap();
        assert_eq!(p.value.jni_exports, expected("x86_64").jni_exports);
        assert!(p.value.has_jni_onload);
        assert_eq!(p.value.imports_of_interest, ["__system_property_get"]);
        // Neither hash table: the count is unknown, and said so.
        for e in dyn_entries(&d) {
            if get_u64(&d, e) == DT_GNU_HASH {
                put_u64(&mut d, e, 0x6000_0001);
            }
        }
        let p = read_native_lib(&d).unwrap();
        assert!(
            codes(&p).contains(&"elf-dynsym-count-unknown"),
            "{:?}",
            p.anomalies
        );
        assert!(p.value.jni_exports.is_empty());
        assert_eq!(p.value.needed, ["libc.so.6"]);
    }

    #[test]
    fn header_anomalies() {
        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_SHENTSIZE, 12);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-bad-shentsize"]);
        assert_eq!(p.value.jni_exports.len(), 2);

        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_SHNUM, 0xfff0);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-section-headers-out-of-bounds"]);
        assert_eq!(p.value.jni_exports.len(), 2);

        let mut d = X86_64.to_vec();
        put_u64(&mut d, E_SHOFF, u64::MAX - 8);
        assert_eq!(
            codes(&read_native_lib(&d).unwrap()),
            ["elf-section-headers-out-of-bounds"]
        );

        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_SHSTRNDX, 200);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-bad-shstrndx"]);
        assert!(
            p.value.strings.is_empty(),
            "no section names, so no .rodata"
        );

        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_PHNUM, 0xffff);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-program-headers-out-of-bounds"]);
        // Section headers still find .dynamic and map addresses.
        assert_eq!(p.value.needed, ["libc.so.6"]);
        assert_eq!(p.value.jni_exports.len(), 2);

        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_PHENTSIZE, 32);
        assert!(codes(&read_native_lib(&d).unwrap()).contains(&"elf-bad-phentsize"));

        let mut d = X86_64.to_vec();
        put_u16(&mut d, 0x10, 3 - 1); // e_type = ET_EXEC
        assert_eq!(
            codes(&read_native_lib(&d).unwrap()),
            ["elf-not-shared-object"]
        );

        // Both tables gone: nothing to list, and the report says so.
        let mut d = X86_64.to_vec();
        strip_sections(&mut d);
        put_u16(&mut d, E_PHNUM, 0);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(
            codes(&p),
            [
                "elf-no-program-headers",
                "elf-no-section-headers",
                "elf-no-dynamic"
            ]
        );
    }

    #[test]
    fn dynamic_anomalies() {
        let mut d = X86_64.to_vec();
        strip_sections(&mut d);
        for e in dyn_entries(&d) {
            match get_u64(&d, e) {
                DT_STRSZ => put_u64(&mut d, e + 8, u64::MAX / 2),
                DT_SONAME => put_u64(&mut d, e + 8, 1 << 40),
                _ => {}
            }
        }
        let p = read_native_lib(&d).unwrap();
        let c = codes(&p);
        assert!(
            c.contains(&"elf-dynstr-out-of-bounds") && c.contains(&"elf-bad-string-offset"),
            "{c:?}"
        );
        assert_eq!(p.value.soname, None);
        assert_eq!(p.value.needed, ["libc.so.6"]);

        let mut d = X86_64.to_vec();
        strip_sections(&mut d);
        for e in dyn_entries(&d) {
            if get_u64(&d, e) == DT_SYMTAB {
                put_u64(&mut d, e + 8, 0xdead_0000);
            }
        }
        let p = read_native_lib(&d).unwrap();
        assert!(codes(&p).contains(&"elf-bad-address"), "{:?}", p.anomalies);
        assert!(p.value.jni_exports.is_empty());
    }

    #[test]
    fn caps_on_what_a_forged_file_can_make_us_keep() {
        // A dynamic array far longer than any real one is read only so far.
        let mut d = X86_64.to_vec();
        d.resize(X86_64.len() + (2 << 20), 0);
        let phoff = get_u64(&d, E_PHOFF) as usize;
        let ph = (0..8)
            .map(|i| phoff + i * 56)
            .find(|&p| d[p..p + 4] == 2u32.to_le_bytes())
            .unwrap();
        let filesz = (d.len() - get_u64(&d, ph + 8) as usize) as u64;
        put_u64(&mut d, ph + 32, filesz);
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-dynamic-too-long"]);
        assert_eq!(p.value.needed, ["libc.so.6"]);

        // Names are borrowed until kept, then cut.
        let mut r = Reader {
            data: &[],
            ctx: Ctx::new(Container::Big, Endian::Little),
            anomalies: Vec::new(),
        };
        let long = vec![b'a'; MAX_NAME_BYTES + 10];
        assert_eq!(
            r.name(&long, 0, "DT_NEEDED").map(|n| n.len()),
            Some(MAX_NAME_BYTES)
        );
        assert_eq!(r.name(&long, 1 << 40, "DT_NEEDED"), None);
        assert_eq!(
            r.anomalies.iter().map(|a| a.code).collect::<Vec<_>>(),
            ["elf-long-name", "elf-bad-string-offset"]
        );

        // Anomalies stop at MAX_ANOMALIES, with one line saying so.
        for _ in 0..MAX_ANOMALIES * 2 {
            r.note("elf-bad-address", None, "x");
        }
        assert_eq!(r.anomalies.len(), MAX_ANOMALIES + 1);
        assert_eq!(
            r.anomalies.last().map(|a| a.code),
            Some("elf-anomalies-truncated")
        );
    }

    #[test]
    fn undecodable_jni_exports_are_counted_once() {
        // Put a `$`, which mangling always escapes, into the overloaded
        // export's name.
        let mut d = X86_64.to_vec();
        let at = d.windows(7).position(|w| w == b"send_1e").unwrap();
        d[at + 6] = b'$';
        let p = read_native_lib(&d).unwrap();
        assert_eq!(codes(&p), ["elf-jni-name-undecodable"]);
        assert!(
            p.anomalies[0]
                .detail
                .starts_with("1 exported Java_* symbols"),
            "{}",
            p.anomalies[0].detail
        );
        assert_eq!(p.value.jni_exports.len(), 1);
    }

    #[test]
    fn upx_marks() {
        let mut d = X86_64.to_vec();
        let at = 0x100;
        d[at..at + 4].copy_from_slice(b"UPX!");
        let p = read_native_lib(&d).unwrap();
        assert_eq!(p.value.packed.as_deref(), Some("upx"));
        assert_eq!(codes(&p), ["elf-upx"]);
    }

    #[test]
    fn error_variants() {
        let e = |d: &[u8]| read_native_lib(d).unwrap_err();
        assert_eq!(
            e(b""),
            ElfError::NotElf {
                magic: [0; 4],
                looks_like: "empty"
            }
        );
        assert_eq!(
            e(b"dex\n035\0"),
            ElfError::NotElf {
                magic: *b"dex\n",
                looks_like: "dex"
            }
        );
        assert_eq!(
            e(b"PK\x03\x04rest"),
            ElfError::NotElf {
                magic: *b"PK\x03\x04",
                looks_like: "zip"
            }
        );
        assert_eq!(
            e(b"#!/bin/sh\n"),
            ElfError::NotElf {
                magic: *b"#!/b",
                looks_like: "text"
            }
        );
        assert_eq!(
            e(b"\x7fEL"),
            ElfError::NotElf {
                magic: *b"\x7fEL\0",
                looks_like: "unknown"
            }
        );
        assert_eq!(
            e(b"\x7fELF\x02\x01"),
            ElfError::TruncatedHeader { len: 6, need: 16 }
        );
        assert_eq!(
            e(&X86_64[..40]),
            ElfError::TruncatedHeader { len: 40, need: 64 }
        );
        let mut d = X86_64.to_vec();
        d[4] = 3;
        assert_eq!(e(&d), ElfError::BadClass { ei_class: 3 });
        let mut d = X86_64.to_vec();
        d[5] = 0;
        assert_eq!(e(&d), ElfError::BadDataEncoding { ei_data: 0 });
        let big = vec![0u8; MAX_INPUT + 1];
        assert_eq!(
            e(&big),
            ElfError::TooLarge {
                len: MAX_INPUT + 1,
                max: MAX_INPUT
            }
        );
        assert_eq!(
            e(b"dex\n035\0").to_string(),
            "not an ELF file: magic [64, 65, 78, 0a] (dex)"
        );
    }

    /// Every truncation and many byte flips (headers, tables, dynamic
    /// array) give a value or an error, never a panic.
    #[test]
    fn no_panic_sweep() {
        for base in [X86_64, ARM64] {
            for len in 0..=base.len() {
                let _ = read_native_lib(&base[..len]);
            }
            let mut seed = 0x9e37_79b9_7f4a_7c15u64;
            for off in 0..base.len() {
                // The complement, and zero (or 0x80 where it already is).
                let b = base[off];
                for v in [!b, if b == 0 { 0x80 } else { 0 }] {
                    let mut d = base.to_vec();
                    d[off] = v;
                    let _ = read_native_lib(&d);
                }
                // Plus one random 8-byte write, to hit wide fields.
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut d = base.to_vec();
                let end = (off + 8).min(d.len());
                d[off..end].copy_from_slice(&seed.to_le_bytes()[..end - off]);
                let _ = read_native_lib(&d);
            }
        }
        // Huge counts everywhere at once.
        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_SHNUM, 0xffff);
        put_u16(&mut d, E_PHNUM, 0xffff);
        put_u16(&mut d, E_SHSTRNDX, SHN_XINDEX as u16);
        let _ = read_native_lib(&d);
        // Extended section numbering with a forged count in section 0.
        let mut d = X86_64.to_vec();
        put_u16(&mut d, E_SHNUM, 0);
        let shoff = get_u64(&d, E_SHOFF) as usize;
        put_u64(&mut d, shoff + 32, u64::MAX);
        assert!(codes(&read_native_lib(&d).unwrap()).contains(&"elf-section-headers-out-of-bounds"));
    }

    #[test]
    fn jni_demangling() {
        let d = |s: &str| demangle_jni(s).map(|e| (e.class, e.method, e.signature));
        let own = |c: &str, m: &str, s: Option<&str>| {
            Some((c.to_string(), m.to_string(), s.map(str::to_string)))
        };
        assert_eq!(d("Java_com_x_y_Foo_bar"), own("com.x.y.Foo", "bar", None));
        assert_eq!(d("Java_Foo_bar"), own("Foo", "bar", None));
        // _1 is an underscore, in the class or the method.
        assert_eq!(
            d("Java_com_my_1pkg_Foo_get_1id"),
            own("com.my_pkg.Foo", "get_id", None)
        );
        // __ starts the argument signature; _2 is `;`, _3 is `[`.
        assert_eq!(
            d("Java_com_x_Foo_bar__ILjava_lang_String_2_3B"),
            own("com.x.Foo", "bar", Some("ILjava/lang/String;[B"))
        );
        assert_eq!(d("Java_com_x_Foo_bar__"), own("com.x.Foo", "bar", Some("")));
        // A method starting with an underscore: separator, then _1.
        assert_eq!(d("Java_com_x_Foo__1init"), own("com.x.Foo", "_init", None));
        // _0xxxx is a UTF-16 unit: `$` of nested classes, non-ASCII names,
        // and surrogate pairs.
        assert_eq!(
            d("Java_com_x_Outer_00024Inner_run"),
            own("com.x.Outer$Inner", "run", None)
        );
        assert_eq!(
            d("Java_com_x_Foo__06570_0636e"),
            own("com.x.Foo", "数据", None)
        );
        assert_eq!(
            d("Java_com_x_Foo_f_0d83d_0de00"),
            own("com.x.Foo", "f😀", None)
        );
        assert_eq!(
            d("Java_com_x_Foo_f_0D83D_0DE00"),
            own("com.x.Foo", "f😀", None)
        );
        // Invalid: no method, bad escapes, lone surrogates, stray characters.
        for bad in [
            "Java_",
            "Java_Foo",
            "Java_com_x_Foo_",
            "Java__Foo_bar",
            "Java_com__Foo_bar_x",
            "Java_com_x_Foo_b_0zzzz",
            "Java_com_x_Foo_b_012",
            "Java_com_x_Foo_b_0d83d",
            "Java_com_x_Foo_b$",
            "Java_com_x_Foo_b.c",
            "NotJava_a_b",
        ] {
            assert_eq!(demangle_jni(bad), None, "{bad}");
        }
    }

    #[test]
    fn string_extraction() {
        let mut ex = Extractor::default();
        let data = [
            "short\0ro.serialno\0ro.serialno\0请授权位置信息\x01\u{3}abcdef".as_bytes(),
            b"\xff\xfeghijklm\0",
        ]
        .concat();
        assert!(ex.scan(&data));
        assert_eq!(
            ex.out,
            ["ro.serialno", "请授权位置信息", "abcdef", "ghijklm"]
        );
        assert!(ex.capped.is_empty());

        let mut ex = Extractor::default();
        let long = "x".repeat(MAX_STRING_BYTES + 10);
        assert!(ex.scan(long.as_bytes()));
        assert_eq!(ex.out[0].len(), MAX_STRING_BYTES);
        assert_eq!(ex.capped, ["long strings cut at 4096 bytes"]);

        let mut ex = Extractor::default();
        let many: String = (0..MAX_STRINGS + 5)
            .map(|i| format!("str{i:06}\0"))
            .collect();
        assert!(!ex.scan(many.as_bytes()));
        assert_eq!(ex.out.len(), MAX_STRINGS);
        assert_eq!(ex.capped, ["20000 strings kept"]);

        let mut ex = Extractor {
            scanned: MAX_STRING_SCAN - 8,
            ..Extractor::default()
        };
        assert!(!ex.scan(b"abcdefgh-and-more"));
        assert_eq!(ex.out, ["abcdefgh"]);
        assert_eq!(ex.capped, ["64 MiB scanned"]);
    }

    #[test]
    fn machines() {
        assert_eq!(machine_name(header::EM_ARM, false), "arm");
        assert_eq!(machine_name(header::EM_386, false), "x86");
        assert_eq!(machine_name(header::EM_MIPS, false), "mips");
        assert_eq!(machine_name(header::EM_MIPS, true), "mips64");
        assert_eq!(machine_name(header::EM_RISCV, true), "riscv64");
        assert_eq!(machine_name(0x1234, true), "unknown(0x1234)");
    }

    #[test]
    fn imports_of_interest_has_no_duplicates() {
        let mut names: Vec<_> = IMPORTS_OF_INTEREST.iter().map(|(n, _)| n).collect();
        names.sort();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len);
    }
}
