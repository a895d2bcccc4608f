//! File-level facts gathered by the reader: envois, S90 checks, lot envelope.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::decode::Encoding;
use crate::diag::Diagnostic;
use crate::model::Declaration;

/// The S90 totals of one envoi compared with what was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct S90Check {
    /// Line of S90.G00.90.
    pub line: u32,
    /// S90.G00.90.001 as written (None if absent or not a number).
    pub declared_lines: Option<u64>,
    /// Rubric lines read from the envoi's first S10 line to its S90 lines inclusive.
    pub counted_lines: u64,
    /// S90.G00.90.002 as written.
    pub declared_declarations: Option<u64>,
    /// S20.G00.05 blocks read in the envoi (including skipped ones).
    pub counted_declarations: u64,
}

impl S90Check {
    pub fn ok(&self) -> bool {
        self.declared_lines == Some(self.counted_lines)
            && self.declared_declarations == Some(self.counted_declarations)
    }
}

/// One envoi (S10 … S90) as seen by the reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvoiSummary {
    /// Line of S10.G00.00 (0 for an implicit envoi).
    pub line: u32,
    /// S10.G00.00.006.
    pub norm_version: Option<String>,
    /// S20 blocks read in this envoi.
    pub declarations: u64,
    /// Totals check; None when the envoi has no S90.
    pub s90: Option<S90Check>,
}

/// One group (S06 … S96) of a lot envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LotGroup {
    pub line: u32,
    /// S06.G51.00.001, e.g. `DSNOK`.
    pub code: Option<String>,
    /// S96.G51.00.002 (number of DSN in the group) as written.
    pub declared_dsn: Option<u64>,
    /// Envois read inside the group.
    pub envois: u64,
}

/// The lot envelope (S05 … S95), when present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LotSummary {
    pub line: u32,
    /// S05.G51.00.001, e.g. `V01R02`.
    pub version: Option<String>,
    /// S05.G51.00.002.
    pub id: Option<String>,
    pub groups: Vec<LotGroup>,
    /// S95.G51.00 seen.
    pub closed: bool,
}

/// File-level facts gathered while reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReadSummary {
    pub file: String,
    pub encoding: Encoding,
    pub bom: bool,
    pub bytes: u64,
    pub lines: u64,
    pub crlf_lines: u64,
    pub blank_lines: u64,
    pub rubric_lines: u64,
    /// Distinct S10.G00.00.006 values, in order of appearance.
    pub norm_versions: Vec<String>,
    pub envois: Vec<EnvoiSummary>,
    pub lot: Option<LotSummary>,
    pub declarations_read: u64,
    pub declarations_skipped: u64,
    pub non_norm_rubrics: u64,
    pub replacement_chars: u64,
    /// Diagnostics only counted because their kind hit the per-kind cap.
    pub suppressed_diagnostics: u64,
    /// Diagnostics per severity (info, warning, error, fatal), including suppressed ones.
    pub diagnostic_counts: [u64; 4],
    /// Diagnostics per code (e.g. `non-norm-rubric`), including suppressed ones.
    pub diagnostic_codes: BTreeMap<String, u64>,
}

impl ReadSummary {
    pub(crate) fn new(file: String) -> Self {
        Self {
            file,
            encoding: Encoding::Ascii,
            bom: false,
            bytes: 0,
            lines: 0,
            crlf_lines: 0,
            blank_lines: 0,
            rubric_lines: 0,
            norm_versions: Vec::new(),
            envois: Vec::new(),
            lot: None,
            declarations_read: 0,
            declarations_skipped: 0,
            non_norm_rubrics: 0,
            replacement_chars: 0,
            suppressed_diagnostics: 0,
            diagnostic_counts: [0; 4],
            diagnostic_codes: BTreeMap::new(),
        }
    }

    /// True when every envoi has an S90 whose totals match.
    pub fn s90_all_ok(&self) -> bool {
        self.envois
            .iter()
            .all(|e| e.s90.as_ref().is_some_and(S90Check::ok))
    }
}

/// Everything read from one file.
#[derive(Debug)]
pub struct FileRead {
    pub declarations: Vec<Declaration>,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: ReadSummary,
}
