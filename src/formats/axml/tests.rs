//! Decoder tests on hand-built byte fixtures and on a manifest compiled by
//! aapt (`tests/data/axml/`, see its README).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::fixture::{Fixture, V};
use super::*;

const MANIFEST: &[u8] = include_bytes!("../../../tests/data/axml/manifest.axml");
const MANIFEST_XMLTREE: &str = include_str!("../../../tests/data/axml/manifest.xmltree.txt");

const ANDROID_IDS: &[(&str, u32)] = &[
    ("versionCode", 0x0101_021b),
    ("name", 0x0101_0003),
    ("label", 0x0101_0001),
];

/// A small manifest: `<manifest package versionCode><application label>
/// <activity name/></application></manifest>` with a text node.
fn small_manifest(utf8: bool) -> Fixture {
    let mut f = Fixture::new(utf8).with_res_ids(ANDROID_IDS);
    f.ns(true, "android", ANDROID_NS);
    f.start(
        "manifest",
        &[
            (Some(ANDROID_NS), "versionCode", V::Typed(types::INT_DEC, 3)),
            (None, "package", V::Str("org.example")),
        ],
    );
    f.start(
        "application",
        &[(
            Some(ANDROID_NS),
            "label",
            V::Typed(types::REFERENCE, 0x7f05_0000),
        )],
    );
    f.start(
        "activity",
        &[(Some(ANDROID_NS), "name", V::Str(".Main \"x\"\n"))],
    );
    f.end("activity");
    f.text("hi\\there");
    f.end("application");
    f.end("manifest");
    f.ns(false, "android", ANDROID_NS);
    f
}

const SMALL_XMLTREE: &str = "N: android=http://schemas.android.com/apk/res/android
  E: manifest (line=2)
    A: android:versionCode(0x0101021b)=(type 0x10)0x3
    A: package=\"org.example\" (Raw: \"org.example\")
    E: application (line=3)
      A: android:label(0x01010001)=@0x7f050000
      E: activity (line=4)
        A: android:name(0x01010003)=\".Main \\\"x\\\"\\n\" (Raw: \".Main \\\"x\\\"\\n\")
      C: \"hi\\\\there\"
";

fn codes(p: &Parsed<Document>) -> Vec<&'static str> {
    p.anomalies.iter().map(|a| a.code).collect()
}

#[test]
fn utf16_pool_decodes_and_renders_like_aapt() {
    let p = parse(&small_manifest(false).build()).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let doc = &p.value;
    assert!(!doc.utf8_strings);
    let root = doc.root.as_ref().unwrap();
    assert_eq!(root.name, "manifest");
    assert_eq!(
        root.attr("versionCode").and_then(Attribute::as_int),
        Some(3)
    );
    assert_eq!(
        root.attr_plain("package").and_then(Attribute::as_str),
        Some("org.example")
    );
    let app = &root.children[0];
    assert_eq!(
        app.attr("label").and_then(Attribute::as_reference),
        Some(0x7f05_0000)
    );
    assert_eq!(app.text, vec!["hi\\there".to_owned()]);
    assert_eq!(
        doc.namespaces,
        vec![Namespace {
            prefix: Some("android".into()),
            uri: ANDROID_NS.into()
        }]
    );
    assert_eq!(doc.to_xmltree(), SMALL_XMLTREE);
}

#[test]
fn utf8_pool_decodes_the_same() {
    let p16 = parse(&small_manifest(false).build()).unwrap();
    let p8 = parse(&small_manifest(true).build()).unwrap();
    assert!(p8.anomalies.is_empty(), "{:?}", p8.anomalies);
    assert!(p8.value.utf8_strings);
    let without_offsets = |mut el: Element| {
        let mut stack = vec![&mut el];
        while let Some(e) = stack.pop() {
            e.offset = 0;
            stack.extend(e.children.iter_mut());
        }
        el
    };
    assert_eq!(
        p8.value.root.clone().map(without_offsets),
        p16.value.root.map(without_offsets)
    );
    assert_eq!(p8.value.to_xmltree(), SMALL_XMLTREE);
}

#[test]
fn non_ascii_and_long_strings_in_both_flavours() {
    let long = "长".repeat(0x9000); // UTF-8 length > 0x7fff: two-byte lengths
    for utf8 in [false, true] {
        let mut f = Fixture::new(utf8);
        f.start(
            "a",
            &[(None, "v", V::Str(&long)), (None, "w", V::Str("😀护苗"))],
        );
        f.end("a");
        let p = parse(&f.build()).unwrap();
        let root = p.value.root.unwrap();
        assert_eq!(root.attributes[0].as_str(), Some(long.as_str()));
        assert_eq!(root.attributes[1].as_str(), Some("😀护苗"));
    }
}

#[test]
fn stripped_attribute_names_resolve_by_resource_id() {
    // APKEditor-style obfuscation: the names of android attributes are
    // blanked; only the resource map says what they are.
    let mut f = Fixture::new(false).with_res_ids(&[("", 0x0101_021b), ("x", 0x0101_0003)]);
    f.ns(true, "android", ANDROID_NS);
    f.start(
        "manifest",
        &[
            (Some(ANDROID_NS), "", V::Typed(types::INT_DEC, 9)),
            (None, "package", V::Str("p")),
        ],
    );
    f.start(
        "uses-permission",
        &[(Some(ANDROID_NS), "x", V::Str("android.permission.CAMERA"))],
    );
    f.end("uses-permission");
    f.end("manifest");
    let p = parse(&f.build()).unwrap();
    assert!(
        codes(&p).contains(&"axml-renamed-attribute"),
        "{:?}",
        p.anomalies
    );
    let root = p.value.root.as_ref().unwrap();
    assert_eq!(
        root.attr("versionCode").and_then(Attribute::as_int),
        Some(9)
    );
    let perm = &root.children[0];
    assert_eq!(
        perm.attr("name").and_then(Attribute::as_str),
        Some("android.permission.CAMERA")
    );
    // An attribute merely *named* like an android one, with another id,
    // does not match.
    assert!(perm.attr("label").is_none());
}

#[test]
fn name_fallback_without_resource_map() {
    let mut f = Fixture::new(false);
    f.start(
        "manifest",
        &[(
            Some(ANDROID_NS),
            "versionCode",
            V::Typed(types::INT_HEX, 0x10),
        )],
    );
    f.end("manifest");
    let p = parse(&f.build()).unwrap();
    let root = p.value.root.unwrap();
    assert_eq!(root.attributes[0].resource_id, None);
    assert_eq!(
        root.attr("versionCode").and_then(Attribute::as_int),
        Some(16)
    );
}

fn expect_err(data: &[u8]) -> AxmlError {
    match parse(data) {
        Ok(p) => panic!("expected an error, got {:?}", p.value.root),
        Err(e) => e,
    }
}

#[test]
fn a_lone_node_ending_at_the_end_is_not_found_like_on_android() {
    // ResXMLTree::setTo scans while `chunk + size < end`, so a document
    // whose first node is also its last chunk has no root.
    let mut f = Fixture::new(false);
    f.start("a", &[]);
    assert!(matches!(
        expect_err(&f.build()),
        AxmlError::NoRootElement { .. }
    ));
}

#[test]
fn error_truncated_header() {
    assert!(matches!(
        expect_err(&[3, 0, 8]),
        AxmlError::Truncated {
            structure: "xml header",
            ..
        }
    ));
    assert!(matches!(expect_err(&[]), AxmlError::Truncated { .. }));
}

#[test]
fn error_not_binary_xml() {
    let e = expect_err(b"<?xml version=\"1.0\"?><manifest/>");
    assert!(matches!(e, AxmlError::NotBinaryXml { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "not binary XML: file starts with [3c, 3f, 78, 6d]"
    );
    assert!(matches!(
        expect_err(b"\xef\xbb\xbf  <a/>"),
        AxmlError::NotBinaryXml { .. }
    ));
    assert!(matches!(
        expect_err(b"PK\x03\x04 not xml at all"),
        AxmlError::NotBinaryXml { .. }
    ));
}

#[test]
fn error_bad_file_header() {
    let mut data = small_manifest(false).build();
    let declared = data.len() as u32 + 100;
    data[4..8].copy_from_slice(&declared.to_le_bytes());
    let e = expect_err(&data);
    assert!(matches!(e, AxmlError::BadFileHeader { .. }), "{e}");
    assert!(e.to_string().starts_with("xml header at 0x0 declares"));
}

#[test]
fn error_huge_string_count() {
    let mut data = small_manifest(false).build();
    // stringCount of the pool at 0x8 (header 8 + chunk header 8).
    data[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = expect_err(&data);
    assert!(
        matches!(
            e,
            AxmlError::StringCountTooLarge {
                offset: 8,
                count: u32::MAX,
                ..
            }
        ),
        "{e}"
    );
    assert!(e
        .to_string()
        .starts_with("string pool at 0x8 declares 4294967295 strings but only"));
}

#[test]
fn error_bad_chunk_size() {
    let mut data = small_manifest(false).build();
    // The pool's size is no longer a multiple of 4: validate_chunk fails.
    let size = u32::from_le_bytes(data[12..16].try_into().unwrap());
    data[12..16].copy_from_slice(&(size - 2).to_le_bytes());
    let e = expect_err(&data);
    assert!(
        matches!(
            e,
            AxmlError::BadChunk {
                offset: 8,
                chunk_type: 1,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn error_bad_string_pool() {
    let f = small_manifest(true);
    let mut data = f.build();
    // Make the last byte of the character data non-zero (padding included).
    let pool_size = u32::from_le_bytes(data[12..16].try_into().unwrap()) as usize;
    data[8 + pool_size - 1] = b'x';
    let e = expect_err(&data);
    assert!(
        matches!(
            e,
            AxmlError::BadStringPool {
                reason: "last string is not 0-terminated",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn error_missing_pool_and_missing_root() {
    let f = small_manifest(false);
    // No pool: header + resource map + nodes.
    let body = [f.res_map(), f.nodes.clone()].concat();
    let mut data = vec![3, 0, 8, 0];
    data.extend_from_slice(&(8 + body.len() as u32).to_le_bytes());
    data.extend_from_slice(&body);
    assert_eq!(expect_err(&data), AxmlError::MissingStringPool);
    // No nodes.
    let body = f.pool();
    let mut data = vec![3, 0, 8, 0];
    data.extend_from_slice(&(8 + body.len() as u32).to_le_bytes());
    data.extend_from_slice(&body);
    assert!(matches!(expect_err(&data), AxmlError::NoRootElement { .. }));
}

#[test]
fn error_deep_nesting_over_the_cap() {
    let mut f = Fixture::new(false);
    for _ in 0..MAX_DEPTH + 1 {
        f.start("a", &[]);
    }
    let e = expect_err(&f.build());
    assert!(
        matches!(
            e,
            AxmlError::NestingTooDeep {
                limit: MAX_DEPTH,
                ..
            }
        ),
        "{e}"
    );
    // At the cap it is fine (and dropping/serialising the tree is too).
    let mut f = Fixture::new(false);
    for _ in 0..MAX_DEPTH {
        f.start("a", &[]);
    }
    let p = parse(&f.build()).unwrap();
    assert!(codes(&p).contains(&"axml-unclosed-element"));
    let json = serde_json::to_string(&p.value).unwrap();
    assert!(json.len() > MAX_DEPTH);
}

#[test]
fn error_too_large_output() {
    // One ~60 KB string referenced by 65535 overlapping (size 0) attributes
    // of one element: ~4 GB of text if materialised.
    let mut f = Fixture::new(true);
    let big = "x".repeat(60_000);
    f.start("a", &[(None, "v", V::Str(&big))]);
    f.end("a");
    let mut data = f.build();
    // Patch attributeSize to 0 and attributeCount to 65535.
    let node = data.len() - 24 - (16 + 20 + 20);
    data[node + 16 + 10..node + 16 + 12].copy_from_slice(&0u16.to_le_bytes());
    data[node + 16 + 12..node + 16 + 14].copy_from_slice(&u16::MAX.to_le_bytes());
    let e = expect_err(&data);
    assert!(matches!(e, AxmlError::TooLarge { .. }), "{e}");
}

#[test]
fn string_index_out_of_range_is_an_anomaly() {
    let mut f = Fixture::new(false);
    f.start("a", &[(None, "v", V::Typed(types::STRING, 999))]);
    f.end("a");
    let p = parse(&f.build()).unwrap();
    assert!(
        codes(&p).contains(&"axml-bad-string-index"),
        "{:?}",
        p.anomalies
    );
    let a = &p.value.root.as_ref().unwrap().attributes[0];
    assert_eq!(a.string, None);
    assert_eq!(a.as_str(), None);
    assert_eq!(p.value.to_xmltree(), "E: a (line=1)\n  A: v=\"\"\n");
    // Element name out of range too.
    let mut data = f.build();
    let first_node = data.len() - 24 - (16 + 20 + 20);
    data[first_node + 20..first_node + 24].copy_from_slice(&1234u32.to_le_bytes());
    let p = parse(&data).unwrap();
    assert!(
        codes(&p).contains(&"axml-missing-element-name"),
        "{:?}",
        p.anomalies
    );
}

#[test]
fn unpaired_surrogate_becomes_replacement_character() {
    let mut f = Fixture::new(false);
    f.start("a", &[(None, "v", V::Str("A?B"))]);
    f.end("a");
    let mut data = f.build();
    // Replace the UTF-16 '?' (0x003f) of "A?B" with a lone high surrogate.
    let pos = data
        .windows(6)
        .position(|w| w == [0x41, 0, 0x3f, 0, 0x42, 0])
        .unwrap();
    data[pos + 2..pos + 4].copy_from_slice(&0xd800u16.to_le_bytes());
    let p = parse(&data).unwrap();
    assert_eq!(
        p.value.root.as_ref().unwrap().attributes[0].as_str(),
        Some("A\u{FFFD}B")
    );
    assert!(codes(&p).contains(&"axml-suspect-string"));
}

#[test]
fn invalid_utf8_is_decoded_lossily() {
    let mut f = Fixture::new(true);
    f.start("a", &[(None, "v", V::Str("AxB"))]);
    f.end("a");
    let mut data = f.build();
    let pos = data.windows(3).position(|w| w == b"AxB").unwrap();
    data[pos + 1] = 0xff; // a 4-byte lead with no continuation bytes
    let p = parse(&data).unwrap();
    let s = p.value.root.as_ref().unwrap().attributes[0]
        .as_str()
        .map(str::to_owned);
    assert!(s.is_some_and(|s| s.starts_with('A') && s.contains('\u{FFFD}')));
    assert!(codes(&p).contains(&"axml-suspect-string"));
}

#[test]
fn tolerates_what_android_tolerates() {
    let f = small_manifest(false);
    let want = parse(&f.build()).unwrap().value.root;
    // 1. A 12-byte file header (Android only checks headerSize <= size),
    //    an unknown chunk before the pool, a wrong file type, trailing data.
    let unknown = [0x34u8, 0x12, 8, 0, 12, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd];
    let body = [&unknown[..], &f.pool(), &f.res_map(), &f.nodes].concat();
    let mut data = vec![0x05, 0x00, 12, 0];
    data.extend_from_slice(&(12 + body.len() as u32).to_le_bytes());
    data.extend_from_slice(&[0xee; 4]);
    data.extend_from_slice(&body);
    data.extend_from_slice(b"trailing junk");
    let p = parse(&data).unwrap();
    assert_eq!(
        p.value.root,
        want.clone().map(|mut r| {
            shift_offsets(&mut r, 16);
            r
        })
    );
    let c = codes(&p);
    for code in [
        "axml-bad-file-type",
        "axml-odd-header-size",
        "axml-unknown-chunk",
        "axml-trailing-data",
    ] {
        assert!(c.contains(&code), "{code} missing from {c:?}");
    }
}

fn shift_offsets(el: &mut Element, by: u64) {
    el.offset += by;
    for c in &mut el.children {
        shift_offsets(c, by);
    }
}

#[test]
fn larger_node_headers_and_unknown_nodes_are_skipped_like_android() {
    // A node whose header is 24 bytes (extension starts later) and an
    // unknown node type 0x0105 between elements.
    let mut f = Fixture::new(false);
    f.start("a", &[]);
    f.node(0x0105, &[0; 8]);
    f.end("a");
    let mut data = f.build();
    // Rewrite the first start node with headerSize 24: insert 8 bytes
    // after its 16-byte header.
    let pool_and_map = f.pool().len() + f.res_map().len();
    let node = 8 + pool_and_map;
    data[node + 2..node + 4].copy_from_slice(&24u16.to_le_bytes());
    let size = u32::from_le_bytes(data[node + 4..node + 8].try_into().unwrap()) + 8;
    data[node + 4..node + 8].copy_from_slice(&size.to_le_bytes());
    data.splice(node + 16..node + 16, [0u8; 8]);
    let total = data.len() as u32;
    data[4..8].copy_from_slice(&total.to_le_bytes());
    let p = parse(&data).unwrap();
    assert_eq!(p.value.root.as_ref().unwrap().name, "a");
    assert!(
        codes(&p).contains(&"axml-unknown-node"),
        "{:?}",
        p.anomalies
    );
}

#[test]
fn bad_node_ends_the_document_with_an_anomaly() {
    let f = small_manifest(false);
    let mut data = f.build();
    // Corrupt the size of the END_ELEMENT of <activity> (third-last
    // element node): misaligned.
    let end_activity =
        data.len() - 24 /*end ns*/ - 24 /*end manifest*/ - 24 /*end app*/ - 28 /*text*/ - 24;
    data[end_activity + 4] = 25;
    let p = parse(&data).unwrap();
    assert!(codes(&p).contains(&"axml-bad-node"), "{:?}", p.anomalies);
    assert!(codes(&p).contains(&"axml-unclosed-element"));
    let root = p.value.root.unwrap();
    assert_eq!(root.children[0].children[0].name, "activity");
}

#[test]
fn multiple_roots_and_stray_end_tags() {
    let mut f = Fixture::new(false);
    f.start("a", &[]);
    f.end("a");
    f.end("z");
    f.start("b", &[]);
    f.end("b");
    let p = parse(&f.build()).unwrap();
    assert_eq!(p.value.root.as_ref().unwrap().name, "a");
    assert_eq!(p.value.other_roots[0].name, "b");
    let c = codes(&p);
    assert!(c.contains(&"axml-multiple-roots") && c.contains(&"axml-unbalanced-end-element"));
    // aapt stops at the stray end tag.
    assert_eq!(
        p.value.to_xmltree(),
        "E: a (line=1)\n***BAD DEPTH in XMLBlock: -1\n"
    );
}

#[test]
fn real_manifest_matches_aapt_xmltree() {
    let p = parse(MANIFEST).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    assert_eq!(p.value.to_xmltree(), MANIFEST_XMLTREE);
}

#[test]
fn nul_in_strings_is_cut_like_a_c_string_in_xmltree() {
    let mut f = Fixture::new(false);
    f.start("a", &[(None, "v", V::Str("ab\0cd"))]);
    f.end("a");
    let p = parse(&f.build()).unwrap();
    assert_eq!(
        p.value.root.as_ref().unwrap().attributes[0].as_str(),
        Some("ab\0cd")
    );
    assert_eq!(
        p.value.to_xmltree(),
        "E: a (line=1)\n  A: v=\"ab\" (Raw: \"ab\")\n"
    );
}

#[test]
fn dynamic_references_follow_the_assigned_package() {
    let mut f = Fixture::new(false).with_res_ids(&[("icon", 0x0101_0002)]);
    f.start(
        "a",
        &[(
            Some(ANDROID_NS),
            "icon",
            V::Typed(types::DYNAMIC_REFERENCE, 0x0003_0000),
        )],
    );
    f.end("a");
    let p = parse(&f.build()).unwrap();
    assert!(p.value.to_xmltree().contains(
        "A: http://schemas.android.com/apk/res/android:icon(0x01010002)=(type 0x7)0x30000"
    ));
    let opts = XmlTreeOptions {
        assigned_package_id: Some(2),
    };
    assert!(p
        .value
        .to_xmltree_with(&opts)
        .contains("icon(0x01010002)=@0x02030000"));
}

/// Truncates and byte-flips the real manifest at many offsets: `parse`
/// may fail but must never panic, and what it returns must render.
#[test]
fn mutations_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let check = |data: &[u8]| {
        if let Ok(p) = parse(data) {
            let _ = p.value.to_xmltree();
            let _ = manifest::Manifest::from_document(&p.value);
            let _ = crate::formats::nsc::NetworkSecurityConfig::from_document(&p.value);
        }
    };
    for len in (0..MANIFEST.len()).step_by(7) {
        check(&MANIFEST[..len]);
    }
    for _ in 0..3000 {
        let mut data = MANIFEST.to_vec();
        for _ in 0..1 + next() % 4 {
            let at = (next() % data.len() as u64) as usize;
            data[at] = match next() % 4 {
                0 => 0xff,
                1 => 0,
                2 => data[at] ^ (1 << (next() % 8)),
                _ => next() as u8,
            };
        }
        check(&data);
    }
}

#[test]
fn a_bad_first_node_makes_the_file_unreadable() {
    // setTo steps to the first node itself: a namespace node with a 4-byte
    // extension (8 needed) fails there, not later.
    let mut f = Fixture::new(false);
    f.node(0x0100, &[0; 4]);
    f.start("a", &[]);
    f.end("a");
    let e = expect_err(&f.build());
    assert!(
        matches!(
            e,
            AxmlError::BadChunk {
                chunk_type: 0x0100,
                ..
            }
        ),
        "{e}"
    );
    // Only unknown nodes: no root.
    let mut f = Fixture::new(false);
    f.node(0x0105, &[0; 4]);
    f.node(0x0106, &[0; 4]);
    assert!(matches!(
        expect_err(&f.build()),
        AxmlError::NoRootElement { .. }
    ));
}

/// A node with an absurd header after the root closed, as in the sample of
/// <https://github.com/androguard/androguard/issues/1137> (type 0x0100,
/// header size 0x1c01, size 0x45c00): the device never reads that far, so
/// the document is complete; the node is only an anomaly.
#[test]
fn androguard_1137_garbage_node_after_the_root() {
    let mut f = small_manifest(false);
    f.nodes
        .extend_from_slice(&[0x00, 0x01, 0x01, 0x1c, 0x00, 0x5c, 0x04, 0x00]);
    f.nodes.extend_from_slice(&[0u8; 24]);
    let p = parse(&f.build()).unwrap();
    assert_eq!(codes(&p), vec!["axml-bad-node"]);
    let clean = parse(&small_manifest(false).build()).unwrap();
    assert_eq!(p.value.root, clean.value.root);
    assert_eq!(p.value.to_xmltree(), SMALL_XMLTREE);
}
