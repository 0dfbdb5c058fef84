//! `veil`: see `veil --help` and SPEC §2.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = veil_server::cli::Cli::parse();
    match veil_server::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("veil: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
