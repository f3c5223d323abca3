//! Look-ups over a decoded [`ResTable`]: names, values per configuration,
//! strings resolved for a locale, file paths.
//!
//! Configuration choice follows `ResTable_config::match` and
//! `isBetterThan`/`isLocaleBetterThan` in `ResourceTypes.cpp`, reduced to
//! what a static scanner needs:
//!
//! * a configuration with a locale matches a request only if the languages
//!   are equivalent and the scripts agree (the likely script is computed
//!   for the few languages whose script depends on the region: `zh-TW` is
//!   Hant, `zh-CN` Hans; see [`super::config`]); without a locale it
//!   matches every request;
//! * among matches: a configuration with the language beats one without
//!   (except Android's en-US rule), then the exact region, then no region,
//!   then the variant;
//! * other qualifiers are matched against the device `aapt dump badging`
//!   pretends to be (portrait, mdpi, 320x480dp, normal screen, SDK 10000);
//!   if no configuration fits that device, all are considered so that a
//!   string defined only for, say, `-land` is still found;
//! * references are followed with the same request, at most
//!   [`MAX_REFERENCE_DEPTH`] hops; a cycle stops the walk.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{langs_equivalent, likely_script, Config, LocaleRequest};
use super::package::{EntryData, Package, ResEntry, ResType, ResTypeChunk};
use super::ResTable;
use crate::formats::resvalue::{types, ResValue};

/// Longest reference chain followed before giving up.
pub const MAX_REFERENCE_DEPTH: usize = 16;

/// The value of a resource in one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEntry {
    /// The configuration.
    pub config: Config,
    /// The value in that configuration.
    pub value: EntryValue,
}

/// A value with its string looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryValue {
    /// A single value; the string when it is `TYPE_STRING` (and readable).
    Simple(ResValue, Option<String>),
    /// A map entry (style, array, plurals, attr…).
    Complex {
        /// Parent map resource id, 0 for none.
        parent: u32,
        /// `(name, value)` pairs.
        items: Vec<(u32, ResValue)>,
    },
}

/// One configuration's entry for a resource id.
type Candidate<'t, 'a> = (&'t Package<'a>, &'t ResTypeChunk<'a>, ResEntry);

impl<'a> ResTable<'a> {
    /// Packages holding resources with package byte `pp`: exact id match,
    /// else the package a `RES_TABLE_LIBRARY_TYPE` entry names for `pp`
    /// (dynamic references of shared libraries).
    fn packages_for(&self, pp: u32) -> Vec<&Package<'a>> {
        let exact: Vec<&Package<'a>> = self.packages.iter().filter(|p| p.id == pp).collect();
        if !exact.is_empty() {
            return exact;
        }
        let names: BTreeSet<&str> = self
            .packages
            .iter()
            .flat_map(|p| p.libraries.iter())
            .filter(|l| l.package_id == pp)
            .map(|l| l.name.as_str())
            .collect();
        self.packages
            .iter()
            .filter(|p| names.contains(p.name.as_str()))
            .collect()
    }

    fn types_for(&self, id: u32) -> Vec<(&Package<'a>, &ResType<'a>)> {
        let tt = ((id >> 16) & 0xff) as u8;
        self.packages_for(id >> 24)
            .into_iter()
            .filter_map(|p| p.types.get(&tt).map(|t| (p, t)))
            .collect()
    }

    /// Every configuration's entry for `id`, after staged-alias mapping.
    fn candidates(&self, id: u32) -> Vec<Candidate<'_, 'a>> {
        let found = self.candidates_exact(id);
        if !found.is_empty() {
            return found;
        }
        match self
            .packages
            .iter()
            .flat_map(|p| p.staged_aliases.iter())
            .find(|(staged, _)| *staged == id)
        {
            Some((_, finalized)) => self.candidates_exact(*finalized),
            None => found,
        }
    }

    fn candidates_exact(&self, id: u32) -> Vec<Candidate<'_, 'a>> {
        let idx = (id & 0xffff) as u16;
        let mut out = Vec::new();
        for (p, t) in self.types_for(id) {
            for c in &t.chunks {
                if let Some(e) = c.entry(idx) {
                    out.push((p, c, e));
                }
            }
        }
        out
    }

    /// `type/entry`, e.g. `string/app_name`.
    pub fn name_of(&self, id: u32) -> Option<String> {
        let (p, _, e) = self.candidates(id).into_iter().next()?;
        let ty = p.type_name(((id >> 16) & 0xff) as u8)?;
        let key = p.key_name(e.key)?;
        Some(format!("{ty}/{key}"))
    }

    /// `package:type/entry`, e.g. `com.example:string/app_name`.
    pub fn qualified_name_of(&self, id: u32) -> Option<String> {
        let (p, _, _) = self.candidates(id).into_iter().next()?;
        Some(format!("{}:{}", p.name, self.name_of(id)?))
    }

    /// The value of `id` in every configuration that defines it, in file
    /// order. References are not followed.
    pub fn entries(&self, id: u32) -> Vec<ResolvedEntry> {
        self.candidates(id)
            .into_iter()
            .map(|(_, c, e)| ResolvedEntry {
                config: c.config,
                value: self.entry_value(&e),
            })
            .collect()
    }

    fn entry_value(&self, e: &ResEntry) -> EntryValue {
        match &e.data {
            EntryData::Simple(v) => EntryValue::Simple(*v, self.value_string(v)),
            EntryData::Complex { parent, items } => EntryValue::Complex {
                parent: *parent,
                items: items.clone(),
            },
        }
    }

    /// The string of a `TYPE_STRING` value, from the global pool.
    pub fn value_string(&self, v: &ResValue) -> Option<String> {
        (v.data_type == types::STRING)
            .then(|| self.strings.get(v.data).map(|s| s.into_owned()))
            .flatten()
    }

    /// Resolves `id` to a string for `locale` (`None` or `""` = the default
    /// locale; `zh-CN`, `zh-rCN`, `b+sr+Latn` and `sr-Latn` are accepted),
    /// following references. `None` if no configuration matches, the chain
    /// ends in a non-string, or it is longer than [`MAX_REFERENCE_DEPTH`]
    /// or cyclic.
    pub fn resolve_string(&self, id: u32, locale: Option<&str>) -> Option<String> {
        let req = locale.and_then(LocaleRequest::parse);
        let v = self.resolve_value(id, req.as_ref())?;
        self.value_string(&v)
    }

    /// Follows references from `id` and returns the final simple value.
    fn resolve_value(&self, id: u32, req: Option<&LocaleRequest>) -> Option<ResValue> {
        let mut cur = id;
        let mut seen: Vec<u32> = Vec::new();
        for _ in 0..=MAX_REFERENCE_DEPTH {
            if seen.contains(&cur) {
                return None;
            }
            seen.push(cur);
            let (_, _, e) = self.best_for_locale(cur, req)?;
            match &e.data {
                EntryData::Simple(v) => match v.as_reference() {
                    // `@null`.
                    Some(0) => return None,
                    Some(next) => cur = next,
                    None => return Some(*v),
                },
                EntryData::Complex { .. } => return None,
            }
        }
        None
    }

    /// The configuration Android would pick for `req`.
    fn best_for_locale(&self, id: u32, req: Option<&LocaleRequest>) -> Option<Candidate<'_, 'a>> {
        let matching: Vec<Candidate<'_, 'a>> = self
            .candidates(id)
            .into_iter()
            .filter(|(_, c, _)| locale_matches(&c.config, req))
            .collect();
        // Prefer the configurations that fit the badging device, if any do.
        let any_fits = matching
            .iter()
            .any(|(_, c, _)| fits_badging_device(&c.config));
        let pool = matching
            .into_iter()
            .filter(|(_, c, _)| !any_fits || fits_badging_device(&c.config));
        let mut best: Option<Candidate<'_, 'a>> = None;
        for cand in pool {
            best = match best {
                None => Some(cand),
                Some(b) => {
                    let (cc, bc) = (&cand.1.config, &b.1.config);
                    let better = if locale_better(cc, bc, req) {
                        true
                    } else if locale_better(bc, cc, req) {
                        false
                    } else {
                        specificity(cc) > specificity(bc)
                    };
                    Some(if better { cand } else { b })
                }
            };
        }
        best
    }

    /// Every locale (BCP-47, `""` for the default) in which `id` or a
    /// resource it references has a value, mapped to the string `id`
    /// resolves to for that locale.
    pub fn localized_strings(&self, id: u32) -> BTreeMap<String, String> {
        let mut locales: BTreeSet<String> = BTreeSet::new();
        locales.insert(String::new());
        let mut todo = vec![(id, 0usize)];
        let mut seen: BTreeSet<u32> = BTreeSet::new();
        while let Some((cur, depth)) = todo.pop() {
            if depth > MAX_REFERENCE_DEPTH || !seen.insert(cur) {
                continue;
            }
            for (_, c, e) in self.candidates(cur) {
                locales.insert(c.config.bcp47());
                if let EntryData::Simple(v) = &e.data {
                    if let Some(next) = v.as_reference().filter(|&n| n != 0) {
                        todo.push((next, depth + 1));
                    }
                }
            }
        }
        locales
            .into_iter()
            .filter_map(|loc| {
                let s = self.resolve_string(id, (!loc.is_empty()).then_some(loc.as_str()))?;
                Some((loc, s))
            })
            .collect()
    }

    /// The path a file resource points to, e.g. `@xml/network_security_config`
    /// → `res/xml/network_security_config.xml`. Prefers the default
    /// configuration, then any without a locale that fits the badging
    /// device, then the first; follows references.
    pub fn resolve_file(&self, id: u32) -> Option<String> {
        let mut cur = id;
        let mut seen: Vec<u32> = Vec::new();
        for _ in 0..=MAX_REFERENCE_DEPTH {
            if seen.contains(&cur) {
                return None;
            }
            seen.push(cur);
            let cands = self.candidates(cur);
            let pick = cands
                .iter()
                .find(|(_, c, _)| c.config.is_default())
                .or_else(|| {
                    cands
                        .iter()
                        .find(|(_, c, _)| !c.config.has_locale() && fits_badging_device(&c.config))
                })
                .or_else(|| cands.first())?;
            match &pick.2.data {
                EntryData::Simple(v) => match v.as_reference() {
                    Some(0) => return None,
                    Some(next) => cur = next,
                    None => return self.value_string(v),
                },
                EntryData::Complex { .. } => return None,
            }
        }
        None
    }

    /// Every string value in the table: `(name, locale, value)` where
    /// `name` is `type/entry` (`array/entry[i]` for items of a map entry)
    /// and `locale` is BCP-47 (`""` for the default). Configurations that
    /// differ only in other qualifiers repeat the locale.
    pub fn string_resources(&self) -> impl Iterator<Item = (String, String, String)> + '_ {
        self.packages.iter().flat_map(move |p| {
            p.types.values().flat_map(move |t| {
                let tname = p
                    .type_name(t.id)
                    .unwrap_or_else(|| format!("type{:#04x}", t.id));
                t.chunks.iter().flat_map(move |c| {
                    let loc = c.config.bcp47();
                    let tname = tname.clone();
                    c.entries().flat_map(move |(idx, e)| {
                        let key = p
                            .key_name(e.key)
                            .unwrap_or_else(|| format!("entry{idx:#06x}"));
                        let base = format!("{tname}/{key}");
                        let mut out = Vec::new();
                        match &e.data {
                            EntryData::Simple(v) => {
                                if let Some(s) = self.value_string(v) {
                                    out.push((base, loc.clone(), s));
                                }
                            }
                            EntryData::Complex { items, .. } => {
                                for (i, (_, v)) in items.iter().enumerate() {
                                    if let Some(s) = self.value_string(v) {
                                        out.push((format!("{base}[{i}]"), loc.clone(), s));
                                    }
                                }
                            }
                        }
                        out
                    })
                })
            })
        })
    }
}

/// The script a configuration's locale is written in (explicit, else
/// likely); `""` when unknown.
fn config_script(c: &Config) -> &str {
    if c.locale_script[0] != 0 {
        std::str::from_utf8(&c.locale_script)
            .unwrap_or("")
            .trim_end_matches('\0')
    } else {
        likely_script(c.language_code().as_str(), c.region_code().as_str())
    }
}

/// `ResTable_config::match`, locale part.
fn locale_matches(c: &Config, req: Option<&LocaleRequest>) -> bool {
    if c.language == [0, 0] {
        return c.country == [0, 0];
    }
    let Some(r) = req else {
        return false;
    };
    if !langs_equivalent(c.language_code().as_str(), &r.language) {
        return false;
    }
    let cs = config_script(c);
    let rs = r.effective_script();
    cs.is_empty() || rs.is_empty() || cs == rs
}

/// `ResTable_config::isLocaleBetterThan`, simplified (no CLDR parent
/// chains or representative locales): whether `a` is a better locale match
/// than `b` for `req`; both already match.
fn locale_better(a: &Config, b: &Config, req: Option<&LocaleRequest>) -> bool {
    let Some(r) = req else {
        return false;
    };
    let (la, lb) = (a.language_code(), b.language_code());
    let (la, lb) = (la.as_str(), lb.as_str());
    if la.is_empty() && lb.is_empty() {
        return false;
    }
    let (ra, rb) = (a.region_code(), b.region_code());
    let (ra, rb) = (ra.as_str(), rb.as_str());
    if !langs_equivalent(la, lb) {
        if r.language == "en" && r.region == "US" {
            // No-locale resources are where US English traditionally lives.
            return if !la.is_empty() {
                ra.is_empty() || ra == "US"
            } else {
                !(rb.is_empty() || rb == "US")
            };
        }
        return !la.is_empty();
    }
    if ra != rb {
        if ra == r.region {
            return true;
        }
        if rb == r.region {
            return false;
        }
        if ra.is_empty() {
            return true;
        }
        if rb.is_empty() {
            return false;
        }
        // Android's last resort compares the packed values.
        return ra > rb;
    }
    if a.locale_variant != b.locale_variant {
        let (va, vb) = (a.variant(), b.variant());
        let (ma, mb) = (va == r.variant, vb == r.variant);
        if ma != mb {
            return ma;
        }
    }
    la == r.language && lb != r.language
}

/// Whether the non-locale qualifiers match the configuration `aapt dump
/// badging` asks for: portrait, mdpi, normal screen of 320x480dp, SDK 10000.
fn fits_badging_device(c: &Config) -> bool {
    c.mcc == 0
        && c.mnc == 0
        && c.orientation <= 1
        && c.touchscreen == 0
        && c.keyboard == 0
        && c.navigation == 0
        && c.input_flags == 0
        && c.grammatical_inflection == 0
        && c.screen_width == 0
        && c.screen_height == 0
        && c.sdk_version <= 10000
        && c.screen_layout & 0x0f <= 2
        && c.screen_layout & 0xf0 == 0
        && c.ui_mode == 0
        && c.smallest_screen_width_dp <= 320
        && c.screen_width_dp <= 320
        && c.screen_height_dp <= 480
        && c.screen_layout2 == 0
        && c.color_mode == 0
}

/// After the locale, more specific wins (`isBetterThan` order, reduced).
fn specificity(c: &Config) -> (u16, u16, u16, u8, u8, u16, u16) {
    (
        c.smallest_screen_width_dp,
        c.screen_width_dp,
        c.screen_height_dp,
        c.screen_layout & 0x0f,
        c.orientation,
        c.sdk_version,
        c.minor_version,
    )
}
