//! Dumps `humiao::apk::signing::collect` for APK files as JSON lines.
//!
//! ```text
//! cargo run --example sig_dump -- a.apk b.apk > out.jsonl
//! ```
//!
//! Stand-in until the project's zip reader (src/apk/zip.rs) exists: this
//! finds the EOCD itself (the last `PK\x05\x06` whose comment reaches the end
//! of the file, as Android does, else the last one), reads the central
//! directory just enough to extract `META-INF/*.RSA|DSA|EC` (stored or
//! deflated) and the `.SF`/`MANIFEST.MF` names, notes ZIP framing problems
//! (`zip_notes`), and calls `collect_in_zip`. Not for production use.

use std::io::Read;

use humiao::apk::signing;

struct Zip {
    sections: signing::ZipSections,
    v1_blocks: Vec<(String, Vec<u8>)>,
    v1_sf_names: Vec<String>,
    notes: Vec<String>,
}

fn le16(d: &[u8], o: usize) -> Option<usize> {
    Some(usize::from(u16::from_le_bytes(
        d.get(o..o + 2)?.try_into().ok()?,
    )))
}
fn le32(d: &[u8], o: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(
        d.get(o..o + 4)?.try_into().ok()?,
    )))
}

fn find_eocd(d: &[u8]) -> Option<usize> {
    let lowest = d.len().saturating_sub(22 + 0xffff);
    let mut last = None;
    let mut i = d.len().checked_sub(22)?;
    loop {
        if d.get(i..i + 4) == Some(b"PK\x05\x06") {
            last = last.or(Some(i));
            if le16(d, i + 20).map(|c| i + 22 + c) == Some(d.len()) {
                return Some(i);
            }
        }
        if i == lowest {
            return last;
        }
        i -= 1;
    }
}

fn read_zip(d: &[u8]) -> Result<Zip, String> {
    let eocd = find_eocd(d).ok_or("no end of central directory")?;
    let cd_size = le32(d, eocd + 12).ok_or("short eocd")?;
    let cd_offset = le32(d, eocd + 16).ok_or("short eocd")?;
    let entries = le16(d, eocd + 10).ok_or("short eocd")?;
    let mut z = Zip {
        sections: signing::ZipSections {
            cd_offset,
            cd_size,
            eocd_offset: eocd as u64,
        },
        v1_blocks: Vec::new(),
        v1_sf_names: Vec::new(),
        notes: Vec::new(),
    };
    // apksig ApkUtilsLite.findZipSections refuses these.
    if cd_offset > eocd as u64 {
        z.notes.push(format!(
            "central directory offset {cd_offset} is past the EOCD at {eocd}"
        ));
    } else if cd_offset + cd_size != eocd as u64 {
        z.notes.push(format!(
            "central directory ({cd_offset}+{cd_size}={}) does not end at the EOCD ({eocd})",
            cd_offset + cd_size
        ));
    }
    let mut p = usize::try_from(cd_offset).map_err(|e| e.to_string())?;
    for _ in 0..entries {
        if d.get(p..p + 4) != Some(b"PK\x01\x02") {
            z.notes.push(format!("bad central directory entry at {p}"));
            break;
        }
        let method = le16(d, p + 10).ok_or("short entry")?;
        let csize = le32(d, p + 20).ok_or("short entry")? as usize;
        let usize_ = le32(d, p + 24).ok_or("short entry")? as usize;
        let nlen = le16(d, p + 28).ok_or("short entry")?;
        let xlen = le16(d, p + 30).ok_or("short entry")?;
        let clen = le16(d, p + 32).ok_or("short entry")?;
        let local = le32(d, p + 42).ok_or("short entry")? as usize;
        let name =
            String::from_utf8_lossy(d.get(p + 46..p + 46 + nlen).ok_or("short name")?).into_owned();
        p += 46 + nlen + xlen + clen;
        let upper = name.to_ascii_uppercase();
        if !upper.starts_with("META-INF/") || upper[9..].contains('/') {
            continue;
        }
        if upper.ends_with(".SF") || upper == "META-INF/MANIFEST.MF" {
            z.v1_sf_names.push(name);
            continue;
        }
        if !(upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC")) {
            continue;
        }
        let lnlen = le16(d, local + 26).ok_or("short local header")?;
        let lxlen = le16(d, local + 28).ok_or("short local header")?;
        let start = local + 30 + lnlen + lxlen;
        let raw = d
            .get(start..start + csize)
            .ok_or("entry data past the end")?;
        // apksig inflates every method other than 0 (stored): the AOSP test
        // vector weird-compression-method.apk has a CERT.RSA marked 21.
        let data = match method {
            0 => raw.to_vec(),
            _ => {
                let mut out = Vec::with_capacity(usize_.min(1 << 20));
                let r = flate2::read::DeflateDecoder::new(raw)
                    .take(16 << 20)
                    .read_to_end(&mut out);
                if let Err(e) = r {
                    z.notes.push(format!("{name}: cannot inflate: {e}"));
                    continue;
                }
                out
            }
        };
        z.v1_blocks.push((name, data));
    }
    Ok(z)
}

fn main() {
    for path in std::env::args().skip(1) {
        let line = match std::fs::read(&path) {
            Err(e) => serde_json::json!({ "file": path, "error": e.to_string() }),
            Ok(d) => match read_zip(&d) {
                Err(e) => serde_json::json!({ "file": path, "error": e }),
                Ok(z) => {
                    let p = signing::collect_in_zip(&d, z.sections, &z.v1_blocks, &z.v1_sf_names);
                    serde_json::json!({
                        "file": path,
                        "zip_notes": z.notes,
                        "signing": p.value,
                        "anomalies": p.anomalies,
                    })
                }
            },
        };
        println!("{line}");
    }
}
