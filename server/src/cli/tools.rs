//! Admin tools: `dsn check`, `inspect`, `validate`, `refdata import`.
//!
//! `inspect` and `validate` read the engine's results that `ingest` keeps in
//! the private working store (`data/work/work.db`, table `scored`):
//! establishment-level figures before secrecy, not public.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ancrage_engine::{auc, spearman, weight_stability, ScoreConfig, ScoredEstablishment};
use anyhow::Context;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DsnCommand {
    /// Read DSN files and report encoding, structure, counts and diagnostics.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RefdataCommand {
    /// Import the official INSEE ZE2020 grid (or any grid of the same shape); it becomes the default.
    Import {
        /// Composition: INSEE workbook (header on row 6) or CSV `CODGEO,ZE2020,LIBZE2020`.
        #[arg(long)]
        composition: PathBuf,
        /// Polygons: GeoJSON keyed by zone code (`ZE2020`).
        #[arg(long)]
        polygons: PathBuf,
        /// Commune code history (`DEPCOM_HIST,DEPCOM`), to follow merged communes.
        #[arg(long)]
        history: Option<PathBuf>,
        #[arg(long, env = "ANCRAGE_REFDATA", default_value = "data/refdata")]
        refdata: PathBuf,
    },
}

/// `ancrage dsn check`: exit 0 when no file has a fatal error, 1 otherwise.
pub fn dsn(cmd: DsnCommand) -> anyhow::Result<ExitCode> {
    let DsnCommand::Check { files, json } = cmd;
    let reports = ancrage_dsn::check_files(&files);
    let mut out = std::io::stdout().lock();
    for r in &reports {
        if json {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        } else {
            write!(out, "{}", r.render_text())?;
        }
    }
    Ok(if reports.iter().any(|r| r.has_fatal()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One line of the working snapshot: the engine's output and where it was placed.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct WorkRecord {
    pub scored: ScoredEstablishment,
    pub commune: Option<String>,
    pub basin: Option<String>,
}

/// The engine's results of the last ingest, from the working store.
pub fn read_snapshot(work_dir: &Path) -> anyhow::Result<Vec<WorkRecord>> {
    let store = ancrage_work::WorkStore::open_existing(work_dir)?;
    store
        .scored()?
        .into_iter()
        .map(|(siret, json)| {
            serde_json::from_str(&json)
                .with_context(|| format!("{}: corrupt record for {siret}", store.path()))
        })
        .collect()
}

/// `ancrage inspect SIRET [--json]`: every figure of one establishment.
pub fn inspect(work_dir: &Path, siret: &str, json: bool) -> anyhow::Result<ExitCode> {
    let records = read_snapshot(work_dir)?;
    let Some(rec) = records.iter().find(|r| r.scored.indicators.siret == siret) else {
        eprintln!("ancrage: {siret}: no such establishment in the working store");
        return Ok(ExitCode::from(1));
    };
    let s = &rec.scored;
    let mut v = serde_json::to_value(&s.indicators)?;
    let obj = v
        .as_object_mut()
        .expect("indicators serialise to an object");
    obj.insert("score".into(), serde_json::json!(s.score));
    obj.insert("band".into(), serde_json::json!(s.band.code()));
    obj.insert("calculable".into(), serde_json::json!(s.calculable));
    obj.insert("peer_group".into(), serde_json::json!(s.peer_group));
    obj.insert("components".into(), serde_json::to_value(&s.components)?);
    obj.insert("commune".into(), serde_json::json!(rec.commune));
    obj.insert("basin".into(), serde_json::json!(rec.basin));
    if json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for (k, val) in obj.iter().filter(|(k, _)| *k != "components") {
            println!("{k:24} {val}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ancrage validate --truth truth.csv`: how well the score finds the planted engagement.
pub fn validate(work_dir: &Path, truth: &Path, min_hires: u32) -> anyhow::Result<ExitCode> {
    let scored: Vec<ScoredEstablishment> = read_snapshot(work_dir)?
        .into_iter()
        .map(|r| r.scored)
        .collect();
    let planted = read_truth(truth)?;
    let pairs: Vec<(f64, f64)> = scored
        .iter()
        .filter(|s| s.calculable && s.indicators.hires >= min_hires)
        .filter_map(|s| Some((s.score?, *planted.get(&s.indicators.siret)?)))
        .collect();
    anyhow::ensure!(
        pairs.len() >= 8,
        "only {} calculable establishments with ≥ {min_hires} hires match the truth file",
        pairs.len()
    );
    let mut engagement: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    engagement.sort_by(f64::total_cmp);
    let q3 = engagement[(engagement.len() * 3) / 4];
    let pos: Vec<f64> = pairs.iter().filter(|p| p.1 >= q3).map(|p| p.0).collect();
    let neg: Vec<f64> = pairs.iter().filter(|p| p.1 < q3).map(|p| p.0).collect();
    let a = auc(&pos, &neg);
    let rho = spearman(
        &pairs.iter().map(|p| p.0).collect::<Vec<_>>(),
        &pairs.iter().map(|p| p.1).collect::<Vec<_>>(),
    );
    let indicators: Vec<_> = scored.iter().map(|s| s.indicators.clone()).collect();
    let stability = weight_stability(&indicators, &ScoreConfig::default(), min_hires);
    println!(
        "établissements évalués (calculables, ≥ {min_hires} embauches) : {}",
        pairs.len()
    );
    println!("AUC (quart supérieur de l'engagement planté) : {a:.3}");
    println!("rho de Spearman : {rho:.3}");
    println!(
        "stabilité des catégories (poids ±20 %) : {:.1} % en moyenne, {:.1} % au pire changent de catégorie",
        stability.mean * 100.0,
        stability.max * 100.0
    );
    for p in &stability.perturbations {
        println!(
            "  {:28} ×{:.1} : {:.1} %",
            p.weight,
            p.factor,
            p.changed_share * 100.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `siret → engagement` from a synthetic run's `truth.csv`.
fn read_truth(path: &Path) -> anyhow::Result<HashMap<String, f64>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{}: no `{name}` column", path.display()))
    };
    let (si, ei) = (col("siret")?, col("engagement")?);
    let mut out = HashMap::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let (Some(s), Some(e)) = (f.get(si), f.get(ei)) else {
            anyhow::bail!("{}:{}: missing fields", path.display(), i + 2);
        };
        let e: f64 = e
            .parse()
            .with_context(|| format!("{}:{}: bad engagement `{e}`", path.display(), i + 2))?;
        out.insert(s.to_string(), e);
    }
    Ok(out)
}

/// `ancrage refdata import`.
pub fn refdata(cmd: RefdataCommand) -> anyhow::Result<ExitCode> {
    let RefdataCommand::Import {
        composition,
        polygons,
        history,
        refdata,
    } = cmd;
    let registry = ancrage_refdata::Refdata::load(&refdata).ok();
    let (grid, report) = ancrage_refdata::import_ze2020(
        &refdata,
        &composition,
        &polygons,
        history.as_deref(),
        registry.as_ref(),
    )?;
    println!(
        "grille « {} » importée : {} unités ({} avec contour), {} communes dans la composition, {} ajoutées par l'historique des codes",
        grid.label,
        report.units,
        report.units_with_polygon,
        report.composition_communes,
        report.added_from_history
    );
    println!("Elle devient la grille par défaut ; relancez `ancrage ingest` pour republier.");
    Ok(ExitCode::SUCCESS)
}
