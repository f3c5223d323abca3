//! `class_def_item` and `class_data_item`.

use super::{Dex, DexError, FieldIdx, MethodIdx, StringIdx, TypeIdx, NO_INDEX};
use crate::formats::read::{u32_at, OutOfBounds, Reader};

/// `uleb128` with a fast path for the one-byte values that make up most of
/// a `class_data_item`.
#[inline]
fn uleb(r: &mut Reader<'_>) -> Result<u32, OutOfBounds> {
    match r.data().get(r.pos()) {
        Some(&b) if b < 0x80 => {
            r.seek(r.pos() + 1);
            Ok(u32::from(b))
        }
        _ => r.uleb128(),
    }
}

/// Size of a `class_def_item`.
const CLASS_DEF_SIZE: usize = 32;

/// One class definition, with its decoded class data.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#class-def-item>
#[derive(Debug, Clone)]
pub struct ClassDef<'a> {
    /// Position in `class_defs`.
    pub index: u32,
    /// File offset of the `class_def_item`.
    pub offset: u32,
    /// `class_idx`.
    pub class_idx: TypeIdx,
    /// The class descriptor, e.g. `Lcom/example/kidsdemo/MainActivity;`.
    pub descriptor: &'a [u8],
    /// `access_flags` (`ACC_PUBLIC` = 0x1, `ACC_INTERFACE` = 0x200, …).
    pub access_flags: u32,
    /// `superclass_idx`; `None` for `NO_INDEX` (only `java.lang.Object`).
    pub superclass_idx: Option<TypeIdx>,
    /// `interfaces_off` (a `type_list`, 0 if none).
    pub interfaces_off: u32,
    /// `source_file_idx`; `None` for `NO_INDEX`.
    pub source_file_idx: Option<StringIdx>,
    /// `annotations_off`.
    pub annotations_off: u32,
    /// `class_data_off`.
    pub class_data_off: u32,
    /// `static_values_off`.
    pub static_values_off: u32,
    /// The decoded `class_data_item`; `None` when `class_data_off` is 0
    /// (a marker interface, or a class with no fields and no methods).
    pub class_data: Option<ClassData<'a>>,
}

impl<'a> ClassDef<'a> {
    /// Every method, direct ones first, as stored.
    pub fn methods(&self) -> EncodedMethods<'a> {
        match &self.class_data {
            Some(cd) => cd.methods(),
            None => EncodedMethods::empty(),
        }
    }

    /// Every field, static ones first, as stored.
    pub fn fields(&self) -> EncodedFields<'a> {
        match &self.class_data {
            Some(cd) => cd.fields(),
            None => EncodedFields::empty(),
        }
    }
}

/// A `class_data_item`, validated: every entry decodes inside the file and
/// no index overflows, so its iterators cannot fail.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#class-data-item>
#[derive(Debug, Clone, Copy)]
pub struct ClassData<'a> {
    /// File offset of the item.
    pub offset: u32,
    /// `static_fields_size`.
    pub static_fields_size: u32,
    /// `instance_fields_size`.
    pub instance_fields_size: u32,
    /// `direct_methods_size`.
    pub direct_methods_size: u32,
    /// `virtual_methods_size`.
    pub virtual_methods_size: u32,
    data: &'a [u8],
    fields_pos: usize,
    methods_pos: usize,
}

impl<'a> ClassData<'a> {
    /// Static then instance fields.
    pub fn fields(&self) -> EncodedFields<'a> {
        EncodedFields(Lists::new(
            Reader::at(self.data, self.fields_pos),
            self.static_fields_size,
            self.instance_fields_size,
        ))
    }

    /// Direct then virtual methods.
    pub fn methods(&self) -> EncodedMethods<'a> {
        EncodedMethods(Lists::new(
            Reader::at(self.data, self.methods_pos),
            self.direct_methods_size,
            self.virtual_methods_size,
        ))
    }
}

/// Whether a field is static or an instance field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// From `static_fields`.
    Static,
    /// From `instance_fields`.
    Instance,
}

/// Whether a method is direct (static, private or constructor) or virtual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodKind {
    /// From `direct_methods`.
    Direct,
    /// From `virtual_methods`.
    Virtual,
}

/// An `encoded_field`, with its index difference resolved.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#encoded-field-format>
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedField {
    /// The field (`field_idx_diff` accumulated).
    pub field: FieldIdx,
    /// `access_flags`.
    pub access_flags: u32,
    /// Static or instance.
    pub kind: FieldKind,
}

/// An `encoded_method`, with its index difference resolved.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#encoded-method>
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedMethod {
    /// The method (`method_idx_diff` accumulated).
    pub method: MethodIdx,
    /// `access_flags` (`ACC_NATIVE` = 0x100, `ACC_ABSTRACT` = 0x400, …).
    pub access_flags: u32,
    /// `code_off`: offset of the `code_item`, 0 for abstract and native
    /// methods.
    pub code_off: u32,
    /// Direct or virtual.
    pub kind: MethodKind,
}

/// A cursor over two consecutive lists of `encoded_field` or
/// `encoded_method` whose index differences restart with each list.
#[derive(Debug, Clone)]
struct Lists<'a> {
    r: Reader<'a>,
    first: u32,
    total: u32,
    done: u32,
    idx: u32,
}

impl<'a> Lists<'a> {
    fn new(r: Reader<'a>, first: u32, second: u32) -> Self {
        Lists {
            r,
            first,
            total: first.saturating_add(second),
            done: 0,
            idx: 0,
        }
    }

    fn empty() -> Self {
        Lists {
            r: Reader::new(&[]),
            first: 0,
            total: 0,
            done: 0,
            idx: 0,
        }
    }

    /// Reads the next index difference: returns the index and whether the
    /// entry is in the first list.
    fn next_idx(&mut self) -> Option<(u32, bool)> {
        if self.done >= self.total {
            return None;
        }
        if self.done == 0 || self.done == self.first {
            self.idx = 0;
        }
        let in_first = self.done < self.first;
        let diff = uleb(&mut self.r).ok()?;
        self.idx = self.idx.checked_add(diff)?;
        self.done += 1;
        Some((self.idx, in_first))
    }

    fn left(&self) -> usize {
        self.total.saturating_sub(self.done) as usize
    }
}

/// Iterator over a class's fields (static first).
#[derive(Debug, Clone)]
pub struct EncodedFields<'a>(Lists<'a>);

impl EncodedFields<'_> {
    fn empty() -> Self {
        EncodedFields(Lists::empty())
    }
}

impl Iterator for EncodedFields<'_> {
    type Item = EncodedField;

    fn next(&mut self) -> Option<EncodedField> {
        let (idx, first) = self.0.next_idx()?;
        let access_flags = uleb(&mut self.0.r).ok()?;
        let kind = if first {
            FieldKind::Static
        } else {
            FieldKind::Instance
        };
        Some(EncodedField {
            field: FieldIdx(idx),
            access_flags,
            kind,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.0.left()))
    }
}

/// Iterator over a class's methods (direct first).
#[derive(Debug, Clone)]
pub struct EncodedMethods<'a>(Lists<'a>);

impl EncodedMethods<'_> {
    fn empty() -> Self {
        EncodedMethods(Lists::empty())
    }
}

impl Iterator for EncodedMethods<'_> {
    type Item = EncodedMethod;

    fn next(&mut self) -> Option<EncodedMethod> {
        let (idx, first) = self.0.next_idx()?;
        let access_flags = uleb(&mut self.0.r).ok()?;
        let code_off = uleb(&mut self.0.r).ok()?;
        let kind = if first {
            MethodKind::Direct
        } else {
            MethodKind::Virtual
        };
        Some(EncodedMethod {
            method: MethodIdx(idx),
            access_flags,
            code_off,
            kind,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.0.left()))
    }
}

/// Decodes and validates the `class_data_item` at `off`.
///
/// See: <https://source.android.com/docs/core/runtime/dex-format#class-data-item>
/// Decodes the `class_data_item` at `off`. Also returns how many bytes the
/// decoding read, error or not, so that the walk's budget counts the work
/// spent on items that turn out damaged (a damaged item shared by many
/// classes costs as much to reject as a good one to read).
fn class_data(data: &[u8], off: u32) -> (Result<ClassData<'_>, DexError>, u64) {
    if off as usize >= data.len() {
        let e = DexError::BadOffset {
            structure: "class_data_item",
            offset: off,
            len: data.len(),
        };
        return (Err(e), 0);
    }
    let mut r = Reader::at(data, off as usize);
    let result = decode_class_data(data, off, &mut r);
    let read = (r.pos() as u64).saturating_sub(u64::from(off));
    (result, read)
}

fn decode_class_data<'a>(
    data: &'a [u8],
    off: u32,
    r: &mut Reader<'a>,
) -> Result<ClassData<'a>, DexError> {
    let bad = |reason| DexError::BadClassData {
        offset: off,
        reason,
    };
    let mut head = [0u32; 4];
    for h in &mut head {
        *h = uleb(r).map_err(|_| bad("its sizes run past the end"))?;
    }
    let [sf, inf, dm, vm] = head;
    // An encoded_field takes at least 2 bytes, an encoded_method 3.
    let need = (u64::from(sf) + u64::from(inf)) * 2 + (u64::from(dm) + u64::from(vm)) * 3;
    if need > r.remaining() as u64 {
        return Err(bad(
            "declares more fields and methods than its bytes can hold",
        ));
    }
    let fields_pos = r.pos();
    for n in [sf, inf] {
        let mut idx = 0u32;
        for _ in 0..n {
            let diff = uleb(r).map_err(|_| bad("an encoded_field runs past the end"))?;
            uleb(r).map_err(|_| bad("an encoded_field runs past the end"))?;
            idx = idx
                .checked_add(diff)
                .ok_or(bad("a field index overflows 32 bits"))?;
        }
    }
    let methods_pos = r.pos();
    for n in [dm, vm] {
        let mut idx = 0u32;
        for _ in 0..n {
            let diff = uleb(r).map_err(|_| bad("an encoded_method runs past the end"))?;
            uleb(r).map_err(|_| bad("an encoded_method runs past the end"))?;
            uleb(r).map_err(|_| bad("an encoded_method runs past the end"))?;
            idx = idx
                .checked_add(diff)
                .ok_or(bad("a method index overflows 32 bits"))?;
        }
    }
    Ok(ClassData {
        offset: off,
        static_fields_size: sf,
        instance_fields_size: inf,
        direct_methods_size: dm,
        virtual_methods_size: vm,
        data,
        fields_pos,
        methods_pos,
    })
}

/// Iterator over a DEX's class definitions; see [`Dex::classes`].
///
/// Decoding is budgeted: class data decoded over the whole walk may not
/// exceed [`work_budget`] bytes, which only class definitions sharing
/// or overlapping their `class_data_item`s can reach (ART refuses those).
/// Past the budget the iterator yields one error and ends.
#[derive(Debug, Clone)]
pub struct Classes<'d, 'a> {
    dex: &'d Dex<'a>,
    next: u32,
    count: u32,
    budget: u64,
}

/// Bytes of class data or instructions one walk may decode: four times the
/// file plus 1 MiB. Each item is decoded once in a well-formed file, so only
/// items shared between many classes or methods (a decompression-bomb
/// pattern) reach it.
pub(super) fn work_budget(len: usize) -> u64 {
    (len as u64).saturating_mul(4).saturating_add(1 << 20)
}

impl<'d, 'a> Classes<'d, 'a> {
    pub(super) fn new(dex: &'d Dex<'a>) -> Self {
        Classes {
            dex,
            next: 0,
            count: (dex.class_defs.len() / CLASS_DEF_SIZE) as u32,
            budget: work_budget(dex.data().len()),
        }
    }
}

impl<'a> Iterator for Classes<'_, 'a> {
    type Item = Result<ClassDef<'a>, DexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let (class, used) = read_class(self.dex, index);
        // Every byte decoded counts, whether the item was good or damaged.
        match self.budget.checked_sub(used) {
            Some(left) => self.budget = left,
            None => {
                self.next = self.count;
                let offset = match &class {
                    Ok(c) => c.class_data_off,
                    Err(DexError::BadClassData { offset, .. }) => *offset,
                    Err(_) => 0,
                };
                return Some(Err(DexError::BadClassData {
                    offset,
                    reason: "class data decoded so far exceeds four times the file size (shared class_data_item); the remaining classes are skipped",
                }));
            }
        }
        Some(class)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.count.saturating_sub(self.next) as usize;
        (0, Some(n))
    }
}

/// See: <https://source.android.com/docs/core/runtime/dex-format#class-def-item>
/// The class definition at `index`, and how many bytes of class data were
/// decoded for it.
fn read_class<'a>(dex: &Dex<'a>, index: u32) -> (Result<ClassDef<'a>, DexError>, u64) {
    let mut used = 0;
    let class = read_class_def(dex, index, &mut used);
    (class, used)
}

fn read_class_def<'a>(dex: &Dex<'a>, index: u32, used: &mut u64) -> Result<ClassDef<'a>, DexError> {
    let table = dex.class_defs;
    let at = index as usize * CLASS_DEF_SIZE;
    let offset = dex.header.class_defs_off.wrapping_add(at as u32);
    let len = dex.data().len();
    let mut f = [0u32; 8];
    for (i, v) in f.iter_mut().enumerate() {
        *v = u32_at(table, at + i * 4).map_err(|_| DexError::BadOffset {
            structure: "class_def_item",
            offset,
            len,
        })?;
    }
    let [class_idx, access_flags, superclass_idx, interfaces_off, source_file_idx, annotations_off, class_data_off, static_values_off] =
        f;
    let class_idx = TypeIdx(class_idx);
    let descriptor = dex.type_descriptor(class_idx)?;
    let class_data = match class_data_off {
        0 => None,
        off => {
            let (cd, read) = class_data(dex.data(), off);
            *used = read;
            Some(cd?)
        }
    };
    Ok(ClassDef {
        index,
        offset,
        class_idx,
        descriptor,
        access_flags,
        superclass_idx: (superclass_idx != NO_INDEX).then_some(TypeIdx(superclass_idx)),
        interfaces_off,
        source_file_idx: (source_file_idx != NO_INDEX).then_some(StringIdx(source_file_idx)),
        annotations_off,
        class_data_off,
        static_values_off,
        class_data,
    })
}
