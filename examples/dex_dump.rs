//! Dumps the DEX files of an APK (every `classesN.dex`, as Android loads
//! them) or one raw `.dex` file, for comparison with `dexdump` and for
//! throughput measurements.
//!
//! ```text
//! dex_dump FILE                    per DEX: header counts, classes, methods,
//!                                  invokes and const-strings, time and MB/s
//!                                  (CPU time of this thread, best of several runs)
//! dex_dump FILE --refs PREFIX      every call site in classes under PREFIX
//!                                  (`Lcom/foo/` or `com.foo`):
//!                                  `Lcaller;->m(..)V -> Lcallee;->name(..)R`
//! dex_dump FILE --header           `DEX key=value …` header counts, one line per DEX
//! dex_dump FILE --pairs            `DEX<TAB>kind<TAB>caller class<TAB>target` for every
//!                                  reference (M method in dexdump syntax, S string@N,
//!                                  C call_site@N), for scripts/check-dex-vs-dexdump.sh
//! dex_dump FILE --anomalies        parse and walk anomalies, one per line
//! ```
//!
//! Exit status: 0 on success, 1 when a DEX cannot be parsed, 2 on usage or
//! I/O errors.
use std::borrow::Cow;
use std::process::ExitCode;
use std::time::Instant;

use humiao::apk::zip::Archive;
use humiao::formats::dex::{self, mutf8, CodeRef, Dex, StringIdx, TypeIdx};

/// Largest DEX read out of an APK.
const DEX_LIMIT: u64 = 1 << 30;

enum Mode {
    Summary,
    Refs(String),
    Header,
    Pairs,
    Anomalies,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: dex_dump FILE [--refs PREFIX|--header|--pairs|--anomalies]";
    let Some(path) = args.first() else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let mode = match args.get(1).map(String::as_str) {
        None => Mode::Summary,
        Some("--refs") => match args.get(2) {
            Some(p) if p.starts_with('L') => Mode::Refs(p.clone()),
            Some(p) => Mode::Refs(format!("L{}", p.replace('.', "/"))),
            None => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        },
        Some("--header") => Mode::Header,
        Some("--pairs") => Mode::Pairs,
        Some("--anomalies") => Mode::Anomalies,
        Some(_) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let dexes = match dex_files(path, &data) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut status = ExitCode::SUCCESS;
    let (mut total_bytes, mut scan, mut resolve) = (0usize, 0f64, 0f64);
    for (name, bytes) in &dexes {
        if matches!(mode, Mode::Summary) {
            let Ok((stats, _)) = walk(bytes) else {
                continue;
            };
            // Repeat small files so the timing means something.
            let reps = (40_000_000 / bytes.len().max(1)).clamp(3, 50);
            let (mut best_scan, mut best_resolve) = (stats.scan_secs, stats.resolve_secs);
            for _ in 1..reps {
                if let Ok((s, _)) = walk(bytes) {
                    best_scan = best_scan.min(s.scan_secs);
                    best_resolve = best_resolve.min(s.resolve_secs);
                }
            }
            let stats = Stats {
                scan_secs: best_scan,
                resolve_secs: best_resolve,
                ..stats
            };
            total_bytes += bytes.len();
            scan += stats.scan_secs;
            resolve += stats.resolve_secs;
            if let Ok(p) = Dex::parse(bytes) {
                summary(name, bytes.len(), &p.value, &stats);
            }
        }
        let parsed = match Dex::parse(bytes) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {path}: {name}: {e}");
                status = ExitCode::from(1);
                continue;
            }
        };
        let dex = &parsed.value;
        match &mode {
            Mode::Summary => {}
            Mode::Refs(prefix) => refs(dex, prefix.as_bytes()),
            Mode::Header => {
                let h = dex.header();
                println!(
                    "{name} version={:03} class_defs_size={} method_ids_size={} string_ids_size={} type_ids_size={} proto_ids_size={} field_ids_size={} checksum_ok={}",
                    h.version,
                    h.class_defs_size,
                    h.method_ids_size,
                    h.string_ids_size,
                    h.type_ids_size,
                    h.proto_ids_size,
                    h.field_ids_size,
                    h.checksum_ok()
                );
            }
            Mode::Pairs => pairs(name, dex),
            Mode::Anomalies => {
                for a in parsed
                    .anomalies
                    .iter()
                    .chain(&dex.for_each_code_ref(|_, _, _| {}))
                {
                    println!("{name} {} {:?} {}", a.code, a.offset, a.detail);
                }
            }
        }
    }
    if matches!(mode, Mode::Summary) && dexes.len() > 1 && scan > 0.0 {
        println!(
            "total: {} DEX, {:.1} MB: scan {:.1} ms ({:.0} MB/s); + resolve {:.1} ms ({:.0} MB/s overall)",
            dexes.len(),
            total_bytes as f64 / 1e6,
            scan * 1e3,
            mb_per_s(total_bytes, scan),
            resolve * 1e3,
            mb_per_s(total_bytes, scan + resolve)
        );
    }
    status
}

/// The DEX files of `data`: itself if it is one, else `classes.dex`,
/// `classes2.dex`, … from the APK, stopping at the first gap as Android does.
fn dex_files(path: &str, data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    if dex::is_dex(data) {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        return Ok(vec![(name, data.to_vec())]);
    }
    let archive = Archive::parse(data).map_err(|e| e.to_string())?.value;
    let mut out = Vec::new();
    for n in 1.. {
        let name = if n == 1 {
            "classes.dex".to_string()
        } else {
            format!("classes{n}.dex")
        };
        let Some(entry) = archive.find(&name) else {
            break;
        };
        let bytes = archive
            .read(entry, DEX_LIMIT)
            .map_err(|e| format!("{name}: {e}"))?;
        out.push((name, bytes.into_owned()));
    }
    if out.is_empty() {
        return Err("no classes.dex".into());
    }
    Ok(out)
}

#[derive(Default)]
struct Stats {
    classes: u64,
    methods: u64,
    code_items: u64,
    invokes: u64,
    const_strings: u64,
    field_gets: u64,
    const_classes: u64,
    anomalies: usize,
    /// Bytes of resolved names, so the resolution is not optimised away.
    resolved_bytes: u64,
    /// Seconds: parse (incl. checksum), string and type tables, class data
    /// and the instruction walk.
    scan_secs: f64,
    /// Seconds: resolving every invoke's method and every const-string.
    resolve_secs: f64,
}

/// What a scanner does per DEX, in two timed phases: (1) parse, decode the
/// whole string and type tables, every class and method, and walk every
/// instruction; (2) resolve each invoke's class, name and prototype and each
/// const-string (a scanner that matches by index after one pass over
/// `method_ids` skips most of this).
fn walk(bytes: &[u8]) -> Result<(Stats, Vec<humiao::formats::Anomaly>), dex::DexError> {
    let mut s = Stats::default();
    let start = Clock::start();
    let parsed = Dex::parse(bytes)?;
    let dex = &parsed.value;
    for i in 0..dex.header().string_ids_size {
        if let Ok(b) = dex.string(StringIdx(i)) {
            s.resolved_bytes += b.len() as u64;
        }
    }
    for i in 0..dex.header().type_ids_size {
        if let Ok(b) = dex.type_descriptor(TypeIdx(i)) {
            s.resolved_bytes += b.len() as u64;
        }
    }
    let mut invokes = Vec::new();
    let mut strings = Vec::new();
    let mut anomalies = parsed.anomalies.clone();
    anomalies.extend(dex.for_each_code_ref(|_, _, r| match r {
        CodeRef::Invoke { method, .. } => {
            s.invokes += 1;
            invokes.push(method);
        }
        CodeRef::InvokeCustom { .. } => s.invokes += 1,
        CodeRef::ConstString { string, .. } => {
            s.const_strings += 1;
            strings.push(string);
        }
        CodeRef::StaticGet { .. } | CodeRef::InstanceGet { .. } => s.field_gets += 1,
        CodeRef::ConstClass { .. } => s.const_classes += 1,
    }));
    for class in dex.classes().flatten() {
        s.classes += 1;
        for m in class.methods() {
            s.methods += 1;
            s.code_items += u64::from(m.code_off != 0);
        }
    }
    s.scan_secs = start.secs();
    let start = Clock::start();
    for m in invokes {
        if let Ok(m) = dex.method_ref(m) {
            s.resolved_bytes += (m.class.len() + m.name.len()) as u64;
            if let Ok(p) = m.proto() {
                s.resolved_bytes +=
                    (p.shorty.len() + p.return_type.len() + p.parameters.len()) as u64;
            }
        }
    }
    for i in strings {
        if let Ok(b) = dex.string(i) {
            s.resolved_bytes += b.len() as u64;
        }
    }
    s.resolve_secs = start.secs();
    s.anomalies = anomalies.len();
    Ok((s, anomalies))
}

fn summary(name: &str, len: usize, dex: &Dex<'_>, s: &Stats) {
    let h = dex.header();
    println!(
        "{name}: version {:03}, {len} bytes, checksum {}",
        h.version,
        if h.checksum_ok() { "ok" } else { "BAD" }
    );
    println!(
        "  ids: strings {} types {} protos {} fields {} methods {} class_defs {}",
        h.string_ids_size,
        h.type_ids_size,
        h.proto_ids_size,
        h.field_ids_size,
        h.method_ids_size,
        h.class_defs_size
    );
    println!(
        "  read: classes {} methods {} code_items {}; refs: invokes {} const-strings {} field-gets {} const-class {}; anomalies {}",
        s.classes, s.methods, s.code_items, s.invokes, s.const_strings, s.field_gets, s.const_classes, s.anomalies
    );
    println!(
        "  scan {:.2} ms ({:.0} MB/s); + resolve every ref {:.2} ms ({:.0} MB/s overall)",
        s.scan_secs * 1e3,
        mb_per_s(len, s.scan_secs),
        s.resolve_secs * 1e3,
        mb_per_s(len, s.scan_secs + s.resolve_secs),
    );
}

/// A clock for one phase: this thread's CPU time where available (so a
/// busy machine does not skew the figures), else wall time.
struct Clock(Option<f64>, Instant);

impl Clock {
    fn start() -> Self {
        Clock(thread_cpu_secs(), Instant::now())
    }

    fn secs(&self) -> f64 {
        match (self.0, thread_cpu_secs()) {
            (Some(a), Some(b)) => (b - a).max(0.0),
            _ => self.1.elapsed().as_secs_f64(),
        }
    }
}

/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`: nanosecond-precise, unlike
/// `/proc/thread-self/schedstat`, which only moves at scheduler ticks.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu_secs() -> Option<f64> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: libc's clock_gettime writes one timespec (two 64-bit fields on
    // 64-bit Linux) through a pointer to a live, properly aligned value.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu_secs() -> Option<f64> {
    None
}

fn mb_per_s(len: usize, secs: f64) -> f64 {
    len as f64 / 1e6 / secs.max(1e-9)
}

fn text(b: &[u8]) -> Cow<'_, str> {
    mutf8::decode(b)
}

/// Call sites in classes whose descriptor starts with `prefix`.
fn refs(dex: &Dex<'_>, prefix: &[u8]) {
    for class in dex.classes().flatten() {
        if !class.descriptor.starts_with(prefix) {
            continue;
        }
        for m in class.methods() {
            if m.code_off == 0 {
                continue;
            }
            let caller = dex
                .method_ref(m.method)
                .map(|r| r.to_string())
                .unwrap_or_else(|e| format!("<{e}>"));
            let Ok(code) = dex.code_item(m.code_off) else {
                continue;
            };
            for r in dex.code_refs(&code) {
                match r {
                    Ok(CodeRef::Invoke { method, .. }) => {
                        let callee = dex
                            .method_ref(method)
                            .map(|r| r.to_string())
                            .unwrap_or_else(|e| format!("<{e}>"));
                        println!("{caller} -> {callee}");
                    }
                    Ok(CodeRef::ConstString { string, .. }) => {
                        let s = dex.string_lossy(string).unwrap_or_default();
                        println!("{caller} -> const-string {s:?}");
                    }
                    Ok(_) => {}
                    Err(e) => println!("{caller} -> <{e}>"),
                }
            }
        }
    }
}

/// Every (caller class, target) pair, for the dexdump comparison.
fn pairs(name: &str, dex: &Dex<'_>) {
    let anomalies = dex.for_each_code_ref(|class, _, r| {
        let caller = text(class.descriptor);
        match r {
            CodeRef::Invoke { method, .. } => match dex.method_ref(method) {
                Ok(m) => println!("{name}\tM\t{caller}\t{}", m.to_dexdump()),
                Err(e) => println!("{name}\tM\t{caller}\t<{e}>"),
            },
            CodeRef::InvokeCustom { call_site, .. } => {
                println!("{name}\tC\t{caller}\tcall_site@{call_site}")
            }
            CodeRef::ConstString { string, .. } => println!("{name}\tS\t{caller}\tstring@{string}"),
            _ => {}
        }
    });
    for a in anomalies {
        eprintln!("anomaly: {name}: {} {}", a.code, a.detail);
    }
}
