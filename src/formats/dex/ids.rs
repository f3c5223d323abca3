//! The id tables: strings, types, prototypes, fields and methods, decoded
//! on access from the slices `header.rs` validated.

use std::fmt;

use super::{mutf8, DexError, FieldIdx, MethodIdx, ProtoIdx, StringIdx, TypeIdx};
use crate::formats::read::{u16_at, u32_at, Reader};

/// The tables every reference resolves through; `Copy`, so resolved
/// references can carry them for display.
#[derive(Clone, Copy)]
pub(super) struct Pools<'a> {
    pub(super) data: &'a [u8],
    pub(super) string_ids: &'a [u8],
    pub(super) type_ids: &'a [u8],
}

/// Entry `idx` (of `size` bytes, so `u32` reads at `idx * size`) of a
/// validated table, as the offset of its first byte inside the table.
fn entry(table: &[u8], size: usize, idx: u32, kind: &'static str) -> Result<usize, DexError> {
    let len = table.len() / size;
    if (idx as usize) < len {
        Ok(idx as usize * size)
    } else {
        Err(DexError::BadIndex {
            kind,
            index: idx,
            len: len as u32,
        })
    }
}

impl<'a> Pools<'a> {
    /// See: <https://source.android.com/docs/core/runtime/dex-format#string-data-item>
    #[inline]
    pub(super) fn string(&self, idx: StringIdx) -> Result<&'a [u8], DexError> {
        let at = entry(self.string_ids, 4, idx.0, "string")?;
        let off = u32_at(self.string_ids, at).map_err(|_| DexError::BadIndex {
            kind: "string",
            index: idx.0,
            len: 0,
        })?;
        let len = self.data.len();
        let bad_off = || DexError::BadOffset {
            structure: "string_data_item",
            offset: off,
            len,
        };
        let (utf16_size, start) = match self.data.get(off as usize) {
            // One-byte uleb128: strings shorter than 128 units, nearly all.
            Some(&b) if b < 0x80 => (u32::from(b), off as usize + 1),
            Some(_) => {
                let mut r = Reader::at(self.data, off as usize);
                (r.uleb128().map_err(|_| bad_off())?, r.pos())
            }
            None => return Err(bad_off()),
        };
        let n = utf16_size as usize;
        // ASCII fast path. MUTF-8 has no zero byte inside a string (ART's
        // verifier refuses one), and each unit takes at least one byte, so
        // a NUL right after `utf16_size` bytes means one byte per unit.
        if self.data.get(start.saturating_add(n)) == Some(&0) {
            if let Some(s) = self.data.get(start..start + n) {
                return Ok(s);
            }
        }
        // Each UTF-16 unit takes 1 to 3 bytes of MUTF-8, so the NUL is at
        // most 3 * utf16_size bytes in: never scan further than that.
        let window = n.saturating_mul(3).saturating_add(1);
        let rest = self.data.get(start..).ok_or_else(bad_off)?;
        let rest = rest.get(..window.min(rest.len())).unwrap_or(rest);
        // `contains` is core's word-at-a-time memchr; find the chunk first.
        let mut base = 0;
        for chunk in rest.chunks(256) {
            if chunk.contains(&0) {
                let n = base + chunk.iter().position(|&b| b == 0).unwrap_or(0);
                return rest.get(..n).ok_or_else(bad_off);
            }
            base += chunk.len();
        }
        Err(DexError::BadString {
            offset: off,
            utf16_size,
        })
    }

    /// See: <https://source.android.com/docs/core/runtime/dex-format#type-id-item>
    #[inline]
    pub(super) fn type_descriptor(&self, idx: TypeIdx) -> Result<&'a [u8], DexError> {
        let at = entry(self.type_ids, 4, idx.0, "type")?;
        let s = u32_at(self.type_ids, at).map_err(|_| DexError::BadIndex {
            kind: "type",
            index: idx.0,
            len: 0,
        })?;
        self.string(StringIdx(s))
    }
}

/// A method prototype.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#proto-id-item>
#[derive(Clone, Copy)]
pub struct Proto<'a> {
    /// `shorty_idx`, resolved: e.g. `VL` for `(Ljava/lang/String;)V`.
    pub shorty: &'a [u8],
    /// `return_type_idx`, resolved: a type descriptor.
    pub return_type: &'a [u8],
    /// `parameters_off`, resolved.
    pub parameters: TypeList<'a>,
}

impl fmt::Debug for Proto<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proto({self})")
    }
}

/// Writes `(params)ret`, as in smali and `dexdump`.
impl fmt::Display for Proto<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for p in self.parameters.iter() {
            match p {
                Ok(d) => f.write_str(&mutf8::decode(d))?,
                Err(_) => f.write_str("?")?,
            }
        }
        f.write_str(")")?;
        f.write_str(&mutf8::decode(self.return_type))
    }
}

/// A `type_list` (the parameters of a prototype), resolved on access.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#type-list>
#[derive(Clone, Copy)]
pub struct TypeList<'a> {
    pools: Pools<'a>,
    /// `list`: `size` 16-bit type indexes.
    list: &'a [u8],
}

impl<'a> TypeList<'a> {
    /// Number of types.
    pub fn len(&self) -> usize {
        self.list.len() / 2
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The type index at position `i`.
    pub fn type_idx(&self, i: usize) -> Option<TypeIdx> {
        i.checked_mul(2)
            .and_then(|o| u16_at(self.list, o).ok())
            .map(|t| TypeIdx(u32::from(t)))
    }

    /// The type descriptors, in order.
    pub fn iter(&self) -> impl Iterator<Item = Result<&'a [u8], DexError>> + '_ {
        (0..self.len())
            .filter_map(|i| self.type_idx(i))
            .map(|t| self.pools.type_descriptor(t))
    }
}

/// Reads the `type_list` at `off` (0 means empty).
pub(super) fn type_list<'a>(pools: &Pools<'a>, off: u32) -> Result<TypeList<'a>, DexError> {
    if off == 0 {
        return Ok(TypeList {
            pools: *pools,
            list: &[],
        });
    }
    let len = pools.data.len();
    let size = u32_at(pools.data, off as usize).map_err(|_| DexError::BadOffset {
        structure: "type_list",
        offset: off,
        len,
    })?;
    let start = off as usize + 4;
    let remaining = len.saturating_sub(start);
    if size as usize > remaining / 2 {
        return Err(DexError::TableOutOfBounds {
            table: "type_list",
            offset: off,
            count: size,
            len,
        });
    }
    let list =
        pools
            .data
            .get(start..start + size as usize * 2)
            .ok_or(DexError::TableOutOfBounds {
                table: "type_list",
                offset: off,
                count: size,
                len,
            })?;
    Ok(TypeList {
        pools: *pools,
        list,
    })
}

/// See: <https://source.android.com/docs/core/runtime/dex-format#proto-id-item>
pub(super) fn proto<'a>(
    pools: &Pools<'a>,
    proto_ids: &'a [u8],
    idx: ProtoIdx,
) -> Result<Proto<'a>, DexError> {
    let at = entry(proto_ids, 12, idx.0, "proto")?;
    let bad = || DexError::BadIndex {
        kind: "proto",
        index: idx.0,
        len: 0,
    };
    let shorty = u32_at(proto_ids, at).map_err(|_| bad())?;
    let ret = u32_at(proto_ids, at + 4).map_err(|_| bad())?;
    let params = u32_at(proto_ids, at + 8).map_err(|_| bad())?;
    Ok(Proto {
        shorty: pools.string(StringIdx(shorty))?,
        return_type: pools.type_descriptor(TypeIdx(ret))?,
        parameters: type_list(pools, params)?,
    })
}

/// A resolved `method_id_item`: class and name are resolved, the
/// prototype on demand ([`MethodRef::proto`]), since matching a call
/// against a list of APIs rarely needs it.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#method-id-item>
#[derive(Clone, Copy)]
pub struct MethodRef<'a> {
    /// `class_idx`.
    pub class_idx: TypeIdx,
    /// `proto_idx`.
    pub proto_idx: ProtoIdx,
    /// `name_idx`.
    pub name_idx: StringIdx,
    /// Descriptor of the defining class, e.g. `Landroid/telephony/TelephonyManager;`.
    pub class: &'a [u8],
    /// Method name (MUTF-8), e.g. `getDeviceId`.
    pub name: &'a [u8],
    pools: Pools<'a>,
    proto_ids: &'a [u8],
}

impl<'a> MethodRef<'a> {
    /// The prototype: shorty, return type and parameter types.
    pub fn proto(&self) -> Result<Proto<'a>, DexError> {
        proto(&self.pools, self.proto_ids, self.proto_idx)
    }

    /// `Lclass;.name:(params)ret`, as `dexdump` prints a method reference.
    pub fn to_dexdump(&self) -> String {
        format!(
            "{}.{}:{}",
            mutf8::decode(self.class),
            mutf8::decode(self.name),
            ProtoText(self.proto())
        )
    }
}

/// A prototype, or `(?)?` when it does not resolve.
struct ProtoText<'a>(Result<Proto<'a>, DexError>);

impl fmt::Display for ProtoText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Ok(p) => p.fmt(f),
            Err(_) => f.write_str("(?)?"),
        }
    }
}

impl fmt::Debug for MethodRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MethodRef({self})")
    }
}

/// Writes `Lclass;->name(params)ret`, as smali does (`(?)?` for a
/// prototype that does not resolve).
impl fmt::Display for MethodRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}->{}{}",
            mutf8::decode(self.class),
            mutf8::decode(self.name),
            ProtoText(self.proto())
        )
    }
}

/// See: <https://source.android.com/docs/core/runtime/dex-format#method-id-item>
#[inline]
pub(super) fn method_ref<'a>(
    pools: &Pools<'a>,
    proto_ids: &'a [u8],
    method_ids: &'a [u8],
    idx: MethodIdx,
) -> Result<MethodRef<'a>, DexError> {
    let at = entry(method_ids, 8, idx.0, "method")?;
    let bad = || DexError::BadIndex {
        kind: "method",
        index: idx.0,
        len: 0,
    };
    let class_idx = TypeIdx(u32::from(u16_at(method_ids, at).map_err(|_| bad())?));
    let proto_idx = ProtoIdx(u32::from(u16_at(method_ids, at + 2).map_err(|_| bad())?));
    let name_idx = StringIdx(u32_at(method_ids, at + 4).map_err(|_| bad())?);
    Ok(MethodRef {
        class_idx,
        proto_idx,
        name_idx,
        class: pools.type_descriptor(class_idx)?,
        name: pools.string(name_idx)?,
        pools: *pools,
        proto_ids,
    })
}

/// A resolved `field_id_item`.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#field-id-item>
#[derive(Clone, Copy)]
pub struct FieldRef<'a> {
    /// `class_idx`.
    pub class_idx: TypeIdx,
    /// `type_idx`.
    pub type_idx: TypeIdx,
    /// `name_idx`.
    pub name_idx: StringIdx,
    /// Descriptor of the defining class, e.g. `Landroid/os/Build;`.
    pub class: &'a [u8],
    /// Field name (MUTF-8), e.g. `SERIAL`.
    pub name: &'a [u8],
    /// Descriptor of the field's type, e.g. `Ljava/lang/String;`.
    pub field_type: &'a [u8],
}

impl fmt::Debug for FieldRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldRef({self})")
    }
}

/// Writes `Lclass;->name:Ltype;`, as smali does.
impl fmt::Display for FieldRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}->{}:{}",
            mutf8::decode(self.class),
            mutf8::decode(self.name),
            mutf8::decode(self.field_type)
        )
    }
}

/// See: <https://source.android.com/docs/core/runtime/dex-format#field-id-item>
pub(super) fn field_ref<'a>(
    pools: &Pools<'a>,
    field_ids: &'a [u8],
    idx: FieldIdx,
) -> Result<FieldRef<'a>, DexError> {
    let at = entry(field_ids, 8, idx.0, "field")?;
    let bad = || DexError::BadIndex {
        kind: "field",
        index: idx.0,
        len: 0,
    };
    let class_idx = TypeIdx(u32::from(u16_at(field_ids, at).map_err(|_| bad())?));
    let type_idx = TypeIdx(u32::from(u16_at(field_ids, at + 2).map_err(|_| bad())?));
    let name_idx = StringIdx(u32_at(field_ids, at + 4).map_err(|_| bad())?);
    Ok(FieldRef {
        class_idx,
        type_idx,
        name_idx,
        class: pools.type_descriptor(class_idx)?,
        name: pools.string(name_idx)?,
        field_type: pools.type_descriptor(type_idx)?,
    })
}
