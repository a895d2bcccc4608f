//! The public open-neodes lot (Silae FCTU export, P25V01) read end to end.
//!
//! Expected values were established by reading the file by hand (`grep -n`,
//! `sed -n`): 443 lines, lot envelope, 3 envois at lines 8, 169 and 324 whose
//! S90 totals are 161, 155 and 107 lines; one FCTU (nature 07) declaration
//! each; one individual and one contract each; U+FFFD on line 124; 35 lines of
//! platform rubrics (S10.G00.95.*, S20.G00.96.902, S21.G00.06.903, S21.G00.11.904).

use std::path::PathBuf;

use ancrage_dsn::{read_file, ArretExt, Encoding, Nature, Severity, SuspensionExt};
use chrono::NaiveDate;

fn sample() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/dsn-samples/open-neodes_sample_dsn_P25V01_fctu_lot.dsn");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} absent, test skipped", p.display());
        None
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[test]
fn public_lot_reads_with_hand_counted_figures() {
    let Some(path) = sample() else { return };
    let r = read_file(&path).unwrap();
    let s = &r.summary;

    assert_eq!(s.lines, 443);
    assert_eq!(s.rubric_lines, 443);
    assert_eq!(s.encoding, Encoding::Utf8);
    assert!(!s.bom);
    assert_eq!(s.crlf_lines, 0);
    assert_eq!(s.norm_versions, vec!["P25V01".to_string()]);

    // Envois and their S90 totals.
    let lines: Vec<u32> = s.envois.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![8, 169, 324]);
    let totals: Vec<(Option<u64>, u64)> = s
        .envois
        .iter()
        .map(|e| {
            let c = e.s90.as_ref().unwrap();
            (c.declared_lines, c.counted_lines)
        })
        .collect();
    assert_eq!(
        totals,
        vec![(Some(161), 161), (Some(155), 155), (Some(107), 107)]
    );
    assert!(s.s90_all_ok());

    // Lot envelope: S05 V01R02 #769608, groups DSNOK (3 DSN), FP-KO, CT-KO, AUTRE (0).
    let lot = s.lot.as_ref().unwrap();
    assert_eq!(lot.version.as_deref(), Some("V01R02"));
    assert_eq!(lot.id.as_deref(), Some("769608"));
    assert!(lot.closed);
    let groups: Vec<(&str, Option<u64>, u64)> = lot
        .groups
        .iter()
        .map(|g| (g.code.as_deref().unwrap(), g.declared_dsn, g.envois))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("DSNOK", Some(3), 3),
            ("FP-KO", Some(0), 0),
            ("CT-KO", Some(0), 0),
            ("AUTRE", Some(0), 0)
        ]
    );

    // Declarations: three FCTU, type 01, fraction 11.
    let d = &r.declarations;
    assert_eq!(d.len(), 3);
    assert_eq!(s.declarations_read, 3);
    assert_eq!(s.declarations_skipped, 0);
    for decl in d {
        assert_eq!(decl.nature(), Some(Nature::FinContrat));
        assert_eq!(decl.kind_code(), Some("01"));
        assert_eq!(decl.fraction(), Some((1, 1)));
        assert_eq!(decl.month(), None, "FCTU has no S20.G00.05.005");
        assert_eq!(decl.envoi.norm_version(), Some("P25V01"));
        assert_eq!(decl.individus.len(), 1);
        assert_eq!(decl.individus[0].contrats.len(), 1);
        assert_eq!(decl.individus[0].nir(), Some("1234567890123"));
    }
    let sirets: Vec<String> = d.iter().map(|x| x.siret().unwrap()).collect();
    assert_eq!(
        sirets,
        vec!["98765432100022", "98765432100013", "98765432100033"]
    );
    assert_eq!(d[0].line, 34);
    assert_eq!(d[0].order_number(), Some(251219141028734));
    // 13 contacts S20.G00.07 + platform S20.G00.96 in the first two, 1 + 1 in the third.
    let hdr: Vec<usize> = d.iter().map(|x| x.header_other.len()).collect();
    assert_eq!(hdr, vec![14, 14, 2]);
    // Two S21.G00.15 prévoyance blocks in the third declaration.
    assert_eq!(d[2].etablissement_other.len(), 2);
    assert_eq!(d[2].naf(), Some("1072Z"));

    // First contract: two arrêts, one end, one suspension.
    let c = &d[0].individus[0].contrats[0];
    assert_eq!(c.start(), ymd(2020, 6, 1));
    assert_eq!(c.nature(), Some("01"));
    assert_eq!(c.dispositif(), Some("99"));
    assert_eq!(c.number(), Some("00001"));
    assert_eq!(c.block.get(6), Some("Pr\u{FFFD}parateur"));
    assert_eq!(c.arrets.len(), 2);
    assert_eq!(c.arrets[0].arret_reason(), Some("01"));
    assert_eq!(c.arrets[0].last_day_worked(), ymd(2025, 9, 8));
    assert_eq!(c.arrets[0].resume_date(), ymd(2025, 11, 27));
    assert_eq!(c.arrets[1].planned_end(), ymd(2025, 12, 18));
    assert_eq!(c.end_date(), ymd(2025, 12, 18));
    assert_eq!(c.end_reason(), Some("091"));
    assert_eq!(c.suspensions.len(), 1);
    assert_eq!(c.suspensions[0].suspension_reason(), Some("501"));
    assert_eq!(c.suspensions[0].suspension_start(), ymd(2025, 11, 27));
    assert_eq!(c.other.len(), 1, "S21.G00.70");
    assert_eq!(d[0].individus[0].other.len(), 2, "two S21.G00.86");
    let b = d[0].individus[0].birth_date().unwrap();
    assert_eq!((b.day, b.month, b.year), (Some(26), Some(3), 1999));

    let c = &d[1].individus[0].contrats[0];
    assert_eq!(c.arrets.len(), 1);
    assert_eq!(c.arrets[0].arret_reason(), Some("03"));
    assert_eq!(c.end_reason(), Some("043"));
    assert_eq!(c.number(), Some("00002529082019"));

    let c = &d[2].individus[0].contrats[0];
    assert_eq!(c.nature(), Some("02"));
    assert_eq!(c.planned_end(), ymd(2025, 12, 23));
    assert_eq!(c.end_date(), ymd(2025, 12, 23));
    assert_eq!(c.end_reason(), Some("031"));
    assert!(c.arrets.is_empty());

    // Diagnostics: the U+FFFD, the 35 platform rubrics, nothing worse than warnings.
    let fffd: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|x| x.code == "replacement-char")
        .collect();
    assert_eq!(fffd.len(), 1);
    assert_eq!(fffd[0].line, 124);
    assert_eq!(fffd[0].rubric.as_deref(), Some("S21.G00.40.006"));
    assert_eq!(s.replacement_chars, 1);
    let platform = r
        .diagnostics
        .iter()
        .filter(|x| x.code == "non-norm-rubric")
        .count();
    assert_eq!(platform, 35);
    assert_eq!(s.non_norm_rubrics, 35);
    // Typed validation: the placeholder NIR '1234567890123' of each individual
    // fails the norm's NIR pattern (month 45 is not a valid month code).
    let invalid: Vec<u32> = r
        .diagnostics
        .iter()
        .filter(|x| x.code == "invalid-value")
        .map(|x| x.line)
        .collect();
    assert_eq!(invalid, vec![109, 271, 381]);
    assert!(r
        .diagnostics
        .iter()
        .any(|x| x.line == 26 && x.rubric.as_deref() == Some("S10.G00.95.001")));
    assert!(
        r.diagnostics
            .iter()
            .all(|x| x.severity <= Severity::Warning),
        "{:#?}",
        r.diagnostics
            .iter()
            .filter(|x| x.severity > Severity::Warning)
            .collect::<Vec<_>>()
    );
}

#[test]
fn public_lot_reads_the_same_gzipped() {
    let Some(path) = sample() else { return };
    use std::io::Write;
    let bytes = std::fs::read(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("lot.dsn.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&bytes).unwrap();
    enc.finish().unwrap();
    let plain = read_file(&path).unwrap();
    let zipped = read_file(&gz).unwrap();
    assert_eq!(plain.declarations, zipped.declarations);
    assert_eq!(zipped.summary.bytes, bytes.len() as u64);
}
