//! Times each scan stage on one APK (debug aid for docs/performance.md).
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("APK path");
    let t = Instant::now();
    let data = std::fs::read(&path).unwrap();
    let read = t.elapsed();
    let t = Instant::now();
    let _h = humiao::apk::sha256_hex(&data);
    let hash = t.elapsed();
    let t = Instant::now();
    let ar = humiao::apk::zip::Archive::parse(&data).unwrap().value;
    let zip = t.elapsed();
    let t = Instant::now();
    let m = ar
        .read(ar.find("AndroidManifest.xml").unwrap(), 1 << 30)
        .unwrap();
    let doc = humiao::formats::axml::parse(&m).unwrap();
    let _man = humiao::formats::axml::manifest::Manifest::from_document(&doc.value);
    let manifest = t.elapsed();
    let t = Instant::now();
    let a = ar
        .read(ar.find("resources.arsc").unwrap(), 1 << 30)
        .unwrap();
    let tab = humiao::formats::arsc::parse(&a).unwrap();
    let arsc = t.elapsed();
    let t = Instant::now();
    let n = tab.value.string_resources().count();
    let strings = t.elapsed();
    let t = Instant::now();
    let sig = humiao::apk::signing::collect(&data, ar.cd_offset, &[], &[]);
    let signing = t.elapsed();
    let opts = humiao::scan::ScanOptions::new(humiao::catalog::Catalog::embedded().unwrap());
    let t = Instant::now();
    let ev = humiao::scan::scan_path(std::path::Path::new(&path), &opts).unwrap();
    let full = t.elapsed();
    let t = Instant::now();
    let js = serde_json::to_string_pretty(&ev).unwrap();
    let json = t.elapsed();
    println!("read {read:?} hash {hash:?} zip {zip:?} manifest {manifest:?} arsc {arsc:?} strings({n}) {strings:?} signing {signing:?} (signers {}) | full scan {full:?} json {json:?} ({} bytes)", sig.value.signers.len(), js.len());
}
