//! The whole pipeline on an in-memory APK or bundle.
#![no_main]
use humiao::apk::{open_bytes, Limits};
use humiao::catalog::Catalog;
use humiao::scan::{scan_container, ScanOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Loading the catalogue takes milliseconds: once per process.
fn options() -> &'static ScanOptions {
    static OPTS: OnceLock<ScanOptions> = OnceLock::new();
    OPTS.get_or_init(|| {
        let mut opts = ScanOptions::new(Catalog::embedded().unwrap_or_default());
        opts.limits = Limits {
            max_entry_size: 64 << 20,
            max_nested_apk_size: 64 << 20,
            max_splits: 16,
            ..Limits::default()
        };
        opts.hash = false;
        opts
    })
}

fuzz_target!(|data: &[u8]| {
    let opts = options();
    if let Ok(c) = open_bytes("fuzz.apk", data.to_vec(), &opts.limits) {
        let _ = scan_container(&c, &opts);
    }
});
