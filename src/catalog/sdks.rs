//! The SDK catalogue, `rulesets/sdks/*.toml`: which third-party SDKs exist,
//! who makes them, what they are for, and the signatures that betray them
//! in an APK (DEX package prefixes, native library names, manifest
//! components, provider authorities, meta-data keys, network domains).
//! The format, its validation and the matching rules are documented for
//! catalogue authors in `docs/sdk-catalogue.md`.
//!
//! Loading validates every entry and compiles all signatures of one kind
//! into one matcher ([`SdkMatcher`]), so matching costs one pass per
//! signal kind whatever the catalogue's size:
//!
//! * class descriptors: one anchored leftmost-longest Aho–Corasick
//!   automaton over every package prefix (`Lcom/umeng/analytics/`), so the
//!   most specific prefix wins;
//! * component packages (`com.x.*`): a second anchored automaton;
//! * native libraries, authorities, version files: exact names in a hash
//!   map, and the few `*` globs tried in turn (an APK has tens of libraries
//!   and authorities, the catalogue tens of globs: cheaper than compiling a
//!   regular-expression set at every start);
//! * meta-data keys and exact component names: hash maps;
//! * hosts: every dot-suffix of a host looked up in one map of domains.
//!
//! ```
//! let catalog = humiao::catalog::Catalog::embedded().unwrap();
//! let m = &catalog.sdk_matcher;
//! let (sdk, _) = m.match_class(b"Lcn/jpush/android/api/JPushInterface;").unwrap();
//! assert_eq!(catalog.sdks[sdk].id, "jiguang-jpush");
//! ```

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{invalid, Catalog, CatalogError, Text};

/// The embedded catalogue as JSON (every `[[sdk]]` of
/// [`EMBEDDED_SDK_FILES`], in order, with `file` added), written by
/// `build.rs`; [`Catalog::embedded`] reads this because JSON parses much
/// faster than TOML.
pub const EMBEDDED_SDKS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/sdks.json"));

/// The embedded catalogue files, `(path, contents)`, sorted by path.
pub const EMBEDDED_SDK_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

/// Purposes an SDK may serve (`category` and `also`).
pub const SDK_CATEGORIES: [&str; 18] = [
    "advertising",
    "ad-mediation",
    "analytics",
    "attribution",
    "ab-testing",
    "push",
    "crash-reporting",
    "social",
    "payment",
    "maps-location",
    "customer-support",
    "anti-fraud",
    "identity",
    "device-id",
    "game",
    "video-live",
    "cloud-im",
    "utility",
];

/// Chinese and English labels of [`SDK_CATEGORIES`] (the zh terms follow
/// the purposes used in 第三方SDK共享清单 tables).
pub fn category_label(id: &str) -> Option<(&'static str, &'static str)> {
    Some(match id {
        "advertising" => ("广告", "advertising"),
        "ad-mediation" => ("广告聚合", "ad mediation"),
        "analytics" => ("统计分析", "analytics"),
        "attribution" => ("归因", "attribution"),
        "ab-testing" => ("A/B 测试", "A/B testing"),
        "push" => ("消息推送", "push notifications"),
        "crash-reporting" => ("崩溃监测", "crash reporting"),
        "social" => ("第三方登录/分享", "social login and share"),
        "payment" => ("支付", "payment"),
        "maps-location" => ("地图/定位", "maps and location"),
        "customer-support" => ("在线客服", "customer support"),
        "anti-fraud" => ("风控/安全验证", "anti-fraud and captcha"),
        "identity" => ("身份认证", "identity verification"),
        "device-id" => ("设备标识", "device identifier"),
        "game" => ("游戏服务/防沉迷", "game services and anti-addiction"),
        "video-live" => ("音视频/直播", "video, RTC and live streaming"),
        "cloud-im" => ("云服务/即时通讯", "cloud and instant messaging"),
        "utility" => ("工具/基础功能", "utility"),
        _ => return None,
    })
}

/// Package roots shared by many products of one company or by everyone:
/// a prefix this short would claim other vendors' (or the platform's) code.
const SHARED_ROOTS: [&str; 28] = [
    "com.google",
    "com.google.android",
    "com.google.android.gms",
    "com.google.firebase",
    "com.android",
    "androidx",
    "com.tencent",
    "com.alibaba",
    "com.alipay",
    "com.taobao",
    "com.baidu",
    "com.huawei",
    "com.huawei.hms",
    "com.xiaomi",
    "com.facebook",
    "com.amazon",
    "com.microsoft",
    "com.samsung",
    "com.qq",
    "com.sina",
    "com.netease",
    "com.bytedance",
    "com.ss.android",
    "cn.com",
    "com.sdk",
    "com.mob",
    "com.example",
    "org.apache",
];

/// Google Play Families self-certified ads SDK programme membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Families {
    /// Whether the SDK is in the programme.
    pub member: bool,
    /// Lowest SDK version that is certified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_version: Option<String>,
    /// Where that is stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A vendor-documented switch that makes an SDK child-directed,
/// non-personalised or consent-gated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildConfig {
    /// Class and method (or setting) as the vendor documents it.
    pub api: String,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    /// Vendor documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What the catalogue says about one SDK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdkInfo {
    /// Stable id (`umeng-analytics`).
    pub id: String,
    /// Product name.
    pub name: Text,
    /// Company.
    pub vendor: Text,
    /// ISO 3166-1 alpha-2 code of the vendor's seat.
    pub country: String,
    /// Main purpose (one of [`SDK_CATEGORIES`]).
    pub category: String,
    /// Further purposes.
    #[serde(default)]
    pub also: Vec<String>,
    /// Product page.
    #[serde(default)]
    pub website: Option<String>,
    /// Java package (or class) prefixes, dotted.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Native library file names, `*` globs.
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// Manifest component class names; `.*` suffix = a package.
    #[serde(default)]
    pub components: Vec<String>,
    /// Provider authorities, `*` globs.
    #[serde(default)]
    pub authorities: Vec<String>,
    /// `<meta-data>` names.
    #[serde(default)]
    pub meta_data: Vec<String>,
    /// Domains (host and subdomains).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Zip entries holding the version, `*` globs.
    #[serde(default)]
    pub version_files: Vec<String>,
    /// Personal-information categories the vendor documents collecting.
    #[serde(default)]
    pub collects: Vec<String>,
    /// Where that is documented.
    #[serde(default)]
    pub collects_source: Option<String>,
    /// Google Play Families programme membership, if known.
    #[serde(default)]
    pub families: Option<Families>,
    /// Child-directed / privacy switches.
    #[serde(default)]
    pub child_config: Vec<ChildConfig>,
    /// Citations.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Whether the signatures were checked against a real artefact.
    #[serde(default)]
    pub verified: bool,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
    /// Catalogue file the entry comes from.
    pub file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSdk {
    id: Spanned<String>,
    name: Text,
    vendor: Text,
    country: Spanned<String>,
    category: Spanned<String>,
    #[serde(default)]
    also: Vec<Spanned<String>>,
    website: Option<String>,
    #[serde(default)]
    packages: Vec<Spanned<String>>,
    #[serde(default)]
    native_libs: Vec<Spanned<String>>,
    #[serde(default)]
    components: Vec<Spanned<String>>,
    #[serde(default)]
    authorities: Vec<Spanned<String>>,
    #[serde(default)]
    meta_data: Vec<Spanned<String>>,
    #[serde(default)]
    domains: Vec<Spanned<String>>,
    #[serde(default)]
    version_files: Vec<Spanned<String>>,
    #[serde(default)]
    collects: Vec<Spanned<String>>,
    collects_source: Option<String>,
    families: Option<Families>,
    #[serde(default)]
    child_config: Vec<ChildConfig>,
    sources: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    verified: bool,
    note: Option<String>,
}

/// Offsets of an entry's signature strings, for error messages.
struct SignatureSpans {
    packages: Vec<usize>,
    native_libs: Vec<usize>,
    components: Vec<usize>,
    authorities: Vec<usize>,
    meta_data: Vec<usize>,
    domains: Vec<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SdkFile {
    #[serde(default)]
    sdk: Vec<Spanned<RawSdk>>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_java_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Why a package prefix is unusable, if it is.
fn package_problem(p: &str) -> Option<String> {
    let segs: Vec<&str> = p.split('.').collect();
    if !segs.iter().all(|s| is_java_ident(s)) {
        return Some(format!("`{p}` is not a dotted Java package or class name"));
    }
    if segs.len() < 2 {
        return Some(format!("package prefix `{p}` needs at least two segments"));
    }
    let generic = SHARED_ROOTS.contains(&p)
        || ["android", "java", "javax", "kotlin", "kotlinx", "dalvik"].contains(&segs[0]);
    if generic {
        return Some(format!(
            "package prefix `{p}` is a shared root that would claim other vendors' or the platform's code"
        ));
    }
    None
}

/// Why a `*` glob is unusable, if it is.
fn glob_problem(g: &str, what: &str) -> Option<String> {
    if g.is_empty() || g.chars().all(|c| c == '*' || c == '.') {
        return Some(format!("{what} pattern `{g}` matches everything"));
    }
    if g.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!("{what} pattern `{g}` contains white space"));
    }
    None
}

fn domain_problem(d: &str) -> Option<String> {
    let labels: Vec<&str> = d.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if !ok {
        return Some(format!(
            "`{d}` is not a lowercase domain name with at least two labels"
        ));
    }
    if psl::suffix_str(d) == Some(d) {
        return Some(format!(
            "`{d}` is a public suffix: it would match every site under it"
        ));
    }
    None
}

/// Exact names and `*` globs of one signal kind, each with its owner
/// (SDK index, index in the entry's list).
#[derive(Debug, Clone, Default)]
struct GlobSet {
    exact: HashMap<String, Vec<(usize, usize)>>,
    globs: Vec<(String, (usize, usize))>,
}

impl GlobSet {
    fn new(patterns: Vec<(String, (usize, usize))>) -> GlobSet {
        let mut set = GlobSet::default();
        for (p, owner) in patterns {
            if p.contains('*') {
                set.globs.push((p, owner));
            } else {
                set.exact.entry(p).or_default().push(owner);
            }
        }
        set
    }

    fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = self.exact.get(text).cloned().unwrap_or_default();
        out.extend(
            self.globs
                .iter()
                .filter(|(g, _)| super::packers::glob(g, text))
                .map(|(_, o)| *o),
        );
        out
    }
}

/// Descriptor prefix of a dotted package or class prefix. A class-looking
/// last segment (starting upper-case) matches the class and its inner
/// classes; otherwise the package and everything under it.
fn descriptor_prefixes(p: &str) -> Vec<String> {
    let slashed = p.replace('.', "/");
    let last = p.rsplit('.').next().unwrap_or(p);
    if last.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        vec![format!("L{slashed};"), format!("L{slashed}$")]
    } else {
        vec![format!("L{slashed}/")]
    }
}

/// All signatures of the catalogue compiled for matching.
#[derive(Debug, Clone, Default)]
pub struct SdkMatcher {
    /// Descriptor prefixes, anchored leftmost-longest.
    classes: Option<AhoCorasick>,
    /// Pattern index → (sdk index, package string index in `SdkInfo::packages`).
    class_owner: Vec<(usize, usize)>,
    libs: GlobSet,
    component_exact: HashMap<String, Vec<(usize, usize)>>,
    /// `.*` component patterns as dotted prefixes (`com.x.`).
    component_pkgs: Option<AhoCorasick>,
    component_pkg_owner: Vec<(usize, usize)>,
    authorities: GlobSet,
    meta: HashMap<String, Vec<(usize, usize)>>,
    domains: HashMap<String, Vec<(usize, usize)>>,
    versions: GlobSet,
}

fn prefix_automaton(prefixes: &[String]) -> Option<AhoCorasick> {
    if prefixes.is_empty() {
        return None;
    }
    // A contiguous NFA builds in a fraction of a DFA's time (this runs at
    // every start) and an anchored search over a class descriptor visits
    // a few dozen states either way.
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Anchored)
        .build(prefixes)
        .ok()
}

impl SdkMatcher {
    /// Compiles the signatures of `sdks`.
    pub fn new(sdks: &[SdkInfo]) -> SdkMatcher {
        let mut m = SdkMatcher::default();
        let mut class_prefixes = Vec::new();
        let mut libs = Vec::new();
        let mut comp_pkgs = Vec::new();
        let mut auths = Vec::new();
        let mut versions = Vec::new();
        for (i, s) in sdks.iter().enumerate() {
            for (j, p) in s.packages.iter().enumerate() {
                for d in descriptor_prefixes(p) {
                    class_prefixes.push(d);
                    m.class_owner.push((i, j));
                }
            }
            for (j, l) in s.native_libs.iter().enumerate() {
                libs.push((l.clone(), (i, j)));
            }
            for (j, c) in s.components.iter().enumerate() {
                match c.strip_suffix(".*") {
                    Some(pkg) => {
                        comp_pkgs.push(format!("{pkg}."));
                        m.component_pkg_owner.push((i, j));
                    }
                    None => m.component_exact.entry(c.clone()).or_default().push((i, j)),
                }
            }
            for (j, a) in s.authorities.iter().enumerate() {
                auths.push((a.clone(), (i, j)));
            }
            for (j, k) in s.meta_data.iter().enumerate() {
                m.meta.entry(k.clone()).or_default().push((i, j));
            }
            for (j, d) in s.domains.iter().enumerate() {
                m.domains.entry(d.clone()).or_default().push((i, j));
            }
            for (j, v) in s.version_files.iter().enumerate() {
                versions.push((v.clone(), (i, j)));
            }
        }
        m.classes = prefix_automaton(&class_prefixes);
        m.component_pkgs = prefix_automaton(&comp_pkgs);
        m.libs = GlobSet::new(libs);
        m.authorities = GlobSet::new(auths);
        m.versions = GlobSet::new(versions);
        m
    }

    /// The SDK owning a class descriptor (`Lcom/x/Y;`): its index and the
    /// index of the matching entry of its `packages`, plus the length of
    /// the matching descriptor prefix (longer = more specific).
    pub fn match_class(&self, descriptor: &[u8]) -> Option<(usize, usize)> {
        self.match_class_len(descriptor).map(|(s, p, _)| (s, p))
    }

    /// Like [`match_class`](Self::match_class), with the prefix length.
    pub fn match_class_len(&self, descriptor: &[u8]) -> Option<(usize, usize, usize)> {
        let ac = self.classes.as_ref()?;
        let m = ac
            .try_find(Input::new(descriptor).anchored(Anchored::Yes))
            .ok()??;
        let (s, p) = *self.class_owner.get(m.pattern().as_usize())?;
        Some((s, p, m.end()))
    }

    /// SDKs whose native-library globs match a file name (`libjcore.so`).
    pub fn match_lib(&self, file_name: &str) -> Vec<(usize, usize)> {
        self.libs.matches(file_name)
    }

    /// SDKs naming a manifest component: by exact name, by a `.*`
    /// component pattern, or by a package prefix (the most specific).
    pub fn match_component(&self, class_name: &str) -> Vec<(usize, ComponentVia, usize)> {
        let mut out: Vec<(usize, ComponentVia, usize)> = self
            .component_exact
            .get(class_name)
            .into_iter()
            .flatten()
            .map(|&(s, j)| (s, ComponentVia::Listed, j))
            .collect();
        if let Some(ac) = &self.component_pkgs {
            if let Ok(Some(m)) = ac.try_find(Input::new(class_name).anchored(Anchored::Yes)) {
                if let Some(&(s, j)) = self.component_pkg_owner.get(m.pattern().as_usize()) {
                    out.push((s, ComponentVia::Listed, j));
                }
            }
        }
        let descriptor = format!("L{};", class_name.replace('.', "/"));
        if let Some((s, j)) = self.match_class(descriptor.as_bytes()) {
            out.push((s, ComponentVia::Package, j));
        }
        out.sort();
        out.dedup_by_key(|(s, _, _)| *s);
        out
    }

    /// SDKs whose authority globs match a provider authority.
    pub fn match_authority(&self, authority: &str) -> Vec<(usize, usize)> {
        self.authorities.matches(authority)
    }

    /// SDKs declaring a meta-data key.
    pub fn match_meta(&self, key: &str) -> &[(usize, usize)] {
        self.meta.get(key).map_or(&[], Vec::as_slice)
    }

    /// SDKs owning a host: the longest listed domain that is the host or a
    /// parent of it.
    pub fn match_host(&self, host: &str) -> &[(usize, usize)] {
        let mut rest = host;
        loop {
            if let Some(v) = self.domains.get(rest) {
                return v;
            }
            match rest.split_once('.') {
                Some((_, tail)) if tail.contains('.') => rest = tail,
                _ => return &[],
            }
        }
    }

    /// SDKs whose version-file globs match a zip entry name.
    pub fn match_version_file(&self, entry: &str) -> Vec<(usize, usize)> {
        self.versions.matches(entry)
    }
}

/// How a component was tied to an SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentVia {
    /// Named in the entry's `components`.
    Listed,
    /// Under one of the entry's `packages`.
    Package,
}

impl Catalog {
    /// Adds one SDK catalogue file. Call [`Catalog::compile_sdks`] once all
    /// files are in. PI categories in `collects` are checked when the
    /// category list is loaded.
    pub fn add_sdks(&mut self, path: &Path, text: &str) -> Result<(), CatalogError> {
        let file: SdkFile = toml::from_str(text).map_err(|e| {
            let off = e.span().map_or(0, |s| s.start);
            invalid(path, text, off, e.message().to_string())
        })?;
        let err = |off: usize, msg: String| invalid(path, text, off, msg);
        let file_name = path.display().to_string();
        for raw in file.sdk {
            let table = raw.span();
            let r = raw.into_inner();
            let id_span = r.id.span();
            let id = r.id.into_inner();
            if !is_id(&id) {
                return Err(err(
                    id_span.start,
                    format!("sdk id `{id}` is not lowercase kebab-case"),
                ));
            }
            if let Some(other) = self.sdks.iter().find(|s| s.id == id) {
                return Err(err(
                    id_span.start,
                    format!("duplicate sdk id `{id}` (also in {})", other.file),
                ));
            }
            let country = r.country.get_ref();
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(err(
                    r.country.span().start,
                    format!("sdk `{id}`: country `{country}` is not an ISO 3166-1 alpha-2 code"),
                ));
            }
            for c in std::iter::once(&r.category).chain(r.also.iter()) {
                if !SDK_CATEGORIES.contains(&c.get_ref().as_str()) {
                    return Err(err(
                        c.span().start,
                        format!(
                            "sdk `{id}`: unknown category `{}` (one of: {})",
                            c.get_ref(),
                            SDK_CATEGORIES.join(", ")
                        ),
                    ));
                }
            }
            let strings = |v: Vec<Spanned<String>>,
                           check: &dyn Fn(&str) -> Option<String>|
             -> Result<Vec<String>, CatalogError> {
                let mut out: Vec<String> = Vec::new();
                for s in v {
                    let span = s.span();
                    let s = s.into_inner();
                    if let Some(p) = check(&s) {
                        return Err(err(span.start, format!("sdk `{id}`: {p}")));
                    }
                    if out.contains(&s) {
                        return Err(err(
                            span.start,
                            format!("sdk `{id}`: `{s}` is listed twice"),
                        ));
                    }
                    out.push(s);
                }
                Ok(out)
            };
            let r_spans = SignatureSpans {
                packages: r.packages.iter().map(|s| s.span().start).collect(),
                native_libs: r.native_libs.iter().map(|s| s.span().start).collect(),
                components: r.components.iter().map(|s| s.span().start).collect(),
                authorities: r.authorities.iter().map(|s| s.span().start).collect(),
                meta_data: r.meta_data.iter().map(|s| s.span().start).collect(),
                domains: r.domains.iter().map(|s| s.span().start).collect(),
            };
            let packages = strings(r.packages, &package_problem)?;
            let native_libs = strings(r.native_libs, &|g| {
                glob_problem(g, "native library").or_else(|| {
                    g.contains('/')
                        .then(|| format!("native library `{g}` must be a file name, without `/`"))
                })
            })?;
            let components = strings(r.components, &|c| {
                let body = c.strip_suffix(".*").unwrap_or(c);
                (!body.split('.').all(is_java_ident) || !body.contains('.'))
                    .then(|| format!("component `{c}` is not a fully qualified class name"))
            })?;
            let authorities = strings(r.authorities, &|a| glob_problem(a, "authority"))?;
            let meta_data = strings(r.meta_data, &|k| {
                (k.is_empty() || k.chars().any(char::is_whitespace))
                    .then(|| format!("meta-data key `{k}` is empty or has white space"))
            })?;
            let domains = strings(r.domains, &domain_problem)?;
            let version_files = strings(r.version_files, &|g| glob_problem(g, "version file"))?;
            let collects = strings(r.collects, &|c| {
                (!self.categories.is_empty() && !self.categories.contains_key(c)).then(|| {
                    format!("unknown personal-information category `{c}` (see rulesets/apis.toml)")
                })
            })?;
            if packages.is_empty()
                && native_libs.is_empty()
                && components.is_empty()
                && authorities.is_empty()
                && meta_data.is_empty()
                && domains.is_empty()
            {
                return Err(err(
                    table.start,
                    format!("sdk `{id}` has no signature (packages, native_libs, components, authorities, meta_data or domains)"),
                ));
            }
            if !collects.is_empty() && r.collects_source.is_none() {
                return Err(err(
                    table.start,
                    format!("sdk `{id}`: `collects` needs `collects_source`"),
                ));
            }
            // No two entries may claim the same signature: a class or host
            // would belong to whichever was loaded first.
            let claims = [
                ("package", &packages, &r_spans.packages),
                ("native library", &native_libs, &r_spans.native_libs),
                ("component", &components, &r_spans.components),
                ("authority", &authorities, &r_spans.authorities),
                ("meta-data key", &meta_data, &r_spans.meta_data),
                ("domain", &domains, &r_spans.domains),
            ];
            for (kind, values, spans) in claims {
                for (v, off) in values.iter().zip(spans.iter()) {
                    let key = (kind, v.clone());
                    if let Some(other) = self.sdk_claims.get(&key) {
                        return Err(err(
                            *off,
                            format!("sdk `{id}`: {kind} `{v}` is already claimed by sdk `{other}`"),
                        ));
                    }
                }
            }
            for (kind, values, _) in claims {
                for v in values {
                    self.sdk_claims.insert((kind, v.clone()), id.clone());
                }
            }
            let sources_span = r.sources.span();
            let sources = strings(r.sources.into_inner(), &|u| {
                (!(u.starts_with("https://") || u.starts_with("http://")))
                    .then(|| format!("source `{u}` is not an http(s) URL"))
            })?;
            if sources.is_empty() {
                return Err(err(
                    sources_span.start,
                    format!("sdk `{id}` cites no source"),
                ));
            }
            self.sdks.push(SdkInfo {
                id,
                name: r.name,
                vendor: r.vendor,
                country: r.country.into_inner(),
                category: r.category.into_inner(),
                also: r.also.into_iter().map(Spanned::into_inner).collect(),
                website: r.website,
                packages,
                native_libs,
                components,
                authorities,
                meta_data,
                domains,
                version_files,
                collects,
                collects_source: r.collects_source,
                families: r.families,
                child_config: r.child_config,
                sources,
                verified: r.verified,
                note: r.note,
                file: file_name.clone(),
            });
        }
        Ok(())
    }

    /// Adds the embedded SDK catalogue from its JSON form (validated by
    /// the tests against the TOML files it comes from).
    pub(crate) fn add_embedded_sdks(&mut self) -> Result<(), CatalogError> {
        let sdks: Vec<SdkInfo> = super::embedded_json(EMBEDDED_SDKS_JSON, "rulesets/sdks")?;
        self.sdks.extend(sdks);
        Ok(())
    }

    /// Compiles the loaded SDK signatures into [`Catalog::sdk_matcher`].
    pub fn compile_sdks(&mut self) {
        self.sdk_matcher = SdkMatcher::new(&self.sdks);
    }

    /// Catalogue entry of an SDK by id.
    pub fn sdk(&self, id: &str) -> Option<&SdkInfo> {
        self.sdks.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Catalog, String> {
        let mut c = Catalog::default();
        c.add_apis(Path::new("rulesets/apis.toml"), super::super::EMBEDDED_APIS)
            .map_err(|e| e.to_string())?;
        c.add_sdks(Path::new("s.toml"), text)
            .map_err(|e| e.to_string())?;
        c.compile_sdks();
        Ok(c)
    }

    const BASE: &str = r#"
[[sdk]]
id = "ads"
name = { zh = "广告", en = "Ads" }
vendor = { zh = "厂商", en = "Vendor" }
country = "CN"
category = "advertising"
packages = ["com.vendor.ads"]
native_libs = ["libvads*.so"]
components = ["com.vendor.ads.AdActivity", "com.other.push.*"]
authorities = ["*.vendor.ads.provider"]
meta_data = ["VENDOR_APPKEY"]
domains = ["ads.vendor.cn"]
version_files = ["META-INF/com.vendor_ads.version"]
collects = ["device-id"]
collects_source = "https://vendor.cn/privacy"
sources = ["https://vendor.cn/docs"]

[[sdk]]
id = "ads-id"
name = { zh = "广告标识", en = "Ad ID" }
vendor = { zh = "厂商", en = "Vendor" }
country = "US"
category = "device-id"
packages = ["com.vendor.ads.identifier", "com.vendor.Tool"]
domains = ["vendor.cn"]
sources = ["https://vendor.cn/id"]
"#;

    #[test]
    fn matches_each_kind() {
        let c = load(BASE).unwrap();
        let m = &c.sdk_matcher;
        let id = |i: usize| c.sdks[i].id.as_str();
        assert_eq!(
            m.match_class(b"Lcom/vendor/ads/A;").map(|x| id(x.0)),
            Some("ads")
        );
        assert_eq!(
            m.match_class(b"Lcom/vendor/ads/x/y/A;").map(|x| id(x.0)),
            Some("ads")
        );
        // Most specific prefix wins; whole segments only.
        assert_eq!(
            m.match_class(b"Lcom/vendor/ads/identifier/Client;")
                .map(|x| id(x.0)),
            Some("ads-id")
        );
        assert_eq!(m.match_class(b"Lcom/vendor/adsx/A;"), None);
        assert_eq!(m.match_class(b"Lcom/vendor/A;"), None);
        // A class prefix: the class and its inner classes, not siblings.
        assert_eq!(
            m.match_class(b"Lcom/vendor/Tool;").map(|x| id(x.0)),
            Some("ads-id")
        );
        assert_eq!(
            m.match_class(b"Lcom/vendor/Tool$1;").map(|x| id(x.0)),
            Some("ads-id")
        );
        assert_eq!(m.match_class(b"Lcom/vendor/Toolbox;"), None);
        assert_eq!(m.match_lib("libvads.so").len(), 1);
        assert_eq!(m.match_lib("libvads_v2.so").len(), 1);
        assert!(m.match_lib("libvads.so.1").is_empty());
        let comps = m.match_component("com.other.push.Service");
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].1, ComponentVia::Listed);
        let comps = m.match_component("com.vendor.ads.AdActivity");
        assert_eq!(comps, vec![(0, ComponentVia::Listed, 0)]);
        let comps = m.match_component("com.vendor.ads.Other");
        assert_eq!(comps, vec![(0, ComponentVia::Package, 0)]);
        assert_eq!(m.match_authority("com.app.vendor.ads.provider").len(), 1);
        assert!(m.match_authority("vendor.ads.provider.x").is_empty());
        assert_eq!(m.match_meta("VENDOR_APPKEY").len(), 1);
        assert!(m.match_meta("vendor_appkey").is_empty());
        // Longest domain wins; parents match subdomains only at dots.
        assert_eq!(
            m.match_host("x.ads.vendor.cn").first().map(|x| id(x.0)),
            Some("ads")
        );
        assert_eq!(
            m.match_host("api.vendor.cn").first().map(|x| id(x.0)),
            Some("ads-id")
        );
        assert!(m.match_host("notvendor.cn").is_empty());
        assert!(m.match_host("cn").is_empty());
        assert_eq!(
            m.match_version_file("META-INF/com.vendor_ads.version")
                .len(),
            1
        );
    }

    #[test]
    fn validation_names_line_and_column() {
        let cases = [
            (
                "id = \"ads\"",
                "id = \"Ads\"",
                "s.toml:3:6: sdk id `Ads` is not lowercase",
            ),
            (
                "country = \"CN\"",
                "country = \"China\"",
                "s.toml:6:11: sdk `ads`: country `China`",
            ),
            (
                "category = \"advertising\"",
                "category = \"ads\"",
                "s.toml:7:12: sdk `ads`: unknown category `ads`",
            ),
            (
                "[\"com.vendor.ads\"]",
                "[\"com.tencent\"]",
                "s.toml:8:13: sdk `ads`: package prefix `com.tencent` is a shared root",
            ),
            (
                "[\"com.vendor.ads\"]",
                "[\"vendor\"]",
                "needs at least two segments",
            ),
            (
                "[\"com.vendor.ads\"]",
                "[\"com.vendor-x.ads\"]",
                "not a dotted Java package",
            ),
            (
                "[\"libvads*.so\"]",
                "[\"lib/arm64/libvads.so\"]",
                "must be a file name",
            ),
            ("[\"libvads*.so\"]", "[\"*\"]", "matches everything"),
            (
                "[\"ads.vendor.cn\"]",
                "[\"com.cn\"]",
                "s.toml:13:12: sdk `ads`: `com.cn` is a public suffix",
            ),
            (
                "[\"ads.vendor.cn\"]",
                "[\"Ads.Vendor.cn\"]",
                "not a lowercase domain",
            ),
            (
                "collects = [\"device-id\"]",
                "collects = [\"imei\"]",
                "s.toml:15:13: sdk `ads`: unknown personal-information category `imei`",
            ),
            (
                "collects_source = \"https://vendor.cn/privacy\"",
                "",
                "`collects` needs `collects_source`",
            ),
            (
                "sources = [\"https://vendor.cn/docs\"]",
                "sources = []",
                "cites no source",
            ),
            (
                "sources = [\"https://vendor.cn/docs\"]",
                "sources = [\"vendor docs\"]",
                "is not an http(s) URL",
            ),
            (
                "meta_data = [\"VENDOR_APPKEY\"]",
                "meta_data = [\"VENDOR_APPKEY\"]\ncolour = 1",
                "s.toml:13:1: unknown field `colour`",
            ),
            (
                "id = \"ads-id\"",
                "id = \"ads\"",
                "s.toml:20:6: duplicate sdk id `ads` (also in s.toml)",
            ),
            (
                "domains = [\"vendor.cn\"]",
                "domains = [\"ads.vendor.cn\"]",
                "s.toml:26:12: sdk `ads-id`: domain `ads.vendor.cn` is already claimed by sdk `ads`",
            ),
            (
                "[\"com.vendor.ads\"]",
                "[\"com.vendor.ads\", \"com.vendor.ads\"]",
                "listed twice",
            ),
        ];
        for (from, to, want) in cases {
            assert!(BASE.contains(from), "{from}");
            let e = load(&BASE.replacen(from, to, 1)).err().unwrap_or_default();
            assert!(e.contains(want), "{from} → {to}: got `{e}`, want `{want}`");
        }
        let e = load("[[sdk]]\nid = \"x\"\nname = { zh = \"a\", en = \"b\" }\nvendor = { zh = \"a\", en = \"b\" }\ncountry = \"CN\"\ncategory = \"push\"\nsources = [\"https://x.cn\"]\n")
            .unwrap_err();
        assert!(e.starts_with("s.toml:1:1: sdk `x` has no signature"), "{e}");
    }

    /// The fast embedded form says exactly what the validating TOML
    /// loader says (and so every embedded file is valid).
    #[test]
    fn embedded_json_equals_validated_toml() {
        let mut from_toml = Catalog::default();
        from_toml
            .add_apis(Path::new("rulesets/apis.toml"), super::super::EMBEDDED_APIS)
            .unwrap();
        for (path, text) in EMBEDDED_SDK_FILES {
            if let Err(e) = from_toml.add_sdks(Path::new(path), text) {
                panic!("{e}");
            }
        }
        let embedded = Catalog::embedded().unwrap();
        assert_eq!(embedded.sdks.len(), from_toml.sdks.len());
        for (a, b) in embedded.sdks.iter().zip(&from_toml.sdks) {
            assert_eq!(a, b, "{}", b.id);
        }
    }

    #[test]
    fn every_category_has_labels() {
        for c in SDK_CATEGORIES {
            assert!(category_label(c).is_some(), "{c}");
        }
        assert_eq!(category_label("nope"), None);
    }

    #[test]
    fn embedded_catalogue_meets_its_goals() {
        let c = Catalog::embedded().unwrap();
        // Issue 4's size goals: at least 250 SDKs, 100 of them Chinese.
        assert!(c.sdks.len() >= 250, "{} SDKs", c.sdks.len());
        let cn = c.sdks.iter().filter(|s| s.country == "CN").count();
        assert!(cn >= 100, "{cn} Chinese SDKs");
        for s in &c.sdks {
            assert!(!s.sources.is_empty(), "{}", s.id);
            assert!(
                s.collects.is_empty() || s.collects_source.is_some(),
                "{}",
                s.id
            );
        }
        // Every embedded file is present in the repository and vice versa.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets/sdks");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| format!("rulesets/sdks/{}", e.unwrap().file_name().to_string_lossy()))
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = EMBEDDED_SDK_FILES
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(on_disk, embedded);
    }
}
