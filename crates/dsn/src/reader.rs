//! The streaming reader: bytes → lines → blocks → [`Declaration`]s.
//!
//! [`DsnReader`] is an iterator yielding one declaration at a time, so memory
//! stays bounded by the largest declaration whatever the file size. Problems
//! are collected as [`Diagnostic`]s; file-level facts (encoding, norm versions,
//! envois, lot envelope, S90 checks) are in [`ReadSummary`].

mod tree;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::decode::{parse_line, DecodeEvent, Encoding, LineDecoder, LineKind, RubricLine};
use crate::diag::{DiagSink, Diagnostic, Severity};
use crate::model::{ids, Block, BlockId, Declaration, Field};
use crate::norm;
pub use crate::summary::{EnvoiSummary, FileRead, LotGroup, LotSummary, ReadSummary, S90Check};
use tree::{DeclBuilder, EnvoiState};

/// Reader settings.
#[derive(Clone, Debug)]
pub struct ReaderOptions {
    /// At most this many diagnostics of one kind and rubric are kept per file;
    /// the rest are only counted (`ReadSummary::suppressed_diagnostics`).
    pub max_diagnostics_per_kind: usize,
    /// Lines longer than this are skipped with an error (bounded memory).
    pub max_line_bytes: usize,
    /// Validate values against the norm's data types (regex, length, codes).
    pub validate_types: bool,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            max_diagnostics_per_kind: 100,
            max_line_bytes: 64 * 1024,
            validate_types: true,
        }
    }
}

/// Read a whole file (plain or gzip) into memory.
pub fn read_file(path: impl AsRef<Path>) -> io::Result<FileRead> {
    let mut r = DsnReader::open(path)?;
    let declarations: Vec<Declaration> = r.by_ref().collect();
    let diagnostics = r.take_diagnostics();
    Ok(FileRead {
        declarations,
        diagnostics,
        summary: r.summary().clone(),
    })
}

/// Read DSN text from memory (tests, fuzzing, small inputs).
pub fn read_bytes(name: &str, bytes: &[u8]) -> FileRead {
    let mut r = DsnReader::new(bytes, name);
    let declarations: Vec<Declaration> = r.by_ref().collect();
    let diagnostics = r.take_diagnostics();
    FileRead {
        declarations,
        diagnostics,
        summary: r.summary().clone(),
    }
}

/// Streaming DSN reader over any [`BufRead`]; iterate to get declarations.
pub struct DsnReader<R: BufRead = Box<dyn BufRead + Send>> {
    src: R,
    opts: ReaderOptions,
    buf: Vec<u8>,
    line_no: u32,
    decoder: LineDecoder,
    diags: DiagSink,
    summary: ReadSummary,
    cur: Option<Block>,
    envoi: Option<EnvoiState>,
    decl: Option<DeclBuilder>,
    /// Index of the open lot group in `summary.lot.groups`.
    group_open: Option<usize>,
    ready: VecDeque<Declaration>,
    done: bool,
    /// The open envoi declares a norm later than the validation table's.
    later_norm: bool,
    valid_cache: norm::ValidCache,
}

impl DsnReader {
    /// Open a file; gzip input is recognised by its magic bytes.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::open_with(path, ReaderOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, opts: ReaderOptions) -> io::Result<Self> {
        let path = path.as_ref();
        let mut file = BufReader::with_capacity(256 * 1024, File::open(path)?);
        let gz = file.fill_buf()?.starts_with(&[0x1F, 0x8B]);
        let src: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                flate2::bufread::MultiGzDecoder::new(file),
            ))
        } else {
            Box::new(file)
        };
        Ok(DsnReader::with_options(
            src,
            path.display().to_string(),
            opts,
        ))
    }
}

impl<R: BufRead> DsnReader<R> {
    /// Read from `src`; `name` is the file name used in diagnostics.
    pub fn new(src: R, name: impl Into<String>) -> Self {
        Self::with_options(src, name, ReaderOptions::default())
    }

    pub fn with_options(src: R, name: impl Into<String>, opts: ReaderOptions) -> Self {
        let name = name.into();
        Self {
            src,
            diags: DiagSink::new(name.clone(), opts.max_diagnostics_per_kind),
            opts,
            buf: Vec::with_capacity(256),
            line_no: 0,
            decoder: LineDecoder::new(),
            summary: ReadSummary::new(name),
            cur: None,
            envoi: None,
            decl: None,
            group_open: None,
            ready: VecDeque::new(),
            done: false,
            later_norm: false,
            valid_cache: norm::ValidCache::new(),
        }
    }

    /// Diagnostics collected so far (and not yet taken).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.diags.items()
    }

    /// Drain the diagnostics collected so far (for long streams).
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        self.diags.take()
    }

    /// File-level facts; complete once the iterator returned `None`.
    pub fn summary(&self) -> &ReadSummary {
        &self.summary
    }

    pub fn encoding(&self) -> Encoding {
        self.decoder.encoding
    }

    pub fn norm_versions(&self) -> &[String] {
        &self.summary.norm_versions
    }

    pub fn envoi_count(&self) -> usize {
        self.summary.envois.len()
    }

    pub fn lot_seen(&self) -> bool {
        self.summary.lot.is_some()
    }

    pub fn s90_checks(&self) -> impl Iterator<Item = &S90Check> {
        self.summary.envois.iter().filter_map(|e| e.s90.as_ref())
    }

    fn diag(
        &mut self,
        sev: Severity,
        code: &'static str,
        line: u32,
        rubric: Option<String>,
        msg: impl Into<String>,
    ) {
        self.diags.push(sev, code, line, rubric, msg);
    }

    /// Read one raw line into `self.buf` (without terminator). Returns false at EOF.
    fn read_raw_line(&mut self) -> io::Result<bool> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let avail = match self.src.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            any = true;
            let (chunk, found, used) = match memchr_nl(avail) {
                Some(i) => (&avail[..i], true, i + 1),
                None => (avail, false, avail.len()),
            };
            if !too_long {
                if self.buf.len() + chunk.len() > self.opts.max_line_bytes {
                    too_long = true;
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            self.summary.bytes += used as u64;
            self.src.consume(used);
            if found {
                break;
            }
        }
        if !any {
            return Ok(false);
        }
        self.line_no = self.line_no.saturating_add(1);
        self.summary.lines += 1;
        if too_long {
            self.buf.clear();
            let l = self.line_no;
            let max = self.opts.max_line_bytes;
            self.diag(
                Severity::Error,
                "line-too-long",
                l,
                None,
                format!("line longer than {max} bytes skipped"),
            );
        } else if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
            self.summary.crlf_lines += 1;
        }
        Ok(true)
    }

    /// Process one line; returns false at end of input.
    fn step(&mut self) -> bool {
        match self.read_raw_line() {
            Ok(true) => {}
            Ok(false) => return false,
            Err(e) => {
                let l = self.line_no;
                self.diag(Severity::Fatal, "io", l, None, format!("read error: {e}"));
                return false;
            }
        }
        let line_no = self.line_no;
        let mut bytes = std::mem::take(&mut self.buf);
        let mut start = 0;
        if line_no == 1 {
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                start = 3;
                self.summary.bom = true;
                self.decoder.encoding = Encoding::Utf8;
                self.diag(
                    Severity::Info,
                    "bom",
                    1,
                    None,
                    "UTF-8 byte order mark skipped; file read as UTF-8",
                );
            } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                self.diag(
                    Severity::Fatal,
                    "utf16",
                    1,
                    None,
                    "UTF-16 input is not supported (convert to Latin-1 or UTF-8)",
                );
                self.buf = bytes;
                return false;
            }
        }
        self.handle_bytes(&bytes[start..], line_no);
        bytes.clear();
        self.buf = bytes;
        true
    }

    fn handle_bytes(&mut self, bytes: &[u8], line_no: u32) {
        if self.decoder.encoding == Encoding::Ascii && !bytes.is_ascii() {
            let lookahead = self.src.fill_buf().unwrap_or(&[]);
            let enc = self.decoder.decide(bytes, lookahead);
            self.diag(
                Severity::Info,
                "encoding",
                line_no,
                None,
                format!("first non-ASCII line: file read as {enc}"),
            );
        }
        let (text, ev) = self.decoder.decode(bytes);
        match ev {
            Some(DecodeEvent::Decided(enc)) => {
                self.diag(
                    Severity::Info,
                    "encoding",
                    line_no,
                    None,
                    format!("first non-ASCII line: file read as {enc}"),
                );
            }
            Some(DecodeEvent::InvalidUtf8) => {
                self.diag(
                    Severity::Warning,
                    "invalid-utf8",
                    line_no,
                    None,
                    "invalid UTF-8 in a UTF-8 file; line decoded as Windows-1252",
                );
            }
            None => {}
        }
        self.summary.encoding = self.decoder.encoding;
        if !bytes.is_ascii() && text.contains('\u{FFFD}') {
            self.summary.replacement_chars += text.matches('\u{FFFD}').count() as u64;
            let rubric = text.split(',').next().map(|s| s.trim().to_string());
            self.diag(
                Severity::Warning,
                "replacement-char",
                line_no,
                rubric,
                "U+FFFD replacement character: text damaged by an earlier lossy conversion",
            );
        }
        match parse_line(&text) {
            LineKind::Blank => self.summary.blank_lines += 1,
            LineKind::Comment => self.diag(
                Severity::Warning,
                "comment",
                line_no,
                None,
                "comment line ignored",
            ),
            LineKind::BlockHeader(b) => self.diag(
                Severity::Warning,
                "block-header-line",
                line_no,
                Some(b.to_string()),
                "block header line without rubric number ignored",
            ),
            LineKind::BadRubric(r) => {
                let r = truncate(r, 40);
                self.diag(
                    Severity::Error,
                    "bad-rubric",
                    line_no,
                    None,
                    format!("not a rubric identifier: {r:?}; line skipped"),
                );
            }
            LineKind::NoValue(r) => {
                let r = truncate(r, 40);
                self.diag(
                    Severity::Error,
                    "no-value",
                    line_no,
                    None,
                    format!("no ,'value' after {r:?}; line skipped"),
                );
            }
            LineKind::Rubric(r) => self.handle_rubric(r, line_no),
        }
    }

    fn handle_rubric(&mut self, r: RubricLine<'_>, line_no: u32) {
        self.summary.rubric_lines += 1;
        let d = r.defects;
        if d.spaces || d.unquoted || d.unterminated || d.trailing_text || r.value.is_empty() {
            let rid = rubric_id(r.block, r.num);
            let defects = [
                (
                    d.unquoted,
                    Severity::Warning,
                    "unquoted",
                    "value not between quotes; kept as written",
                ),
                (
                    d.unterminated,
                    Severity::Warning,
                    "unterminated",
                    "missing closing quote; value runs to end of line",
                ),
                (
                    d.trailing_text,
                    Severity::Warning,
                    "trailing-text",
                    "text after the closing quote ignored",
                ),
                (
                    d.spaces,
                    Severity::Info,
                    "spaces",
                    "spaces around rubric or value ignored",
                ),
                (
                    r.value.is_empty(),
                    Severity::Warning,
                    "empty-value",
                    "empty value (absent data should be an omitted line)",
                ),
            ];
            for (_, severity, code, message) in defects.into_iter().filter(|x| x.0) {
                self.diag(severity, code, line_no, Some(rid.clone()), message);
            }
        }
        if r.block == ids::ENVOI && r.num == 6 {
            self.later_norm = r.value > norm::TABLE_NORM;
        }
        match norm::rubric_status(r.block, r.num) {
            norm::RubricStatus::Known(ty) => {
                // The version rubric itself is not judged by an older table.
                let version_rubric = r.block == ids::ENVOI && r.num == 6 && self.later_norm;
                if self.opts.validate_types && !r.value.is_empty() && !version_rubric {
                    if let Err(e) = self.valid_cache.validate(ty, r.value) {
                        // Later norms add codes: only informative there.
                        let sev = if e.code_list && self.later_norm {
                            Severity::Info
                        } else {
                            Severity::Warning
                        };
                        let rid = rubric_id(r.block, r.num);
                        self.diag(sev, "invalid-value", line_no, Some(rid), e.message);
                    }
                }
            }
            norm::RubricStatus::Newer => {
                if !self.later_norm {
                    let rid = rubric_id(r.block, r.num);
                    let msg = format!(
                        "rubric introduced after {}, in an envoi of that norm or older; kept",
                        norm::TABLE_NORM
                    );
                    self.diag(
                        Severity::Warning,
                        "later-norm-rubric",
                        line_no,
                        Some(rid),
                        msg,
                    );
                }
            }
            norm::RubricStatus::Unknown => {
                self.summary.non_norm_rubrics += 1;
                let rid = rubric_id(r.block, r.num);
                self.diag(
                    Severity::Warning,
                    "non-norm-rubric",
                    line_no,
                    Some(rid),
                    "rubric not in the norm (platform rubric or newer norm); kept",
                );
            }
            norm::RubricStatus::Lot => {}
        }
        // Block instance: a new one starts when the block changes or the
        // rubric number does not increase.
        let continues = match &self.cur {
            Some(b) => b.id == r.block && b.fields.last().is_some_and(|f| f.num < r.num),
            None => false,
        };
        if !continues {
            // Two instances of one block in a row, the second not starting at
            // .001: legal only for optional first rubrics, often a sign of
            // rubrics written out of order.
            if self.cur.as_ref().is_some_and(|b| b.id == r.block) && r.num != 1 {
                let msg = format!(
                    "rubric number goes down inside {}: read as a new block instance (rubrics out of order?)",
                    r.block
                );
                let rid = rubric_id(r.block, r.num);
                self.diag(Severity::Warning, "instance-split", line_no, Some(rid), msg);
            }
            if let Some(b) = self.cur.take() {
                self.place(b);
            }
            if r.block == ids::ENVOI && r.num >= 1 {
                // Counting starts at the envoi's first line: open it now.
                self.start_envoi(line_no);
            }
            self.cur = Some(Block {
                id: r.block,
                line: line_no,
                fields: Vec::with_capacity(8),
            });
        }
        if let Some(e) = &mut self.envoi {
            e.lines += 1;
        }
        if let Some(b) = &mut self.cur {
            b.fields.push(Field {
                num: r.num,
                value: r.value.to_string(),
                line: line_no,
            });
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.cur.take() {
            self.place(b);
        }
        if self.envoi.is_some() {
            self.close_envoi(None);
        }
        self.finish_decl();
        if let Some(lot) = &self.summary.lot {
            if !lot.closed {
                let l = lot.line;
                self.diag(
                    Severity::Warning,
                    "lot",
                    l,
                    Some("S05.G51.00".into()),
                    "lot envelope not closed by S95",
                );
            }
        }
        if self.summary.rubric_lines == 0 && self.diags.counts[Severity::Fatal as usize] == 0 {
            self.diag(
                Severity::Fatal,
                "not-dsn",
                0,
                None,
                "no DSN rubric line found",
            );
        }
        if self.diags.suppressed > 0 {
            let n = self.diags.suppressed;
            self.diag(
                Severity::Info,
                "suppressed",
                0,
                None,
                format!("{n} repeated diagnostics not listed"),
            );
        }
        self.summary.suppressed_diagnostics = self.diags.suppressed;
        self.summary.diagnostic_counts = self.diags.counts;
        self.summary.diagnostic_codes = self.diags.code_counts();
    }
}

impl<R: BufRead> Iterator for DsnReader<R> {
    type Item = Declaration;

    fn next(&mut self) -> Option<Declaration> {
        loop {
            if let Some(d) = self.ready.pop_front() {
                return Some(d);
            }
            if self.done {
                return None;
            }
            if !self.step() {
                self.finish();
                self.done = true;
            }
        }
    }
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', b)
}

fn rubric_id(block: BlockId, num: u16) -> String {
    format!("{block}.{num:03}")
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Read any `Read` (not buffered) — convenience for callers holding a `Read`.
pub fn reader_from<R: Read>(src: R, name: &str) -> DsnReader<BufReader<R>> {
    DsnReader::new(BufReader::with_capacity(256 * 1024, src), name)
}
