//! Documentation that must not go stale.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every anomaly code the source can emit is documented in docs/evidence.md.
#[test]
fn every_anomaly_code_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/evidence.md")).unwrap();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let prefixes = [
        "zip-",
        "zip64-",
        "bundle-",
        "split-",
        "axml-",
        "manifest-",
        "nsc-",
        "arsc-",
        "sig-",
        "dex-",
        "elf-",
    ];
    let mut missing = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            let is_code = prefixes.iter().any(|p| piece.starts_with(p))
                && piece.len() > 5
                && piece
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if is_code && !doc.contains(&format!("`{piece}`")) {
                missing.push(format!("{piece} ({})", f.display()));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "anomaly codes missing from docs/evidence.md:\n{}",
        missing.join("\n")
    );
}

/// The README's two quick-start commands are the ones CI runs.
#[test]
fn readme_quick_start_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let scan = "cargo run --release -- scan samples/kidsdemo/kidsdemo.apk";
    let test = "cargo test --locked";
    assert!(
        readme.contains(scan) && readme.contains(test),
        "README quick start changed"
    );
    assert!(
        ci.lines().any(|l| l.trim() == test),
        ".ci/run must run `{test}`"
    );
    assert!(
        ci.contains("-- scan samples/kidsdemo/kidsdemo.apk"),
        ".ci/run must scan the quick-start sample"
    );
    assert!(root().join("samples/kidsdemo/kidsdemo.apk").is_file());
}
