//! The scan pipeline without SHA-256 and without code analysis
//! (`humiao scan --no-code` minus the hash): the same decoding work as
//! `aapt dump badging` (identity, manifest, resources, signers), printed as
//! evidence JSON. Used by scripts/bench-foundation.sh to time decoding apart
//! from hashing and code analysis; the product always hashes.
fn main() -> std::process::ExitCode {
    let path = std::env::args_os().nth(1).expect("usage: decode_only APK");
    let mut opts = humiao::scan::ScanOptions::without_code(
        humiao::catalog::Catalog::embedded_without_code().expect("embedded catalogue"),
    );
    opts.hash = false;
    match humiao::scan::scan_path(std::path::Path::new(&path), &opts) {
        Ok(ev) => {
            println!("{}", serde_json::to_string(&ev).unwrap_or_default());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
