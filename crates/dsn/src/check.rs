//! Per-file check report behind `ancrage dsn check FILE... [--json]`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::Path;

use serde::Serialize;

use crate::decode::Encoding;
use crate::diag::{Diagnostic, Severity};
use crate::reader::{DsnReader, EnvoiSummary, LotSummary};

/// How many diagnostics [`CheckReport::render_text`] lists (all are in the JSON).
const TEXT_DIAGNOSTICS: usize = 20;

/// Declarations of one nature and type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NatureTypeCount {
    /// S20.G00.05.001 (e.g. `01`), `??` when absent.
    pub nature: String,
    pub nature_label: &'static str,
    /// S20.G00.05.002 (e.g. `01`), `??` when absent.
    pub kind: String,
    pub kind_label: &'static str,
    pub count: u64,
}

/// What `dsn check` says about one file.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub file: String,
    /// No fatal diagnostic.
    pub ok: bool,
    pub encoding: Encoding,
    pub bom: bool,
    /// `lf`, `crlf`, `mixed` or `none`.
    pub line_endings: &'static str,
    pub bytes: u64,
    pub lines: u64,
    pub rubric_lines: u64,
    pub blank_lines: u64,
    pub norm_versions: Vec<String>,
    pub lot: Option<LotSummary>,
    pub envois: Vec<EnvoiSummary>,
    pub s90_all_ok: bool,
    pub declarations: u64,
    pub declarations_skipped: u64,
    pub by_nature_and_type: Vec<NatureTypeCount>,
    pub sirets: Vec<String>,
    /// Distinct declared months (S20.G00.05.005) as `YYYY-MM`.
    pub months: Vec<String>,
    /// Declarations without a declared month (signalements such as FCTU).
    pub declarations_without_month: u64,
    pub individuals: u64,
    pub contracts: u64,
    pub non_norm_rubrics: u64,
    /// Per severity: info, warning, error, fatal (suppressed repeats included).
    pub diagnostics_by_severity: BTreeMap<Severity, u64>,
    /// Per diagnostic code (suppressed repeats included).
    pub diagnostics_by_code: BTreeMap<String, u64>,
    /// The diagnostics kept (repeats beyond the per-kind cap are only counted).
    pub diagnostics: Vec<Diagnostic>,
}

/// English label of a declaration nature code.
pub fn nature_label(code: &str) -> &'static str {
    match code {
        "01" => "monthly DSN",
        "02" => "end of contract notice (before 2020)",
        "04" => "work stoppage notice",
        "05" => "return after work stoppage notice",
        "07" => "single end of contract notice (FCTU)",
        "08" => "variable data priming notice",
        "09" => "substitution DSN",
        "10" => "hiring notice (DPAE)",
        _ => "unknown nature",
    }
}

/// English label of a declaration type code.
pub fn kind_label(code: &str) -> &'static str {
    match code {
        "01" => "normal",
        "02" => "normal without individuals",
        "03" => "full cancel and replace",
        "04" => "cancel",
        "05" => "cancel and replace without individuals",
        _ => "unknown type",
    }
}

/// Read and check a file (plain or gzip). Never fails: an unreadable file
/// gives a report with a fatal diagnostic.
pub fn check_file(path: impl AsRef<Path>) -> CheckReport {
    let path = path.as_ref();
    match DsnReader::open(path) {
        Ok(r) => check_reader(r),
        Err(e) => {
            let name = path.display().to_string();
            let mut r = check_reader(DsnReader::new(&b""[..], name.clone()));
            r.ok = false;
            r.diagnostics = vec![Diagnostic {
                file: name,
                line: 0,
                rubric: None,
                severity: Severity::Fatal,
                code: "io",
                message: format!("cannot open: {e}"),
            }];
            r.diagnostics_by_severity = Severity::ALL.iter().map(|&s| (s, 0)).collect();
            r.diagnostics_by_severity.insert(Severity::Fatal, 1);
            r.diagnostics_by_code = BTreeMap::from([("io".to_string(), 1)]);
            r
        }
    }
}

/// Check several files on all cores (one file per thread at a time); reports
/// come back in the order of `paths`.
pub fn check_files<P: AsRef<Path> + Sync>(paths: &[P]) -> Vec<CheckReport> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<CheckReport>>> = Mutex::new(vec![None; paths.len()]);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = paths.get(i) else { break };
                let r = check_file(p);
                out.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
            });
        }
    });
    out.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// Check everything a reader yields (consumes it).
pub fn check_reader<R: BufRead>(mut reader: DsnReader<R>) -> CheckReport {
    let mut by_kind: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut sirets = BTreeSet::new();
    let mut months = BTreeSet::new();
    let (mut without_month, mut individuals, mut contracts) = (0, 0, 0);
    let mut diagnostics = Vec::new();
    while let Some(d) = reader.next_view() {
        let nature = d.nature_code().unwrap_or("??").to_string();
        let kind = d.kind_code().unwrap_or("??").to_string();
        *by_kind.entry((nature, kind)).or_insert(0) += 1;
        if let Some(s) = d.siret() {
            sirets.insert(s);
        }
        match d.month() {
            Some(m) => {
                months.insert(m.format("%Y-%m").to_string());
            }
            None => without_month += 1,
        }
        individuals += d.individus().len() as u64;
        contracts += d.contract_count() as u64;
        diagnostics.extend(reader.take_diagnostics());
    }
    diagnostics.extend(reader.take_diagnostics());
    let s = reader.summary();
    let line_endings = match (s.crlf_lines, s.lines) {
        (_, 0) => "none",
        (0, _) => "lf",
        (c, l) if c == l => "crlf",
        // A last line without terminator counts as neither.
        (c, l) if c + 1 == l => "crlf",
        _ => "mixed",
    };
    CheckReport {
        file: s.file.clone(),
        ok: s.diagnostic_counts[Severity::Fatal as usize] == 0,
        encoding: s.encoding,
        bom: s.bom,
        line_endings,
        bytes: s.bytes,
        lines: s.lines,
        rubric_lines: s.rubric_lines,
        blank_lines: s.blank_lines,
        norm_versions: s.norm_versions.clone(),
        lot: s.lot.clone(),
        envois: s.envois.clone(),
        s90_all_ok: s.s90_all_ok(),
        declarations: s.declarations_read,
        declarations_skipped: s.declarations_skipped,
        by_nature_and_type: by_kind
            .into_iter()
            .map(|((nature, kind), count)| NatureTypeCount {
                nature_label: nature_label(&nature),
                kind_label: kind_label(&kind),
                nature,
                kind,
                count,
            })
            .collect(),
        sirets: sirets.into_iter().collect(),
        months: months.into_iter().collect(),
        declarations_without_month: without_month,
        individuals,
        contracts,
        non_norm_rubrics: s.non_norm_rubrics,
        diagnostics_by_severity: Severity::ALL
            .iter()
            .map(|&sev| (sev, s.diagnostic_counts[sev as usize]))
            .collect(),
        diagnostics_by_code: s.diagnostic_codes.clone(),
        diagnostics,
    }
}

impl CheckReport {
    pub fn has_fatal(&self) -> bool {
        !self.ok
    }

    fn count(&self, sev: Severity) -> u64 {
        self.diagnostics_by_severity.get(&sev).copied().unwrap_or(0)
    }

    /// Human-readable rendering (English), a few lines per file.
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        let status = if self.ok { "OK" } else { "FATAL" };
        let _ = writeln!(o, "{}: {status}", self.file);
        let bom = if self.bom { " with BOM" } else { "" };
        let _ = writeln!(
            o,
            "  encoding: {}{bom}; line endings: {}; {} bytes, {} lines ({} rubric, {} blank)",
            self.encoding,
            self.line_endings,
            self.bytes,
            self.lines,
            self.rubric_lines,
            self.blank_lines
        );
        let versions = if self.norm_versions.is_empty() {
            "none".to_string()
        } else {
            self.norm_versions.join(", ")
        };
        let _ = writeln!(o, "  norm versions: {versions}");
        if let Some(lot) = &self.lot {
            let groups: Vec<String> = lot
                .groups
                .iter()
                .map(|g| {
                    let declared = g.declared_dsn.map_or("?".into(), |n| n.to_string());
                    format!(
                        "{} {}/{declared} DSN",
                        g.code.as_deref().unwrap_or("?"),
                        g.envois
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "  lot envelope: {} #{}, groups: {}{}",
                lot.version.as_deref().unwrap_or("?"),
                lot.id.as_deref().unwrap_or("?"),
                groups.join(", "),
                if lot.closed { "" } else { " (not closed)" }
            );
        }
        let s90 = if self.s90_all_ok {
            "all S90 totals match"
        } else {
            "S90 problems"
        };
        let _ = writeln!(o, "  envois: {} ({s90})", self.envois.len());
        for (i, e) in self.envois.iter().enumerate() {
            let check = match &e.s90 {
                None => "no S90".to_string(),
                Some(c) => format!(
                    "S90 lines {}/{} declarations {}/{} {}",
                    c.counted_lines,
                    c.declared_lines.map_or("?".into(), |n| n.to_string()),
                    c.counted_declarations,
                    c.declared_declarations
                        .map_or("?".into(), |n| n.to_string()),
                    if c.ok() { "ok" } else { "MISMATCH" }
                ),
            };
            let _ = writeln!(
                o,
                "    #{} line {}: {}, {} declaration(s), {check}",
                i + 1,
                e.line,
                e.norm_version.as_deref().unwrap_or("no version"),
                e.declarations
            );
        }
        let _ = writeln!(
            o,
            "  declarations: {} read, {} skipped",
            self.declarations, self.declarations_skipped
        );
        for k in &self.by_nature_and_type {
            let _ = writeln!(
                o,
                "    nature {} {} / type {} {}: {}",
                k.nature, k.nature_label, k.kind, k.kind_label, k.count
            );
        }
        let _ = writeln!(
            o,
            "  SIRETs ({}): {}",
            self.sirets.len(),
            abbreviate(&self.sirets, 10)
        );
        let _ = writeln!(
            o,
            "  months: {}{}",
            if self.months.is_empty() {
                "none".into()
            } else {
                abbreviate(&self.months, 24)
            },
            if self.declarations_without_month > 0 {
                format!(
                    " ({} declaration(s) without month)",
                    self.declarations_without_month
                )
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            o,
            "  individuals: {}, contracts: {}",
            self.individuals, self.contracts
        );
        let _ = writeln!(
            o,
            "  diagnostics: {} fatal, {} error, {} warning, {} info",
            self.count(Severity::Fatal),
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info)
        );
        for (code, n) in &self.diagnostics_by_code {
            let _ = writeln!(o, "    {code}: {n}");
        }
        let mut shown: Vec<&Diagnostic> = self.diagnostics.iter().collect();
        shown.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.line));
        for d in shown.iter().take(TEXT_DIAGNOSTICS) {
            let _ = writeln!(o, "    {}: {d}", d.severity);
        }
        if shown.len() > TEXT_DIAGNOSTICS {
            let _ = writeln!(
                o,
                "    … {} more (use --json for all)",
                shown.len() - TEXT_DIAGNOSTICS
            );
        }
        o
    }
}

fn abbreviate(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!("{}, … (+{})", items[..max].join(", "), items.len() - max)
    }
}
