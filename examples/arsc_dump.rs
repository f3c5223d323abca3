//! Dumps a raw `resources.arsc` file.
//!
//! ```text
//! cargo run --example arsc_dump -- FILE [--values]      # aapt-style dump
//! cargo run --example arsc_dump -- FILE --label 0x7f…   # localized strings
//! cargo run --example arsc_dump -- FILE --label 0x7f… zh-CN en ""
//!                                                        # one line per locale
//! cargo run --example arsc_dump -- FILE --strings       # every string value
//! cargo run --example arsc_dump -- FILE --file 0x7f…    # file path
//! ```
//!
//! The default output follows `aapt dump resources` line for line (type,
//! spec, config and resource lines) so the two can be diffed; anomalies go
//! to stderr.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use humiao::formats::arsc::package::ENTRY_FLAG_PUBLIC;
use humiao::formats::arsc::{self, EntryData, ResTable};
use humiao::formats::resvalue::types;

/// `writeln!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

fn parse_id(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("@0x")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!(
            "usage: arsc_dump FILE [--values | --strings | --label ID [LOCALE…] | --file ID]"
        );
        return ExitCode::from(2);
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let parsed = match arsc::parse(&data) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    for a in &parsed.anomalies {
        match a.offset {
            Some(o) => eprintln!("anomaly: {} at {o:#x}: {}", a.code, a.detail),
            None => eprintln!("anomaly: {}: {}", a.code, a.detail),
        }
    }
    let table = parsed.value;
    let mut out = String::new();
    let rest = args.get(1..).unwrap_or_default();
    match rest.first().map(String::as_str) {
        Some("--label") => {
            let Some(id) = rest.get(1).and_then(|s| parse_id(s)) else {
                eprintln!("--label needs a resource id");
                return ExitCode::from(2);
            };
            let locales = rest.get(2..).unwrap_or_default();
            if locales.is_empty() {
                for (loc, s) in table.localized_strings(id) {
                    w!(out, "{loc}\t{s}");
                }
            } else {
                for loc in locales {
                    let l = (!loc.is_empty()).then_some(loc.as_str());
                    match table.resolve_string(id, l) {
                        Some(s) => w!(out, "{loc}\t{s}"),
                        None => w!(out, "{loc}\t<none>"),
                    }
                }
            }
        }
        Some("--file") => {
            let Some(id) = rest.get(1).and_then(|s| parse_id(s)) else {
                eprintln!("--file needs a resource id");
                return ExitCode::from(2);
            };
            w!(
                out,
                "{}",
                table.resolve_file(id).unwrap_or_else(|| "<none>".into())
            );
        }
        Some("--strings") => {
            for (name, loc, value) in table.string_resources() {
                w!(out, "{name}\t{loc}\t{}", value.escape_debug());
            }
        }
        Some("--values") => dump(&mut out, &table, true),
        _ => dump(&mut out, &table, false),
    }
    // The output is built first so that a closed pipe (`| head`) ends the
    // program quietly, as ripgrep does.
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Prints the table like `aapt dump [--values] resources`.
fn dump(out: &mut String, table: &ResTable<'_>, values: bool) {
    let packages: Vec<_> = table.packages().collect();
    w!(out, "Package Groups ({})", packages.len());
    for (gi, p) in packages.iter().enumerate() {
        w!(
            out,
            "Package Group {gi} id={:#04x} packageCount=1 name={}",
            p.id(),
            p.name()
        );
        for lib in p.libraries() {
            w!(
                out,
                "  DynamicRefTable entry: {:#04x} -> {}",
                lib.package_id,
                lib.name
            );
        }
        w!(out, "  Package 0 id={:#04x} name={}", p.id(), p.name());
        for t in p.types() {
            let tid = u32::from(t.id());
            let n = t.entry_count();
            w!(
                out,
                "    type {} configCount={} entryCount={n}",
                tid.saturating_sub(1),
                t.configs().len()
            );
            let tname = p.type_name(t.id()).unwrap_or_else(|| "?".into());
            for idx in 0..n {
                let idx16 = idx as u16;
                let id = (p.id() << 24) | (tid << 16) | u32::from(idx16);
                let key = t
                    .configs()
                    .iter()
                    .find_map(|c| c.entry(idx16))
                    .and_then(|e| p.key_name(e.key));
                match key {
                    Some(k) => w!(
                        out,
                        "      spec resource {id:#010x} {}:{tname}/{k}: flags={:#010x}",
                        p.name(),
                        t.spec_flags(idx16).unwrap_or(0)
                    ),
                    None => w!(out, "      INVALID TYPE CONFIG FOR RESOURCE {id:#010x}"),
                }
            }
            for c in t.configs() {
                let cfg = c.config().to_string();
                w!(
                    out,
                    "      config {}:",
                    if cfg.is_empty() { "(default)" } else { &cfg }
                );
                for (idx, e) in c.entries() {
                    let id = (p.id() << 24) | (tid << 16) | u32::from(idx);
                    let k = p.key_name(e.key).unwrap_or_else(|| "?".into());
                    let public = if e.flags & ENTRY_FLAG_PUBLIC != 0 {
                        " (PUBLIC)"
                    } else {
                        ""
                    };
                    match &e.data {
                        EntryData::Simple(v) => {
                            w!(
                out,
                                "        resource {id:#010x} {}:{tname}/{k}: t={:#04x} d={:#010x} (s=0x0008 r=0x00){public}",
                                p.name(),
                                v.data_type,
                                v.data
                            );
                            if values {
                                if v.data_type == types::STRING {
                                    let s = table
                                        .value_string(v)
                                        .unwrap_or_else(|| "<bad string>".into());
                                    w!(out, "          (string) \"{}\"", s.escape_debug());
                                } else if let Some(r) = v.as_reference() {
                                    w!(out, "          (reference) {r:#010x}");
                                }
                            }
                        }
                        EntryData::Complex { parent, items } => {
                            w!(
                                out,
                                "        resource {id:#010x} {}:{tname}/{k}: <bag>{public}",
                                p.name()
                            );
                            if values {
                                w!(
                                    out,
                                    "          Parent={parent:#010x}, Count={}",
                                    items.len()
                                );
                                for (i, (name, v)) in items.iter().enumerate() {
                                    let s = table
                                        .value_string(v)
                                        .map(|s| format!(" \"{}\"", s.escape_debug()));
                                    w!(
                                        out,
                                        "          #{i} (Key={name:#010x}): t={:#04x} d={:#010x}{}",
                                        v.data_type,
                                        v.data,
                                        s.unwrap_or_default()
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
