//! Native libraries: the goblin adapter, with every count it reads forged.
//! Seeds: lib/**.so entries of the corpus APKs and tests/data/elf/*.so.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = humiao::formats::elf::read_native_lib(data) {
        // Everything kept must respect the documented caps.
        assert!(p.value.strings.len() <= humiao::formats::elf::MAX_STRINGS);
        assert!(p.value.strings.iter().all(|s| s.len() <= humiao::formats::elf::MAX_STRING_BYTES));
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = humiao::formats::elf::demangle_jni(s);
    }
});
