//! Network security config (`res/xml/network_security_config.xml`, the file
//! `android:networkSecurityConfig` points to), read from a decoded binary
//! XML [`Document`].
//!
//! Follows the platform parser, `android.security.net.config.XmlConfigSource`
//! (frameworks/base/core/java/android/security/net/config/): attributes have
//! no namespace; booleans count only when compiled as integers (Android's
//! `getAttributeBooleanValue` ignores a string `"true"`); domain names are
//! trimmed and lower-cased; nested `<domain-config>`s inherit unset values
//! from the enclosing one and, at the top, from `<base-config>`.
//!
//! Android throws on a malformed config (and the app then fails to open
//! connections); here every problem is an `nsc-` anomaly and parsing goes
//! on. Platform defaults that depend on the target SDK (cleartext allowed
//! below API 28, user CAs trusted below API 24) are not applied: `None`
//! means "not declared".
//!
//! Anomaly codes: `nsc-bad-root`, `nsc-unknown-element`,
//! `nsc-duplicate-element`, `nsc-non-boolean` (a boolean attribute stored
//! as a string: Android ignores it), `nsc-no-domain`, `nsc-empty-domain`,
//! `nsc-missing-src`, `nsc-unknown-src`, `nsc-bad-pin-digest`,
//! `nsc-too-deep` (nesting beyond 64 levels is ignored).

use serde::Serialize;

use crate::formats::axml::{Attribute, Document, Element};
use crate::formats::resvalue::types;
use crate::formats::{Anomaly, Parsed};

/// Deepest `<domain-config>` nesting followed.
const MAX_NESTING: usize = 64;

/// A decoded network security config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkSecurityConfig {
    /// `<base-config>`, if declared.
    pub base_config: Option<BaseConfig>,
    /// Every `<domain-config>`, nested ones flattened (in document order),
    /// each with the values it inherits filled in.
    pub domain_configs: Vec<DomainConfig>,
    /// `<debug-overrides>`, used only when the app is debuggable.
    pub debug_overrides: Option<DebugOverrides>,
}

/// `<base-config>`: the defaults for every connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaseConfig {
    /// `cleartextTrafficPermitted`.
    pub cleartext_traffic_permitted: Option<bool>,
    /// `<trust-anchors>`; `None` when absent.
    pub trust_anchors: Option<Vec<TrustAnchor>>,
    /// Source line.
    pub line: u32,
}

/// A `<domain-config>`, flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DomainConfig {
    /// `<domain>` children.
    pub domains: Vec<Domain>,
    /// `cleartextTrafficPermitted`, declared or inherited.
    pub cleartext_traffic_permitted: Option<bool>,
    /// `<trust-anchors>`, declared or inherited.
    pub trust_anchors: Option<Vec<TrustAnchor>>,
    /// `<pin-set>`, declared or inherited.
    pub pin_set: Option<PinSet>,
    /// 0 for a top-level `<domain-config>`, 1 for one nested in it, …
    pub nesting: u32,
    /// Source line.
    pub line: u32,
}

/// A `<domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    /// The host name, trimmed and lower-cased.
    pub name: String,
    /// `includeSubdomains` (default false).
    pub include_subdomains: bool,
}

/// A `<certificates>` entry of `<trust-anchors>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustAnchor {
    /// `src`: `system`, `user`, `wfa`, or a reference written
    /// `@0x7f…` (a certificate file in `res/raw`).
    pub src: String,
    /// The resource ID when `src` is a reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<u32>,
    /// `overridePins`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_pins: Option<bool>,
}

/// A `<pin-set>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PinSet {
    /// `expiration` (`yyyy-MM-dd`), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// `<pin>` children.
    pub pins: Vec<Pin>,
}

/// A `<pin>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    /// `digest` (only `SHA-256` is valid).
    pub digest: String,
    /// Base64 of the SPKI hash.
    pub value: String,
}

/// `<debug-overrides>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DebugOverrides {
    /// `<trust-anchors>`; `None` when absent.
    pub trust_anchors: Option<Vec<TrustAnchor>>,
}

impl NetworkSecurityConfig {
    /// Reads the config; never fails, problems become `nsc-` anomalies.
    pub fn from_document(doc: &Document) -> Parsed<NetworkSecurityConfig> {
        let mut r = NscReader::default();
        let mut config = NetworkSecurityConfig::default();
        match &doc.root {
            Some(root) if root.name == "network-security-config" => r.root(root, &mut config),
            Some(root) => r.anomaly(
                "nsc-bad-root",
                root,
                format!(
                    "root element is <{}>, not <network-security-config>",
                    root.name
                ),
            ),
            None => r.anomalies.push(Anomaly::new(
                "nsc-bad-root",
                None,
                "the document has no root element",
            )),
        }
        Parsed {
            value: config,
            anomalies: r.anomalies,
        }
    }

    /// Whether user-installed CAs are trusted by the base config or any
    /// domain config (debug overrides do not count: they apply only to
    /// debuggable builds).
    pub fn trusts_user_certs(&self) -> bool {
        let user = |t: &Option<Vec<TrustAnchor>>| {
            t.as_deref()
                .is_some_and(|v| v.iter().any(|a| a.src == "user"))
        };
        self.base_config
            .as_ref()
            .is_some_and(|b| user(&b.trust_anchors))
            || self.domain_configs.iter().any(|d| user(&d.trust_anchors))
    }

    /// Domains for which cleartext traffic is explicitly permitted
    /// (declared or inherited), in document order.
    pub fn cleartext_permitted_domains(&self) -> Vec<&Domain> {
        self.domain_configs
            .iter()
            .filter(|d| d.cleartext_traffic_permitted == Some(true))
            .flat_map(|d| d.domains.iter())
            .collect()
    }
}

#[derive(Default)]
struct NscReader {
    anomalies: Vec<Anomaly>,
}

/// Values a nested `<domain-config>` inherits.
#[derive(Clone, Default)]
struct Inherited {
    cleartext: Option<bool>,
    trust_anchors: Option<Vec<TrustAnchor>>,
    pin_set: Option<PinSet>,
}

impl NscReader {
    fn anomaly(&mut self, code: &'static str, el: &Element, detail: impl Into<String>) {
        if self.anomalies.len() < 256 {
            self.anomalies
                .push(Anomaly::new(code, Some(el.offset), detail));
        }
    }

    fn unknown(&mut self, el: &Element, parent: &Element) {
        self.anomaly(
            "nsc-unknown-element",
            el,
            format!(
                "<{}> is not allowed in <{}> (line {})",
                el.name, parent.name, el.line
            ),
        );
    }

    fn root(&mut self, root: &Element, config: &mut NetworkSecurityConfig) {
        // First pass: base-config and debug-overrides (domain configs
        // inherit from the base config wherever it appears).
        for child in &root.children {
            match child.name.as_str() {
                "base-config" => {
                    if config.base_config.is_some() {
                        self.anomaly(
                            "nsc-duplicate-element",
                            child,
                            "more than one <base-config>",
                        );
                        continue;
                    }
                    let mut base = BaseConfig {
                        cleartext_traffic_permitted: self.bool(child, "cleartextTrafficPermitted"),
                        trust_anchors: None,
                        line: child.line,
                    };
                    for c in &child.children {
                        match c.name.as_str() {
                            "trust-anchors" => self.set_trust_anchors(c, &mut base.trust_anchors),
                            _ => self.unknown(c, child),
                        }
                    }
                    config.base_config = Some(base);
                }
                "debug-overrides" => {
                    if config.debug_overrides.is_some() {
                        self.anomaly(
                            "nsc-duplicate-element",
                            child,
                            "more than one <debug-overrides>",
                        );
                        continue;
                    }
                    let mut over = DebugOverrides::default();
                    for c in &child.children {
                        match c.name.as_str() {
                            "trust-anchors" => self.set_trust_anchors(c, &mut over.trust_anchors),
                            _ => self.unknown(c, child),
                        }
                    }
                    config.debug_overrides = Some(over);
                }
                "domain-config" => {}
                _ => self.unknown(child, root),
            }
        }
        let base = Inherited {
            cleartext: config
                .base_config
                .as_ref()
                .and_then(|b| b.cleartext_traffic_permitted),
            trust_anchors: config
                .base_config
                .as_ref()
                .and_then(|b| b.trust_anchors.clone()),
            pin_set: None,
        };
        // Second pass: domain configs, depth-first with an explicit stack
        // so output order is document order.
        let mut stack: Vec<(&Element, Inherited, u32)> = root
            .children
            .iter()
            .rev()
            .filter(|c| c.name == "domain-config")
            .map(|c| (c, base.clone(), 0))
            .collect();
        while let Some((el, parent, nesting)) = stack.pop() {
            let mut dc = DomainConfig {
                cleartext_traffic_permitted: self.bool(el, "cleartextTrafficPermitted"),
                nesting,
                line: el.line,
                ..DomainConfig::default()
            };
            let mut trust = None;
            let mut pin_set: Option<PinSet> = None;
            let mut nested = Vec::new();
            for c in &el.children {
                match c.name.as_str() {
                    "domain" => dc.domains.extend(self.domain(c)),
                    "trust-anchors" => self.set_trust_anchors(c, &mut trust),
                    "pin-set" => {
                        if pin_set.is_some() {
                            self.anomaly("nsc-duplicate-element", c, "more than one <pin-set>");
                        }
                        pin_set = Some(self.pin_set(c));
                    }
                    "domain-config" => nested.push(c),
                    _ => self.unknown(c, el),
                }
            }
            if dc.domains.is_empty() {
                self.anomaly(
                    "nsc-no-domain",
                    el,
                    format!("<domain-config> at line {} has no <domain>", el.line),
                );
            }
            dc.cleartext_traffic_permitted = dc.cleartext_traffic_permitted.or(parent.cleartext);
            dc.trust_anchors = trust.or(parent.trust_anchors);
            dc.pin_set = pin_set.or(parent.pin_set);
            let inherited = Inherited {
                cleartext: dc.cleartext_traffic_permitted,
                trust_anchors: dc.trust_anchors.clone(),
                pin_set: dc.pin_set.clone(),
            };
            if !nested.is_empty() && nesting as usize + 1 >= MAX_NESTING {
                self.anomaly(
                    "nsc-too-deep",
                    el,
                    format!("<domain-config> nesting beyond {MAX_NESTING} is ignored"),
                );
                nested.clear();
            }
            for c in nested.into_iter().rev() {
                stack.push((c, inherited.clone(), nesting + 1));
            }
            config.domain_configs.push(dc);
        }
    }

    /// A boolean attribute without namespace, read as Android's
    /// `getAttributeBooleanValue`: integer types only.
    fn bool(&mut self, el: &Element, name: &str) -> Option<bool> {
        let a = el.attr_plain(name)?;
        match a.value.data_type {
            types::INT_DEC | types::INT_HEX | types::INT_BOOLEAN => Some(a.value.data != 0),
            _ => {
                self.anomaly(
                    "nsc-non-boolean",
                    el,
                    format!(
                        "<{}> {name}={:?} is not a compiled boolean; Android ignores it",
                        el.name,
                        a.raw.as_deref().unwrap_or("")
                    ),
                );
                None
            }
        }
    }

    fn set_trust_anchors(&mut self, el: &Element, slot: &mut Option<Vec<TrustAnchor>>) {
        if slot.is_some() {
            self.anomaly("nsc-duplicate-element", el, "more than one <trust-anchors>");
        }
        let mut anchors = Vec::new();
        for c in &el.children {
            if c.name != "certificates" {
                self.unknown(c, el);
                continue;
            }
            let Some(src) = c.attr_plain("src") else {
                self.anomaly("nsc-missing-src", c, "<certificates> without `src`");
                continue;
            };
            let resource = src.as_reference();
            let text = match resource {
                Some(r) => format!("@{r:#010x}"),
                None => plain_string(src),
            };
            if resource.is_none() && !matches!(text.as_str(), "system" | "user" | "wfa") {
                self.anomaly(
                    "nsc-unknown-src",
                    c,
                    format!("unknown certificates src `{text}`"),
                );
            }
            anchors.push(TrustAnchor {
                src: text,
                resource,
                override_pins: self.bool(c, "overridePins"),
            });
        }
        *slot = Some(anchors);
    }

    fn domain(&mut self, el: &Element) -> Option<Domain> {
        let include_subdomains = self.bool(el, "includeSubdomains").unwrap_or(false);
        let name = el.text.concat().trim().to_lowercase();
        if !el.children.is_empty() {
            self.anomaly("nsc-unknown-element", el, "<domain> contains elements");
        }
        if name.is_empty() {
            self.anomaly(
                "nsc-empty-domain",
                el,
                format!("<domain> at line {} has no name", el.line),
            );
            return None;
        }
        Some(Domain {
            name,
            include_subdomains,
        })
    }

    fn pin_set(&mut self, el: &Element) -> PinSet {
        let mut set = PinSet {
            expiration: el.attr_plain("expiration").map(plain_string),
            pins: Vec::new(),
        };
        for c in &el.children {
            if c.name != "pin" {
                self.unknown(c, el);
                continue;
            }
            let digest = c.attr_plain("digest").map(plain_string).unwrap_or_default();
            if digest != "SHA-256" {
                self.anomaly(
                    "nsc-bad-pin-digest",
                    c,
                    format!("pin digest `{digest}` (Android accepts only SHA-256)"),
                );
            }
            set.pins.push(Pin {
                digest,
                value: c.text.concat().trim().to_owned(),
            });
        }
        set
    }
}

/// The string of an attribute: the raw value, else the typed string.
fn plain_string(a: &Attribute) -> String {
    a.raw
        .clone()
        .or_else(|| a.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;
    use crate::formats::axml::fixture::{Fixture, V};
    use crate::formats::axml::parse;

    const NSC: &[u8] = include_bytes!("../../tests/data/axml/network_security_config.axml");
    const NSC_XMLTREE: &str =
        include_str!("../../tests/data/axml/network_security_config.xmltree.txt");

    fn codes(p: &Parsed<NetworkSecurityConfig>) -> Vec<&'static str> {
        p.anomalies.iter().map(|a| a.code).collect()
    }

    #[test]
    fn fixture_config() {
        let doc = parse(NSC).unwrap().value;
        assert_eq!(doc.to_xmltree(), NSC_XMLTREE);
        let p = NetworkSecurityConfig::from_document(&doc);
        let c = &p.value;
        assert_eq!(codes(&p), vec!["nsc-unknown-element"]);
        let base = c.base_config.as_ref().unwrap();
        assert_eq!(base.cleartext_traffic_permitted, Some(false));
        assert!(c.trusts_user_certs());
        let domains: Vec<_> = c
            .cleartext_permitted_domains()
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(domains, vec!["ads.example.com", "tracker.example.net"]);
        assert_eq!(c.domain_configs.len(), 2);
        let outer = &c.domain_configs[0];
        assert!(outer.domains[0].include_subdomains);
        let pins = &outer.pin_set.as_ref().unwrap().pins;
        assert_eq!(pins[0].digest, "SHA-256");
        assert_eq!(
            pins[0].value,
            "7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y="
        );
        // The nested config overrides cleartext and trust anchors and
        // inherits the pin set.
        let inner = &c.domain_configs[1];
        assert_eq!(inner.nesting, 1);
        assert_eq!(inner.cleartext_traffic_permitted, Some(false));
        assert_eq!(inner.pin_set, outer.pin_set);
        let anchor = &inner.trust_anchors.as_ref().unwrap()[0];
        // tests/data/axml/resources.txt: raw/my_ca
        assert_eq!(
            (anchor.src.as_str(), anchor.resource, anchor.override_pins),
            ("@0x7f040000", Some(0x7f04_0000), Some(true))
        );
        assert_eq!(
            c.debug_overrides
                .as_ref()
                .unwrap()
                .trust_anchors
                .as_ref()
                .unwrap()[0]
                .src,
            "user"
        );
    }

    fn config(build: impl FnOnce(&mut Fixture)) -> Parsed<NetworkSecurityConfig> {
        let mut f = Fixture::new(true);
        f.start("network-security-config", &[]);
        build(&mut f);
        f.end("network-security-config");
        NetworkSecurityConfig::from_document(&parse(&f.build()).unwrap().value)
    }

    #[test]
    fn string_booleans_are_ignored_like_android() {
        let p = config(|f| {
            f.start(
                "domain-config",
                &[(None, "cleartextTrafficPermitted", V::Str("true"))],
            );
            f.start("domain", &[]);
            f.text(" Example.org ");
            f.end("domain");
            f.end("domain-config");
        });
        assert_eq!(p.value.domain_configs[0].domains[0].name, "example.org");
        assert_eq!(p.value.domain_configs[0].cleartext_traffic_permitted, None);
        assert!(p.value.cleartext_permitted_domains().is_empty());
        assert_eq!(codes(&p), vec!["nsc-non-boolean"]);
    }

    #[test]
    fn user_trust_counts_in_domain_configs_but_not_debug_overrides() {
        let trust_user = |f: &mut Fixture| {
            f.start("trust-anchors", &[]);
            f.start("certificates", &[(None, "src", V::Str("user"))]);
            f.end("certificates");
            f.end("trust-anchors");
        };
        let p = config(|f| {
            f.start("debug-overrides", &[]);
            trust_user(f);
            f.end("debug-overrides");
        });
        assert!(!p.value.trusts_user_certs());
        let p = config(|f| {
            f.start(
                "domain-config",
                &[(
                    None,
                    "cleartextTrafficPermitted",
                    V::Typed(types::INT_BOOLEAN, 1),
                )],
            );
            f.start("domain", &[]);
            f.text("a.com");
            f.end("domain");
            trust_user(f);
            f.end("domain-config");
        });
        assert!(p.value.trusts_user_certs());
        assert_eq!(p.value.cleartext_permitted_domains()[0].name, "a.com");
        assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    }

    #[test]
    fn problems_are_anomalies() {
        let p = config(|f| {
            f.start("base-config", &[]);
            f.end("base-config");
            f.start("base-config", &[]);
            f.end("base-config");
            f.start("domain-config", &[]);
            f.start("pin-set", &[]);
            f.start("pin", &[(None, "digest", V::Str("SHA-1"))]);
            f.end("pin");
            f.end("pin-set");
            f.start("trust-anchors", &[]);
            f.start("certificates", &[(None, "src", V::Str("everyone"))]);
            f.end("certificates");
            f.end("trust-anchors");
            f.end("domain-config");
        });
        let c = codes(&p);
        for code in [
            "nsc-duplicate-element",
            "nsc-bad-pin-digest",
            "nsc-unknown-src",
            "nsc-no-domain",
        ] {
            assert!(c.contains(&code), "{code} missing from {c:?}");
        }
        let bad = NetworkSecurityConfig::from_document(&Document::default());
        assert_eq!(codes(&bad), vec!["nsc-bad-root"]);
    }
}
