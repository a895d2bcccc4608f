//! The working store replays to exactly what the in-memory engine computes,
//! across several ingests, and an uncommitted ingest leaves nothing.

use std::path::{Path, PathBuf};

use ancrage_engine::{compute, observe, DeclObs, Ingest, IngestStats, Pseudonymiser};
use ancrage_work::{WorkError, WorkStore};

fn fixture_paths() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures");
    let mut paths = Vec::new();
    for sub in ["monthly", "hand"] {
        for e in std::fs::read_dir(base.join(sub)).unwrap() {
            paths.push(e.unwrap().path());
        }
    }
    paths.retain(|p| p.extension().is_some_and(|x| x == "dsn"));
    paths.sort();
    paths
}

fn observed(ps: &Pseudonymiser, path: &Path) -> (Vec<DeclObs>, IngestStats) {
    let mut stats = IngestStats::default();
    let decls = ancrage_dsn::read_file(path)
        .unwrap()
        .declarations
        .iter()
        .filter_map(|d| observe(ps, d, &mut stats))
        .collect();
    (decls, stats)
}

fn ingest(store: &mut WorkStore, ps: &Pseudonymiser, paths: &[PathBuf]) -> u64 {
    let mut batch = store.begin().unwrap();
    for p in paths {
        let (decls, stats) = observed(ps, p);
        let id = batch.file_id();
        for d in &decls {
            batch.add_declaration(id, d).unwrap();
        }
        let name = p.file_name().unwrap().to_string_lossy();
        batch.add_file(id, &name, &name, 0, &stats).unwrap();
    }
    batch.indicators(u64::MAX).unwrap();
    batch.commit().unwrap()
}

#[test]
fn two_ingests_replay_to_the_in_memory_result() {
    let ps = Pseudonymiser::new(b"store key");
    let paths = fixture_paths();
    let mut memory = Ingest::new(ps.clone());
    for p in &paths {
        for d in ancrage_dsn::read_file(p).unwrap().declarations {
            memory.add(&d);
        }
    }
    let expected = compute(&memory.finish());
    assert_eq!(expected.len(), 3);

    let dir = tempfile::tempdir().unwrap();
    let mut store = WorkStore::open(dir.path(), "check").unwrap();
    // The hand-written corrections (A&R, second fraction, FCTU) come in a later ingest.
    let (hand, monthly): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|p| p.parent().unwrap().ends_with("hand"));
    assert_eq!(ingest(&mut store, &ps, &monthly), 1);
    assert_eq!(ingest(&mut store, &ps, &hand), 2);
    let status = store.status().unwrap();
    assert_eq!(status.files.len(), 93);
    assert_eq!(status.generation, 2);

    // Every group size, from one bucket per group to everything at once.
    for budget in [0, 2_000, u64::MAX] {
        let mut batch = store.begin().unwrap();
        let (got, report, stats) = batch.indicators(budget).unwrap();
        assert_eq!(got, expected, "budget {budget}");
        assert!(report.moved >= 1, "P3's NTT-only month");
        assert_eq!(stats.monthly_replaced, 1);
        assert_eq!(batch.new_files(), 0);
        // Committing without new files keeps the generation.
        assert_eq!(batch.commit().unwrap(), 2);
    }
}

#[test]
fn a_dropped_batch_leaves_the_store_as_it_was() {
    let ps = Pseudonymiser::new(b"store key");
    let paths = fixture_paths();
    let dir = tempfile::tempdir().unwrap();
    let mut store = WorkStore::open(dir.path(), "check").unwrap();
    ingest(&mut store, &ps, &paths[..10]);
    let before = store.status().unwrap();
    {
        let mut batch = store.begin().unwrap();
        for p in &paths[10..] {
            let (decls, stats) = observed(&ps, p);
            let id = batch.file_id();
            for d in &decls {
                batch.add_declaration(id, d).unwrap();
            }
            let name = p.file_name().unwrap().to_string_lossy();
            batch.add_file(id, &name, &name, 0, &stats).unwrap();
        }
        batch.indicators(u64::MAX).unwrap();
        // Dropped here: the ingest was killed before committing.
    }
    assert_eq!(store.status().unwrap(), before);
}

#[test]
fn another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    WorkStore::open(dir.path(), "key one").unwrap();
    assert!(matches!(
        WorkStore::open(dir.path(), "key two"),
        Err(WorkError::KeyMismatch(_))
    ));
    assert!(WorkStore::open(dir.path(), "key one").is_ok());
    assert!(matches!(
        WorkStore::open_existing(&dir.path().join("nothing")),
        Err(WorkError::Missing(_))
    ));
}
