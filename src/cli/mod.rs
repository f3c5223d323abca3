//! Command-line front end: flag definitions, output streams and the
//! exit-code policy.
//!
//! * stdout carries the report only; errors and warnings go to stderr as one
//!   line each: `error: PATH: cause`.
//! * Exit codes: 0 = success; 2 = error (bad input, partly unreadable input,
//!   invalid rulesets, internal error). Findings (exit 1) arrive with the
//!   rules stage. A closed pipe ends the program quietly with 0.

mod catalogue;
mod scan;
mod sdks;
mod xml;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for errors.
pub const EXIT_ERROR: u8 = 2;

/// 护苗 humiao: tells whether an Android app handles children's personal
/// information lawfully, from the APK alone.
#[derive(Debug, Parser)]
#[command(name = "humiao", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan an APK, XAPK, APKS or a directory of split APKs and report the evidence.
    Scan(scan::ScanArgs),
    /// List the third-party SDKs inside an app (table, JSON, or CSV for a 第三方SDK共享清单).
    Sdks(sdks::SdksArgs),
    /// Print the SDK catalogue (rulesets/sdks): who, what for, which signatures.
    Catalogue(catalogue::CatalogueArgs),
    /// Decode a binary XML file inside an APK, like `aapt dump xmltree`.
    Xml(xml::XmlArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable summary tables.
    Table,
    /// The full evidence as JSON (schema in docs/evidence.md).
    Json,
}

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl Color {
    /// Resolves `auto` against the environment.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

/// Options shared by commands that read inputs.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Largest uncompressed zip entry to read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1u64 << 31)]
    pub max_entry_size: u64,
    /// Most entries a zip may hold.
    #[arg(long, value_name = "N", default_value_t = 500_000)]
    pub max_entries: usize,
    /// Most bytes of DEX code inflated per input; DEX beyond it is reported as not analysed.
    #[arg(long, value_name = "BYTES", default_value_t = 4u64 << 30)]
    pub max_code_bytes: u64,
    /// Seconds one input may take (0 = no limit). DEX files not started by
    /// then are reported as not analysed; a scan stuck past 1.5 times the
    /// limit is abandoned with an error.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub time_limit: u64,
}

impl InputArgs {
    /// Container limits from the flags.
    pub fn limits(&self) -> crate::apk::Limits {
        crate::apk::Limits {
            max_entry_size: self.max_entry_size,
            max_entries: self.max_entries,
            max_code_bytes: self.max_code_bytes,
            ..Default::default()
        }
    }

    /// The time limit, if any.
    pub fn time_limit(&self) -> Option<std::time::Duration> {
        (self.time_limit > 0).then(|| std::time::Duration::from_secs(self.time_limit))
    }
}

/// Why a watched scan produced nothing.
pub enum Watched {
    /// The scan ran to its end (successfully or not).
    Done(Box<Result<crate::evidence::Evidence, crate::scan::ScanError>>),
    /// The watchdog gave up waiting.
    Abandoned(std::time::Duration),
}

/// Runs a scan on a worker thread and waits at most 1.5 times the time
/// limit (plus a second): past that the scan is stuck inside one parser,
/// and the caller reports a time-limit error while the process exits
/// around the abandoned thread.
pub fn scan_watched(path: &std::path::Path, opts: &crate::scan::ScanOptions) -> Watched {
    let Some(limit) = opts.time_limit else {
        return Watched::Done(Box::new(crate::scan::scan_path(path, opts)));
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (p, o) = (path.to_path_buf(), opts.clone());
    let spawned = std::thread::Builder::new()
        .name("scan".into())
        .spawn(move || {
            let _ = tx.send(crate::scan::scan_path(&p, &o));
        });
    if spawned.is_err() {
        return Watched::Done(Box::new(crate::scan::scan_path(path, opts)));
    }
    let wait = limit + limit / 2 + std::time::Duration::from_secs(1);
    match rx.recv_timeout(wait) {
        Ok(r) => Watched::Done(Box::new(r)),
        // A panic in the worker drops the sender: re-raise it here so the
        // top-level handler reports it as an internal error.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("scan thread ended without a result")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Watched::Abandoned(wait),
    }
}

/// Prints `error: msg` on stderr.
pub fn print_error(msg: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "error: {msg}");
}

/// Writes to stdout; a closed pipe is not an error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// Path shown in messages: as the user typed it.
pub fn shown(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// Parses `args` and runs the command; returns the exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Scan(a) => scan::run(&a),
        Command::Sdks(a) => sdks::run(&a),
        Command::Catalogue(a) => catalogue::run(&a),
        Command::Xml(a) => xml::run(&a),
    });
    match result {
        Ok(code) => code,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            print_error(format!(
                "internal error (a bug, please report it with the input): {msg}"
            ));
            EXIT_ERROR
        }
    }
}

/// A path argument.
pub type PathArg = PathBuf;
