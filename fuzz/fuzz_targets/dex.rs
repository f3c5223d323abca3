//! DEX: parse, iterate classes, walk every code item and resolve each
//! reference it makes.
//!
//! Each distinct index is resolved once and each distinct string decoded
//! once, as a scanner should do (see the cost model in
//! src/formats/dex/mod.rs): a fuzzed file that points every id at one huge
//! name would otherwise only produce slow units. Display of whole method
//! references is covered by the unit tests.
#![no_main]
use std::collections::HashSet;

use humiao::formats::dex::{mutf8, CodeRef, Dex, MethodIdx, StringIdx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = humiao::formats::dex::is_dex(data);
    let Ok(parsed) = Dex::parse(data) else { return };
    let dex = parsed.value;
    let _ = dex.count_summary();
    if let Some(next) = dex.next_in_container() {
        let _ = Dex::parse_at(data, next);
    }
    let mut seen: HashSet<(u8, u32)> = HashSet::new();
    let decode = |seen: &mut HashSet<(u8, u32)>, s: StringIdx| {
        if seen.insert((9, s.0)) {
            let _ = dex.string_lossy(s);
        }
    };
    let method = |seen: &mut HashSet<(u8, u32)>, m: MethodIdx| {
        if !seen.insert((0, m.0)) {
            return;
        }
        if let Ok(r) = dex.method_ref(m) {
            let _ = mutf8::decode(r.class);
            if let Ok(p) = r.proto() {
                let _ = p.parameters.iter().take(300).filter(Result::is_ok).count();
            }
        }
    };
    for class in dex.classes().flatten() {
        let _ = class.fields().count();
        for m in class.methods() {
            method(&mut seen, m.method);
            let Ok(code) = dex.code_item(m.code_off) else { continue };
            for r in dex.code_refs(&code).flatten() {
                match r {
                    CodeRef::Invoke { method: callee, proto, .. } => {
                        method(&mut seen, callee);
                        if let Some(p) = proto.filter(|p| seen.insert((2, p.0))) {
                            let _ = dex.proto(p).map(|p| p.parameters.len());
                        }
                    }
                    CodeRef::InvokeCustom { .. } => {}
                    CodeRef::ConstString { string, .. } => decode(&mut seen, string),
                    CodeRef::ConstClass { type_idx, .. } => {
                        let _ = dex.type_descriptor(type_idx);
                    }
                    CodeRef::StaticGet { field, .. } | CodeRef::InstanceGet { field, .. } => {
                        if seen.insert((4, field.0)) {
                            if let Ok(f) = dex.field_ref(field) {
                                decode(&mut seen, f.name_idx);
                            }
                        }
                    }
                }
            }
        }
    }
    let _ = dex.for_each_code_ref(|_, _, _| {});
});
