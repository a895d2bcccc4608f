//! One hand-written fixture per item of the messy-data list (dsn-format.md §9),
//! each asserting what is kept and what is reported. Expected values were
//! computed by reading the fixtures (line numbers from `grep -n`, S90 totals
//! counted when the fixtures were written), not copied from the reader.
//!
//! | §9 item | fixture |
//! |---|---|
//! | 1 encodings | 01_latin1, 01_utf8_bom, 01_utf8_one_bad_byte |
//! | 2 line endings, blanks | 02_crlf_blank_no_final_eol |
//! | 3 several envois/declarations, lot | 03_lot_two_envois_three_declarations |
//! | 4 non-norm rubrics, unknown codes | 04_non_norm_rubrics |
//! | 5 norm versions | 05_norm_versions |
//! | 6 annule et remplace | 06_annule_et_remplace |
//! | 7 fractions | 07_fractions |
//! | 8 contracts redeclared monthly | 08_contract_redeclared |
//! | 9 identifier changes | 09_identifier_changes |
//! | 10 NTT | 10_ntt_only |
//! | 11 contract end, cancellations | 11_end_and_cancellations |
//! | 12, 13 temporary work, lieux de travail | 12_temporary_work_lieux |
//! | 14 quotité, hours | 14_quotite_hours |
//! | 15 negative amounts, 99 dates, placeholders, out of order | 15_negative_99_out_of_order |
//! | 16 non-conforming exports | 16_nonconforming_export |
//! | malformed declaration skipped (issue item 4) | 17_malformed_declaration |
//! | S90 mismatch, truncated envoi | 18_s90_mismatch_truncated |

use std::path::PathBuf;

use ancrage_dsn::{
    read_file, ArretExt, Diagnostic, Encoding, FileRead, Nature, Severity, Sex, SuspensionExt,
};
use chrono::NaiveDate;

fn read(name: &str) -> FileRead {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    read_file(p).unwrap()
}

fn with_code<'a>(r: &'a FileRead, code: &str) -> Vec<&'a Diagnostic> {
    r.diagnostics.iter().filter(|d| d.code == code).collect()
}

fn lines_of(r: &FileRead, code: &str) -> Vec<u32> {
    with_code(r, code).iter().map(|d| d.line).collect()
}

fn worst(r: &FileRead) -> Severity {
    r.diagnostics
        .iter()
        .map(|d| d.severity)
        .max()
        .unwrap_or(Severity::Info)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[test]
fn item01_latin1_file() {
    let r = read("01_latin1.dsn");
    assert_eq!(r.summary.encoding, Encoding::Windows1252);
    let c = &r.declarations[0].individus[0].contrats[0];
    assert_eq!(c.block.get(6), Some("Cœur de métier été"));
    assert_eq!(lines_of(&r, "encoding"), vec![24]);
    assert!(worst(&r) <= Severity::Warning);
    assert!(r.summary.s90_all_ok());
}

#[test]
fn item01_utf8_with_bom() {
    let r = read("01_utf8_bom.dsn");
    assert_eq!(r.summary.encoding, Encoding::Utf8);
    assert!(r.summary.bom);
    assert_eq!(lines_of(&r, "bom"), vec![1]);
    let d = &r.declarations[0];
    // The BOM must not spoil the first rubric of the envoi.
    assert_eq!(d.envoi.blocks[0].get(1), Some("LOGICIEL"));
    assert_eq!(
        d.individus[0].contrats[0].block.get(6),
        Some("Cœur de métier été")
    );
    assert!(r.summary.s90_all_ok());
}

#[test]
fn item01_utf8_file_with_one_bad_byte() {
    let r = read("01_utf8_one_bad_byte.dsn");
    // The stray byte comes first (line 17) but the file is UTF-8.
    assert_eq!(r.summary.encoding, Encoding::Utf8);
    assert_eq!(lines_of(&r, "invalid-utf8"), vec![17]);
    let d = &r.declarations[0];
    assert_eq!(d.town(), Some("SAINT-ÉTIENNE"));
    // The norm's localité pattern is [A-Za-z0-9\s]+: accents are reported.
    assert_eq!(lines_of(&r, "invalid-value"), vec![17]);
    assert_eq!(
        d.individus[0].contrats[0].block.get(6),
        Some("Cœur de métier été")
    );
}

#[test]
fn item02_crlf_blank_lines_trailing_spaces_no_final_newline() {
    let r = read("02_crlf_blank_no_final_eol.dsn");
    let s = &r.summary;
    assert_eq!(s.lines, 30);
    assert_eq!(s.blank_lines, 2);
    assert_eq!(s.rubric_lines, 28);
    assert_eq!(s.crlf_lines, 29, "the last line has no terminator");
    assert_eq!(r.declarations.len(), 1);
    assert_eq!(r.declarations[0].envoi.test_or_real(), Some("01"));
    assert_eq!(lines_of(&r, "spaces"), vec![6]);
    assert_eq!(
        r.declarations[0].envoi.blocks[0].get(8),
        Some("01"),
        "no \\r left in values"
    );
    assert!(s.s90_all_ok());
    assert!(worst(&r) <= Severity::Info);
}

#[test]
fn item03_lot_with_two_envois_and_three_declarations() {
    let r = read("03_lot_two_envois_three_declarations.dsn");
    let s = &r.summary;
    assert_eq!(s.envois.len(), 2);
    assert_eq!(s.envois[0].declarations, 2);
    assert_eq!(s.envois[1].declarations, 1);
    let lot = s.lot.as_ref().unwrap();
    assert_eq!(lot.id.as_deref(), Some("42"));
    assert_eq!(lot.groups.len(), 1);
    assert_eq!(
        (lot.groups[0].declared_dsn, lot.groups[0].envois),
        (Some(2), 2)
    );
    assert!(lot.closed);
    let sirets: Vec<String> = r.declarations.iter().map(|d| d.siret().unwrap()).collect();
    assert_eq!(
        sirets,
        vec!["12345678900012", "12345678900020", "12345678900038"]
    );
    let inds: Vec<usize> = r.declarations.iter().map(|d| d.individus.len()).collect();
    assert_eq!(inds, vec![1, 1, 2]);
    assert_eq!(r.declarations[1].individus[0].sex(), Some(Sex::Female));
    assert_eq!(r.declarations[2].month(), ymd(2024, 4, 1));
    // Declarations of one envoi share its header.
    assert!(std::sync::Arc::ptr_eq(
        &r.declarations[0].envoi,
        &r.declarations[1].envoi
    ));
    assert!(!std::sync::Arc::ptr_eq(
        &r.declarations[1].envoi,
        &r.declarations[2].envoi
    ));
    assert!(s.s90_all_ok());
    assert!(worst(&r) <= Severity::Info, "{:#?}", r.diagnostics);
}

#[test]
fn item04_non_norm_rubrics_and_unknown_codes_are_kept_and_reported() {
    let r = read("04_non_norm_rubrics.dsn");
    assert_eq!(lines_of(&r, "non-norm-rubric"), vec![8, 9, 15, 21, 31]);
    assert_eq!(r.summary.non_norm_rubrics, 5);
    // Nature 10, dispositif 83 and motif 119 are not in the P24V01 lists.
    assert_eq!(lines_of(&r, "invalid-value"), vec![10, 29, 33]);
    let d = &r.declarations[0];
    let platform = d.envoi.blocks.iter().find(|b| b.id.b == 95).unwrap();
    assert_eq!(platform.get(900), Some("XXX"));
    assert_eq!(d.header_other[0].get(902), Some("1"));
    assert_eq!(
        d.etablissement.as_ref().unwrap().get(904),
        Some("PLATEFORME")
    );
    let c = &d.individus[0].contrats[0];
    assert_eq!(c.block.get(999), Some("X"));
    // Codes of other norm versions are kept raw.
    assert_eq!(d.nature(), Some(Nature::Dpae));
    assert_eq!(c.dispositif(), Some("83"));
    assert_eq!(c.end_reason(), Some("119"));
    assert!(worst(&r) <= Severity::Warning);
    assert!(r.summary.s90_all_ok());
}

#[test]
fn item05_several_norm_versions() {
    let r = read("05_norm_versions.dsn");
    assert_eq!(r.summary.norm_versions, vec!["P24V01", "P26V01"]);
    let d = &r.declarations[1];
    assert_eq!(d.envoi.norm_version(), Some("P26V01"));
    assert_eq!(d.individus[0].block.get(30), Some("01"));
    assert_eq!(d.individus[0].contrats[0].block.get(82), Some("10"));
    // A P26 rubric is reported in the P24 envoi only.
    assert_eq!(lines_of(&r, "later-norm-rubric"), vec![27]);
    assert_eq!(
        r.declarations[0].individus[0].contrats[0].block.get(83),
        Some("0800")
    );
    assert!(with_code(&r, "invalid-value").is_empty());
    assert!(worst(&r) <= Severity::Warning);
}

#[test]
fn item06_annule_et_remplace_declarations_are_all_kept() {
    let r = read("06_annule_et_remplace.dsn");
    let kinds: Vec<&str> = r
        .declarations
        .iter()
        .map(|d| d.kind_code().unwrap())
        .collect();
    assert_eq!(kinds, vec!["01", "03", "04"]);
    let orders: Vec<u64> = r
        .declarations
        .iter()
        .map(|d| d.order_number().unwrap())
        .collect();
    assert_eq!(orders, vec![1, 2, 3]);
    assert_eq!(r.declarations[1].header.get(6), Some("010320241"));
    let annule = &r.declarations[2];
    assert_eq!(annule.nature(), Some(Nature::FinContrat));
    assert!(annule.individus.is_empty());
    assert_eq!(annule.month(), None);
    assert!(r.summary.s90_all_ok());
}

#[test]
fn item07_fractions() {
    let r = read("07_fractions.dsn");
    let f: Vec<(u8, u8)> = r
        .declarations
        .iter()
        .map(|d| d.fraction().unwrap())
        .collect();
    assert_eq!(f, vec![(1, 2), (2, 2)]);
    assert_eq!(r.declarations[0].siret(), r.declarations[1].siret());
    assert_eq!(r.declarations[0].month(), r.declarations[1].month());
}

#[test]
fn item08_contract_redeclared_every_month() {
    let r = read("08_contract_redeclared.dsn");
    assert_eq!(r.declarations.len(), 2);
    let months: Vec<_> = r.declarations.iter().map(|d| d.month()).collect();
    assert_eq!(months, vec![ymd(2024, 1, 1), ymd(2024, 2, 1)]);
    for d in &r.declarations {
        let c = &d.individus[0].contrats[0];
        assert_eq!((c.number(), c.start()), (Some("C0001"), ymd(2023, 11, 15)));
    }
}

#[test]
fn item09_identifier_changes() {
    let r = read("09_identifier_changes.dsn");
    let ind = &r.declarations[0].individus[0];
    assert_eq!(ind.other.len(), 1);
    assert_eq!(ind.other[0].id.to_string(), "S21.G00.31");
    assert_eq!(ind.other[0].get(8), Some("1800175999999"));
    let c = &ind.contrats[0];
    assert_eq!(c.changements.len(), 1);
    assert_eq!(c.changements[0].get(12), Some("12345678900099"));
    assert_eq!(c.changements[0].get(14), Some("OLD01"));
    assert!(worst(&r) <= Severity::Warning);
}

#[test]
fn item10_ntt_only_individuals_start_new_instances() {
    let r = read("10_ntt_only.dsn");
    let inds = &r.declarations[0].individus;
    assert_eq!(inds.len(), 3);
    assert_eq!(inds[0].nir(), Some("1800175123456"));
    assert!(inds[0].contrats.is_empty());
    assert_eq!((inds[1].nir(), inds[1].ntt()), (None, Some("11234567890")));
    assert_eq!((inds[2].nir(), inds[2].ntt()), (None, Some("21234567890")));
    assert_eq!(inds[2].sex(), Some(Sex::Female));
    assert_eq!(inds[1].contrats.len(), 1);
    assert_eq!(inds[2].contrats[0].number(), Some("00002"));
    // The first individual has no contract, so two S21.G00.30 follow each
    // other: the split is reported where the rubric number went down.
    let split = with_code(&r, "instance-split");
    assert_eq!(split.len(), 1);
    assert_eq!(
        (split[0].line, split[0].rubric.as_deref()),
        (23, Some("S21.G00.30.002"))
    );
}

#[test]
fn item11_contract_end_and_cancellation_codes() {
    let r = read("11_end_and_cancellations.dsn");
    let c = &r.declarations[0].individus[0].contrats[0];
    assert_eq!(c.nature(), Some("02"));
    assert_eq!(c.planned_end(), ymd(2024, 6, 30));
    assert_eq!(c.arrets[0].arret_reason(), Some("99"));
    assert_eq!(c.arrets[0].last_day_worked(), ymd(2024, 3, 1));
    assert_eq!(c.end_date(), ymd(2024, 3, 15));
    assert_eq!(c.end_reason(), Some("099"));
    assert_eq!(c.suspensions[0].suspension_reason(), Some("998"));
    assert_eq!(c.suspensions[0].suspension_start(), ymd(2024, 3, 1));
    assert!(worst(&r) <= Severity::Warning);
}

#[test]
fn item12_13_temporary_work_and_lieux_de_travail_after_individuals() {
    let r = read("12_temporary_work_lieux.dsn");
    let d = &r.declarations[0];
    assert_eq!(d.individus.len(), 2);
    let sites: Vec<&str> = d
        .individus
        .iter()
        .map(|i| i.contrats[0].block.get(19).unwrap())
        .collect();
    assert_eq!(sites, vec!["98765432100017", "SITE2"]);
    assert!(d
        .individus
        .iter()
        .all(|i| i.contrats[0].nature() == Some("03")));
    let lieux: Vec<(&str, &str)> = d
        .lieux_travail
        .iter()
        .map(|b| (b.get(1).unwrap(), b.get(11).unwrap()))
        .collect();
    assert_eq!(lieux, vec![("98765432100017", "75111"), ("SITE2", "69123")]);
    assert!(with_code(&r, "out-of-order").is_empty());
}

#[test]
fn item14_quotite_and_activity_blocks() {
    let r = read("14_quotite_hours.dsn");
    let ind = &r.declarations[0].individus[0];
    assert_eq!(ind.contrats[0].block.get(12), Some("151.67"));
    // Kept as written, even with a comma decimal separator.
    assert_eq!(ind.contrats[0].block.get(13), Some("151,67"));
    assert_eq!(lines_of(&r, "invalid-value"), vec![29]);
    let ids: Vec<String> = ind.other.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(ids, vec!["S21.G00.50", "S21.G00.51", "S21.G00.53"]);
    assert_eq!(ind.other[2].get(2), Some("151.67"));
}

#[test]
fn item15_negative_amounts_99_dates_placeholders_out_of_order() {
    let r = read("15_negative_99_out_of_order.dsn");
    let ind = &r.declarations[0].individus[0];
    assert_eq!(ind.nir(), Some("1234567890123"));
    // A placeholder NIR fails the norm's NIR pattern (kept, reported).
    assert_eq!(lines_of(&r, "invalid-value"), vec![18]);
    let b = ind.birth_date().unwrap();
    assert_eq!((b.day, b.month, b.year), (None, None, 1980));
    assert_eq!(ind.other.len(), 2);
    assert_eq!(ind.other[1].get(13), Some("-120.00"));
    // The S21.G00.62 after the payment blocks goes to the last contract.
    let c = &ind.contrats[0];
    assert_eq!(c.end_reason(), Some("059"));
    assert_eq!(c.end_date(), ymd(2024, 3, 31));
    let ooo = with_code(&r, "out-of-order");
    assert_eq!(ooo.len(), 1);
    assert_eq!(ooo[0].line, 32);
    assert_eq!(ooo[0].rubric.as_deref(), Some("S21.G00.62"));
    assert_eq!(ooo[0].severity, Severity::Warning);
}

#[test]
fn item16_nonconforming_export() {
    let r = read("16_nonconforming_export.dsn");
    assert_eq!(lines_of(&r, "comment"), vec![1]);
    let h = with_code(&r, "block-header-line");
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].line, h[0].rubric.as_deref()),
        (19, Some("S21.G00.30"))
    );
    let c = &r.declarations[0].individus[0].contrats[0];
    assert_eq!(c.block.get(1), Some("20240101"));
    assert_eq!(c.start(), None, "YYYYMMDD is not a norm date");
    assert_eq!(lines_of(&r, "invalid-value"), vec![25]);
    assert_eq!(r.declarations[0].individus.len(), 1);
    assert!(r.summary.s90_all_ok());
    assert!(worst(&r) <= Severity::Warning);
}

#[test]
fn item17_malformed_declaration_skipped_valid_ones_kept() {
    let r = read("17_malformed_declaration.dsn");
    let sirets: Vec<String> = r.declarations.iter().map(|d| d.siret().unwrap()).collect();
    assert_eq!(
        sirets,
        vec!["12345678900012", "12345678900038", "12345678900046"]
    );
    assert_eq!(r.summary.declarations_read, 3);
    assert_eq!(r.summary.declarations_skipped, 1);
    let m = with_code(&r, "malformed-declaration");
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].line, m[0].severity), (27, Severity::Error));
    assert!(m[0].message.contains("S21.G00.11"));
    // Lines between S90 and the next S10 are dropped and reported.
    let o = with_code(&r, "orphan-block");
    assert_eq!(o.len(), 1);
    assert_eq!((o[0].line, o[0].severity), (64, Severity::Error));
    assert_eq!(lines_of(&r, "no-value"), vec![66]);
    // S90 counts every S20, the skipped one included.
    assert!(r.summary.s90_all_ok());
}

#[test]
fn item18_s90_mismatch_and_truncated_envoi() {
    let r = read("18_s90_mismatch_truncated.dsn");
    let s = &r.summary;
    assert_eq!(r.declarations.len(), 2, "both declarations kept");
    let c = s.envois[0].s90.as_ref().unwrap();
    assert_eq!((c.declared_lines, c.counted_lines), (Some(99), 28));
    assert_eq!(
        (c.declared_declarations, c.counted_declarations),
        (Some(1), 1)
    );
    assert!(s.envois[1].s90.is_none());
    assert!(!s.s90_all_ok());
    let m = with_code(&r, "s90-mismatch");
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].line, m[0].rubric.as_deref()),
        (27, Some("S90.G00.90.001"))
    );
    assert_eq!(lines_of(&r, "no-s90"), vec![29]);
}

#[test]
fn valid_fixtures_have_no_invalid_values() {
    for name in [
        "01_latin1.dsn",
        "01_utf8_bom.dsn",
        "02_crlf_blank_no_final_eol.dsn",
        "03_lot_two_envois_three_declarations.dsn",
        "06_annule_et_remplace.dsn",
        "07_fractions.dsn",
        "08_contract_redeclared.dsn",
        "09_identifier_changes.dsn",
        "10_ntt_only.dsn",
        "11_end_and_cancellations.dsn",
        "12_temporary_work_lieux.dsn",
    ] {
        let r = read(name);
        let bad = with_code(&r, "invalid-value");
        assert!(bad.is_empty(), "{name}: {bad:#?}");
    }
}
