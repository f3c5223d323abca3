//! Dumps what the scanner reads from native libraries, as JSON.
//!
//! ```text
//! elf_dump LIB.so [LIB2.so …]          one JSON object per file
//! elf_dump APP.apk lib/arm64-v8a/x.so  one entry of an APK
//! elf_dump APP.apk --all               every lib/*/*.so entry of an APK
//! --no-strings                         leave out `strings` (shorter output)
//! ```
//!
//! Each line is `{"path", "lib"?, "error"?, "anomalies"}`; `error` is the
//! reader's refusal (e.g. "not an ELF file: magic … (dex)").
//!
//! Exit status: 0 when every input decoded, 1 when one did not, 2 on usage
//! or I/O errors.
use std::process::ExitCode;

use humiao::apk::zip::Archive;
use humiao::formats::elf::read_native_lib;
use serde_json::{json, Value};

/// Entries larger than this are not inflated (matches the ELF input cap).
const ENTRY_LIMIT: u64 = humiao::formats::elf::MAX_INPUT as u64;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let no_strings = args.iter().any(|a| a == "--no-strings");
    args.retain(|a| a != "--no-strings");
    if args.is_empty() {
        eprintln!("usage: elf_dump LIB.so… | elf_dump APP.apk (ENTRY|--all) [--no-strings]");
        return ExitCode::from(2);
    }
    let mut ok = true;
    let emit = |path: &str, data: &[u8]| -> bool {
        let v = dump(path, data, no_strings);
        println!("{v}");
        v.get("error").is_none()
    };
    let first = args.first().cloned().unwrap_or_default();
    let is_zip = std::fs::read(&first)
        .map(|d| d.starts_with(b"PK"))
        .unwrap_or(false);
    if is_zip && args.len() == 2 {
        let bytes = match std::fs::read(&first) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {first}: {e}");
                return ExitCode::from(2);
            }
        };
        let archive = match Archive::parse(&bytes) {
            Ok(p) => p.value,
            Err(e) => {
                eprintln!("error: {first}: {e}");
                return ExitCode::from(2);
            }
        };
        let want = args.get(1).cloned().unwrap_or_default();
        let mut found = false;
        for entry in archive.entries() {
            let is_lib = entry.name.starts_with("lib/") && entry.name.ends_with(".so");
            if !((want == "--all" && is_lib) || entry.name == want) {
                continue;
            }
            found = true;
            let path = format!("{first}!{}", entry.name);
            match archive.read(entry, ENTRY_LIMIT) {
                Ok(data) => ok &= emit(&path, &data),
                Err(e) => {
                    println!(
                        "{}",
                        json!({"path": path, "error": format!("zip: {e}"), "anomalies": []})
                    );
                    ok = false;
                }
            }
        }
        if !found && want != "--all" {
            eprintln!("error: {first}: no entry `{want}`");
            return ExitCode::from(2);
        }
    } else {
        for path in &args {
            match std::fs::read(path) {
                Ok(data) => ok &= emit(path, &data),
                Err(e) => {
                    eprintln!("error: {path}: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn dump(path: &str, data: &[u8], no_strings: bool) -> Value {
    match read_native_lib(data) {
        Ok(p) => {
            let mut lib = serde_json::to_value(&p.value).unwrap_or(Value::Null);
            if no_strings {
                if let Some(o) = lib.as_object_mut() {
                    o.remove("strings");
                }
            }
            json!({"path": path, "lib": lib, "anomalies": p.anomalies})
        }
        Err(e) => json!({"path": path, "error": e.to_string(), "anomalies": []}),
    }
}
