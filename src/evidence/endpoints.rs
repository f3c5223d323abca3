//! Endpoint extraction: the URLs, host names and IP literals that strings
//! of an app (DEX `const-string`s, resources, assets, native `.rodata`)
//! point at.
//!
//! This module owns the string heuristics and the ignore list
//! (`rulesets/endpoint-ignore.toml`). It does not know where a string came
//! from: callers pass each string with their own provenance key
//! ([`Extractor::extract_many`]) and keep it next to the endpoints found.
//! It must not panic, allocate without bound or take more than linear time
//! on any input: it runs on every string of hostile apps.
//!
//! # What counts as an endpoint
//!
//! * **URLs** with scheme `http`, `https`, `ws`, `wss` or `ftp` (any case),
//!   anywhere in the string. The scheme must start at a word boundary
//!   (`xhttp://` is not a URL). The URL ends at whitespace, a quote, one of
//!   ``<>`{}|\^``, a control character or a non-ASCII character;
//!   trailing `.,;:!?*'` and unbalanced `)`/`]`/`}` are cut off, so
//!   `(see https://a.test/x).` yields `https://a.test/x`. Userinfo is
//!   dropped. The host must be an IPv4 literal, a bracketed IPv6 literal
//!   (zone ids `%25eth0`/`%eth0` are accepted and dropped) or a name of
//!   ASCII labels (`a-z0-9-_`, at most 63 bytes each, 253 in all; a trailing
//!   dot is removed). Anything else, such as `%s`, `{host}` or `$HOST`
//!   templates and unicode hosts, is not reported: IDNA is left as is, so a
//!   punycode `xn--` name is reported and a raw unicode one is not. A port
//!   outside `1..=65535` or not made of digits drops the URL. URLs inside
//!   another URL's path or query are not reported separately.
//! * **IPv4 literals** in free text, when not glued to letters, digits,
//!   `.`, `-` or `_` (so `1.2.3.4.5` and `v1.2.3.4` are skipped), without
//!   leading zeros, optionally with `:port`. Skipped as almost always not
//!   addresses: `0.0.0.0/8`, `240.0.0.0/4` (netmasks such as
//!   `255.255.255.0`, broadcast), the X.500 OID arc `2.5.0.0/16`
//!   (`2.5.29.17` in certificate code) and version-like quads whose octets
//!   are all single digits (`4.1.2.0`), except the public resolvers in
//!   [`KNOWN_RESOLVERS`].
//! * **Bare names and IPv6 literals** only when the whole string (trimmed
//!   of whitespace) is one, optionally with `:port`:
//!   * a name is reported when it is lowercase, has at least two labels,
//!     and its public suffix is in the Public Suffix List (or is one of the
//!     special-use names `test`, `example`, `localhost`, `local`, which our
//!     samples and LAN services use). Java package names are excluded:
//!     a first label in [`PACKAGE_ROOTS`] (`com.tencent.mm`,
//!     `cn.jpush.android`) is rejected unless the last label is a common web
//!     TLD ([`WEB_TLDS`]: `cn.bing.com` stays). File names are excluded: a
//!     two-label name whose TLD is also a common file extension
//!     ([`FILE_EXT_TLDS`]: `readme.md`, `setup.py`, `libfoo.so`) is
//!     rejected.
//!   * an IPv6 literal is reported when `std` parses it (brackets and a
//!     zone id allowed) and it is not `::`.
//!
//! Every endpoint is then checked against the ignore list; matches are
//! dropped.
//!
//! # Normalisation
//!
//! Scheme and host are lowercased, IPv6 is printed in `std`'s canonical
//! form without brackets, the path (with query, without fragment) is cut to
//! [`MAX_PATH_CHARS`]. The registrable domain (eTLD+1) comes from the
//! Public Suffix List compiled into the `psl` crate (ICANN and private
//! sections: `foo.github.io` is its own registrable domain); names under an
//! unknown TLD fall back to the last two labels, as the list's `*` rule
//! says (`a.example.test` → `example.test`).
//!
//! # Limits
//!
//! Only the first [`MAX_SCAN_BYTES`] of a string are scanned and at most
//! [`MAX_ENDPOINTS`] endpoints are returned per string.
//!
//! # Example
//!
//! ```
//! use humiao::evidence::endpoints::extract;
//! let found = extract("upload to http://collect.example-tracker.test:8080/v1/imei?x=1#frag).");
//! assert_eq!(found.len(), 1);
//! let e = &found[0];
//! assert_eq!(e.url.as_deref(), Some("http://collect.example-tracker.test:8080/v1/imei?x=1"));
//! assert_eq!(e.registrable_domain.as_deref(), Some("example-tracker.test"));
//! assert!(e.cleartext && !e.ip_literal);
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::OnceLock;

use memchr::{memchr, memchr_iter, memmem};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::catalog::{invalid, CatalogError};

/// The embedded ignore list.
pub const EMBEDDED_IGNORE: &str = include_str!("../../rulesets/endpoint-ignore.toml");

/// Bytes of one string that are scanned; the rest is ignored.
pub const MAX_SCAN_BYTES: usize = 4 << 20;
/// Endpoints reported per string at most.
pub const MAX_ENDPOINTS: usize = 4096;
/// Characters of path (and query) kept per URL.
pub const MAX_PATH_CHARS: usize = 256;
/// Bytes of authority (userinfo, host, port) a URL may have.
const MAX_AUTHORITY: usize = 512;
/// Longest host name (RFC 1035 without the trailing dot).
const MAX_HOST: usize = 253;
/// Longest label.
const MAX_LABEL: usize = 63;

/// Public DNS resolvers kept although they look like version numbers.
pub const KNOWN_RESOLVERS: &[&str] = &["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9"];
/// First labels that make a dotted lowercase string a Java package name.
pub const PACKAGE_ROOTS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "cn", "io", "android", "androidx", "java", "javax",
    "kotlin", "kotlinx", "dalvik",
];
/// TLDs that keep a name starting with a [`PACKAGE_ROOTS`] label.
pub const WEB_TLDS: &[&str] = &["com", "net", "org", "cn", "io", "info", "top", "xyz", "vip"];
/// TLDs that are also common file extensions; `name.ext` is a file name.
pub const FILE_EXT_TLDS: &[&str] = &[
    "md",
    "py",
    "sh",
    "so",
    "zip",
    "mov",
    "cc",
    "rs",
    "pl",
    "ps",
    "mp",
    "ai",
    "ml",
    "im",
    "js",
    "ts",
    "kt",
    "gz",
    "bz",
    "db",
    "properties",
];
/// Special-use names (RFC 6761 and mDNS) accepted as TLDs of bare names.
const SPECIAL_TLDS: &[&str] = &["test", "example", "localhost", "local"];

/// URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// `http`
    Http,
    /// `https`
    Https,
    /// `ws`
    Ws,
    /// `wss`
    Wss,
    /// `ftp`
    Ftp,
}

impl Scheme {
    fn parse(b: &[u8]) -> Option<Scheme> {
        let mut buf = [0u8; 5];
        let low = buf.get_mut(..b.len())?;
        low.copy_from_slice(b);
        low.make_ascii_lowercase();
        Some(match &*low {
            b"http" => Scheme::Http,
            b"https" => Scheme::Https,
            b"ws" => Scheme::Ws,
            b"wss" => Scheme::Wss,
            b"ftp" => Scheme::Ftp,
            _ => return None,
        })
    }

    /// The scheme as written in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
            Scheme::Ws => "ws",
            Scheme::Wss => "wss",
            Scheme::Ftp => "ftp",
        }
    }

    /// Whether traffic with this scheme is unencrypted.
    pub fn is_cleartext(self) -> bool {
        matches!(self, Scheme::Http | Scheme::Ws | Scheme::Ftp)
    }
}

/// How an endpoint was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointKind {
    /// A URL with a scheme.
    Url,
    /// A bare host name (the whole string).
    Host,
    /// A bare IP literal.
    Ip,
}

/// One endpoint found in a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    /// How it was found.
    pub kind: EndpointKind,
    /// Byte offset in the scanned string where it starts.
    pub offset: usize,
    /// Normalised URL (`scheme://host[:port]path`), for [`EndpointKind::Url`].
    pub url: Option<String>,
    /// Scheme, for URLs.
    pub scheme: Option<Scheme>,
    /// Lowercased host name or canonical IP literal (IPv6 without brackets).
    pub host: String,
    /// Explicit port.
    pub port: Option<u16>,
    /// Path and query (no fragment), at most [`MAX_PATH_CHARS`] characters;
    /// `None` when the URL has none.
    pub path: Option<String>,
    /// eTLD+1 from the Public Suffix List; `None` for IP literals and
    /// single-label names.
    pub registrable_domain: Option<String>,
    /// Unencrypted scheme (`http`, `ws`, `ftp`); `false` for bare hosts and
    /// IPs, whose protocol is unknown.
    pub cleartext: bool,
    /// The host is an IP literal.
    pub ip_literal: bool,
    /// The IP is not publicly routable (RFC 1918, CGNAT, loopback,
    /// link-local, unique-local, multicast, documentation ranges).
    pub private_ip: bool,
    /// Loopback, link-local, `localhost`, `*.localhost` or `*.local`.
    pub local: bool,
}

/// How an ignore entry matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreMatcher {
    /// Host equals this.
    Host(String),
    /// Host equals this or is a subdomain of it.
    Domain(String),
    /// `host/path` of a URL starts with this.
    UrlPrefix(String),
}

/// One entry of the ignore list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoreRule {
    /// What it matches.
    pub matcher: IgnoreMatcher,
    /// Why such strings are not endpoints.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    #[serde(default)]
    host: Option<Spanned<String>>,
    #[serde(default)]
    domain: Option<Spanned<String>>,
    #[serde(default)]
    url_prefix: Option<Spanned<String>>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

/// Strings that look like endpoints but are not (`rulesets/endpoint-ignore.toml`).
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    /// The entries, in file order.
    pub rules: Vec<IgnoreRule>,
}

impl IgnoreList {
    /// Parses an ignore file; errors name `path`, line and column.
    pub fn parse(path: &Path, text: &str) -> Result<IgnoreList, CatalogError> {
        let file: IgnoreFile = toml::from_str(text).map_err(|e| {
            let off = e.span().map_or(0, |s| s.start);
            invalid(path, text, off, e.message().to_string())
        })?;
        let mut rules = Vec::with_capacity(file.ignore.len());
        for entry in file.ignore {
            let start = entry.span().start;
            let raw = entry.into_inner();
            let mut given = [
                raw.host.map(|v| (v, 0)),
                raw.domain.map(|v| (v, 1)),
                raw.url_prefix.map(|v| (v, 2)),
            ]
            .into_iter()
            .flatten();
            let (Some((value, which)), None) = (given.next(), given.next()) else {
                return Err(invalid(
                    path,
                    text,
                    start,
                    "give exactly one of `host`, `domain`, `url_prefix`".into(),
                ));
            };
            let v = value.get_ref();
            let bad = v.is_empty()
                || v.contains("://")
                || v.bytes()
                    .any(|b| b.is_ascii_uppercase() || b.is_ascii_whitespace())
                || (which < 2 && v.contains('/'));
            if bad {
                let msg = format!("`{v}` must be lowercase, without scheme or spaces (and without a path unless url_prefix)");
                return Err(invalid(path, text, value.span().start, msg));
            }
            if raw.reason.trim().is_empty() {
                return Err(invalid(
                    path,
                    text,
                    start,
                    "an ignore entry needs a `reason`".into(),
                ));
            }
            let v = value.into_inner();
            let matcher = match which {
                0 => IgnoreMatcher::Host(v),
                1 => IgnoreMatcher::Domain(v),
                _ => IgnoreMatcher::UrlPrefix(v),
            };
            rules.push(IgnoreRule {
                matcher,
                reason: raw.reason,
            });
        }
        Ok(IgnoreList { rules })
    }

    /// The list embedded in the binary.
    pub fn embedded() -> Result<IgnoreList, CatalogError> {
        IgnoreList::parse(Path::new("rulesets/endpoint-ignore.toml"), EMBEDDED_IGNORE)
    }

    /// Loads `endpoint-ignore.toml` from a rulesets directory.
    pub fn load_dir(dir: &Path) -> Result<IgnoreList, CatalogError> {
        let path = dir.join("endpoint-ignore.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| CatalogError::Io {
            path: path.clone(),
            source,
        })?;
        IgnoreList::parse(&path, &text)
    }

    /// The first rule that drops `e`, if any.
    pub fn matching(&self, e: &Endpoint) -> Option<&IgnoreRule> {
        let host = e.host.as_str();
        self.rules.iter().find(|r| match &r.matcher {
            IgnoreMatcher::Host(h) => host == h,
            IgnoreMatcher::Domain(d) => {
                host == d
                    || (host.len() > d.len()
                        && host.ends_with(d.as_str())
                        && host.as_bytes().get(host.len() - d.len() - 1) == Some(&b'.'))
            }
            IgnoreMatcher::UrlPrefix(p) => {
                e.kind == EndpointKind::Url
                    && format!("{host}{}", e.path.as_deref().unwrap_or("")).starts_with(p.as_str())
            }
        })
    }
}

/// Finds endpoints in strings. Build once, share between threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    ignore: IgnoreList,
    /// Compiled on first use (a scan without code never needs it). `None`
    /// only if the constant pattern failed to compile (a test rules that
    /// out); IPv4-in-text scanning is then skipped, not a panic.
    ipv4: OnceLock<Option<Regex>>,
}

/// Dotted quads with an optional port. ASCII-only (`(?-u)`): `\b` and `\d`
/// are byte classes. The regex crate matches in linear time, so no input
/// can make this slow; the context checks regex cannot express (no
/// look-around) are done by hand in `scan_ipv4`.
const IPV4_PATTERN: &str = r"(?-u)\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d{1,6}))?";

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new(IgnoreList::default())
    }
}

static DEFAULT: OnceLock<Extractor> = OnceLock::new();

/// Endpoints in `s`, with the embedded ignore list.
pub fn extract(s: &str) -> Vec<Endpoint> {
    DEFAULT
        .get_or_init(|| Extractor::embedded().unwrap_or_default())
        .extract(s)
}

impl Extractor {
    /// An extractor with this ignore list.
    pub fn new(ignore: IgnoreList) -> Self {
        Extractor {
            ignore,
            ipv4: OnceLock::new(),
        }
    }

    /// An extractor with the embedded ignore list.
    pub fn embedded() -> Result<Self, CatalogError> {
        Ok(Extractor::new(IgnoreList::embedded()?))
    }

    /// The ignore list in use.
    pub fn ignore_list(&self) -> &IgnoreList {
        &self.ignore
    }

    /// Endpoints in `s`, in order of appearance.
    pub fn extract(&self, s: &str) -> Vec<Endpoint> {
        let mut out = Vec::new();
        self.extract_into(s, &mut out);
        out
    }

    /// Endpoints in raw bytes (MUTF-8 or UTF-8 from DEX, resources, native
    /// code): cheap rejection on the bytes, then a lossy UTF-8 view.
    /// Offsets refer to that view.
    pub fn extract_bytes(&self, b: &[u8]) -> Vec<Endpoint> {
        let b = b.get(..MAX_SCAN_BYTES).unwrap_or(b);
        if !might_hold_endpoint(b) {
            return Vec::new();
        }
        self.extract(&String::from_utf8_lossy(b))
    }

    /// Runs over many strings, each with the caller's provenance key (a
    /// DEX class, resource name, asset path, …); returns only the strings
    /// that hold endpoints, with their keys, in input order.
    pub fn extract_many<K, S: AsRef<str>>(
        &self,
        items: impl IntoIterator<Item = (K, S)>,
    ) -> Vec<(K, Vec<Endpoint>)> {
        self.extract_each(items).collect()
    }

    /// Streaming form of [`Extractor::extract_many`]: yields each string
    /// that holds endpoints as it is reached, so a caller walking 100k DEX
    /// strings never holds them all.
    pub fn extract_each<'x, K, S: AsRef<str>>(
        &'x self,
        items: impl IntoIterator<Item = (K, S)> + 'x,
    ) -> impl Iterator<Item = (K, Vec<Endpoint>)> + 'x {
        items.into_iter().filter_map(move |(key, s)| {
            let found = self.extract(s.as_ref());
            (!found.is_empty()).then_some((key, found))
        })
    }

    /// Appends the endpoints of `s` to `out`.
    pub fn extract_into(&self, s: &str, out: &mut Vec<Endpoint>) {
        let s = truncate_str(s, MAX_SCAN_BYTES);
        let b = s.as_bytes();
        if !might_hold_endpoint(b) {
            return;
        }
        let mut found = Vec::new();
        let mut url_spans = Vec::new();
        if memmem::find(b, b"://").is_some() {
            scan_urls(b, &mut found, &mut url_spans);
        }
        if memchr_iter(b'.', b).nth(2).is_some() {
            self.scan_ipv4(b, &url_spans, &mut found);
        }
        if found.is_empty() {
            if let Some(e) = bare(s) {
                found.push(e);
            }
        }
        found.sort_by_key(|e| e.offset);
        out.extend(
            found
                .into_iter()
                .filter(|e| self.ignore.matching(e).is_none())
                .take(MAX_ENDPOINTS),
        );
    }

    fn scan_ipv4(&self, b: &[u8], url_spans: &[(usize, usize)], out: &mut Vec<Endpoint>) {
        let Some(re) = self.ipv4.get_or_init(|| Regex::new(IPV4_PATTERN).ok()) else {
            return;
        };
        // Spans and matches both come in increasing order: one moving index
        // keeps the overlap test linear.
        let mut span = 0;
        for caps in re.captures_iter(b) {
            if out.len() >= MAX_ENDPOINTS {
                return;
            }
            let Some(m) = caps.get(0) else { continue };
            while url_spans.get(span).is_some_and(|&(_, z)| z <= m.start()) {
                span += 1;
            }
            if url_spans.get(span).is_some_and(|&(a, _)| a < m.end()) {
                continue;
            }
            let before = m.start().checked_sub(1).and_then(|i| b.get(i)).copied();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            {
                continue;
            }
            let after = b.get(m.end()).copied();
            let after2 = b.get(m.end() + 1).copied();
            if after.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
                || (after == Some(b'.') && after2.is_some_and(|c| c.is_ascii_digit()))
            {
                continue;
            }
            let mut octets = [0u8; 4];
            let mut ok = true;
            for (i, o) in octets.iter_mut().enumerate() {
                match caps.get(i + 1).and_then(|g| parse_octet(g.as_bytes())) {
                    Some(v) => *o = v,
                    None => ok = false,
                }
            }
            let port = match caps.get(5) {
                Some(p) => match parse_port(p.as_bytes()) {
                    Some(p) => Some(p),
                    None => continue,
                },
                None => None,
            };
            if !ok {
                continue;
            }
            let ip = Ipv4Addr::from(octets);
            if skip_bare_ipv4(ip) {
                continue;
            }
            out.push(endpoint(
                EndpointKind::Ip,
                m.start(),
                None,
                Host::V4(ip),
                port,
                None,
            ));
        }
    }
}

/// Cheap test on raw bytes: can this string hold an endpoint at all? Every
/// URL has `:`, every name and IPv4 literal has `.`.
pub fn might_hold_endpoint(b: &[u8]) -> bool {
    b.len() >= 3 && (memchr(b'.', b).is_some() || memchr(b':', b).is_some())
}

fn truncate_str(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

enum Host {
    Name(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

fn is_scheme_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
}

/// Bytes that end a URL.
fn is_terminator(c: u8) -> bool {
    c <= b' '
        || c >= 0x7f
        || matches!(
            c,
            b'"' | b'\'' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^'
        )
}

fn scan_urls(b: &[u8], out: &mut Vec<Endpoint>, spans: &mut Vec<(usize, usize)>) {
    let mut resume = 0;
    for sep in memmem::find_iter(b, b"://") {
        if sep < resume {
            continue;
        }
        if out.len() >= MAX_ENDPOINTS {
            return;
        }
        // Walk back over scheme characters; a run longer than any of our
        // schemes (or glued to a word) is not one of them.
        let mut st = sep;
        while st > 0 && sep - st <= 6 && b.get(st - 1).copied().is_some_and(is_scheme_byte) {
            st -= 1;
        }
        let Some(scheme) = b.get(st..sep).and_then(Scheme::parse) else {
            continue;
        };
        if st > 0 && b.get(st - 1).copied().is_some_and(is_scheme_byte) {
            continue;
        }
        let start = sep + 3;
        if let Some((end, e)) = parse_url(b, st, start, scheme) {
            spans.push((st, end));
            out.push(e);
            resume = end;
        }
    }
}

/// Parses the part after `scheme://`; returns the end of the URL and the
/// endpoint, or `None` (the caller then goes on at the next `://`, having
/// spent at most [`MAX_AUTHORITY`] bytes here).
fn parse_url(
    b: &[u8],
    url_start: usize,
    start: usize,
    scheme: Scheme,
) -> Option<(usize, Endpoint)> {
    let rest = b.get(start..)?;
    let auth_len = rest
        .iter()
        .take(MAX_AUTHORITY + 1)
        .position(|&c| matches!(c, b'/' | b'?' | b'#') || is_terminator(c))
        .unwrap_or(rest.len().min(MAX_AUTHORITY + 1));
    if auth_len > MAX_AUTHORITY {
        return None;
    }
    let mut authority = rest.get(..auth_len)?;
    let has_path = rest
        .get(auth_len)
        .is_some_and(|&c| matches!(c, b'/' | b'?' | b'#'));
    if !has_path {
        authority = trim_trailing(authority);
    }
    let (host, port) = parse_authority(authority)?;
    let mut end = start + authority.len();
    let mut path = None;
    if has_path {
        let tail = rest.get(auth_len..)?;
        let raw_len = tail
            .iter()
            .position(|&c| is_terminator(c))
            .unwrap_or(tail.len());
        let raw = tail.get(..raw_len)?;
        let trimmed = trim_trailing(raw);
        end = start + auth_len + trimmed.len();
        let no_frag = trimmed.get(..memchr(b'#', trimmed).unwrap_or(trimmed.len()))?;
        if !no_frag.is_empty() {
            let kept = no_frag.get(..no_frag.len().min(MAX_PATH_CHARS))?;
            // ASCII only (non-ASCII terminates), so this never splits a char.
            path = Some(String::from_utf8_lossy(kept).into_owned());
        }
        // Resume after the whole raw candidate so nested "://" in the path
        // are not rescanned (keeps the scan linear).
        let e = endpoint(EndpointKind::Url, url_start, Some(scheme), host, port, path);
        return Some(((start + auth_len + raw_len).max(end), e));
    }
    Some((
        end,
        endpoint(EndpointKind::Url, url_start, Some(scheme), host, port, path),
    ))
}

/// Cuts trailing punctuation that belongs to the surrounding text; a
/// closing bracket stays when it closes one opened inside the URL.
fn trim_trailing(mut s: &[u8]) -> &[u8] {
    // Counted once, updated as brackets are cut: linear however many
    // closing brackets a hostile string ends with.
    let count = |c: u8| memchr_iter(c, s).count();
    let open = [count(b'('), count(b'['), count(b'{')];
    let mut close = [count(b')'), count(b']'), count(b'}')];
    loop {
        let Some((&last, head)) = s.split_last() else {
            return s;
        };
        let bracket = match last {
            b')' => Some(0),
            b']' => Some(1),
            b'}' => Some(2),
            _ => None,
        };
        let cut = match bracket {
            Some(i) => match (open.get(i).copied(), close.get_mut(i)) {
                (Some(o), Some(c)) if *c > o => {
                    *c -= 1;
                    true
                }
                _ => false,
            },
            None => matches!(
                last,
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*' | b'\'' | b'"'
            ),
        };
        if !cut {
            return s;
        }
        s = head;
    }
}

fn parse_authority(authority: &[u8]) -> Option<(Host, Option<u16>)> {
    let host_port = match memchr::memrchr(b'@', authority) {
        Some(at) => authority.get(at + 1..)?,
        None => authority,
    };
    if let Some(inner) = host_port.strip_prefix(b"[") {
        let close = memchr(b']', inner)?;
        let ip = parse_ipv6_zoned(inner.get(..close)?, true)?;
        let after = inner.get(close + 1..)?;
        let port = match after {
            [] => None,
            [b':', p @ ..] => port_or_default(p)?,
            _ => return None,
        };
        return Some((Host::V6(ip), port));
    }
    let (name, port) = match memchr::memrchr(b':', host_port) {
        Some(i) => (
            host_port.get(..i)?,
            port_or_default(host_port.get(i + 1..)?)?,
        ),
        None => (host_port, None),
    };
    Some((parse_host_name(name)?, port))
}

/// `Some(None)` for an empty port (`http://a.test:/` is legal), `None` for
/// an invalid one.
fn port_or_default(p: &[u8]) -> Option<Option<u16>> {
    if p.is_empty() {
        return Some(None);
    }
    parse_port(p).map(Some)
}

fn parse_port(p: &[u8]) -> Option<u16> {
    if p.is_empty() || p.len() > 5 || !p.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v: u32 = p.iter().fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'));
    u16::try_from(v).ok().filter(|&v| v != 0)
}

fn parse_octet(d: &[u8]) -> Option<u8> {
    if d.is_empty()
        || d.len() > 3
        || (d.len() > 1 && d.first() == Some(&b'0'))
        || !d.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let v: u32 = d.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'));
    u8::try_from(v).ok()
}

/// An IPv6 literal with an optional zone id (`%eth0`, or `%25eth0` inside
/// URLs); the zone is dropped.
fn parse_ipv6_zoned(s: &[u8], in_url: bool) -> Option<Ipv6Addr> {
    let (addr, zone) = match memchr(b'%', s) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    if let Some(z) = zone {
        let z = if in_url {
            z.strip_prefix(b"25").unwrap_or(z)
        } else {
            z
        };
        if z.is_empty()
            || z.len() > 64
            || !z
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'~' | b'-'))
        {
            return None;
        }
    }
    if addr.len() > 45
        || !addr
            .iter()
            .all(|&c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
    {
        return None;
    }
    std::str::from_utf8(addr).ok()?.parse().ok()
}

/// A host name or IPv4 literal as found after `scheme://`.
fn parse_host_name(name: &[u8]) -> Option<Host> {
    let name = name.strip_suffix(b".").unwrap_or(name);
    if name.is_empty() || name.len() > MAX_HOST {
        return None;
    }
    if name.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
        let mut parts = name.split(|&c| c == b'.');
        let mut octets = [0u8; 4];
        for o in &mut octets {
            *o = parse_octet(parts.next()?)?;
        }
        return parts
            .next()
            .is_none()
            .then_some(Host::V4(Ipv4Addr::from(octets)));
    }
    for label in name.split(|&c| c == b'.') {
        if label.is_empty() || label.len() > MAX_LABEL {
            return None;
        }
        if !label
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            return None;
        }
    }
    let mut s = String::from_utf8_lossy(name).into_owned();
    s.make_ascii_lowercase();
    Some(Host::Name(s))
}

fn skip_bare_ipv4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    if a == 0 || a >= 240 || (a == 2 && b == 5) {
        return true;
    }
    let text = ip.to_string();
    let version_like = ip.octets().iter().all(|&o| o < 10);
    version_like && !KNOWN_RESOLVERS.contains(&text.as_str())
}

/// The whole string as a bare name, IPv6 literal, with an optional port.
fn bare(s: &str) -> Option<Endpoint> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let offset = s.len()
        - s.trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    let tb = t.as_bytes();
    if tb.len() < 2 || tb.len() > MAX_HOST + 8 {
        return None;
    }
    // IPv6: [addr]:port, or addr with optional zone.
    if memchr_iter(b':', tb).nth(1).is_some() {
        let (addr, port) = match tb.strip_prefix(b"[") {
            Some(inner) => {
                let close = memchr(b']', inner)?;
                let port = match inner.get(close + 1..)? {
                    [] => None,
                    [b':', p @ ..] => Some(parse_port(p)?),
                    _ => return None,
                };
                (inner.get(..close)?, port)
            }
            None => (tb, None),
        };
        let ip = parse_ipv6_zoned(addr, false)?;
        if ip.is_unspecified() {
            return None;
        }
        return Some(endpoint(
            EndpointKind::Ip,
            offset,
            None,
            Host::V6(ip),
            port,
            None,
        ));
    }
    let (name, port) = match memchr(b':', tb) {
        Some(i) => (tb.get(..i)?, Some(parse_port(tb.get(i + 1..)?)?)),
        None => (tb, None),
    };
    if !name
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
    {
        return None;
    }
    let Host::Name(host) = parse_host_name(name)? else {
        return None;
    };
    let labels: Vec<&str> = host.split('.').collect();
    let (first, tld) = (*labels.first()?, *labels.last()?);
    if labels.len() < 2 || !tld.bytes().any(|c| c.is_ascii_lowercase()) {
        return None;
    }
    if PACKAGE_ROOTS.contains(&first) && !WEB_TLDS.contains(&tld) {
        return None;
    }
    if labels.len() == 2 && FILE_EXT_TLDS.contains(&tld) {
        return None;
    }
    let known =
        SPECIAL_TLDS.contains(&tld) || psl::suffix(host.as_bytes()).is_some_and(|s| s.is_known());
    if !known {
        return None;
    }
    Some(endpoint(
        EndpointKind::Host,
        offset,
        None,
        Host::Name(host),
        port,
        None,
    ))
}

fn ipv4_private(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_documentation()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || (a == 100 && (64..128).contains(&b)) // CGNAT, RFC 6598
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking, RFC 2544
}

fn endpoint(
    kind: EndpointKind,
    offset: usize,
    scheme: Option<Scheme>,
    host: Host,
    port: Option<u16>,
    path: Option<String>,
) -> Endpoint {
    let (host, ip_literal, private_ip, local, registrable_domain) = match host {
        Host::Name(n) => {
            let local = n == "localhost" || n.ends_with(".localhost") || n.ends_with(".local");
            let reg = psl::domain_str(&n).map(str::to_owned);
            (n, false, false, local, reg)
        }
        Host::V4(ip) => (
            ip.to_string(),
            true,
            ipv4_private(ip),
            ip.is_loopback() || ip.is_link_local(),
            None,
        ),
        Host::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => (
                ip.to_string(),
                true,
                ipv4_private(v4),
                v4.is_loopback() || v4.is_link_local(),
                None,
            ),
            None => {
                let seg0 = ip.segments().first().copied().unwrap_or(0);
                let doc = seg0 == 0x2001 && ip.segments().get(1) == Some(&0x0db8);
                let private = ip.is_loopback()
                    || ip.is_unspecified()
                    || ip.is_unique_local()
                    || ip.is_unicast_link_local()
                    || ip.is_multicast()
                    || doc;
                (
                    ip.to_string(),
                    true,
                    private,
                    ip.is_loopback() || ip.is_unicast_link_local(),
                    None,
                )
            }
        },
    };
    let url = scheme.map(|sc| {
        let h = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let p = port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{h}{p}{}", sc.as_str(), path.as_deref().unwrap_or(""))
    });
    Endpoint {
        kind,
        offset,
        url,
        scheme,
        host,
        port,
        path,
        registrable_domain,
        cleartext: scheme.is_some_and(Scheme::is_cleartext),
        ip_literal,
        private_ip,
        local,
    }
}

#[cfg(test)]
mod tests;
