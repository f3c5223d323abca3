//! The `Evidence` model: everything humiao learned about one app, as one
//! serializable value. It is the schema between parsing and rules, so it is
//! versioned ([`SCHEMA_VERSION`]) and documented field by field in
//! `docs/evidence.md`; within a major version fields are only added.
//!
//! Output is deterministic: lists are sorted or kept in file order, maps
//! are `BTreeMap`s, and no time or absolute path is recorded beyond the
//! input path as given.

pub mod code;
pub mod native;
pub mod owner;
pub mod sdks;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::apk::signing::SigningInfo;
use crate::apk::ContainerKind;
use crate::catalog::{Catalog, Text};
use crate::formats::axml::manifest::{Manifest, UsesPermissionKind};
use crate::formats::nsc::NetworkSecurityConfig;
use crate::formats::Anomaly;

pub mod endpoints;

/// Version of the evidence JSON schema (semver: major changes break readers).
pub const SCHEMA_VERSION: &str = "1.1.0";

/// Everything known about one app.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Schema version, see [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// The program that produced this.
    pub tool: Tool,
    /// The input file(s) and their hashes.
    pub input: Input,
    /// Who the app is: package, versions, label, SDK levels.
    pub app: App,
    /// Requested permissions, merged over base and splits, with the
    /// catalogue's protection level and personal-information category.
    pub permissions: Vec<RequestedPermission>,
    /// Cleartext traffic and the network security configuration.
    pub network: Network,
    /// Signature schemes and signer certificates of the base APK.
    pub signing: Option<SigningInfo>,
    /// The base APK's manifest, fully decoded.
    pub manifest: Manifest,
    /// Split APKs: what each adds.
    pub splits: Vec<SplitEvidence>,
    /// What the resource table holds.
    pub resources: Resources,
    /// DEX code: sensitive-API call sites per category and owner, endpoints.
    pub code: code::CodeEvidence,
    /// Native libraries.
    pub native: native::NativeEvidence,
    /// Catalogued third-party SDKs found, most certain first.
    pub sdks: Vec<sdks::SdkHit>,
    /// How complete the code analysis is, and why not.
    pub coverage: Coverage,
    /// Irregularities found while reading, each located.
    pub anomalies: Vec<LocatedAnomaly>,
    /// Parts that could not be read; the evidence is incomplete when this
    /// is not empty.
    pub damage: Vec<Damage>,
}

/// The producing tool.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// Always `humiao`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "humiao",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The input as given.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// Path as given on the command line.
    pub path: String,
    /// `apk`, `xapk`, `apks` or `split-directory`.
    pub kind: ContainerKind,
    /// Size of the input file in bytes (sum of APKs for a directory).
    pub size: u64,
    /// SHA-256 of the input file; absent for a directory.
    pub sha256: Option<String>,
    /// Each APK of the app, base first.
    pub apks: Vec<ApkFile>,
}

/// One APK of the app.
#[derive(Debug, Clone, Serialize)]
pub struct ApkFile {
    /// File name, or entry name inside a bundle.
    pub name: String,
    /// `base` or `split`.
    pub role: ApkRole,
    /// The split name from its manifest (`config.zh`, a feature name).
    pub split: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of this APK.
    pub sha256: String,
    /// Package named by this APK's manifest.
    pub package: Option<String>,
}

/// Role of an APK in an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApkRole {
    /// The base APK (no `split` attribute).
    Base,
    /// A configuration or feature split.
    Split,
}

/// Identity of the app.
#[derive(Debug, Clone, Default, Serialize)]
pub struct App {
    /// Package name.
    pub package: Option<String>,
    /// `versionCode` (with `versionCodeMajor` in the high 32 bits).
    pub version_code: Option<u64>,
    /// `versionName`, resolved if it is a resource reference.
    pub version_name: Option<String>,
    /// Label in the default configuration.
    pub label: Option<String>,
    /// Label per locale (`""` = default, `zh-CN`, `en`, …), from base and
    /// configuration splits.
    pub labels: BTreeMap<String, String>,
    /// `minSdkVersion` as Android reads it (a codename counts as the
    /// development level 10000); 1 when absent.
    pub min_sdk: Option<i64>,
    /// `targetSdkVersion` as Android reads it (defaults to `min_sdk`).
    pub target_sdk: Option<i64>,
    /// `maxSdkVersion`, if declared.
    pub max_sdk: Option<i64>,
    /// `compileSdkVersion` recorded by the build tools.
    pub compile_sdk: Option<i64>,
}

/// One requested permission.
#[derive(Debug, Clone, Serialize)]
pub struct RequestedPermission {
    /// Permission name.
    pub name: String,
    /// `uses-permission`, `uses-permission-sdk-23`, … (every element that
    /// requested it).
    pub requested_by: Vec<UsesPermissionKind>,
    /// `maxSdkVersion`, when every request bounds it.
    pub max_sdk_version: Option<i64>,
    /// `usesPermissionFlags` (e.g. `neverForLocation`).
    pub flags: Vec<String>,
    /// Protection level from the catalogue, when known.
    pub protection: Option<String>,
    /// Whether this is a runtime ("dangerous") permission.
    pub dangerous: bool,
    /// Personal-information category from the catalogue.
    pub pi: Option<String>,
    /// Catalogue description.
    pub label: Option<Text>,
    /// The APKs that request it.
    pub declared_in: Vec<String>,
}

/// How much of the app's code could be analysed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// False when code analysis is known to be incomplete: a packer hides
    /// the real code, a DEX file could not be read, or an app that declares
    /// code has none. An incomplete analysis must not be read as a clean app.
    pub code_complete: bool,
    /// Packers (加固) whose signals were found.
    pub packers: Vec<crate::catalog::packers::PackerMatch>,
    /// Why coverage is limited, one sentence each (zh and en).
    pub notes: Vec<crate::catalog::Text>,
}

/// Network-related evidence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Network {
    /// `android:usesCleartextTraffic` as declared.
    pub uses_cleartext_traffic: Option<bool>,
    /// Whether cleartext HTTP is allowed by default for domains not named
    /// in a domain-config: from the network security config's base-config
    /// when there is one (Android 7+ ignores the manifest attribute then),
    /// else from the manifest attribute, else the platform default (allowed
    /// below targetSdk 28).
    pub cleartext_permitted_by_default: bool,
    /// Where `cleartext_permitted_by_default` comes from.
    pub cleartext_source: CleartextSource,
    /// The network security configuration, if the app has one.
    pub security_config: Option<SecurityConfig>,
}

/// Which setting decides default cleartext.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CleartextSource {
    /// The platform default for the target SDK.
    #[default]
    PlatformDefault,
    /// `android:usesCleartextTraffic`.
    ManifestAttribute,
    /// The network security config's base-config.
    NetworkSecurityConfig,
}

/// A network security configuration and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityConfig {
    /// Resource id named by `android:networkSecurityConfig`.
    pub resource: String,
    /// File it resolves to (`res/xml/…`), if resolvable.
    pub file: Option<String>,
    /// Decoded configuration, if the file could be read.
    pub config: Option<NetworkSecurityConfig>,
    /// Whether user-installed CAs are trusted outside debug-overrides
    /// (lets a proxy read the traffic).
    pub trusts_user_certs: bool,
    /// Domains for which cleartext is explicitly permitted.
    pub cleartext_domains: Vec<String>,
}

/// What a split APK adds.
#[derive(Debug, Clone, Serialize)]
pub struct SplitEvidence {
    /// APK name.
    pub apk: String,
    /// Split name.
    pub split: Option<String>,
    /// `configForSplit`, for configuration splits of a feature.
    pub config_for_split: Option<String>,
    /// Whether it is a feature split.
    pub is_feature_split: bool,
    /// Components it declares.
    pub components: Vec<crate::formats::axml::manifest::Component>,
    /// Permissions it requests.
    pub uses_permissions: Vec<String>,
    /// Signer certificate SHA-256 fingerprints.
    pub signer_sha256: Vec<String>,
}

/// Summary of the resource table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resources {
    /// Whether the base APK has a readable `resources.arsc`.
    pub present: bool,
    /// Resource packages (name and id).
    pub packages: Vec<String>,
    /// Locales with at least one string (`zh-CN`, `en`, …), over all APKs.
    pub locales: Vec<String>,
    /// Number of `string` resources with a string value, counted over all
    /// configurations and APKs (each locale's copy counts).
    pub string_count: usize,
}

/// An anomaly with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LocatedAnomaly {
    /// APK name (or the bundle's file name).
    pub apk: String,
    /// Part: `zip`, `AndroidManifest.xml`, `resources.arsc`, `signing`,
    /// `bundle`, or an entry name.
    pub part: String,
    /// Stable code.
    pub code: &'static str,
    /// Offset inside the part, where meaningful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Explanation.
    pub detail: String,
}

impl LocatedAnomaly {
    /// Locates an anomaly.
    pub fn new(apk: &str, part: &str, a: Anomaly) -> Self {
        LocatedAnomaly {
            apk: apk.to_owned(),
            part: part.to_owned(),
            code: a.code,
            offset: a.offset,
            detail: a.detail,
        }
    }
}

/// A part that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Damage {
    /// APK name.
    pub apk: String,
    /// Part that failed.
    pub part: String,
    /// Why.
    pub message: String,
}

/// Merges `uses-permission` requests of several manifests into the
/// annotated, name-sorted list.
pub fn merge_permissions<'m>(
    manifests: impl IntoIterator<Item = (&'m str, &'m Manifest)>,
    catalog: &Catalog,
) -> Vec<RequestedPermission> {
    let mut by_name: BTreeMap<String, RequestedPermission> = BTreeMap::new();
    // Track whether every request of a name had a maxSdkVersion.
    let mut unbounded: BTreeMap<String, bool> = BTreeMap::new();
    for (apk, m) in manifests {
        for up in &m.uses_permissions {
            let info = catalog.permission(&up.name);
            let e = by_name
                .entry(up.name.clone())
                .or_insert_with(|| RequestedPermission {
                    name: up.name.clone(),
                    requested_by: Vec::new(),
                    max_sdk_version: None,
                    flags: Vec::new(),
                    protection: info.map(|i| i.protection.clone()),
                    dangerous: info.is_some_and(|i| i.is_dangerous()),
                    pi: info.map(|i| i.pi.clone()),
                    label: info.map(|i| i.label.clone()),
                    declared_in: Vec::new(),
                });
            if !e.requested_by.contains(&up.kind) {
                e.requested_by.push(up.kind);
            }
            match up.max_sdk_version {
                Some(v) => e.max_sdk_version = Some(e.max_sdk_version.map_or(v, |old| old.max(v))),
                None => {
                    unbounded.insert(up.name.clone(), true);
                }
            }
            for f in &up.uses_permission_flags {
                if !e.flags.contains(f) {
                    e.flags.push(f.clone());
                }
            }
            if !e.declared_in.iter().any(|d| d == apk) {
                e.declared_in.push(apk.to_owned());
            }
        }
    }
    by_name
        .into_values()
        .map(|mut p| {
            if unbounded.contains_key(&p.name) {
                p.max_sdk_version = None;
            }
            p
        })
        .collect()
}
