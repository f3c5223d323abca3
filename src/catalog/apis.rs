//! The sensitive-API catalogue (`rulesets/apis.toml`): which framework
//! methods, fields and marker strings reveal that an app reads a kind of
//! personal information, uses a risky capability, or configures an SDK's
//! privacy switches; and the list of categories those entries use.
//!
//! This module owns the data and a lookup index. It does not read DEX: the
//! DEX stage asks [`ApiIndex`] about each `invoke-*` target, `sget`/`iget`
//! field and `const-string` it sees, and records the answers as evidence.
//!
//! # File format
//!
//! Two arrays of tables. Unknown keys are errors, as are duplicate ids,
//! malformed descriptors and unknown categories; every error names the
//! file, line and column.
//!
//! ```toml
//! [[category]]
//! id = "device-id"                    # kebab-case, unique
//! kind = "pi"                         # pi | capability | config
//! label = { zh = "设备标识符", en = "Device identifier" }
//! gb_t_35273 = "个人常用设备信息"      # optional: GB/T 35273-2020 Annex A term
//! note = "…"                          # optional
//!
//! [[api]]
//! id = "telephony-imei"               # kebab-case, unique, stable: never reused
//! pi = "device-id"                    # a [[category]] id
//! kind = "method"                     # method | field | string
//! class = "Landroid/telephony/TelephonyManager;"  # DEX type descriptor
//! name = "getDeviceId"                # member name; for kind = "string" the literal
//! descriptor = "()Ljava/lang/String;" # optional; see below
//! also_requires_string = "android_id" # optional, methods only
//! match = "exact"                     # optional, strings only: exact | prefix
//! label = { zh = "读取IMEI", en = "Reads the IMEI" }
//! permission = "android.permission.READ_PHONE_STATE"  # optional
//! since_api = 1                       # optional: API level that added it
//! deprecated_api = 26                 # optional: API level that deprecated it
//! restricted_api = 29                 # optional: from this level ordinary apps get
//!                                     #   an exception, null or a constant instead
//! source = "https://developer.android.com/…"  # where the name comes from
//! verified = true                     # optional, default true; false = name not
//!                                     #   checked against the source (say why in note)
//! note = "…"                          # optional: caveats for rule authors
//! ```
//!
//! Field by field:
//!
//! * `class`: required for `method` and `field`, forbidden for `string`.
//!   A DEX type descriptor `Lpkg/Outer$Inner;` (slashes, `$` for nested
//!   classes), exactly as it appears in a `method_id`/`field_id`. Calls are
//!   matched on the class the call site names, which is the static type
//!   of the receiver in source: a call through a subclass or an alias
//!   (e.g. `android.app.ApplicationPackageManager`) needs its own entry.
//! * `name`: a method name (`<init>` for constructors), a field name, or the
//!   literal bytes of a marker string.
//! * `descriptor`: for methods the prototype `(params)return`, e.g.
//!   `(Landroid/content/Context;Z)V`; for fields the field type. Absent
//!   means any overload matches.
//! * `also_requires_string`: the call counts only when this literal is also
//!   loaded by `const-string` in the same method (the caller checks; the
//!   index returns the entry with the field set). Needed where the
//!   sensitive part is an argument: `Settings$Secure.getString(cr,
//!   "android_id")`, `IronSource.setMetaData("is_child_directed", …)`.
//!   Compile-time constants such as `Settings.Secure.ANDROID_ID` are inlined
//!   by javac, so the literal, not a field read, is what DEX holds.
//! * `match`: how a `string` entry compares with a DEX/resource string:
//!   `exact` (default), `prefix` (`content://sms` also matches
//!   `content://sms/inbox`) or `contains` (anywhere in the string; keep
//!   these few, each costs a substring search). Comparison is byte-wise and
//!   case-sensitive.
//! * `pi`: the category id; categories of `kind = "pi"` are personal
//!   information, `capability` marks a risky ability (dynamic code, JS
//!   bridges), `config` marks an SDK privacy or child-directed switch (its
//!   presence is evidence *for* compliance, its absence may be a finding).
//!
//! Marker strings are weak evidence: SDKs hold the same literals for their
//! own use (Unity's own code contains `user.nonBehavioral`), so rules must
//! look at which class holds the string.
//!
//! # Example
//!
//! ```
//! use humiao::catalog::Catalog;
//! let cat = Catalog::embedded().unwrap();
//! let index = cat.api_index();
//! let hit = index
//!     .lookup_method(b"Landroid/telephony/TelephonyManager;", b"getDeviceId", None)
//!     .next()
//!     .unwrap();
//! assert_eq!(hit.pi, "device-id");
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{invalid, Catalog, CatalogError, Text};

/// What an [`ApiInfo`] entry matches in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiKind {
    /// An invoked method (`invoke-*` target).
    Method,
    /// A read field (`sget*`/`iget*`).
    Field,
    /// A literal string (`const-string`, resources, assets, native strings).
    String,
}

/// How a [`ApiKind::String`] entry compares with a string.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum StringMatch {
    /// The whole string equals the literal.
    #[default]
    Exact,
    /// The string starts with the literal.
    Prefix,
    /// The literal occurs anywhere in the string (for keys inside JSON or
    /// shell-command literals). Costs a substring search per string, so
    /// keep such entries few.
    Contains,
}

/// What a category describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CategoryKind {
    /// Personal information.
    Pi,
    /// A risky capability that is not itself personal information.
    Capability,
    /// An SDK privacy or child-directed configuration switch.
    Config,
}

/// One category of the catalogue (`[[category]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable kebab-case id, used by permissions and APIs as `pi`.
    pub id: String,
    /// What the category describes.
    pub kind: CategoryKind,
    /// Short name.
    pub label: Text,
    /// The GB/T 35273-2020 Annex A category this falls under, where one
    /// applies (e.g. `个人常用设备信息`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_t_35273: Option<String>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One entry of the sensitive-API catalogue (`[[api]]`). See the module
/// documentation for the meaning of each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiInfo {
    /// Stable kebab-case id.
    pub id: String,
    /// Category id.
    pub pi: String,
    /// Method, field or string.
    pub kind: ApiKind,
    /// DEX class descriptor (`Lpkg/Class;`); `None` for strings.
    #[serde(default)]
    pub class: Option<String>,
    /// Member name, or the literal for strings.
    pub name: String,
    /// Method prototype or field type; `None` = any.
    #[serde(default)]
    pub descriptor: Option<String>,
    /// Literal that must also appear in the calling method.
    #[serde(default)]
    pub also_requires_string: Option<String>,
    /// How a string entry compares.
    #[serde(rename = "match", default)]
    pub string_match: StringMatch,
    /// What it does.
    pub label: Text,
    /// Permission the API needs, if any.
    #[serde(default)]
    pub permission: Option<String>,
    /// API level that added it.
    #[serde(default)]
    pub since_api: Option<u32>,
    /// API level that deprecated it.
    #[serde(default)]
    pub deprecated_api: Option<u32>,
    /// API level from which ordinary apps no longer get the data.
    #[serde(default)]
    pub restricted_api: Option<u32>,
    /// Where the name and behaviour come from.
    pub source: String,
    /// Whether the name was checked against `source`.
    #[serde(default = "default_true")]
    pub verified: bool,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

fn default_true() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApi {
    id: Spanned<String>,
    pi: Spanned<String>,
    kind: ApiKind,
    #[serde(default)]
    class: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(default)]
    descriptor: Option<Spanned<String>>,
    #[serde(default)]
    also_requires_string: Option<Spanned<String>>,
    #[serde(default, rename = "match")]
    string_match: Option<Spanned<StringMatch>>,
    label: Text,
    #[serde(default)]
    permission: Option<Spanned<String>>,
    #[serde(default)]
    since_api: Option<Spanned<u32>>,
    #[serde(default)]
    deprecated_api: Option<Spanned<u32>>,
    #[serde(default)]
    restricted_api: Option<Spanned<u32>>,
    source: Spanned<String>,
    #[serde(default = "default_true")]
    verified: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    kind: CategoryKind,
    label: Text,
    #[serde(default)]
    gb_t_35273: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiFile {
    #[serde(default)]
    category: Vec<Spanned<RawCategory>>,
    #[serde(default)]
    api: Vec<Spanned<RawApi>>,
}

/// Whether `s` is a kebab-case id: lowercase ASCII letters and digits in
/// groups joined by single hyphens.
pub(crate) fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Characters that may not appear in a DEX simple name we accept here
/// (a stricter subset of the dex-format `SimpleName` rules, enough to
/// catch Java-style dotted names and typos).
fn bad_name_byte(b: u8) -> bool {
    matches!(b, b'.' | b';' | b'[' | b'/' | b'(' | b')' | b'<' | b'>')
        || b.is_ascii_whitespace()
        || b.is_ascii_control()
}

/// A DEX class descriptor `Lpkg/Name;` with non-empty path segments.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#typedescriptor>
pub(crate) fn is_class_descriptor(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('L').and_then(|r| r.strip_suffix(';')) else {
        return false;
    };
    !inner.is_empty()
        && inner
            .split('/')
            .all(|seg| !seg.is_empty() && !seg.bytes().any(bad_name_byte))
}

/// Consumes one field type descriptor at the start of `s`; returns the rest.
fn field_type(s: &[u8]) -> Option<&[u8]> {
    let mut rest = s;
    let mut dims = 0;
    while let Some((b'[', r)) = rest.split_first() {
        dims += 1;
        if dims > 255 {
            return None;
        }
        rest = r;
    }
    let (&first, r) = rest.split_first()?;
    match first {
        b'Z' | b'B' | b'S' | b'C' | b'I' | b'J' | b'F' | b'D' => Some(r),
        b'L' => {
            let end = r.iter().position(|&b| b == b';')?;
            let whole = rest.get(..end + 2)?;
            is_class_descriptor(std::str::from_utf8(whole).ok()?)
                .then(|| r.get(end + 1..))
                .flatten()
        }
        _ => None,
    }
}

/// A whole field type descriptor (`I`, `[B`, `Landroid/net/Uri;`).
pub(crate) fn is_field_descriptor(s: &str) -> bool {
    field_type(s.as_bytes()).is_some_and(<[u8]>::is_empty)
}

/// A method prototype `(params)return` in descriptor syntax.
pub(crate) fn is_method_descriptor(s: &str) -> bool {
    let Some(mut rest) = s.as_bytes().strip_prefix(b"(") else {
        return false;
    };
    loop {
        match rest.first() {
            Some(b')') => break,
            Some(_) => match field_type(rest) {
                Some(r) => rest = r,
                None => return false,
            },
            None => return false,
        }
    }
    let ret = rest.get(1..).unwrap_or_default();
    ret == b"V" || field_type(ret).is_some_and(<[u8]>::is_empty)
}

fn is_member_name(name: &str, kind: ApiKind) -> bool {
    if kind == ApiKind::Method && (name == "<init>" || name == "<clinit>") {
        return true;
    }
    !name.is_empty() && !name.bytes().any(bad_name_byte)
}

/// `rulesets/apis.toml` as JSON, written by `build.rs`.
const EMBEDDED_APIS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/apis.json"));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiJson {
    #[serde(default)]
    category: Vec<Category>,
    #[serde(default)]
    api: Vec<ApiInfo>,
}

impl Catalog {
    /// Adds the embedded `rulesets/apis.toml` from its JSON form (a test
    /// checks it equals what the validating loader makes of the TOML).
    pub(crate) fn add_embedded_apis(&mut self) -> Result<(), CatalogError> {
        let f: ApiJson = super::embedded_json(EMBEDDED_APIS_JSON, "rulesets/apis.toml")?;
        for c in f.category {
            self.categories.insert(c.id.clone(), c);
        }
        self.apis.extend(f.api);
        Ok(())
    }

    /// Loads `[[category]]` and `[[api]]` tables from one file's text and
    /// validates them (see the [module docs](self)).
    pub fn add_apis(&mut self, path: &Path, text: &str) -> Result<(), CatalogError> {
        let err = |offset: usize, message: String| invalid(path, text, offset, message);
        let file: ApiFile = toml::from_str(text).map_err(|e| {
            let off = e.span().map_or(0, |s| s.start);
            err(off, e.message().to_string())
        })?;

        for c in file.category {
            let c = c.into_inner();
            let (id, span) = (c.id.get_ref().clone(), c.id.span());
            if !is_kebab_id(&id) {
                return Err(err(
                    span.start,
                    format!("category id `{id}` is not kebab-case"),
                ));
            }
            if self.categories.contains_key(&id) {
                return Err(err(span.start, format!("duplicate category `{id}`")));
            }
            let cat = Category {
                id: id.clone(),
                kind: c.kind,
                label: c.label,
                gb_t_35273: c.gb_t_35273,
                note: c.note,
            };
            self.categories.insert(id, cat);
        }

        let mut ids: HashSet<String> = self.apis.iter().map(|a| a.id.clone()).collect();
        type Target = (
            ApiKind,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            StringMatch,
        );
        let mut targets: HashSet<Target> = self
            .apis
            .iter()
            .map(|a| {
                (
                    a.kind,
                    a.class.clone(),
                    a.name.clone(),
                    a.descriptor.clone(),
                    a.also_requires_string.clone(),
                    a.string_match,
                )
            })
            .collect();

        for entry in file.api {
            let entry_start = entry.span().start;
            let a = entry.into_inner();
            let id = a.id.get_ref();
            if !is_kebab_id(id) {
                return Err(err(
                    a.id.span().start,
                    format!("api id `{id}` is not kebab-case"),
                ));
            }
            if !ids.insert(id.clone()) {
                return Err(err(a.id.span().start, format!("duplicate api id `{id}`")));
            }
            let pi = a.pi.get_ref();
            if !self.categories.contains_key(pi) {
                return Err(err(
                    a.pi.span().start,
                    format!("unknown category `{pi}` in api `{id}` (add a [[category]])"),
                ));
            }
            match (a.kind, &a.class) {
                (ApiKind::String, Some(c)) => {
                    return Err(err(c.span().start, format!("api `{id}`: a string entry has no `class`")))
                }
                (ApiKind::Method | ApiKind::Field, None) => {
                    return Err(err(entry_start, format!("api `{id}`: a method or field entry needs `class`")))
                }
                (_, Some(c)) if !is_class_descriptor(c.get_ref()) => {
                    return Err(err(
                        c.span().start,
                        format!("api `{id}`: class `{}` is not a DEX class descriptor like `Landroid/os/Build;`", c.get_ref()),
                    ))
                }
                _ => {}
            }
            let name = a.name.get_ref();
            if a.kind == ApiKind::String {
                if name.is_empty() {
                    return Err(err(
                        a.name.span().start,
                        format!("api `{id}`: empty string literal"),
                    ));
                }
            } else if !is_member_name(name, a.kind) {
                return Err(err(
                    a.name.span().start,
                    format!("api `{id}`: `{name}` is not a member name"),
                ));
            }
            if let Some(d) = &a.descriptor {
                let ok = match a.kind {
                    ApiKind::Method => is_method_descriptor(d.get_ref()),
                    ApiKind::Field => is_field_descriptor(d.get_ref()),
                    ApiKind::String => {
                        return Err(err(
                            d.span().start,
                            format!("api `{id}`: a string entry has no `descriptor`"),
                        ))
                    }
                };
                if !ok {
                    let want = if a.kind == ApiKind::Method {
                        "a prototype like `(I)Ljava/lang/String;`"
                    } else {
                        "a type like `Landroid/net/Uri;`"
                    };
                    return Err(err(
                        d.span().start,
                        format!("api `{id}`: descriptor `{}` is not {want}", d.get_ref()),
                    ));
                }
            }
            if let Some(s) = &a.also_requires_string {
                if a.kind != ApiKind::Method {
                    return Err(err(
                        s.span().start,
                        format!("api `{id}`: `also_requires_string` applies to methods only"),
                    ));
                }
                if s.get_ref().is_empty() {
                    return Err(err(
                        s.span().start,
                        format!("api `{id}`: empty `also_requires_string`"),
                    ));
                }
            }
            if let Some(m) = &a.string_match {
                if a.kind != ApiKind::String {
                    return Err(err(
                        m.span().start,
                        format!("api `{id}`: `match` applies to string entries only"),
                    ));
                }
            }
            if let Some(p) = &a.permission {
                let p_ok = !p.get_ref().is_empty()
                    && p.get_ref().contains('.')
                    && !p.get_ref().bytes().any(|b| b.is_ascii_whitespace());
                if !p_ok {
                    return Err(err(
                        p.span().start,
                        format!("api `{id}`: `{}` is not a permission name", p.get_ref()),
                    ));
                }
            }
            for level in [&a.since_api, &a.deprecated_api, &a.restricted_api]
                .into_iter()
                .flatten()
            {
                if *level.get_ref() == 0 {
                    return Err(err(
                        level.span().start,
                        format!("api `{id}`: API levels start at 1"),
                    ));
                }
            }
            if let (Some(s), Some(later)) = (
                &a.since_api,
                a.deprecated_api.as_ref().or(a.restricted_api.as_ref()),
            ) {
                if later.get_ref() < s.get_ref() {
                    return Err(err(
                        later.span().start,
                        format!(
                            "api `{id}`: level {} is before since_api {}",
                            later.get_ref(),
                            s.get_ref()
                        ),
                    ));
                }
            }
            let src = a.source.get_ref();
            if !(src.starts_with("https://") || src.starts_with("http://")) {
                return Err(err(
                    a.source.span().start,
                    format!("api `{id}`: source must be a URL"),
                ));
            }

            let info = ApiInfo {
                id: id.clone(),
                pi: pi.clone(),
                kind: a.kind,
                class: a.class.map(Spanned::into_inner),
                name: a.name.into_inner(),
                descriptor: a.descriptor.map(Spanned::into_inner),
                also_requires_string: a.also_requires_string.map(Spanned::into_inner),
                string_match: a.string_match.map(Spanned::into_inner).unwrap_or_default(),
                label: a.label,
                permission: a.permission.map(Spanned::into_inner),
                since_api: a.since_api.map(Spanned::into_inner),
                deprecated_api: a.deprecated_api.map(Spanned::into_inner),
                restricted_api: a.restricted_api.map(Spanned::into_inner),
                source: a.source.into_inner(),
                verified: a.verified,
                note: a.note,
            };
            let target = (
                info.kind,
                info.class.clone(),
                info.name.clone(),
                info.descriptor.clone(),
                info.also_requires_string.clone(),
                info.string_match,
            );
            if !targets.insert(target) {
                return Err(err(
                    entry_start,
                    format!(
                        "api `{}` matches the same target as an earlier entry",
                        info.id
                    ),
                ));
            }
            self.apis.push(info);
        }
        Ok(())
    }

    /// Catalogue entry by id.
    pub fn api(&self, id: &str) -> Option<&ApiInfo> {
        self.apis.iter().find(|a| a.id == id)
    }

    /// Category by id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.get(id)
    }

    /// Builds the lookup index over [`Catalog::apis`]. Cheap (one pass over
    /// the entries); build it once per scan and share it.
    pub fn api_index(&self) -> ApiIndex<'_> {
        ApiIndex::new(&self.apis)
    }

    /// Alias of [`Catalog::api_index`].
    pub fn method_index(&self) -> ApiIndex<'_> {
        self.api_index()
    }

    /// Entries per category id, for reports and tests.
    pub fn api_counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for a in &self.apis {
            *m.entry(a.pi.as_str()).or_insert(0) += 1;
        }
        m
    }
}

type MemberMap<'a> = HashMap<&'a [u8], HashMap<&'a [u8], Vec<&'a ApiInfo>>>;

/// Lookup tables over the catalogue, keyed on raw bytes as DEX stores them
/// (MUTF-8 descriptors and names), so a lookup never allocates.
#[derive(Debug, Clone, Default)]
pub struct ApiIndex<'a> {
    methods: MemberMap<'a>,
    fields: MemberMap<'a>,
    strings: HashMap<&'a [u8], Vec<&'a ApiInfo>>,
    /// Prefix entries; the first byte is compared first as a cheap reject.
    prefixes: Vec<(&'a [u8], &'a ApiInfo)>,
    /// Substring entries with their prebuilt finders.
    contains: Vec<(memchr::memmem::Finder<'a>, &'a ApiInfo)>,
}

impl<'a> ApiIndex<'a> {
    /// Indexes `apis`.
    pub fn new(apis: &'a [ApiInfo]) -> Self {
        let mut ix = ApiIndex::default();
        for a in apis {
            let name = a.name.as_bytes();
            match (a.kind, a.class.as_deref()) {
                (ApiKind::Method, Some(c)) => {
                    ix.methods
                        .entry(c.as_bytes())
                        .or_default()
                        .entry(name)
                        .or_default()
                        .push(a);
                }
                (ApiKind::Field, Some(c)) => {
                    ix.fields
                        .entry(c.as_bytes())
                        .or_default()
                        .entry(name)
                        .or_default()
                        .push(a);
                }
                (ApiKind::String, _) => match a.string_match {
                    StringMatch::Exact => ix.strings.entry(name).or_default().push(a),
                    StringMatch::Prefix => ix.prefixes.push((name, a)),
                    StringMatch::Contains => {
                        ix.contains.push((memchr::memmem::Finder::new(name), a))
                    }
                },
                // Rejected at load time; an index built from hand-made
                // entries just ignores them.
                (ApiKind::Method | ApiKind::Field, None) => {}
            }
        }
        ix
    }

    /// Entries for an invoked method. `class_desc` is the DEX descriptor
    /// of the class the call names, `proto_desc` the prototype as
    /// `(params)return` if the caller has it: entries with a `descriptor`
    /// then match only that overload; with `None` every overload matches.
    /// Entries with `also_requires_string` are returned too; the caller
    /// checks the literal.
    pub fn lookup_method<'s>(
        &'s self,
        class_desc: &[u8],
        name: &[u8],
        proto_desc: Option<&'s [u8]>,
    ) -> impl Iterator<Item = &'a ApiInfo> + 's {
        self.methods
            .get(class_desc)
            .and_then(|m| m.get(name))
            .into_iter()
            .flatten()
            .copied()
            .filter(move |a| match (a.descriptor.as_deref(), proto_desc) {
                (Some(d), Some(p)) => d.as_bytes() == p,
                _ => true,
            })
    }

    /// Entries for a field read (`class_desc` as in [`Self::lookup_method`]).
    pub fn lookup_field(
        &self,
        class_desc: &[u8],
        name: &[u8],
    ) -> impl Iterator<Item = &'a ApiInfo> + '_ {
        self.fields
            .get(class_desc)
            .and_then(|m| m.get(name))
            .into_iter()
            .flatten()
            .copied()
    }

    /// Entries whose literal equals `s` (exact entries), starts it
    /// (prefix entries) or occurs in it (contains entries).
    pub fn lookup_string<'s>(&'s self, s: &'s [u8]) -> impl Iterator<Item = &'a ApiInfo> + 's {
        let first = s.first().copied();
        let exact = self.strings.get(s).into_iter().flatten().copied();
        let prefix = self
            .prefixes
            .iter()
            .filter(move |(p, _)| p.first().copied() == first && s.starts_with(p))
            .map(|&(_, a)| a);
        let contains = self
            .contains
            .iter()
            .filter(move |(f, _)| f.find(s).is_some())
            .map(|&(_, a)| a);
        exact.chain(prefix).chain(contains)
    }

    /// Whether any entry names this class: lets a caller skip the member
    /// lookups for the vast majority of method references.
    pub fn knows_class(&self, class_desc: &[u8]) -> bool {
        self.methods.contains_key(class_desc) || self.fields.contains_key(class_desc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATS: &str = "[[category]]\nid = \"device-id\"\nkind = \"pi\"\nlabel = { zh = \"设备\", en = \"Device\" }\n";

    fn entry(extra: &str) -> String {
        format!(
            "{CATS}\n[[api]]\nid = \"x\"\npi = \"device-id\"\nkind = \"method\"\nclass = \"La/B;\"\nname = \"m\"\nlabel = {{ zh = \"z\", en = \"e\" }}\nsource = \"https://example.test/\"\n{extra}"
        )
    }

    fn load(text: &str) -> Result<Catalog, String> {
        let mut c = Catalog::default();
        c.add_apis(Path::new("a.toml"), text)
            .map(|()| c)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn embedded_catalogue_is_valid_and_large() {
        let c = Catalog::embedded().unwrap();
        assert!(c.apis.len() >= 80, "only {} entries", c.apis.len());
        for a in &c.apis {
            assert!(c.category(&a.pi).is_some(), "{}", a.id);
            assert!(
                a.verified || a.note.is_some(),
                "unverified `{}` needs a note",
                a.id
            );
        }
        // Every permission category is declared.
        for p in c.permissions.values() {
            assert!(c.category(&p.pi).is_some(), "{} uses {}", p.name, p.pi);
        }
    }

    #[test]
    fn index_lookups() {
        let c = Catalog::embedded().unwrap();
        let ix = c.api_index();
        let tm = b"Landroid/telephony/TelephonyManager;";
        let ids: Vec<_> = ix
            .lookup_method(tm, b"getDeviceId", None)
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, ["telephony-get-device-id"]);
        assert!(ix.knows_class(tm));
        assert!(!ix.knows_class(b"Lcom/example/Nothing;"));
        assert_eq!(ix.lookup_method(tm, b"getNothing", None).count(), 0);
        let secure: Vec<_> = ix
            .lookup_method(b"Landroid/provider/Settings$Secure;", b"getString", None)
            .collect();
        assert_eq!(secure.len(), 1);
        assert_eq!(
            secure[0].also_requires_string.as_deref(),
            Some("android_id")
        );
        assert_eq!(ix.lookup_field(b"Landroid/os/Build;", b"SERIAL").count(), 1);
        assert_eq!(ix.lookup_field(b"Landroid/os/Build;", b"MODEL").count(), 0);
        assert!(ix
            .lookup_string(b"content://sms/inbox")
            .any(|a| a.pi == "sms"));
        assert!(ix.lookup_string(b"content://sm").next().is_none());
        assert!(ix.lookup_string(b"android_id").any(|a| a.pi == "device-id"));
        assert!(ix.lookup_string(b"").next().is_none());
        let json = br#"[{"name":"personal_ads_type","value":"0"}]"#;
        assert!(ix
            .lookup_string(json)
            .any(|a| a.id == "string-pangle-personal-ads-type"));
    }

    #[test]
    fn descriptor_filters_overloads() {
        let text = entry("descriptor = \"(I)V\"\n");
        let c = load(&text).unwrap();
        let ix = c.api_index();
        assert_eq!(ix.lookup_method(b"La/B;", b"m", Some(b"(I)V")).count(), 1);
        assert_eq!(ix.lookup_method(b"La/B;", b"m", Some(b"()V")).count(), 0);
        assert_eq!(ix.lookup_method(b"La/B;", b"m", None).count(), 1);
    }

    #[test]
    fn descriptors() {
        for ok in ["La;", "La/b/C$D;", "La/b/c$1;"] {
            assert!(is_class_descriptor(ok), "{ok}");
        }
        for bad in [
            "",
            "L;",
            "a/b/C",
            "La.b.C;",
            "La//b;",
            "La/b",
            "Landroid/os/Build",
            "[La;",
            "I",
        ] {
            assert!(!is_class_descriptor(bad), "{bad}");
        }
        for ok in [
            "()V",
            "(I)Ljava/lang/String;",
            "(Landroid/content/Context;Z)V",
            "([[BJ)[I",
        ] {
            assert!(is_method_descriptor(ok), "{ok}");
        }
        for bad in [
            "", "()", "(V)V", "(I", "I)V", "()VV", "(La.b;)V", "(Lx)V", "()X",
        ] {
            assert!(!is_method_descriptor(bad), "{bad}");
        }
        assert!(is_field_descriptor("Landroid/net/Uri;") && is_field_descriptor("[B"));
        assert!(!is_field_descriptor("V") && !is_field_descriptor("II"));
        assert!(!is_field_descriptor(&"[".repeat(300)));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let cases: &[(&str, &str)] = &[
            ("colour = \"red\"\n", "unknown field `colour`"),
            ("descriptor = \"(I\"\n", "descriptor `(I` is not"),
            (
                "also_requires_string = \"\"\n",
                "empty `also_requires_string`",
            ),
            (
                "match = \"prefix\"\n",
                "`match` applies to string entries only",
            ),
            ("permission = \"READ PHONE\"\n", "is not a permission name"),
            ("since_api = 0\n", "API levels start at 1"),
            (
                "since_api = 29\ndeprecated_api = 26\n",
                "level 26 is before since_api 29",
            ),
            ("verified = \"yes\"\n", "invalid type"),
        ];
        for (extra, want) in cases {
            let e = load(&entry(extra)).unwrap_err();
            assert!(e.starts_with("a.toml:") && e.contains(want), "{extra}: {e}");
        }
        // Position points at the offending value.
        let e = load(&entry("").replace("La/B;", "android.os.Build")).unwrap_err();
        assert!(
            e.starts_with("a.toml:10:9:") && e.contains("not a DEX class descriptor"),
            "{e}"
        );
        let e = load(&entry("").replace("pi = \"device-id\"", "pi = \"devices\"")).unwrap_err();
        assert!(
            e.starts_with("a.toml:8:6:") && e.contains("unknown category `devices`"),
            "{e}"
        );
        let e = load(&entry("").replace("id = \"x\"", "id = \"Not_Kebab\"")).unwrap_err();
        assert!(e.contains("not kebab-case"), "{e}");
        let e =
            load(&entry("").replace("source = \"https://example.test/\"", "source = \"a book\""))
                .unwrap_err();
        assert!(e.contains("source must be a URL"), "{e}");
        let e = load(&entry("").replace("name = \"m\"", "name = \"a.b\"")).unwrap_err();
        assert!(e.contains("is not a member name"), "{e}");
    }

    #[test]
    fn duplicates_are_errors() {
        let one = entry("");
        let api = &one[one.find("[[api]]").unwrap()..];
        let e = load(&format!("{one}\n{api}")).unwrap_err();
        assert!(
            e.contains("duplicate api id `x`") && e.starts_with("a.toml:16:6:"),
            "{e}"
        );
        let e = load(&format!(
            "{one}\n{}",
            api.replace("id = \"x\"", "id = \"y\"")
        ))
        .unwrap_err();
        assert!(e.contains("same target"), "{e}");
        // Same member with a different required literal is a different target.
        let twice = format!(
            "{one}\n{}also_requires_string = \"k\"\n",
            api.replace("id = \"x\"", "id = \"y\"")
        );
        assert_eq!(load(&twice).unwrap().apis.len(), 2);
        let e = load(&format!("{CATS}{CATS}")).unwrap_err();
        assert!(
            e.contains("duplicate category `device-id`") && e.starts_with("a.toml:6:6:"),
            "{e}"
        );
    }

    #[test]
    fn kind_rules() {
        let s = entry("").replace("kind = \"method\"", "kind = \"string\"");
        assert!(load(&s)
            .unwrap_err()
            .contains("a string entry has no `class`"));
        let s = s.replace("class = \"La/B;\"\n", "");
        let c = load(&s).unwrap();
        assert_eq!(c.apis[0].string_match, StringMatch::Exact);
        let e = load(&entry("").replace("class = \"La/B;\"\n", "")).unwrap_err();
        assert!(e.contains("needs `class`"), "{e}");
        let f = entry("also_requires_string = \"k\"\n")
            .replace("kind = \"method\"", "kind = \"field\"");
        assert!(load(&f).unwrap_err().contains("methods only"));
        let ctor = entry("").replace("name = \"m\"", "name = \"<init>\"");
        assert!(load(&ctor).is_ok());
        let fctor = ctor.replace("kind = \"method\"", "kind = \"field\"");
        assert!(load(&fctor).unwrap_err().contains("not a member name"));
        let e = load(&entry("").replace("kind = \"method\"", "kind = \"call\"")).unwrap_err();
        assert!(e.contains("unknown variant `call`"), "{e}");
        let e = load(&CATS.replace("kind = \"pi\"", "kind = \"data\"")).unwrap_err();
        assert!(e.contains("unknown variant `data`"), "{e}");
    }

    #[test]
    fn ids_are_kebab() {
        assert!(is_kebab_id("a") && is_kebab_id("telephony-imei-2"));
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b"] {
            assert!(!is_kebab_id(bad), "{bad}");
        }
    }
}
