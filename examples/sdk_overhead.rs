//! What SDK matching adds to a scan: times the whole scan pipeline with the
//! embedded catalogue and with the same catalogue minus its SDK entries,
//! alternately, in one process (so start-up and page cache are shared), and
//! prints medians and the ratio per input. Also times loading the embedded
//! catalogue (parse, validate, compile), which every run of the CLI pays.
//!
//! ```text
//! sdk_overhead [ROUNDS] APK...       (scripts/bench-sdks.sh runs it)
//! ```
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use humiao::catalog::{Catalog, SdkMatcher};
use humiao::scan::{scan_path, ScanOptions};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = match args.first().and_then(|a| a.parse::<usize>().ok()) {
        Some(n) => {
            args.remove(0);
            n.max(1)
        }
        None => 15,
    };
    if args.is_empty() {
        eprintln!("usage: sdk_overhead [ROUNDS] APK...");
        return ExitCode::from(2);
    }
    let mut loads = Vec::new();
    let mut full = None;
    for _ in 0..rounds {
        let t = Instant::now();
        match Catalog::embedded() {
            Ok(c) => full = Some(c),
            Err(e) => {
                eprintln!("error: catalogue: {e}");
                return ExitCode::from(2);
            }
        }
        loads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let Some(full) = full else {
        return ExitCode::from(2);
    };
    let mut bare = full.clone();
    bare.sdks.clear();
    bare.sdk_matcher = SdkMatcher::default();
    println!(
        "catalogue: {} SDKs; loading the embedded catalogue: median {:.2} ms",
        full.sdks.len(),
        median(loads)
    );
    let mut with = ScanOptions::new(full);
    let mut without = ScanOptions::new(bare);
    // Hashing is the same work either way and only adds noise.
    with.hash = false;
    without.hash = false;
    println!(
        "| input | MB | SDKs found | scan without SDK matching ms | with ms | with / without |"
    );
    println!("|---|---|---|---|---|---|");
    for apk in &args {
        let p = Path::new(apk);
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut found = 0;
        // One warm-up each, then alternate.
        let _ = scan_path(p, &without);
        let _ = scan_path(p, &with);
        for _ in 0..rounds {
            let t = Instant::now();
            let _ = scan_path(p, &without);
            a.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            if let Ok(ev) = scan_path(p, &with) {
                found = ev.sdks.len();
            }
            b.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (ma, mb) = (median(a), median(b));
        let mb_size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let name = p
            .file_name()
            .map_or(apk.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "| {name} | {mb_size:.1} | {found} | {ma:.1} | {mb:.1} | {:.3} |",
            mb / ma.max(1e-9)
        );
    }
    ExitCode::SUCCESS
}
