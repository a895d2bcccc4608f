//! `ancrage synth`: write a calibrated synthetic territory as real-format DSN.

use std::path::{Path, PathBuf};

use ancrage_refdata::Refdata;
use ancrage_synth::{calibration_report, CommuneInput, SynthConfig, Territory};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Named preset: demo, region or tiny (e2e is an alias of tiny).
    #[arg(long, default_value = "demo")]
    pub preset: String,
    /// TOML configuration (see docs/synth.md); overrides the preset.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Random seed (same seed and configuration → same bytes).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Basin codes to simulate (default: the most populated ones).
    #[arg(long, value_delimiter = ',')]
    pub basins: Vec<String>,
    /// Output directory (DSN files, truth.csv, sirene.csv, manifest.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Reference data: communes and basins of the simulated territory.
    #[arg(long, env = "ANCRAGE_REFDATA", default_value = "data/refdata")]
    pub refdata: PathBuf,
    /// Print the calibration report (target vs generated).
    #[arg(long)]
    pub report: bool,
    /// Write only this basin's DSN files (0-based), as the full run would;
    /// for runs too large for the disk, generated and ingested basin by basin.
    #[arg(long)]
    pub only_basin: Option<usize>,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The communes of the reference data, grouped by the default grid's basins.
pub fn territory_from_refdata(dir: &Path) -> anyhow::Result<Territory> {
    let rd = Refdata::load(dir).with_context(|| {
        format!(
            "reference data missing in {} (run scripts/refdata-fetch.sh)",
            dir.display()
        )
    })?;
    let grid = rd.default_grid()?;
    let communes = rd
        .communes()
        .iter()
        .filter_map(|c| {
            Some(CommuneInput {
                code: c.code.clone(),
                name: c.name.clone(),
                postcode: c.postcodes.first()?.clone(),
                population: c.population,
                lat: c.lat,
                lng: c.lng,
                basin: grid.unit_of(&c.code)?.to_string(),
            })
        })
        .collect();
    Ok(Territory { communes })
}

pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    let preset = if args.preset == "e2e" {
        "tiny"
    } else {
        &args.preset
    };
    let mut cfg = match &args.config {
        Some(path) => SynthConfig::from_toml(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )?,
        None => SynthConfig::preset(preset)?,
    };
    if let Some(seed) = args.seed {
        cfg.seed = seed;
    }
    if !args.basins.is_empty() {
        cfg.basins = args.basins.clone();
    }
    let territory = territory_from_refdata(&args.refdata)?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} mois-contrats écrits ({per_sec}) {elapsed}")
            .expect("valid template"),
    );
    if let Some(b) = args.only_basin {
        let (contract_months, files, bytes) =
            ancrage_synth::generate_basin(&cfg, &territory, b, &args.out)?;
        bar.finish_and_clear();
        println!(
            "bassin {b} : {contract_months} mois-contrats, {files} fichiers DSN ({:.1} Mo) → {}",
            bytes as f64 / 1e6,
            args.out.display()
        );
        return Ok(());
    }
    let summary = ancrage_synth::generate(&cfg, &territory, &args.out, &|n| bar.set_position(n))?;
    bar.finish_and_clear();
    println!(
        "{} établissements, {} personnes, {} fichiers DSN ({:.1} Mo), {} déclarations en {:.1} s → {}",
        summary.establishments,
        summary.persons,
        summary.files,
        summary.bytes as f64 / 1e6,
        summary.declarations,
        summary.seconds,
        args.out.display()
    );
    if args.report {
        println!("{}", calibration_report(&summary).render());
    }
    Ok(())
}
