//! Embeds every `rulesets/sdks/*.toml` in the binary: writes
//! `$OUT_DIR/sdk_files.rs`, a `&[(&str, &str)]` of (path, contents) sorted
//! by file name, so that adding a catalogue file needs no code change.

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
    let mut out = String::from("&[\n");
    for f in &files {
        let path = dir.join(f);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("rulesets/sdks/{f}"),
            path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("sdk_files.rs"), out) {
        panic!("cannot write sdk_files.rs: {e}");
    }
}
