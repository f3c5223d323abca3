//! Hostile bytes through the whole pipeline (container → formats →
//! evidence): every truncation point class and many byte flips of each
//! sample must give evidence or an error, never a panic, and must not read
//! outside a bounded budget.

use std::path::PathBuf;

use humiao::apk::open_bytes;
use humiao::catalog::Catalog;
use humiao::scan::{scan_container, ScanOptions};

fn samples() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    [
        "kidsdemo/kidsdemo.apk",
        "v1only/v1only.apk",
        "obfuscated/obfuscated.apk",
        "tampered/tampered.apk",
        "split/split.xapk",
    ]
    .iter()
    .map(|p| (p.to_string(), std::fs::read(root.join(p)).unwrap()))
    .collect()
}

fn scan(name: &str, data: Vec<u8>, opts: &ScanOptions) {
    // Either outcome is fine; a panic fails the test (with the input named).
    if let Ok(c) = open_bytes(name, data, &opts.limits) {
        let _ = scan_container(&c, opts);
    }
}

/// Deterministic xorshift, so failures reproduce.
fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn truncations_never_panic() {
    let opts = ScanOptions::new(Catalog::embedded().unwrap());
    for (name, data) in samples() {
        // Every offset near the end (where the zip directories live), and a
        // stride through the rest.
        let n = data.len();
        let cuts: Vec<usize> = (0..n)
            .step_by(97)
            .chain(n.saturating_sub(2048)..n)
            .collect();
        for cut in cuts {
            let r = std::panic::catch_unwind(|| scan(&name, data[..cut].to_vec(), &opts));
            assert!(r.is_ok(), "{name} truncated at {cut} panicked");
        }
    }
}

#[test]
fn byte_flips_never_panic() {
    let opts = ScanOptions::new(Catalog::embedded().unwrap());
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for (name, data) in samples() {
        for round in 0..400 {
            let mut m = data.clone();
            let flips = 1 + (rng(&mut seed) % 8) as usize;
            for _ in 0..flips {
                let i = (rng(&mut seed) as usize) % m.len();
                m[i] = rng(&mut seed) as u8;
            }
            let r = std::panic::catch_unwind(|| scan(&name, m.clone(), &opts));
            assert!(r.is_ok(), "{name} round {round} panicked");
        }
    }
}

/// A declared size far beyond the file is refused by the cap, not
/// allocated: a 1 KB zip claiming a 4 GB manifest.
#[test]
fn declared_sizes_are_not_trusted() {
    let kids = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/kidsdemo/kidsdemo.apk"),
    )
    .unwrap();
    let ar = humiao::apk::zip::Archive::parse(&kids).unwrap().value;
    let e = ar.find("AndroidManifest.xml").unwrap().clone();
    // Patch the central directory's uncompressed size to 0xfffffffe.
    let mut m = kids.clone();
    let cd = ar.cd_offset as usize;
    let mut pos = cd;
    loop {
        let name_len = u16::from_le_bytes([m[pos + 28], m[pos + 29]]) as usize;
        let name = &m[pos + 46..pos + 46 + name_len];
        if name == e.name.as_bytes() {
            m[pos + 24..pos + 28].copy_from_slice(&0xffff_fffeu32.to_le_bytes());
            break;
        }
        let extra = u16::from_le_bytes([m[pos + 30], m[pos + 31]]) as usize;
        let comment = u16::from_le_bytes([m[pos + 32], m[pos + 33]]) as usize;
        pos += 46 + name_len + extra + comment;
    }
    let opts = ScanOptions::new(Catalog::embedded().unwrap());
    let c = open_bytes("patched.apk", m, &opts.limits).unwrap();
    let ev = scan_container(&c, &opts).expect("still decodes: the deflate stream is intact");
    assert!(
        ev.anomalies.iter().any(|a| a.code == "zip-size-mismatch"),
        "{:?}",
        ev.anomalies
    );
    assert!(
        ev.anomalies.iter().any(|a| a.code == "zip-bomb-ratio"),
        "{:?}",
        ev.anomalies
    );
}

/// The limits of `apk::Limits` and the scan's time budget end in partial
/// evidence with the damage named, not in a hang or an exhausted machine.
#[test]
fn limits_give_partial_evidence() {
    let kids = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/kidsdemo/kidsdemo.apk"),
    )
    .unwrap();
    let base = ScanOptions::new(Catalog::embedded().unwrap());

    // Time limit already spent: no DEX is started, each is named as damage.
    let mut opts = base.clone();
    opts.time_limit = Some(std::time::Duration::ZERO);
    let c = open_bytes("kids.apk", kids.clone(), &opts.limits).unwrap();
    let ev = scan_container(&c, &opts).unwrap();
    assert_eq!(ev.app.package.as_deref(), Some("com.example.kidsdemo"));
    assert!(ev.code.categories.is_empty());
    assert_eq!(ev.damage.len(), 1, "{:?}", ev.damage);
    assert!(
        ev.damage[0].message.contains("time limit"),
        "{:?}",
        ev.damage
    );
    assert!(!ev.coverage.code_complete);

    // Code budget smaller than classes.dex.
    let mut opts = base.clone();
    opts.limits.max_code_bytes = 100;
    let c = open_bytes("kids.apk", kids.clone(), &opts.limits).unwrap();
    let ev = scan_container(&c, &opts).unwrap();
    assert_eq!(ev.damage.len(), 1, "{:?}", ev.damage);
    assert!(
        ev.damage[0]
            .message
            .contains("budget of 100 bytes of code per input"),
        "{:?}",
        ev.damage
    );

    // Too many zip entries: an error naming the limit.
    let mut opts = base;
    opts.limits.max_entries = 3;
    let e = open_bytes("kids.apk", kids, &opts.limits).err().unwrap();
    assert!(e.to_string().contains("more than the limit of 3"), "{e}");
}
