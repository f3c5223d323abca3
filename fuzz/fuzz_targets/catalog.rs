//! The ruleset loaders: arbitrary text as an SDK catalogue file (with the
//! embedded categories loaded, so `collects` is checked), as a packer,
//! permission and API catalogue; a loaded SDK catalogue is compiled and
//! its matcher exercised.
#![no_main]
use std::path::Path;
use std::sync::OnceLock;

use humiao::catalog::Catalog;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static Catalog {
    static BASE: OnceLock<Catalog> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut c = Catalog::default();
        let _ = c.add_apis(Path::new("apis.toml"), humiao::catalog::EMBEDDED_APIS);
        c
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let p = Path::new("fuzz.toml");
    let mut c = base().clone();
    if c.add_sdks(p, text).is_ok() {
        c.compile_sdks();
        let m = &c.sdk_matcher;
        let _ = m.match_class(b"Lcom/umeng/analytics/A;");
        let _ = m.match_lib("libjcore.so");
        let _ = m.match_component("com.x.y.Z");
        let _ = m.match_authority("com.x.provider");
        let _ = m.match_meta("UMENG_APPKEY");
        let _ = m.match_host("a.b.umeng.com");
        let _ = m.match_version_file("META-INF/x.version");
    }
    let _ = Catalog::default().add_packers(p, text);
    let _ = Catalog::default().add_permissions(p, text);
    let _ = Catalog::default().add_apis(p, text);
});
