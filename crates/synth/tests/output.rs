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
    let all = dsn_files(root);
    assert_eq!(all.len() as u64, run.summary.files);
    // Reading everything in a debug build is slow: read the first year of
    // every basin plus every file the manifest names.
    let named: Vec<String> = manifest["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !matches!(a["kind"].as_str(), Some("utf8_file" | "crlf_file")))
        .map(|a| a["file"].as_str().unwrap().to_string())
        .collect();
    let files: Vec<PathBuf> = all
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(root).unwrap().to_string_lossy().to_string();
            rel.contains("/2021-") || named.contains(&rel)
        })
        .collect();
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
    assert!(declarations > 1000, "{declarations}");
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
    let summary = &run_once().summary;
    let report = calibration_report(summary);
    let text = report.render();
    // Rows with too little data are not measured; the others must hold.
    let failures: Vec<String> = report.failures().iter().map(|r| r.name.clone()).collect();
    assert!(failures.is_empty(), "{failures:?}\n{text}");
    let measured = report.rows.iter().filter(|r| r.generated.is_some()).count();
    // The national rows (14) are always measured; section rows need more establishments.
    assert!(measured >= 14, "{text}");
}

/// Pooled rate `num / den` over the establishments in `group`.
fn pooled(
    group: &[&ancrage_synth::EstabOutcome],
    num: impl Fn(&ancrage_synth::EstabStats) -> u64,
    den: impl Fn(&ancrage_synth::EstabStats) -> u64,
) -> f64 {
    let n: u64 = group.iter().map(|o| num(&o.stats)).sum();
    let d: u64 = group.iter().map(|o| den(&o.stats)).sum();
    n as f64 / d.max(1) as f64
}

/// Bottom and top thirds of regular establishments by a trait.
fn thirds(
    run: &Summary,
    key: impl Fn(&ancrage_synth::Traits) -> f64,
) -> (
    Vec<&ancrage_synth::EstabOutcome>,
    Vec<&ancrage_synth::EstabOutcome>,
) {
    let mut v: Vec<&ancrage_synth::EstabOutcome> = run
        .outcomes
        .iter()
        .filter(|o| o.kind == ancrage_synth::Kind::Regular && o.stats.hires >= 3)
        .collect();
    v.sort_by(|a, b| key(&a.traits).total_cmp(&key(&b.traits)));
    let k = v.len() / 3;
    (v[..k].to_vec(), v[v.len() - k..].to_vec())
}

#[test]
fn planted_traits_move_observable_rates() {
    let s = &run_once().summary;
    // Openness: more seniors, long gaps and people never seen working.
    let (low, high) = thirds(s, |t| t.openness);
    for (name, f) in [
        (
            "senior",
            (|e: &ancrage_synth::EstabStats| e.hires_senior)
                as fn(&ancrage_synth::EstabStats) -> u64,
        ),
        ("long gap", |e| e.hires_long_gap),
        ("no experience", |e| e.hires_no_experience),
        ("boeth", |e| e.hires_boeth),
    ] {
        let (a, b) = (pooled(&low, f, |e| e.hires), pooled(&high, f, |e| e.hires));
        eprintln!("{name}: {a:.3} vs {b:.3}");
        assert!(b > a * 1.15, "{name}: low-openness {a:.3} vs high {b:.3}");
    }
    // CDI propensity: more CDI among person-level hires.
    let (low, high) = thirds(s, |t| t.cdi_propensity);
    let (a, b) = (
        pooled(&low, |e| e.hires_cdi, |e| e.hires),
        pooled(&high, |e| e.hires_cdi, |e| e.hires),
    );
    eprintln!("cdi {a:.3} {b:.3}");
    assert!(b > a * 1.3, "CDI share {a:.3} vs {b:.3}");
    // Separation hazard: high-hazard establishments keep people less.
    let (low, high) = thirds(s, |t| t.separation);
    let (a, b) = (
        pooled(&low, |e| e.retained_12m, |e| e.retention_eligible),
        pooled(&high, |e| e.retained_12m, |e| e.retention_eligible),
    );
    eprintln!("retention {a:.3} {b:.3}");
    assert!(
        a > b * 1.2,
        "retention 12 months: low hazard {a:.3} vs high hazard {b:.3}"
    );
    // CDD length trait: longer CDDs on average (net of the other traits,
    // which are correlated through engagement).
    let (low, high) = thirds(s, |t| t.cdd_length);
    let (a, b) = (
        pooled(&low, |e| e.cdd_days, |e| e.cdd_ended),
        pooled(&high, |e| e.cdd_days, |e| e.cdd_ended),
    );
    eprintln!("cdd {a:.3} {b:.3}");
    assert!(b > a * 1.2, "mean CDD days {a:.1} vs {b:.1}");
    // Accident trait: more work accidents per person-month.
    let (low, high) = thirds(s, |t| t.accident);
    let (a, b) = (
        pooled(&low, |e| e.accidents, |e| e.person_months),
        pooled(&high, |e| e.accidents, |e| e.person_months),
    );
    eprintln!("acc {a:.5} {b:.5}");
    assert!(b > a * 1.3, "accidents per person-month {a:.5} vs {b:.5}");
}

/// The same openness effect, measured on the DSN files themselves: share of
/// people aged 50+ among each establishment's first hires of a person.
#[test]
fn openness_visible_in_the_dsn_files() {
    let run = run_once();
    let root = run.dir.path();
    let mut first: HashMap<(String, String), (chrono::NaiveDate, chrono::NaiveDate)> =
        HashMap::new();
    for f in dsn_files(root) {
        for d in read_file(&f).unwrap().declarations {
            if d.nature_code() != Some("01") {
                continue;
            }
            let siret = d.siret().unwrap();
            for i in &d.individus {
                let Some(id) = i.nir().or(i.ntt()) else {
                    continue;
                };
                let Some(birth) = i.birth_date().and_then(|b| b.imputed()) else {
                    continue;
                };
                for c in &i.contrats {
                    if !matches!(c.nature(), Some("01" | "02")) {
                        continue;
                    }
                    let Some(start) = c.start() else { continue };
                    let e = first
                        .entry((siret.clone(), id.to_string()))
                        .or_insert((start, birth));
                    if start < e.0 {
                        *e = (start, birth);
                    }
                }
            }
        }
    }
    // Hires within the observed period only (not the initial staff).
    let m0 = chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap();
    let mut per: HashMap<String, (u64, u64)> = HashMap::new();
    for ((siret, _), (start, birth)) in &first {
        if *start < m0 {
            continue;
        }
        let age = (*start - *birth).num_days() as f64 / 365.25;
        let e = per.entry(siret.clone()).or_default();
        e.0 += 1;
        e.1 += (age >= 50.0) as u64;
    }
    let truth = std::fs::read_to_string(root.join("truth.csv")).unwrap();
    let mut rows: Vec<(f64, u64, u64)> = truth
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let (h, s) = per.get(f[0]).copied()?;
            (f[5] == "regular" && h >= 3).then(|| (f[6].parse().unwrap(), h, s))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = rows.len() / 3;
    assert!(k >= 15, "{} establishments with hires", rows.len());
    let share = |g: &[(f64, u64, u64)]| {
        g.iter().map(|r| r.2).sum::<u64>() as f64 / g.iter().map(|r| r.1).sum::<u64>() as f64
    };
    let (low, high) = (share(&rows[..k]), share(&rows[rows.len() - k..]));
    eprintln!("dsn senior {low:.3} {high:.3}");
    assert!(
        high > low * 1.15,
        "senior share of first hires: low openness {low:.3}, high {high:.3}"
    );
}
