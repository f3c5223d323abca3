//! The whole pipeline on an in-memory APK or bundle.
#![no_main]
use humiao::apk::{open_bytes, Limits};
use humiao::catalog::Catalog;
use humiao::scan::{scan_container, ScanOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_entry_size: 64 << 20, max_nested_apk_size: 64 << 20, max_splits: 16 };
    let mut opts = ScanOptions::new(Catalog::embedded().unwrap_or_default());
    opts.limits = limits;
    opts.hash = false;
    if let Ok(c) = open_bytes("fuzz.apk", data.to_vec(), &opts.limits) {
        let _ = scan_container(&c, &opts);
    }
});
