//! End-to-end checks on a small run (`tiny` preset, built-in territory).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ancrage_dsn::{read_file, Severity};
use ancrage_synth::ids::{is_synthetic_nir, luhn_valid};
use ancrage_synth::{calibration_report, generate, Summary, SynthConfig, Territory};

struct Run {
    dir: tempfile::TempDir,
    summary: Summary,
}

fn tiny(seed: u64) -> SynthConfig {
    let mut c = SynthConfig::preset("tiny").unwrap();
    c.seed = seed;
    c
}

fn run_once() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let summary = generate(&tiny(11), &Territory::builtin(), dir.path(), &|_| {}).unwrap();
        Run { dir, summary }
    })
}

fn dsn_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("dsn")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn files_read_back_without_unexpected_errors() {
    let run = run_once();
    let root = run.dir.path();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    let injected: Vec<String> = manifest["injected_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file"].as_str().unwrap().to_string())
        .collect();
    let files = dsn_files(root);
    assert_eq!(files.len() as u64, run.summary.files);
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut declarations = 0;
    for f in &files {
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().to_string();
        let r = read_file(f).unwrap();
        declarations += r.declarations.len() as u64;
        assert!(r.summary.s90_all_ok(), "{rel}: S90 totals");
        for d in &r.diagnostics {
            if d.severity >= Severity::Warning {
                *codes
                    .entry(format!("{}:{}", d.severity, d.code))
                    .or_default() += 1;
            }
            if d.severity >= Severity::Error {
                assert!(injected.contains(&rel), "{rel}: unexpected {d}");
            }
        }
        for d in &r.declarations {
            let siret = d.siret().unwrap();
            assert!(luhn_valid(&siret) && luhn_valid(&siret[..9]), "{siret}");
            for i in &d.individus {
                if let Some(nir) = i.nir() {
                    assert!(is_synthetic_nir(nir), "{nir}");
                }
                assert!(i.nir().is_some() || i.ntt().is_some());
            }
        }
    }
    assert_eq!(declarations, run.summary.declarations);
    // Warnings are allowed only for things the norm tolerates; list them.
    let unexpected: Vec<_> = codes
        .keys()
        .filter(|k| k.starts_with("error") || k.starts_with("fatal"))
        .collect();
    assert!(unexpected.len() <= 1, "diagnostics by code: {codes:?}");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let mut cfg = tiny(5);
    cfg.establishments = 40;
    cfg.years = 1;
    generate(&cfg, &Territory::builtin(), a.path(), &|_| {}).unwrap();
    generate(&cfg, &Territory::builtin(), b.path(), &|_| {}).unwrap();
    cfg.seed = 6;
    generate(&cfg, &Territory::builtin(), c.path(), &|_| {}).unwrap();
    let digest = |root: &Path| -> HashMap<String, Vec<u8>> {
        let mut files = dsn_files(root);
        for f in ["truth.csv", "sirene.csv", "manifest.json", "config.toml"] {
            files.push(root.join(f));
        }
        files
            .into_iter()
            .map(|f| {
                (
                    f.strip_prefix(root).unwrap().to_string_lossy().to_string(),
                    std::fs::read(&f).unwrap(),
                )
            })
            .collect()
    };
    let (da, db, dc) = (digest(a.path()), digest(b.path()), digest(c.path()));
    assert!(da.len() > 20);
    assert_eq!(da, db);
    assert_ne!(da.get("truth.csv"), dc.get("truth.csv"));
}

#[test]
fn side_files_are_well_formed() {
    let run = run_once();
    let root = run.dir.path();
    let sirene = std::fs::read_to_string(root.join("sirene.csv")).unwrap();
    let mut lines = sirene.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 20);
    assert_eq!(header[0], "siren");
    assert_eq!(header[19], "geo_type");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), run.summary.establishments);
    let mut non_diffusible = 0;
    for r in &rows {
        assert_eq!(r.len(), 20, "{r:?}");
        assert!(luhn_valid(r[0]) && luhn_valid(r[2]));
        assert_eq!(format!("{}{}", r[0], r[1]), r[2]);
        // NAF as SIRENE writes it: 2 digits, dot, 2 digits, letter.
        assert_eq!(r[4].len(), 6);
        assert_eq!(&r[4][2..3], ".");
        if r[10] == "P" {
            non_diffusible += 1;
            assert!(r[16].is_empty());
        } else {
            // Coordinates near Brittany / Mayenne.
            let lat: f64 = r[17].parse().unwrap();
            let lng: f64 = r[16].parse().unwrap();
            assert!((47.3..48.5).contains(&lat) && (-3.7..-0.5).contains(&lng));
        }
    }
    assert!(non_diffusible < rows.len() / 5);
    let truth = std::fs::read_to_string(root.join("truth.csv")).unwrap();
    let mut t = truth.lines();
    assert!(t.next().unwrap().ends_with(",engagement"));
    for l in t {
        let f: Vec<&str> = l.split(',').collect();
        let e: f64 = f[12].parse().unwrap();
        assert!((0.0..=1.0).contains(&e));
    }
}

#[test]
fn calibration_within_tolerance_on_small_seed() {
    // Large enough for section-level rows, small enough for a debug build.
    let mut cfg = tiny(3);
    cfg.establishments = 360;
    cfg.years = 3;
    cfg.size_max = 100;
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&cfg, &Territory::builtin(), dir.path(), &|_| {}).unwrap();
    let report = calibration_report(&summary);
    let text = report.render();
    // Rows with too little data are not measured; the others must hold.
    let failures: Vec<String> = report.failures().iter().map(|r| r.name.clone()).collect();
    assert!(failures.is_empty(), "{failures:?}\n{text}");
    let measured = report.rows.iter().filter(|r| r.generated.is_some()).count();
    assert!(measured >= 15, "{text}");
}
