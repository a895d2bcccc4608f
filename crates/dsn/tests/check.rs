//! The check report on the public sample, a missing file and a skipped declaration.

use std::path::PathBuf;

use ancrage_dsn::{check_file, check_files, check_reader, DsnReader, Severity};

#[test]
fn report_on_public_lot() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/dsn-samples/open-neodes_sample_dsn_P25V01_fctu_lot.dsn");
    if !p.exists() {
        eprintln!("note: {} absent, test skipped", p.display());
        return;
    }
    let r = check_file(&p);
    assert!(r.ok);
    assert_eq!(r.encoding.as_str(), "utf-8");
    assert_eq!(r.line_endings, "lf");
    assert_eq!(r.norm_versions, vec!["P25V01"]);
    assert_eq!(r.envois.len(), 3);
    assert!(r.s90_all_ok);
    assert_eq!(r.declarations, 3);
    assert_eq!(r.by_nature_and_type.len(), 1);
    assert_eq!(r.by_nature_and_type[0].nature, "07");
    assert_eq!(r.by_nature_and_type[0].kind, "01");
    assert_eq!(r.by_nature_and_type[0].count, 3);
    assert_eq!(
        r.sirets,
        vec!["98765432100013", "98765432100022", "98765432100033"]
    );
    assert!(r.months.is_empty());
    assert_eq!(r.declarations_without_month, 3);
    assert_eq!((r.individuals, r.contracts), (3, 3));
    assert_eq!(r.diagnostics_by_code.get("non-norm-rubric"), Some(&35));
    assert_eq!(r.diagnostics_by_code.get("replacement-char"), Some(&1));
    assert_eq!(r.diagnostics_by_severity[&Severity::Fatal], 0);
    assert_eq!(r.diagnostics_by_severity[&Severity::Error], 0);

    let text = r.render_text();
    println!("{text}");
    assert!(text.contains("envois: 3 (all S90 totals match)"));
    assert!(text.contains("nature 07 single end of contract notice (FCTU) / type 01 normal: 3"));
    assert!(text.contains("lot envelope: V01R02 #769608, groups: DSNOK 3/3 DSN"));

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["declarations"], 3);
    assert_eq!(
        json["diagnostics_by_severity"]["warning"],
        r.diagnostics_by_severity[&Severity::Warning]
    );
    assert_eq!(json["envois"][1]["s90"]["declared_lines"], 155);
}

#[test]
fn missing_file_is_fatal_not_a_panic() {
    let r = check_file("/nonexistent/x.dsn");
    assert!(!r.ok);
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].severity, Severity::Fatal);
    assert!(r.render_text().contains("FATAL"));
}

#[test]
fn monthly_months_and_skipped_declaration_counts() {
    let text = "\
S10.G00.00.006,'P24V01'
S20.G00.05.001,'01'
S20.G00.05.002,'03'
S20.G00.05.005,'01032024'
S21.G00.06.001,'123456789'
S21.G00.11.001,'00012'
S20.G00.05.001,'01'
S20.G00.05.005,'01042024'
S21.G00.06.001,'123456789'
S90.G00.90.001,'11'
S90.G00.90.002,'2'
";
    let r = check_reader(DsnReader::new(text.as_bytes(), "m.dsn"));
    assert!(r.ok);
    assert_eq!(r.months, vec!["2024-03"]);
    assert_eq!(r.declarations, 1);
    assert_eq!(r.declarations_skipped, 1);
    assert_eq!(
        r.by_nature_and_type[0].kind_label,
        "full cancel and replace"
    );
    assert_eq!(r.diagnostics_by_code.get("malformed-declaration"), Some(&1));
    assert!(r.s90_all_ok);
}

#[test]
fn several_files_in_parallel_keep_their_order() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let paths = vec![
        dir.join("03_lot_two_envois_three_declarations.dsn"),
        dir.join("missing.dsn"),
        dir.join("07_fractions.dsn"),
    ];
    let r = check_files(&paths);
    assert_eq!(r.len(), 3);
    assert_eq!((r[0].declarations, r[0].envois.len()), (3, 2));
    assert!(!r[1].ok);
    assert_eq!(r[2].declarations, 2);
    assert!(r[2].file.ends_with("07_fractions.dsn"));
}
