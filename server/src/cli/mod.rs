//! Command-line parsing and dispatch. Each subcommand family has its module.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod bench_data;
pub mod synth;
pub mod tools;

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
    /// Write a calibrated synthetic territory as real-format DSN.
    Synth(synth::SynthArgs),
    /// Synthetic territory (once) → ingest → serve: the public demo.
    Demo(DemoArgs),
    /// DSN file tools.
    #[command(subcommand)]
    Dsn(tools::DsnCommand),
    /// Every figure of one establishment, before secrecy (admin: reads the working store).
    Inspect {
        siret: String,
        #[arg(long)]
        json: bool,
        #[arg(long, env = "ANCRAGE_WORK_DIR", default_value = "data/work")]
        work_dir: PathBuf,
    },
    /// Score validation against a synthetic run's planted truth.
    Validate {
        #[arg(long)]
        truth: PathBuf,
        /// Establishments with at least this many hires are evaluated.
        #[arg(long, default_value_t = 10)]
        min_hires: u32,
        #[arg(long, env = "ANCRAGE_WORK_DIR", default_value = "data/work")]
        work_dir: PathBuf,
    },
    /// Reference data: import an official grid.
    #[command(subcommand)]
    Refdata(tools::RefdataCommand),
    /// Benchmarks only: publish N copies of a store's establishments spread over the grid.
    #[command(hide = true)]
    BenchData(bench_data::BenchDataArgs),
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Where the synthetic DSN and the demo's key live.
    #[arg(long, default_value = "data/demo")]
    pub dir: PathBuf,
    /// Regenerate the synthetic DSN even if present.
    #[arg(long)]
    pub regenerate: bool,
    /// Server options; `--refdata` also feeds the synthetic territory and the ingest.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ANCRAGE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Directory holding the built site (pkg/, vendor/, favicon).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Reference data (France outline and basin polygons for the map).
    #[arg(long, env = "ANCRAGE_REFDATA", default_value = "data/refdata")]
    pub refdata: PathBuf,
    /// Memory for cached answers of the read-only API queries, in MiB (0: no cache).
    #[arg(long, env = "ANCRAGE_CACHE_MB", default_value_t = 64)]
    pub cache_mb: usize,
    /// Optional raster tiles under the basins, as a Leaflet URL template
    /// (`https://…/{z}/{x}/{y}.png`); none by default (the map needs no tile server).
    #[arg(long, env = "ANCRAGE_TILE_URL")]
    pub tile_url: Option<String>,
    /// Attribution required by the tile provider, shown on the map.
    #[arg(long, env = "ANCRAGE_TILE_ATTRIBUTION", default_value = "")]
    pub tile_attribution: String,
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
    /// Optional SIRENE extract (StockEtablissement / geo-SIRENE CSV): names,
    /// addresses and exact points; non-diffusible units stay anonymous.
    #[arg(long, env = "ANCRAGE_SIRENE")]
    pub sirene: Option<PathBuf>,
    /// Private working directory: the working store `work.db` (pseudonymised
    /// observations of every file ingested so far, and the engine's results
    /// before secrecy, for `inspect` and `validate`). Never served.
    #[arg(long, env = "ANCRAGE_WORK_DIR", default_value = "data/work")]
    pub work_dir: PathBuf,
    /// Memory bound of the recompute: persons are processed in groups holding
    /// at most this many MiB of stored observations.
    #[arg(long, env = "ANCRAGE_PARTITION_MB", default_value_t = 128)]
    pub partition_mb: u64,
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
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // ANCRAGE_LOG_FORMAT=json: one JSON object a line (for a log collector).
    // Otherwise key=value lines, coloured only on a terminal.
    if std::env::var("ANCRAGE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        logs.with_ansi(ansi).init();
    }
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
        Command::Synth(args) => synth::run(&args)?,
        Command::Dsn(cmd) => return tools::dsn(cmd),
        Command::Inspect {
            siret,
            json,
            work_dir,
        } => return tools::inspect(&work_dir, &siret, json),
        Command::Validate {
            truth,
            min_hires,
            work_dir,
        } => return tools::validate(&work_dir, &truth, min_hires),
        Command::Refdata(cmd) => return tools::refdata(cmd),
        Command::BenchData(args) => rt.block_on(bench_data::run(&cli.database_url, &args))?,
        Command::Demo(args) => {
            let dsn = args.dir.join("dsn");
            if args.regenerate || !dsn.join("manifest.json").is_file() {
                // A new territory replaces the old one: its observations go too.
                let work = args.dir.join("work");
                if work.exists() {
                    std::fs::remove_dir_all(&work)?;
                }
                println!("Génération du territoire synthétique (préréglage demo)…");
                synth::run(&synth::SynthArgs {
                    preset: "demo".into(),
                    config: None,
                    seed: None,
                    basins: Vec::new(),
                    out: dsn.clone(),
                    refdata: args.serve.refdata.clone(),
                    report: false,
                    only_basin: None,
                    quiet: false,
                })?;
            }
            println!("Lecture des DSN et calcul des indicateurs…");
            let ingest = IngestArgs {
                paths: vec![dsn.clone()],
                key_file: args.dir.join("pseudonym.key"),
                refdata: args.serve.refdata.clone(),
                sirene: Some(dsn.join("sirene.csv")),
                work_dir: args.dir.join("work"),
                partition_mb: 128,
                quiet: false,
            };
            let report = rt.block_on(crate::ingest::run(&cli.database_url, &ingest))?;
            println!("{report}");
            rt.block_on(crate::web::serve(&cli.database_url, args.serve))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        // Catches duplicate argument ids across flattened structs, bad defaults…
        Cli::command().debug_assert();
    }

    #[test]
    fn demo_accepts_server_and_refdata_options() {
        let cli = Cli::try_parse_from([
            "ancrage",
            "demo",
            "--addr",
            "127.0.0.1:4000",
            "--refdata",
            "/tmp/rd",
        ])
        .unwrap();
        let Command::Demo(d) = cli.command else {
            panic!("not demo")
        };
        assert_eq!(d.serve.addr.port(), 4000);
        assert_eq!(d.serve.refdata, PathBuf::from("/tmp/rd"));
        assert_eq!(d.dir, PathBuf::from("data/demo"));
    }
}
