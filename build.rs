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
    // rulesets/apis.toml and permissions.toml likewise, whole.
    let apis_json = toml_file_as_json("rulesets/apis.toml");
    let perms_json = toml_file_as_json("rulesets/permissions.toml");
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

/// A TOML file of the repository as one JSON value (`{}` with a build
/// warning if it does not parse: the validating loader's tests then fail
/// with the file, line and column).
fn toml_file_as_json(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    match text.parse::<toml::Table>() {
        Ok(t) => serde_json::to_string(&t).unwrap_or_else(|_| "{}".into()),
        Err(e) => {
            println!("cargo:warning={rel}: {e}");
            "{}".into()
        }
    }
}
