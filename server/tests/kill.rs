//! `kill -9` at any moment of a real `ancrage ingest` leaves the working
//! store and the published store each in its before- or after-state, and the
//! next ingest completes to exactly the figures of a clean run.
//!
//! A small synthetic territory (the `tiny` preset cut to 60 establishments)
//! is split by month: the first 30 months are ingested once, cleanly, and
//! copied aside (state S1). Each round restores S1, starts the ingest of the
//! last 6 months, kills it (SIGKILL) after a random delay within the length
//! of a clean run, or right after it logs its working-store commit, then
//! checks each store. A clean site ingesting the same batches gives the
//! after-state S2.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use ancrage_synth::{generate, SynthConfig, Territory};
use common::{dsn_files, Site};

/// Random kills, then one right after the working store's commit.
const RANDOM_KILLS: usize = 8;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// The working store without its published-generation marker, which may lag.
type Working = (u64, Vec<String>, u64, Vec<(String, String)>);

fn working(site: &Site) -> Working {
    let (s, scored) = site.working();
    assert!(s.published_generation <= s.generation);
    (s.generation, s.files, s.declarations, scored)
}

#[test]
fn kill_9_at_random_moments_leaves_each_store_before_or_after() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = SynthConfig::preset("tiny").unwrap();
    cfg.establishments = 60;
    let out = tmp.path().join("synth");
    generate(&cfg, &Territory::builtin(), &out, &|_| {}).unwrap();
    // Months 2021-01 … 2023-12: the last six in the second batch.
    let (first, second): (Vec<PathBuf>, Vec<PathBuf>) = dsn_files(&out)
        .into_iter()
        .partition(|p| month_dir(p).as_str() < "2023-07");
    assert!(!first.is_empty() && !second.is_empty());

    // Reference: a clean site, before and after the second batch.
    let clean = Site::new(&tmp.path().join("clean"));
    clean.ingest(&first);
    let (w1, p1) = (working(&clean), clean.published());
    let t0 = Instant::now();
    clean.ingest(&second);
    let run = t0.elapsed();
    let (w2, p2) = (working(&clean), clean.published());
    assert_ne!(p1, p2);
    assert_ne!(w1.3, w2.3);

    // The site under test starts from a copy of the before-state.
    let pristine = tmp.path().join("s1");
    let site = Site::new(&tmp.path().join("site"));
    site.ingest(&first);
    copy_dir(&site.dir, &pristine);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill test: seed {seed}, clean run {run:?}");
    let mut seen = Vec::new();
    for round in 0..=RANDOM_KILLS {
        std::fs::remove_dir_all(&site.dir).unwrap();
        copy_dir(&pristine, &site.dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_ancrage"))
            .args(site.ingest_args(&second))
            .current_dir(common::root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if round < RANDOM_KILLS {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let delay = run.mul_f64(0.9 * (seed >> 11) as f64 / (1u64 << 53) as f64);
            std::thread::sleep(delay);
        } else {
            // Between the two commits.
            let stderr = BufReader::new(child.stderr.take().unwrap());
            for line in stderr.lines() {
                if line.unwrap().contains("working store committed") {
                    break;
                }
            }
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        let (w, p) = (working(&site), site.published());
        let state = match (w == w1, w == w2, p == p1, p == p2) {
            (true, _, true, _) => "before",
            (_, true, true, _) => "working after, published before",
            (_, true, _, true) => "after",
            _ => panic!("round {round}: a store is neither before nor after (exit {status:?})"),
        };
        eprintln!("round {round}: killed ({status:?}): {state}");
        seen.push(state);
    }
    // The last kill fell between the two commits: the working store is after.
    assert_ne!(seen[RANDOM_KILLS], "before");

    // From the last killed state, the next ingest completes to S2 exactly.
    site.ingest(&second);
    assert_eq!(working(&site), w2);
    assert_eq!(site.published(), p2);
    let (status, _) = site.working();
    assert_eq!(status.published_generation, status.generation);
}

/// The `YYYY-MM` directory a synth file is written in.
fn month_dir(p: &Path) -> String {
    let dir = p.parent().and_then(|d| d.file_name()).unwrap();
    let dir = dir.to_string_lossy().to_string();
    assert!(
        dir.len() == 7 && dir.as_bytes()[4] == b'-',
        "{}",
        p.display()
    );
    dir
}
