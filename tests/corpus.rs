//! humiao against Android's own tools, on every APK of the shared corpus and
//! of samples/: identity, SDK levels and permissions must equal `aapt dump
//! badging` / `aapt dump permissions`, labels must equal aapt's, and signer
//! fingerprints must include apksigner's. The reference outputs are golden
//! files in tests/golden/ (regenerate with scripts/gen-golden.sh).
//!
//! A missing or changed corpus file fails the test (set HUMIAO_SKIP_CORPUS=1
//! to skip corpus files explicitly, e.g. on a machine without ../shared).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use humiao::catalog::Catalog;
use humiao::evidence::Evidence;
use humiao::scan::{scan_path, ScanOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Row {
    file: String,
    sha256: String,
    aapt_badging_exit: String,
    apksigner_exit: String,
    apksigner_minsdk24_exit: String,
    golden: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(root().join("tests/golden/corpus.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Row {
                file: f[0].to_string(),
                sha256: f[1].to_string(),
                aapt_badging_exit: f[3].to_string(),
                apksigner_exit: f[5].to_string(),
                apksigner_minsdk24_exit: f.get(6).unwrap_or(&"").to_string(),
                golden: f[7].to_string(),
            }
        })
        .collect()
}

/// Input path of a row; `None` for an APK nested in a bundle (tested via
/// its extracted copy).
fn input_path(file: &str) -> PathBuf {
    if let Some(rest) = file.strip_prefix("corpus/") {
        root().join("../shared/corpus").join(rest)
    } else {
        root().join(file)
    }
}

/// Extracts `container!entry` to a temporary file so it can be scanned as
/// an APK on its own.
fn materialize(file: &str, tmp: &Path) -> PathBuf {
    let (container, entry) = file.split_once('!').unwrap();
    let data = std::fs::read(input_path(container)).unwrap();
    let ar = humiao::apk::zip::Archive::parse(&data).unwrap().value;
    let e = ar.find(entry).unwrap();
    let bytes = ar.read(e, 1 << 30).unwrap();
    let out = tmp.join(file.replace(['/', '!'], "_"));
    std::fs::write(&out, &bytes).unwrap();
    out
}

fn quoted(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("{key}='"))? + key.len() + 2;
    let end = line[start..].find('\'')? + start;
    Some(line[start..end].to_string())
}

#[derive(Debug, Default, PartialEq)]
struct Badging {
    package: Option<String>,
    version_code: Option<String>,
    version_name: Option<String>,
    sdk: Option<String>,
    target_sdk: Option<String>,
    labels: BTreeMap<String, String>,
}

fn parse_badging(text: &str) -> Badging {
    let mut b = Badging::default();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("package: ") {
            b.package = quoted(rest, "name");
            b.version_code = quoted(rest, "versionCode").filter(|v| !v.is_empty());
            b.version_name = quoted(rest, "versionName").filter(|v| !v.is_empty());
        } else if let Some(v) = l.strip_prefix("sdkVersion:'") {
            b.sdk = Some(v.trim_end_matches('\'').to_string());
        } else if let Some(v) = l.strip_prefix("targetSdkVersion:'") {
            b.target_sdk = Some(v.trim_end_matches('\'').to_string());
        } else if let Some(v) = l.strip_prefix("application-label:'") {
            b.labels
                .insert(String::new(), v.trim_end_matches('\'').to_string());
        } else if let Some(rest) = l.strip_prefix("application-label-") {
            if let Some((loc, v)) = rest.split_once(":'") {
                b.labels
                    .insert(loc.to_string(), v.trim_end_matches('\'').to_string());
            }
        }
    }
    b
}

/// A requested permission as aapt prints it: (name, maxSdkVersion, tag).
type Requested = BTreeSet<(String, Option<String>, String)>;

/// `aapt dump permissions`: requested permissions and declared names.
fn parse_permissions(text: &str) -> (Requested, BTreeSet<String>) {
    let mut req = BTreeSet::new();
    let mut decl = BTreeSet::new();
    for l in text.lines() {
        if let Some((tag, rest)) = l.split_once(": ") {
            match tag {
                "uses-permission" | "uses-permission-sdk-23" => {
                    if let Some(n) = quoted(rest, "name") {
                        req.insert((n, quoted(rest, "maxSdkVersion"), tag.to_string()));
                    }
                }
                "permission" => {
                    decl.insert(rest.trim().to_string());
                }
                _ => {}
            }
        }
    }
    (req, decl)
}

fn ours_requested(ev: &Evidence) -> Requested {
    ev.manifest
        .uses_permissions
        .iter()
        .map(|p| {
            let tag = serde_json::to_value(p.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string();
            // aapt prints uses-permission-sdk-m as uses-permission-sdk-23.
            let tag = if tag == "uses-permission-sdk-m" {
                "uses-permission-sdk-23".to_string()
            } else {
                tag
            };
            (
                p.name.clone(),
                p.max_sdk_version.map(|v| v.to_string()),
                tag,
            )
        })
        .collect()
}

fn certs(text: &str) -> (BTreeSet<String>, BTreeSet<&'static str>) {
    let mut fps = BTreeSet::new();
    let mut schemes = BTreeSet::new();
    for l in text.lines() {
        if l.contains("certificate SHA-256 digest: ") {
            fps.insert(l.rsplit(' ').next().unwrap().to_string());
        }
        for (needle, s) in [
            ("Verified using v1 scheme (JAR signing): true", "v1"),
            (
                "Verified using v2 scheme (APK Signature Scheme v2): true",
                "v2",
            ),
            (
                "Verified using v3 scheme (APK Signature Scheme v3): true",
                "v3",
            ),
        ] {
            if l == needle {
                schemes.insert(s);
            }
        }
    }
    (fps, schemes)
}

fn golden(row: &Row, suffix: &str) -> Option<String> {
    std::fs::read_to_string(
        root()
            .join("tests/golden")
            .join(format!("{}.{suffix}", row.golden)),
    )
    .ok()
}

#[test]
fn identity_permissions_labels_and_signers_match_android_tools() {
    let skip_corpus = std::env::var_os("HUMIAO_SKIP_CORPUS").is_some();
    let opts = ScanOptions::new(Catalog::embedded().unwrap());
    let tmp = std::env::temp_dir().join(format!("humiao-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut signer_checked = 0;
    for row in rows() {
        let container = row.file.split('!').next().unwrap().to_string();
        let cpath = input_path(&container);
        if container.starts_with("corpus/") {
            if skip_corpus {
                continue;
            }
            let data = std::fs::read(&cpath).unwrap_or_else(|e| {
                panic!(
                    "corpus file {} missing ({e}); set HUMIAO_SKIP_CORPUS=1 to skip",
                    cpath.display()
                )
            });
            if !row.file.contains('!') {
                assert_eq!(
                    humiao::apk::sha256_hex(&data),
                    row.sha256,
                    "corpus file {} changed",
                    row.file
                );
            }
        }
        if row.aapt_badging_exit != "0" {
            continue; // aapt could not read it: covered by the malformed tests
        }
        let path = if row.file.contains('!') {
            materialize(&row.file, &tmp)
        } else {
            input_path(&row.file)
        };
        let ev = match scan_path(&path, &opts) {
            Ok(ev) => ev,
            Err(e) => {
                failures.push(format!("{}: scan failed: {e}", row.file));
                continue;
            }
        };
        checked += 1;
        let mut diff = |what: &str, ours: String, theirs: String| {
            if ours != theirs {
                failures.push(format!(
                    "{}: {what}: ours {ours} != aapt {theirs}",
                    row.file
                ));
            }
        };
        let b = parse_badging(&golden(&row, "badging.txt").unwrap());
        diff(
            "package",
            format!("{:?}", ev.app.package),
            format!("{:?}", b.package),
        );
        diff(
            "versionCode",
            format!(
                "{:?}",
                ev.manifest.version_code_low().map(|v| v.to_string())
            ),
            format!("{:?}", b.version_code),
        );
        diff(
            "versionName",
            format!("{:?}", ev.app.version_name),
            format!("{:?}", b.version_name),
        );
        let raw_min = ev
            .manifest
            .uses_sdk
            .as_ref()
            .and_then(|u| u.min_sdk_version.as_ref())
            .and_then(|v| v.to_text());
        diff("sdkVersion", format!("{raw_min:?}"), format!("{:?}", b.sdk));
        if let Some(t) = &b.target_sdk {
            diff(
                "targetSdkVersion",
                format!("{:?}", ev.app.target_sdk.map(|t| t.to_string())),
                format!("{:?}", Some(t)),
            );
        }
        for (loc, label) in &b.labels {
            if let Some(ours) = ev.app.labels.get(loc) {
                diff(&format!("label[{loc}]"), ours.clone(), label.clone());
            } else if loc.is_empty() {
                diff(
                    "label",
                    format!("{:?}", ev.app.label),
                    format!("{:?}", Some(label)),
                );
            }
        }
        if let Some(p) = golden(&row, "permissions.txt") {
            let (req, decl) = parse_permissions(&p);
            diff(
                "uses-permission",
                format!("{:?}", ours_requested(&ev)),
                format!("{req:?}"),
            );
            let ours_decl: BTreeSet<String> = ev
                .manifest
                .permissions
                .iter()
                .map(|p| p.name.clone())
                .collect();
            diff("permission", format!("{ours_decl:?}"), format!("{decl:?}"));
        }
        // Signers: where apksigner accepted the file, every certificate it
        // names is one of ours and every scheme it verified is present.
        let certs_text = if row.apksigner_exit == "0" {
            golden(&row, "certs.txt")
        } else if row.apksigner_minsdk24_exit == "0" {
            golden(&row, "certs-minsdk24.txt")
        } else {
            None
        };
        if let Some(ct) = certs_text {
            signer_checked += 1;
            let (fps, schemes) = certs(&ct);
            let s = ev.signing.as_ref().unwrap();
            let ours: BTreeSet<String> = s
                .signers
                .iter()
                .map(|x| x.certificate.sha256.clone())
                .collect();
            if !fps.is_subset(&ours) {
                failures.push(format!(
                    "{}: signers: ours {ours:?} lacks apksigner's {fps:?}",
                    row.file
                ));
            }
            for sch in schemes {
                let present = match sch {
                    "v1" => s.schemes.v1,
                    "v2" => s.schemes.v2,
                    _ => s.schemes.v3,
                };
                if !present {
                    failures.push(format!(
                        "{}: scheme {sch} verified by apksigner but not found",
                        row.file
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        failures.is_empty(),
        "{} mismatch(es) over {checked} APKs:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("compared {checked} APKs with aapt and {signer_checked} with apksigner");
    if !skip_corpus {
        assert!(
            checked >= 70,
            "only {checked} APKs compared: golden index incomplete?"
        );
    }
}
