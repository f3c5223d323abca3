//! Unit tests on hand-built DEX files (`fixture.rs`) and on
//! `tests/data/dex/tiny.dex`, assembled by smali from our own source.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use super::fixture::{patch32, sample, Builder, Class, Code, Method};
use super::*;

const TINY: &[u8] = include_bytes!("../../../tests/data/dex/tiny.dex");

fn codes(a: &[Anomaly]) -> Vec<&'static str> {
    a.iter().map(|a| a.code).collect()
}

/// Every reference in the file, as text: `class method -> target`.
fn all_refs(dex: &Dex<'_>) -> (Vec<String>, Vec<Anomaly>) {
    let mut out = Vec::new();
    let anomalies = dex.for_each_code_ref(|class, m, r| {
        let caller = dex
            .method_ref(m.method)
            .map(|m| m.to_string())
            .unwrap_or_default();
        let target = match r {
            CodeRef::Invoke { kind, method, .. } => {
                format!(
                    "{kind:?} {}",
                    dex.method_ref(method)
                        .map(|m| m.to_string())
                        .unwrap_or_else(|e| e.to_string())
                )
            }
            CodeRef::InvokeCustom { call_site, .. } => format!("custom call_site@{call_site}"),
            CodeRef::ConstString { string, .. } => {
                format!("string {:?}", dex.string_lossy(string).unwrap_or_default())
            }
            CodeRef::ConstClass { type_idx, .. } => {
                format!(
                    "class {}",
                    String::from_utf8_lossy(dex.type_descriptor(type_idx).unwrap_or(b"?"))
                )
            }
            CodeRef::StaticGet { field, .. } => format!(
                "sget {}",
                dex.field_ref(field)
                    .map(|f| f.to_string())
                    .unwrap_or_default()
            ),
            CodeRef::InstanceGet { field, .. } => format!(
                "iget {}",
                dex.field_ref(field)
                    .map(|f| f.to_string())
                    .unwrap_or_default()
            ),
        };
        out.push(format!(
            "{} {caller} @{:#x} -> {target}",
            String::from_utf8_lossy(class.descriptor),
            r.address()
        ));
    });
    (out, anomalies)
}

#[test]
fn is_dex_checks_the_magic_only() {
    assert!(is_dex(b"dex\n035\0"));
    assert!(is_dex(TINY));
    assert!(!is_dex(b"dex\n035"));
    assert!(!is_dex(b"dex\n03a\0"));
    assert!(!is_dex(b"PK\x03\x04\0\0\0\0"));
}

#[test]
fn fixture_parses_cleanly() {
    let s = sample();
    let p = Dex::parse(&s.bytes).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let dex = p.value;
    let h = dex.header();
    assert_eq!(h.version, 35);
    assert!(h.checksum_ok());
    assert_eq!(h.class_defs_size, 1);
    assert_eq!(h.method_ids_size, 5);
    assert_eq!(
        dex.string(StringIdx(s.url)).unwrap(),
        b"http://collect.example.test/imei"
    );
    assert_eq!(
        dex.type_descriptor(TypeIdx(u32::from(s.kid_type))).unwrap(),
        b"Lcom/example/Kid;"
    );
    let m = dex.method_ref(MethodIdx(s.get_device_id)).unwrap();
    assert_eq!(
        m.to_string(),
        "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
    );
    assert_eq!(
        m.to_dexdump(),
        "Landroid/telephony/TelephonyManager;.getDeviceId:()Ljava/lang/String;"
    );
    assert_eq!(m.proto().unwrap().shorty, b"L");
    let h = dex.method_ref(MethodIdx(s.helper)).unwrap();
    assert_eq!(
        h.to_string(),
        "Lcom/example/Kid;->helper(Ljava/lang/String;I)V"
    );
    assert_eq!(h.proto().unwrap().parameters.len(), 2);
    assert_eq!(
        dex.field_ref(FieldIdx(s.serial)).unwrap().to_string(),
        "Landroid/os/Build;->SERIAL:Ljava/lang/String;"
    );
    assert_eq!(
        dex.string_lossy(StringIdx(s.url + 1)).unwrap(),
        "\u{1F600} emoji"
    );
    let _ = s.init;

    let classes: Vec<_> = dex.classes().collect::<Result<_, _>>().unwrap();
    assert_eq!(classes.len(), 1);
    let c = &classes[0];
    assert_eq!(c.descriptor, b"Lcom/example/Kid;");
    let fields: Vec<_> = c.fields().collect();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].kind, FieldKind::Instance);
    let methods: Vec<_> = c.methods().collect();
    assert_eq!(
        methods
            .iter()
            .map(|m| (m.method.0, m.kind))
            .collect::<Vec<_>>(),
        vec![
            (4, MethodKind::Direct),
            (2, MethodKind::Virtual),
            (3, MethodKind::Virtual)
        ]
    );
    let summary = dex.count_summary();
    assert_eq!(
        (
            summary.class_defs,
            summary.classes_read,
            summary.methods_defined,
            summary.methods_with_code
        ),
        (1, 1, 3, 3)
    );

    let (refs, anomalies) = all_refs(&dex);
    assert!(anomalies.is_empty(), "{anomalies:?}");
    let run = "Lcom/example/Kid; Lcom/example/Kid;->run()V";
    assert_eq!(refs, vec![
        "Lcom/example/Kid; Lcom/example/Kid;-><init>()V @0x0 -> Direct Ljava/lang/Object;-><init>()V".to_string(),
        format!("{run} @0x2 -> string \"http://collect.example.test/imei\""),
        format!("{run} @0x4 -> Virtual Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"),
        format!("{run} @0x7 -> sget Landroid/os/Build;->SERIAL:Ljava/lang/String;"),
        format!("{run} @0x9 -> class Lcom/example/Kid;"),
        format!("{run} @0xb -> iget Lcom/example/Kid;->count:I"),
        format!("{run} @0xd -> Static Lcom/example/Kid;->helper(Ljava/lang/String;I)V"),
    ]);
}

#[test]
fn tiny_dex_matches_dexdump() {
    let p = Dex::parse(TINY).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let dex = p.value;
    assert_eq!(dex.header().version, 39);
    let (refs, anomalies) = all_refs(&dex);
    assert!(anomalies.is_empty(), "{anomalies:?}");
    let main = "Lcom/example/tiny/Main;";
    let on_create = format!("{main} {main}->onCreate(Landroid/os/Bundle;)V");
    let helper =
        format!("{main} {main}->helper(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/String;)V");
    let modern = format!("{main} {main}->modern(Ljava/lang/invoke/MethodHandle;)V");
    // The same addresses and targets as `dexdump -d tiny.dex`.
    let want = vec![
        format!("{main} {main}-><init>()V @0x0 -> Direct Landroid/app/Activity;-><init>()V"),
        format!("{helper} @0x0 -> string \"\\0nul and \u{1F600} emoji\""),
        format!("{helper} @0x4 -> Interface Lcom/example/tiny/Callback;->onDone()V"),
        format!("{helper} @0x7 -> Interface Lcom/example/tiny/Callback;->onDone()V"),
        format!("{modern} @0x1 -> Polymorphic Ljava/lang/invoke/MethodHandle;->invoke([Ljava/lang/Object;)Ljava/lang/Object;"),
        format!("{modern} @0x5 -> Polymorphic Ljava/lang/invoke/MethodHandle;->invokeExact([Ljava/lang/Object;)Ljava/lang/Object;"),
        format!("{modern} @0x9 -> custom call_site@0"),
        format!("{modern} @0xc -> custom call_site@0"),
        format!("{on_create} @0x0 -> Super Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V"),
        format!("{on_create} @0x3 -> string \"phone\""),
        format!("{on_create} @0x5 -> Virtual {main}->getSystemService(Ljava/lang/String;)Ljava/lang/Object;"),
        format!("{on_create} @0xb -> Virtual Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"),
        format!("{on_create} @0xf -> sget Landroid/os/Build;->SERIAL:Ljava/lang/String;"),
        format!("{on_create} @0x11 -> iget {main}->mName:Ljava/lang/String;"),
        format!("{on_create} @0x13 -> sget {main}->sCount:I"),
        format!("{on_create} @0x15 -> class Landroid/provider/Settings$Secure;"),
        format!("{on_create} @0x17 -> string \"https://jumbo.example.test/path\""),
        format!("{on_create} @0x1f -> Static {main}->helper(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/String;)V"),
        format!("{on_create} @0x22 -> Virtual {main}->finish()V"),
    ];
    assert_eq!(refs, want);
    // invoke-polymorphic carries the call-site prototype (proto@0007 in dexdump).
    let code = dex
        .classes()
        .flatten()
        .flat_map(|c| c.methods().collect::<Vec<_>>())
        .find(|m| dex.method_ref(m.method).is_ok_and(|r| r.name == b"modern"))
        .map(|m| dex.code_item(m.code_off).unwrap())
        .unwrap();
    let first = dex.code_refs(&code).next().unwrap().unwrap();
    assert!(
        matches!(
            first,
            CodeRef::Invoke {
                proto: Some(ProtoIdx(7)),
                ..
            }
        ),
        "{first:?}"
    );
    assert_eq!(dex.proto(ProtoIdx(7)).unwrap().to_string(), "(I)V");
    let s = dex.count_summary();
    assert_eq!(
        (
            s.class_defs,
            s.classes_read,
            s.methods_defined,
            s.methods_with_code,
            s.fields_defined
        ),
        (2, 2, 8, 6, 2)
    );
}

// ---- header errors ----------------------------------------------------

#[test]
fn bad_magic_and_short_input() {
    assert!(matches!(Dex::parse(b""), Err(DexError::BadMagic { .. })));
    assert!(matches!(
        Dex::parse(b"PK\x03\x04 not a dex at all"),
        Err(DexError::BadMagic { .. })
    ));
    assert!(matches!(
        Dex::parse(b"dex\n03x\0 and more bytes"),
        Err(DexError::BadMagic { .. })
    ));
    assert!(matches!(
        Dex::parse(b"dex"),
        Err(DexError::TooShort { len: 3 })
    ));
    assert!(matches!(
        Dex::parse(&TINY[..0x40]),
        Err(DexError::TooShort { len: 0x40 })
    ));
    let e = Dex::parse(b"MZ\x90\0\x03\0\0\0\x04").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a DEX file: magic [4d, 5a, 90, 00, 03, 00, 00, 00]"
    );
}

#[test]
fn endian_tag_and_header_size() {
    let mut d = sample().bytes;
    patch32(&mut d, 0x28, 0x7856_3412);
    assert_eq!(
        Dex::parse(&d).unwrap_err(),
        DexError::BadEndianTag { tag: 0x7856_3412 }
    );
    let mut d = sample().bytes;
    patch32(&mut d, 0x24, 0x20);
    assert!(matches!(
        Dex::parse(&d),
        Err(DexError::BadHeaderSize {
            header_size: 0x20,
            ..
        })
    ));
    let mut d = sample().bytes;
    patch32(&mut d, 0x24, 0x74);
    let p = Dex::parse(&d).unwrap();
    assert!(codes(&p.anomalies).contains(&"dex-odd-header-size"));
}

#[test]
fn table_out_of_bounds_and_huge_counts() {
    let s = sample();
    let len = s.bytes.len();
    // A count that fits under the cap but not in the file.
    let mut d = s.bytes.clone();
    patch32(&mut d, 0x38, 1 << 20);
    let e = Dex::parse(&d).unwrap_err();
    assert!(
        matches!(
            e,
            DexError::TableOutOfBounds {
                table: "string_ids",
                count: 0x10_0000,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!("string_ids at 0x70 with 1048576 entries runs past the end ({len} bytes)")
    );
    // An offset past the end.
    let mut d = s.bytes.clone();
    patch32(&mut d, 0x5c, len as u32 - 4);
    assert!(matches!(
        Dex::parse(&d),
        Err(DexError::TableOutOfBounds {
            table: "method_ids",
            ..
        })
    ));
    let mut d = s.bytes.clone();
    patch32(&mut d, 0x64, u32::MAX);
    assert!(matches!(
        Dex::parse(&d),
        Err(DexError::TableOutOfBounds {
            table: "class_defs",
            ..
        })
    ));
    // Absolute caps.
    let mut d = s.bytes.clone();
    patch32(&mut d, 0x38, u32::MAX);
    assert!(matches!(
        Dex::parse(&d),
        Err(DexError::TooManyItems {
            table: "string_ids",
            ..
        })
    ));
    let mut d = s.bytes.clone();
    patch32(&mut d, 0x40, 0x1_0000);
    assert_eq!(
        Dex::parse(&d).unwrap_err(),
        DexError::TooManyItems {
            table: "type_ids",
            count: 0x1_0000,
            limit: 0xffff
        }
    );
}

#[test]
fn bad_checksum_is_an_anomaly_and_the_file_is_read() {
    let mut d = sample().bytes;
    let last = d.len() - 1;
    d[last] ^= 0x55;
    let p = Dex::parse(&d).unwrap();
    assert_eq!(codes(&p.anomalies), vec!["dex-bad-checksum"]);
    assert!(!p.value.header().checksum_ok());
    assert_eq!(p.value.classes().count(), 1);
}

#[test]
fn file_size_trailing_and_truncated() {
    let mut d = sample().bytes;
    d.extend_from_slice(&[0; 16]);
    let p = Dex::parse(&d).unwrap();
    assert_eq!(codes(&p.anomalies), vec!["dex-trailing-data"]);
    let d = sample().bytes;
    // Cut inside the map list: tables and code still read.
    let cut = &d[..d.len() - 8];
    let p = Dex::parse(cut).unwrap();
    let c = codes(&p.anomalies);
    assert!(
        c.contains(&"dex-truncated")
            && c.contains(&"dex-bad-checksum")
            && c.contains(&"dex-bad-map"),
        "{c:?}"
    );
    assert_eq!(p.value.classes().flatten().count(), 1);
}

#[test]
fn versions_and_sections() {
    let mut d = sample().bytes;
    d[4..7].copy_from_slice(b"036");
    super::fixture::fix_checksum(&mut d);
    assert!(codes(&Dex::parse(&d).unwrap().anomalies).contains(&"dex-unknown-version"));
    let mut d = sample().bytes;
    d[4..7].copy_from_slice(b"041");
    super::fixture::fix_checksum(&mut d);
    let p = Dex::parse(&d).unwrap();
    assert_eq!(codes(&p.anomalies), vec!["dex-odd-header-size"]);
    assert_eq!(p.value.header().container_size, None);
    // Zero field_ids with a stray offset, and a misaligned table.
    let mut b = Builder::default();
    b.ty("LA;");
    let mut d = b.build();
    patch32(&mut d, 0x54, 0x70);
    let p = Dex::parse(&d).unwrap();
    assert!(codes(&p.anomalies).contains(&"dex-odd-section"));
}

#[test]
fn map_list_cross_check() {
    let d = sample().bytes;
    let map_off = u32::from_le_bytes(d[0x34..0x38].try_into().unwrap()) as usize;
    // Second map item is string_ids: change its size.
    let mut m = d.clone();
    patch32(&mut m, map_off + 4 + 12 + 4, 1);
    let p = Dex::parse(&m).unwrap();
    assert_eq!(codes(&p.anomalies), vec!["dex-map-mismatch"]);
    assert!(
        p.anomalies[0].detail.contains("string_ids"),
        "{}",
        p.anomalies[0].detail
    );
    let mut m = d.clone();
    patch32(&mut m, 0x34, 0);
    assert_eq!(
        codes(&Dex::parse(&m).unwrap().anomalies),
        vec!["dex-bad-map"]
    );
    let mut m = d;
    patch32(&mut m, map_off, 0x0fff_ffff);
    assert_eq!(
        codes(&Dex::parse(&m).unwrap().anomalies),
        vec!["dex-bad-map"]
    );
}

#[test]
fn v41_container_fields() {
    let mut b = Builder {
        version: Some(b"041"),
        ..Builder::default()
    };
    b.ty("LA;");
    let mut d = b.build();
    // Grow the header to 0x78 bytes: shift everything else by 8.
    d.splice(0x70..0x70, [0u8; 8]);
    let len = d.len() as u32;
    let shift = |d: &mut Vec<u8>, at: usize| {
        let v = u32::from_le_bytes(d[at..at + 4].try_into().unwrap());
        if v != 0 {
            d[at..at + 4].copy_from_slice(&(v + 8).to_le_bytes());
        }
    };
    for at in [0x34, 0x3c, 0x44, 0x6c] {
        shift(&mut d, at);
    }
    let str_ids = u32::from_le_bytes(d[0x3c..0x40].try_into().unwrap()) as usize;
    shift(&mut d, str_ids);
    let map = u32::from_le_bytes(d[0x34..0x38].try_into().unwrap()) as usize;
    for i in 0..3 {
        shift(&mut d, map + 4 + i * 12 + 8);
    }
    d[0x20..0x24].copy_from_slice(&len.to_le_bytes());
    d[0x24..0x28].copy_from_slice(&0x78u32.to_le_bytes());
    d[0x70..0x74].copy_from_slice(&len.to_le_bytes());
    super::fixture::fix_checksum(&mut d);
    let p = Dex::parse(&d).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    assert_eq!(p.value.header().container_size, Some(len));
    assert_eq!(p.value.header().header_offset, Some(0));
    assert_eq!(p.value.type_descriptor(TypeIdx(0)).unwrap(), b"LA;");
    assert_eq!(p.value.next_in_container(), None);
}

// ---- item errors --------------------------------------------------------

#[test]
fn bad_indexes() {
    let dex = Dex::parse(TINY).unwrap().value;
    let n = dex.header().string_ids_size;
    assert_eq!(
        dex.string(StringIdx(n)).unwrap_err(),
        DexError::BadIndex {
            kind: "string",
            index: n,
            len: n
        }
    );
    assert!(matches!(
        dex.type_descriptor(TypeIdx(0xffff)),
        Err(DexError::BadIndex { kind: "type", .. })
    ));
    assert!(matches!(
        dex.proto(ProtoIdx(999)),
        Err(DexError::BadIndex { kind: "proto", .. })
    ));
    assert!(matches!(
        dex.method_ref(MethodIdx(999)),
        Err(DexError::BadIndex { kind: "method", .. })
    ));
    assert!(matches!(
        dex.field_ref(FieldIdx(999)),
        Err(DexError::BadIndex { kind: "field", .. })
    ));
    assert_eq!(
        DexError::BadIndex {
            kind: "method",
            index: 9,
            len: 3
        }
        .to_string(),
        "method index 9 out of range (3 entries)"
    );
}

#[test]
fn bad_string_data() {
    let s = sample();
    let mut d = s.bytes.clone();
    let len = d.len() as u32;
    // string_data_off past the end
    patch32(&mut d, 0x70, len + 10);
    let dex = Dex::parse(&d).unwrap().value;
    assert!(matches!(
        dex.string(StringIdx(0)),
        Err(DexError::BadOffset {
            structure: "string_data_item",
            ..
        })
    ));
    // a string whose NUL is not where utf16_size says
    let mut d = s.bytes;
    let off = u32::from_le_bytes(d[0x70..0x74].try_into().unwrap()) as usize;
    d[off] = 1; // utf16_size 1, but the string is longer than 3 bytes
    super::fixture::fix_checksum(&mut d);
    let dex = Dex::parse(&d).unwrap().value;
    assert_eq!(
        dex.string(StringIdx(0)).unwrap_err(),
        DexError::BadString {
            offset: off as u32,
            utf16_size: 1
        }
    );
}

/// Two classes; the first one's class data or code is broken afterwards.
fn two_classes() -> (Vec<u8>, Builder) {
    let mut b = Builder::default();
    let a = b.ty("Lcom/a/A;");
    let bb = b.ty("Lcom/b/B;");
    let obj = b.ty("Ljava/lang/Object;");
    let v = b.proto("V", "V", &[]);
    let target = b.method("Landroid/net/wifi/WifiInfo;", "getMacAddress", v);
    let ma = b.method("Lcom/a/A;", "m", v);
    let mb = b.method("Lcom/b/B;", "m", v);
    let code = |insns| {
        Some(Code {
            registers: 1,
            ins: 0,
            outs: 1,
            insns,
        })
    };
    let call = vec![0x0071, target as u16, 0x0000, 0x000e];
    b.classes.push(Class {
        class_idx: u32::from(a),
        superclass_idx: u32::from(obj),
        static_fields: vec![],
        instance_fields: vec![],
        direct: vec![Method {
            method_idx: ma,
            access_flags: 9,
            code: code(call.clone()),
        }],
        virtual_: vec![],
    });
    b.classes.push(Class {
        class_idx: u32::from(bb),
        superclass_idx: u32::from(obj),
        static_fields: vec![],
        instance_fields: vec![],
        direct: vec![Method {
            method_idx: mb,
            access_flags: 9,
            code: code(call),
        }],
        virtual_: vec![],
    });
    (b.build(), b)
}

fn class_def_field(d: &[u8], class: usize, field: usize) -> usize {
    let defs = u32::from_le_bytes(d[0x64..0x68].try_into().unwrap()) as usize;
    defs + class * 32 + field * 4
}

#[test]
fn bad_class_data_skips_that_class_only() {
    let (d, _) = two_classes();
    let dex = Dex::parse(&d).unwrap().value;
    let (refs, anomalies) = all_refs(&dex);
    assert!(anomalies.is_empty());
    assert_eq!(refs.len(), 2);
    // class_data_off of the first class past the end
    let mut bad = d.clone();
    patch32(&mut bad, class_def_field(&d, 0, 6), d.len() as u32 + 100);
    let dex = Dex::parse(&bad).unwrap().value;
    let classes: Vec<_> = dex.classes().collect();
    assert!(matches!(
        classes[0],
        Err(DexError::BadOffset {
            structure: "class_data_item",
            ..
        })
    ));
    assert_eq!(classes[1].as_ref().unwrap().descriptor, b"Lcom/b/B;");
    let (refs, anomalies) = all_refs(&dex);
    assert_eq!(codes(&anomalies), vec!["dex-bad-offset"]);
    assert_eq!(refs, vec!["Lcom/b/B; Lcom/b/B;->m()V @0x0 -> Static Landroid/net/wifi/WifiInfo;->getMacAddress()V"]);
    // class data that declares a huge method count
    let mut bad = d.clone();
    let cd = u32::from_le_bytes(d[class_def_field(&d, 0, 6)..][..4].try_into().unwrap()) as usize;
    bad[cd + 2..cd + 7].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    super::fixture::fix_checksum(&mut bad);
    let dex = Dex::parse(&bad).unwrap().value;
    let first = dex.classes().next().unwrap().unwrap_err();
    assert!(
        matches!(
            first,
            DexError::BadClassData {
                reason: "declares more fields and methods than its bytes can hold",
                ..
            }
        ),
        "{first}"
    );
    assert_eq!(dex.count_summary().classes_failed, 1);
    // class_idx out of range
    let mut bad = d.clone();
    patch32(&mut bad, class_def_field(&d, 0, 0), 999);
    let dex = Dex::parse(&bad).unwrap().value;
    assert!(matches!(
        dex.classes().next().unwrap(),
        Err(DexError::BadIndex { kind: "type", .. })
    ));
}

#[test]
fn code_item_past_end_skips_that_method_only() {
    let (d, _) = two_classes();
    let dex = Dex::parse(&d).unwrap().value;
    let first = dex.classes().next().unwrap().unwrap();
    let m = first.methods().next().unwrap();
    let code = dex.code_item(m.code_off).unwrap();
    assert_eq!(
        (code.registers_size, code.insns_size, code.insns.len()),
        (1, 4, 8)
    );
    // insns_size far past the end
    let mut bad = d.clone();
    patch32(&mut bad, m.code_off as usize + 12, 0x00ff_ffff);
    let dex = Dex::parse(&bad).unwrap().value;
    let e = dex.code_item(m.code_off).unwrap_err();
    assert_eq!(
        e,
        DexError::CodeItemOutOfBounds {
            offset: m.code_off,
            insns_size: 0x00ff_ffff,
            len: d.len()
        }
    );
    let (refs, anomalies) = all_refs(&dex);
    assert_eq!(codes(&anomalies), vec!["dex-bad-code-item"]);
    assert_eq!(anomalies[0].offset, Some(u64::from(m.code_off)));
    assert_eq!(refs.len(), 1);
    // code_off itself past the end, and inconsistent fields
    assert!(matches!(
        dex.code_item(d.len() as u32 - 4),
        Err(DexError::CodeItemOutOfBounds { .. })
    ));
    assert!(matches!(
        dex.code_item(u32::MAX),
        Err(DexError::CodeItemOutOfBounds { .. })
    ));
    let mut bad = d.clone();
    bad[m.code_off as usize + 2] = 5; // ins_size 5 > registers_size 1
    super::fixture::fix_checksum(&mut bad);
    let dex = Dex::parse(&bad).unwrap().value;
    assert!(matches!(
        dex.code_item(m.code_off),
        Err(DexError::BadCodeItem {
            reason: "ins_size exceeds registers_size",
            ..
        })
    ));
    let mut bad = d.clone();
    patch32(&mut bad, m.code_off as usize + 8, u32::MAX);
    let dex = Dex::parse(&bad).unwrap().value;
    assert!(matches!(
        dex.code_item(m.code_off),
        Err(DexError::BadCodeItem { .. })
    ));
    let mut bad = d;
    bad[m.code_off as usize + 6] = 0xff; // tries_size 255 runs off the end
    super::fixture::fix_checksum(&mut bad);
    let dex = Dex::parse(&bad).unwrap().value;
    assert!(matches!(
        dex.code_item(m.code_off),
        Err(DexError::BadCodeItem { .. })
    ));
}

#[test]
fn bad_instructions_stop_the_method() {
    let (d, _) = two_classes();
    let dex = Dex::parse(&d).unwrap().value;
    let m = dex
        .classes()
        .next()
        .unwrap()
        .unwrap()
        .methods()
        .next()
        .unwrap();
    let insns = m.code_off as usize + 16;
    // return-void replaced by an unused opcode after the invoke
    let mut bad = d.clone();
    bad[insns + 6] = 0x3e;
    super::fixture::fix_checksum(&mut bad);
    let dex = Dex::parse(&bad).unwrap().value;
    let code = dex.code_item(m.code_off).unwrap();
    let items: Vec<_> = dex.code_refs(&code).collect();
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert_eq!(
        items[1],
        Err(DexError::BadInstruction {
            offset: insns as u32 + 6,
            address: 3,
            opcode: 0x003e,
            reason: "unused opcode"
        })
    );
    let (refs, anomalies) = all_refs(&dex);
    assert_eq!(
        (refs.len(), codes(&anomalies)),
        (2, vec!["dex-bad-instruction"])
    );
    // an invoke cut short by the end of insns
    let mut bad = d.clone();
    bad[insns + 6] = 0x6e;
    super::fixture::fix_checksum(&mut bad);
    let dex = Dex::parse(&bad).unwrap().value;
    let items: Vec<_> = dex.code_refs(&dex.code_item(m.code_off).unwrap()).collect();
    assert!(matches!(
        items[1],
        Err(DexError::BadInstruction {
            reason: "instruction runs past the end of insns",
            ..
        })
    ));
    // payloads whose declared size runs past the end
    for payload in [0x0100u16, 0x0200, 0x0300] {
        let mut bad = d.clone();
        bad[insns..insns + 2].copy_from_slice(&payload.to_le_bytes());
        bad[insns + 2..insns + 4].copy_from_slice(&0x7fffu16.to_le_bytes());
        super::fixture::fix_checksum(&mut bad);
        let dex = Dex::parse(&bad).unwrap().value;
        let items: Vec<_> = dex.code_refs(&dex.code_item(m.code_off).unwrap()).collect();
        assert_eq!(items.len(), 1, "{payload:#x}");
        assert!(
            matches!(items[0], Err(DexError::BadInstruction { address: 0, .. })),
            "{payload:#x}"
        );
    }
    // a nop with another high byte is a plain nop
    let mut ok = d;
    ok[insns + 6..insns + 8].copy_from_slice(&0x0400u16.to_le_bytes());
    super::fixture::fix_checksum(&mut ok);
    let dex = Dex::parse(&ok).unwrap().value;
    assert!(dex
        .code_refs(&dex.code_item(m.code_off).unwrap())
        .all(|r| r.is_ok()));
}

#[test]
fn error_messages_name_structure_and_offset() {
    for (e, want) in [
        (
            DexError::BadEndianTag { tag: 0x7856_3412 },
            "endian_tag 0x78563412 at 0x28 is not 0x12345678 (only little-endian DEX exists)",
        ),
        (
            DexError::CodeItemOutOfBounds {
                offset: 0x1f0,
                insns_size: 9,
                len: 100,
            },
            "code_item at 0x1f0 with 9 code units runs past the end (100 bytes)",
        ),
        (
            DexError::BadInstruction {
                offset: 0x20,
                address: 2,
                opcode: 0x3e,
                reason: "unused opcode",
            },
            "instruction 0x003e at 0x20 (code unit 0x2): unused opcode",
        ),
    ] {
        assert_eq!(e.to_string(), want);
    }
}

#[test]
fn anomalies_are_capped() {
    // 300 classes whose class_data_off all point past the end.
    let mut b = Builder::default();
    let obj = b.ty("Ljava/lang/Object;");
    for i in 0..300 {
        let t = b.ty(&format!("LC{i};"));
        b.classes.push(Class {
            class_idx: u32::from(t),
            superclass_idx: u32::from(obj),
            static_fields: vec![],
            instance_fields: vec![],
            direct: vec![],
            virtual_: vec![],
        });
    }
    let mut d = b.build();
    for i in 0..300 {
        let at = class_def_field(&d, i, 6);
        d[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    super::fixture::fix_checksum(&mut d);
    let dex = Dex::parse(&d).unwrap().value;
    let a = dex.for_each_code_ref(|_, _, _| {});
    assert_eq!(a.len(), MAX_ANOMALIES + 1);
    assert_eq!(a.last().unwrap().code, "dex-anomalies-truncated");
    assert!(a.last().unwrap().detail.starts_with("44 more"));
}

/// `n` classes; the first has `methods` methods (with `insns` code units of
/// `nop` each if `with_code`), every other class_def is patched to share
/// the first one's class_data_item.
fn shared_class_data(n: usize, methods: u32, insns: usize, with_code: bool) -> Vec<u8> {
    let mut b = Builder::default();
    let obj = b.ty("Ljava/lang/Object;");
    let v = b.proto("V", "V", &[]);
    let mut ms = Vec::new();
    for i in 0..methods {
        let m = b.method("LC0;", &format!("m{i}"), v);
        let code = with_code.then(|| Code {
            registers: 1,
            ins: 0,
            outs: 0,
            insns: vec![0; insns],
        });
        ms.push(Method {
            method_idx: m,
            access_flags: 1,
            code,
        });
    }
    for i in 0..n {
        let t = b.ty(&format!("LC{i};"));
        let virtual_ = if i == 0 {
            std::mem::take(&mut ms)
        } else {
            vec![]
        };
        b.classes.push(Class {
            class_idx: u32::from(t),
            superclass_idx: u32::from(obj),
            static_fields: vec![],
            instance_fields: vec![],
            direct: vec![],
            virtual_,
        });
    }
    let mut d = b.build();
    let first = u32::from_le_bytes(d[class_def_field(&d, 0, 6)..][..4].try_into().unwrap());
    for i in 1..n {
        let at = class_def_field(&d, i, 6);
        d[at..at + 4].copy_from_slice(&first.to_le_bytes());
    }
    super::fixture::fix_checksum(&mut d);
    d
}

#[test]
fn shared_class_data_is_budgeted() {
    let d = shared_class_data(2000, 3000, 0, false);
    let dex = Dex::parse(&d).unwrap().value;
    let items: Vec<_> = dex.classes().collect();
    assert!(items.len() < 2000, "{}", items.len());
    assert!(items[..items.len() - 1].iter().all(|c| c.is_ok()));
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(last, DexError::BadClassData { .. }), "{last}");
    assert_eq!(last.anomaly_code(), "dex-bad-class-data");
}

/// A damaged class_data_item shared by every class, which fails only at
/// its last method: rejecting it costs as much as reading a good one, so
/// it must count against the budget too (a slow input the scan fuzzer
/// found took 0.66 s on 1 MB before this was counted).
#[test]
fn shared_damaged_class_data_is_budgeted() {
    let mut d = shared_class_data(2000, 1, 0, false);
    let item = d.len() as u32;
    // vm = 20,000 encoded_methods of 5 bytes (diff 0, 3-byte access flags,
    // code_off 0): enough bytes for the 3-byte minimum the header check
    // asks, one byte short of the whole, so the last method runs past the
    // end.
    let k = 20_000u32;
    let mut cd = vec![0, 0, 0];
    super::fixture::uleb(&mut cd, k);
    for _ in 0..k {
        cd.extend([0, 0x81, 0x80, 0x00, 0]);
    }
    cd.pop();
    d.extend(&cd);
    let len = d.len() as u32;
    d[0x20..0x24].copy_from_slice(&len.to_le_bytes());
    let data_off = u32::from_le_bytes(d[0x6c..0x70].try_into().unwrap());
    d[0x68..0x6c].copy_from_slice(&(len - data_off).to_le_bytes());
    for i in 0..2000 {
        let at = class_def_field(&d, i, 6);
        d[at..at + 4].copy_from_slice(&item.to_le_bytes());
    }
    super::fixture::fix_checksum(&mut d);
    let dex = Dex::parse(&d).unwrap().value;
    let items: Vec<_> = dex.classes().collect();
    assert!(items.len() < 100, "{} classes decoded", items.len());
    assert!(items[..items.len() - 1].iter().all(|c| matches!(
        c,
        Err(DexError::BadClassData { reason, .. }) if reason.contains("runs past the end")
    )));
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(last.to_string().contains("exceeds four times"), "{last}");
}

#[test]
fn shared_code_items_are_budgeted() {
    let d = shared_class_data(3000, 1, 5000, true);
    let dex = Dex::parse(&d).unwrap().value;
    let mut walked = 0;
    let anomalies = dex.for_each_code_ref(|_, _, _| walked += 1);
    assert_eq!(codes(&anomalies), vec!["dex-walk-budget-exceeded"]);
}

// ---- robustness -----------------------------------------------------------

/// Parses and walks everything reachable, resolving each reference.
fn exercise(data: &[u8]) {
    let Ok(p) = Dex::parse(data) else { return };
    let dex = p.value;
    let _ = dex.count_summary();
    let _ = dex.next_in_container();
    for class in dex.classes().flatten() {
        let _ = class.fields().count();
        for m in class.methods() {
            let _ = dex.method_ref(m.method).map(|r| r.to_string());
            if m.code_off == 0 {
                continue;
            }
            let Ok(code) = dex.code_item(m.code_off) else {
                continue;
            };
            for r in dex.code_refs(&code).flatten() {
                match r {
                    CodeRef::Invoke { method, proto, .. } => {
                        let _ = dex.method_ref(method).map(|m| m.to_dexdump());
                        if let Some(p) = proto {
                            let _ = dex.proto(p).map(|p| p.to_string());
                        }
                    }
                    CodeRef::ConstString { string, .. } => {
                        let _ = dex.string_lossy(string);
                    }
                    CodeRef::ConstClass { type_idx, .. } => {
                        let _ = dex.type_descriptor(type_idx);
                    }
                    CodeRef::StaticGet { field, .. } | CodeRef::InstanceGet { field, .. } => {
                        let _ = dex.field_ref(field).map(|f| f.to_string());
                    }
                    CodeRef::InvokeCustom { .. } => {}
                }
            }
        }
    }
    let _ = dex.for_each_code_ref(|_, _, _| {});
}

#[test]
fn no_panic_on_truncation() {
    for data in [TINY, &sample().bytes[..]] {
        for cut in 0..data.len() {
            exercise(&data[..cut]);
        }
    }
}

#[test]
fn no_panic_on_byte_flips() {
    for data in [TINY.to_vec(), sample().bytes] {
        for at in 0..data.len() {
            for x in [0xff_u8, 0x80, 0x01] {
                let mut d = data.clone();
                d[at] ^= x;
                exercise(&d);
            }
        }
        // Also with a fixed-up checksum, so nothing hides behind it.
        for at in (12..data.len()).step_by(3) {
            let mut d = data.clone();
            d[at] = d[at].wrapping_add(0x41);
            super::fixture::fix_checksum(&mut d);
            exercise(&d);
        }
    }
}

#[test]
fn adler32_known_values() {
    assert_eq!(super::header::adler32(b""), 1);
    assert_eq!(super::header::adler32(b"Wikipedia"), 0x11e6_0398);
    let big = vec![0xffu8; 100_000];
    // Reference computed bytewise with the modulo every step.
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &big {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    assert_eq!(super::header::adler32(&big), (b << 16) | a);
    // And the checksum of tiny.dex is the one smali wrote.
    assert!(Dex::parse(TINY).unwrap().value.header().checksum_ok());
}

/// Issue 5 (tests/hostile/dex-bad-code.apk): an instruction naming an index
/// beyond its id table is reported as `dex-bad-index` at the instruction,
/// not handed to the caller, and the rest of the method is still walked.
#[test]
fn out_of_range_indices_in_instructions_are_reported() {
    let s = sample();
    let mut d = s.bytes.clone();
    let find = |d: &[u8], units: &[u16]| {
        let needle: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        d.windows(needle.len()).position(|w| w == needle).unwrap()
    };
    // invoke-virtual {v1}, getDeviceId -> method@ffff
    let invoke = find(&d, &[0x106e, s.get_device_id as u16, 0x0001]);
    d[invoke + 2..invoke + 4].copy_from_slice(&0xffffu16.to_le_bytes());
    // const-string v0, url -> string@fff0
    let cs = find(&d, &[0x001a, s.url as u16]);
    d[cs + 2..cs + 4].copy_from_slice(&0xfff0u16.to_le_bytes());
    super::fixture::fix_checksum(&mut d);
    let dex = Dex::parse(&d).unwrap().value;
    let (refs, anomalies) = all_refs(&dex);
    assert!(!refs.iter().any(|r| r.contains("getDeviceId")), "{refs:?}");
    assert!(!refs.iter().any(|r| r.contains("string")), "{refs:?}");
    assert!(refs.iter().any(|r| r.contains("sget")), "{refs:?}");
    assert_eq!(codes(&anomalies), ["dex-bad-index", "dex-bad-index"]);
    assert_eq!(anomalies[0].offset, Some(cs as u64));
    assert!(
        anomalies[0]
            .detail
            .starts_with("string index 65520 out of range ("),
        "{}",
        anomalies[0].detail
    );
    assert_eq!(anomalies[1].offset, Some(invoke as u64));
    assert!(
        anomalies[1].detail.starts_with(
            "method index 65535 out of range (5 entries) in the instruction at code unit 0x4"
        ),
        "{}",
        anomalies[1].detail
    );
}
