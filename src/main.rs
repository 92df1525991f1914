use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = notesite::cli::Cli::parse();
    match notesite::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
