//! Tests of `collect`, `describe_certificate` and `pkcs7_certificates` over
//! files made by tests/data/signing/make.sh (keytool, jarsigner, apksigner,
//! openssl) and over hand-built blocks. Expected values come from the
//! `keytool -printcert` and `apksigner verify --print-certs` outputs saved
//! beside the data, so regenerating the data keeps the tests valid.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

use super::block::tests::build;
use super::scheme::tests::{block, lineage_attr, lp, signer};
use super::*;

macro_rules! data {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/signing/",
            $name
        ))
        .as_slice()
    };
}
macro_rules! text {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/signing/",
            $name
        ))
    };
}

const SIGNED_APK: &[u8] = data!("signed.apk");
const OLD: &[u8] = data!("old.cert.der");
const NEW: &[u8] = data!("new.cert.der");
const DSA: &[u8] = data!("dsa.cert.der");
const EC: &[u8] = data!("ec.cert.der");

/// Value of `key: value` in keytool/apksigner output.
fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(key))
        .unwrap_or_else(|| panic!("no {key} in output"))
        .trim()
}

/// keytool's `AB:CD:…` fingerprint as lowercase hex.
fn keytool_fp(text: &str, key: &str) -> String {
    field(text, key).replace(':', "").to_lowercase()
}

/// Central directory offset from the EOCD (no comment in our files).
fn cd_offset(apk: &[u8]) -> u64 {
    let eocd = apk.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    u64::from(u32::from_le_bytes(
        apk[eocd + 16..eocd + 20].try_into().unwrap(),
    ))
}

fn check_against_keytool(der: &[u8], keytool: &str, algorithm: &str) {
    let c = describe_certificate(der).unwrap();
    assert_eq!(c.subject, field(keytool, "Owner:"));
    assert_eq!(c.issuer, field(keytool, "Issuer:"));
    assert_eq!(c.serial, field(keytool, "Serial number:"));
    assert_eq!(c.sha1, keytool_fp(keytool, "SHA1:"));
    assert_eq!(c.sha256, keytool_fp(keytool, "SHA256:"));
    assert_eq!(
        c.signature_algorithm,
        field(keytool, "Signature algorithm name:")
    );
    assert_eq!(c.public_key_algorithm, algorithm);
    let bits: u32 = field(keytool, "Subject Public Key Algorithm:")
        .split('-')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(c.public_key_bits, Some(bits));
    assert!(
        c.not_before.starts_with("2020-01-01T") && c.not_before.ends_with('Z'),
        "{}",
        c.not_before
    );
    assert!(c.not_after.starts_with("2047-05-19T"), "{}", c.not_after);
}

#[test]
fn certificates_match_keytool() {
    check_against_keytool(OLD, text!("old.keytool.txt"), "RSA");
    check_against_keytool(NEW, text!("new.keytool.txt"), "RSA");
    check_against_keytool(DSA, text!("dsa.keytool.txt"), "DSA");
    check_against_keytool(EC, text!("ec.keytool.txt"), "EC");
}

#[test]
fn pkcs7_from_jarsigner_apksigner_and_openssl() {
    assert_eq!(pkcs7_certificates(data!("v1-rsa.RSA")).unwrap(), vec![OLD]);
    assert_eq!(pkcs7_certificates(data!("v1-dsa.DSA")).unwrap(), vec![DSA]);
    assert_eq!(pkcs7_certificates(data!("v1-ec.EC")).unwrap(), vec![EC]);
    // openssl cms -stream: BER with indefinite lengths.
    let ber = data!("ber-indefinite.p7");
    let sd = pkcs7::parse_signed_data(ber).unwrap();
    assert!(sd.indefinite);
    assert_eq!(sd.certificates, vec![EC]);
    assert_eq!(sd.signer_ids.len(), 1);
    assert!(cert::matches_signer_id(EC, &sd.signer_ids[0]));
}

fn v1_of_signed_apk() -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    (
        vec![("META-INF/OLD.RSA".into(), data!("v1-rsa.RSA").to_vec())],
        vec!["META-INF/OLD.SF".into(), "META-INF/MANIFEST.MF".into()],
    )
}

#[test]
fn signed_apk_matches_apksigner() {
    let oracle = text!("apksigner.txt");
    let (blocks, sfs) = v1_of_signed_apk();
    let p = collect(SIGNED_APK, cd_offset(SIGNED_APK), &blocks, &sfs);
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let info = p.value;
    assert_eq!(
        info.schemes,
        Schemes {
            v1: true,
            v2: true,
            v3: true,
            v31: false,
            source_stamp: false
        }
    );
    // apksigner prints the v3 signer; v1 and v2 are signed by the older key.
    assert_eq!(info.signers.len(), 2);
    let s1 = &info.signers[0];
    assert_eq!(
        s1.certificate.sha256,
        field(oracle, "Signer #1 certificate SHA-256 digest:")
    );
    assert_eq!(
        s1.certificate.sha1,
        field(oracle, "Signer #1 certificate SHA-1 digest:")
    );
    assert_eq!(
        s1.certificate.subject,
        field(oracle, "Signer #1 certificate DN:")
    );
    assert_eq!(
        s1.certificate.public_key_sha256,
        field(oracle, "Signer #1 public key SHA-256 digest:")
    );
    assert_eq!(
        s1.certificate.public_key_algorithm,
        field(oracle, "Signer #1 key algorithm:")
    );
    assert_eq!(
        s1.certificate.public_key_bits.unwrap().to_string(),
        field(oracle, "Signer #1 key size (bits):")
    );
    assert_eq!(s1.schemes, vec!["v3"]);
    assert_eq!(s1.sdk_ranges.len(), 1);
    assert_eq!(s1.sdk_ranges[0].max_sdk, i32::MAX as u32);
    let s2 = &info.signers[1];
    assert_eq!(s2.certificate.sha256, cert::sha256_hex(OLD));
    assert_eq!(s2.schemes, vec!["v1", "v2"]);
    assert_eq!(s2.v1_files, vec!["META-INF/OLD.RSA"]);
    // Rotation old -> new.
    assert_eq!(info.rotation.len(), 1);
    let r = &info.rotation[0];
    assert_eq!(r.scheme, "v3");
    assert_eq!(r.signer_sha256, s1.certificate.sha256);
    let chain: Vec<&str> = r
        .lineage
        .iter()
        .map(|n| n.certificate.sha256.as_str())
        .collect();
    assert_eq!(
        chain,
        vec![
            s2.certificate.sha256.as_str(),
            s1.certificate.sha256.as_str()
        ]
    );
    assert!(info
        .block_ids
        .iter()
        .any(|b| b == "0x7109871a (APK Signature Scheme v2)"));
    assert!(info
        .block_ids
        .iter()
        .any(|b| b == "0xf05368c0 (APK Signature Scheme v3)"));
    assert_eq!(
        info.v1_files,
        vec![
            "META-INF/MANIFEST.MF",
            "META-INF/OLD.RSA",
            "META-INF/OLD.SF"
        ]
    );
    let json = serde_json::to_string(&info).unwrap();
    assert!(json.contains("\"schemes\""));
}

#[test]
fn size_mismatch_is_an_anomaly_and_drops_v2() {
    let v = block(&[signer(&[OLD], None, &[])]);
    let (mut f, cd) = build(16, &[(V2_BLOCK_ID, &v)]);
    f[16] ^= 1;
    let p = collect(&f, cd, &[], &[]);
    assert!(!p.value.schemes.v2);
    assert!(p.value.signers.is_empty());
    assert_eq!(p.anomalies.len(), 1);
    assert_eq!(p.anomalies[0].code, "sig-block-size-mismatch");
    assert_eq!(p.anomalies[0].offset, Some(16));
    assert!(
        p.anomalies[0].detail.contains("do not match"),
        "{}",
        p.anomalies[0].detail
    );
}

#[test]
fn cd_not_followed_by_eocd_hides_the_block() {
    let v = block(&[signer(&[OLD], None, &[])]);
    let (f, cd) = build(0, &[(V2_BLOCK_ID, &v)]);
    let ok = ZipSections {
        cd_offset: cd,
        cd_size: 4,
        eocd_offset: cd + 4,
    };
    let p = collect_in_zip(&f, ok, &[], &[]);
    assert!(p.value.schemes.v2 && p.anomalies.is_empty());
    for eocd in [cd + 3, cd + 5] {
        let bad = ZipSections {
            eocd_offset: eocd,
            ..ok
        };
        let p = collect_in_zip(&f, bad, &[], &[]);
        assert!(!p.value.schemes.v2);
        assert_eq!(p.anomalies.len(), 1);
        assert_eq!(p.anomalies[0].code, "sig-cd-not-followed-by-eocd");
        assert!(
            p.anomalies[0].detail.contains("Android ignores it"),
            "{}",
            p.anomalies[0].detail
        );
    }
    let p = collect_in_zip(
        &f,
        ZipSections {
            cd_size: u64::MAX,
            ..ok
        },
        &[],
        &[],
    );
    assert_eq!(p.anomalies[0].code, "sig-cd-not-followed-by-eocd");
}

#[test]
fn hand_built_v2_v31_and_stamp() {
    let mut strip = STRIPPING_ATTR.to_vec();
    strip.extend(3u32.to_le_bytes());
    let v2 = block(&[
        signer(&[OLD, DSA], None, &[strip]),
        signer(&[EC], None, &[]),
    ]);
    let v31 = block(&[signer(
        &[NEW],
        Some((33, i32::MAX as u32)),
        &[lineage_attr(&[OLD, NEW])],
    )]);
    let stamp = lp(&lp(EC));
    let (f, cd) = build(
        0,
        &[
            (V2_BLOCK_ID, &v2),
            (V31_BLOCK_ID, &v31),
            (SOURCE_STAMP_V2_BLOCK_ID, &stamp),
            (0x1234_5678, b"?"),
        ],
    );
    let p = collect(&f, cd, &[], &[]);
    let info = &p.value;
    assert_eq!(
        info.schemes,
        Schemes {
            v1: false,
            v2: true,
            v3: false,
            v31: true,
            source_stamp: true
        }
    );
    let shas: Vec<&str> = info
        .signers
        .iter()
        .map(|s| s.certificate.sha256.as_str())
        .collect();
    assert_eq!(
        shas,
        vec![
            cert::sha256_hex(NEW),
            cert::sha256_hex(OLD),
            cert::sha256_hex(EC)
        ]
    );
    assert_eq!(info.signers[0].schemes, vec!["v3.1"]);
    assert_eq!(info.signers[0].sdk_ranges[0].min_sdk, 33);
    assert_eq!(
        info.signers[1].signature_algorithms,
        vec!["RSA_PKCS1_V1_5_WITH_SHA256"]
    );
    assert_eq!(
        info.source_stamp_certificate.as_ref().unwrap().sha256,
        cert::sha256_hex(EC)
    );
    assert_eq!(info.rotation[0].scheme, "v3.1");
    assert_eq!(info.block_ids[3], "0x12345678");
    // The v2 signer says v3 too, and there is none: apksigner's "Signature stripped?".
    let codes: Vec<&str> = p.anomalies.iter().map(|a| a.code).collect();
    assert_eq!(codes, vec!["sig-v3-stripped"]);
}

const STRIPPING_ATTR: [u8; 4] = 0xbeef_f00du32.to_le_bytes();

#[test]
fn v1_bookkeeping_anomalies() {
    let blocks = vec![
        ("META-INF/A.EC".to_string(), data!("v1-ec.EC").to_vec()),
        ("META-INF/B.RSA".to_string(), b"garbage".to_vec()),
        ("META-INF/D.DSA".to_string(), data!("v1-dsa.DSA").to_vec()),
    ];
    let sfs = vec![
        "META-INF/A.SF".to_string(),
        "META-INF/B.SF".to_string(),
        "META-INF/C.SF".to_string(),
    ];
    let p = collect(&[], 0, &blocks, &sfs);
    assert!(p.value.schemes.v1);
    assert_eq!(p.value.signers.len(), 1);
    assert_eq!(p.value.signers[0].certificate.sha256, cert::sha256_hex(EC));
    let mut codes: Vec<&str> = p.anomalies.iter().map(|a| a.code).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec![
            "sig-v1-malformed-block",
            "sig-v1-missing-manifest",
            "sig-v1-missing-sf",
            "sig-v1-sf-without-block"
        ]
    );
}

#[test]
fn v1_block_without_sf_is_not_a_signer() {
    let blocks = vec![
        ("META-INF/A.RSA".to_string(), data!("v1-rsa.RSA").to_vec()),
        ("META-INF/STRAY.EC".to_string(), data!("v1-ec.EC").to_vec()),
    ];
    let sfs = vec![
        "META-INF/A.SF".to_string(),
        "META-INF/MANIFEST.MF".to_string(),
    ];
    let p = collect(&[], 0, &blocks, &sfs);
    assert_eq!(p.value.signers.len(), 1);
    assert_eq!(p.value.signers[0].certificate.sha256, cert::sha256_hex(OLD));
    assert_eq!(p.anomalies.len(), 1);
    assert_eq!(p.anomalies[0].code, "sig-v1-missing-sf");
    assert!(p.anomalies[0].detail.contains(&cert::sha256_hex(EC)));
    assert_eq!(p.value.v1_files.len(), 4);
}

#[test]
fn v1_signer_info_matching_no_certificate() {
    let blocks = vec![(
        "META-INF/A.RSA".to_string(),
        super::pkcs7::tests::signed_data(&[OLD, NEW]),
    )];
    let sfs = vec![
        "META-INF/A.SF".to_string(),
        "META-INF/MANIFEST.MF".to_string(),
    ];
    let p = collect(&[], 0, &blocks, &sfs);
    assert_eq!(p.value.signers.len(), 2);
    assert_eq!(p.anomalies.len(), 1);
    assert_eq!(p.anomalies[0].code, "sig-v1-signer-certificate-not-found");
}

#[test]
fn unreadable_certificate_is_still_fingerprinted() {
    let v = block(&[signer(&[b"not x509"], None, &[])]);
    let (f, cd) = build(0, &[(V2_BLOCK_ID, &v)]);
    let p = collect(&f, cd, &[], &[]);
    assert!(p.value.schemes.v2);
    assert_eq!(
        p.value.signers[0].certificate.sha256,
        cert::sha256_hex(b"not x509")
    );
    assert_eq!(p.anomalies[0].code, "sig-certificate-unreadable");
}

#[test]
fn bad_cd_offsets_never_panic() {
    for cd in [
        0,
        1,
        31,
        32,
        SIGNED_APK.len() as u64,
        SIGNED_APK.len() as u64 + 1,
        u64::MAX,
    ] {
        let _ = collect(SIGNED_APK, cd, &[], &[]);
    }
}

/// Truncates and flips bytes of every generated file at many offsets; none
/// may panic. Runs over the signing block of signed.apk and every v1 block.
#[test]
fn mutations_never_panic() {
    let cd = cd_offset(SIGNED_APK);
    let blk = find_signing_block(SIGNED_APK, cd).unwrap().unwrap();
    let start = usize::try_from(blk.offset).unwrap();
    let end = usize::try_from(cd).unwrap();
    // Skip most of the verity padding: zeros only.
    let pad = blk
        .find(VERITY_PADDING_BLOCK_ID)
        .map(|(o, v)| (o as usize, o as usize + v.len()));
    for i in start..end {
        if let Some((a, b)) = pad {
            if i > a + 16 && i + 16 < b {
                continue;
            }
        }
        for bit in [0x01u8, 0x80, 0xff] {
            let mut g = SIGNED_APK.to_vec();
            g[i] ^= bit;
            let _ = collect(&g, cd, &[], &[]);
        }
    }
    for cut in (0..=SIGNED_APK.len()).step_by(7) {
        let _ = collect(&SIGNED_APK[..cut], cd.min(cut as u64), &[], &[]);
    }
    for f in [
        data!("v1-rsa.RSA"),
        data!("v1-dsa.DSA"),
        data!("v1-ec.EC"),
        data!("ber-indefinite.p7"),
    ] {
        for cut in 0..=f.len() {
            let _ = pkcs7_certificates(&f[..cut]);
        }
        for i in 0..f.len() {
            for bit in [0x01u8, 0x20, 0x80, 0xff] {
                let mut g = f.to_vec();
                g[i] ^= bit;
                let blocks = vec![("META-INF/X.RSA".to_string(), g)];
                let _ = collect(&[], 0, &blocks, &[]);
            }
        }
    }
    for f in [OLD, NEW, DSA, EC] {
        for i in (0..f.len()).step_by(3) {
            let mut g = f.to_vec();
            g[i] ^= 0x81;
            let _ = describe_certificate(&g);
            let _ = describe_certificate(&f[..i]);
        }
    }
}
