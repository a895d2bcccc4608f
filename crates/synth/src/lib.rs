//! Synthetic DSN: a simulated territory written as real-format declarations.
//!
//! [`generate`] simulates a few employment basins month by month (see
//! [`sim`]), writes what each establishment would have declared as DSN
//! files (through `ancrage-dsn`'s writer), plus `truth.csv` (the latent
//! traits planted in each establishment), `sirene.csv` (a SIRENE-format
//! extract), `manifest.json` (every injected anomaly) and `config.toml`.
//! Same configuration and seed → same bytes. See `docs/synth.md`.

pub mod config;
pub mod emit;
pub mod ids;
pub mod outputs;
pub mod report;
mod rng;
pub mod sector;
pub mod setup;
pub mod sim;
pub mod stats;
pub mod territory;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

pub use config::SynthConfig;
pub use report::{calibration_report, Report, ReportRow};
pub use setup::{Kind, Traits};
pub use stats::{BasinStats, EstabStats};
pub use territory::{default_naf_mix, CommuneInput, NafInput, Territory};

/// Errors of a synthetic run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("synth config: {0}")]
    Config(String),
    #[error("synth output: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// What happened to one establishment (observable outcomes next to its traits).
#[derive(Clone, Debug, Serialize)]
pub struct EstabOutcome {
    pub siret: String,
    pub basin: String,
    pub naf: String,
    pub section: char,
    pub kind: Kind,
    pub traits: Traits,
    pub engagement: f64,
    pub stats: EstabStats,
}

/// Result of [`generate`].
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub basins: Vec<String>,
    pub establishments: usize,
    pub persons: u64,
    pub months: u32,
    /// Contract-months written in monthly declarations.
    pub contract_months: u64,
    pub files: u64,
    pub bytes: u64,
    pub declarations: u64,
    pub monthly_declarations: u64,
    pub fctu_signalements: u64,
    pub arret_signalements: u64,
    pub anomalies: BTreeMap<String, u64>,
    pub seconds: f64,
    /// Counters merged over basins (input of the calibration report).
    #[serde(skip)]
    pub stats: BasinStats,
    #[serde(skip)]
    pub outcomes: Vec<EstabOutcome>,
}

/// Generate with the default NAF mix ([`default_naf_mix`]).
///
/// `progress` is called from the calling thread, about ten times a second,
/// with the number of contract-months written so far.
pub fn generate(
    cfg: &SynthConfig,
    territory: &Territory,
    out: &Path,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    generate_with_naf(cfg, territory, &default_naf_mix(), out, progress)
}

/// Generate with an explicit NAF sous-classe mix.
pub fn generate_with_naf(
    cfg: &SynthConfig,
    territory: &Territory,
    naf: &[NafInput],
    out: &Path,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    let t0 = Instant::now();
    cfg.validate()?;
    let start = cfg.start_month()?;
    let months = cfg.years * 12;
    let basins = setup::choose_basins(cfg, territory)?;
    let estabs = setup::build_establishments(cfg, territory, &basins, naf, months)?;
    let codes: Vec<String> = basins.iter().map(|b| b.code.clone()).collect();
    std::fs::create_dir_all(out)?;

    let counter = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let results: Vec<Result<(BasinStats, emit::EmitTotals, u64)>> = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let r = (0..basins.len())
                .into_par_iter()
                .map(|b| run_basin(cfg, territory, &estabs, b, &codes[b], start, out, &counter))
                .collect();
            done.store(true, Ordering::Release);
            r
        });
        let mut last = u64::MAX;
        while !done.load(Ordering::Acquire) {
            let v = counter.load(Ordering::Relaxed);
            if v != last {
                progress(v);
                last = v;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        worker.join().expect("synth worker panicked")
    });
    progress(counter.load(Ordering::Relaxed));

    let mut stats = BasinStats::new(0);
    let mut totals = emit::EmitTotals::default();
    let mut persons = 0;
    let mut outcomes: Vec<EstabOutcome> = Vec::with_capacity(estabs.len());
    for (b, r) in results.into_iter().enumerate() {
        let (st, t, p) = r?;
        stats.merge_global(&st);
        let members = estabs.iter().filter(|e| e.basin == b);
        for (e, es) in members.zip(st.estabs) {
            outcomes.push(EstabOutcome {
                siret: e.siret.clone(),
                basin: codes[b].clone(),
                naf: e.naf.clone(),
                section: e.section,
                kind: e.kind,
                traits: e.traits,
                engagement: e.engagement,
                stats: es,
            });
        }
        persons += p;
        totals.files += t.files;
        totals.bytes += t.bytes;
        totals.declarations += t.declarations;
        totals.monthly += t.monthly;
        totals.fctu += t.fctu;
        totals.arret_signals += t.arret_signals;
        totals.contract_months += t.contract_months;
        totals.anomalies.extend(t.anomalies);
    }
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for a in &totals.anomalies {
        *counts.entry(a.kind).or_default() += 1;
    }
    std::fs::write(out.join("truth.csv"), outputs::truth_csv(&estabs, &codes))?;
    std::fs::write(
        out.join("sirene.csv"),
        outputs::sirene_csv(&estabs, territory, cfg.years),
    )?;
    std::fs::write(out.join("config.toml"), cfg.to_toml())?;
    let manifest = outputs::Manifest {
        generator: concat!("ancrage-synth ", env!("CARGO_PKG_VERSION")),
        seed: cfg.seed,
        start: &cfg.start,
        months,
        basins: &codes,
        establishments: estabs.len(),
        files: totals.files,
        bytes: totals.bytes,
        declarations: totals.declarations,
        nir_rule: outputs::NIR_RULE,
        injected_errors: totals
            .anomalies
            .iter()
            .filter(|a| a.kind == "malformed_line")
            .collect(),
        anomaly_counts: counts.clone(),
        anomalies: &totals.anomalies,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Config(e.to_string()))?;
    std::fs::write(out.join("manifest.json"), json)?;

    Ok(Summary {
        basins: codes,
        establishments: estabs.len(),
        persons,
        months,
        contract_months: totals.contract_months,
        files: totals.files,
        bytes: totals.bytes,
        declarations: totals.declarations,
        monthly_declarations: totals.monthly,
        fctu_signalements: totals.fctu,
        arret_signalements: totals.arret_signals,
        anomalies: counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        seconds: t0.elapsed().as_secs_f64(),
        stats,
        outcomes,
    })
}

/// Write the DSN files of basin `basin` only (0-based, in the order
/// [`generate`] uses), exactly as [`generate`] writes them, and nothing else
/// (no truth, SIRENE extract or manifest). Basins are simulated
/// independently, so a run too large for the disk can be generated and
/// ingested one basin at a time. Returns (contract-months, files, bytes).
pub fn generate_basin(
    cfg: &SynthConfig,
    territory: &Territory,
    basin: usize,
    out: &Path,
) -> Result<(u64, u64, u64)> {
    cfg.validate()?;
    let start = cfg.start_month()?;
    let basins = setup::choose_basins(cfg, territory)?;
    let estabs =
        setup::build_establishments(cfg, territory, &basins, &default_naf_mix(), cfg.years * 12)?;
    let Some(code) = basins.get(basin).map(|b| b.code.clone()) else {
        return Err(Error::Config(format!(
            "basin {basin} out of range (0–{})",
            basins.len().saturating_sub(1)
        )));
    };
    std::fs::create_dir_all(out)?;
    let counter = AtomicU64::new(0);
    let (_, t, _) = run_basin(cfg, territory, &estabs, basin, &code, start, out, &counter)?;
    Ok((t.contract_months, t.files, t.bytes))
}

#[allow(clippy::too_many_arguments)]
fn run_basin(
    cfg: &SynthConfig,
    territory: &Territory,
    estabs: &[setup::Estab],
    basin: usize,
    code: &str,
    start: (i32, u32),
    out: &Path,
    counter: &AtomicU64,
) -> Result<(BasinStats, emit::EmitTotals, u64)> {
    let rng = rng::stream(cfg.seed, 0xBA51, basin as u64);
    let n_basins = estabs.iter().map(|e| e.basin + 1).max().unwrap_or(1);
    let mut world = sim::World::new(cfg, estabs, basin, n_basins, start, rng);
    world.init();
    let mut em = emit::Emitter::new(out, basin, code, territory, cfg.seed, &cfg.output);
    let mut written = 0;
    for m in 0..world.months {
        world.step(m);
        world.snapshot(m);
        em.month(&world, m)?;
        world.cleanup(m);
        let now = em.contract_months();
        counter.fetch_add(now - written, Ordering::Relaxed);
        written = now;
    }
    world.finish();
    let persons = world.persons.len() as u64;
    Ok((world.stats, em.totals(), persons))
}
