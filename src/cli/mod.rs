//! Command-line front end.

/// Runs the CLI; returns the process exit code.
pub fn run() -> u8 {
    0
}
