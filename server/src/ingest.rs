//! `ancrage ingest`: DSN files → working store → engine → published store.
//!
//! Files are hashed and read in parallel (rayon); each declaration is turned
//! into pseudonymised observations by the reader that read it, and flows
//! through a bounded channel to the single writer of the working store's
//! transaction. Bad input is reported with file and line and never stops the
//! valid declarations around it.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::Instant;

use ancrage_dsn::{DsnReader, Severity};
use ancrage_engine::{observe, DeclObs, IdKind, IngestStats, Pseudonymiser, ScoreConfig};
use ancrage_store::PublishedStore;
use ancrage_work::{Batch, WorkStore};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::cli::IngestArgs;
use crate::publish;

/// What an ingest did, printed at the end.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub files: usize,
    /// Read and added to the working store.
    pub files_new: usize,
    /// Already in the working store (same content), skipped.
    pub files_known: usize,
    pub files_failed: usize,
    /// Groups of persons the recompute went through.
    pub partitions: usize,
    pub declarations: u64,
    pub errors: usize,
    pub warnings: usize,
    pub establishments: usize,
    pub calculable: usize,
    pub located: usize,
}

impl fmt::Display for IngestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} fichier(s) lus ({} nouveaux, {} déjà connus, {} illisibles), {} déclarations, \
             {} erreurs, {} avertissements ; {} établissements publiés dont {} avec un score \
             calculable et {} localisés",
            self.files,
            self.files_new,
            self.files_known,
            self.files_failed,
            self.declarations,
            self.errors,
            self.warnings,
            self.establishments,
            self.calculable,
            self.located
        )
    }
}

/// Every DSN file under `paths` (files as given, directories recursively), sorted.
pub fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if is_dsn_name(&path) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            anyhow::bail!("{}: no such file or directory", p.display());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn is_dsn_name(p: &Path) -> bool {
    let name = p
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".dsn") || name.ends_with(".txt") || name.ends_with(".edi")
}

/// Read the pseudonymisation key, creating a random one (mode 0600) if absent.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(text) = fs::read_to_string(path) {
        let key = hex::decode(text.trim())
            .with_context(|| format!("{}: the key must be hexadecimal", path.display()))?;
        anyhow::ensure!(
            key.len() >= 16,
            "{}: key too short (16 bytes at least)",
            path.display()
        );
        return Ok(key);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let key: [u8; 32] = rand::random();
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    writeln!(f, "{}", hex::encode(key))?;
    tracing::info!("new pseudonymisation key written to {}", path.display());
    Ok(key.to_vec())
}

/// What identifies the pseudonymisation key in the working store: a keyed
/// hash of a constant (it reveals nothing of the key).
pub fn key_check(key: &[u8]) -> String {
    Pseudonymiser::new(key)
        .key(IdKind::Ntt, "ancrage working store key check")
        .to_string()
}

/// SHA-256 of a file's bytes, in hexadecimal: its identity in the working store.
pub fn content_hash(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex::encode(h.finalize()), bytes))
}

enum Message {
    Declaration(usize, Box<DeclObs>),
    FileDone {
        file: usize,
        hash: String,
        bytes: u64,
        stats: IngestStats,
        errors: usize,
        warnings: usize,
        outcome: Outcome,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Read,
    Known,
    Failed,
}

/// Read the new files among `files` into the working store's open batch.
/// Files are hashed and read in parallel; identifiers are pseudonymised by
/// the readers; one thread writes. Diagnostics are logged as they come.
pub fn read_into_store(
    files: &[PathBuf],
    ps: &Pseudonymiser,
    known: &HashSet<String>,
    batch: &mut Batch<'_>,
    progress: &ProgressBar,
    report: &mut IngestReport,
) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::sync_channel::<Message>(64);
    let claimed = Mutex::new(HashSet::new());
    std::thread::scope(|scope| {
        scope.spawn(move || {
            files
                .par_iter()
                .enumerate()
                .for_each_with(tx, |tx, (i, path)| {
                    let done = read_one(i, path, ps, known, &claimed, tx);
                    let _ = tx.send(done);
                });
        });
        let mut ids: HashMap<usize, i64> = HashMap::new();
        for msg in rx {
            match msg {
                Message::Declaration(file, d) => {
                    report.declarations += 1;
                    let id = *ids.entry(file).or_insert_with(|| batch.file_id());
                    batch.add_declaration(id, &d)?;
                }
                Message::FileDone {
                    file,
                    hash,
                    bytes,
                    stats,
                    errors,
                    warnings,
                    outcome,
                } => {
                    report.files += 1;
                    report.errors += errors;
                    report.warnings += warnings;
                    match outcome {
                        Outcome::Failed => report.files_failed += 1,
                        Outcome::Known => report.files_known += 1,
                        Outcome::Read => {
                            let id = *ids.entry(file).or_insert_with(|| batch.file_id());
                            let name = files[file].display().to_string();
                            batch.add_file(id, &hash, &name, bytes, &stats)?;
                        }
                    }
                    progress.inc(1);
                }
            }
        }
        Ok(())
    })
}

/// Hash one file; unless it is known (or a copy of another file of this
/// ingest), stream its declarations into `tx`; then return its summary.
fn read_one(
    file: usize,
    path: &Path,
    ps: &Pseudonymiser,
    known: &HashSet<String>,
    claimed: &Mutex<HashSet<String>>,
    tx: &mpsc::SyncSender<Message>,
) -> Message {
    let done = |hash: String, bytes, stats, errors, warnings, outcome| Message::FileDone {
        file,
        hash,
        bytes,
        stats,
        errors,
        warnings,
        outcome,
    };
    let failed = |e: std::io::Error| {
        tracing::error!("{}: {e}", path.display());
        done(
            String::new(),
            0,
            IngestStats::default(),
            1,
            0,
            Outcome::Failed,
        )
    };
    let (hash, bytes) = match content_hash(path) {
        Ok(h) => h,
        Err(e) => return failed(e),
    };
    let fresh = !known.contains(&hash) && claimed.lock().expect("no panic").insert(hash.clone());
    if !fresh {
        tracing::debug!("{}: already ingested ({hash})", path.display());
        return done(hash, bytes, IngestStats::default(), 0, 0, Outcome::Known);
    }
    let mut reader = match DsnReader::open(path) {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let mut stats = IngestStats::default();
    for d in reader.by_ref() {
        if let Some(o) = observe(ps, &d, &mut stats) {
            let _ = tx.send(Message::Declaration(file, Box::new(o)));
        }
    }
    let (mut errors, mut warnings) = (0, 0);
    for diag in reader.diagnostics() {
        match diag.severity {
            Severity::Error | Severity::Fatal => {
                errors += 1;
                tracing::warn!("{diag}");
            }
            Severity::Warning => {
                warnings += 1;
                tracing::debug!("{diag}");
            }
            Severity::Info => tracing::trace!("{diag}"),
        }
    }
    done(hash, bytes, stats, errors, warnings, Outcome::Read)
}

/// `ancrage ingest`: add the new files to the working store, recompute from
/// everything in it, commit, then republish.
///
/// Each store is always in a before- or after-state: the working store
/// commits the new files together with the recomputed results (one SQLite
/// transaction), then the published store replaces its snapshot (one
/// transaction), then the working store records the published generation.
/// A kill between the two commits leaves the published store one ingest
/// behind; the next ingest, even of no new file, republishes.
pub async fn run(database_url: &str, args: &IngestArgs) -> anyhow::Result<IngestReport> {
    let files = collect_files(&args.paths)?;
    anyhow::ensure!(!files.is_empty(), "no DSN file found in the given paths");
    let key = load_or_create_key(&args.key_file)?;
    let ps = Pseudonymiser::new(&key);
    let mut work = WorkStore::open(&args.work_dir, &key_check(&key))?;
    let status = work.status()?;
    if status.generation > status.published_generation {
        tracing::info!(
            "the previous ingest stopped before publishing generation {}: republishing",
            status.generation
        );
    }
    let known = work.known_files()?;
    let progress = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(files.len() as u64)
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} fichiers DSN {elapsed} (reste {eta})")
            .expect("valid template"),
    );
    let mut report = IngestReport::default();
    let mut refdata = publish::load_refdata(&args.refdata);
    if let (Some(places), Some(path)) = (refdata.as_mut(), &args.sirene) {
        places.sirene = publish::load_sirene(path)
            .with_context(|| format!("reading the SIRENE extract {}", path.display()))?;
    }
    let (rows, generation) = tokio::task::block_in_place(|| -> anyhow::Result<_> {
        let mut batch = work.begin()?;
        let t0 = Instant::now();
        read_into_store(&files, &ps, &known, &mut batch, &progress, &mut report)?;
        progress.finish_and_clear();
        report.files_new = batch.new_files();
        tracing::info!(
            "read {} new file(s) ({} declarations) in {:.1} s",
            report.files_new,
            report.declarations,
            t0.elapsed().as_secs_f64()
        );
        let t0 = Instant::now();
        let (indicators, parts, _stats) = batch.indicators(args.partition_mb << 20)?;
        report.partitions = parts.groups;
        tracing::info!(
            "recomputed {} establishments from the working store in {} group(s) \
             (largest {:.0} MiB of observations) in {:.1} s",
            indicators.len(),
            parts.groups,
            parts.largest_group_bytes as f64 / (1 << 20) as f64,
            t0.elapsed().as_secs_f64()
        );
        let scored = ancrage_engine::score_all(indicators, &ScoreConfig::default());
        let rows = publish::published_rows(&scored, refdata.as_ref());
        let records: Vec<(String, String)> = scored
            .into_iter()
            .zip(&rows)
            .map(|(scored, row)| {
                let siret = scored.indicators.siret.clone();
                let rec = crate::cli::tools::WorkRecord {
                    scored,
                    commune: row.summary.commune.clone(),
                    basin: row.summary.basin.clone(),
                };
                (
                    siret,
                    serde_json::to_string(&rec).expect("record serialises"),
                )
            })
            .collect();
        batch.set_scored(records.iter().map(|(s, j)| (s.as_str(), j.clone())))?;
        let generation = batch.commit()?;
        tracing::info!("working store committed (generation {generation})");
        Ok((rows, generation))
    })?;
    report.establishments = rows.len();
    report.calculable = rows.iter().filter(|r| r.summary.score.is_some()).count();
    report.located = rows.iter().filter(|r| r.summary.lat.is_some()).count();
    let store = PublishedStore::open(database_url)
        .await
        .with_context(|| format!("opening the published store {database_url}"))?;
    store.publish(&rows).await?;
    tracing::info!("published store committed (generation {generation})");
    work.mark_published(generation)?;
    Ok(report)
}
