//! Native libraries: which `.so` files an app ships, which Java classes
//! they implement (JNI exports attribute native code to an SDK), what they
//! import, and which endpoints their read-only strings name.
//!
//! One ABI is analysed fully (the first present of arm64-v8a,
//! armeabi-v7a, armeabi, x86_64, x86, then any other), because the same
//! library is normally built once per ABI; the others are listed.

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde::Serialize;

use super::code::{Occurrence, Place};
use super::endpoints::Extractor;
use super::owner::{Attributor, Owner};
use crate::apk::zip::{Archive, Entry};
use crate::formats::elf::read_native_lib;
use crate::formats::Anomaly;

/// Largest native library read (bytes).
pub const MAX_NATIVE_LIB: u64 = 256 << 20;

/// ABI preference: the first one present is analysed.
const ABI_ORDER: [&str; 5] = ["arm64-v8a", "armeabi-v7a", "armeabi", "x86_64", "x86"];

/// Native-library evidence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NativeEvidence {
    /// Every ABI directory under `lib/`, sorted.
    pub abis: Vec<String>,
    /// The ABI analysed, if any library exists.
    pub analysed_abi: Option<String>,
    /// Libraries of the analysed ABI and `.so` files outside `lib/`.
    pub libraries: Vec<NativeLibrary>,
    /// File names of libraries in the other ABIs (not analysed).
    pub other_abi_libraries: Vec<String>,
}

/// One native library.
#[derive(Debug, Clone, Serialize)]
pub struct NativeLibrary {
    /// APK holding it.
    pub apk: String,
    /// Entry path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// ELF machine (`aarch64`, `arm`, …), if it is an ELF file.
    pub machine: Option<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED` libraries.
    pub needed: Vec<String>,
    /// Java methods it implements (`Java_…` exports) with their owner.
    pub jni_exports: Vec<JniMethod>,
    /// Exports `JNI_OnLoad` (registers natives at run time; exports then
    /// say nothing).
    pub has_jni_onload: bool,
    /// Imported functions of interest (`__system_property_get`, `dlopen`, …).
    pub imports_of_interest: Vec<String>,
    /// Printable strings read from read-only data.
    pub strings: usize,
    /// Packed (e.g. `upx`).
    pub packed: Option<String>,
    /// Why it could not be read as ELF (a `.so` that is not ELF is itself a
    /// fact: hidden DEX or archives use this trick).
    pub error: Option<String>,
    /// Irregularities met.
    pub anomalies: Vec<Anomaly>,
}

/// A Java method implemented in native code.
#[derive(Debug, Clone, Serialize)]
pub struct JniMethod {
    /// Java class (`com.example.Foo`).
    pub class: String,
    /// Method name.
    pub method: String,
    /// Owner of the class.
    pub owner: Owner,
}

fn abi_of(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("lib/")?;
    let (abi, file) = rest.split_once('/')?;
    (file.ends_with(".so") && !file.contains('/')).then_some(abi)
}

/// Collects native-library evidence over the APKs, and the endpoints named
/// in their strings.
pub fn collect(
    apks: &[(&str, &Archive<'_>)],
    who: &Attributor<'_>,
    urls: &Extractor,
) -> (NativeEvidence, Vec<Occurrence>) {
    let mut abis = BTreeSet::new();
    let mut all: Vec<(&str, &Archive<'_>, &Entry)> = Vec::new();
    for (apk, ar) in apks {
        for e in ar.entries() {
            if let Some(abi) = abi_of(&e.name) {
                abis.insert(abi.to_owned());
                all.push((apk, ar, e));
            } else if e.name.starts_with("assets/") && e.name.ends_with(".so") {
                all.push((apk, ar, e));
            }
        }
    }
    let analysed = ABI_ORDER
        .iter()
        .find(|a| abis.contains(**a))
        .map(|a| a.to_string())
        .or_else(|| abis.iter().next().cloned());
    let mut other = Vec::new();
    let jobs: Vec<_> = all
        .into_iter()
        .filter(|(_, _, e)| match abi_of(&e.name) {
            Some(abi) if Some(abi) != analysed.as_deref() => {
                other.push(e.name.to_string());
                false
            }
            _ => true,
        })
        .collect();
    let results: Vec<(NativeLibrary, Vec<Occurrence>)> = jobs
        .par_iter()
        .map(|(apk, ar, e)| {
            let mut lib = NativeLibrary {
                apk: apk.to_string(),
                path: e.name.to_string(),
                size: e.uncompressed_size,
                machine: None,
                soname: None,
                needed: Vec::new(),
                jni_exports: Vec::new(),
                has_jni_onload: false,
                imports_of_interest: Vec::new(),
                strings: 0,
                packed: None,
                error: None,
                anomalies: Vec::new(),
            };
            let mut found = Vec::new();
            let data = match ar.read(e, MAX_NATIVE_LIB) {
                Ok(d) => d,
                Err(err) => {
                    lib.error = Some(err.to_string());
                    return (lib, found);
                }
            };
            match read_native_lib(&data) {
                Ok(p) => {
                    let n = p.value;
                    lib.anomalies = p.anomalies;
                    lib.machine = Some(n.machine);
                    lib.soname = n.soname;
                    lib.needed = n.needed;
                    lib.has_jni_onload = n.has_jni_onload;
                    lib.imports_of_interest = n.imports_of_interest;
                    lib.packed = n.packed;
                    lib.strings = n.strings.len();
                    lib.jni_exports = n
                        .jni_exports
                        .into_iter()
                        .map(|j| {
                            let descriptor = format!("L{};", j.class.replace('.', "/"));
                            JniMethod {
                                owner: who.owner_of(descriptor.as_bytes()),
                                class: j.class,
                                method: j.method,
                            }
                        })
                        .collect();
                    for s in &n.strings {
                        for ep in urls.extract(s) {
                            let place = Place {
                                source: "native",
                                file: format!("{apk}!{}", e.name),
                                within: None,
                                owner: None,
                            };
                            found.push((ep, place));
                        }
                    }
                }
                Err(err) => lib.error = Some(err.to_string()),
            }
            drop(data);
            // Done with this library: its mapped pages need not stay resident.
            ar.release(e);
            (lib, found)
        })
        .collect();
    let mut ev = NativeEvidence {
        abis: abis.into_iter().collect(),
        analysed_abi: analysed,
        libraries: Vec::new(),
        other_abi_libraries: other,
    };
    let mut endpoints = Vec::new();
    for (lib, found) in results {
        ev.libraries.push(lib);
        endpoints.extend(found);
    }
    ev.libraries
        .sort_by(|a, b| (&a.apk, &a.path).cmp(&(&b.apk, &b.path)));
    ev.other_abi_libraries.sort();
    ev.other_abi_libraries.dedup();
    (ev, endpoints)
}

#[cfg(test)]
mod tests {
    use super::abi_of;

    #[test]
    fn abi_paths() {
        assert_eq!(abi_of("lib/arm64-v8a/libx.so"), Some("arm64-v8a"));
        assert_eq!(abi_of("lib/x86/sub/libx.so"), None);
        assert_eq!(abi_of("lib/x86/libx.txt"), None);
        assert_eq!(abi_of("assets/libx.so"), None);
    }
}
