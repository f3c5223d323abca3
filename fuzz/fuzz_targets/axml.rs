//! Binary XML: decode, render like aapt, and build the manifest and
//! network-security-config models from whatever decodes.
#![no_main]
use humiao::formats::{axml, nsc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = axml::parse(data) {
        let _ = doc.value.to_xmltree();
        let _ = axml::manifest::Manifest::from_document(&doc.value);
        let _ = nsc::NetworkSecurityConfig::from_document(&doc.value);
    }
});
