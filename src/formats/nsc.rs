//! Placeholder: network security config decoding.
