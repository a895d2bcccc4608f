//! Ingests add up: a second ingest of other files adds to the first, a later
//! "annule et remplace" supersedes the month it replaces, and the same files
//! twice change nothing. Expected values are the fixtures' hand-computed ones
//! (crates/engine/tests/fixtures.rs: `establishment_a`, `establishment_b` and
//! `without_the_correction_files_the_traps_show`).

mod common;

use std::path::PathBuf;

use common::{dsn_files, fixtures, Site};

const A: &str = "12345678900011";
const B: &str = "98765432100022";

/// The fixtures without the three correction files (A's February 2024 A&R,
/// B's October 2022 second fraction, the FCTU ending Hugo's CDI), and those.
fn split() -> (Vec<PathBuf>, Vec<PathBuf>) {
    dsn_files(&fixtures()).into_iter().partition(|p| {
        let n = p.file_name().unwrap().to_string_lossy();
        !(n.contains("annule-remplace") || n.contains("fctu") || n.contains("2-of-2"))
    })
}

fn close(v: &serde_json::Value, x: f64) -> bool {
    v.as_f64().is_some_and(|v| (v - x).abs() < 1e-9)
}

#[test]
fn a_later_ingest_adds_to_the_first_and_its_ar_supersedes() {
    let (first, corrections) = split();
    assert_eq!((first.len(), corrections.len()), (90, 3));
    let tmp = tempfile::tempdir().unwrap();
    let site = Site::new(tmp.path());
    let out = site.ingest(&first);
    assert!(out.contains("90 fichier(s) lus (90 nouveaux"), "{out}");
    // Before the corrections: the ghost P9 of the original February 2024 is
    // a hire, P7 a CDD; B lacks Jules and Hugo's end is inferred (30 Sep 2023).
    let a = site.inspect(A);
    assert_eq!(
        (a["hires"].as_u64(), a["hires_cdi"].as_u64()),
        (Some(8), Some(3))
    );
    let b = site.inspect(B);
    assert_eq!(b["hires"], 1);
    assert!(close(&b["employee_years"], 50.0 / 12.0));

    // The corrections alone, in a second ingest: they supersede.
    let out = site.ingest(&corrections);
    assert!(out.contains("3 fichier(s) lus (3 nouveaux"), "{out}");
    assert!(out.contains("3 établissements publiés"), "{out}");
    let a = site.inspect(A);
    assert_eq!(a["hires"], 7); // the ghost is gone
    assert_eq!(a["hires_cdi"], 4); // P7 is a CDI per the A&R
    assert_eq!(a["hires_cdd"], 3);
    assert_eq!(a["hires_boeth"], 1); // P7, declared in the A&R
    assert!(close(&a["retention_12m"], 3.0 / 7.0));
    let b = site.inspect(B);
    assert_eq!(b["hires"], 2);
    assert!(close(&b["employee_years"], 49.0 / 12.0));
    assert!(close(&b["cdd_days_mean"], 19.0));

    // Exactly what one ingest of everything publishes, and the corrections
    // first then the originals too.
    let once = tempfile::tempdir().unwrap();
    let once = Site::new(once.path());
    once.ingest(&[fixtures()]);
    let reversed = tempfile::tempdir().unwrap();
    let reversed = Site::new(reversed.path());
    reversed.ingest(&corrections);
    reversed.ingest(&first);
    assert_eq!(site.published(), once.published());
    assert_eq!(reversed.published(), once.published());
    assert_eq!(site.working().1.len(), 3);
}

#[test]
fn the_same_files_twice_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let site = Site::new(tmp.path());
    site.ingest(&[fixtures()]);
    let published = site.published();
    let (status, scored) = site.working();
    assert_eq!(status.files.len(), 93);
    assert_eq!((status.generation, status.published_generation), (1, 1));

    // Same directory, and one file again under another name: nothing new.
    let copy = tmp.path().join("copy.dsn");
    std::fs::copy(&dsn_files(&fixtures())[0], &copy).unwrap();
    let out = site.ingest(&[fixtures(), copy]);
    assert!(
        out.contains("94 fichier(s) lus (0 nouveaux, 94 déjà connus"),
        "{out}"
    );
    assert_eq!(site.published(), published);
    assert_eq!(site.working(), (status, scored));
}
