//! Container: zip central directory, local headers and every entry read.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = humiao::apk::zip::Archive::parse(data) {
        for e in p.value.entries() {
            let _ = p.value.read_checked(e, 1 << 24);
        }
    }
});
