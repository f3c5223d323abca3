//! SDK inventory: which catalogued third-party SDKs an app contains, with
//! every piece of evidence that points at each and how sure that is.
//!
//! Four signal families are fused (`docs/sdk-catalogue.md` explains the
//! matching): DEX classes under an SDK's package prefixes (counted during
//! the code walk), native libraries by file name, manifest components,
//! provider authorities and meta-data keys, and endpoint hosts; plus
//! `META-INF/*.version` files for the version. The confidence rule:
//!
//! * `high`: code (DEX classes or a native library) and at least one other
//!   kind of evidence;
//! * `medium`: code alone, or a manifest component of the SDK whose class
//!   the app's DEX defines, or a version file, or a domain together with a
//!   manifest declaration;
//! * `low`: manifest declarations alone, however many (meta-data keys,
//!   authorities, components declared while no DEX defines their class: a
//!   manifest template listing ad networks whose jars the build left out),
//!   or domains alone.
//!
//! When code analysis is incomplete (a packer, an unreadable DEX), a
//! declared component cannot be checked and counts as a component.
//!
//! A host named only by the code of *another* catalogued SDK (a MiPush
//! class naming Xiaomi's ad server) is that SDK's business and opens no
//! domain-only hit of its own.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::code::{CodeEvidence, CodeOutput};
use super::owner::{Attributor, Owner};
use crate::apk::zip::Archive;
use crate::catalog::packers::Confidence;
use crate::catalog::sdks::{ComponentVia, Families};
use crate::catalog::{Catalog, SdkInfo, Text};
use crate::formats::axml::manifest::Manifest;

/// Largest version file read (bytes).
const MAX_VERSION_FILE: u64 = 4096;
/// Most items of one evidence kind recorded per SDK (counts are complete).
pub const MAX_ITEMS: usize = 32;

/// One SDK found in the app.
#[derive(Debug, Clone, Serialize)]
pub struct SdkHit {
    /// Catalogue id.
    pub id: String,
    /// Product name.
    pub name: Text,
    /// Company.
    pub vendor: Text,
    /// Vendor's country (ISO 3166-1 alpha-2).
    pub country: String,
    /// Main purpose.
    pub category: String,
    /// Further purposes.
    pub also: Vec<String>,
    /// How sure the detection is (rule in the module documentation).
    pub confidence: Confidence,
    /// Kinds of evidence present: `dex-classes`, `native-libs`,
    /// `components`, `declared-components`, `authorities`, `meta-data`,
    /// `domains`, `version-files`.
    pub kinds: Vec<&'static str>,
    /// The evidence itself.
    pub evidence: SdkEvidence,
    /// Version, from a version file, when one is present.
    pub version: Option<String>,
    /// Personal-information categories whose sensitive APIs this SDK's code
    /// calls in this app (from the code evidence).
    pub pi_observed: Vec<String>,
    /// Categories the vendor documents collecting (catalogue).
    pub pi_documented: Vec<String>,
    /// Where the vendor documents it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pi_documented_source: Option<String>,
    /// The app's own package shares the SDK's vendor root (the vendor's
    /// own app or demo): data stays within one company, which is not a
    /// transfer to a third party in the usual sense.
    pub vendor_own_app: bool,
    /// Google Play Families self-certified ads SDK programme, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub families: Option<Families>,
    /// Whether the catalogue entry's signatures were checked against a
    /// real artefact.
    pub verified: bool,
}

/// What points at one SDK.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SdkEvidence {
    /// DEX classes per matching package prefix.
    pub classes: Vec<PackageClasses>,
    /// Native libraries, `apk!lib/<abi>/name.so`.
    pub native_libs: Vec<String>,
    /// Manifest components whose class the app's DEX defines (or that
    /// cannot be checked because code analysis is incomplete).
    pub components: Vec<String>,
    /// Manifest components declared while no DEX defines their class.
    pub declared_components: Vec<String>,
    /// Provider authorities.
    pub authorities: Vec<String>,
    /// `<meta-data>` names.
    pub meta_data: Vec<String>,
    /// Endpoint hosts under the SDK's domains.
    pub hosts: Vec<String>,
    /// Version files, `apk!path`.
    pub version_files: Vec<String>,
}

/// Classes under one package prefix.
#[derive(Debug, Clone, Serialize)]
pub struct PackageClasses {
    /// The catalogue's package prefix.
    pub package: String,
    /// DEX classes under it, over all DEX files.
    pub classes: usize,
}

#[derive(Default)]
struct Acc {
    classes: BTreeMap<usize, usize>,
    libs: BTreeSet<String>,
    components: BTreeSet<String>,
    declared: BTreeSet<String>,
    authorities: BTreeSet<String>,
    meta: BTreeSet<String>,
    hosts: BTreeSet<String>,
    versions: BTreeMap<String, Option<String>>,
}

/// Detects SDKs. `manifests` are the base and split manifests,
/// `archives` the APKs (for library names and version files), `code` the
/// code stage's output (whose endpoints get their `sdk` set here).
pub fn detect(
    catalog: &Catalog,
    who: &Attributor<'_>,
    manifests: &[&Manifest],
    archives: &[(&str, &Archive<'_>)],
    code: &mut CodeOutput,
) -> Vec<SdkHit> {
    let m = &catalog.sdk_matcher;
    let code_complete =
        code.packers.is_empty() && code.evidence.dex_files.iter().all(|f| f.error.is_none());
    let mut acc: BTreeMap<usize, Acc> = BTreeMap::new();
    for (&(sdk, pkg), &n) in &code.sdk_classes {
        *acc.entry(sdk).or_default().classes.entry(pkg).or_default() += n;
    }
    for (apk, ar) in archives {
        for e in ar.entries() {
            let name = &*e.name;
            if name.starts_with("lib/") && name.ends_with(".so") {
                let file = name.rsplit('/').next().unwrap_or(name);
                for (sdk, _) in m.match_lib(file) {
                    acc.entry(sdk)
                        .or_default()
                        .libs
                        .insert(format!("{apk}!{name}"));
                }
            }
            let hits = m.match_version_file(name);
            if hits.is_empty() {
                continue;
            }
            let version = (e.uncompressed_size <= MAX_VERSION_FILE)
                .then(|| ar.read(e, MAX_VERSION_FILE).ok())
                .flatten()
                .and_then(|b| version_text(&b));
            for (sdk, _) in hits {
                acc.entry(sdk)
                    .or_default()
                    .versions
                    .insert(format!("{apk}!{name}"), version.clone());
            }
        }
    }
    for man in manifests {
        let app_meta = man.meta_data.iter();
        let comp_meta = man.components.iter().flat_map(|c| c.meta_data.iter());
        for md in app_meta.chain(comp_meta) {
            for &(sdk, _) in m.match_meta(&md.name) {
                acc.entry(sdk).or_default().meta.insert(md.name.clone());
            }
        }
        for c in &man.components {
            for (sdk, via, _) in m.match_component(&c.name) {
                // A component under an SDK package inside the app's own
                // package is the app's.
                if via == ComponentVia::Package {
                    let d = format!("L{};", c.name.replace('.', "/"));
                    if who.sdk_of(d.as_bytes()).is_none() {
                        continue;
                    }
                }
                let slot = acc.entry(sdk).or_default();
                if code.defined.contains(&c.name) || !code_complete {
                    slot.components.insert(c.name.clone());
                } else {
                    slot.declared.insert(c.name.clone());
                }
            }
            for a in &c.authorities {
                for (sdk, _) in m.match_authority(a) {
                    acc.entry(sdk).or_default().authorities.insert(a.clone());
                }
            }
        }
    }
    for e in &mut code.evidence.endpoints {
        let hits = m.match_host(&e.host);
        if let Some(&(sdk, _)) = hits.first() {
            e.sdk = catalog.sdks.get(sdk).map(|s| s.id.clone());
        }
        for &(sdk, _) in hits {
            let Some(id) = catalog.sdks.get(sdk).map(|s| s.id.as_str()) else {
                continue;
            };
            // Named only by another SDK's code: not evidence of this one.
            let elsewhere = !e.places.is_empty()
                && e.places
                    .iter()
                    .all(|p| matches!(&p.owner, Some(Owner::Sdk(other)) if other != id));
            if !elsewhere {
                acc.entry(sdk).or_default().hosts.insert(e.host.clone());
            }
        }
    }
    let app_packages = who.app_packages();
    let mut out: Vec<SdkHit> = acc
        .into_iter()
        .filter_map(|(i, a)| {
            let info = catalog.sdks.get(i)?;
            Some(hit(info, a, &code.evidence, &app_packages))
        })
        .collect();
    out.sort_by(|a, b| (b.confidence, &a.category, &a.id).cmp(&(a.confidence, &b.category, &b.id)));
    out
}

/// A version file's content, when it holds a version: the whole content
/// (`META-INF/<group>_<artifact>.version`), or the `version` /
/// `fabric-version` value of a properties file (Play services and Firebase
/// write `<artifact>.properties`, Fabric `fabric/<id>.properties`).
fn version_text(bytes: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(bytes).ok()?.trim();
    if s.contains('=') {
        return s.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            matches!(k.trim(), "version" | "fabric-version")
                .then(|| version_shape(v.trim()))
                .flatten()
        });
    }
    version_shape(s)
}

/// `s` when it looks like a version number.
fn version_shape(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    ok.then(|| s.to_owned())
}

/// Whether two packages share a vendor root (their first two segments),
/// other than the roots everyone uses.
fn same_vendor(app: &str, sdk: &str) -> bool {
    let root = |p: &str| p.split('.').take(2).collect::<Vec<_>>().join(".");
    let (a, s) = (root(app), root(sdk));
    a == s
        && a.contains('.')
        && !["com.example", "io.github", "com.github", "org.example"].contains(&a.as_str())
}

fn hit(info: &SdkInfo, a: Acc, code: &CodeEvidence, app_packages: &[String]) -> SdkHit {
    let mut kinds = Vec::new();
    let mut push = |present: bool, kind: &'static str| {
        if present {
            kinds.push(kind);
        }
    };
    push(!a.classes.is_empty(), "dex-classes");
    push(!a.libs.is_empty(), "native-libs");
    push(!a.components.is_empty(), "components");
    push(!a.declared.is_empty(), "declared-components");
    push(!a.authorities.is_empty(), "authorities");
    push(!a.meta.is_empty(), "meta-data");
    push(!a.hosts.is_empty(), "domains");
    push(!a.versions.is_empty(), "version-files");
    let has_code = !a.classes.is_empty() || !a.libs.is_empty();
    let others = kinds.len() - usize::from(!a.classes.is_empty()) - usize::from(!a.libs.is_empty());
    // Manifest declarations that do not show the SDK's code is there.
    let declared = !a.declared.is_empty() || !a.authorities.is_empty() || !a.meta.is_empty();
    let confidence = if has_code && others >= 1 {
        Confidence::High
    } else if has_code
        || !a.components.is_empty()
        || !a.versions.is_empty()
        || (!a.hosts.is_empty() && declared)
    {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let owner = Owner::Sdk(info.id.clone());
    let pi_observed: Vec<String> = code
        .categories
        .iter()
        .filter(|c| c.owners.iter().any(|o| o.owner == owner))
        .map(|c| c.pi.clone())
        .collect();
    let vendor_own_app = app_packages
        .iter()
        .any(|app| info.packages.iter().any(|p| same_vendor(app, p)));
    let version = a.versions.values().flatten().next().cloned();
    let cap = |s: BTreeSet<String>| s.into_iter().take(MAX_ITEMS).collect::<Vec<_>>();
    SdkHit {
        id: info.id.clone(),
        name: info.name.clone(),
        vendor: info.vendor.clone(),
        country: info.country.clone(),
        category: info.category.clone(),
        also: info.also.clone(),
        confidence,
        kinds,
        evidence: SdkEvidence {
            classes: a
                .classes
                .iter()
                .filter_map(|(&p, &n)| {
                    Some(PackageClasses {
                        package: info.packages.get(p)?.clone(),
                        classes: n,
                    })
                })
                .collect(),
            native_libs: cap(a.libs),
            components: cap(a.components),
            declared_components: cap(a.declared),
            authorities: cap(a.authorities),
            meta_data: cap(a.meta),
            hosts: cap(a.hosts),
            version_files: a.versions.into_keys().take(MAX_ITEMS).collect(),
        },
        version,
        pi_observed,
        pi_documented: info.collects.clone(),
        pi_documented_source: info.collects_source.clone(),
        vendor_own_app,
        families: info.families.clone(),
        verified: info.verified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_vendors() {
        assert_eq!(version_text(b"22.6.0\n").as_deref(), Some("22.6.0"));
        assert_eq!(
            version_text(b"1.2.3-beta+4").as_deref(),
            Some("1.2.3-beta+4")
        );
        assert_eq!(version_text(b"hello"), None);
        assert_eq!(version_text(b"1.0 <script>"), None);
        assert_eq!(version_text(&[0xff, 0xfe]), None);
        assert_eq!(
            version_text(b"version=17.0.0\nclient=play-services-base\n").as_deref(),
            Some("17.0.0")
        );
        assert_eq!(
            version_text(b"fabric-identifier=x\nfabric-version=2.7.1\n").as_deref(),
            Some("2.7.1")
        );
        assert_eq!(version_text(b"client=x\nother=1.0\n"), None);
        assert!(same_vendor("com.tencent.qqlive", "com.tencent.bugly"));
        assert!(same_vendor("com.umeng.demo", "com.umeng.analytics"));
        assert!(!same_vendor("com.example.kids", "com.example.sdk"));
        assert!(!same_vendor("com.kids.app", "com.umeng.analytics"));
    }
}
