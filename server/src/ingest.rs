//! `ancrage ingest`: DSN files → declarations → engine → published store.
//!
//! Files are read in parallel (rayon); declarations flow through a bounded
//! channel into the engine's single accumulator, which pseudonymises every
//! identifier as it receives it. Bad input is reported with file and line and
//! never stops the valid declarations around it.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ancrage_dsn::{DsnReader, Severity};
use ancrage_engine::{Ingest, Pseudonymiser, ScoreConfig};
use ancrage_store::PublishedStore;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::IngestArgs;
use crate::publish;

/// What an ingest did, printed at the end.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub files: usize,
    pub files_failed: usize,
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
            "{} fichier(s) lus ({} illisibles), {} déclarations, {} erreurs, {} avertissements ; \
             {} établissements publiés dont {} avec un score calculable et {} localisés",
            self.files,
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

/// Read `files` into the engine. Diagnostics are logged as they come.
pub fn read_into_engine(
    files: &[PathBuf],
    key: &[u8],
    progress: &ProgressBar,
    report: &mut IngestReport,
) -> ancrage_engine::Dataset {
    let mut ingest = Ingest::new(Pseudonymiser::new(key));
    let (tx, rx) = mpsc::sync_channel::<Message>(256);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            files.par_iter().for_each_with(tx, |tx, path| {
                let done = read_one(path, tx);
                let _ = tx.send(done);
            });
        });
        for msg in rx {
            match msg {
                Message::Declaration(d) => {
                    report.declarations += 1;
                    ingest.add(&d);
                }
                Message::FileDone {
                    errors,
                    warnings,
                    failed,
                } => {
                    report.files += 1;
                    report.errors += errors;
                    report.warnings += warnings;
                    report.files_failed += usize::from(failed);
                    progress.inc(1);
                }
            }
        }
    });
    ingest.finish()
}

enum Message {
    Declaration(Box<ancrage_dsn::Declaration>),
    FileDone {
        errors: usize,
        warnings: usize,
        failed: bool,
    },
}

/// Stream one file's declarations into `tx`, then return its summary message.
fn read_one(path: &Path, tx: &mpsc::SyncSender<Message>) -> Message {
    let mut reader = match DsnReader::open(path) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("{}: {e}", path.display());
            return Message::FileDone {
                errors: 1,
                warnings: 0,
                failed: true,
            };
        }
    };
    for d in reader.by_ref() {
        let _ = tx.send(Message::Declaration(Box::new(d)));
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
    Message::FileDone {
        errors,
        warnings,
        failed: false,
    }
}

pub async fn run(database_url: &str, args: &IngestArgs) -> anyhow::Result<IngestReport> {
    let files = collect_files(&args.paths)?;
    anyhow::ensure!(!files.is_empty(), "no DSN file found in the given paths");
    let key = load_or_create_key(&args.key_file)?;
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
    let dataset =
        tokio::task::block_in_place(|| read_into_engine(&files, &key, &progress, &mut report));
    progress.finish_and_clear();
    let scored = ancrage_engine::run(&dataset, &ScoreConfig::default());
    let mut refdata = publish::load_refdata(&args.refdata);
    if let (Some(places), Some(path)) = (refdata.as_mut(), &args.sirene) {
        places.sirene = publish::load_sirene(path)
            .with_context(|| format!("reading the SIRENE extract {}", path.display()))?;
    }
    let rows = publish::published_rows(&scored, refdata.as_ref());
    let records: Vec<_> = scored
        .into_iter()
        .zip(&rows)
        .map(|(scored, row)| crate::cli::tools::WorkRecord {
            scored,
            commune: row.summary.commune.clone(),
            basin: row.summary.basin.clone(),
        })
        .collect();
    crate::cli::tools::write_snapshot(&args.work_dir, &records)?;
    report.establishments = rows.len();
    report.calculable = rows.iter().filter(|r| r.summary.score.is_some()).count();
    report.located = rows.iter().filter(|r| r.summary.lat.is_some()).count();
    let store = PublishedStore::open(database_url)
        .await
        .with_context(|| format!("opening the published store {database_url}"))?;
    store.publish(&rows).await?;
    Ok(report)
}
