//! Diagnostics: every problem found while reading carries its file, line,
//! rubric, severity and an English message.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

/// How bad a problem is.
///
/// - `Info`: a fact worth knowing (encoding chosen, BOM stripped…).
/// - `Warning`: the data was kept but does not follow the norm.
/// - `Error`: some data was dropped (a line, a block or a whole declaration).
/// - `Fatal`: the file could not be read further.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Fatal,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Warning,
        Severity::Error,
        Severity::Fatal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line (0 when the problem concerns the whole file).
    pub line: u32,
    /// Full rubric (`S21.G00.40.001`) or block (`S21.G00.40`) concerned.
    pub rubric: Option<String>,
    pub severity: Severity,
    /// Stable machine-readable kind, e.g. `non-norm-rubric`, `s90-mismatch`.
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    /// `file:line: rubric: message` (rubric omitted when absent).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(r) = &self.rubric {
            write!(f, "{r}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Collects diagnostics for one file, capping repeats of the same kind so that
/// a huge file with one systematic defect keeps bounded memory.
#[derive(Debug)]
pub(crate) struct DiagSink {
    file: String,
    max_per_kind: usize,
    items: Vec<Diagnostic>,
    per_kind: HashMap<(&'static str, Option<String>), usize>,
    pub(crate) suppressed: u64,
    pub(crate) counts: [u64; 4],
}

impl DiagSink {
    pub(crate) fn new(file: String, max_per_kind: usize) -> Self {
        Self {
            file,
            max_per_kind,
            items: Vec::new(),
            per_kind: HashMap::new(),
            suppressed: 0,
            counts: [0; 4],
        }
    }

    pub(crate) fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        line: u32,
        rubric: Option<String>,
        message: impl Into<String>,
    ) {
        self.counts[severity as usize] += 1;
        let n = self.per_kind.entry((code, rubric.clone())).or_insert(0);
        *n += 1;
        if severity < Severity::Fatal && *n > self.max_per_kind {
            self.suppressed += 1;
            return;
        }
        self.items.push(Diagnostic {
            file: self.file.clone(),
            line,
            rubric,
            severity,
            code,
            message: message.into(),
        });
    }

    /// Occurrences per diagnostic code (suppressed repeats included).
    pub(crate) fn code_counts(&self) -> std::collections::BTreeMap<String, u64> {
        let mut m = std::collections::BTreeMap::new();
        for ((code, _), n) in &self.per_kind {
            *m.entry((*code).to_string()).or_insert(0) += *n as u64;
        }
        m
    }

    pub(crate) fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub(crate) fn take(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_file_line_rubric_message() {
        let d = Diagnostic {
            file: "a.dsn".into(),
            line: 12,
            rubric: Some("S21.G00.40.001".into()),
            severity: Severity::Warning,
            code: "x",
            message: "bad date".into(),
        };
        assert_eq!(d.to_string(), "a.dsn:12: S21.G00.40.001: bad date");
    }

    #[test]
    fn repeats_are_capped_but_counted() {
        let mut s = DiagSink::new("f".into(), 2);
        for i in 0..5 {
            s.push(Severity::Warning, "k", i, None, "m");
        }
        assert_eq!(s.items().len(), 2);
        assert_eq!(s.suppressed, 3);
        assert_eq!(s.counts[Severity::Warning as usize], 5);
    }
}
