//! Lists the raw signals an SDK catalogue matches against, for research and
//! for checking catalogue entries against real APKs:
//!
//! ```text
//! signals APK...
//! ```
//!
//! prints tab-separated `APK  KIND  VALUE  COUNT` lines, where KIND is
//! `package` (Java package of DEX classes, with the class count),
//! `lib` (native library file name), `component` (manifest component
//! class), `authority` (provider authority), `meta-data` (manifest
//! meta-data name), `host` (endpoint host) or `entry` (`META-INF/*.version`
//! and `*.properties` entries, which carry SDK versions).
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use humiao::apk::zip::Archive;
use humiao::formats::dex::Dex;

fn main() -> ExitCode {
    let opts = humiao::scan::ScanOptions::new(match humiao::catalog::Catalog::embedded() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: catalogue: {e}");
            return ExitCode::from(2);
        }
    });
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        let name = Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.clone());
        let mut lines: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
        match humiao::scan::scan_path(Path::new(&path), &opts) {
            Ok(ev) => {
                let comps = ev
                    .manifest
                    .components
                    .iter()
                    .chain(ev.splits.iter().flat_map(|s| s.components.iter()));
                for c in comps {
                    *lines.entry(("component", c.name.clone())).or_default() += 1;
                    for a in &c.authorities {
                        *lines.entry(("authority", a.clone())).or_default() += 1;
                    }
                }
                for m in &ev.manifest.meta_data {
                    *lines.entry(("meta-data", m.name.clone())).or_default() += 1;
                }
                for l in &ev.native.libraries {
                    let file = l.path.rsplit('/').next().unwrap_or(&l.path).to_owned();
                    *lines.entry(("lib", file)).or_default() += 1;
                }
                for l in &ev.native.other_abi_libraries {
                    let file = l.rsplit('/').next().unwrap_or(l).to_owned();
                    lines.entry(("lib", file)).or_default();
                }
                for e in &ev.code.endpoints {
                    *lines.entry(("host", e.host.clone())).or_default() += e.occurrences;
                }
            }
            Err(e) => {
                eprintln!("error: {path}: {e}");
                status = ExitCode::from(2);
            }
        }
        if let Ok(data) = std::fs::read(&path) {
            packages(&data, &mut lines, 0);
        }
        for ((kind, value), n) in lines {
            println!("{name}\t{kind}\t{value}\t{n}");
        }
    }
    status
}

/// DEX packages and version entries of an archive and of APKs nested in it
/// (split bundles).
fn packages(data: &[u8], lines: &mut BTreeMap<(&'static str, String), usize>, depth: u8) {
    let Ok(ar) = Archive::parse(data) else {
        return;
    };
    let ar = ar.value;
    for e in ar.entries() {
        let n = &*e.name;
        if (n.starts_with("META-INF/") && n.ends_with(".version")) || n.ends_with(".properties") {
            lines.entry(("entry", n.to_owned())).or_default();
        }
        if n.ends_with(".apk") && depth == 0 {
            if let Ok(inner) = ar.read(e, 1 << 30) {
                packages(&inner, lines, 1);
            }
            continue;
        }
        if !(n.starts_with("classes") && n.ends_with(".dex")) {
            continue;
        }
        let Ok(bytes) = ar.read(e, 1 << 30) else {
            continue;
        };
        let Ok(dex) = Dex::parse(&bytes) else {
            continue;
        };
        for class in dex.value.classes().flatten() {
            let d = String::from_utf8_lossy(class.descriptor);
            let body = d.trim_start_matches('L').trim_end_matches(';');
            let pkg = body.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            *lines.entry(("package", pkg.replace('/', "."))).or_default() += 1;
        }
    }
}
