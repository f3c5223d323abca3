//! Signing: the APK Signing Block walk with the input as a whole file
//! whose central directory starts at the end, and the input as a v1
//! PKCS#7 block and as a bare certificate.
#![no_main]
use humiao::apk::signing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let end = data.len() as u64;
    let _ = signing::find_signing_block(data, end);
    let _ = signing::collect(data, end, &[("META-INF/CERT.RSA".into(), data.to_vec())], &["META-INF/CERT.SF".into()]);
    if let Ok(certs) = signing::pkcs7_certificates(data) {
        for c in certs {
            let _ = signing::describe_certificate(c);
        }
    }
    let _ = signing::describe_certificate(data);
});
