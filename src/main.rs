use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(humiao::cli::run())
}
