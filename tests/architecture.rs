//! The one-way data flow, enforced: container → formats → evidence → rules
//! → report. A module may only name modules to its right in this list:
//! cli → scan → evidence → {catalog, apk, formats}; apk → formats.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn check(module: &str, forbidden: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = root.join(module);
    if dir.is_dir() {
        sources(&dir, &mut files);
    } else {
        files.push(root.join(format!("{module}.rs")));
    }
    assert!(!files.is_empty(), "no sources for {module}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in forbidden {
            let needle = format!("crate::{bad}");
            assert!(
                !text.contains(&needle),
                "{} names `{needle}`: {module} may not depend on {bad} (see docs/architecture.md)",
                f.display()
            );
        }
    }
}

#[test]
fn formats_are_pure() {
    check(
        "formats",
        &[
            "apk", "catalog", "evidence", "rules", "report", "batch", "cli", "scan",
        ],
    );
}

#[test]
fn container_knows_only_formats() {
    check(
        "apk",
        &[
            "catalog", "evidence", "rules", "report", "batch", "cli", "scan",
        ],
    );
}

#[test]
fn catalog_is_data_only() {
    check(
        "catalog",
        &[
            "apk", "formats", "evidence", "rules", "report", "batch", "cli", "scan",
        ],
    );
}

#[test]
fn evidence_does_not_reach_forward() {
    check("evidence", &["rules", "report", "batch", "cli", "scan"]);
}

#[test]
fn formats_do_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/formats");
    let mut files = Vec::new();
    sources(&root, &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in ["std::fs", "std::net", "std::process"] {
            assert!(
                !text.contains(bad),
                "{} uses {bad}: parsers take bytes, not files",
                f.display()
            );
        }
    }
}
