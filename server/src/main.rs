//! `ancrage`: the one command of the product. It only wires the libraries
//! (DSN reader, engine, reference data, stores, web app) to the command line.

mod api_v1;
mod cache;
mod cli;
mod ingest;
mod publish;
mod web;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    cli::init_logs(args.verbose);
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ancrage: {e:#}");
            std::process::ExitCode::from(1)
        }
    }
}
