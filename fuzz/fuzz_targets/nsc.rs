//! Network security config: binary XML decoded, then the NSC model built
//! and queried, whatever the root element.
#![no_main]
use humiao::formats::{axml, nsc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = axml::parse(data) {
        let cfg = nsc::NetworkSecurityConfig::from_document(&doc.value).value;
        let _ = cfg.trusts_user_certs();
        let _ = cfg.cleartext_permitted_domains();
    }
});
