//! resources.arsc: parse, then exercise every lookup over the ids found.
#![no_main]
use humiao::formats::arsc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = arsc::parse(data) {
        let t = t.value;
        let mut n = 0;
        for (_, _, _) in t.string_resources() {
            n += 1;
        }
        for id in [0x7f01_0000u32, 0x7f02_0000, 0x7f03_0000, 0x7f04_0001, 0x0101_0000] {
            let _ = t.name_of(id);
            let _ = t.entries(id);
            let _ = t.localized_strings(id);
            let _ = t.resolve_string(id, Some("zh-CN"));
            let _ = t.resolve_file(id);
        }
        let _ = n;
    }
});
