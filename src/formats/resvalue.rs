//! `Res_value`: the typed value shared by binary XML attributes and
//! resources.arsc entries.
//!
//! See `frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h`
//! (struct `Res_value`).

use serde::Serialize;

/// `Res_value::dataType` constants.
pub mod types {
    /// `TYPE_NULL`: no value (data 0 = undefined, 1 = empty).
    pub const NULL: u8 = 0x00;
    /// `TYPE_REFERENCE`: `@` reference to a resource id.
    pub const REFERENCE: u8 = 0x01;
    /// `TYPE_ATTRIBUTE`: `?` reference to a theme attribute.
    pub const ATTRIBUTE: u8 = 0x02;
    /// `TYPE_STRING`: index into the string pool.
    pub const STRING: u8 = 0x03;
    /// `TYPE_FLOAT`: IEEE-754 single.
    pub const FLOAT: u8 = 0x04;
    /// `TYPE_DIMENSION`: complex dimension.
    pub const DIMENSION: u8 = 0x05;
    /// `TYPE_FRACTION`: complex fraction.
    pub const FRACTION: u8 = 0x06;
    /// `TYPE_DYNAMIC_REFERENCE`: reference resolved through the dynamic ref table.
    pub const DYNAMIC_REFERENCE: u8 = 0x07;
    /// `TYPE_DYNAMIC_ATTRIBUTE`.
    pub const DYNAMIC_ATTRIBUTE: u8 = 0x08;
    /// `TYPE_INT_DEC`: decimal integer.
    pub const INT_DEC: u8 = 0x10;
    /// `TYPE_INT_HEX`: hexadecimal integer.
    pub const INT_HEX: u8 = 0x11;
    /// `TYPE_INT_BOOLEAN`: 0 = false, anything else = true.
    pub const INT_BOOLEAN: u8 = 0x12;
    /// `TYPE_INT_COLOR_ARGB8` (first colour type).
    pub const INT_COLOR_ARGB8: u8 = 0x1c;
    /// `TYPE_INT_COLOR_RGB8`.
    pub const INT_COLOR_RGB8: u8 = 0x1d;
    /// `TYPE_INT_COLOR_ARGB4`.
    pub const INT_COLOR_ARGB4: u8 = 0x1e;
    /// `TYPE_INT_COLOR_RGB4` (last colour type).
    pub const INT_COLOR_RGB4: u8 = 0x1f;
}

/// A raw typed value: `dataType` and its 32-bit `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ResValue {
    /// `Res_value::dataType`.
    pub data_type: u8,
    /// `Res_value::data`.
    pub data: u32,
}

impl ResValue {
    /// Whether the value is a boolean `true` (aapt treats any non-zero
    /// integer-like data as true when a boolean is expected).
    pub fn as_bool(&self) -> Option<bool> {
        match self.data_type {
            types::INT_BOOLEAN | types::INT_DEC | types::INT_HEX => Some(self.data != 0),
            _ => None,
        }
    }

    /// Integer value, if the type is an integer type.
    pub fn as_int(&self) -> Option<i64> {
        match self.data_type {
            types::INT_DEC | types::INT_HEX => Some(i64::from(self.data as i32)),
            types::INT_BOOLEAN => Some(i64::from(self.data != 0)),
            _ => None,
        }
    }

    /// Resource id, if this is a (possibly dynamic) reference.
    pub fn as_reference(&self) -> Option<u32> {
        match self.data_type {
            types::REFERENCE | types::DYNAMIC_REFERENCE => Some(self.data),
            _ => None,
        }
    }

    /// Decodes a complex dimension/fraction value as Android's
    /// `TypedValue.complexToFloat` does.
    pub fn complex_to_float(data: u32) -> f32 {
        const RADIX_MULTS: [f32; 4] = [
            1.0 / (1u32 << 8) as f32,
            1.0 / (1u32 << 15) as f32,
            1.0 / (1u32 << 23) as f32,
            1.0 / (1u32 << 31) as f32,
        ];
        let mantissa = (data & 0xffff_ff00) as i32 as f32;
        let radix = ((data >> 4) & 0x3) as usize;
        mantissa * RADIX_MULTS.get(radix).copied().unwrap_or(0.0)
    }
}
