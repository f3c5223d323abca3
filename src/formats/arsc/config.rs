//! `ResTable_config`: the qualifiers a `ResTable_type` chunk is built for
//! (locale, density, SDK version, …).
//!
//! The structure grew over Android releases (28, 32, 36, 48, 52, 56 and 64
//! bytes are all seen in the wild); it starts with its own `size`, fields
//! past `size` read as zero ("any") and bytes past the 64 we know are
//! ignored, as in `ResTable_config::copyFromDtoH`.
//!
//! [`Config`]'s `Display` follows `ResTable_config::toString()` (what
//! `aapt dump resources` prints, e.g. `zh-rCN`, `ldrtl-hdpi-v17`); the
//! default configuration displays as the empty string.
//!
//! See `struct ResTable_config` in
//! `frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h` and
//! `ResTable_config::toString`, `appendDirLocale`, `getBcp47Locale` in
//! `ResourceTypes.cpp`.

use std::fmt;

use serde::Serialize;

/// The size of the newest `ResTable_config` we know.
pub const KNOWN_SIZE: usize = 64;

/// A decoded `ResTable_config`. Field names follow the spec.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Config {
    /// `size` as declared in the file.
    pub size: u32,
    /// Mobile country code, 0 = any.
    pub mcc: u16,
    /// Mobile network code, 0 = any.
    pub mnc: u16,
    /// Raw `language[2]` (two ASCII letters or a packed 3-letter code).
    pub language: [u8; 2],
    /// Raw `country[2]` (two ASCII letters or a packed 3-digit UN M.49 code).
    pub country: [u8; 2],
    /// `ORIENTATION_*` (1 port, 2 land, 3 square).
    pub orientation: u8,
    /// `TOUCHSCREEN_*`.
    pub touchscreen: u8,
    /// Density in dpi (0 default, 0xfffe any, 0xffff none).
    pub density: u16,
    /// `KEYBOARD_*`.
    pub keyboard: u8,
    /// `NAVIGATION_*`.
    pub navigation: u8,
    /// `inputFlags`: keys hidden (bits 0-1) and nav hidden (bits 2-3).
    pub input_flags: u8,
    /// `grammaticalInflection` (Android 14+; was `inputPad0`).
    pub grammatical_inflection: u8,
    /// `screenWidth` in pixels (legacy).
    pub screen_width: u16,
    /// `screenHeight` in pixels (legacy).
    pub screen_height: u16,
    /// `sdkVersion` (the `-vNN` qualifier).
    pub sdk_version: u16,
    /// `minorVersion`.
    pub minor_version: u16,
    /// `screenLayout`: size, long, layout direction.
    pub screen_layout: u8,
    /// `uiMode`: type and night.
    pub ui_mode: u8,
    /// `smallestScreenWidthDp` (`swNNNdp`).
    pub smallest_screen_width_dp: u16,
    /// `screenWidthDp` (`wNNNdp`).
    pub screen_width_dp: u16,
    /// `screenHeightDp` (`hNNNdp`).
    pub screen_height_dp: u16,
    /// `localeScript[4]` (e.g. `Latn`), zero-filled when absent.
    pub locale_script: [u8; 4],
    /// `localeVariant[8]`, zero-filled when absent.
    pub locale_variant: [u8; 8],
    /// `screenLayout2`: round.
    pub screen_layout2: u8,
    /// `colorMode`: wide colour gamut and HDR.
    pub color_mode: u8,
    /// `localeScriptWasComputed`.
    pub locale_script_was_computed: bool,
    /// `localeNumberingSystem[8]`, zero-filled when absent.
    pub locale_numbering_system: [u8; 8],
}

/// What [`Config::read`] noticed about the raw structure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ConfigQuirks {
    /// `size` claims more bytes than the type header holds.
    pub size_exceeds_header: bool,
    /// `size` is smaller than the 28-byte original structure.
    pub size_too_small: bool,
    /// Non-zero bytes beyond the 64 bytes we understand.
    pub unknown_fields: bool,
}

// Density constants (ACONFIGURATION_DENSITY_*).
const DENSITY_LOW: u16 = 120;
const DENSITY_MEDIUM: u16 = 160;
const DENSITY_TV: u16 = 213;
const DENSITY_HIGH: u16 = 240;
const DENSITY_XHIGH: u16 = 320;
const DENSITY_XXHIGH: u16 = 480;
const DENSITY_XXXHIGH: u16 = 640;
const DENSITY_ANY: u16 = 0xfffe;
const DENSITY_NONE: u16 = 0xffff;

fn b(buf: &[u8; KNOWN_SIZE], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}
fn h(buf: &[u8; KNOWN_SIZE], at: usize) -> u16 {
    u16::from_le_bytes([b(buf, at), b(buf, at + 1)])
}
fn arr<const N: usize>(buf: &[u8; KNOWN_SIZE], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = b(buf, at + i);
    }
    out
}

impl Config {
    /// Reads a config from `raw`, which holds the bytes available for it
    /// (from its `size` field to the end of the enclosing header).
    pub(crate) fn read(raw: &[u8]) -> (Config, ConfigQuirks) {
        let mut q = ConfigQuirks::default();
        let size = crate::formats::read::u32_at(raw, 0).unwrap_or(0);
        let declared = size as usize;
        if declared > raw.len() {
            q.size_exceeds_header = true;
        }
        if declared < 28 {
            q.size_too_small = true;
        }
        let usable = declared.min(raw.len());
        let mut buf = [0u8; KNOWN_SIZE];
        for (dst, src) in buf.iter_mut().zip(raw.iter().take(usable)) {
            *dst = *src;
        }
        if usable > KNOWN_SIZE {
            q.unknown_fields = raw
                .get(KNOWN_SIZE..usable)
                .is_some_and(|x| x.iter().any(|&v| v != 0));
        }
        let c = Config {
            size,
            mcc: h(&buf, 4),
            mnc: h(&buf, 6),
            language: arr(&buf, 8),
            country: arr(&buf, 10),
            orientation: b(&buf, 12),
            touchscreen: b(&buf, 13),
            density: h(&buf, 14),
            keyboard: b(&buf, 16),
            navigation: b(&buf, 17),
            input_flags: b(&buf, 18),
            grammatical_inflection: b(&buf, 19),
            screen_width: h(&buf, 20),
            screen_height: h(&buf, 22),
            sdk_version: h(&buf, 24),
            minor_version: h(&buf, 26),
            screen_layout: b(&buf, 28),
            ui_mode: b(&buf, 29),
            smallest_screen_width_dp: h(&buf, 30),
            screen_width_dp: h(&buf, 32),
            screen_height_dp: h(&buf, 34),
            locale_script: arr(&buf, 36),
            locale_variant: arr(&buf, 40),
            screen_layout2: b(&buf, 48),
            color_mode: b(&buf, 49),
            locale_script_was_computed: b(&buf, 52) != 0,
            locale_numbering_system: arr(&buf, 53),
        };
        (c, q)
    }

    /// Language code without allocating.
    pub(crate) fn language_code(&self) -> Code {
        Code::unpack(self.language, b'a')
    }

    /// Region code without allocating.
    pub(crate) fn region_code(&self) -> Code {
        Code::unpack(self.country, b'0')
    }

    /// The language code (`en`, `zh`, or an unpacked 3-letter code such as
    /// `fil`); empty for "any".
    pub fn language(&self) -> String {
        unpack_language_or_region(self.language, b'a')
    }

    /// The region code (`CN`, or an unpacked 3-digit UN M.49 code such as
    /// `419`); empty for "any".
    pub fn region(&self) -> String {
        unpack_language_or_region(self.country, b'0')
    }

    /// The explicit script subtag (`Latn`), if one was provided (not
    /// computed).
    pub fn script(&self) -> Option<String> {
        (self.locale_script[0] != 0 && !self.locale_script_was_computed)
            .then(|| ascii_field(&self.locale_script))
    }

    /// The variant subtag, if any.
    pub fn variant(&self) -> Option<String> {
        (self.locale_variant[0] != 0).then(|| ascii_field(&self.locale_variant))
    }

    /// The numbering system (`-u-nu-` extension), if any.
    pub fn numbering_system(&self) -> Option<String> {
        (self.locale_numbering_system[0] != 0).then(|| ascii_field(&self.locale_numbering_system))
    }

    /// Whether every qualifier is "any": the `values/` configuration.
    pub fn is_default(&self) -> bool {
        Config { size: 0, ..*self } == Config::default()
    }

    /// Whether the configuration has a locale (language or region).
    pub fn has_locale(&self) -> bool {
        self.language != [0, 0] || self.country != [0, 0]
    }

    /// Whether any non-locale qualifier is set.
    pub fn has_non_locale_qualifiers(&self) -> bool {
        !self.without_locale().is_default()
    }

    /// A copy with every locale field cleared.
    pub fn without_locale(&self) -> Config {
        Config {
            language: [0; 2],
            country: [0; 2],
            locale_script: [0; 4],
            locale_variant: [0; 8],
            locale_script_was_computed: false,
            locale_numbering_system: [0; 8],
            ..*self
        }
    }

    /// The locale in resource-directory form, as `appendDirLocale` writes
    /// it: `zh-rCN`, `en`, `b+sr+Latn`; empty when there is no language.
    pub fn locale(&self) -> String {
        let mut out = String::new();
        self.append_dir_locale(&mut out);
        out
    }

    /// The locale as a BCP-47 tag, as `getBcp47Locale` writes it (what
    /// `aapt dump badging` prints): `zh-CN`, `en`, `sr-Latn`; empty for the
    /// default locale.
    pub fn bcp47(&self) -> String {
        let mut out = String::new();
        if self.language == [0, 0] && self.country == [0, 0] {
            return out;
        }
        let push = |out: &mut String, s: &str| {
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(s);
        };
        if self.language != [0, 0] {
            out.push_str(&self.language());
        }
        if let Some(script) = self.script() {
            push(&mut out, &script);
        }
        if self.country != [0, 0] {
            push(&mut out, &self.region());
        }
        if let Some(v) = self.variant() {
            push(&mut out, &v);
        }
        if let Some(nu) = self.numbering_system() {
            if !out.is_empty() {
                out.push_str("-u-nu-");
                out.push_str(&nu);
            }
        }
        out
    }

    fn append_dir_locale(&self, out: &mut String) {
        if self.language[0] == 0 {
            return;
        }
        let script = self.script();
        let variant = self.variant();
        let nu = self.numbering_system();
        if !out.is_empty() {
            out.push('-');
        }
        if script.is_none() && variant.is_none() && nu.is_none() {
            out.push_str(&self.language());
            if self.country[0] != 0 {
                out.push_str("-r");
                out.push_str(&self.region());
            }
            return;
        }
        out.push_str("b+");
        out.push_str(&self.language());
        if let Some(s) = script {
            out.push('+');
            out.push_str(&s);
        }
        if self.country[0] != 0 {
            out.push('+');
            out.push_str(&self.region());
        }
        if let Some(v) = variant {
            out.push('+');
            out.push_str(&v);
        }
        if let Some(n) = nu {
            out.push_str("+u+nu+");
            out.push_str(&n);
        }
    }
}

/// Shows the NUL-terminated ASCII in a fixed field; other bytes as `?`.
fn ascii_field(field: &[u8]) -> String {
    field
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| {
            if c.is_ascii_graphic() {
                char::from(c)
            } else {
                '?'
            }
        })
        .collect()
}

/// `unpackLanguageOrRegion`: two ASCII bytes, or a packed 3-letter form
/// `{1, t,t,t,t,t, s,s,s,s,s, f,f,f,f,f}` (big-endian) relative to `base`.
fn unpack_language_or_region(v: [u8; 2], base: u8) -> String {
    let code = Code::unpack(v, base);
    code.buf
        .iter()
        .take(code.len)
        .map(|&c| {
            if c.is_ascii_graphic() {
                char::from(c)
            } else {
                '?'
            }
        })
        .collect()
}

/// A language or region code unpacked on the stack (no allocation), for
/// the matching code paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    buf: [u8; 3],
    len: usize,
}

impl Code {
    pub fn unpack(v: [u8; 2], base: u8) -> Code {
        let [in0, in1] = v;
        if in0 & 0x80 != 0 {
            let first = in1 & 0x1f;
            let second = ((in1 & 0xe0) >> 5) + ((in0 & 0x03) << 3);
            let third = (in0 & 0x7c) >> 2;
            return Code {
                buf: [
                    base.wrapping_add(first),
                    base.wrapping_add(second),
                    base.wrapping_add(third),
                ],
                len: 3,
            };
        }
        if in0 == 0 {
            return Code {
                buf: [0; 3],
                len: 0,
            };
        }
        let len = if in1 == 0 { 1 } else { 2 };
        Code {
            buf: [in0, in1, 0],
            len,
        }
    }

    /// The code as text; `""` if it is not ASCII.
    pub fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// Inverse of [`unpack_language_or_region`] for 2- or 3-character codes.
#[cfg(test)]
pub(crate) fn pack_language_or_region(s: &str, base: u8) -> [u8; 2] {
    let bytes = s.as_bytes();
    match bytes {
        [a, b2] => [*a, *b2],
        [a, b2, c] => {
            let first = a.wrapping_sub(base) & 0x1f;
            let second = b2.wrapping_sub(base) & 0x1f;
            let third = c.wrapping_sub(base) & 0x1f;
            [0x80 | (third << 2) | (second >> 3), (second << 5) | first]
        }
        _ => [0, 0],
    }
}

impl fmt::Display for Config {
    /// `ResTable_config::toString()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.mcc != 0 {
            parts.push(format!("mcc{}", self.mcc));
        }
        if self.mnc != 0 {
            parts.push(format!("mnc{}", self.mnc));
        }
        let loc = self.locale();
        if !loc.is_empty() {
            parts.push(loc);
        }
        let sl = self.screen_layout;
        match sl & 0xc0 {
            0 => {}
            0x40 => parts.push("ldltr".into()),
            0x80 => parts.push("ldrtl".into()),
            v => parts.push(format!("layoutDir={v}")),
        }
        if self.smallest_screen_width_dp != 0 {
            parts.push(format!("sw{}dp", self.smallest_screen_width_dp));
        }
        if self.screen_width_dp != 0 {
            parts.push(format!("w{}dp", self.screen_width_dp));
        }
        if self.screen_height_dp != 0 {
            parts.push(format!("h{}dp", self.screen_height_dp));
        }
        match sl & 0x0f {
            0 => {}
            1 => parts.push("small".into()),
            2 => parts.push("normal".into()),
            3 => parts.push("large".into()),
            4 => parts.push("xlarge".into()),
            v => parts.push(format!("screenLayoutSize={v}")),
        }
        match sl & 0x30 {
            0 => {}
            0x10 => parts.push("notlong".into()),
            0x20 => parts.push("long".into()),
            v => parts.push(format!("screenLayoutLong={v}")),
        }
        match self.screen_layout2 & 0x03 {
            0 => {}
            1 => parts.push("notround".into()),
            2 => parts.push("round".into()),
            v => parts.push(format!("screenRound={v}")),
        }
        match self.color_mode & 0x03 {
            0 => {}
            1 => parts.push("nowidecg".into()),
            2 => parts.push("widecg".into()),
            v => parts.push(format!("wideColorGamut={v}")),
        }
        match self.color_mode & 0x0c {
            0 => {}
            0x04 => parts.push("lowdr".into()),
            0x08 => parts.push("highdr".into()),
            v => parts.push(format!("hdr={v}")),
        }
        match self.orientation {
            0 => {}
            1 => parts.push("port".into()),
            2 => parts.push("land".into()),
            3 => parts.push("square".into()),
            v => parts.push(format!("orientation={v}")),
        }
        match self.ui_mode & 0x0f {
            0 => {}
            2 => parts.push("desk".into()),
            3 => parts.push("car".into()),
            4 => parts.push("television".into()),
            5 => parts.push("appliance".into()),
            6 => parts.push("watch".into()),
            7 => parts.push("vrheadset".into()),
            // aapt prints `screenLayout & MASK` here (a bug); we print uiMode.
            v => parts.push(format!("uiModeType={v}")),
        }
        match self.ui_mode & 0x30 {
            0 => {}
            0x10 => parts.push("notnight".into()),
            0x20 => parts.push("night".into()),
            v => parts.push(format!("uiModeNight={v}")),
        }
        match self.grammatical_inflection & 0x03 {
            0 => {}
            1 => parts.push("neuter".into()),
            2 => parts.push("feminine".into()),
            _ => parts.push("masculine".into()),
        }
        match self.density {
            0 => {}
            DENSITY_LOW => parts.push("ldpi".into()),
            DENSITY_MEDIUM => parts.push("mdpi".into()),
            DENSITY_TV => parts.push("tvdpi".into()),
            DENSITY_HIGH => parts.push("hdpi".into()),
            DENSITY_XHIGH => parts.push("xhdpi".into()),
            DENSITY_XXHIGH => parts.push("xxhdpi".into()),
            DENSITY_XXXHIGH => parts.push("xxxhdpi".into()),
            DENSITY_NONE => parts.push("nodpi".into()),
            DENSITY_ANY => parts.push("anydpi".into()),
            v => parts.push(format!("{v}dpi")),
        }
        match self.touchscreen {
            0 => {}
            1 => parts.push("notouch".into()),
            2 => parts.push("stylus".into()),
            3 => parts.push("finger".into()),
            v => parts.push(format!("touchscreen={v}")),
        }
        match self.input_flags & 0x03 {
            0 => {}
            1 => parts.push("keysexposed".into()),
            2 => parts.push("keyshidden".into()),
            _ => parts.push("keyssoft".into()),
        }
        match self.keyboard {
            0 => {}
            1 => parts.push("nokeys".into()),
            2 => parts.push("qwerty".into()),
            3 => parts.push("12key".into()),
            v => parts.push(format!("keyboard={v}")),
        }
        match self.input_flags & 0x0c {
            0 => {}
            0x04 => parts.push("navexposed".into()),
            0x08 => parts.push("navhidden".into()),
            v => parts.push(format!("inputFlagsNavHidden={v}")),
        }
        match self.navigation {
            0 => {}
            1 => parts.push("nonav".into()),
            2 => parts.push("dpad".into()),
            3 => parts.push("trackball".into()),
            4 => parts.push("wheel".into()),
            v => parts.push(format!("navigation={v}")),
        }
        if self.screen_width != 0 || self.screen_height != 0 {
            parts.push(format!("{}x{}", self.screen_width, self.screen_height));
        }
        if self.sdk_version != 0 || self.minor_version != 0 {
            let mut v = format!("v{}", self.sdk_version);
            if self.minor_version != 0 {
                v.push_str(&format!(".{}", self.minor_version));
            }
            parts.push(v);
        }
        f.write_str(&parts.join("-"))
    }
}

/// A requested locale, parsed from `zh-CN`, `zh-rCN`, `zh_CN`, `b+sr+Latn`,
/// `sr-Latn-RS` and the like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LocaleRequest {
    pub language: String,
    pub script: Option<String>,
    pub region: String,
    pub variant: Option<String>,
}

impl LocaleRequest {
    /// `None` for the empty string (the default locale).
    pub fn parse(s: &str) -> Option<LocaleRequest> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let parts: Vec<&str> = if let Some(rest) = s.strip_prefix("b+") {
            rest.split('+').collect()
        } else {
            s.split(['-', '_']).collect()
        };
        let mut it = parts.into_iter().filter(|p| !p.is_empty());
        let language = it.next()?.to_ascii_lowercase();
        let mut req = LocaleRequest {
            language,
            ..LocaleRequest::default()
        };
        for p in it {
            if p.len() == 1 {
                // A singleton starts an extension (`-u-nu-arab`): not used
                // for matching.
                break;
            }
            let lower = p.to_ascii_lowercase();
            if p.len() == 3 && (p.starts_with('r') || p.starts_with('R')) && req.region.is_empty() {
                // Directory form `-rCN`.
                req.region = p.get(1..).unwrap_or_default().to_ascii_uppercase();
            } else if p.len() == 4
                && p.chars().all(|c| c.is_ascii_alphabetic())
                && req.script.is_none()
            {
                let mut sc = String::new();
                for (i, c) in lower.chars().enumerate() {
                    sc.push(if i == 0 { c.to_ascii_uppercase() } else { c });
                }
                req.script = Some(sc);
            } else if (p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
                || (p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
            {
                if req.region.is_empty() {
                    req.region = p.to_ascii_uppercase();
                }
            } else if p.len() >= 4 && req.variant.is_none() {
                req.variant = Some(lower);
            }
        }
        Some(req)
    }

    /// The script used for matching: explicit, or the likely one.
    pub fn effective_script(&self) -> &str {
        match &self.script {
            Some(s) => s,
            None => likely_script(&self.language, &self.region),
        }
    }
}

/// An approximation of `localeDataComputeScript` (CLDR likely subtags)
/// limited to the languages whose script depends on the region. Every
/// other language is treated as written in one script everywhere, which is
/// what the full table says for nearly all of them.
pub(crate) fn likely_script(language: &str, region: &str) -> &'static str {
    match (language, region) {
        ("zh", "TW" | "HK" | "MO") => "Hant",
        ("zh", _) => "Hans",
        ("sr", "ME" | "RO" | "RU" | "TR") => "Latn",
        ("sr", _) => "Cyrl",
        ("pa", "PK") => "Arab",
        ("pa", _) => "Guru",
        ("uz", "AF") => "Arab",
        ("uz", "CN") => "Cyrl",
        ("uz", _) => "Latn",
        ("az", "IR" | "IQ") => "Arab",
        ("az", "RU") => "Cyrl",
        ("az", _) => "Latn",
        ("mn", "CN") => "Mong",
        ("mn", _) => "Cyrl",
        ("ha", "CM" | "SD") => "Arab",
        ("ha", _) => "Latn",
        ("ms", "CC") => "Arab",
        ("ms", _) => "Latn",
        ("sd", "IN") => "Deva",
        ("sd", _) => "Arab",
        // Single-script language: any region shares the script.
        _ => "",
    }
}

/// `langsAreEquivalent`: identical, or Tagalog/Filipino.
pub(crate) fn langs_equivalent(a: &str, b: &str) -> bool {
    a == b || matches!((a, b), ("tl", "fil") | ("fil", "tl"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn cfg(f: impl FnOnce(&mut Config)) -> Config {
        let mut c = Config {
            size: 64,
            ..Config::default()
        };
        f(&mut c);
        c
    }

    #[test]
    fn names_like_aapt() {
        assert_eq!(cfg(|_| {}).to_string(), "");
        assert!(cfg(|_| {}).is_default());
        let zh_cn = cfg(|c| {
            c.language = *b"zh";
            c.country = *b"CN";
        });
        assert_eq!(zh_cn.to_string(), "zh-rCN");
        assert_eq!(zh_cn.bcp47(), "zh-CN");
        assert_eq!(
            cfg(|c| {
                c.density = 240;
                c.sdk_version = 4;
            })
            .to_string(),
            "hdpi-v4"
        );
        assert_eq!(
            cfg(|c| {
                c.screen_layout = 0x80;
                c.density = 320;
                c.sdk_version = 17;
            })
            .to_string(),
            "ldrtl-xhdpi-v17"
        );
        let sr = cfg(|c| {
            c.language = *b"sr";
            c.locale_script = *b"Latn";
        });
        assert_eq!(sr.to_string(), "b+sr+Latn");
        assert_eq!(sr.bcp47(), "sr-Latn");
        assert_eq!(
            cfg(|c| {
                c.mcc = 460;
                c.language = *b"zh";
                c.smallest_screen_width_dp = 600;
                c.ui_mode = 0x20;
                c.sdk_version = 13;
            })
            .to_string(),
            "mcc460-zh-sw600dp-night-v13"
        );
    }

    #[test]
    fn packed_three_letter_codes() {
        let fil = pack_language_or_region("fil", b'a');
        assert!(fil[0] & 0x80 != 0);
        let c = cfg(|c| {
            c.language = fil;
            c.country = pack_language_or_region("419", b'0');
        });
        assert_eq!(c.language(), "fil");
        assert_eq!(c.region(), "419");
        assert_eq!(c.to_string(), "fil-r419");
        assert_eq!(c.bcp47(), "fil-419");
    }

    #[test]
    fn short_and_long_sizes() {
        // A 28-byte config (Android 1.x): only fields up to minorVersion.
        let mut raw = vec![0u8; 28];
        raw[0] = 28;
        raw[8..10].copy_from_slice(b"de");
        raw[24] = 4;
        let (c, q) = Config::read(&raw);
        assert_eq!(c.to_string(), "de-v4");
        assert_eq!(q, ConfigQuirks::default());
        // A 72-byte config with unknown trailing data.
        let mut raw = vec![0u8; 72];
        raw[0] = 72;
        raw[70] = 1;
        let (_, q) = Config::read(&raw);
        assert!(q.unknown_fields);
        // Size larger than what the header holds.
        let raw = [64u8, 0, 0, 0, 0, 0, 0, 0];
        let (c, q) = Config::read(&raw);
        assert!(q.size_exceeds_header);
        assert!(c.is_default());
    }

    #[test]
    fn locale_requests() {
        let r = LocaleRequest::parse("zh-rCN").unwrap();
        assert_eq!((r.language.as_str(), r.region.as_str()), ("zh", "CN"));
        let r = LocaleRequest::parse("zh_TW").unwrap();
        assert_eq!(r.effective_script(), "Hant");
        let r = LocaleRequest::parse("b+sr+Latn").unwrap();
        assert_eq!(r.script.as_deref(), Some("Latn"));
        let r = LocaleRequest::parse("es-419").unwrap();
        assert_eq!(r.region, "419");
        assert!(LocaleRequest::parse("").is_none());
    }
}
