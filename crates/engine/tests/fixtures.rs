//! Hand-built DSN fixtures (30 monthly files per establishment, Jan 2022 –
//! Jun 2024, plus hand-written A&R, fractions and FCTU files) read through the
//! DSN reader. Every expected value is worked out by hand from the timeline in
//! `common::scenario()`; the arithmetic is in the comments.

mod common;

use std::path::{Path, PathBuf};

use ancrage_dsn::{read_file, Declaration, Severity};
use ancrage_engine::{compute, Dataset, EstablishmentIndicators, Ingest, Pseudonymiser};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The generated monthly files are committed; this keeps them in sync with
/// the timeline (set ANCRAGE_REGEN_FIXTURES=1 to rewrite them).
#[test]
fn generated_fixtures_are_current() {
    let dir = fixtures().join("monthly");
    let files = common::render_all(&common::scenario());
    assert_eq!(files.len(), 3 * 30 - 1);
    if std::env::var_os("ANCRAGE_REGEN_FIXTURES").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    for (name, text) in &files {
        let on_disk = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (regenerate with ANCRAGE_REGEN_FIXTURES=1)"));
        assert_eq!(&on_disk, text, "{name} is stale");
    }
}

/// Every fixture file, sorted by name, read through the DSN reader.
pub fn read_all() -> Vec<(String, Vec<Declaration>)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for sub in ["monthly", "hand"] {
        for e in std::fs::read_dir(fixtures().join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "dsn") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let r = read_file(&p).unwrap();
            for d in &r.diagnostics {
                assert!(d.severity < Severity::Error, "{}: {d:?}", p.display());
            }
            assert!(r.summary.s90_all_ok(), "{}", p.display());
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                r.declarations,
            )
        })
        .collect()
}

fn dataset(files: &[(String, Vec<Declaration>)]) -> Dataset {
    let mut ingest = Ingest::new(Pseudonymiser::new(b"test key"));
    for (_, decls) in files {
        for d in decls {
            ingest.add(d);
        }
    }
    ingest.finish()
}

fn indicators() -> Vec<EstablishmentIndicators> {
    compute(&dataset(&read_all()))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn dataset_resolution() {
    let files = read_all();
    // 89 generated files + 4 hand-written ones.
    assert_eq!(files.len(), 93);
    let ds = dataset(&files);
    assert_eq!(ds.m0, Some(2022 * 12));
    assert_eq!(ds.m1, Some(2024 * 12 + 5));
    assert_eq!(ds.establishments.len(), 3);
    // B October 2022 = fractions 1/2 and 2/2 of one declared month: 30 months.
    for e in &ds.establishments {
        assert_eq!(e.months.len(), 30, "{}", e.siret);
    }
    // Persons: P1–P8, P10, P11 (P3's NTT merged into her NIR; P9 only in the
    // replaced declaration) = 10.
    assert_eq!(ds.persons.len(), 10);
    // The A&R replaced one declaration.
    assert_eq!(ds.stats.monthly_replaced, 1);
    assert_eq!(ds.stats.signalements, 1);
    // Contract ends, found by (establishment, start date).
    let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let a = ds
        .establishments
        .iter()
        .position(|e| e.siret == "12345678900011")
        .unwrap() as u32;
    let at_a = |start| {
        let v: Vec<_> = ds
            .contracts
            .iter()
            .filter(|c| c.establishment == a && c.start == start)
            .collect();
        assert_eq!(v.len(), 1, "{start}");
        v[0]
    };
    // P1's apprentice CDD: declared end, planned end 31 Aug 2022, dispositif 64.
    let c = at_a(d(2022, 3, 1));
    assert_eq!((c.end, c.end_inferred), (Some(d(2022, 8, 31)), false));
    assert_eq!(c.planned_end, Some(d(2022, 8, 31)));
    assert!(c.alternance && !c.aided);
    // P4: silent after December 2022 → inferred end 31 Dec 2022.
    let c = at_a(d(2022, 5, 2));
    assert_eq!((c.end, c.end_inferred), (Some(d(2022, 12, 31)), true));
    // P5: end block only in the July file, dated 30 June.
    let c = at_a(d(2022, 6, 1));
    assert_eq!((c.end, c.end_inferred), (Some(d(2022, 6, 30)), false));
    // P6: end cancelled by 099 → open.
    assert_eq!(at_a(d(2023, 6, 1)).end, None);
    // P3: one contract despite NTT-only months, Feb–Jul 2023, aided.
    let c = at_a(d(2023, 2, 1));
    assert_eq!(c.end, Some(d(2023, 7, 31)));
    assert!(c.aided);
    assert_eq!(
        (c.first_month, c.last_month),
        (Some(2023 * 12 + 1), Some(2023 * 12 + 6))
    );
    // P7: nature 01 from the A&R, BOETH.
    let c = at_a(d(2024, 2, 1));
    assert_eq!(c.nature, 1);
    assert!(c.boeth);
    // P2's work accident: one arrêt after de-duplication, with the April resume date.
    let c = at_a(d(2021, 6, 1));
    assert_eq!(c.arrets.len(), 1);
    assert_eq!(c.arrets[0].resume, Some(d(2023, 4, 3)));
    // 10 Mar – 2 Apr 2023 = 22 + 2 = 24 days off.
    assert_eq!(c.arrets[0].days(), Some(24));
    // No clear identifier anywhere in the dataset.
    let dump = format!("{ds:?}");
    for id in ["2000575111001", "2850775111003", "2123456789003", "ALICE"] {
        assert!(!dump.contains(id), "{id} leaked");
    }
}

#[test]
fn establishment_a() {
    let all = indicators();
    let a = all.iter().find(|i| i.siret == "12345678900011").unwrap();
    assert_eq!(a.naf.as_deref(), Some("5610A"));
    assert_eq!(a.postcode.as_deref(), Some("75011"));
    assert_eq!(a.town.as_deref(), Some("PARIS"));
    assert_eq!(a.first_month.as_deref(), Some("2022-01"));
    assert_eq!(a.last_month.as_deref(), Some("2024-06"));
    // Counted contracts at A: A-001, A-002 (P1), A-010 (P2), A-020 (P3),
    // A-030 (P4), A-040, A-041 (P5), A-050 (P6), A-060 (P7), A-070 (P8) = 10,
    // all active in W; the ghost A-099 was replaced by the A&R.
    assert_eq!(a.contracts_5y, 10);
    assert_eq!(a.persons_5y, 8);
    // Person-level hires: P1 (1 Mar 2022), P3 (1 Feb 2023), P4 (2 May 2022),
    // P5 (1 Jun 2022; the Dec recall is not a second one), P6 (1 Jun 2023),
    // P7 (1 Feb 2024), P8 (1 Mar 2024) = 7. P2 started before M0.
    assert_eq!(a.hires, 7);
    // Women: P1, P3, P5, P7.
    assert_eq!(a.hires_women, 4);
    // Young (< 26 at hire): P1 21, P5 23, P8 20. P4 32, P3 37 (born 99/99/1985
    // → 1 Jul 1985), P6 47.
    assert_eq!(a.hires_young, 3);
    // Senior (≥ 50): P7, 63.
    assert_eq!(a.hires_senior, 1);
    assert_eq!(a.hires_boeth, 1); // P7 (declared in the A&R and after)
    assert_eq!(a.hires_aided, 1); // P3, dispositif 21 (CUI)
    assert_eq!(a.hires_alternance, 1); // P1, dispositif 64
                                       // CDI group: P4, P6, P7 (01 per the A&R, not the replaced 02), P8.
    assert_eq!(a.hires_cdi, 4);
    assert_eq!(a.hires_cdd, 3);
    // No prior experience known from M0 + 24 = Jan 2024: P7, P8. P7 has no
    // earlier contract; P8 had B-001.
    assert_eq!(a.hires_no_experience_known, 2);
    assert_eq!(a.hires_no_experience, 1);
    // Long gap known from Jan 2023: P3, P6, P7, P8. P3's only earlier contract
    // (mission at T) ended 28 Jan 2022 < 1 Feb 2023 − 365 d = 1 Feb 2022 → gap.
    // P6, P7: no earlier contract; P8: B-001 ended 15 Sep 2023.
    assert_eq!(a.hires_long_gap_known, 4);
    assert_eq!(a.hires_long_gap, 1);
    // Long sick known from Jan 2024: P7, P8. P8's arrêt: first day off
    // 1 Feb 2023, resume 1 Aug 2023 → 28+31+30+31+30+31 = 181 days ≥ 180,
    // ending 31 Jul 2023 within the 730 days before 1 Mar 2024.
    assert_eq!(a.hires_long_sick_known, 2);
    assert_eq!(a.hires_long_sick, 1);
    // Priority publics (young alone does not count): P3 aided, P7 senior +
    // BOETH + no experience, P8 long sick leave. P1 (young, alternance), P4,
    // P5 (young) and P6 (47, no earlier contract: no gap) are not.
    assert_eq!(a.hires_priority, 3);
    // By year of hire: 2022 P1 (CDD), P4 (CDI), P5 (CDD); 2023 P3 (CDD),
    // P6 (CDI); 2024 P7, P8 (both CDI).
    let by_year: Vec<(i32, u32, u32)> = a
        .hires_by_year
        .iter()
        .map(|(y, h)| (*y, h.hires, h.cdi))
        .collect();
    assert_eq!(by_year, [(2022, 3, 1), (2023, 2, 1), (2024, 2, 2)]);
    // CDD-group hires with an end: A-001 1 Mar–31 Aug 2022 = 31+30+31+30+31+31
    // = 184 d; A-020 1 Feb–31 Jul 2023 = 28+31+30+31+30+31 = 181 d; A-040
    // 1–30 Jun 2022 = 30 d (end block declared in July); A-041 Dec 2022 = 31 d.
    assert_eq!(a.cdd_count, 4);
    assert!(close(a.cdd_days_mean, (184.0 + 181.0 + 30.0 + 31.0) / 4.0));
    assert!(close(a.cdd_days_median, (31.0 + 181.0) / 2.0));
    // Spells (days stayed, ended?):
    //   P1: A-001 then A-002 5 days later, open → censored at 30 Jun 2024:
    //       1 Mar 2022 → 30 Jun 2024 = 365 + 366 + 121 = 852, +1 = 853.
    //   P3: 181, ended.  P5: 30, ended (the recall 154 days later is another spell).
    //   P4: silent after Dec 2022, A declares 18 later months → inferred end
    //       31 Dec 2022: 30+30+31+31+30+31+30+31 = 244, ended.
    //   P6: the end of Aug 2023 was cancelled (099) → open: 1 Jun 2023 → 30 Jun
    //       2024 = 366 + 29 = 395, +1 = 396 censored.
    //   P7: Feb–Jun 2024 = 29+31+30+31+30 = 151 censored.
    //   P8: Mar–Jun 2024 = 31+30+31+30 = 122 censored.
    // KM P(T ≥ 182): at 30, 7 at risk → 6/7; at 181, at risk {853, 181, 244,
    // 396} → ×3/4 = 9/14. P(T ≥ 365): also at 244, at risk {853, 244, 396}
    // → 9/14 × 2/3 = 3/7.
    assert!(close(a.retention_6m, 9.0 / 14.0));
    assert!(close(a.retention_12m, 3.0 / 7.0));
    // Greenwood behind P(T ≥ 365) = 3/7: events at 30 (7 at risk), 181 (4)
    // and 244 (3): Σ = 1/(7·6) + 1/(4·3) + 1/(3·2) = (2 + 7 + 14)/84 = 23/84;
    // n_eff = S(1 − S)/(S²Σ) = (4/7)/((3/7)(23/84)) = 336/69 (< 7 hires).
    assert!((a.retention_12m_n - 336.0 / 69.0).abs() < 1e-9);
    // CDD→CDI: P1's spell contains A-002 (CDI); P3, P5 no.
    assert_eq!(a.cdd_to_cdi, 1);
    // CDD hires whose hiring contract lasted a month or more: P1 (184 days),
    // P3 (181); not P5 (30). Converted among them: P1.
    assert_eq!((a.hires_cdd_month, a.cdd_month_to_cdi), (2, 1));
    // CDI-group contracts and their month ends under 60, Jan 2022 – Jun 2024:
    // A-002 (P1) Sep 2022–Jun 2024 = 22; A-010 (P2, 54) 30; A-030 (P4)
    // May–Dec 2022 = 8; A-050 (P6) Jun 2023–Jun 2024 = 13; A-060 (P7, 60 since
    // Dec 2020) 0; A-070 (P8) 4 → 77. Ends: A-030 (inferred, 31 Dec 2022).
    assert_eq!(a.cdi_ends, 1);
    assert!((a.cdi_years - 77.0 / 12.0).abs() < 1e-9);
    // One work accident (P2, first day off 10 Mar 2023), declared twice.
    assert_eq!(a.work_accidents, 1);
    // Month ends with an active counted contract, Jan 2022 – Jun 2024:
    // P1 Mar 2022–Jun 2024 = 28; P2 30; P3 Feb–Jul 2023 = 6; P4 May–Dec 2022 = 8;
    // P5 Jun 2022 + Dec 2022 = 2; P6 Jun 2023–Jun 2024 = 13; P7 5; P8 4.
    // 96 person-months = 8 employee-years; 1 accident → 125 per 1 000.
    assert!((a.employee_years - 8.0).abs() < 1e-9);
    assert!(close(a.accident_frequency, 125.0));
    // Headcount at 30 Jun 2024: P1, P2, P6, P7, P8 = 5; women P1, P7.
    assert_eq!(a.headcount, 5);
    assert!(close(a.women_share_stock, 0.4));
    // Ages on 30 Jun 2024: P1 24, P8 21 (young); P2 54, P7 63 (senior); P6 49.
    assert_eq!(a.headcount_young, 2);
    assert_eq!(a.headcount_senior, 2);
}

#[test]
fn establishment_b() {
    let all = indicators();
    let b = all.iter().find(|i| i.siret == "98765432100022").unwrap();
    // Counted: B-001 (P8), B-100 (P10, since 2015), B-002 (P11, only in
    // fraction 2/2 of Oct 2022).
    assert_eq!(b.contracts_5y, 3);
    assert_eq!(b.persons_5y, 3);
    // Hires: P8 (1 Feb 2022, 18 years old, CDI), P11 (3 Oct 2022, CDD, 34).
    assert_eq!(b.hires, 2);
    assert_eq!(b.hires_women, 0);
    assert_eq!(b.hires_young, 1);
    assert_eq!(b.hires_cdi, 1);
    assert_eq!(b.hires_cdd, 1);
    // Both in 2022, one of them (P8) in CDI.
    let by_year: Vec<(i32, u32, u32)> = b
        .hires_by_year
        .iter()
        .map(|(y, h)| (*y, h.hires, h.cdi))
        .collect();
    assert_eq!(by_year, [(2022, 2, 1)]);
    // Both hires before Jan 2023: nothing known about earlier history.
    assert_eq!(b.hires_long_gap_known, 0);
    assert_eq!(b.hires_no_experience_known, 0);
    // Neither is senior, BOETH or aided; nothing else is known that early.
    assert_eq!(b.hires_priority, 0);
    // B-002: 3–21 Oct 2022 = 19 days.
    assert_eq!(b.cdd_count, 1);
    assert!(close(b.cdd_days_mean, 19.0));
    assert!(close(b.cdd_days_median, 19.0));
    // P8's end is the FCTU's 15 Sep 2023 (the monthly files have no end block;
    // inferring would give 30 Sep). Spell 1 Feb 2022 → 15 Sep 2023 =
    // 365 + 226 = 591 days (1 Feb 2023 → 15 Sep 2023: 27+31+30+31+30+31+31+15).
    // P11: 19 days. KM: at 19, 2 at risk → 1/2; nothing else before 365.
    assert!(close(b.retention_6m, 0.5));
    assert!(close(b.retention_12m, 0.5));
    assert_eq!(b.cdd_to_cdi, 0);
    // P11's CDD lasted 19 days: no CDD hire of a month.
    assert_eq!(b.hires_cdd_month, 0);
    // CDI: B-001 (P8) Feb 2022 – Aug 2023 = 19 month ends, ended 15 Sep 2023;
    // B-100 (P10, 44) 30.
    assert_eq!(b.cdi_ends, 1);
    assert!((b.cdi_years - 49.0 / 12.0).abs() < 1e-9);
    // P8's arrêt is sickness (01), not a work accident.
    assert_eq!(b.work_accidents, 0);
    // Month ends: P10 30; P8 Feb 2022 – Aug 2023 = 19 (15 Sep is not a month
    // end); P11 none → 49 / 12.
    assert!((b.employee_years - 49.0 / 12.0).abs() < 1e-9);
    assert!(close(b.accident_frequency, 0.0));
    // Headcount at 30 Jun 2024: P10 only (a woman, 44).
    assert_eq!(b.headcount, 1);
    assert!(close(b.women_share_stock, 1.0));
    assert_eq!(b.headcount_young + b.headcount_senior, 0);
}

#[test]
fn temp_agency_has_no_hires() {
    let all = indicators();
    let t = all.iter().find(|i| i.siret == "55555555500033").unwrap();
    // Missions (03) are experience for P3, not hires or stock of the agency.
    assert_eq!(t.hires, 0);
    assert_eq!(t.contracts_5y, 0);
    assert_eq!(t.headcount, 0);
    assert_eq!(t.employee_years, 0.0);
    assert_eq!(t.accident_frequency, None);
    assert_eq!(t.retention_12m, None);
    assert_eq!(t.cdd_days_mean, None);
    assert_eq!(t.women_share_stock, None);
}

#[test]
fn without_the_correction_files_the_traps_show() {
    // Sanity check that the fixtures are sensitive: drop the A&R, the FCTU and
    // the second fraction, and the values move as predicted by hand.
    let files: Vec<_> = read_all()
        .into_iter()
        .filter(|(n, _)| {
            !n.contains("annule-remplace") && !n.contains("fctu") && !n.contains("2-of-2")
        })
        .collect();
    let all = compute(&dataset(&files));
    let a = all.iter().find(|i| i.siret == "12345678900011").unwrap();
    // Ghost P9 is hired; P7 is a CDD (02 in the original February file).
    assert_eq!(a.hires, 8);
    assert_eq!(a.hires_cdi, 3);
    let b = all.iter().find(|i| i.siret == "98765432100022").unwrap();
    // P11 vanished; P8 ends on the inferred 30 Sep 2023 → Feb 2022 – Sep 2023
    // = 20 month ends, + P10's 30 = 50.
    assert_eq!(b.hires, 1);
    assert!((b.employee_years - 50.0 / 12.0).abs() < 1e-9);
}
