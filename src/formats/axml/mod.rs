//! Android binary XML (AXML): `AndroidManifest.xml`, `res/xml/*.xml`,
//! layouts, as compiled by aapt/aapt2.
//!
//! [`parse`] reads the chunk stream as Android's `ResXMLTree` does
//! (`chunks.rs`), decodes strings through the string pool
//! (`stringpool.rs`), resolves attribute names through the resource-ID map,
//! and builds an element tree with an explicit stack. [`manifest`] turns a
//! manifest tree into a typed [`manifest::Manifest`];
//! [`Document::to_xmltree`] prints the text of `aapt dump xmltree`.
//!
//! What this module must not do: open files, resolve `@0x7f…` references
//! (that needs `resources.arsc`), or decide anything about compliance.
//!
//! Leniency follows Android (`frameworks/base/libs/androidfw/ResourceTypes.cpp`):
//! whatever makes `ResXMLTree::setTo` fail is an [`AxmlError`]; whatever
//! Android tolerates (odd header sizes, unknown chunks, trailing bytes, a
//! wrong file type, a node stream that stops early) is decoded and reported
//! as an [`Anomaly`] with an `axml-` code.
//!
//! Anomaly codes (stable; `offset` is the file offset of the chunk or node):
//!
//! | code | meaning |
//! |---|---|
//! | `axml-bad-file-type` | file header type is not `RES_XML_TYPE` (Android does not check) |
//! | `axml-odd-header-size` | a file, string-pool or resource-map header of unusual size |
//! | `axml-trailing-data` | bytes after the size the file header declares (ignored) |
//! | `axml-unknown-chunk` | a chunk of unknown type before the first node (skipped) |
//! | `axml-duplicate-string-pool`, `axml-duplicate-resource-map` | a second one replaces the first |
//! | `axml-unknown-node` | a node of unknown type (skipped, as `nextNode` does) |
//! | `axml-bad-node` | a node fails validation; the document ends there (`BAD_DOCUMENT`) |
//! | `axml-bad-string-index` | a string index beyond the pool (value left empty) |
//! | `axml-bad-string` | a string whose offset or length runs out of the pool |
//! | `axml-suspect-string` | a string decoded although Android would reject or alter it |
//! | `axml-missing-element-name` | an element name that cannot be read |
//! | `axml-odd-attribute-size` | `attributeSize` other than 20 |
//! | `axml-attribute-out-of-bounds` | attributes run past the end of the file |
//! | `axml-raw-value-mismatch` | a string attribute whose raw and typed strings differ |
//! | `axml-renamed-attribute` | `android:` attributes whose name string differs from their resource id (obfuscation) |
//! | `axml-mismatched-end-element`, `axml-unbalanced-end-element`, `axml-unclosed-element` | broken nesting |
//! | `axml-multiple-roots`, `axml-text-outside-root` | content outside the root element |
//! | `axml-anomalies-truncated` | more than 256 anomalies; the rest were counted only |
//!
//! ```
//! # fn demo(bytes: &[u8]) -> Result<(), humiao::formats::axml::AxmlError> {
//! use humiao::formats::axml;
//! let parsed = axml::parse(bytes)?;
//! if let Some(root) = &parsed.value.root {
//!     let code = root.attr("versionCode").and_then(|a| a.as_int());
//!     println!("{} versionCode={code:?}", root.name);
//! }
//! # Ok(()) }
//! ```
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod attrs;
mod chunks;
pub mod manifest;
mod stringpool;
mod xmltree;

pub use xmltree::XmlTreeOptions;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::formats::read;
use crate::formats::resvalue::{types, ResValue};
use crate::formats::{Anomaly, Parsed};
use chunks::{Layout, NodeKind, Nodes, RawAttribute};
use stringpool::{PoolString, StringPool};

/// The Android resources namespace URI (`xmlns:android`).
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// Deepest element nesting accepted.
///
/// Android has no limit, but real manifests and layouts stay far below 100
/// levels. The cap keeps the recursive `Drop`, `Clone` and `Serialize` of
/// [`Element`] well inside a 2 MiB thread stack.
pub const MAX_DEPTH: usize = 1024;

/// Most anomalies recorded per document; further ones are counted in a
/// final `axml-anomalies-truncated` entry.
const MAX_ANOMALIES: usize = 256;

/// Errors that make a binary XML file unreadable (on a device as well).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AxmlError {
    /// The input is not binary XML (for example plain-text XML).
    #[error("not binary XML: file starts with {magic:02x?}")]
    NotBinaryXml {
        /// The first (up to) four bytes.
        magic: Vec<u8>,
    },
    /// A structure runs past the end of the input.
    #[error("{structure} at {offset:#x} runs past the end ({len} bytes)")]
    Truncated {
        /// What was being read.
        structure: &'static str,
        /// Where it starts.
        offset: usize,
        /// Input length.
        len: usize,
    },
    /// The `ResXMLTree_header` sizes are impossible (Android rejects them).
    #[error(
        "xml header at 0x0 declares {size} bytes with a {header_size}-byte header but the file has {len} bytes"
    )]
    BadFileHeader {
        /// `header.headerSize`.
        header_size: u16,
        /// `header.size`.
        size: u32,
        /// Input length.
        len: usize,
    },
    /// A chunk before the first node fails `validate_chunk`.
    #[error(
        "chunk of type {chunk_type:#06x} at {offset:#x} (header size {header_size}, size {size}): {reason}"
    )]
    BadChunk {
        /// Chunk offset.
        offset: usize,
        /// `type`.
        chunk_type: u16,
        /// `headerSize`.
        header_size: u16,
        /// `size`.
        size: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// The string pool declares more strings than its bytes can hold.
    #[error(
        "string pool at {offset:#x} declares {count} strings but only {remaining} bytes remain"
    )]
    StringCountTooLarge {
        /// Pool chunk offset.
        offset: usize,
        /// `stringCount`.
        count: u32,
        /// Bytes after the pool header.
        remaining: usize,
    },
    /// The string pool header is inconsistent (`ResStringPool::setTo` fails).
    #[error("string pool at {offset:#x}: {reason}")]
    BadStringPool {
        /// Pool chunk offset.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// No string pool precedes the first node.
    #[error("no string pool before the first xml node")]
    MissingStringPool,
    /// No XML node was found.
    #[error("no xml node found in the {end}-byte document")]
    NoRootElement {
        /// Document size.
        end: usize,
    },
    /// Elements nest deeper than [`MAX_DEPTH`].
    #[error("element at {offset:#x} nests deeper than {limit} levels")]
    NestingTooDeep {
        /// Offset of the element that crossed the limit.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// Decoding would produce far more data than the input justifies
    /// (strings referenced many times, overlapping attributes): the budget
    /// is 32 bytes of decoded output per input byte, at least 16 MiB.
    #[error("decoded document would exceed {limit} bytes")]
    TooLarge {
        /// The budget that was exceeded.
        limit: usize,
    },
}

/// A namespace declaration (`xmlns:prefix="uri"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    /// The prefix; `None` when the pool has no string for it.
    pub prefix: Option<String>,
    /// The URI.
    pub uri: String,
}

/// One attribute of an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    /// Name from the string pool (may be renamed or blank in obfuscated
    /// files; [`Attribute::resource_id`] is what Android uses).
    pub name: String,
    /// Namespace URI, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Resource ID from the resource map (`0x0101xxxx` for `android:`
    /// attributes); `None` when the map has no (or a zero) entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<u32>,
    /// The raw string value (`rawValue`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The typed value.
    pub value: ResValue,
    /// The string of a `TYPE_STRING` value (`value.data` as a pool index).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
}

impl Attribute {
    /// The string value: the typed string for `TYPE_STRING` values (what
    /// Android's `TypedArray` returns), falling back to the raw string when
    /// the typed index is unreadable; `None` for other types.
    pub fn as_str(&self) -> Option<&str> {
        if self.value.data_type == types::STRING {
            self.string.as_deref().or(self.raw.as_deref())
        } else {
            None
        }
    }

    /// Boolean value of an integer-typed attribute.
    pub fn as_bool(&self) -> Option<bool> {
        self.value.as_bool()
    }

    /// Integer value of an integer-typed attribute.
    pub fn as_int(&self) -> Option<i64> {
        self.value.as_int()
    }

    /// Resource ID of a reference-typed attribute.
    pub fn as_reference(&self) -> Option<u32> {
        self.value.as_reference()
    }
}

/// An element and everything nested in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Element {
    /// Local name.
    pub name: String,
    /// Namespace URI, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Attributes in file order.
    pub attributes: Vec<Attribute>,
    /// Child elements in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Element>,
    /// Text (CDATA) nodes directly inside this element, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<String>,
    /// Source line recorded by the compiler.
    pub line: u32,
    /// Comment attached to the start tag, if the compiler kept it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Offset of the start-element chunk in the file.
    pub offset: u64,
}

impl Element {
    /// The `android:<android_name>` attribute.
    ///
    /// Matches by resource ID first (from [`attrs::TABLE`]), as Android
    /// does, so renamed attribute strings still resolve; then, for
    /// attributes without a resource ID, by name in the Android namespace.
    /// The first match wins.
    pub fn attr(&self, android_name: &str) -> Option<&Attribute> {
        let id = attrs::id_of(android_name);
        if let Some(id) = id {
            if let Some(a) = self.attributes.iter().find(|a| a.resource_id == Some(id)) {
                return Some(a);
            }
        }
        self.attributes.iter().find(|a| {
            a.name == android_name
                && a.namespace.as_deref() == Some(ANDROID_NS)
                && (id.is_none() || a.resource_id.is_none())
        })
    }

    /// The attribute `name` without a namespace (`package`, `split`,
    /// network-security-config attributes), as
    /// `XmlPullParser.getAttributeValue(null, name)` finds it.
    pub fn attr_plain(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
    }

    /// Child elements named `name` (any namespace).
    pub fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// A decoded binary XML document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The first top-level element (`<manifest>` in a manifest).
    pub root: Option<Element>,
    /// Further top-level elements after the root; Android's parsers ignore
    /// them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_roots: Vec<Element>,
    /// Every namespace declaration, in file order.
    pub namespaces: Vec<Namespace>,
    /// Whether the string pool is UTF-8 (aapt2 and recent aapt) or UTF-16.
    pub utf8_strings: bool,
    /// The node stream in file order, for [`Document::to_xmltree`].
    #[serde(skip)]
    events: Vec<Event>,
}

/// One node of the stream, as `ResXMLParser::next` reports it. Elements
/// are not copied: the n-th `StartElement` is the n-th element of the tree
/// in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    StartNamespace {
        prefix: Option<String>,
        uri: Option<String>,
    },
    EndNamespace {
        prefix: Option<String>,
        uri: Option<String>,
    },
    StartElement,
    EndElement,
    Text(Option<String>),
}

/// Decodes a binary XML file.
///
/// Errors are what Android cannot read either; everything else is decoded,
/// with anomalies.
pub fn parse(data: &[u8]) -> Result<Parsed<Document>, AxmlError> {
    let not_axml = || AxmlError::NotBinaryXml {
        magic: data.iter().take(4).copied().collect(),
    };
    if looks_like_text(data) {
        return Err(not_axml());
    }
    let mut sink = AnomalySink::default();
    let layout = match chunks::layout(data, &mut sink) {
        Ok(l) => l,
        // A header that is neither RES_XML_TYPE nor parseable: not AXML.
        Err(_) if read::u16_at(data, 0).is_ok_and(|t| t != chunks::RES_XML_TYPE) => {
            return Err(not_axml())
        }
        Err(e) => return Err(e),
    };
    let mut builder = Builder::new(data, &layout, &mut sink);
    // `ResXMLTree::setTo` already steps to the first known node: if that
    // step fails (or finds none) the whole file is unreadable, while a bad
    // node later only ends the document.
    let mut root_found = false;
    for node in Nodes::new(data, &layout) {
        match node {
            Ok(node) => {
                root_found |= !matches!(node.kind, NodeKind::Unknown { .. });
                builder.node(node)?;
            }
            Err(bad) if !root_found => {
                let h = bad.header;
                return Err(AxmlError::BadChunk {
                    offset: h.offset,
                    chunk_type: h.chunk_type,
                    header_size: h.header_size,
                    size: h.size,
                    reason: bad.reason,
                });
            }
            Err(bad) => {
                builder.sink.push(
                    "axml-bad-node",
                    Some(bad.header.offset as u64),
                    format!(
                        "node of type {:#06x} (header size {}, size {}): {}; the document ends here (Android reports BAD_DOCUMENT)",
                        bad.header.chunk_type, bad.header.header_size, bad.header.size, bad.reason
                    ),
                );
                break;
            }
        }
    }
    if !root_found {
        return Err(AxmlError::NoRootElement { end: layout.end });
    }
    let document = builder.finish();
    Ok(Parsed {
        value: document,
        anomalies: sink.into_vec(),
    })
}

/// Text XML (optionally after a BOM or whitespace) starts with `<`; binary
/// XML starts with `03 00`.
fn looks_like_text(data: &[u8]) -> bool {
    let body = data
        .strip_prefix(b"\xef\xbb\xbf")
        .or_else(|| data.strip_prefix(b"\xff\xfe"))
        .or_else(|| data.strip_prefix(b"\xfe\xff"))
        .unwrap_or(data);
    let first = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0));
    first == Some(&b'<')
}

/// Collects anomalies, capped at [`MAX_ANOMALIES`].
#[derive(Debug, Default)]
pub(crate) struct AnomalySink {
    list: Vec<Anomaly>,
    dropped: usize,
}

impl AnomalySink {
    /// Records an anomaly (or counts it once the cap is reached).
    pub(crate) fn push(
        &mut self,
        code: &'static str,
        offset: Option<u64>,
        detail: impl Into<String>,
    ) {
        if self.list.len() < MAX_ANOMALIES {
            self.list.push(Anomaly::new(code, offset, detail));
        } else {
            self.dropped += 1;
        }
    }

    fn into_vec(mut self) -> Vec<Anomaly> {
        if self.dropped > 0 {
            self.list.push(Anomaly::new(
                "axml-anomalies-truncated",
                None,
                format!("{} further anomalies were not recorded", self.dropped),
            ));
        }
        self.list
    }
}

/// Approximate heap cost of one element or attribute, for the budget.
const NODE_COST: usize = 64;

/// Builds events and the element tree from the node stream.
struct Builder<'a, 's> {
    data: &'a [u8],
    layout: &'s Layout<'a>,
    sink: &'s mut AnomalySink,
    events: Vec<Event>,
    stack: Vec<Element>,
    /// Name string index of each open element, to check end tags cheaply.
    open_names: Vec<u32>,
    roots: Vec<Element>,
    namespaces: Vec<Namespace>,
    /// Bytes of output still allowed.
    budget: usize,
    limit: usize,
    /// String indices already reported as bad.
    bad_strings: BTreeSet<u32>,
    /// Attributes whose name differs from the framework name of their id.
    renamed: usize,
    renamed_example: Option<(u32, String)>,
    stray_end_elements: usize,
}

impl<'a, 's> Builder<'a, 's> {
    fn new(data: &'a [u8], layout: &'s Layout<'a>, sink: &'s mut AnomalySink) -> Self {
        let limit = data.len().saturating_mul(32).max(16 << 20);
        Builder {
            data,
            layout,
            sink,
            events: Vec::new(),
            stack: Vec::new(),
            open_names: Vec::new(),
            roots: Vec::new(),
            namespaces: Vec::new(),
            budget: limit,
            limit,
            bad_strings: BTreeSet::new(),
            renamed: 0,
            renamed_example: None,
            stray_end_elements: 0,
        }
    }

    fn pool(&self) -> &StringPool<'a> {
        &self.layout.pool
    }

    fn charge(&mut self, n: usize) -> Result<(), AxmlError> {
        self.budget = self
            .budget
            .checked_sub(n)
            .ok_or(AxmlError::TooLarge { limit: self.limit })?;
        Ok(())
    }

    /// String `idx` (`0xFFFFFFFF` = none), reporting damaged strings once.
    fn string(&mut self, idx: u32, what: &str, at: usize) -> Result<Option<String>, AxmlError> {
        if idx == u32::MAX {
            return Ok(None);
        }
        let s = match self.pool().get(idx) {
            PoolString::Ok(s) => Some(s),
            PoolString::Suspect(s, why) => {
                if self.bad_strings.insert(idx) {
                    self.sink.push(
                        "axml-suspect-string",
                        Some(at as u64),
                        format!("string #{idx} ({what}): {why}"),
                    );
                }
                Some(s)
            }
            PoolString::Missing(why) => {
                if self.bad_strings.insert(idx) {
                    let code = if idx >= self.pool().len() {
                        "axml-bad-string-index"
                    } else {
                        "axml-bad-string"
                    };
                    self.sink.push(
                        code,
                        Some(at as u64),
                        format!(
                            "string #{idx} ({what}) of {} in the pool: {why}",
                            self.pool().len()
                        ),
                    );
                }
                None
            }
        };
        if let Some(s) = &s {
            self.charge(s.len())?;
        }
        Ok(s)
    }

    fn node(&mut self, node: chunks::Node) -> Result<(), AxmlError> {
        let at = node.offset;
        match node.kind {
            NodeKind::StartNamespace { prefix, uri } => {
                let prefix = self.string(prefix, "namespace prefix", at)?;
                let uri = self.string(uri, "namespace uri", at)?;
                self.charge(NODE_COST)?;
                self.namespaces.push(Namespace {
                    prefix: prefix.clone(),
                    uri: uri.clone().unwrap_or_default(),
                });
                self.events.push(Event::StartNamespace { prefix, uri });
            }
            NodeKind::EndNamespace { prefix, uri } => {
                let prefix = self.string(prefix, "namespace prefix", at)?;
                let uri = self.string(uri, "namespace uri", at)?;
                self.events.push(Event::EndNamespace { prefix, uri });
            }
            NodeKind::StartElement {
                ns,
                name,
                ext,
                attribute_start,
                attribute_size,
                attribute_count,
            } => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(AxmlError::NestingTooDeep {
                        offset: at,
                        limit: MAX_DEPTH,
                    });
                }
                self.charge(NODE_COST)?;
                let namespace = self.string(ns, "element namespace", at)?;
                let name_idx = name;
                let name = self.element_name(name, at)?;
                let comment = self.string(node.comment, "comment", at)?;
                if usize::from(attribute_size) != chunks::ATTRIBUTE_SIZE && attribute_count > 0 {
                    self.sink.push(
                        "axml-odd-attribute-size",
                        Some(at as u64),
                        format!("<{name}> declares {attribute_size}-byte attributes (expected 20)"),
                    );
                }
                let mut attributes = Vec::new();
                for i in 0..usize::from(attribute_count) {
                    let off = ext + usize::from(attribute_start) + usize::from(attribute_size) * i;
                    let Ok(raw) = RawAttribute::read(self.data, off) else {
                        self.sink.push(
                            "axml-attribute-out-of-bounds",
                            Some(off as u64),
                            format!("attribute {i} of <{name}> runs past the end of the file"),
                        );
                        break;
                    };
                    attributes.push(self.attribute(raw, off)?);
                }
                self.events.push(Event::StartElement);
                self.open_names.push(name_idx);
                self.stack.push(Element {
                    name,
                    namespace,
                    attributes,
                    children: Vec::new(),
                    text: Vec::new(),
                    line: node.line,
                    comment,
                    offset: at as u64,
                });
            }
            NodeKind::EndElement { ns: _, name } => {
                self.events.push(Event::EndElement);
                let open_name = self.open_names.pop();
                match self.stack.pop() {
                    Some(el) => {
                        if open_name != Some(name) {
                            let end = self.string(name, "end element name", at)?;
                            if end.as_deref() != Some(el.name.as_str()) {
                                self.sink.push(
                                    "axml-mismatched-end-element",
                                    Some(at as u64),
                                    format!("</{}> closes <{}>", end.unwrap_or_default(), el.name),
                                );
                            }
                        }
                        self.attach(el);
                    }
                    None => self.stray_end_elements += 1,
                }
            }
            NodeKind::Cdata { data } => {
                let text = self.string(data, "text", at)?;
                self.charge(NODE_COST)?;
                match self.stack.last_mut() {
                    Some(top) => top.text.push(text.clone().unwrap_or_default()),
                    None => self.sink.push(
                        "axml-text-outside-root",
                        Some(at as u64),
                        "a text node lies outside every element",
                    ),
                }
                self.events.push(Event::Text(text));
            }
            NodeKind::Unknown { chunk_type } => self.sink.push(
                "axml-unknown-node",
                Some(at as u64),
                format!("skipped a node of unknown type {chunk_type:#06x}, as Android does"),
            ),
        }
        Ok(())
    }

    fn element_name(&mut self, idx: u32, at: usize) -> Result<String, AxmlError> {
        let name = self.string(idx, "element name", at)?;
        if name.is_none() {
            self.sink.push(
                "axml-missing-element-name",
                Some(at as u64),
                format!("element name string #{idx} is unreadable; aapt cannot dump this element"),
            );
        }
        Ok(name.unwrap_or_default())
    }

    fn attribute(&mut self, raw: RawAttribute, off: usize) -> Result<Attribute, AxmlError> {
        self.charge(NODE_COST)?;
        let resource_id = self.layout.res_id(raw.name).filter(|id| *id != 0);
        let name = self
            .string(raw.name, "attribute name", off)?
            .unwrap_or_default();
        let namespace = self.string(raw.ns, "attribute namespace", off)?;
        let raw_string = self.string(raw.raw_value, "attribute raw value", off)?;
        let value = ResValue {
            data_type: raw.data_type,
            data: raw.data,
        };
        let string = if raw.data_type == types::STRING {
            if raw.data == raw.raw_value {
                raw_string.clone()
            } else {
                let s = self.string(raw.data, "attribute string value", off)?;
                if raw_string.is_some() && s != raw_string {
                    self.sink.push(
                        "axml-raw-value-mismatch",
                        Some(off as u64),
                        format!(
                            "attribute `{name}` has raw value {raw_string:?} but typed string {s:?}"
                        ),
                    );
                }
                s
            }
        } else {
            None
        };
        if let Some(id) = resource_id {
            if let Some(known) = attrs::name_of(id) {
                if known != name {
                    self.renamed += 1;
                    self.renamed_example.get_or_insert((id, name.clone()));
                }
            }
        }
        Ok(Attribute {
            name,
            namespace,
            resource_id,
            raw: raw_string,
            value,
            string,
        })
    }

    fn attach(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => self.roots.push(el),
        }
    }

    fn finish(mut self) -> Document {
        if !self.stack.is_empty() {
            self.sink.push(
                "axml-unclosed-element",
                None,
                format!(
                    "{} elements are not closed at the end of the document",
                    self.stack.len()
                ),
            );
        }
        while let Some(el) = self.stack.pop() {
            self.attach(el);
        }
        if self.stray_end_elements > 0 {
            self.sink.push(
                "axml-unbalanced-end-element",
                None,
                format!(
                    "{} end-element nodes close nothing",
                    self.stray_end_elements
                ),
            );
        }
        if let Some((id, name)) = &self.renamed_example {
            self.sink.push(
                "axml-renamed-attribute",
                None,
                format!(
                    "{} attributes carry a name that differs from their resource id, e.g. {id:#010x} named `{name}` (expected `{}`); Android goes by the id",
                    self.renamed,
                    attrs::name_of(*id).unwrap_or_default()
                ),
            );
        }
        let mut roots = self.roots.into_iter();
        let root = roots.next();
        let other_roots: Vec<Element> = roots.collect();
        if !other_roots.is_empty() {
            self.sink.push(
                "axml-multiple-roots",
                other_roots.first().map(|e| e.offset),
                format!(
                    "{} top-level elements follow the root; Android ignores them",
                    other_roots.len()
                ),
            );
        }
        Document {
            root,
            other_roots,
            namespaces: self.namespaces,
            utf8_strings: self.layout.pool.is_utf8(),
            events: self.events,
        }
    }
}

impl Document {
    /// Elements in document order (the order of their start tags).
    fn elements_in_order(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self
            .root
            .iter()
            .chain(self.other_roots.iter())
            .rev()
            .collect();
        while let Some(el) = stack.pop() {
            out.push(el);
            stack.extend(el.children.iter().rev());
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod tests;
