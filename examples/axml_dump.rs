//! Dumps a raw binary XML file (an `AndroidManifest.xml` or `res/xml/*.xml`
//! extracted from an APK), for comparison with aapt.
//!
//! ```text
//! axml_dump FILE [--package-id 0x7f]   as `aapt dump xmltree APK FILE`
//! axml_dump FILE --manifest            the typed manifest, as JSON
//! axml_dump FILE --badging             the lines of `aapt dump badging`
//!                                      that the manifest model covers
//! axml_dump FILE --nsc                 the network security config, as JSON
//! axml_dump FILE --anomalies           decoder anomalies, one per line
//! ```
//!
//! Exit status: 0 on success, 1 when the file cannot be decoded, 2 on usage
//! or I/O errors.
use std::process::ExitCode;

use humiao::formats::axml::manifest::{AttrValue, Manifest, UsesPermissionKind};
use humiao::formats::axml::{self, XmlTreeOptions};
use humiao::formats::nsc::NetworkSecurityConfig;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: axml_dump FILE [--package-id ID|--manifest|--badging|--nsc|--anomalies]");
        return ExitCode::from(2);
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let parsed = match axml::parse(&data) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let doc = &parsed.value;
    match args.get(1).map(String::as_str).unwrap_or("") {
        "--manifest" => {
            let m = Manifest::from_document(doc);
            println!("{}", json(&m.value));
            for a in m.anomalies {
                eprintln!("anomaly: {} {}", a.code, a.detail);
            }
        }
        "--badging" => print!("{}", badging(&Manifest::from_document(doc).value)),
        "--nsc" => {
            let n = NetworkSecurityConfig::from_document(doc);
            println!("{}", json(&n.value));
            for a in n.anomalies {
                eprintln!("anomaly: {} {}", a.code, a.detail);
            }
        }
        "--anomalies" => {
            for a in &parsed.anomalies {
                println!("{} {:?} {}", a.code, a.offset, a.detail);
            }
        }
        "--package-id" => {
            let id = args
                .get(2)
                .and_then(|s| u8::from_str_radix(s.trim_start_matches("0x"), 16).ok());
            let Some(id) = id else {
                eprintln!("--package-id needs a hex byte");
                return ExitCode::from(2);
            };
            print!(
                "{}",
                doc.to_xmltree_with(&XmlTreeOptions {
                    assigned_package_id: Some(id)
                })
            );
        }
        _ => print!("{}", doc.to_xmltree()),
    }
    ExitCode::SUCCESS
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// `ResTable::normalizeForOutput` on a C string.
fn norm(s: &str) -> String {
    let s = s.split('\0').next().unwrap_or("");
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('"', "\\\"")
}

/// The subset of `aapt dump badging` that the model covers, printed the way
/// aapt 1 (`tools/aapt/Command.cpp`) prints it. References aapt would
/// resolve through resources.arsc are printed as `@0x…`.
fn badging(m: &Manifest) -> String {
    let mut out = String::new();
    let vc = match m.version_code_low() {
        Some(v) if v > 0 => v.to_string(),
        _ => String::new(),
    };
    let vn = m
        .version_name
        .as_ref()
        .and_then(AttrValue::to_text)
        .unwrap_or_default();
    out.push_str(&format!(
        "package: name='{}' versionCode='{vc}' versionName='{}'\n",
        norm(m.package.as_deref().unwrap_or("")),
        norm(&vn)
    ));
    if let Some(sdk) = &m.uses_sdk {
        let level = |v: &AttrValue| match v {
            AttrValue::Int(i) if *i != -1 => Some(i.to_string()),
            AttrValue::Int(_) => None,
            other => other.to_text().map(|t| norm(&t)),
        };
        if let Some(v) = sdk.min_sdk_version.as_ref().and_then(level) {
            out.push_str(&format!("sdkVersion:'{v}'\n"));
        }
        if let Some(v) = sdk.max_sdk_version.filter(|v| *v != -1) {
            out.push_str(&format!("maxSdkVersion:'{v}'\n"));
        }
        if let Some(v) = sdk.target_sdk_version.as_ref().and_then(level) {
            out.push_str(&format!("targetSdkVersion:'{v}'\n"));
        }
    }
    for p in &m.uses_permissions {
        let max = p
            .max_sdk_version
            .filter(|v| *v != -1)
            .map(|v| format!(" maxSdkVersion='{v}'"));
        let max = max.unwrap_or_default();
        match p.kind {
            UsesPermissionKind::UsesPermission => {
                out.push_str(&format!("uses-permission: name='{}'{max}", norm(&p.name)));
                if let Some(f) = p.required_feature.as_deref().filter(|f| !f.is_empty()) {
                    out.push_str(&format!(" requiredFeature='{f}'"));
                }
                if let Some(f) = p.required_not_feature.as_deref().filter(|f| !f.is_empty()) {
                    out.push_str(&format!(" requiredNotFeature='{f}'"));
                }
                out.push('\n');
                if p.required == Some(false) {
                    out.push_str(&format!(
                        "optional-permission: name='{}'{max}\n",
                        norm(&p.name)
                    ));
                }
            }
            _ => out.push_str(&format!(
                "uses-permission-sdk-23: name='{}'{max}\n",
                norm(&p.name)
            )),
        }
    }
    out
}
