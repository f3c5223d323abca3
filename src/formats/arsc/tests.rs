//! Tests on hand-built tables and on the aapt-built fixtures in
//! `tests/data/arsc/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use super::config::pack_language_or_region;
use super::package::{FLAG_OFFSET16, FLAG_SPARSE};
use super::strings::build_pool;
use super::*;
use crate::formats::resvalue::types;
use crate::formats::resvalue::ResValue;

const FIXTURE: &[u8] = include_bytes!("../../../tests/data/arsc/fixture.arsc");
const FIXTURE_UTF16: &[u8] = include_bytes!("../../../tests/data/arsc/fixture-utf16.arsc");
const FIXTURE_AAPT: &str = include_str!("../../../tests/data/arsc/fixture.aapt.txt");
const FIXTURE_BADGING: &str = include_str!("../../../tests/data/arsc/fixture.badging.txt");

// ---------------------------------------------------------------- builder

fn u16le(v: u16) -> [u8; 2] {
    v.to_le_bytes()
}
fn u32le(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

fn chunk(ty: u16, header: &[u8], body: &[u8]) -> Vec<u8> {
    let hs = 8 + header.len();
    let mut out = Vec::new();
    out.extend_from_slice(&u16le(ty));
    out.extend_from_slice(&u16le(hs as u16));
    out.extend_from_slice(&u32le((hs + body.len()) as u32));
    out.extend_from_slice(header);
    out.extend_from_slice(body);
    out
}

/// A 64-byte `ResTable_config` (`size` = `size`), built by `f`.
fn config_bytes(size: u32, f: impl FnOnce(&mut [u8; 64])) -> Vec<u8> {
    let mut c = [0u8; 64];
    c[0..4].copy_from_slice(&u32le(size));
    f(&mut c);
    let mut v = c.to_vec();
    v.resize(size.max(4) as usize, 0);
    v
}

fn locale_config(lang: &str, region: &str) -> Vec<u8> {
    config_bytes(64, |c| {
        c[8..10].copy_from_slice(&pack_language_or_region(lang, b'a'));
        c[10..12].copy_from_slice(&pack_language_or_region(region, b'0'));
    })
}

fn default_config() -> Vec<u8> {
    config_bytes(64, |_| {})
}

#[derive(Clone)]
enum E {
    /// Full entry with a simple value.
    Simple { key: u32, ty: u8, data: u32 },
    /// Compact entry.
    Compact { key: u16, ty: u8, data: u32 },
    /// Map entry.
    Map {
        key: u32,
        parent: u32,
        items: Vec<(u32, u8, u32)>,
    },
    /// Raw bytes (for damaged entries).
    Raw(Vec<u8>),
}

fn entry_bytes(e: &E) -> Vec<u8> {
    let mut out = Vec::new();
    match e {
        E::Simple { key, ty, data } => {
            out.extend_from_slice(&u16le(8));
            out.extend_from_slice(&u16le(0));
            out.extend_from_slice(&u32le(*key));
            out.extend_from_slice(&u16le(8));
            out.push(0);
            out.push(*ty);
            out.extend_from_slice(&u32le(*data));
        }
        E::Compact { key, ty, data } => {
            out.extend_from_slice(&u16le(*key));
            out.extend_from_slice(&u16le(0x0008 | (u16::from(*ty) << 8)));
            out.extend_from_slice(&u32le(*data));
        }
        E::Map { key, parent, items } => {
            out.extend_from_slice(&u16le(16));
            out.extend_from_slice(&u16le(0x0001));
            out.extend_from_slice(&u32le(*key));
            out.extend_from_slice(&u32le(*parent));
            out.extend_from_slice(&u32le(items.len() as u32));
            for (name, ty, data) in items {
                out.extend_from_slice(&u32le(*name));
                out.extend_from_slice(&u16le(8));
                out.push(0);
                out.push(*ty);
                out.extend_from_slice(&u32le(*data));
            }
        }
        E::Raw(b) => out.extend_from_slice(b),
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Dense,
    Offset16,
    Sparse,
}

/// A `ResTable_type` chunk with `entry_count` slots; `entries` are
/// `(index, entry)` pairs.
fn type_chunk(
    id: u8,
    config: &[u8],
    entry_count: u32,
    entries: &[(u16, E)],
    layout: Layout,
) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets: BTreeMap<u16, u32> = BTreeMap::new();
    for (idx, e) in entries {
        offsets.insert(*idx, data.len() as u32);
        data.extend_from_slice(&entry_bytes(e));
    }
    let mut index = Vec::new();
    let count = match layout {
        Layout::Dense => {
            for i in 0..entry_count {
                let o = offsets.get(&(i as u16)).copied().unwrap_or(0xffff_ffff);
                index.extend_from_slice(&u32le(o));
            }
            entry_count
        }
        Layout::Offset16 => {
            for i in 0..entry_count {
                let o = offsets.get(&(i as u16)).map_or(0xffff, |o| (o / 4) as u16);
                index.extend_from_slice(&u16le(o));
            }
            while index.len() % 4 != 0 {
                index.push(0);
            }
            entry_count
        }
        Layout::Sparse => {
            for (i, o) in &offsets {
                index.extend_from_slice(&u16le(*i));
                index.extend_from_slice(&u16le((o / 4) as u16));
            }
            offsets.len() as u32
        }
    };
    let flags = match layout {
        Layout::Dense => 0,
        Layout::Offset16 => FLAG_OFFSET16,
        Layout::Sparse => FLAG_SPARSE,
    };
    let header_size = 8 + 12 + config.len();
    let mut header = vec![id, flags, 0, 0];
    header.extend_from_slice(&u32le(count));
    header.extend_from_slice(&u32le((header_size + index.len()) as u32));
    header.extend_from_slice(config);
    let mut body = index;
    body.extend_from_slice(&data);
    chunk(0x0201, &header, &body)
}

fn spec_chunk(id: u8, flags: &[u32]) -> Vec<u8> {
    let mut header = vec![id, 0, 0, 0];
    header.extend_from_slice(&u32le(flags.len() as u32));
    let body: Vec<u8> = flags.iter().flat_map(|f| u32le(*f)).collect();
    chunk(0x0202, &header, &body)
}

fn utf16_fixed(s: &str, units: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    v.resize(units * 2, 0);
    v
}

/// A package chunk: header, type pool, key pool, then `children`.
fn package_chunk(
    id: u32,
    name: &str,
    types: &[&str],
    keys: &[&str],
    children: &[Vec<u8>],
) -> Vec<u8> {
    let type_pool = build_pool(types, true);
    let key_pool = build_pool(keys, true);
    let mut header = Vec::new();
    header.extend_from_slice(&u32le(id));
    header.extend_from_slice(&utf16_fixed(name, 128));
    header.extend_from_slice(&u32le(288)); // typeStrings
    header.extend_from_slice(&u32le(types.len() as u32));
    header.extend_from_slice(&u32le((288 + type_pool.len()) as u32)); // keyStrings
    header.extend_from_slice(&u32le(keys.len() as u32));
    header.extend_from_slice(&u32le(0)); // typeIdOffset
    let mut body = type_pool;
    body.extend_from_slice(&key_pool);
    for c in children {
        body.extend_from_slice(c);
    }
    chunk(0x0200, &header, &body)
}

fn table(strings: &[&str], packages: &[Vec<u8>]) -> Vec<u8> {
    table_with(strings, packages, packages.len() as u32)
}

fn table_with(strings: &[&str], packages: &[Vec<u8>], declared: u32) -> Vec<u8> {
    let mut body = build_pool(strings, false);
    for p in packages {
        body.extend_from_slice(p);
    }
    chunk(0x0002, &u32le(declared), &body)
}

fn s(key: u32, idx: u32) -> E {
    E::Simple {
        key,
        ty: types::STRING,
        data: idx,
    }
}

fn r(key: u32, target: u32) -> E {
    E::Simple {
        key,
        ty: types::REFERENCE,
        data: target,
    }
}

fn codes(p: &Parsed<ResTable<'_>>) -> Vec<&'static str> {
    p.anomalies.iter().map(|a| a.code).collect()
}

/// The "minimal" table: `string/app_name` in default, zh-rCN and en.
fn minimal() -> Vec<u8> {
    let pkg = package_chunk(
        0x7f,
        "org.example.kids",
        &["attr", "string"],
        &["app_name"],
        &[
            spec_chunk(2, &[0x4]),
            type_chunk(2, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense),
            type_chunk(
                2,
                &locale_config("zh", "CN"),
                1,
                &[(0, s(0, 1))],
                Layout::Dense,
            ),
            type_chunk(
                2,
                &locale_config("en", ""),
                1,
                &[(0, s(0, 2))],
                Layout::Dense,
            ),
        ],
    );
    table(&["Kids", "儿童", "Kids (en)"], &[pkg])
}

// ------------------------------------------------------------------ tests

#[test]
fn minimal_table_locales() {
    let data = minimal();
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let t = p.value;
    let pk: Vec<_> = t
        .packages()
        .map(|p| (p.id(), p.name().to_string()))
        .collect();
    assert_eq!(pk, vec![(0x7f, "org.example.kids".to_string())]);
    let id = 0x7f02_0000;
    assert_eq!(t.name_of(id).as_deref(), Some("string/app_name"));
    assert_eq!(
        t.qualified_name_of(id).as_deref(),
        Some("org.example.kids:string/app_name")
    );
    assert_eq!(t.resolve_string(id, None).as_deref(), Some("Kids"));
    assert_eq!(t.resolve_string(id, Some("")).as_deref(), Some("Kids"));
    for loc in ["zh-CN", "zh-rCN", "zh_CN", "zh", "zh-SG"] {
        assert_eq!(
            t.resolve_string(id, Some(loc)).as_deref(),
            Some("儿童"),
            "{loc}"
        );
    }
    // zh-TW is written in Hant, zh-CN in Hans: Android falls back to default.
    assert_eq!(t.resolve_string(id, Some("zh-TW")).as_deref(), Some("Kids"));
    assert_eq!(
        t.resolve_string(id, Some("en")).as_deref(),
        Some("Kids (en)")
    );
    assert_eq!(
        t.resolve_string(id, Some("en-GB")).as_deref(),
        Some("Kids (en)")
    );
    assert_eq!(t.resolve_string(id, Some("fr-FR")).as_deref(), Some("Kids"));
    let l = t.localized_strings(id);
    let want: BTreeMap<String, String> = [("", "Kids"), ("en", "Kids (en)"), ("zh-CN", "儿童")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(l, want);
    let e = t.entries(id);
    assert_eq!(e.len(), 3);
    assert_eq!(e[1].config.to_string(), "zh-rCN");
    assert_eq!(e[1].config.locale(), "zh-rCN");
    assert_eq!(
        e[1].value,
        EntryValue::Simple(
            ResValue {
                data_type: types::STRING,
                data: 1
            },
            Some("儿童".into())
        )
    );
    assert!(t.entries(0x7f02_0001).is_empty());
    assert!(t.entries(0x7e02_0000).is_empty());
    assert_eq!(t.name_of(0x7f03_0000), None);
    let all: Vec<_> = t.string_resources().collect();
    assert_eq!(all.len(), 3);
    assert!(all.contains(&("string/app_name".into(), "zh-CN".into(), "儿童".into())));
}

#[test]
fn us_english_prefers_default_over_other_english_regions() {
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["k"],
        &[
            spec_chunk(1, &[0]),
            type_chunk(1, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense),
            type_chunk(
                1,
                &locale_config("en", "GB"),
                1,
                &[(0, s(0, 1))],
                Layout::Dense,
            ),
        ],
    );
    let data = table(&["color", "colour"], &[pkg]);
    let t = parse(&data).unwrap().value;
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("en-US")).as_deref(),
        Some("color")
    );
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("en-GB")).as_deref(),
        Some("colour")
    );
    // en-AU shares the script; Android prefers a matching language.
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("en-AU")).as_deref(),
        Some("colour")
    );
}

#[test]
fn no_default_means_no_match_for_other_locales() {
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["k"],
        &[
            spec_chunk(1, &[0]),
            type_chunk(
                1,
                &locale_config("zh", "CN"),
                1,
                &[(0, s(0, 0))],
                Layout::Dense,
            ),
        ],
    );
    let data = table(&["仅中文"], &[pkg]);
    let t = parse(&data).unwrap().value;
    assert_eq!(t.resolve_string(0x7f01_0000, None), None);
    assert_eq!(t.resolve_string(0x7f01_0000, Some("de")), None);
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("zh-CN")).as_deref(),
        Some("仅中文")
    );
    let l = t.localized_strings(0x7f01_0000);
    assert_eq!(l.len(), 1);
    assert_eq!(l.get("zh-CN").map(String::as_str), Some("仅中文"));
}

#[test]
fn sparse_type() {
    let entries = [(0u16, s(0, 0)), (5, s(1, 1)), (9, s(2, 2))];
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["a", "b", "c"],
        &[
            spec_chunk(1, &[0; 10]),
            type_chunk(1, &default_config(), 10, &entries, Layout::Sparse),
        ],
    );
    let data = table(&["A", "B", "C"], &[pkg]);
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let t = p.value;
    assert_eq!(t.resolve_string(0x7f01_0005, None).as_deref(), Some("B"));
    assert_eq!(t.name_of(0x7f01_0009).as_deref(), Some("string/c"));
    assert!(t.entries(0x7f01_0003).is_empty());
    let ty = t.packages().next().unwrap().res_type(1).unwrap();
    assert_eq!(ty.entry_count(), 10);
    assert_eq!(ty.configs()[0].flags(), FLAG_SPARSE);
}

#[test]
fn unsorted_sparse_entries_are_sorted_with_anomaly() {
    let mut c = type_chunk(
        1,
        &default_config(),
        2,
        &[(1, s(0, 0)), (4, s(1, 1))],
        Layout::Sparse,
    );
    // Swap the two sparse index entries.
    let hs = 8 + 12 + 64;
    let (a, b) = (c[hs..hs + 4].to_vec(), c[hs + 4..hs + 8].to_vec());
    c[hs..hs + 4].copy_from_slice(&b);
    c[hs + 4..hs + 8].copy_from_slice(&a);
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["a", "b"],
        &[spec_chunk(1, &[0; 5]), c],
    );
    let data = table(&["A", "B"], &[pkg]);
    let p = parse(&data).unwrap();
    assert!(codes(&p).contains(&"arsc-sparse-unsorted"));
    let chunk = &p
        .value
        .packages()
        .next()
        .unwrap()
        .res_type(1)
        .unwrap()
        .configs()[0];
    assert_eq!(chunk.entries().count(), 2);
    assert_eq!(chunk.string_value_count(), 2);
    assert_eq!(
        p.value.resolve_string(0x7f01_0004, None).as_deref(),
        Some("B")
    );
    assert_eq!(
        p.value.resolve_string(0x7f01_0001, None).as_deref(),
        Some("A")
    );
}

#[test]
fn offset16_type() {
    let entries = [(0u16, s(0, 0)), (2, s(1, 1))];
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["a", "b"],
        &[
            spec_chunk(1, &[0; 3]),
            type_chunk(1, &default_config(), 3, &entries, Layout::Offset16),
        ],
    );
    let data = table(&["A", "B"], &[pkg]);
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    assert_eq!(
        p.value.resolve_string(0x7f01_0002, None).as_deref(),
        Some("B")
    );
    assert!(p.value.entries(0x7f01_0001).is_empty());
}

#[test]
fn compact_entry() {
    let entries = [
        (
            0u16,
            E::Compact {
                key: 1,
                ty: types::STRING,
                data: 0,
            },
        ),
        (
            1,
            E::Compact {
                key: 0,
                ty: types::INT_DEC,
                data: 42,
            },
        ),
    ];
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["answer", "app_name"],
        &[
            spec_chunk(1, &[0; 2]),
            type_chunk(1, &default_config(), 2, &entries, Layout::Offset16),
        ],
    );
    let data = table(&["Compact"], &[pkg]);
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let t = p.value;
    assert_eq!(t.name_of(0x7f01_0000).as_deref(), Some("string/app_name"));
    assert_eq!(
        t.resolve_string(0x7f01_0000, None).as_deref(),
        Some("Compact")
    );
    let e = t.entries(0x7f01_0001);
    assert_eq!(
        e[0].value,
        EntryValue::Simple(
            ResValue {
                data_type: types::INT_DEC,
                data: 42
            },
            None
        )
    );
    let c = &t.packages().next().unwrap().res_type(1).unwrap().configs()[0];
    assert!(c.entry(0).unwrap().is_compact());
}

#[test]
fn complex_entry() {
    let items = vec![
        (0x0200_0000, types::STRING, 0),
        (0x0200_0001, types::STRING, 1),
        (0x0200_0002, types::INT_DEC, 7),
    ];
    let entries = [(
        0u16,
        E::Map {
            key: 0,
            parent: 0x0101_0000,
            items,
        },
    )];
    let pkg = package_chunk(
        0x7f,
        "p",
        &["attr", "string", "array"],
        &["endpoints"],
        &[
            spec_chunk(3, &[0]),
            type_chunk(3, &default_config(), 1, &entries, Layout::Dense),
        ],
    );
    let data = table(&["https://a.example", "https://b.example.cn"], &[pkg]);
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let t = p.value;
    let e = t.entries(0x7f03_0000);
    match &e[0].value {
        EntryValue::Complex { parent, items } => {
            assert_eq!(*parent, 0x0101_0000);
            assert_eq!(items.len(), 3);
            assert_eq!(
                items[2],
                (
                    0x0200_0002,
                    ResValue {
                        data_type: types::INT_DEC,
                        data: 7
                    }
                )
            );
        }
        other => panic!("{other:?}"),
    }
    // A map is not a string.
    assert_eq!(t.resolve_string(0x7f03_0000, None), None);
    let all: Vec<_> = t.string_resources().collect();
    assert_eq!(
        all,
        vec![
            (
                "array/endpoints[0]".to_string(),
                String::new(),
                "https://a.example".to_string()
            ),
            (
                "array/endpoints[1]".to_string(),
                String::new(),
                "https://b.example.cn".to_string()
            ),
        ]
    );
}

/// `a` → `b` → `c` (string), with a zh override on `b`; `self` → `self`;
/// `x` → `y` → `x`; `n` → @null; a chain of 20 references.
fn references() -> Vec<u8> {
    let mut keys: Vec<String> = ["a", "b", "c", "self", "x", "y", "n"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut default_entries = vec![
        (0u16, r(0, 0x7f01_0001)),
        (1, r(1, 0x7f01_0002)),
        (2, s(2, 0)),
        (3, r(3, 0x7f01_0003)),
        (4, r(4, 0x7f01_0005)),
        (5, r(5, 0x7f01_0004)),
        (6, r(6, 0)),
    ];
    // long0 → long1 → … → long19 → c
    for i in 0..20u16 {
        keys.push(format!("long{i}"));
        let target = if i == 19 {
            0x7f01_0002
        } else {
            0x7f01_0000 | u32::from(8 + i)
        };
        default_entries.push((7 + i, r(u32::from(7 + i), target)));
    }
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let n = default_entries.len() as u32;
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &key_refs,
        &[
            spec_chunk(1, &vec![0; n as usize]),
            type_chunk(1, &default_config(), n, &default_entries, Layout::Dense),
            type_chunk(
                1,
                &locale_config("zh", "CN"),
                n,
                &[(1, s(1, 1))],
                Layout::Dense,
            ),
        ],
    );
    table(&["final", "最终"], &[pkg])
}

#[test]
fn reference_chain_and_cycles() {
    let data = references();
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let t = p.value;
    assert_eq!(
        t.resolve_string(0x7f01_0000, None).as_deref(),
        Some("final")
    );
    // The locale is kept along the chain: b has a zh-CN value.
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("zh-CN")).as_deref(),
        Some("最终")
    );
    let l = t.localized_strings(0x7f01_0000);
    assert_eq!(l.get("").map(String::as_str), Some("final"));
    assert_eq!(l.get("zh-CN").map(String::as_str), Some("最终"));
    // Self-reference and A→B→A terminate with no value.
    assert_eq!(t.resolve_string(0x7f01_0003, None), None);
    assert_eq!(t.resolve_string(0x7f01_0004, None), None);
    assert!(t.localized_strings(0x7f01_0004).is_empty());
    assert_eq!(t.resolve_file(0x7f01_0003), None);
    // @null.
    assert_eq!(t.resolve_string(0x7f01_0006, None), None);
    // 21 hops exceed the depth cap; 16 from the end are fine.
    assert_eq!(t.resolve_string(0x7f01_0007, None), None);
    assert_eq!(
        t.resolve_string(0x7f01_0000 | (7 + 5), None).as_deref(),
        Some("final")
    );
    // entries() does not follow references.
    assert_eq!(
        t.entries(0x7f01_0000)[0].value,
        EntryValue::Simple(
            ResValue {
                data_type: types::REFERENCE,
                data: 0x7f01_0001
            },
            None
        )
    );
}

#[test]
fn resolve_file_prefers_default_then_follows_references() {
    let density = |d: u16| {
        config_bytes(64, |c| {
            c[14..16].copy_from_slice(&u16le(d));
            c[24..26].copy_from_slice(&u16le(4));
        })
    };
    let pkg = package_chunk(
        0x7f,
        "p",
        &["drawable", "xml"],
        &["icon", "network_security_config", "nsc_alias"],
        &[
            spec_chunk(1, &[0x100]),
            type_chunk(1, &density(240), 1, &[(0, s(0, 0))], Layout::Dense),
            type_chunk(1, &density(160), 1, &[(0, s(0, 1))], Layout::Dense),
            spec_chunk(2, &[0, 0]),
            type_chunk(
                2,
                &locale_config("de", ""),
                2,
                &[(0, s(1, 3))],
                Layout::Dense,
            ),
            type_chunk(
                2,
                &default_config(),
                2,
                &[(0, s(1, 2)), (1, r(2, 0x7f02_0000))],
                Layout::Dense,
            ),
        ],
    );
    let data = table(
        &[
            "res/drawable-hdpi-v4/icon.png",
            "res/drawable-mdpi-v4/icon.png",
            "res/xml/network_security_config.xml",
            "res/xml-de/nsc.xml",
        ],
        &[pkg],
    );
    let t = parse(&data).unwrap().value;
    assert_eq!(
        t.resolve_file(0x7f02_0000).as_deref(),
        Some("res/xml/network_security_config.xml")
    );
    assert_eq!(
        t.resolve_file(0x7f02_0001).as_deref(),
        Some("res/xml/network_security_config.xml")
    );
    assert_eq!(
        t.resolve_file(0x7f01_0000).as_deref(),
        Some("res/drawable-hdpi-v4/icon.png")
    );
    assert_eq!(t.entries(0x7f01_0000)[0].config.to_string(), "hdpi-v4");
    assert_eq!(t.resolve_file(0x7f01_0001), None);
}

#[test]
fn config_sizes_old_and_new() {
    // A 28-byte (Android 1.x) and a 72-byte (future) config.
    let old = config_bytes(28, |c| c[8..10].copy_from_slice(b"fr"));
    let new = config_bytes(72, |c| c[8..10].copy_from_slice(b"de"));
    let mut new_with_junk = new.clone();
    new_with_junk[70] = 9;
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["k"],
        &[
            spec_chunk(1, &[4]),
            type_chunk(1, &old, 1, &[(0, s(0, 0))], Layout::Dense),
            type_chunk(1, &new, 1, &[(0, s(0, 1))], Layout::Dense),
            type_chunk(1, &new_with_junk, 1, &[(0, s(0, 1))], Layout::Dense),
        ],
    );
    let data = table(&["bonjour", "hallo"], &[pkg]);
    let p = parse(&data).unwrap();
    assert_eq!(codes(&p), vec!["arsc-config-unknown-fields"]);
    let t = p.value;
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("fr")).as_deref(),
        Some("bonjour")
    );
    assert_eq!(
        t.resolve_string(0x7f01_0000, Some("de-AT")).as_deref(),
        Some("hallo")
    );
    let e = t.entries(0x7f01_0000);
    assert_eq!(e[0].config.size, 28);
    assert_eq!(e[1].config.size, 72);
}

#[test]
fn config_size_larger_than_header_is_an_anomaly() {
    let mut c = type_chunk(1, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense);
    c[20..24].copy_from_slice(&u32le(200));
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[spec_chunk(1, &[0]), c]);
    let data = table(&["v"], &[pkg]);
    let p = parse(&data).unwrap();
    assert_eq!(codes(&p), vec!["arsc-config-size-mismatch"]);
    assert_eq!(
        p.value.resolve_string(0x7f01_0000, None).as_deref(),
        Some("v")
    );
}

#[test]
fn shared_library_and_dynamic_references() {
    // A library (package id 0) whose string references itself through a
    // dynamic reference with package byte 0, and an app table whose
    // library chunk maps build-time id 2 to the library's name.
    let mut lib_entry = u32le(0).to_vec();
    lib_entry.extend_from_slice(&utf16_fixed("com.example.lib", 128));
    let lib_chunk = chunk(0x0203, &u32le(1), &lib_entry);
    let dynref = E::Simple {
        key: 1,
        ty: types::DYNAMIC_REFERENCE,
        data: 0x0001_0000,
    };
    let pkg = package_chunk(
        0,
        "com.example.lib",
        &["string"],
        &["shared", "alias"],
        &[
            lib_chunk,
            spec_chunk(1, &[0x4000_0000; 2]),
            type_chunk(
                1,
                &default_config(),
                2,
                &[(0, s(0, 0)), (1, dynref)],
                Layout::Dense,
            ),
        ],
    );
    let data = table(&["Shared string!"], &[pkg]);
    let p = parse(&data).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let t = p.value;
    let pk = t.packages().next().unwrap();
    assert!(pk.is_dynamic());
    assert_eq!(
        pk.libraries(),
        &[Library {
            package_id: 0,
            name: "com.example.lib".into()
        }]
    );
    assert_eq!(
        t.resolve_string(0x0001_0001, None).as_deref(),
        Some("Shared string!")
    );
    assert_eq!(t.name_of(0x0001_0000).as_deref(), Some("string/shared"));

    // Client: build-time id 0x02 names the library; a table holding both
    // resolves 0x02xxxxxx to the library package.
    let mut lib_entry = u32le(2).to_vec();
    lib_entry.extend_from_slice(&utf16_fixed("com.example.lib", 128));
    let client = package_chunk(
        0x7f,
        "com.example.client",
        &["string"],
        &["title"],
        &[
            chunk(0x0203, &u32le(1), &lib_entry),
            spec_chunk(1, &[0]),
            type_chunk(
                1,
                &default_config(),
                1,
                &[(
                    0,
                    E::Simple {
                        key: 0,
                        ty: types::DYNAMIC_REFERENCE,
                        data: 0x0201_0000,
                    },
                )],
                Layout::Dense,
            ),
        ],
    );
    let lib = package_chunk(
        0,
        "com.example.lib",
        &["string"],
        &["shared"],
        &[
            spec_chunk(1, &[0]),
            type_chunk(1, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense),
        ],
    );
    let data = table(&["Shared string!"], &[client, lib]);
    let t = parse(&data).unwrap().value;
    assert_eq!(
        t.resolve_string(0x7f01_0000, None).as_deref(),
        Some("Shared string!")
    );
}

#[test]
fn overlayable_staged_alias_and_unknown_chunks() {
    let mut ov_header = utf16_fixed("KidsOverlay", 256);
    ov_header.extend_from_slice(&utf16_fixed("overlay://theme", 256));
    let mut pol_header = u32le(0x1).to_vec();
    pol_header.extend_from_slice(&u32le(2));
    let mut pol_body = u32le(0x7f01_0000).to_vec();
    pol_body.extend_from_slice(&u32le(0x7f01_0001));
    let policy = chunk(0x0205, &pol_header, &pol_body);
    let overlayable = chunk(0x0204, &ov_header, &policy);
    let mut alias_body = u32le(0x7f01_00ff).to_vec();
    alias_body.extend_from_slice(&u32le(0x7f01_0000));
    let staged = chunk(0x0206, &u32le(1), &alias_body);
    let unknown = chunk(0x0299, &[0; 4], &[1, 2, 3, 4]);
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["k"],
        &[
            overlayable,
            staged,
            unknown,
            spec_chunk(1, &[0]),
            type_chunk(1, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense),
        ],
    );
    let mut data = table(&["v"], &[pkg]);
    // An unknown chunk at table level and trailing garbage after the table.
    let extra = chunk(0x0777, &[], &[]);
    let n = data.len() + extra.len();
    data.extend_from_slice(&extra);
    data[4..8].copy_from_slice(&u32le(n as u32));
    data.extend_from_slice(&[0xde, 0xad]);
    let p = parse(&data).unwrap();
    assert_eq!(
        codes(&p),
        vec![
            "arsc-trailing-data",
            "arsc-unknown-chunk",
            "arsc-unknown-chunk"
        ]
    );
    let t = p.value;
    let pk = t.packages().next().unwrap();
    assert_eq!(
        pk.overlayables(),
        &[Overlayable {
            name: "KidsOverlay".into(),
            actor: "overlay://theme".into(),
            policies: vec![(1, vec![0x7f01_0000, 0x7f01_0001])]
        }]
    );
    assert_eq!(pk.staged_aliases(), &[(0x7f01_00ff, 0x7f01_0000)]);
    assert_eq!(t.resolve_string(0x7f01_00ff, None).as_deref(), Some("v"));
}

#[test]
fn tolerated_oddities_are_anomalies() {
    // Type without spec, type id 0, bad key, package count mismatch,
    // duplicate global pool.
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["k"],
        &[
            type_chunk(1, &default_config(), 1, &[(0, s(5, 0))], Layout::Dense),
            type_chunk(0, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense),
        ],
    );
    let mut body = build_pool(&["v"], true);
    body.extend_from_slice(&build_pool(&["w"], true));
    body.extend_from_slice(&pkg);
    let data = chunk(0x0002, &u32le(2), &body);
    let p = parse(&data).unwrap();
    let mut c = codes(&p);
    c.sort_unstable();
    assert_eq!(
        c,
        vec![
            "arsc-entry-bad-key",
            "arsc-extra-string-pool",
            "arsc-package-count-mismatch",
            "arsc-type-id-zero",
            "arsc-type-without-spec"
        ]
    );
    let t = p.value;
    assert_eq!(t.resolve_string(0x7f01_0000, None).as_deref(), Some("v"));
    assert_eq!(t.name_of(0x7f01_0000), None);
}

#[test]
fn damaged_entries_are_skipped_with_anomalies() {
    // Entry 0 fine; entry 1 unaligned offset; entry 2 beyond the chunk;
    // entry 3 size 4; entry 4 map with a huge count; entry 5 Res_value size 2.
    let mut bad_map = entry_bytes(&E::Map {
        key: 0,
        parent: 0,
        items: vec![],
    });
    bad_map[12..16].copy_from_slice(&u32le(0x1000_0000));
    let mut bad_value = entry_bytes(&s(0, 0));
    bad_value[8..10].copy_from_slice(&u16le(2));
    let small = {
        let mut b = entry_bytes(&s(0, 0));
        b[0..2].copy_from_slice(&u16le(4));
        b
    };
    let entries = [
        (0u16, s(0, 0)),
        (3, E::Raw(small)),
        (4, E::Raw(bad_map)),
        (5, E::Raw(bad_value)),
    ];
    let mut c = type_chunk(1, &default_config(), 6, &entries, Layout::Dense);
    let hs = 8 + 12 + 64;
    c[hs + 4..hs + 8].copy_from_slice(&u32le(2)); // entry 1: unaligned
    c[hs + 8..hs + 12].copy_from_slice(&u32le(0x10_0000)); // entry 2: out of chunk
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[spec_chunk(1, &[0; 6]), c]);
    let data = table(&["v"], &[pkg]);
    let p = parse(&data).unwrap();
    let mut got = codes(&p);
    got.sort_unstable();
    assert_eq!(
        got,
        vec![
            "arsc-entry-out-of-bounds",
            "arsc-entry-too-small",
            "arsc-entry-unaligned",
            "arsc-map-count-out-of-bounds",
            "arsc-value-bad-size"
        ]
    );
    let t = p.value;
    assert_eq!(t.resolve_string(0x7f01_0000, None).as_deref(), Some("v"));
    for i in 1..6 {
        assert!(t.entries(0x7f01_0000 | i).is_empty(), "entry {i}");
    }
}

#[test]
fn anomaly_flood_is_capped() {
    let n = 1000u32;
    let entries: Vec<(u16, E)> = Vec::new();
    let mut c = type_chunk(1, &default_config(), n, &entries, Layout::Dense);
    let hs = 8 + 12 + 64;
    for i in 0..n as usize {
        c[hs + 4 * i..hs + 4 * i + 4].copy_from_slice(&u32le(0x40_0000));
    }
    let pkg = package_chunk(
        0x7f,
        "p",
        &["string"],
        &["k"],
        &[spec_chunk(1, &vec![0; n as usize]), c],
    );
    let data = table(&["v"], &[pkg]);
    let p = parse(&data).unwrap();
    assert_eq!(p.anomalies.len(), chunk::Sink::MAX_PER_CODE + 1);
    let last = p.anomalies.last().unwrap();
    assert_eq!(last.code, "arsc-anomalies-suppressed");
    assert!(last.detail.contains("968 more"), "{}", last.detail);
}

// ----------------------------------------------------------------- errors

#[test]
fn error_not_a_table() {
    let mut data = minimal();
    data[0] = 3;
    assert_eq!(parse(&data).unwrap_err(), ArscError::NotATable { found: 3 });
}

#[test]
fn leading_chunks_before_the_table_are_skipped() {
    let mut data = chunk(0x0123, &[0; 4], &[9; 8]);
    data.extend_from_slice(&minimal());
    let p = parse(&data).unwrap();
    assert_eq!(codes(&p), vec!["arsc-leading-chunk"]);
    assert_eq!(
        p.value
            .resolve_string(0x7f02_0000, Some("zh-CN"))
            .as_deref(),
        Some("儿童")
    );
    // Not a table anywhere: the first chunk type is reported.
    let data = chunk(0x0123, &[0; 4], &[9; 8]);
    assert_eq!(
        parse(&data).unwrap_err(),
        ArscError::NotATable { found: 0x0123 }
    );
}

#[test]
fn error_truncated() {
    assert!(matches!(
        parse(&[2, 0, 12]),
        Err(ArscError::Truncated {
            structure: "ResTable_header",
            available: 3,
            ..
        })
    ));
    let data = minimal();
    for cut in [12, 40, data.len() / 2, data.len() - 1] {
        let err = parse(&data[..cut]).unwrap_err();
        assert!(
            matches!(
                err,
                ArscError::Truncated {
                    structure: "ResTable_header",
                    offset: 0,
                    ..
                }
            ),
            "cut {cut}: {err}"
        );
    }
    // Child chunk with fewer than 8 bytes left in the parent is tolerated as
    // trailing bytes only when it is not a chunk: here the header is cut.
    let mut data = minimal();
    let n = data.len() as u32 + 6;
    data.extend_from_slice(&[1, 0, 8, 0, 0, 0]);
    data[4..8].copy_from_slice(&u32le(n));
    let p = parse(&data).unwrap();
    assert_eq!(codes(&p), vec!["arsc-trailing-bytes"]);
}

#[test]
fn error_bad_chunk_sizes() {
    // Package chunk claims more bytes than the table holds.
    let data = minimal();
    let pool_len = build_pool(&["Kids", "儿童", "Kids (en)"], false).len();
    let pkg_at = 12 + pool_len;
    let mut d = data.clone();
    d[pkg_at + 4..pkg_at + 8].copy_from_slice(&u32le(0x00ff_ffff));
    assert!(matches!(
        parse(&d).unwrap_err(),
        ArscError::BadChunkSize {
            structure: "ResTable_header",
            chunk_type: 0x0200,
            ..
        }
    ));
    // headerSize smaller than a chunk header.
    let mut d = data.clone();
    d[pkg_at + 2..pkg_at + 4].copy_from_slice(&u16le(4));
    assert!(matches!(
        parse(&d).unwrap_err(),
        ArscError::BadChunkSize { header_size: 4, .. }
    ));
    // headerSize larger than size.
    let mut d = data.clone();
    d[12 + 2..12 + 4].copy_from_slice(&u16le(0xfff0));
    assert!(matches!(
        parse(&d).unwrap_err(),
        ArscError::BadChunkSize {
            chunk_type: 0x0001,
            ..
        }
    ));
    // Table header smaller than ResTable_header.
    let mut d = data.clone();
    d[2..4].copy_from_slice(&u16le(8));
    assert!(matches!(
        parse(&d).unwrap_err(),
        ArscError::HeaderTooSmall {
            structure: "ResTable_header",
            ..
        }
    ));
    // Package header smaller than 284 bytes.
    let mut d = data;
    d[pkg_at + 2..pkg_at + 4].copy_from_slice(&u16le(100));
    assert!(matches!(
        parse(&d).unwrap_err(),
        ArscError::HeaderTooSmall {
            structure: "ResTable_package",
            ..
        }
    ));
}

#[test]
fn error_huge_counts() {
    // typeSpec entryCount of 4 billion in a tiny file.
    let mut spec = spec_chunk(1, &[0]);
    spec[12..16].copy_from_slice(&u32le(u32::MAX));
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[spec]);
    let data = table(&["v"], &[pkg]);
    assert!(matches!(
        parse(&data).unwrap_err(),
        ArscError::TableOutOfBounds {
            table: "ResTable_typeSpec flags",
            count: u32::MAX,
            ..
        }
    ));
    // ResTable_type entryCount of 4 billion.
    let mut ty = type_chunk(1, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense);
    ty[12..16].copy_from_slice(&u32le(0xffff_fff0));
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[spec_chunk(1, &[0]), ty]);
    let data = table(&["v"], &[pkg]);
    assert!(matches!(
        parse(&data).unwrap_err(),
        ArscError::TableOutOfBounds {
            table: "ResTable_type entry offsets",
            ..
        }
    ));
    // More than 65535 entries that do fit in the bytes.
    let ty = type_chunk(1, &default_config(), 0x1_0002, &[], Layout::Offset16);
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[spec_chunk(1, &[0]), ty]);
    let data = table(&["v"], &[pkg]);
    assert!(matches!(
        parse(&data).unwrap_err(),
        ArscError::BadCount {
            count: 0x1_0002,
            max: 0xffff,
            ..
        }
    ));
    // Library count.
    let lib = chunk(0x0203, &u32le(0x0100_0000), &[]);
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[lib]);
    let data = table(&["v"], &[pkg]);
    assert!(matches!(
        parse(&data).unwrap_err(),
        ArscError::TableOutOfBounds {
            table: "ResTable_lib_entry",
            ..
        }
    ));
    // Global string pool with 4 billion strings.
    let mut data = minimal();
    data[12 + 8..12 + 12].copy_from_slice(&u32le(u32::MAX));
    let err = parse(&data).unwrap_err();
    assert!(
        matches!(
            &err,
            ArscError::StringPool {
                pool: "global",
                offset: 12,
                source: StringPoolError::TableOutOfBounds {
                    count: u32::MAX,
                    ..
                }
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "`global` string pool at 0xc: string pool `string offsets` at 0x1c with 4294967295 entries runs past the end of the chunk (84 bytes)"
    );
}

#[test]
fn error_bad_entries_start() {
    let mut ty = type_chunk(1, &default_config(), 1, &[(0, s(0, 0))], Layout::Dense);
    ty[16..20].copy_from_slice(&u32le(0x10));
    let pkg = package_chunk(0x7f, "p", &["string"], &["k"], &[spec_chunk(1, &[0]), ty]);
    let data = table(&["v"], &[pkg]);
    assert!(matches!(
        parse(&data).unwrap_err(),
        ArscError::BadOffset {
            field: "ResTable_type.entriesStart",
            value: 0x10,
            ..
        }
    ));
}

#[test]
fn error_messages_are_lowercase_and_name_offsets() {
    let e = ArscError::TableOutOfBounds {
        table: "ResTable_typeSpec flags",
        offset: 0x1234,
        count: 4_000_000_000,
        len: 1024,
    };
    assert_eq!(
        e.to_string(),
        "`ResTable_typeSpec flags` at 0x1234 with 4000000000 entries runs past the end (1024 bytes)"
    );
    assert_eq!(
        ArscError::NotATable { found: 3 }.to_string(),
        "not a resource table: chunk type 0x0003 at 0x0"
    );
}

// -------------------------------------------------------- aapt fixtures

#[test]
fn fixture_matches_aapt_badging() {
    for data in [FIXTURE, FIXTURE_UTF16] {
        let p = parse(data).unwrap();
        assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
        let t = p.value;
        assert_eq!(t.string_pool().is_utf8(), data == FIXTURE);
        let app_name = 0x7f04_0000;
        assert_eq!(t.name_of(app_name).as_deref(), Some("string/app_name"));
        for line in FIXTURE_BADGING.lines() {
            let (head, value) = line.split_once(":'").unwrap();
            let value = value.strip_suffix('\'').unwrap();
            let locale = head
                .strip_prefix("application-label")
                .unwrap()
                .trim_start_matches('-');
            assert_eq!(
                t.resolve_string(app_name, Some(locale)).as_deref(),
                Some(value),
                "{locale}"
            );
        }
        let l = t.localized_strings(app_name);
        let keys: Vec<&str> = l.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["", "en", "sr-Latn", "zh-CN", "zh-TW"]);
        // label_alias → app_name, per locale.
        assert_eq!(t.localized_strings(0x7f04_0001), l);
        assert_eq!(
            t.resolve_file(0x7f03_0000).as_deref(),
            Some("res/xml/network_security_config.xml")
        );
        assert_eq!(
            t.resolve_file(0x7f02_0000).as_deref(),
            Some("res/drawable/icon.xml")
        );
        // v21 override wins on the badging device (SDK 10000).
        assert_eq!(
            t.resolve_string(0x7f04_0003, None).as_deref(),
            Some("Only default (v21)")
        );
        let strings: Vec<_> = t.string_resources().collect();
        assert!(strings.contains(&(
            "array/endpoints[1]".into(),
            String::new(),
            "https://log.example.cn/collect".into()
        )));
        assert!(strings.contains(&(
            "string/privacy_url".into(),
            "zh-CN".into(),
            "https://privacy.example.cn/kids".into()
        )));
    }
}

/// Every `resource` line of `aapt dump --values resources` is an entry of
/// ours with the same configuration name and value.
#[test]
fn fixture_matches_aapt_dump() {
    for data in [FIXTURE, FIXTURE_UTF16] {
        let t = parse(data).unwrap().value;
        let mut config = String::new();
        let mut seen = 0;
        for line in FIXTURE_AAPT.lines() {
            let l = line.trim();
            if let Some(c) = l.strip_prefix("config ") {
                config = c.trim_end_matches(':').replace("(default)", "");
                continue;
            }
            if let Some(rest) = l.strip_prefix("spec resource 0x") {
                let id = u32::from_str_radix(&rest[..8], 16).unwrap();
                let name = rest[9..].split(": ").next().unwrap();
                assert_eq!(t.qualified_name_of(id).as_deref(), Some(name));
                continue;
            }
            let Some(rest) = l.strip_prefix("resource 0x") else {
                continue;
            };
            let id = u32::from_str_radix(&rest[..8], 16).unwrap();
            let entries = t.entries(id);
            let e = entries
                .iter()
                .find(|e| e.config.to_string() == config)
                .unwrap_or_else(|| panic!("{l} / {config}"));
            if rest.contains("<bag>") {
                assert!(matches!(e.value, EntryValue::Complex { .. }), "{l}");
            } else {
                let ty = rest.split("t=0x").nth(1).unwrap();
                let d = rest.split("d=0x").nth(1).unwrap();
                let v = ResValue {
                    data_type: u8::from_str_radix(&ty[..2], 16).unwrap(),
                    data: u32::from_str_radix(&d[..8], 16).unwrap(),
                };
                match &e.value {
                    EntryValue::Simple(got, _) => assert_eq!(*got, v, "{l}"),
                    other => panic!("{l}: {other:?}"),
                }
            }
            seen += 1;
        }
        assert_eq!(seen, 19);
    }
}

/// Truncating or flipping bytes of a real table never panics, and any
/// table that still parses answers every query without panicking.
#[test]
fn no_panic_on_truncation_and_byte_flips() {
    fn exercise(data: &[u8]) -> bool {
        let Ok(p) = parse(data) else {
            return false;
        };
        {
            let t = p.value;
            let mut ids = std::collections::BTreeSet::new();
            for pk in t.packages() {
                for ty in pk.types() {
                    for c in ty.configs() {
                        let _ = c.config().to_string();
                        let _ = c.config().bcp47();
                        // The count kept while parsing and the lazy
                        // decoding agree, and so do lookup and iteration.
                        let strings = c
                            .entries()
                            .filter(|(_, e)| {
                                matches!(e.data, EntryData::Simple(v) if v.data_type == crate::formats::resvalue::types::STRING)
                            })
                            .count();
                        assert_eq!(c.string_value_count(), strings);
                        for (idx, e) in c.entries() {
                            assert_eq!(c.entry(idx).as_ref(), Some(&e));
                            ids.insert(
                                (pk.id() << 24) | (u32::from(ty.id()) << 16) | u32::from(idx),
                            );
                        }
                    }
                }
            }
            for id in ids {
                let _ = t.name_of(id);
                let _ = t.entries(id);
                let _ = t.localized_strings(id);
                let _ = t.resolve_file(id);
            }
            let _ = t.string_resources().count();
        }
        true
    }
    let (mut flips, mut flips_ok) = (0usize, 0usize);
    for base in [FIXTURE, FIXTURE_UTF16] {
        for cut in 0..base.len() {
            // As cut, and with the table size patched so the walk reaches
            // the truncated inner chunks.
            exercise(&base[..cut]);
            let mut d = base[..cut].to_vec();
            if let Some(size) = d.get_mut(4..8) {
                size.copy_from_slice(&(cut as u32).to_le_bytes());
                exercise(&d);
            }
        }
        let mut d = base.to_vec();
        for i in 0..d.len() {
            for x in [0xff, 0x01] {
                let orig = d[i];
                d[i] = orig ^ x;
                flips += 1;
                flips_ok += usize::from(exercise(&d));
                d[i] = orig;
            }
        }
    }
    // Most flips land in data Android tolerates: the queries do run.
    assert!(flips_ok * 2 > flips, "{flips_ok}/{flips}");
}
