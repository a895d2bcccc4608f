//! Command-line parsing and dispatch. Each subcommand family has its module.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Ancrage: employers that hire inclusively and keep people, from DSN.
#[derive(Debug, Parser)]
#[command(name = "ancrage", version, about)]
pub struct Cli {
    /// Published store (aggregates only): what `serve` reads.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/ancrage.db",
        global = true
    )]
    pub database_url: String,
    /// More log output (-v: debug, -vv: trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the map and the API from the published store.
    Serve(ServeArgs),
    /// Read DSN files or directories, compute the indicators and publish them.
    Ingest(IngestArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ANCRAGE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Directory holding the built site (pkg/, vendor/, favicon).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// DSN files or directories (searched recursively for .dsn, .txt and .gz files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Key file for pseudonymising identifiers (created with a random key if missing).
    #[arg(long, env = "ANCRAGE_KEY_FILE", default_value = "data/pseudonym.key")]
    pub key_file: PathBuf,
    /// Reference data directory (built by scripts/refdata-fetch.sh).
    #[arg(long, env = "ANCRAGE_REFDATA", default_value = "data/refdata")]
    pub refdata: PathBuf,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub fn init_logs(verbose: u8) {
    let default = match verbose {
        0 => "info,sqlx=warn",
        1 => "debug,sqlx=info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Serve(args) => rt.block_on(crate::web::serve(&cli.database_url, args))?,
        Command::Ingest(args) => {
            let report = rt.block_on(crate::ingest::run(&cli.database_url, &args))?;
            println!("{report}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
