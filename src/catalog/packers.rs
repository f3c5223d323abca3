//! The packer (加固) catalogue, `rulesets/packers.toml`: which file names,
//! asset paths, DEX classes and `<application>` names betray a packer or
//! protector, each fact with the public source it comes from.
//!
//! A match means the app's real code is probably hidden from a static scan,
//! so findings may be incomplete; it is not a finding by itself.
//!
//! ```
//! let catalog = humiao::catalog::Catalog::embedded().unwrap();
//! let hits = catalog.match_packers(
//!     &["lib/arm64-v8a/libjiagu_a64.so"],
//!     &[],
//!     ["Lcom/stub/StubApp;"].into_iter(),
//!     Some("com.stub.StubApp"),
//! );
//! assert_eq!(hits[0].id, "qihoo360-jiagu");
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{invalid, Catalog, CatalogError, Text};

/// The embedded packer catalogue.
pub const EMBEDDED_PACKERS: &str = include_str!("../../rulesets/packers.toml");

/// How sure the catalogue is that a signal means this packer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Conflicting or unconfirmed attribution, or a name too generic to
    /// stand alone.
    Low,
    /// Named by one community detection list only.
    Medium,
    /// Named by a maintained detection rule set or a technical write-up.
    #[default]
    High,
}

impl Confidence {
    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One fact that betrays a packer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// Name or path; `*` matches any run of characters.
    pub pattern: String,
    /// How sure the attribution is.
    pub confidence: Confidence,
    /// Ids of the [`Source`]s that state this fact.
    pub cite: Vec<String>,
    /// Caveats for a human reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A public write-up or rule set the catalogue relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Id used by [`Signal::cite`], unique within the packer.
    pub id: String,
    /// Where to read it (pinned to a commit where possible).
    pub url: String,
    /// What exactly it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the catalogue says about one packer or protector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackerInfo {
    /// Stable kebab-case id, e.g. `qihoo360-jiagu`.
    pub id: String,
    /// Product name.
    pub name: Text,
    /// Company behind it.
    pub vendor: String,
    /// Product page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// File names of `lib/<abi>/*.so` entries.
    pub native_libs: Vec<Signal>,
    /// APK entry paths; a pattern ending in `/` matches a whole folder.
    pub assets: Vec<Signal>,
    /// DEX classes or package/class prefixes, dotted.
    pub classes: Vec<Signal>,
    /// `android:name` values of `<application>` set by the stub.
    pub application_names: Vec<Signal>,
    /// Where the facts come from.
    pub sources: Vec<Source>,
}

/// A packer found in an APK, with the facts that point at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackerMatch {
    /// [`PackerInfo::id`].
    pub id: String,
    /// [`PackerInfo::name`].
    pub name: Text,
    /// The highest confidence among the matching signals.
    pub confidence: Confidence,
    /// One line per matching fact, e.g. ``native library `lib/arm64-v8a/libjiagu.so` (pattern `libjiagu*.so`)``.
    pub evidence: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    pattern: toml::Spanned<String>,
    #[serde(default)]
    confidence: Confidence,
    cite: Vec<toml::Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPacker {
    id: toml::Spanned<String>,
    name: Text,
    vendor: String,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    native_libs: Vec<RawSignal>,
    #[serde(default)]
    assets: Vec<RawSignal>,
    #[serde(default)]
    classes: Vec<RawSignal>,
    #[serde(default)]
    application_names: Vec<RawSignal>,
    sources: Vec<toml::Spanned<Source>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackerFile {
    packer: Vec<toml::Spanned<RawPacker>>,
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Catalog {
    /// Adds the packers of one `packers.toml`, checking as it goes: unknown
    /// keys, duplicate ids, malformed patterns, citations of unknown
    /// sources and sources nobody cites are errors with file:line:col.
    pub fn add_packers(&mut self, path: &Path, text: &str) -> Result<(), CatalogError> {
        let file: PackerFile = toml::from_str(text).map_err(|e| {
            let off = e.span().map_or(0, |s| s.start);
            invalid(path, text, off, e.message().to_string())
        })?;
        let err = |off: usize, msg: String| invalid(path, text, off, msg);
        for p in file.packer {
            let table = p.span();
            let p = p.into_inner();
            let id_span = p.id.span();
            let id = p.id.into_inner();
            if !is_kebab(&id) {
                return Err(err(
                    id_span.start,
                    format!("packer id `{id}` is not kebab-case"),
                ));
            }
            if self.packers.iter().any(|q| q.id == id) {
                return Err(err(id_span.start, format!("duplicate packer `{id}`")));
            }
            let mut sources = Vec::new();
            for s in p.sources {
                let span = s.span();
                let s = s.into_inner();
                if sources.iter().any(|t: &Source| t.id == s.id) {
                    return Err(err(
                        span.start,
                        format!("duplicate source `{}` in packer `{id}`", s.id),
                    ));
                }
                if !(s.url.starts_with("https://") || s.url.starts_with("http://")) {
                    return Err(err(
                        span.start,
                        format!("source `{}` needs an http(s) url", s.id),
                    ));
                }
                sources.push(s);
            }
            if sources.is_empty() {
                return Err(err(table.start, format!("packer `{id}` cites no source")));
            }
            let mut cited = BTreeSet::new();
            let mut convert = |raw: Vec<RawSignal>,
                               kind: &str|
             -> Result<Vec<Signal>, CatalogError> {
                let mut out = Vec::with_capacity(raw.len());
                for r in raw {
                    let pspan = r.pattern.span();
                    let pattern = r.pattern.into_inner();
                    if pattern.is_empty()
                        || pattern.chars().any(char::is_whitespace)
                        || pattern == "*"
                    {
                        return Err(err(
                            pspan.start,
                            format!("{kind} pattern `{pattern}` is empty, `*` or has spaces"),
                        ));
                    }
                    if r.cite.is_empty() {
                        return Err(err(
                            pspan.start,
                            format!("{kind} pattern `{pattern}` cites no source"),
                        ));
                    }
                    let mut cite = Vec::with_capacity(r.cite.len());
                    for c in r.cite {
                        let cspan = c.span();
                        let c = c.into_inner();
                        if !sources.iter().any(|s| s.id == c) {
                            let known: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
                            return Err(err(
                                cspan.start,
                                format!(
                                    "unknown source `{c}` (packer `{id}` has: {})",
                                    known.join(", ")
                                ),
                            ));
                        }
                        cited.insert(c.clone());
                        cite.push(c);
                    }
                    out.push(Signal {
                        pattern,
                        confidence: r.confidence,
                        cite,
                        note: r.note,
                    });
                }
                Ok(out)
            };
            let native_libs = convert(p.native_libs, "native_libs")?;
            let assets = convert(p.assets, "assets")?;
            let classes = convert(p.classes, "classes")?;
            let application_names = convert(p.application_names, "application_names")?;
            if native_libs.is_empty()
                && assets.is_empty()
                && classes.is_empty()
                && application_names.is_empty()
            {
                return Err(err(table.start, format!("packer `{id}` has no signal")));
            }
            if let Some(unused) = sources.iter().find(|s| !cited.contains(&s.id)) {
                return Err(err(
                    table.start,
                    format!(
                        "source `{}` of packer `{id}` is cited by no signal",
                        unused.id
                    ),
                ));
            }
            self.packers.push(PackerInfo {
                id,
                name: p.name,
                vendor: p.vendor,
                website: p.website,
                native_libs,
                assets,
                classes,
                application_names,
                sources,
            });
        }
        Ok(())
    }

    /// Catalogue entry for a packer.
    pub fn packer(&self, id: &str) -> Option<&PackerInfo> {
        self.packers.iter().find(|p| p.id == id)
    }

    /// Which packers the APK's contents point at, in catalogue order.
    ///
    /// * `lib_names`: `lib/<abi>/x.so` entry paths or bare file names;
    ///   only the file name is compared.
    /// * `asset_paths`: entry paths (at least those under `assets/`; passing
    ///   every entry name lets patterns outside `assets/` match too).
    /// * `class_descriptors`: DEX type descriptors (`Lcom/stub/StubApp;`) or
    ///   dotted class names.
    /// * `application_name`: `android:name` of `<application>`, resolved to
    ///   a full class name.
    pub fn match_packers<'c>(
        &self,
        lib_names: &[&str],
        asset_paths: &[&str],
        class_descriptors: impl Iterator<Item = &'c str>,
        application_name: Option<&str>,
    ) -> Vec<PackerMatch> {
        // Classes come as one pass over a possibly huge iterator: count hits
        // per (packer, signal) and keep a few examples.
        const EXAMPLES: usize = 3;
        let mut class_hits: Vec<Vec<(usize, Vec<String>)>> = self
            .packers
            .iter()
            .map(|p| vec![(0, Vec::new()); p.classes.len()])
            .collect();
        for raw in class_descriptors {
            let dotted = descriptor_to_dotted(raw);
            for (p, hits) in self.packers.iter().zip(class_hits.iter_mut()) {
                for (s, hit) in p.classes.iter().zip(hits.iter_mut()) {
                    if class_matches(&s.pattern, &dotted) {
                        hit.0 += 1;
                        if hit.1.len() < EXAMPLES {
                            hit.1.push(dotted.clone());
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (p, class_hits) in self.packers.iter().zip(class_hits) {
            let mut evidence = Vec::new();
            let mut best: Option<Confidence> = None;
            let mut hit = |s: &Signal, line: String, evidence: &mut Vec<String>| {
                let c = if s.confidence == Confidence::High {
                    line
                } else {
                    format!("{line} [confidence {}]", s.confidence.as_str())
                };
                evidence.push(c);
                best = Some(best.map_or(s.confidence, |b| b.max(s.confidence)));
            };
            for s in &p.native_libs {
                for lib in lib_names {
                    let file = lib.rsplit('/').next().unwrap_or(lib);
                    if glob(&s.pattern, file) {
                        hit(
                            s,
                            format!("native library `{lib}` (pattern `{}`)", s.pattern),
                            &mut evidence,
                        );
                    }
                }
            }
            for s in &p.assets {
                for a in asset_paths {
                    let m = match s.pattern.strip_suffix('/') {
                        Some(dir) => a.len() > dir.len() + 1 && glob(&format!("{dir}/*"), a),
                        None => glob(&s.pattern, a),
                    };
                    if m {
                        hit(
                            s,
                            format!("entry `{a}` (pattern `{}`)", s.pattern),
                            &mut evidence,
                        );
                    }
                }
            }
            for (s, (count, examples)) in p.classes.iter().zip(class_hits) {
                if count > 0 {
                    let more = if count > examples.len() {
                        format!(" and {} more", count - examples.len())
                    } else {
                        String::new()
                    };
                    let list: Vec<String> = examples.iter().map(|e| format!("`{e}`")).collect();
                    hit(
                        s,
                        format!("class {}{more} (pattern `{}`)", list.join(", "), s.pattern),
                        &mut evidence,
                    );
                }
            }
            if let Some(app) = application_name {
                for s in &p.application_names {
                    if glob(&s.pattern, app) {
                        hit(
                            s,
                            format!(
                                "<application android:name=\"{app}\"> (pattern `{}`)",
                                s.pattern
                            ),
                            &mut evidence,
                        );
                    }
                }
            }
            if let Some(confidence) = best {
                out.push(PackerMatch {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    confidence,
                    evidence,
                });
            }
        }
        out
    }
}

/// `Lcom/x/Y;` → `com.x.Y`; a dotted name is returned as is.
fn descriptor_to_dotted(s: &str) -> String {
    match s.strip_prefix('L').and_then(|b| b.strip_suffix(';')) {
        Some(body) => body.replace('/', "."),
        None => s.to_string(),
    }
}

/// A class pattern matches the class itself and everything under it
/// (`a.b` matches `a.b`, `a.b.C`, `a.b$1`).
fn class_matches(pattern: &str, class: &str) -> bool {
    if pattern.contains('*') {
        return glob(pattern, class);
    }
    match class.strip_prefix(pattern) {
        Some("") => true,
        Some(rest) => rest.starts_with('.') || rest.starts_with('$'),
        None => false,
    }
}

/// Glob with `*` as the only special character (any run, possibly empty).
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = parts.collect();
    let Some(last) = parts.pop() else {
        return rest.is_empty();
    };
    for p in parts {
        match rest.find(p) {
            Some(i) => rest = rest.get(i + p.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::embedded().unwrap()
    }

    #[test]
    fn embedded_loads() {
        let c = catalog();
        assert!(c.packers.len() >= 20, "{}", c.packers.len());
        for id in [
            "qihoo360-jiagu",
            "tencent-legu",
            "bangcle",
            "ijiami",
            "baidu",
            "alibaba-jaq",
            "netease-yidun",
            "naga",
            "tongfudun",
            "kiwisec",
            "dingxiang",
            "dexprotector",
            "apkprotect",
            "promon-shield",
        ] {
            assert!(c.packer(id).is_some(), "{id}");
        }
        // Every signal cites a source the packer lists (checked at load) and
        // every URL is pinned or a write-up.
        for p in &c.packers {
            for s in &p.sources {
                assert!(
                    s.url.starts_with("https://") || s.url.starts_with("http://"),
                    "{}",
                    s.url
                );
            }
        }
    }

    #[test]
    fn load_dir_reads_the_same_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets");
        assert_eq!(Catalog::load_dir(&dir).unwrap().packers, catalog().packers);
    }

    #[test]
    fn globs() {
        assert!(glob("libjiagu*.so", "libjiagu.so"));
        assert!(glob("libjiagu*.so", "libjiagu_a64.so"));
        assert!(!glob("libjiagu*.so", "libjiagu.so.bak"));
        assert!(!glob("libjiagu*.so", "xlibjiagu.so"));
        assert!(glob("assets/csn*.data*", "assets/csn0.data1"));
        assert!(glob("*/mix.dex", "lib/armeabi/mix.dex"));
        assert!(!glob("*/mix.dex", "mix.dex"));
        assert!(glob("a*b*c", "abc") && glob("a*b*c", "axxbyyc") && !glob("a*b*c", "acb"));
        // Overlapping prefix and suffix must not both use the same bytes.
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("exact", "exact") && !glob("exact", "exactly"));
    }

    #[test]
    fn matches_jiagu_by_every_kind_of_signal() {
        let c = catalog();
        let hits = c.match_packers(
            &["lib/arm64-v8a/libjiagu_a64.so", "lib/arm64-v8a/libfoo.so"],
            &["assets/readme.txt"],
            [
                "Lcom/stub/StubApp;",
                "Lcom/stub/StubApp$1;",
                "Lcom/stubby/X;",
                "Lcom/example/Main;",
            ]
            .into_iter(),
            Some("com.stub.StubApp"),
        );
        assert_eq!(hits.len(), 1, "{hits:#?}");
        let h = &hits[0];
        assert_eq!(h.id, "qihoo360-jiagu");
        assert_eq!(h.name.zh, "360 加固保");
        assert_eq!(h.confidence, Confidence::High);
        assert_eq!(
            h.evidence,
            [
                "native library `lib/arm64-v8a/libjiagu_a64.so` (pattern `libjiagu*.so`)",
                "class `com.stub.StubApp`, `com.stub.StubApp$1` (pattern `com.stub.StubApp`) [confidence medium]",
                "<application android:name=\"com.stub.StubApp\"> (pattern `com.stub.StubApp`) [confidence medium]",
            ]
        );
    }

    #[test]
    fn matches_assets_folders_and_several_packers() {
        let c = catalog();
        let hits = c.match_packers(
            &["libshella-2.10.3.1.so", "lib/x86/libnesec.so"],
            &[
                "assets/ijm_lib/armeabi/libexec.so",
                "assets/ijm_lib",
                "assets/tosversion",
            ],
            std::iter::empty(),
            None,
        );
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["tencent-legu", "ijiami", "netease-yidun"]);
        // A folder pattern needs something inside the folder.
        assert_eq!(
            hits[1].evidence,
            ["entry `assets/ijm_lib/armeabi/libexec.so` (pattern `assets/ijm_lib/`)"]
        );
        assert_eq!(hits[0].evidence.len(), 2);
    }

    #[test]
    fn low_confidence_only_match_says_so() {
        let c = catalog();
        let hits = c.match_packers(
            &["lib/arm64-v8a/libshield.so"],
            &[],
            std::iter::empty(),
            None,
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "promon-shield");
        assert_eq!(hits[0].confidence, Confidence::Low);
        assert!(
            hits[0].evidence[0].ends_with("[confidence low]"),
            "{:?}",
            hits[0].evidence
        );
    }

    #[test]
    fn class_examples_are_capped() {
        let c = catalog();
        let classes: Vec<String> = (0..10)
            .map(|i| format!("Lcom/secneo/apkwrapper/C{i};"))
            .collect();
        let hits = c.match_packers(&[], &[], classes.iter().map(String::as_str), None);
        assert_eq!(hits[0].id, "bangcle");
        assert_eq!(
            hits[0].evidence,
            [
                "class `com.secneo.apkwrapper.C0`, `com.secneo.apkwrapper.C1`, `com.secneo.apkwrapper.C2` and 7 more (pattern `com.secneo.apkwrapper`)"
            ]
        );
    }

    #[test]
    fn nothing_matches_a_plain_app() {
        let c = catalog();
        let hits = c.match_packers(
            &["lib/arm64-v8a/libflutter.so", "lib/arm64-v8a/libapp.so"],
            &["assets/flutter_assets/AssetManifest.json"],
            [
                "Lcom/example/MainActivity;",
                "Lio/flutter/app/FlutterApplication;",
            ]
            .into_iter(),
            Some("io.flutter.app.FlutterApplication"),
        );
        assert!(hits.is_empty(), "{hits:#?}");
    }

    const ONE: &str = r#"
[[packer]]
id = "x-pack"
name = { zh = "某", en = "X" }
vendor = "X Inc."
native_libs = [{ pattern = "libx.so", cite = ["a"] }]
sources = [{ id = "a", url = "https://example.test/a" }]
"#;

    fn load(text: &str) -> Result<Catalog, String> {
        let mut c = Catalog::default();
        c.add_packers(Path::new("p.toml"), text)
            .map(|_| c)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_minimal_file_loads() {
        let c = load(ONE).unwrap();
        assert_eq!(c.packers[0].native_libs[0].confidence, Confidence::High);
        assert_eq!(c.packers[0].native_libs[0].cite, ["a"]);
    }

    #[test]
    fn duplicate_ids_name_line_and_column() {
        let e = load(&format!("{ONE}{ONE}")).unwrap_err();
        // The second table's `id` is on line 10 (ONE has 7 lines, starting
        // with an empty one).
        assert_eq!(e, "p.toml:10:6: duplicate packer `x-pack`");
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let e = load(&ONE.replace("vendor = ", "colour = \"red\"\nvendor = ")).unwrap_err();
        assert!(e.starts_with("p.toml:") && e.contains("colour"), "{e}");
        let e = load(&ONE.replace("cite = [\"a\"]", "cite = [\"a\"], weight = 3")).unwrap_err();
        assert!(e.starts_with("p.toml:6:") && e.contains("weight"), "{e}");
        let e = load(&ONE.replace("url = ", "title = \"t\", url = ")).unwrap_err();
        assert!(e.starts_with("p.toml:7:") && e.contains("title"), "{e}");
        let e = load(&ONE.replace("cite = [\"a\"]", "cite = [\"a\"], confidence = \"certain\""))
            .unwrap_err();
        assert!(e.starts_with("p.toml:6:") && e.contains("certain"), "{e}");
    }

    #[test]
    fn validation_errors() {
        let e = load(&ONE.replace("cite = [\"a\"]", "cite = [\"b\"]")).unwrap_err();
        assert!(
            e.starts_with("p.toml:6:") && e.contains("unknown source `b` (packer `x-pack` has: a)"),
            "{e}"
        );
        let e = load(&ONE.replace("x-pack", "X_Pack")).unwrap_err();
        assert_eq!(e, "p.toml:3:6: packer id `X_Pack` is not kebab-case");
        let e = load(&ONE.replace("\"libx.so\"", "\"*\"")).unwrap_err();
        assert!(e.contains("pattern `*` is empty, `*` or has spaces"), "{e}");
        let e = load(&ONE.replace("https://example.test/a", "example.test/a")).unwrap_err();
        assert!(e.contains("needs an http(s) url"), "{e}");
        let e = load(&ONE.replace("cite = [\"a\"]", "cite = []")).unwrap_err();
        assert!(e.contains("cites no source"), "{e}");
        let unused = ONE.replace(
            "sources = [",
            "sources = [{ id = \"b\", url = \"https://example.test/b\" }, ",
        );
        assert!(load(&unused)
            .unwrap_err()
            .contains("source `b` of packer `x-pack` is cited by no signal"));
        let dup_src = ONE.replace(
            "sources = [",
            "sources = [{ id = \"a\", url = \"https://example.test/b\" }, ",
        );
        assert!(load(&dup_src).unwrap_err().contains("duplicate source `a`"));
        let no_signal = ONE.replace(
            "native_libs = [{ pattern = \"libx.so\", cite = [\"a\"] }]\n",
            "",
        );
        assert!(load(&no_signal).unwrap_err().contains("has no signal"));
    }
}
