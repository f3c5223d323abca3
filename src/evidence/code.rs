//! Code evidence: which code — the app's own or a third party's — calls
//! which sensitive API, read from every DEX file of the app.
//!
//! Every `classes*.dex` at an APK's root is read, and so is DEX found
//! elsewhere (a `.dex` entry under `assets/`, or DEX inside an archive under
//! `assets/`): such code is reported with its location, because apps load
//! it at run time. DEX files are walked in parallel (rayon); results are
//! sorted afterwards, so the output does not depend on the thread count.
//!
//! A call site is a fact ("`com.umeng.analytics.MobclickAgent.onResume`
//! calls `PackageManager.getInstalledPackages`"), not proof that data leaves
//! the device; the catalogue entry's `verified` flag says how sure the
//! mapping from API to personal information is.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::owner::{Attributor, Owner};
use crate::apk::zip::Archive;
use crate::catalog::packers::PackerMatch;
use crate::catalog::{ApiIndex, ApiInfo, ApiKind, Catalog, Text};
use crate::evidence::endpoints::{might_hold_endpoint, Extractor};
use crate::formats::dex::{is_dex, CodeRef, Dex};
use crate::formats::Anomaly;

/// Largest DEX file read (bytes).
pub const MAX_DEX: u64 = 512 << 20;
/// Largest nested archive under `assets/` opened to look for DEX (bytes).
pub const MAX_NESTED_ARCHIVE: u64 = 64 << 20;
/// Largest DEX read out of such a nested archive (bytes): real ones are a
/// few MB; a deflated-twice bomb inflates no more than this.
pub const MAX_NESTED_DEX: u64 = 128 << 20;

/// Code evidence of an app.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CodeEvidence {
    /// Every DEX file read, in (apk, path) order.
    pub dex_files: Vec<DexFile>,
    /// Sensitive-API use per personal-information category, each grouped
    /// by owner; categories sorted by id, owners with the app first.
    pub categories: Vec<CategoryUse>,
    /// Number of call sites per category and owner (a summary of
    /// `categories`).
    pub summary: BTreeMap<String, BTreeMap<String, usize>>,
    /// Classes per owner over all DEX files.
    pub classes_per_owner: BTreeMap<String, usize>,
    /// Identifier obfuscation: share of classes with a one- or two-letter
    /// simple name (`La/b;`), a common ProGuard/R8 signature.
    pub obfuscation: Obfuscation,
    /// Network endpoints (URLs, hosts, IP literals) named in code,
    /// resources and assets, one entry per host, sorted by host.
    pub endpoints: Vec<EndpointUse>,
}

/// Most places recorded per endpoint host (the total is in `occurrences`).
pub const MAX_PLACES_PER_HOST: usize = 32;
/// Most distinct URLs recorded per endpoint host.
pub const MAX_URLS_PER_HOST: usize = 32;

/// Where data may go: one host and every place that names it.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointUse {
    /// Host name or IP literal, lowercased.
    pub host: String,
    /// eTLD+1 from the public-suffix list (`umeng.com`), if any.
    pub registrable_domain: Option<String>,
    /// Whether any URL to it is cleartext (`http`, `ws`, `ftp`).
    pub cleartext: bool,
    /// Whether the host is an IP literal.
    pub ip_literal: bool,
    /// Private-range or local address.
    pub local: bool,
    /// Distinct URLs naming it (at most [`MAX_URLS_PER_HOST`]).
    pub urls: Vec<String>,
    /// Owners of the code naming it (app, SDKs, other third parties).
    pub owners: Vec<Owner>,
    /// The catalogued SDK whose domain this host is under, if any.
    pub sdk: Option<String>,
    /// Where it is named (at most [`MAX_PLACES_PER_HOST`]).
    pub places: Vec<Place>,
    /// How many times it is named in all.
    pub occurrences: usize,
}

/// One place an endpoint is named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// `dex`, `resource` or `asset`.
    pub source: &'static str,
    /// File: `apk!classes2.dex`, `apk!resources.arsc`, `apk!assets/x.json`.
    pub file: String,
    /// The class whose code loads the string (DEX), or the resource name.
    pub within: Option<String>,
    /// Owner of that class (DEX only).
    pub owner: Option<Owner>,
}

/// An endpoint occurrence before grouping.
pub type Occurrence = (crate::evidence::endpoints::Endpoint, Place);

/// A host's entry while grouping: the use, its URLs, owners and places.
type HostSlot = (
    EndpointUse,
    BTreeSet<String>,
    BTreeSet<Owner>,
    BTreeSet<Place>,
);

/// Groups occurrences by host, deterministically.
pub fn group_endpoints(found: Vec<Occurrence>) -> Vec<EndpointUse> {
    let mut by_host: BTreeMap<String, HostSlot> = BTreeMap::new();
    for (e, place) in found {
        let slot = by_host.entry(e.host.clone()).or_insert_with(|| {
            (
                EndpointUse {
                    host: e.host.clone(),
                    registrable_domain: e.registrable_domain.clone(),
                    cleartext: false,
                    ip_literal: e.ip_literal,
                    local: e.local || e.private_ip,
                    urls: Vec::new(),
                    owners: Vec::new(),
                    sdk: None,
                    places: Vec::new(),
                    occurrences: 0,
                },
                BTreeSet::new(),
                BTreeSet::new(),
                BTreeSet::new(),
            )
        });
        slot.0.occurrences += 1;
        slot.0.cleartext |= e.cleartext;
        if let Some(u) = e.url {
            slot.1.insert(u);
        }
        if let Some(o) = &place.owner {
            slot.2.insert(o.clone());
        }
        slot.3.insert(place);
    }
    by_host
        .into_values()
        .map(|(mut u, urls, owners, places)| {
            u.urls = urls.into_iter().take(MAX_URLS_PER_HOST).collect();
            u.owners = owners.into_iter().collect();
            u.places = places.into_iter().take(MAX_PLACES_PER_HOST).collect();
            u
        })
        .collect()
}

/// One DEX file.
#[derive(Debug, Clone, Serialize)]
pub struct DexFile {
    /// APK holding it.
    pub apk: String,
    /// Entry path (`classes2.dex`, `assets/x.jar!classes.dex`).
    pub path: String,
    /// `root` for `classes*.dex` at the APK root, `asset` for a bare
    /// `.dex` elsewhere, `nested` for DEX inside an archive entry.
    pub location: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// `class_defs_size` from the header.
    pub class_defs: u32,
    /// Methods defined (direct + virtual) over all classes read.
    pub methods_defined: u64,
    /// `method_ids_size` from the header.
    pub method_ids: u32,
    /// `string_ids_size` from the header.
    pub string_ids: u32,
    /// Why the file could not be read, if it could not.
    pub error: Option<String>,
    /// Irregularities met (bad checksum, undecodable methods…).
    pub anomalies: Vec<Anomaly>,
}

/// Sensitive-API use for one personal-information category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryUse {
    /// Category id (`device-id`, `location`, …).
    pub pi: String,
    /// Category label from the catalogue.
    pub label: Option<Text>,
    /// Call sites grouped by owner.
    pub owners: Vec<OwnerUse>,
}

/// The call sites of one owner.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerUse {
    /// Who owns the calling code.
    pub owner: Owner,
    /// Call sites, sorted.
    pub sites: Vec<CallSite>,
}

/// One place in the code that uses a sensitive API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CallSite {
    /// Catalogue entry id (`telephony-imei`).
    pub api: String,
    /// What is used: `Lclass;->name(proto)ret`, a field `Lclass;->NAME`, or
    /// a string literal.
    pub callee: String,
    /// Calling class, Java notation (`com.umeng.analytics.MobclickAgent`).
    pub caller_class: String,
    /// Calling method with its prototype (`onResume(Landroid/content/Context;)V`).
    pub caller_method: String,
    /// `invoke`, `field-read` or `string`.
    pub via: &'static str,
    /// APK and DEX path, `apk!path`.
    pub file: String,
    /// How many times this method uses it.
    pub count: u32,
    /// Whether the catalogue entry is verified against its source.
    pub verified: bool,
}

/// Identifier-obfuscation statistics.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Obfuscation {
    /// Classes counted.
    pub classes: usize,
    /// Classes whose simple name has at most two characters.
    pub short_named: usize,
    /// `short_named / classes`, 0 when there is no class.
    pub ratio: f64,
}

/// A DEX to read: which APK, where, and its bytes source.
struct DexJob<'b> {
    apk: &'b str,
    path: String,
    location: &'static str,
    archive: &'b Archive<'b>,
    entry: &'b crate::apk::zip::Entry<'b>,
}

/// What one DEX contributed.
struct DexResult {
    file: DexFile,
    /// Class descriptors, for packer matching.
    class_names: Vec<String>,
    endpoints: Vec<Occurrence>,
    sites: Vec<(Owner, String, CallSite)>,
    classes_per_owner: BTreeMap<String, usize>,
    /// Classes per matching SDK package prefix (catalogue indices).
    sdk_classes: BTreeMap<(usize, usize), usize>,
    /// Watched classes (manifest components) defined in this DEX.
    defined: Vec<String>,
    classes: usize,
    short_named: usize,
}

impl DexFile {
    /// A record with no counts yet.
    fn new(apk: &str, path: String, location: &'static str) -> DexFile {
        DexFile {
            apk: apk.to_owned(),
            path,
            location,
            size: 0,
            class_defs: 0,
            methods_defined: 0,
            method_ids: 0,
            string_ids: 0,
            error: None,
            anomalies: Vec::new(),
        }
    }
}

impl DexResult {
    /// What a DEX contributed before (or without) walking it.
    fn new(file: DexFile) -> DexResult {
        DexResult {
            file,
            class_names: Vec::new(),
            endpoints: Vec::new(),
            sites: Vec::new(),
            classes_per_owner: BTreeMap::new(),
            sdk_classes: BTreeMap::new(),
            defined: Vec::new(),
            classes: 0,
            short_named: 0,
        }
    }
}

/// Lists the DEX files of one APK: `classes*.dex` at the root, other
/// `.dex` entries, and archives under `assets/` (opened later).
fn dex_jobs<'b>(apk: &'b str, archive: &'b Archive<'b>) -> Vec<DexJob<'b>> {
    let mut jobs = Vec::new();
    for e in archive.entries() {
        let n = &*e.name;
        let root_dex = n
            .strip_prefix("classes")
            .and_then(|rest| rest.strip_suffix(".dex"))
            .is_some_and(|num| num.chars().all(|c| c.is_ascii_digit()));
        let lower = n.to_ascii_lowercase();
        let location = if root_dex {
            "root"
        } else if lower.ends_with(".dex") {
            "asset"
        } else if lower.starts_with("assets/")
            && (lower.ends_with(".jar") || lower.ends_with(".zip") || lower.ends_with(".apk"))
            && e.uncompressed_size <= MAX_NESTED_ARCHIVE
        {
            "nested"
        } else {
            continue;
        };
        jobs.push(DexJob {
            apk,
            path: n.to_owned(),
            location,
            archive,
            entry: e,
        });
    }
    jobs
}

fn java_name(descriptor: &[u8]) -> String {
    let body = descriptor.strip_prefix(b"L").unwrap_or(descriptor);
    let body = body.strip_suffix(b";").unwrap_or(body);
    String::from_utf8_lossy(body).replace('/', ".")
}

fn simple_name_is_short(descriptor: &[u8]) -> bool {
    let body = descriptor.strip_suffix(b";").unwrap_or(descriptor);
    let simple = body.rsplit(|&b| b == b'/').next().unwrap_or(body);
    let simple = simple.strip_prefix(b"L").unwrap_or(simple);
    // Inner classes: judge the innermost name.
    let simple = simple.rsplit(|&b| b == b'$').next().unwrap_or(simple);
    !simple.is_empty() && simple.len() <= 2 && !simple.iter().all(u8::is_ascii_digit)
}

/// Walks one DEX image.
/// What a DEX walk needs besides the bytes.
struct WalkCtx<'c> {
    index: ApiIndex<'c>,
    who: &'c Attributor<'c>,
    urls: &'c Extractor,
    /// Bytes of code inflated so far for this input.
    code_bytes: AtomicU64,
    /// Budget for `code_bytes`.
    max_code_bytes: u64,
    /// When to stop starting new DEX files.
    deadline: Option<Instant>,
    /// Classes whose definition is looked for (manifest components, as
    /// descriptors `Lcom/x/Y;`).
    watch: &'c BTreeSet<Vec<u8>>,
    /// Descriptor prefixes (`Lcom/stub/StubApp`) of packer class patterns:
    /// only classes under one are kept for packer matching, so memory does
    /// not grow with the class count.
    packer_prefixes: Vec<Vec<u8>>,
}

fn walk(
    apk: &str,
    path: &str,
    location: &'static str,
    data: &[u8],
    ctx: &WalkCtx<'_>,
) -> DexResult {
    let (index, who, urls) = (&ctx.index, ctx.who, ctx.urls);
    let mut file = DexFile::new(apk, path.to_owned(), location);
    file.size = data.len() as u64;
    let mut out = DexResult::new(file.clone());
    let parsed = match Dex::parse(data) {
        Ok(p) => p,
        Err(e) => {
            file.error = Some(e.to_string());
            out.file = file;
            return out;
        }
    };
    let dex = parsed.value;
    file.anomalies = parsed.anomalies;
    // One pass over the class definitions for counts, owners, packer
    // candidates and obfuscation (`count_summary` would be a second one).
    let h = dex.header();
    file.class_defs = h.class_defs_size;
    file.method_ids = h.method_ids_size;
    file.string_ids = h.string_ids_size;
    for class in dex.classes().flatten() {
        out.classes += 1;
        if let Some(cd) = &class.class_data {
            file.methods_defined +=
                u64::from(cd.direct_methods_size) + u64::from(cd.virtual_methods_size);
        }
        if ctx
            .packer_prefixes
            .iter()
            .any(|p| class.descriptor.starts_with(p))
        {
            out.class_names
                .push(String::from_utf8_lossy(class.descriptor).into_owned());
        }
        if simple_name_is_short(class.descriptor) {
            out.short_named += 1;
        }
        if ctx.watch.contains(class.descriptor) {
            out.defined.push(java_name(class.descriptor));
        }
        let hit = who.sdk_of(class.descriptor);
        if let Some(hit) = hit {
            *out.sdk_classes.entry(hit).or_default() += 1;
        }
        *out.classes_per_owner
            .entry(who.owner_given(class.descriptor, hit).label().to_owned())
            .or_default() += 1;
    }
    let file_label = format!("{apk}!{path}");

    // Per method: sites found, strings loaded (for entries that need a
    // literal in the same method), keyed by the method being walked.
    let mut current: Option<u32> = None;
    let mut method_strings: Vec<&[u8]> = Vec::new();
    let mut pending: Vec<(&ApiInfo, CallSite, Owner)> = Vec::new();
    let flush = |pending: &mut Vec<(&ApiInfo, CallSite, Owner)>,
                 strings: &mut Vec<&[u8]>,
                 out: &mut DexResult| {
        for (api, site, owner) in pending.drain(..) {
            let ok = match &api.also_requires_string {
                Some(s) => strings.contains(&s.as_bytes()),
                None => true,
            };
            if ok {
                out.sites.push((owner, api.pi.clone(), site));
            }
        }
        strings.clear();
    };
    let anomalies = dex.for_each_code_ref(|class, method, r| {
        if current != Some(method.method.0) {
            flush(&mut pending, &mut method_strings, &mut out);
            current = Some(method.method.0);
        }
        let site = |api: &ApiInfo, callee: String, via: &'static str| {
            let caller_method = dex
                .method_ref(method.method)
                .and_then(|m| Ok(format!("{}{}", String::from_utf8_lossy(m.name), m.proto()?)))
                .unwrap_or_else(|_| format!("method@{}", method.method.0));
            CallSite {
                api: api.id.clone(),
                callee,
                caller_class: java_name(class.descriptor),
                caller_method,
                via,
                file: file_label.clone(),
                count: 1,
                verified: api.verified,
            }
        };
        match r {
            CodeRef::Invoke { method: m, .. } => {
                let Ok(mr) = dex.method_ref(m) else { return };
                if !index.knows_class(mr.class) {
                    return;
                }
                let Ok(proto) = mr.proto().map(|p| p.to_string()) else {
                    return;
                };
                for api in index.lookup_method(mr.class, mr.name, Some(proto.as_bytes())) {
                    let s = site(api, mr.to_string(), "invoke");
                    pending.push((api, s, who.owner_of(class.descriptor)));
                }
            }
            CodeRef::StaticGet { field, .. } => {
                let Ok(fr) = dex.field_ref(field) else { return };
                if !index.knows_class(fr.class) {
                    return;
                }
                for api in index.lookup_field(fr.class, fr.name) {
                    let callee = format!(
                        "{}->{}",
                        String::from_utf8_lossy(fr.class),
                        String::from_utf8_lossy(fr.name)
                    );
                    let s = site(api, callee, "field-read");
                    pending.push((api, s, who.owner_of(class.descriptor)));
                }
            }
            CodeRef::ConstString { string, .. } => {
                let Ok(s) = dex.string(string) else { return };
                method_strings.push(s);
                if might_hold_endpoint(s) {
                    for e in urls.extract_bytes(s) {
                        let place = Place {
                            source: "dex",
                            file: file_label.clone(),
                            within: Some(java_name(class.descriptor)),
                            owner: Some(who.owner_of(class.descriptor)),
                        };
                        out.endpoints.push((e, place));
                    }
                }
                for api in index.lookup_string(s) {
                    if api.kind != ApiKind::String {
                        continue;
                    }
                    let callee = format!("\"{}\"", String::from_utf8_lossy(s));
                    let cs = site(api, callee, "string");
                    pending.push((api, cs, who.owner_of(class.descriptor)));
                }
            }
            _ => {}
        }
    });
    flush(&mut pending, &mut method_strings, &mut out);
    file.anomalies.extend(anomalies);
    out.file = file;
    out
}

/// Reads one job's bytes and walks the DEX inside.
fn run_job(job: &DexJob<'_>, ctx: &WalkCtx<'_>) -> Vec<DexResult> {
    let out = read_and_walk(job, ctx);
    // Done with this entry: its mapped pages need not stay resident.
    job.archive.release(job.entry);
    out
}

fn read_and_walk(job: &DexJob<'_>, ctx: &WalkCtx<'_>) -> Vec<DexResult> {
    let fail = |path: String, location, msg: String| {
        let mut file = DexFile::new(job.apk, path, location);
        file.error = Some(msg);
        DexResult::new(file)
    };
    let limit = if job.location == "nested" {
        MAX_NESTED_ARCHIVE
    } else {
        MAX_DEX
    };
    if ctx.deadline.is_some_and(|d| Instant::now() >= d) {
        let msg = "not analysed: the scan's time limit was reached (--time-limit)".to_string();
        return vec![fail(job.path.clone(), job.location, msg)];
    }
    // Reserve the declared size against the input's code budget; a
    // declared size that lies is corrected after the read.
    let reserved = job.entry.uncompressed_size.min(limit);
    if let Some(msg) = over_budget(ctx, job.entry.uncompressed_size, reserved) {
        return vec![fail(job.path.clone(), job.location, msg)];
    }
    let (data, read_anomalies) = match job.archive.read_checked(job.entry, limit) {
        Ok(d) => d,
        Err(e) => return vec![fail(job.path.clone(), job.location, e.to_string())],
    };
    settle(ctx, reserved, data.len());
    if job.location != "nested" {
        if job.location == "asset" && !is_dex(&data) {
            return Vec::new(); // a `.dex` name on something else: not code
        }
        let mut r = walk(job.apk, &job.path, job.location, &data, ctx);
        // What reading the entry met (a size that lied, a bad CRC) belongs
        // to this file's record.
        r.file.anomalies.splice(0..0, read_anomalies);
        return vec![r];
    }
    // An archive under assets/: DEX inside it is loadable code, read with a
    // tighter cap (a nested bomb inflates nothing beyond it) and counted
    // against the same budget; the inner zip's own anomalies go with each
    // DEX read from it.
    let Ok(inner) = Archive::parse(&data) else {
        return Vec::new();
    };
    let mut inner_anomalies = read_anomalies;
    inner_anomalies.extend(inner.anomalies);
    let inner = inner.value;
    let mut out = Vec::new();
    for e in inner
        .entries()
        .iter()
        .filter(|e| e.name.to_ascii_lowercase().ends_with(".dex"))
    {
        let path = format!("{}!{}", job.path, e.name);
        let reserved = e.uncompressed_size.min(MAX_NESTED_DEX);
        let mut r = if let Some(msg) = over_budget(ctx, e.uncompressed_size, reserved) {
            fail(path, "nested", msg)
        } else {
            match inner.read_checked(e, MAX_NESTED_DEX) {
                Ok((d, a)) => {
                    settle(ctx, reserved, d.len());
                    if !is_dex(&d) {
                        continue;
                    }
                    let mut r = walk(job.apk, &path, "nested", &d, ctx);
                    r.file.anomalies.splice(0..0, a);
                    r
                }
                Err(err) => fail(path, "nested", err.to_string()),
            }
        };
        r.file
            .anomalies
            .splice(0..0, inner_anomalies.iter().cloned());
        out.push(r);
    }
    out
}

/// Reserves `reserved` bytes of the input's code budget; the message to
/// report when that would exceed it.
fn over_budget(ctx: &WalkCtx<'_>, declared: u64, reserved: u64) -> Option<String> {
    let before = ctx.code_bytes.fetch_add(reserved, Ordering::Relaxed);
    (before.saturating_add(reserved) > ctx.max_code_bytes).then(|| {
        format!(
            "not analysed: {declared} bytes would exceed the budget of {} bytes of code per input (--max-code-bytes)",
            ctx.max_code_bytes
        )
    })
}

/// Corrects a reservation once the real size is known (a declared size may
/// lie low; the read's cap bounds the truth).
fn settle(ctx: &WalkCtx<'_>, reserved: u64, actual: usize) {
    let actual = actual as u64;
    if actual > reserved {
        ctx.code_bytes
            .fetch_add(actual - reserved, Ordering::Relaxed);
    }
}

/// What the code stage yields.
pub struct CodeOutput {
    /// The code evidence.
    pub evidence: CodeEvidence,
    /// Packers whose signals match (native library names, assets, DEX
    /// classes, the `<application>` class).
    pub packers: Vec<PackerMatch>,
    /// DEX classes per SDK package prefix: (catalogue index of the SDK,
    /// index in its `packages`) → class count.
    pub sdk_classes: BTreeMap<(usize, usize), usize>,
    /// Which of the watched classes (`CodeLimits::watch`) some DEX defines.
    pub defined: BTreeSet<String>,
}

/// Bounds and watch list of the code stage.
#[derive(Debug, Clone)]
pub struct CodeLimits {
    /// Most bytes of DEX and DEX-holding archives inflated per input.
    pub max_code_bytes: u64,
    /// No DEX file is started after this instant.
    pub deadline: Option<Instant>,
    /// Classes (Java names) whose definition is looked for: the manifest's
    /// components, so that a component declared without its code can be
    /// told from one whose code is there.
    pub watch: Vec<String>,
}

impl Default for CodeLimits {
    fn default() -> Self {
        CodeLimits {
            max_code_bytes: crate::apk::Limits::default().max_code_bytes,
            deadline: None,
            watch: Vec::new(),
        }
    }
}

/// Collects code evidence over the given APKs (name and parsed archive).
/// `more_endpoints` are occurrences found outside DEX (resources, assets,
/// native libraries).
pub fn collect(
    apks: &[(&str, &Archive<'_>)],
    catalog: &Catalog,
    who: &Attributor<'_>,
    urls: &Extractor,
    more_endpoints: Vec<Occurrence>,
    application_class: Option<&str>,
    limits: CodeLimits,
) -> CodeOutput {
    let packer_prefixes = catalog
        .packers
        .iter()
        .flat_map(|p| p.classes.iter())
        .map(|c| {
            let literal = c.pattern.split('*').next().unwrap_or("");
            format!("L{}", literal.replace('.', "/")).into_bytes()
        })
        .collect();
    let watch: BTreeSet<Vec<u8>> = limits
        .watch
        .iter()
        .map(|c| format!("L{};", c.replace('.', "/")).into_bytes())
        .collect();
    let ctx = WalkCtx {
        index: catalog.api_index(),
        who,
        urls,
        code_bytes: AtomicU64::new(0),
        max_code_bytes: limits.max_code_bytes,
        deadline: limits.deadline,
        watch: &watch,
        packer_prefixes,
    };
    let jobs: Vec<DexJob<'_>> = apks
        .iter()
        .flat_map(|(name, ar)| dex_jobs(name, ar))
        .collect();
    let results: Vec<DexResult> = jobs
        .par_iter()
        .flat_map_iter(|j| run_job(j, &ctx))
        .collect();
    let mut found = more_endpoints;

    let mut ev = CodeEvidence::default();
    // (pi, owner) → site key → site (counts merged).
    let mut grouped: BTreeMap<(String, Owner), BTreeMap<CallSite, u32>> = BTreeMap::new();
    let mut classes = 0;
    let mut short_named = 0;
    let mut class_names: Vec<String> = Vec::new();
    let mut sdk_classes: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut defined: BTreeSet<String> = BTreeSet::new();
    for mut r in results {
        defined.extend(r.defined.drain(..));
        for (k, v) in r.sdk_classes {
            *sdk_classes.entry(k).or_default() += v;
        }
        class_names.append(&mut r.class_names);
        classes += r.classes;
        short_named += r.short_named;
        for (k, v) in r.classes_per_owner {
            *ev.classes_per_owner.entry(k).or_default() += v;
        }
        found.extend(r.endpoints);
        for (owner, pi, site) in r.sites {
            *grouped
                .entry((pi, owner))
                .or_default()
                .entry(site)
                .or_default() += 1;
        }
        ev.dex_files.push(r.file);
    }
    ev.dex_files
        .sort_by(|a, b| (&a.apk, &a.path).cmp(&(&b.apk, &b.path)));
    ev.endpoints = group_endpoints(found);
    ev.obfuscation = Obfuscation {
        classes,
        short_named,
        ratio: if classes == 0 {
            0.0
        } else {
            (short_named as f64 / classes as f64 * 1000.0).round() / 1000.0
        },
    };
    let mut by_pi: BTreeMap<String, Vec<OwnerUse>> = BTreeMap::new();
    for ((pi, owner), sites) in grouped {
        let sites: Vec<CallSite> = sites
            .into_iter()
            .map(|(mut s, n)| {
                s.count = n;
                s
            })
            .collect();
        *ev.summary
            .entry(pi.clone())
            .or_default()
            .entry(owner.label().to_owned())
            .or_default() += sites.len();
        by_pi.entry(pi).or_default().push(OwnerUse { owner, sites });
    }
    ev.categories = by_pi
        .into_iter()
        .map(|(pi, owners)| CategoryUse {
            label: catalog.category(&pi).map(|c| c.label.clone()),
            pi,
            owners,
        })
        .collect();
    let names: Vec<&str> = apks
        .iter()
        .flat_map(|(_, ar)| ar.entries().iter().map(|e| &*e.name))
        .collect();
    let libs: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.ends_with(".so"))
        .collect();
    let packers = catalog.match_packers(
        &libs,
        &names,
        class_names.iter().map(String::as_str),
        application_class,
    );
    CodeOutput {
        evidence: ev,
        packers,
        sdk_classes,
        defined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert!(simple_name_is_short(b"La/b/c;"));
        assert!(simple_name_is_short(b"Lcom/x/ab;"));
        assert!(!simple_name_is_short(b"Lcom/x/Abc;"));
        assert!(simple_name_is_short(b"Lcom/x/Abc$a;"));
        assert!(!simple_name_is_short(b"Lcom/x/Abc$1;"));
        assert_eq!(java_name(b"Lcom/x/Y$Z;"), "com.x.Y$Z");
    }
}
