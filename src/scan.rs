//! The pipeline for one input: open → read each APK (zip, manifest,
//! resources, network security config, signing, endpoints in resources and
//! text assets) → code (every DEX in parallel, native libraries, packers) →
//! merge base and splits → [`Evidence`]. The input is hashed on a second
//! thread while the rest runs.
//!
//! Reading is as partial as it can be: a damaged resource table or signing
//! block is listed in `Evidence::damage` and the rest goes on. Only what
//! leaves no identity at all (no readable base manifest, a container that
//! cannot be opened) is a [`ScanError`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::apk::signing::{self, SigningInfo, ZipSections};
use crate::apk::zip::{Archive, Entry};
use crate::apk::{self, ApkBlob, Container, Limits, OpenError};
use crate::catalog::Catalog;
use crate::evidence::code::{self, Occurrence, Place};
use crate::evidence::endpoints::Extractor;
use crate::evidence::owner::{package_of, Attributor};
use crate::evidence::{
    merge_permissions, ApkFile, ApkRole, App, CleartextSource, Damage, Evidence, Input,
    LocatedAnomaly, Network, Resources, SecurityConfig, SplitEvidence, Tool, SCHEMA_VERSION,
};
use crate::evidence::{native, sdks, Coverage};
use crate::formats::axml::manifest::{AttrValue, Manifest};
use crate::formats::nsc::NetworkSecurityConfig;
use crate::formats::{arsc, axml};

/// Largest binary XML file read (bytes); real manifests are well under 1 MB.
const MAX_XML: u64 = 64 << 20;
/// Largest resources.arsc read (real tables reach tens of MB).
const MAX_ARSC: u64 = 512 << 20;
/// Largest v1 signature block read.
const MAX_V1_BLOCK: u64 = 16 << 20;

/// Settings for a scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Container limits.
    pub limits: Limits,
    /// Permission, sensitive-API and packer catalogues.
    pub catalog: Catalog,
    /// Compute SHA-256 of the input and of each APK (default true; the CLI
    /// always does). Off only for callers that already know the hashes.
    pub hash: bool,
    /// Endpoint extraction with its ignore list.
    pub urls: Extractor,
    /// Time budget of one scan: DEX files not started by then are reported
    /// as not analysed (damage), so a huge or hostile input ends with
    /// partial evidence. `None`: no limit. The CLI adds a watchdog on top
    /// that abandons a scan stuck inside one parser.
    pub time_limit: Option<std::time::Duration>,
    /// Analyse code (DEX, native libraries, endpoints, SDKs); default true.
    /// Off, a scan decodes identity, manifest, resources and signers only
    /// (`humiao scan --no-code`) and says so in `coverage`.
    pub code: bool,
}

impl ScanOptions {
    /// Default limits, hashing and endpoint ignore list, with the given
    /// catalogue.
    pub fn new(catalog: Catalog) -> Self {
        ScanOptions::new_with(catalog, Extractor::embedded().unwrap_or_default())
    }

    /// Options for a scan without code analysis (`code == false`): no
    /// endpoint ignore list is loaded, since only code and assets are
    /// searched for endpoints. Pair with [`Catalog::embedded_without_code`].
    pub fn without_code(catalog: Catalog) -> Self {
        ScanOptions {
            code: false,
            ..ScanOptions::new_with(catalog, Extractor::default())
        }
    }

    fn new_with(catalog: Catalog, urls: Extractor) -> Self {
        ScanOptions {
            limits: Limits::default(),
            catalog,
            hash: true,
            urls,
            time_limit: None,
            code: true,
        }
    }
}

/// Largest text asset searched for endpoints (bytes).
const MAX_TEXT_ASSET: u64 = 1 << 20;
/// Budget of text-asset bytes searched per APK.
const TEXT_ASSET_BUDGET: u64 = 32 << 20;
/// Extensions of assets searched for endpoints.
const TEXT_EXTENSIONS: [&str; 10] = [
    ".json",
    ".xml",
    ".js",
    ".html",
    ".htm",
    ".properties",
    ".txt",
    ".conf",
    ".cfg",
    ".ini",
];

/// Why a scan produced no evidence at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The input could not be opened.
    #[error("{0}")]
    Open(#[from] OpenError),
    /// The base APK cannot be read far enough to identify the app.
    #[error("{}{part}: {message}", apk.as_deref().map(|a| format!("{a}: ")).unwrap_or_default())]
    Base {
        /// Inner APK name, for bundles.
        apk: Option<String>,
        /// Part that failed.
        part: String,
        /// Why.
        message: String,
    },
}

/// What one APK yielded.
struct ApkScan<'a> {
    /// The parsed zip, kept for the code stage.
    archive: Archive<'a>,
    /// Endpoints named in resource strings and text assets.
    endpoints: Vec<Occurrence>,
    file: ApkFile,
    manifest: Manifest,
    labels: BTreeMap<String, String>,
    version_name: Option<String>,
    security_config: Option<SecurityConfig>,
    signing: Option<SigningInfo>,
    resources: Option<ResourceFacts>,
}

struct ResourceFacts {
    packages: Vec<String>,
    locales: BTreeSet<String>,
    string_count: usize,
}

/// A fatal problem in one APK (no readable manifest).
struct ApkFailure {
    part: String,
    message: String,
}

/// Scans one input path.
pub fn scan_path(path: &Path, opts: &ScanOptions) -> Result<Evidence, ScanError> {
    let container = apk::open(path, &opts.limits)?;
    scan_container(&container, opts)
}

/// Scans an opened container.
pub fn scan_container(c: &Container, opts: &ScanOptions) -> Result<Evidence, ScanError> {
    let started = std::time::Instant::now();
    let mut anomalies = Vec::new();
    let mut damage = Vec::new();
    let outer = file_label(&c.path);
    for a in &c.anomalies {
        anomalies.push(LocatedAnomaly::new(&outer, "bundle", a.clone()));
    }
    let single = c.kind == apk::ContainerKind::Apk;
    // Hashing reads every byte of the input while decoding reads only a few
    // entries: on two cores the hash runs beside the decoding instead of
    // before it. For a single APK the input hash is the APK's hash.
    let (hashes, scanned) = std::thread::scope(|scope| {
        let hasher = opts.hash.then(|| {
            scope.spawn(|| {
                let input = c.input_sha256();
                let per_apk: Vec<String> = if single {
                    input.iter().cloned().collect()
                } else {
                    c.apks.iter().map(|b| apk::sha256_hex(b.bytes())).collect()
                };
                (input, per_apk)
            })
        });
        let mut results = Vec::with_capacity(c.apks.len());
        for blob in &c.apks {
            results.push(scan_apk(
                blob,
                &opts.limits,
                opts.code.then_some(&opts.urls),
                &mut anomalies,
                &mut damage,
            ));
        }
        // A panic in the hasher is a bug; surface it like any other panic.
        let hashes = hasher.map_or((None, Vec::new()), |h| {
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        });
        (hashes, results)
    });
    let (input_sha256, apk_hashes) = hashes;
    let mut scans = Vec::new();
    for ((blob, result), sha) in c.apks.iter().zip(scanned).zip(
        apk_hashes
            .into_iter()
            .map(Some)
            .chain(std::iter::repeat(None)),
    ) {
        match result {
            Ok(mut s) => {
                s.file.sha256 = sha.unwrap_or_default();
                scans.push(s);
            }
            Err(f) if c.apks.len() == 1 => {
                return Err(ScanError::Base {
                    apk: None,
                    part: f.part,
                    message: f.message,
                });
            }
            Err(f) => damage.push(Damage {
                apk: blob.name.clone(),
                part: f.part,
                message: f.message,
            }),
        }
    }
    // The base is the APK without a `split` attribute.
    let mut base_idx = scans.iter().position(|s| {
        s.manifest
            .split
            .as_ref()
            .and_then(|x| x.split.as_ref())
            .is_none()
    });
    if base_idx.is_none() && single && scans.len() == 1 {
        // A split APK scanned on its own: report it as itself.
        base_idx = Some(0);
        anomalies.push(LocatedAnomaly::new(
            &outer,
            "AndroidManifest.xml",
            crate::formats::Anomaly::new(
                "split-apk-alone",
                None,
                "this is a split APK scanned without its base: the evidence covers this split only",
            ),
        ));
    }
    let Some(base_idx) = base_idx else {
        return Err(ScanError::Base {
            apk: None,
            part: "bundle".into(),
            message: if scans.is_empty() {
                "no APK in the bundle could be read".into()
            } else {
                "no base APK: every APK in the bundle is a split".into()
            },
        });
    };
    let base = scans.remove(base_idx);
    for s in &mut scans {
        s.file.role = ApkRole::Split;
    }

    let package = base.manifest.package.clone();
    for s in &scans {
        if s.manifest.package != package {
            anomalies.push(LocatedAnomaly::new(
                &s.file.name,
                "AndroidManifest.xml",
                crate::formats::Anomaly::new(
                    "bundle-package-mismatch",
                    None,
                    format!(
                        "split names package `{}`, base names `{}`",
                        s.manifest.package.as_deref().unwrap_or("?"),
                        package.as_deref().unwrap_or("?")
                    ),
                ),
            ));
        }
        let base_signers = signer_set(base.signing.as_ref());
        let split_signers = signer_set(s.signing.as_ref());
        if !split_signers.is_empty() && !base_signers.is_empty() && split_signers != base_signers {
            anomalies.push(LocatedAnomaly::new(
                &s.file.name,
                "signing",
                crate::formats::Anomaly::new(
                    "bundle-signer-mismatch",
                    None,
                    "split is signed by other certificates than the base; Android refuses to install such a set",
                ),
            ));
        }
    }

    // Config splits hold localized values of the base's resources but no
    // <application> of their own: resolve the base's label id in them.
    let label_ref = base
        .manifest
        .application
        .as_ref()
        .and_then(|a| a.label.as_ref())
        .and_then(|l| l.as_reference());
    let mut labels = base.labels.clone();
    for s in &scans {
        let from_split = match label_ref {
            Some(id) if s.labels.is_empty() => split_strings(&s.archive, id, &opts.limits),
            _ => s.labels.clone(),
        };
        for (k, v) in from_split {
            labels.entry(k).or_insert(v);
        }
    }
    if let (Some(id), true, true) = (label_ref, labels.is_empty(), base.resources.is_some()) {
        anomalies.push(LocatedAnomaly::new(
            &base.file.name,
            "resources.arsc",
            crate::formats::Anomaly::new(
                "manifest-label-unresolved",
                None,
                format!(
                    "the application label refers to resource {id:#010x}, which resolves to no string in any configuration (a missing resource, or a reference cycle)"
                ),
            ),
        ));
    }
    let m = &base.manifest;
    let min_sdk =
        sdk_level(m.uses_sdk.as_ref().and_then(|u| u.min_sdk_version.as_ref())).or(Some(1));
    let app = App {
        package: package.clone(),
        version_code: m.version_code,
        version_name: base.version_name.clone(),
        label: labels.get("").cloned(),
        labels,
        min_sdk,
        target_sdk: m.effective_target_sdk(),
        max_sdk: m.uses_sdk.as_ref().and_then(|u| u.max_sdk_version),
        compile_sdk: m.compile_sdk_version,
    };

    let permissions = merge_permissions(
        std::iter::once((base.file.name.as_str(), &base.manifest))
            .chain(scans.iter().map(|s| (s.file.name.as_str(), &s.manifest))),
        &opts.catalog,
    );

    let network = network_evidence(m, app.target_sdk, base.security_config.clone());

    let mut resources = Resources::default();
    let mut locales = BTreeSet::new();
    if let Some(r) = &base.resources {
        resources.present = true;
        resources.packages = r.packages.clone();
    }
    for r in std::iter::once(&base)
        .chain(scans.iter())
        .filter_map(|s| s.resources.as_ref())
    {
        locales.extend(r.locales.iter().cloned());
        resources.string_count += r.string_count;
    }
    resources.locales = locales.into_iter().collect();

    let splits = scans
        .iter()
        .map(|s| {
            let sp = s.manifest.split.as_ref();
            SplitEvidence {
                apk: s.file.name.clone(),
                split: sp.and_then(|x| x.split.clone()),
                config_for_split: sp.and_then(|x| x.config_for_split.clone()),
                is_feature_split: sp.and_then(|x| x.is_feature_split).unwrap_or(false),
                components: s.manifest.components.clone(),
                uses_permissions: s
                    .manifest
                    .uses_permissions
                    .iter()
                    .map(|p| p.name.clone())
                    .collect(),
                signer_sha256: signer_set(s.signing.as_ref()).into_iter().collect(),
            }
        })
        .collect();

    // Code: every DEX of every APK, attributed to the app or a third party.
    let launcher = m.components.iter().find(|c| {
        c.intent_filters.iter().any(|f| {
            f.actions.iter().any(|a| a == "android.intent.action.MAIN")
                && f.categories
                    .iter()
                    .any(|c| c == "android.intent.category.LAUNCHER")
        })
    });
    let own_packages: Vec<&str> = [package.as_deref()]
        .into_iter()
        .chain([m
            .application
            .as_ref()
            .and_then(|a| a.name.as_deref())
            .and_then(package_of)])
        .chain([launcher.and_then(|c| package_of(&c.name))])
        .flatten()
        .collect();
    let who = Attributor::new(own_packages, Some(&opts.catalog));
    let archives: Vec<(&str, &Archive<'_>)> = std::iter::once(&base)
        .chain(scans.iter())
        .map(|s| (s.file.name.as_str(), &s.archive))
        .collect();
    let text_endpoints: Vec<Occurrence> = std::iter::once(&base)
        .chain(scans.iter())
        .flat_map(|s| s.endpoints.iter().cloned())
        .collect();
    let (native, code, sdks, coverage) = if opts.code {
        let (native, native_endpoints) = native::collect(&archives, &who, &opts.urls);
        let mut more_endpoints = text_endpoints;
        more_endpoints.extend(native_endpoints);
        let app_class = m.application.as_ref().and_then(|a| a.name.as_deref());
        let mut code_out = code::collect(
            &archives,
            &opts.catalog,
            &who,
            &opts.urls,
            more_endpoints,
            app_class,
            code::CodeLimits {
                max_code_bytes: opts.limits.max_code_bytes,
                deadline: opts.time_limit.map(|t| started + t),
                watch: std::iter::once(&base)
                    .chain(scans.iter())
                    .flat_map(|s| s.manifest.components.iter().map(|c| c.name.clone()))
                    .collect(),
            },
        );
        let manifests: Vec<&Manifest> = std::iter::once(&base)
            .chain(scans.iter())
            .map(|s| &s.manifest)
            .collect();
        let sdks = sdks::detect(&opts.catalog, &who, &manifests, &archives, &mut code_out);
        let code::CodeOutput {
            evidence: code,
            packers,
            ..
        } = code_out;
        let coverage = coverage(&code, packers, m);
        (native, code, sdks, coverage)
    } else {
        let coverage = Coverage {
            code_complete: false,
            packers: Vec::new(),
            notes: vec![crate::catalog::Text {
                zh: "未分析代码（--no-code）：没有 DEX、原生库、网络地址与第三方 SDK 的结论。".into(),
                en: "Code not analysed (--no-code): no DEX, native-library, endpoint or SDK findings.".into(),
            }],
        };
        (
            native::NativeEvidence::default(),
            code::CodeEvidence::default(),
            Vec::new(),
            coverage,
        )
    };
    for f in &code.dex_files {
        if let Some(e) = &f.error {
            damage.push(Damage {
                apk: f.apk.clone(),
                part: f.path.clone(),
                message: e.clone(),
            });
        }
    }
    damage.sort();

    let mut apks = vec![base.file.clone()];
    apks.extend(scans.iter().map(|s| s.file.clone()));
    anomalies.sort();
    anomalies.dedup();
    damage.sort();
    Ok(Evidence {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        input: Input {
            path: c.path.display().to_string(),
            kind: c.kind,
            size: c.size,
            sha256: input_sha256,
            apks,
        },
        app,
        permissions,
        network,
        signing: base.signing,
        manifest: base.manifest,
        splits,
        resources,
        code,
        native,
        sdks,
        coverage,
        anomalies,
        damage,
    })
}

/// Localized values of resource `id` in a split's resource table (errors
/// were already recorded when the split was scanned).
fn split_strings(archive: &Archive<'_>, id: u32, limits: &Limits) -> BTreeMap<String, String> {
    let Some(e) = archive.find("resources.arsc") else {
        return BTreeMap::new();
    };
    let Ok(data) = archive.read(e, MAX_ARSC.min(limits.max_entry_size)) else {
        return BTreeMap::new();
    };
    match arsc::parse(&data) {
        Ok(t) => t.value.localized_strings(id),
        Err(_) => BTreeMap::new(),
    }
}

fn file_label(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn signer_set(s: Option<&SigningInfo>) -> BTreeSet<String> {
    s.map(|s| {
        s.signers
            .iter()
            .map(|x| x.certificate.sha256.clone())
            .collect()
    })
    .unwrap_or_default()
}

/// An SDK level as Android's package parser reads it: an integer, or a
/// codename (any string) meaning the development level 10000.
fn sdk_level(v: Option<&AttrValue>) -> Option<i64> {
    match v? {
        AttrValue::Int(i) => Some(*i),
        AttrValue::String(s) => Some(s.trim().parse().unwrap_or(10_000)),
        _ => None,
    }
}

fn network_evidence(
    m: &Manifest,
    target_sdk: Option<i64>,
    security_config: Option<SecurityConfig>,
) -> Network {
    let attr = m
        .application
        .as_ref()
        .and_then(|a| a.uses_cleartext_traffic);
    // Platform default: cleartext allowed below API 28
    // (https://developer.android.com/privacy-and-security/security-config#CleartextTrafficPermitted).
    let platform_default = target_sdk.is_none_or(|t| t < 28);
    let nsc_base = security_config
        .as_ref()
        .and_then(|s| s.config.as_ref())
        .and_then(|c| c.base_config.as_ref())
        .and_then(|b| b.cleartext_traffic_permitted);
    let (permitted, source) = match (security_config.is_some(), nsc_base, attr) {
        // With a config file, Android 7+ ignores the manifest attribute;
        // a base-config without the attribute uses the platform default.
        (true, Some(v), _) => (v, CleartextSource::NetworkSecurityConfig),
        (true, None, _) => (platform_default, CleartextSource::PlatformDefault),
        (false, _, Some(v)) => (v, CleartextSource::ManifestAttribute),
        (false, _, None) => (platform_default, CleartextSource::PlatformDefault),
    };
    Network {
        uses_cleartext_traffic: attr,
        cleartext_permitted_by_default: permitted,
        cleartext_source: source,
        security_config,
    }
}

/// Reads an entry with a cap, recording anomalies against `part`.
fn read_entry<'a>(
    archive: &Archive<'a>,
    e: &Entry,
    limit: u64,
    apk: &str,
    anomalies: &mut Vec<LocatedAnomaly>,
) -> Result<std::borrow::Cow<'a, [u8]>, apk::zip::ZipError> {
    let (data, found) = archive.read_checked(e, limit)?;
    for a in found {
        anomalies.push(LocatedAnomaly::new(apk, &e.name, a));
    }
    Ok(data)
}

fn scan_apk<'a>(
    blob: &'a ApkBlob,
    limits: &Limits,
    urls: Option<&Extractor>,
    anomalies: &mut Vec<LocatedAnomaly>,
    damage: &mut Vec<Damage>,
) -> Result<ApkScan<'a>, ApkFailure> {
    let bytes = blob.bytes();
    let name = blob.name.clone();
    let fail = |part: &str, message: String| ApkFailure {
        part: part.into(),
        message,
    };
    let parsed = Archive::parse(bytes).map_err(|e| fail("zip", e.to_string()))?;
    crate::apk::check_entry_count(&parsed.value, limits).map_err(|e| fail("zip", e.to_string()))?;
    for a in parsed.anomalies {
        anomalies.push(LocatedAnomaly::new(&name, "zip", a));
    }
    let archive = parsed.value.with_page_release(blob);

    // Manifest: required.
    let me = archive.find("AndroidManifest.xml").ok_or_else(|| {
        fail(
            "AndroidManifest.xml",
            "no AndroidManifest.xml in the APK".into(),
        )
    })?;
    let mdata = read_entry(
        &archive,
        me,
        MAX_XML.min(limits.max_entry_size),
        &name,
        anomalies,
    )
    .map_err(|e| fail("AndroidManifest.xml", e.to_string()))?;
    let doc = axml::parse(&mdata).map_err(|e| fail("AndroidManifest.xml", e.to_string()))?;
    for a in doc.anomalies {
        anomalies.push(LocatedAnomaly::new(&name, "AndroidManifest.xml", a));
    }
    let mparsed = Manifest::from_document(&doc.value);
    for a in mparsed.anomalies {
        anomalies.push(LocatedAnomaly::new(&name, "AndroidManifest.xml", a));
    }
    let manifest = mparsed.value;

    // Resources: optional; damage is recorded and the scan goes on.
    let arsc_data = match archive.find("resources.arsc") {
        Some(e) => match read_entry(
            &archive,
            e,
            MAX_ARSC.min(limits.max_entry_size),
            &name,
            anomalies,
        ) {
            Ok(d) => Some(d),
            Err(err) => {
                damage.push(Damage {
                    apk: name.clone(),
                    part: "resources.arsc".into(),
                    message: err.to_string(),
                });
                None
            }
        },
        None => None,
    };
    let table = match arsc_data.as_deref().map(arsc::parse) {
        Some(Ok(t)) => {
            for a in t.anomalies {
                anomalies.push(LocatedAnomaly::new(&name, "resources.arsc", a));
            }
            Some(t.value)
        }
        Some(Err(err)) => {
            damage.push(Damage {
                apk: name.clone(),
                part: "resources.arsc".into(),
                message: err.to_string(),
            });
            None
        }
        None => None,
    };

    let application = manifest.application.as_ref();
    let mut labels = BTreeMap::new();
    match application.and_then(|a| a.label.as_ref()) {
        Some(AttrValue::String(s)) => {
            labels.insert(String::new(), s.clone());
        }
        Some(AttrValue::Reference(id)) => {
            if let Some(t) = &table {
                labels = t.localized_strings(*id);
            }
        }
        _ => {}
    }
    let version_name = match &manifest.version_name {
        Some(AttrValue::Reference(id)) => table.as_ref().and_then(|t| t.resolve_string(*id, None)),
        Some(v) => v.to_text(),
        None => None,
    };

    let security_config = application
        .and_then(|a| a.network_security_config)
        .map(|id| {
            let file = table.as_ref().and_then(|t| t.resolve_file(id));
            let config = file.as_deref().and_then(|f| {
                let part = f.to_owned();
                let e = archive.find(f)?;
                let data = match read_entry(&archive, e, MAX_XML, &name, anomalies) {
                    Ok(d) => d,
                    Err(err) => {
                        damage.push(Damage {
                            apk: name.clone(),
                            part,
                            message: err.to_string(),
                        });
                        return None;
                    }
                };
                match axml::parse(&data) {
                    Ok(d) => {
                        let nsc = NetworkSecurityConfig::from_document(&d.value);
                        for a in d.anomalies.into_iter().chain(nsc.anomalies) {
                            anomalies.push(LocatedAnomaly::new(&name, &part, a));
                        }
                        Some(nsc.value)
                    }
                    Err(err) => {
                        damage.push(Damage {
                            apk: name.clone(),
                            part,
                            message: err.to_string(),
                        });
                        None
                    }
                }
            });
            SecurityConfig {
                resource: format!("{id:#010x}"),
                trusts_user_certs: config.as_ref().is_some_and(|c| c.trusts_user_certs()),
                cleartext_domains: config
                    .as_ref()
                    .map(|c| {
                        c.cleartext_permitted_domains()
                            .into_iter()
                            .map(|d| d.name.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                file,
                config,
            }
        });

    // Statistics from the type and config tables alone: decoding every
    // string only to count them cost more than the rest of the scan.
    let resources = table.as_ref().map(|t| {
        let mut locales = BTreeSet::new();
        let mut string_count = 0;
        for p in t.packages() {
            for ty in p.types() {
                if p.type_name(ty.id()).as_deref() != Some("string") {
                    continue;
                }
                for chunk in ty.configs() {
                    let n = chunk.string_value_count();
                    string_count += n;
                    let locale = chunk.config().bcp47();
                    if n > 0 && !locale.is_empty() {
                        locales.insert(locale);
                    }
                }
            }
        }
        ResourceFacts {
            packages: t
                .packages()
                .map(|p| format!("{} ({:#04x})", p.name, p.id))
                .collect(),
            locales,
            string_count,
        }
    });

    let signing = Some(read_signing(&archive, &name, anomalies));
    let file = ApkFile {
        name: name.clone(),
        role: ApkRole::Base,
        split: manifest.split.as_ref().and_then(|s| s.split.clone()),
        size: bytes.len() as u64,
        sha256: String::new(), // filled in from the hashing thread
        package: manifest.package.clone(),
    };
    let endpoints = urls
        .map(|u| text_endpoints(&archive, table.as_ref(), &name, u))
        .unwrap_or_default();
    Ok(ApkScan {
        archive,
        endpoints,
        file,
        manifest,
        labels,
        version_name,
        security_config,
        signing,
        resources,
    })
}

/// Share of short class names above which identifier obfuscation is noted.
const OBFUSCATION_NOTE_RATIO: f64 = 0.3;

/// Decides whether code analysis can be trusted to be complete.
fn coverage(
    code: &code::CodeEvidence,
    packers: Vec<crate::catalog::packers::PackerMatch>,
    m: &Manifest,
) -> Coverage {
    use crate::catalog::Text;
    let mut notes = Vec::new();
    for p in &packers {
        notes.push(Text {
            zh: format!("检测到加固（{}）：真实代码在运行时才解密加载，静态分析看到的只是外壳，敏感 API 与第三方 SDK 的结论不完整。", p.name.zh),
            en: format!(
                "Packer detected ({}): the real code is decrypted and loaded at run time; static analysis sees the stub only, so sensitive-API and SDK findings are incomplete.",
                p.name.en
            ),
        });
    }
    for f in code.dex_files.iter().filter(|f| f.error.is_some()) {
        notes.push(Text {
            zh: format!("{}!{} 无法解析，其中的代码未被分析。", f.apk, f.path),
            en: format!(
                "{}!{} could not be read; its code was not analysed.",
                f.apk, f.path
            ),
        });
    }
    let has_code = m
        .application
        .as_ref()
        .and_then(|a| a.has_code)
        .unwrap_or(true);
    let root_dex = code.dex_files.iter().any(|f| f.location == "root");
    if has_code && !root_dex {
        notes.push(Text {
            zh: "应用声明含有代码，但 APK 根目录没有 classes.dex：代码可能被隐藏或在运行时下载。".into(),
            en: "The app declares code but has no classes.dex at the APK root: code may be hidden or downloaded at run time.".into(),
        });
    }
    let complete = notes.is_empty();
    if code.obfuscation.ratio >= OBFUSCATION_NOTE_RATIO {
        notes.push(Text {
            zh: format!(
                "{:.0}% 的类名被混淆：按包名归属调用方与识别 SDK 的结论可能偏少。",
                code.obfuscation.ratio * 100.0
            ),
            en: format!(
                "{:.0}% of class names are obfuscated: attribution by package name and SDK identification may under-report.",
                code.obfuscation.ratio * 100.0
            ),
        });
    }
    Coverage {
        code_complete: complete,
        packers,
        notes,
    }
}

/// Endpoints in resource strings and small text assets of one APK.
fn text_endpoints(
    archive: &Archive<'_>,
    table: Option<&arsc::ResTable<'_>>,
    apk: &str,
    urls: &Extractor,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    if let Some(t) = table {
        for (name, _locale, value) in t.string_resources() {
            for e in urls.extract(&value) {
                let place = Place {
                    source: "resource",
                    file: format!("{apk}!resources.arsc"),
                    within: Some(name.clone()),
                    owner: None,
                };
                out.push((e, place));
            }
        }
    }
    let mut budget = TEXT_ASSET_BUDGET;
    for entry in archive.entries() {
        let lower = entry.name.to_ascii_lowercase();
        let text_like = (lower.starts_with("assets/") || lower.starts_with("res/raw/"))
            && TEXT_EXTENSIONS.iter().any(|x| lower.ends_with(x));
        if !text_like
            || entry.uncompressed_size > MAX_TEXT_ASSET
            || entry.uncompressed_size > budget
        {
            continue;
        }
        budget -= entry.uncompressed_size;
        let Ok(data) = archive.read(entry, MAX_TEXT_ASSET) else {
            continue;
        };
        for e in urls.extract_bytes(&data) {
            let place = Place {
                source: "asset",
                file: format!("{apk}!{}", entry.name),
                within: None,
                owner: None,
            };
            out.push((e, place));
        }
    }
    out
}

fn read_signing(
    archive: &Archive<'_>,
    apk: &str,
    anomalies: &mut Vec<LocatedAnomaly>,
) -> SigningInfo {
    let mut blocks = Vec::new();
    let mut sf_names = Vec::new();
    for e in archive.entries() {
        let Some(rest) = e.name.strip_prefix("META-INF/") else {
            continue;
        };
        if rest.contains('/') {
            continue;
        }
        let upper = rest.to_ascii_uppercase();
        if upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC") {
            match read_entry(archive, e, MAX_V1_BLOCK, apk, anomalies) {
                Ok(d) => blocks.push((e.name.to_string(), d.into_owned())),
                Err(err) => anomalies.push(LocatedAnomaly::new(
                    apk,
                    &e.name,
                    crate::formats::Anomaly::new("sig-v1-block-unreadable", None, err.to_string()),
                )),
            }
        } else if upper.ends_with(".SF") || upper == "MANIFEST.MF" {
            sf_names.push(e.name.to_string());
        }
    }
    let sections = ZipSections {
        cd_offset: archive.cd_offset,
        cd_size: archive.cd_size,
        eocd_offset: archive.eocd_offset,
    };
    let parsed = signing::collect_in_zip(archive.bytes(), sections, &blocks, &sf_names);
    for a in parsed.anomalies {
        anomalies.push(LocatedAnomaly::new(apk, "signing", a));
    }
    parsed.value
}
