//! `code_item` and the instruction walk.
//!
//! The walk is a linear sweep, as `dexdump -d` does: each instruction's
//! length comes from its opcode's format (a 256-entry table), payload
//! pseudo-instructions are skipped by their declared size, and only the
//! operands of the instructions that reference the constant pool are read.
//!
//! See: <https://source.android.com/docs/core/runtime/dalvik-bytecode> and
//! <https://source.android.com/docs/core/runtime/instruction-formats>

use super::{CallSiteIdx, DexError, FieldIdx, MethodIdx, ProtoIdx, StringIdx, TypeIdx};
use crate::formats::read::{u16_at, u32_at};

/// Size of the fixed part of a `code_item`.
const CODE_ITEM_HEADER: usize = 16;
/// Size of a `try_item`.
const TRY_ITEM_SIZE: usize = 8;

/// A method's `code_item`, checked against the file.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#code-item>
#[derive(Debug, Clone, Copy)]
pub struct CodeItem<'a> {
    /// File offset of the item.
    pub offset: u32,
    /// `registers_size`.
    pub registers_size: u16,
    /// `ins_size`.
    pub ins_size: u16,
    /// `outs_size`.
    pub outs_size: u16,
    /// `tries_size`.
    pub tries_size: u16,
    /// `debug_info_off`.
    pub debug_info_off: u32,
    /// `insns_size`, in 16-bit code units.
    pub insns_size: u32,
    /// `insns`, as bytes (`2 * insns_size` of them).
    pub insns: &'a [u8],
}

impl<'a> CodeItem<'a> {
    /// File offset of `insns`.
    pub fn insns_off(&self) -> u32 {
        self.offset.wrapping_add(CODE_ITEM_HEADER as u32)
    }

    /// The references this code makes; see [`CodeRefs`].
    pub fn refs(&self) -> CodeRefs<'a> {
        CodeRefs {
            insns: self.insns,
            pos: 0,
            base: self.insns_off(),
            done: false,
        }
    }
}

/// Reads and validates the `code_item` at `off`.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#code-item>
pub(super) fn code_item(data: &[u8], off: u32) -> Result<CodeItem<'_>, DexError> {
    let len = data.len();
    let start = off as usize;
    let oob = |insns_size| DexError::CodeItemOutOfBounds {
        offset: off,
        insns_size,
        len,
    };
    let bad = |reason| DexError::BadCodeItem {
        offset: off,
        reason,
    };
    if start.checked_add(CODE_ITEM_HEADER).is_none_or(|e| e > len) {
        return Err(oob(0));
    }
    let rd16 = |o: usize| u16_at(data, start + o).map_err(|_| oob(0));
    let registers_size = rd16(0)?;
    let ins_size = rd16(2)?;
    let outs_size = rd16(4)?;
    let tries_size = rd16(6)?;
    let debug_info_off = u32_at(data, start + 8).map_err(|_| oob(0))?;
    let insns_size = u32_at(data, start + 12).map_err(|_| oob(0))?;
    let insns_start = start + CODE_ITEM_HEADER;
    let remaining = len - insns_start;
    if insns_size as usize > remaining / 2 {
        return Err(oob(insns_size));
    }
    let insns_end = insns_start + insns_size as usize * 2;
    let insns = data.get(insns_start..insns_end).ok_or(oob(insns_size))?;
    if ins_size > registers_size {
        return Err(bad("ins_size exceeds registers_size"));
    }
    if debug_info_off as usize >= len {
        return Err(bad("debug_info_off points past the end of the file"));
    }
    if tries_size > 0 {
        // try_items follow insns, padded to 4 bytes when insns_size is odd.
        let tries_start = insns_end + (insns_size as usize % 2) * 2;
        if tries_start.saturating_add(usize::from(tries_size) * TRY_ITEM_SIZE) > len {
            return Err(bad("try_item array runs past the end of the file"));
        }
    }
    Ok(CodeItem {
        offset: off,
        registers_size,
        ins_size,
        outs_size,
        tries_size,
        debug_info_off,
        insns_size,
        insns,
    })
}

/// The kind of an `invoke-*` instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvokeKind {
    /// `invoke-virtual` (0x6e) and `/range` (0x74).
    Virtual,
    /// `invoke-super` (0x6f) and `/range` (0x75).
    Super,
    /// `invoke-direct` (0x70) and `/range` (0x76).
    Direct,
    /// `invoke-static` (0x71) and `/range` (0x77).
    Static,
    /// `invoke-interface` (0x72) and `/range` (0x78).
    Interface,
    /// `invoke-polymorphic` (0xfa) and `/range` (0xfb).
    Polymorphic,
}

/// A reference from an instruction to the constant pool.
///
/// `address` is the instruction's position in 16-bit code units from the
/// start of `insns` (what `dexdump -d` prints as `|0012:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeRef {
    /// `invoke-kind` and `invoke-kind/range` (formats 35c, 3rc, 45cc, 4rcc).
    Invoke {
        /// Which invoke.
        kind: InvokeKind,
        /// The method called.
        method: MethodIdx,
        /// For `invoke-polymorphic`: the prototype of the call site.
        proto: Option<ProtoIdx>,
        /// Code-unit address.
        address: u32,
    },
    /// `invoke-custom` and `invoke-custom/range` (0xfc, 0xfd): the operand
    /// is a call site, not a method.
    InvokeCustom {
        /// The call site.
        call_site: CallSiteIdx,
        /// Code-unit address.
        address: u32,
    },
    /// `const-string` (0x1a) and `const-string/jumbo` (0x1b).
    ConstString {
        /// The string loaded.
        string: StringIdx,
        /// Code-unit address.
        address: u32,
    },
    /// `const-class` (0x1c).
    ConstClass {
        /// The type loaded.
        type_idx: TypeIdx,
        /// Code-unit address.
        address: u32,
    },
    /// `sget`, `sget-wide`, `sget-object`, `sget-boolean`, `sget-byte`,
    /// `sget-char`, `sget-short` (0x60–0x66).
    StaticGet {
        /// The field read.
        field: FieldIdx,
        /// Code-unit address.
        address: u32,
    },
    /// `iget` … `iget-short` (0x52–0x58).
    InstanceGet {
        /// The field read.
        field: FieldIdx,
        /// Code-unit address.
        address: u32,
    },
}

impl CodeRef {
    /// Code-unit address of the instruction.
    pub fn address(&self) -> u32 {
        match *self {
            CodeRef::Invoke { address, .. }
            | CodeRef::InvokeCustom { address, .. }
            | CodeRef::ConstString { address, .. }
            | CodeRef::ConstClass { address, .. }
            | CodeRef::StaticGet { address, .. }
            | CodeRef::InstanceGet { address, .. } => address,
        }
    }
}

// What an opcode references: the high nibble of its table entry.
const K_NONE: u8 = 0;
const K_STRING: u8 = 1;
const K_STRING_JUMBO: u8 = 2;
const K_CLASS: u8 = 3;
const K_IGET: u8 = 4;
const K_SGET: u8 = 5;
const K_VIRTUAL: u8 = 6;
const K_SUPER: u8 = 7;
const K_DIRECT: u8 = 8;
const K_STATIC: u8 = 9;
const K_INTERFACE: u8 = 10;
const K_POLYMORPHIC: u8 = 11;
const K_CUSTOM: u8 = 12;

/// Opcode → `kind << 4 | length in code units`; length 0 marks an unused
/// opcode. Lengths from the instruction formats: 10x 12x 11n 11x 10t = 1;
/// 20t 22x 21t 21s 21h 21c 23x 22b 22t 22s 22c = 2; 30t 32x 31i 31t 31c
/// 35c 3rc = 3; 45cc 4rcc = 4; 51l = 5. Tabulated in [`OPCODES`].
const fn opcode_info(op: u8) -> u8 {
    match op {
        0x00 | 0x01 => 1, // nop (payloads are handled apart), move
        0x02 => 2,        // move/from16
        0x03 => 3,        // move/16
        0x04 => 1,        // move-wide
        0x05 => 2,        // move-wide/from16
        0x06 => 3,        // move-wide/16
        0x07 => 1,        // move-object
        0x08 => 2,        // move-object/from16
        0x09 => 3,        // move-object/16
        0x0a..=0x12 => 1, // move-result* move-exception return* const/4
        0x13 => 2,        // const/16
        0x14 => 3,        // const
        0x15 | 0x16 => 2, // const/high16, const-wide/16
        0x17 => 3,        // const-wide/32
        0x18 => 5,        // const-wide
        0x19 => 2,        // const-wide/high16
        0x1a => K_STRING << 4 | 2,
        0x1b => K_STRING_JUMBO << 4 | 3,
        0x1c => K_CLASS << 4 | 2,
        0x1d | 0x1e => 1, // monitor-enter/exit
        0x1f | 0x20 => 2, // check-cast, instance-of
        0x21 => 1,        // array-length
        0x22 | 0x23 => 2, // new-instance, new-array
        0x24..=0x26 => 3, // filled-new-array(/range), fill-array-data
        0x27 | 0x28 => 1, // throw, goto
        0x29 => 2,        // goto/16
        0x2a..=0x2c => 3, // goto/32, packed-switch, sparse-switch
        0x2d..=0x3d => 2, // cmpkind, if-test, if-testz
        0x44..=0x51 => 2, // aget*, aput*
        0x52..=0x58 => K_IGET << 4 | 2,
        0x59..=0x5f => 2, // iput*
        0x60..=0x66 => K_SGET << 4 | 2,
        0x67..=0x6d => 2, // sput*
        0x6e | 0x74 => K_VIRTUAL << 4 | 3,
        0x6f | 0x75 => K_SUPER << 4 | 3,
        0x70 | 0x76 => K_DIRECT << 4 | 3,
        0x71 | 0x77 => K_STATIC << 4 | 3,
        0x72 | 0x78 => K_INTERFACE << 4 | 3,
        0x7b..=0x8f => 1, // unop
        0x90..=0xaf => 2, // binop
        0xb0..=0xcf => 1, // binop/2addr
        0xd0..=0xe2 => 2, // binop/lit16, binop/lit8
        0xfa | 0xfb => K_POLYMORPHIC << 4 | 4,
        0xfc | 0xfd => K_CUSTOM << 4 | 3,
        0xfe | 0xff => 2, // const-method-handle, const-method-type
        // 0x3e–0x43, 0x73, 0x79, 0x7a, 0xe3–0xf9: unused.
        _ => 0,
    }
}

/// [`opcode_info`] for every byte: one load per instruction instead of the
/// jump table a `match` compiles to.
// Evaluated at compile time: an out-of-range index would fail the build,
// it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
static OPCODES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = opcode_info(i as u8);
        i += 1;
    }
    t
};

/// Iterator over the [`CodeRef`]s of one method's instructions.
///
/// Allocation-free. After an undecodable instruction (an unused opcode,
/// an instruction or payload cut short by the end of `insns`) it yields
/// one [`DexError::BadInstruction`] and ends.
#[derive(Debug, Clone)]
pub struct CodeRefs<'a> {
    insns: &'a [u8],
    /// Byte position in `insns`.
    pos: usize,
    /// File offset of `insns`, for errors.
    base: u32,
    done: bool,
}

impl CodeRefs<'_> {
    fn fail(&mut self, opcode: u16, reason: &'static str) -> Option<Result<CodeRef, DexError>> {
        self.done = true;
        Some(Err(DexError::BadInstruction {
            offset: self.base.wrapping_add(self.pos as u32),
            address: (self.pos / 2) as u32,
            opcode,
            reason,
        }))
    }

    /// The code unit at byte position `at`.
    #[inline]
    fn unit(&self, at: usize) -> Option<u16> {
        u16_at(self.insns, at).ok()
    }

    /// Length in code units of the payload pseudo-instruction starting at
    /// `pos` with first unit `unit`, or 1 for a plain `nop`.
    fn nop_len(&self, unit: u16) -> Option<usize> {
        let p = self.pos;
        Some(match unit {
            // packed-switch-payload: ident, size, first_key (2), targets (2 each).
            0x0100 => usize::from(self.unit(p + 2)?) * 2 + 4,
            // sparse-switch-payload: ident, size, keys (2 each), targets (2 each).
            0x0200 => usize::from(self.unit(p + 2)?) * 4 + 2,
            // fill-array-data-payload: ident, element_width, size (2), data.
            0x0300 => {
                let width = u64::from(self.unit(p + 2)?);
                let count = u64::from(u32_at(self.insns, p + 4).ok()?);
                usize::try_from((width * count).div_ceil(2) + 4).ok()?
            }
            _ => 1,
        })
    }
}

impl Iterator for CodeRefs<'_> {
    type Item = Result<CodeRef, DexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let Some(unit) = self.unit(self.pos) else {
                self.done = true;
                return None;
            };
            let op = (unit & 0xff) as u8;
            let info = OPCODES.get(usize::from(op)).copied().unwrap_or(0);
            let mut len = usize::from(info & 0x0f);
            if len == 0 {
                return self.fail(unit, "unused opcode");
            }
            if op == 0 && unit != 0 {
                match self.nop_len(unit) {
                    Some(n) => len = n,
                    None => return self.fail(unit, "payload header runs past the end of insns"),
                }
            }
            let at = self.pos;
            let end = at.saturating_add(len.saturating_mul(2));
            if end > self.insns.len() {
                return self.fail(unit, "instruction runs past the end of insns");
            }
            let kind = info >> 4;
            if kind == K_NONE {
                self.pos = end;
                continue;
            }
            let address = (at / 2) as u32;
            // Every referencing format keeps its index in the second unit
            // (21c, 22c, 35c, 3rc, 45cc, 4rcc), or the second and third (31c).
            let idx = u32::from(self.unit(at + 2).unwrap_or(0));
            let r = match kind {
                K_STRING => CodeRef::ConstString {
                    string: StringIdx(idx),
                    address,
                },
                K_STRING_JUMBO => CodeRef::ConstString {
                    string: StringIdx(u32_at(self.insns, at + 2).unwrap_or(0)),
                    address,
                },
                K_CLASS => CodeRef::ConstClass {
                    type_idx: TypeIdx(idx),
                    address,
                },
                K_IGET => CodeRef::InstanceGet {
                    field: FieldIdx(idx),
                    address,
                },
                K_SGET => CodeRef::StaticGet {
                    field: FieldIdx(idx),
                    address,
                },
                K_CUSTOM => CodeRef::InvokeCustom {
                    call_site: CallSiteIdx(idx),
                    address,
                },
                _ => {
                    let kind = match kind {
                        K_VIRTUAL => InvokeKind::Virtual,
                        K_SUPER => InvokeKind::Super,
                        K_DIRECT => InvokeKind::Direct,
                        K_STATIC => InvokeKind::Static,
                        K_INTERFACE => InvokeKind::Interface,
                        _ => InvokeKind::Polymorphic,
                    };
                    let proto = (kind == InvokeKind::Polymorphic)
                        .then(|| self.unit(at + 6).map(|p| ProtoIdx(u32::from(p))))
                        .flatten();
                    CodeRef::Invoke {
                        kind,
                        method: MethodIdx(idx),
                        proto,
                        address,
                    }
                }
            };
            self.pos = end;
            return Some(Ok(r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::opcode_info;

    /// Lengths spot-checked against the Dalvik bytecode table.
    #[test]
    fn opcode_lengths() {
        let len = |op: u8| opcode_info(op) & 0x0f;
        for (op, want) in [
            (0x00, 1),
            (0x01, 1),
            (0x02, 2),
            (0x03, 3),
            (0x0e, 1),
            (0x12, 1),
            (0x13, 2),
            (0x14, 3),
            (0x18, 5),
            (0x1a, 2),
            (0x1b, 3),
            (0x1c, 2),
            (0x1f, 2),
            (0x24, 3),
            (0x26, 3),
            (0x28, 1),
            (0x29, 2),
            (0x2a, 3),
            (0x2b, 3),
            (0x2d, 2),
            (0x3d, 2),
            (0x3e, 0),
            (0x43, 0),
            (0x44, 2),
            (0x52, 2),
            (0x6e, 3),
            (0x73, 0),
            (0x74, 3),
            (0x78, 3),
            (0x79, 0),
            (0x7a, 0),
            (0x7b, 1),
            (0x8f, 1),
            (0x90, 2),
            (0xaf, 2),
            (0xb0, 1),
            (0xcf, 1),
            (0xd0, 2),
            (0xe2, 2),
            (0xe3, 0),
            (0xf9, 0),
            (0xfa, 4),
            (0xfb, 4),
            (0xfc, 3),
            (0xfd, 3),
            (0xfe, 2),
            (0xff, 2),
        ] {
            assert_eq!(len(op), want, "opcode {op:#04x}");
        }
    }
}
