//! The text of `aapt dump xmltree APK FILE`.
//!
//! A transcription of `printXMLBlock` (`frameworks/base/tools/aapt/XMLNode.cpp`,
//! aapt 1 as shipped in Debian, Android 10): `N:` for namespaces, `E:` for
//! elements, `A:` for attributes, `C:` for text, two spaces of indent per
//! open namespace or element. Quirks kept on purpose:
//!
//! * strings are C strings there, so everything after a NUL is dropped;
//! * attribute and text strings go through `ResTable::normalizeForOutput`
//!   (`\\`, `\n` and `"` escaped), names and URIs do not;
//! * a `TYPE_STRING` attribute prints its *raw* value twice (`"x" (Raw:
//!   "x")`), and `(Raw: …)` follows any attribute that has a raw value;
//! * the line number is printed as a signed `%d`;
//! * an end tag at depth 0 prints `***BAD DEPTH` and stops.
//!
//! aapt also passes resource IDs through the APK's `DynamicRefTable`
//! (`ResourceTypes.cpp`, `DynamicRefTable::lookupResourceId` and
//! `lookupResourceValue`), which needs the package ID assigned when
//! `resources.arsc` was loaded: [`Document::to_xmltree`] prints IDs as
//! stored, [`Document::to_xmltree_with`] applies the table for a given
//! assigned ID. Unreadable strings, on which aapt crashes, print as empty.

use std::fmt::Write as _;

use super::{Document, Event};
use crate::formats::resvalue::{types, ResValue};

/// How [`Document::to_xmltree_with`] renders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XmlTreeOptions {
    /// The package ID aapt assigned to the APK's resource package: `0x7f`
    /// for an app, the next free ID (`0x02` after the framework) for a
    /// shared library whose `resources.arsc` declares package ID 0. `None`
    /// when the APK has no `resources.arsc` (aapt then has no table).
    pub assigned_package_id: Option<u8>,
}

/// `DynamicRefTable` with only the entries aapt creates for a lone APK:
/// the assigned package and the framework (`0x01`).
fn lookup_resource_id(id: u32, assigned: u8) -> Option<u32> {
    let package = id >> 24;
    match package {
        _ if id == 0 => Some(id),
        0x7f => Some(id),
        0 => Some((id & 0x00ff_ffff) | (u32::from(assigned) << 24)),
        p if p == 1 || p == u32::from(assigned) => Some(id),
        _ => None,
    }
}

/// `DynamicRefTable::lookupResourceValue`; on failure the value stays as
/// stored (aapt prints it anyway).
fn lookup_resource_value(v: ResValue, assigned: u8) -> ResValue {
    let resolved_type = match v.data_type {
        types::REFERENCE | types::ATTRIBUTE if v.data >> 24 != 0 => return v,
        types::REFERENCE | types::DYNAMIC_REFERENCE => types::REFERENCE,
        types::ATTRIBUTE | types::DYNAMIC_ATTRIBUTE => types::ATTRIBUTE,
        _ => return v,
    };
    match lookup_resource_id(v.data, assigned) {
        Some(data) => ResValue {
            data_type: resolved_type,
            data,
        },
        None => v,
    }
}

impl Document {
    /// Renders the document as `aapt dump xmltree` does, resource IDs as
    /// stored.
    pub fn to_xmltree(&self) -> String {
        self.to_xmltree_with(&XmlTreeOptions::default())
    }

    /// Renders the document as `aapt dump xmltree` does, with `options`.
    pub fn to_xmltree_with(&self, options: &XmlTreeOptions) -> String {
        let mut out = String::new();
        let elements = self.elements_in_order();
        let mut next_element = elements.iter();
        let mut namespaces: Vec<(String, String)> = Vec::new();
        let mut depth: i64 = 0;
        for event in &self.events {
            let indent = indent(depth);
            match event {
                Event::StartElement => {
                    let Some(el) = next_element.next() else { break };
                    let ns = build_namespace(&namespaces, el.namespace.as_deref());
                    if let Some(comment) = &el.comment {
                        let _ = writeln!(out, "{indent} <!-- {} -->", c(comment));
                    }
                    let _ = writeln!(
                        out,
                        "{indent}E: {ns}{} (line={})",
                        c(&el.name),
                        el.line as i32
                    );
                    depth += 1;
                    let indent = self::indent(depth);
                    for a in &el.attributes {
                        let ns = build_namespace(&namespaces, a.namespace.as_deref());
                        let _ = write!(out, "{indent}A: {ns}{}", c(&a.name));
                        let mut id = a.resource_id;
                        let mut value = a.value;
                        if let Some(assigned) = options.assigned_package_id {
                            // getAttributeNameResID ignores a failed lookup.
                            id = id.map(|i| lookup_resource_id(i, assigned).unwrap_or(i));
                            value = lookup_resource_value(value, assigned);
                        }
                        if let Some(id) = id {
                            let _ = write!(out, "({id:#010x})");
                        }
                        let data = value.data;
                        let raw = a.raw.as_deref().map(normalize);
                        let _ = match value.data_type {
                            types::NULL => write!(out, "=(null)"),
                            types::REFERENCE => write!(out, "=@{data:#010x}"),
                            types::ATTRIBUTE => write!(out, "=?{data:#010x}"),
                            types::STRING => write!(out, "=\"{}\"", raw.as_deref().unwrap_or("")),
                            t => write!(out, "=(type {t:#x}){data:#x}"),
                        };
                        if let Some(raw) = &raw {
                            let _ = write!(out, " (Raw: \"{raw}\")");
                        }
                        out.push('\n');
                    }
                }
                Event::EndElement => {
                    depth -= 1;
                    if depth < 0 {
                        let _ = writeln!(out, "***BAD DEPTH in XMLBlock: {depth}");
                        break;
                    }
                }
                Event::StartNamespace { prefix, uri } => {
                    let prefix = prefix.as_deref().map_or("<DEF>", c).to_owned();
                    let uri = c(uri.as_deref().unwrap_or("")).to_owned();
                    let _ = writeln!(out, "{indent}N: {prefix}={uri}");
                    namespaces.push((prefix, uri));
                    depth += 1;
                }
                Event::EndNamespace { prefix, uri } => {
                    depth -= 1;
                    if depth < 0 {
                        let _ = writeln!(out, "***BAD DEPTH in XMLBlock: {depth}");
                        break;
                    }
                    let indent = self::indent(depth);
                    let found_prefix = prefix.as_deref().map_or("<DEF>", c);
                    let found_uri = c(uri.as_deref().unwrap_or(""));
                    if let Some((p, u)) = namespaces.pop() {
                        if p != found_prefix {
                            let _ = writeln!(
                                out,
                                "{indent}*** BAD END NS PREFIX: found={found_prefix}, expected={p}"
                            );
                        }
                        if u != found_uri {
                            let _ = writeln!(
                                out,
                                "{indent} *** BAD END NS URI: found={found_uri}, expected={u}"
                            );
                        }
                    }
                }
                Event::Text(text) => {
                    let _ = writeln!(
                        out,
                        "{indent}C: \"{}\"",
                        normalize(text.as_deref().unwrap_or(""))
                    );
                }
            }
        }
        out
    }
}

/// `make_prefix(depth)`.
fn indent(depth: i64) -> String {
    "  ".repeat(usize::try_from(depth).unwrap_or(0))
}

/// The string as a C string: up to the first NUL.
fn c(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

/// `build_namespace`: `prefix:` for a known URI, `uri:` for an unknown
/// one, nothing without a namespace.
fn build_namespace(namespaces: &[(String, String)], ns: Option<&str>) -> String {
    let Some(ns) = ns else { return String::new() };
    let ns = c(ns);
    let shown = namespaces
        .iter()
        .find(|(_, uri)| uri == ns)
        .map_or(ns, |(p, _)| p.as_str());
    format!("{shown}:")
}

/// `ResTable::normalizeForOutput`, applied to a C string.
fn normalize(s: &str) -> String {
    let s = c(s);
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            _ => out.push(ch),
        }
    }
    out
}
