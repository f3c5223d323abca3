//! Placeholder: zip central directory reader.
