//! Test-only builder of binary XML byte fixtures, laid out as aapt does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::stringpool::{encode_utf16_len, encode_utf8_len};
use crate::formats::resvalue::types;

/// Where an attribute value comes from in [`Fixture::start`].
#[derive(Clone, Copy)]
pub(crate) enum V<'s> {
    /// A `TYPE_STRING` value with the same raw string.
    Str(&'s str),
    /// A typed value without a raw string.
    Typed(u8, u32),
}

/// One attribute for [`Fixture::start`]: namespace, name, value.
pub(crate) type A<'s> = (Option<&'s str>, &'s str, V<'s>);

/// Builds binary XML the way aapt lays it out.
pub(crate) struct Fixture {
    pub(crate) strings: Vec<String>,
    /// Resource IDs of the first strings (attribute names).
    res_ids: Vec<u32>,
    utf8: bool,
    pub(crate) nodes: Vec<u8>,
    line: u32,
}

impl Fixture {
    pub(crate) fn new(utf8: bool) -> Self {
        Fixture {
            strings: Vec::new(),
            res_ids: Vec::new(),
            utf8,
            nodes: Vec::new(),
            line: 1,
        }
    }

    /// Declares attribute names that carry resource IDs; they must come
    /// first in the pool, in this order.
    pub(crate) fn with_res_ids(mut self, names: &[(&str, u32)]) -> Self {
        assert!(self.strings.is_empty());
        for (n, id) in names {
            self.strings.push((*n).to_owned());
            self.res_ids.push(*id);
        }
        self
    }

    pub(crate) fn s(&mut self, s: &str) -> u32 {
        if let Some(i) = self
            .strings
            .iter()
            .skip(self.res_ids.len())
            .position(|x| x == s)
        {
            return (i + self.res_ids.len()) as u32;
        }
        self.strings.push(s.to_owned());
        (self.strings.len() - 1) as u32
    }

    /// Index of an attribute name: a resource-ID name if declared, else a
    /// plain string.
    pub(crate) fn attr_name(&mut self, s: &str) -> u32 {
        match self
            .strings
            .iter()
            .take(self.res_ids.len())
            .position(|x| x == s)
        {
            Some(i) => i as u32,
            None => self.s(s),
        }
    }

    pub(crate) fn node(&mut self, ty: u16, ext: &[u8]) {
        self.nodes.extend_from_slice(&ty.to_le_bytes());
        self.nodes.extend_from_slice(&16u16.to_le_bytes());
        self.nodes
            .extend_from_slice(&(16 + ext.len() as u32).to_le_bytes());
        self.nodes.extend_from_slice(&self.line.to_le_bytes());
        self.nodes.extend_from_slice(&u32::MAX.to_le_bytes());
        self.nodes.extend_from_slice(ext);
        self.line += 1;
    }

    pub(crate) fn ns(&mut self, start: bool, prefix: &str, uri: &str) {
        let mut ext = Vec::new();
        ext.extend_from_slice(&self.s(prefix).to_le_bytes());
        ext.extend_from_slice(&self.s(uri).to_le_bytes());
        self.node(if start { 0x0100 } else { 0x0101 }, &ext);
    }

    pub(crate) fn start(&mut self, name: &str, attrs: &[A<'_>]) {
        let mut ext = Vec::new();
        ext.extend_from_slice(&u32::MAX.to_le_bytes());
        ext.extend_from_slice(&self.s(name).to_le_bytes());
        ext.extend_from_slice(&20u16.to_le_bytes()); // attributeStart
        ext.extend_from_slice(&20u16.to_le_bytes()); // attributeSize
        ext.extend_from_slice(&(attrs.len() as u16).to_le_bytes());
        ext.extend_from_slice(&[0; 6]);
        for (ns, n, v) in attrs {
            let ns = ns.map_or(u32::MAX, |u| self.s(u));
            let name = self.attr_name(n);
            let (raw, ty, data) = match v {
                V::Str(s) => {
                    let i = self.s(s);
                    (i, types::STRING, i)
                }
                V::Typed(t, d) => (u32::MAX, *t, *d),
            };
            for w in [ns, name, raw] {
                ext.extend_from_slice(&w.to_le_bytes());
            }
            ext.extend_from_slice(&8u16.to_le_bytes());
            ext.push(0);
            ext.push(ty);
            ext.extend_from_slice(&data.to_le_bytes());
        }
        self.node(0x0102, &ext);
    }

    pub(crate) fn end(&mut self, name: &str) {
        let mut ext = Vec::new();
        ext.extend_from_slice(&u32::MAX.to_le_bytes());
        ext.extend_from_slice(&self.s(name).to_le_bytes());
        self.node(0x0103, &ext);
    }

    pub(crate) fn text(&mut self, t: &str) {
        let mut ext = Vec::new();
        ext.extend_from_slice(&self.s(t).to_le_bytes());
        ext.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0]);
        self.node(0x0104, &ext);
    }

    pub(crate) fn pool(&self) -> Vec<u8> {
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for s in &self.strings {
            offsets.push(data.len() as u32);
            if self.utf8 {
                encode_utf8_len(s.encode_utf16().count(), &mut data);
                encode_utf8_len(s.len(), &mut data);
                data.extend_from_slice(s.as_bytes());
                data.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                encode_utf16_len(units.len(), &mut data);
                for u in units {
                    data.extend_from_slice(&u.to_le_bytes());
                }
                data.extend_from_slice(&[0, 0]);
            }
        }
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let strings_start = 28 + 4 * self.strings.len();
        let mut out = Vec::new();
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&28u16.to_le_bytes());
        out.extend_from_slice(&((strings_start + data.len()) as u32).to_le_bytes());
        out.extend_from_slice(&(self.strings.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(if self.utf8 { 0x100u32 } else { 0 }).to_le_bytes());
        out.extend_from_slice(&(strings_start as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for o in offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(&data);
        out
    }

    pub(crate) fn res_map(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0x0180u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&(8 + 4 * self.res_ids.len() as u32).to_le_bytes());
        for id in &self.res_ids {
            out.extend_from_slice(&id.to_le_bytes());
        }
        out
    }

    /// The file: header, pool, resource map, nodes.
    pub(crate) fn build(&self) -> Vec<u8> {
        let body = [self.pool(), self.res_map(), self.nodes.clone()].concat();
        let mut out = Vec::new();
        out.extend_from_slice(&3u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&(8 + body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }
}
