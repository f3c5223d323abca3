//! `humiao xml`: decode one binary XML entry of an APK, in the text form of
//! `aapt dump xmltree`.

use std::path::PathBuf;

use super::{print_error, shown, write_stdout, InputArgs, EXIT_ERROR, EXIT_OK};
use crate::apk::zip::Archive;
use crate::formats::axml;

/// Arguments of `humiao xml`.
#[derive(Debug, clap::Args)]
pub struct XmlArgs {
    /// The APK (for a bundle, the first APK, normally the base).
    #[arg(value_name = "APK")]
    pub input: PathBuf,
    /// Entry path inside the APK, e.g. AndroidManifest.xml or res/xml/network_security_config.xml.
    #[arg(value_name = "PATH")]
    pub entry: String,
    #[command(flatten)]
    pub input_args: InputArgs,
}

/// Runs `humiao xml`.
pub fn run(a: &XmlArgs) -> u8 {
    let path = shown(&a.input);
    let limits = a.input_args.limits();
    let container = match crate::apk::open(&a.input, &limits) {
        Ok(c) => c,
        Err(e) => {
            print_error(format!("{path}: {e}"));
            return EXIT_ERROR;
        }
    };
    let Some(apk) = container.apks.first() else {
        print_error(format!("{path}: no APK inside"));
        return EXIT_ERROR;
    };
    let archive = match Archive::parse(apk.bytes()) {
        Ok(p) => p.value,
        Err(e) => {
            print_error(format!("{path}: {e}"));
            return EXIT_ERROR;
        }
    };
    let Some(entry) = archive.find(&a.entry) else {
        print_error(format!("{path}: no entry `{}`", a.entry));
        return EXIT_ERROR;
    };
    let data = match archive.read(entry, limits.max_entry_size) {
        Ok(d) => d,
        Err(e) => {
            print_error(format!("{path}: {e}"));
            return EXIT_ERROR;
        }
    };
    match axml::parse(&data) {
        Ok(doc) => {
            if let Err(e) = write_stdout(&doc.value.to_xmltree()) {
                print_error(format!("writing output: {e}"));
                return EXIT_ERROR;
            }
            for an in &doc.anomalies {
                eprintln!("warning: {path}: {}: {} ({})", a.entry, an.detail, an.code);
            }
            EXIT_OK
        }
        Err(e) => {
            print_error(format!("{path}: {}: {e}", a.entry));
            EXIT_ERROR
        }
    }
}
