//! The `humiao` binary: parse flags, run, map the outcome to an exit code.
use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(humiao::cli::run(std::env::args_os()))
}
