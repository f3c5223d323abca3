//! A small DEX writer for unit tests: enough of the format to build files
//! with known contents, then break them on purpose.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use super::header::adler32;

/// A method body.
pub(crate) struct Code {
    pub registers: u16,
    pub ins: u16,
    pub outs: u16,
    pub insns: Vec<u16>,
}

/// An `encoded_method`.
pub(crate) struct Method {
    pub method_idx: u32,
    pub access_flags: u32,
    pub code: Option<Code>,
}

/// A `class_def_item` with its class data.
pub(crate) struct Class {
    pub class_idx: u32,
    pub superclass_idx: u32,
    pub static_fields: Vec<u32>,
    pub instance_fields: Vec<u32>,
    pub direct: Vec<Method>,
    pub virtual_: Vec<Method>,
}

/// The whole file, by table.
#[derive(Default)]
pub(crate) struct Builder {
    pub version: Option<&'static [u8; 3]>,
    pub strings: Vec<Vec<u8>>,
    pub types: Vec<u32>,
    /// (shorty string, return type, parameter types)
    pub protos: Vec<(u32, u32, Vec<u16>)>,
    /// (class type, field type, name string)
    pub fields: Vec<(u16, u16, u32)>,
    /// (class type, proto, name string)
    pub methods: Vec<(u16, u16, u32)>,
    pub classes: Vec<Class>,
}

pub(crate) fn uleb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn align4(out: &mut Vec<u8>) {
    while out.len() % 4 != 0 {
        out.push(0);
    }
}

fn put32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Recomputes the checksum after a test edited the bytes.
pub(crate) fn fix_checksum(d: &mut [u8]) {
    let sum = adler32(&d[12..]);
    put32(d, 8, sum);
}

/// Writes a u32 at `at` and fixes the checksum.
pub(crate) fn patch32(d: &mut [u8], at: usize, v: u32) {
    put32(d, at, v);
    fix_checksum(d);
}

impl Builder {
    /// Index of `s`, added if new.
    pub fn string(&mut self, s: &str) -> u32 {
        let b = s.as_bytes().to_vec();
        if let Some(i) = self.strings.iter().position(|x| *x == b) {
            return i as u32;
        }
        self.strings.push(b);
        (self.strings.len() - 1) as u32
    }

    /// Index of type `desc`, added if new.
    pub fn ty(&mut self, desc: &str) -> u16 {
        let s = self.string(desc);
        if let Some(i) = self.types.iter().position(|&x| x == s) {
            return i as u16;
        }
        self.types.push(s);
        (self.types.len() - 1) as u16
    }

    /// Index of a prototype, added.
    pub fn proto(&mut self, shorty: &str, ret: &str, params: &[&str]) -> u16 {
        let s = self.string(shorty);
        let r = u32::from(self.ty(ret));
        let p = params.iter().map(|p| self.ty(p)).collect();
        self.protos.push((s, r, p));
        (self.protos.len() - 1) as u16
    }

    /// Index of a method reference, added.
    pub fn method(&mut self, class: &str, name: &str, proto: u16) -> u32 {
        let c = self.ty(class);
        let n = self.string(name);
        self.methods.push((c, proto, n));
        (self.methods.len() - 1) as u32
    }

    /// Index of a field reference, added.
    pub fn field(&mut self, class: &str, name: &str, ty: &str) -> u32 {
        let c = self.ty(class);
        let t = self.ty(ty);
        let n = self.string(name);
        self.fields.push((c, t, n));
        (self.fields.len() - 1) as u32
    }

    /// Lays the file out: header, id tables, then the data section.
    pub fn build(&self) -> Vec<u8> {
        let mut d = vec![0u8; 0x70];
        let mut map: Vec<(u16, u32, u32)> = vec![(0x0000, 1, 0)];
        let table = |d: &mut Vec<u8>, n: usize, size: usize| {
            let off = if n == 0 { 0 } else { d.len() as u32 };
            d.resize(d.len() + n * size, 0);
            off
        };
        let string_ids = table(&mut d, self.strings.len(), 4);
        let type_ids = table(&mut d, self.types.len(), 4);
        let proto_ids = table(&mut d, self.protos.len(), 12);
        let field_ids = table(&mut d, self.fields.len(), 8);
        let method_ids = table(&mut d, self.methods.len(), 8);
        let class_defs = table(&mut d, self.classes.len(), 32);
        for (ty, n, off) in [
            (1u16, self.strings.len(), string_ids),
            (2, self.types.len(), type_ids),
            (3, self.protos.len(), proto_ids),
            (4, self.fields.len(), field_ids),
            (5, self.methods.len(), method_ids),
            (6, self.classes.len(), class_defs),
        ] {
            if n > 0 {
                map.push((ty, n as u32, off));
            }
        }
        let data_off = d.len() as u32;
        // string_data_item
        for (i, s) in self.strings.iter().enumerate() {
            let off = d.len() as u32;
            put32(&mut d, string_ids as usize + i * 4, off);
            let units = String::from_utf8_lossy(s).encode_utf16().count() as u32;
            uleb(&mut d, units);
            d.extend_from_slice(s);
            d.push(0);
        }
        for (i, &t) in self.types.iter().enumerate() {
            put32(&mut d, type_ids as usize + i * 4, t);
        }
        for (i, (shorty, ret, params)) in self.protos.iter().enumerate() {
            let at = proto_ids as usize + i * 12;
            put32(&mut d, at, *shorty);
            put32(&mut d, at + 4, *ret);
            if !params.is_empty() {
                align4(&mut d);
                let off = d.len() as u32;
                d.extend_from_slice(&(params.len() as u32).to_le_bytes());
                for p in params {
                    d.extend_from_slice(&p.to_le_bytes());
                }
                put32(&mut d, at + 8, off);
            }
        }
        for (i, (c, t, n)) in self.fields.iter().enumerate() {
            let at = field_ids as usize + i * 8;
            d[at..at + 2].copy_from_slice(&c.to_le_bytes());
            d[at + 2..at + 4].copy_from_slice(&t.to_le_bytes());
            put32(&mut d, at + 4, *n);
        }
        for (i, (c, p, n)) in self.methods.iter().enumerate() {
            let at = method_ids as usize + i * 8;
            d[at..at + 2].copy_from_slice(&c.to_le_bytes());
            d[at + 2..at + 4].copy_from_slice(&p.to_le_bytes());
            put32(&mut d, at + 4, *n);
        }
        for (i, c) in self.classes.iter().enumerate() {
            let at = class_defs as usize + i * 32;
            put32(&mut d, at, c.class_idx);
            put32(&mut d, at + 4, 1);
            put32(&mut d, at + 8, c.superclass_idx);
            put32(&mut d, at + 16, super::NO_INDEX);
            // code items first, then the class data that points at them
            let mut code_offs = Vec::new();
            for m in c.direct.iter().chain(&c.virtual_) {
                code_offs.push(match &m.code {
                    None => 0,
                    Some(code) => {
                        align4(&mut d);
                        let off = d.len() as u32;
                        d.extend_from_slice(&code.registers.to_le_bytes());
                        d.extend_from_slice(&code.ins.to_le_bytes());
                        d.extend_from_slice(&code.outs.to_le_bytes());
                        d.extend_from_slice(&0u16.to_le_bytes());
                        d.extend_from_slice(&0u32.to_le_bytes());
                        d.extend_from_slice(&(code.insns.len() as u32).to_le_bytes());
                        for u in &code.insns {
                            d.extend_from_slice(&u.to_le_bytes());
                        }
                        off
                    }
                });
            }
            let off = d.len() as u32;
            uleb(&mut d, c.static_fields.len() as u32);
            uleb(&mut d, c.instance_fields.len() as u32);
            uleb(&mut d, c.direct.len() as u32);
            uleb(&mut d, c.virtual_.len() as u32);
            for list in [&c.static_fields, &c.instance_fields] {
                let mut prev = 0;
                for &f in list {
                    uleb(&mut d, f - prev);
                    uleb(&mut d, 1);
                    prev = f;
                }
            }
            let mut offs = code_offs.into_iter();
            for list in [&c.direct, &c.virtual_] {
                let mut prev = 0;
                for m in list {
                    uleb(&mut d, m.method_idx - prev);
                    uleb(&mut d, m.access_flags);
                    uleb(&mut d, offs.next().unwrap());
                    prev = m.method_idx;
                }
            }
            put32(&mut d, at + 24, off);
        }
        align4(&mut d);
        let map_off = d.len() as u32;
        map.push((0x1000, 1, map_off));
        d.extend_from_slice(&(map.len() as u32).to_le_bytes());
        for (ty, n, off) in &map {
            d.extend_from_slice(&ty.to_le_bytes());
            d.extend_from_slice(&0u16.to_le_bytes());
            d.extend_from_slice(&n.to_le_bytes());
            d.extend_from_slice(&off.to_le_bytes());
        }
        let len = d.len() as u32;
        d[..4].copy_from_slice(b"dex\n");
        d[4..7].copy_from_slice(self.version.unwrap_or(b"035"));
        d[7] = 0;
        for (at, v) in [
            (0x20, len),
            (0x24, 0x70),
            (0x28, 0x1234_5678),
            (0x34, map_off),
            (0x38, self.strings.len() as u32),
            (0x3c, string_ids),
            (0x40, self.types.len() as u32),
            (0x44, type_ids),
            (0x48, self.protos.len() as u32),
            (0x4c, proto_ids),
            (0x50, self.fields.len() as u32),
            (0x54, field_ids),
            (0x58, self.methods.len() as u32),
            (0x5c, method_ids),
            (0x60, self.classes.len() as u32),
            (0x64, class_defs),
            (0x68, len - data_off),
            (0x6c, data_off),
        ] {
            put32(&mut d, at, v);
        }
        fix_checksum(&mut d);
        d
    }
}

/// The standard fixture: one class `Lcom/example/Kid;` whose `run` method
/// reads the IMEI, loads a URL, reads `Build.SERIAL`, has a switch payload,
/// and calls a static helper with `invoke-static/range`.
pub(crate) struct Sample {
    pub bytes: Vec<u8>,
    pub get_device_id: u32,
    pub helper: u32,
    pub init: u32,
    pub url: u32,
    pub serial: u32,
    pub kid_type: u16,
}

pub(crate) fn sample() -> Sample {
    let mut b = Builder::default();
    let kid = b.ty("Lcom/example/Kid;");
    let object = b.ty("Ljava/lang/Object;");
    let v = b.proto("V", "V", &[]);
    let l = b.proto("L", "Ljava/lang/String;", &[]);
    let vli = b.proto("VLI", "V", &["Ljava/lang/String;", "I"]);
    let init = b.method("Ljava/lang/Object;", "<init>", v);
    let get_device_id = b.method("Landroid/telephony/TelephonyManager;", "getDeviceId", l);
    let helper = b.method("Lcom/example/Kid;", "helper", vli);
    let run = b.method("Lcom/example/Kid;", "run", v);
    let kid_init = b.method("Lcom/example/Kid;", "<init>", v);
    let serial = b.field("Landroid/os/Build;", "SERIAL", "Ljava/lang/String;");
    let count = b.field("Lcom/example/Kid;", "count", "I");
    let url = b.string("http://collect.example.test/imei");
    b.string("\u{1F600} emoji");
    let insns = vec![
        0x0000, // nop
        0x0012, // const/4 v0, #0
        0x001a,
        url as u16, // const-string v0, url
        0x106e,
        get_device_id as u16,
        0x0001, // invoke-virtual {v1}, getDeviceId
        0x0062,
        serial as u16, // sget-object v0, SERIAL
        0x001c,
        kid, // const-class v0, Kid
        0x0052 | (0x10 << 8),
        count as u16, // iget v0, v1, count
        0x0277,
        helper as u16,
        0x0000, // invoke-static/range {v0 .. v1}, helper
        0x002b,
        0x0004,
        0x0000, // packed-switch v0, +4 (payload at 0x14)
        0x000e, // return-void
        0x0100,
        0x0001,
        0x0000,
        0x0000,
        0x0003,
        0x0000, // packed-switch-payload, 1 target
    ];
    b.classes.push(Class {
        class_idx: u32::from(kid),
        superclass_idx: u32::from(object),
        static_fields: vec![],
        instance_fields: vec![count],
        direct: vec![Method {
            method_idx: kid_init,
            access_flags: 0x10001,
            code: Some(Code {
                registers: 1,
                ins: 1,
                outs: 1,
                insns: vec![0x1070, init as u16, 0x0000, 0x000e],
            }),
        }],
        virtual_: vec![
            Method {
                method_idx: helper,
                access_flags: 0x1,
                code: Some(Code {
                    registers: 2,
                    ins: 2,
                    outs: 0,
                    insns: vec![0x000e],
                }),
            },
            Method {
                method_idx: run,
                access_flags: 0x1,
                code: Some(Code {
                    registers: 2,
                    ins: 1,
                    outs: 2,
                    insns,
                }),
            },
        ],
    });
    Sample {
        bytes: b.build(),
        get_device_id,
        helper,
        init,
        url,
        serial,
        kid_type: kid,
    }
}
