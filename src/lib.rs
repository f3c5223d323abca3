//! 护苗 humiao: a static scanner that tells whether an Android app handles
//! children's personal information lawfully.
//!
//! Data flows one way: **container → formats → evidence → rules → report**.
//!
//! * [`apk`]: opens `.apk`, `.xapk`, `.apks` and split directories without
//!   trusting them; zip central directory, capped inflate, signing info.
//! * [`formats`]: pure parsers (binary XML, resources.arsc, network security
//!   config) that take bytes and return typed data plus anomalies.
//! * [`evidence`]: turns parsed data into the serializable [`evidence::Evidence`].
//! * [`scan`]: the pipeline for one input, used by the CLI.
//! * [`cli`]: command-line front end.
#![deny(missing_docs)]

pub mod apk;
pub mod catalog;
pub mod cli;
pub mod evidence;
pub mod formats;
pub mod scan;
