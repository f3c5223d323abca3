//! Embeds the SDK catalogue, `rulesets/sdks/*.toml`, in the binary, twice
//! (and `rulesets/apis.toml` and `rulesets/permissions.toml` as
//! `$OUT_DIR/apis.json` and `$OUT_DIR/permissions.json` the same way):
//!
//! * `$OUT_DIR/sdk_files.rs`: a `&[(&str, &str)]` of (path, TOML text),
//!   sorted by file name, which the validating loader reads (tests, and
//!   users who want to see the files);
//! * `$OUT_DIR/sdks.json`: every `[[sdk]]` table of those files, in the
//!   same order, as one JSON array with the source file added as `file`.
//!   `Catalog::embedded()` reads this: JSON parses about ten times faster
//!   than TOML, which keeps start-up in the milliseconds. A unit test checks
//!   that the JSON gives exactly what the validating TOML loader gives.
//!
//! Adding a catalogue file needs no code change. A file that does not parse
//! is left out of the JSON with a build warning; the validating loader then
//! reports it with file, line and column, and the tests fail.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets/sdks");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut list = String::from("&[\n");
    let mut entries: Vec<toml::Value> = Vec::new();
    for f in &files {
        let path = dir.join(f);
        let rel = format!("rulesets/sdks/{f}");
        println!("cargo:rerun-if-changed={}", path.display());
        list.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            rel,
            path.display().to_string()
        ));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match text.parse::<toml::Table>() {
            Ok(mut t) => {
                if let Some(toml::Value::Array(sdks)) = t.remove("sdk") {
                    for mut e in sdks {
                        if let toml::Value::Table(tab) = &mut e {
                            tab.insert("file".into(), toml::Value::String(rel.clone()));
                        }
                        entries.push(e);
                    }
                }
            }
            Err(e) => println!("cargo:warning={rel}: {e}"),
        }
    }
    list.push_str("]\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    // rulesets/apis.toml likewise: its categories and APIs as JSON.
    let apis_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets/apis.toml");
    println!("cargo:rerun-if-changed={}", apis_path.display());
    let apis_text = std::fs::read_to_string(&apis_path).unwrap_or_default();
    let apis_json = match apis_text.parse::<toml::Table>() {
        Ok(t) => serde_json::to_string(&t).unwrap_or_else(|_| "{}".into()),
        Err(e) => {
            println!("cargo:warning=rulesets/apis.toml: {e}");
            "{}".into()
        }
    };
    // rulesets/permissions.toml likewise.
    let perms_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets/permissions.toml");
    println!("cargo:rerun-if-changed={}", perms_path.display());
    let perms_text = std::fs::read_to_string(&perms_path).unwrap_or_default();
    let perms_json = match perms_text.parse::<toml::Table>() {
        Ok(t) => serde_json::to_string(&t).unwrap_or_else(|_| "{}".into()),
        Err(e) => {
            println!("cargo:warning=rulesets/permissions.toml: {e}");
            "{}".into()
        }
    };
    for (name, body) in [
        ("sdk_files.rs", list),
        ("sdks.json", json),
        ("apis.json", apis_json),
        ("permissions.json", perms_json),
    ] {
        if let Err(e) = std::fs::write(Path::new(&out_dir).join(name), body) {
            panic!("cannot write {name}: {e}");
        }
    }
}
