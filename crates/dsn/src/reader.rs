//! The streaming reader: bytes → lines → blocks → [`Declaration`]s.
//!
//! [`DsnReader`] is an iterator yielding one declaration at a time, so memory
//! stays bounded by the largest declaration whatever the file size. Problems
//! are collected as [`Diagnostic`]s; file-level facts (encoding, norm versions,
//! envois, lot envelope, S90 checks) are in [`ReadSummary`].

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::decode::{parse_line, DecodeEvent, Encoding, LineDecoder, LineKind, RubricLine};
use crate::diag::{DiagSink, Diagnostic, Severity};
use crate::model::{ids, Block, BlockId, Contrat, Declaration, EnvoiHeader, Field, Individu};
use crate::norm;

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
    fn new(file: String) -> Self {
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

/// Level of the norm tree a block hangs from (see the Blocks sheet of the norm).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Entreprise,
    Etablissement,
    EtabChild,
    Individu,
    IndivChild,
    Contrat,
    ContratChild,
    FinContrat,
    LieuTravail,
    Unknown,
}

fn s21_level(b: u8) -> Level {
    match b {
        6 => Level::Entreprise,
        11 => Level::Etablissement,
        12 | 13 | 15 | 16 | 20 | 22 | 23 | 44 | 55 | 82 => Level::EtabChild,
        30 => Level::Individu,
        31 | 34 | 50..=54 | 56 | 58 | 78 | 79 | 81 | 83 | 84 | 86 | 95 | 98 => Level::IndivChild,
        40 => Level::Contrat,
        62 => Level::FinContrat,
        41 | 45 | 60 | 63 | 65 | 66 | 70..=73 => Level::ContratChild,
        85 => Level::LieuTravail,
        _ => Level::Unknown,
    }
}

/// A declaration being assembled.
struct DeclBuilder {
    decl: Declaration,
    malformed: Vec<String>,
    /// An individual-level block (versement, ancienneté…) followed the last contract.
    indiv_tail: bool,
    /// Lieux de travail (85) started: later individual blocks are out of order.
    lieux_started: bool,
}

struct EnvoiState {
    line: u32,
    header: Vec<Block>,
    shared: Option<Arc<EnvoiHeader>>,
    lines: u64,
    declarations: u64,
    summary_index: usize,
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
            if d.unquoted {
                self.diag(
                    Severity::Warning,
                    "unquoted",
                    line_no,
                    Some(rid.clone()),
                    "value not between quotes; kept as written",
                );
            }
            if d.unterminated {
                self.diag(
                    Severity::Warning,
                    "unterminated",
                    line_no,
                    Some(rid.clone()),
                    "missing closing quote; value runs to end of line",
                );
            }
            if d.trailing_text {
                self.diag(
                    Severity::Warning,
                    "trailing-text",
                    line_no,
                    Some(rid.clone()),
                    "text after the closing quote ignored",
                );
            }
            if d.spaces {
                self.diag(
                    Severity::Info,
                    "spaces",
                    line_no,
                    Some(rid.clone()),
                    "spaces around rubric or value ignored",
                );
            }
            if r.value.is_empty() {
                self.diag(
                    Severity::Warning,
                    "empty-value",
                    line_no,
                    Some(rid),
                    "empty value (absent data should be an omitted line)",
                );
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

    fn start_envoi(&mut self, line: u32) {
        if self.envoi.is_some() {
            self.diag(
                Severity::Warning,
                "envoi-unclosed",
                line,
                Some("S10.G00.00".into()),
                "new envoi before the previous one's S90 totals",
            );
            self.close_envoi(None);
        }
        if let Some(g) = self.group_open {
            if let Some(grp) = self.summary.lot.as_mut().and_then(|l| l.groups.get_mut(g)) {
                grp.envois += 1;
            }
        }
        self.summary.envois.push(EnvoiSummary {
            line,
            norm_version: None,
            declarations: 0,
            s90: None,
        });
        self.envoi = Some(EnvoiState {
            line,
            header: Vec::new(),
            shared: None,
            lines: 0,
            declarations: 0,
            summary_index: self.summary.envois.len() - 1,
        });
    }

    fn close_envoi(&mut self, s90: Option<&Block>) {
        self.finish_decl();
        let Some(e) = self.envoi.take() else { return };
        if let Some(b) = s90 {
            let num = |n: u16| b.get(n).and_then(|v| v.trim().parse::<u64>().ok());
            let check = S90Check {
                line: b.line,
                declared_lines: num(1),
                counted_lines: e.lines,
                declared_declarations: num(2),
                counted_declarations: e.declarations,
            };
            if check.declared_lines != Some(check.counted_lines) {
                self.diag(
                    Severity::Warning,
                    "s90-mismatch",
                    b.line,
                    Some("S90.G00.90.001".into()),
                    format!(
                        "S90 declares {} rubric lines, {} were read in this envoi",
                        b.get(1).unwrap_or("nothing"),
                        check.counted_lines
                    ),
                );
            }
            if check.declared_declarations != Some(check.counted_declarations) {
                self.diag(
                    Severity::Warning,
                    "s90-mismatch",
                    b.line,
                    Some("S90.G00.90.002".into()),
                    format!(
                        "S90 declares {} declarations, {} were read in this envoi",
                        b.get(2).unwrap_or("nothing"),
                        check.counted_declarations
                    ),
                );
            }
            self.summary.envois[e.summary_index].s90 = Some(check);
        } else if e.line > 0 {
            self.diag(
                Severity::Warning,
                "no-s90",
                e.line,
                Some("S10.G00.00".into()),
                "envoi has no S90 totals (truncated file?)",
            );
        }
    }

    /// The shared header of the open envoi, creating an implicit envoi if needed.
    fn envoi_header(&mut self, line: u32) -> Arc<EnvoiHeader> {
        if self.envoi.is_none() {
            self.diag(
                Severity::Warning,
                "no-envoi",
                line,
                Some("S20.G00.05".into()),
                "declaration outside an envoi (no S10.G00.00 before it)",
            );
            self.start_envoi(0);
        }
        let e = self.envoi.as_mut().expect("envoi just opened");
        if let Some(h) = &e.shared {
            return h.clone();
        }
        let h = Arc::new(EnvoiHeader {
            blocks: std::mem::take(&mut e.header),
            line: e.line,
        });
        e.shared = Some(h.clone());
        let version = h.norm_version().map(str::to_string);
        if let Some(v) = &version {
            if !self.summary.norm_versions.contains(v) {
                self.summary.norm_versions.push(v.clone());
            }
        }
        self.summary.envois[e.summary_index].norm_version = version;
        h
    }

    /// Attach a complete block to the tree.
    fn place(&mut self, b: Block) {
        let id = b.id;
        match (id.s, id.g) {
            (5 | 6 | 95 | 96, 51) => self.place_lot(b),
            (10, 0) => {
                let Some(e) = &mut self.envoi else {
                    self.orphan(b, "envoi block outside an envoi");
                    return;
                };
                if e.shared.is_none() {
                    e.header.push(b);
                } else if let Some(d) = &mut self.decl {
                    self.diags.push(Severity::Warning, "out-of-order", b.line, Some(id.to_string()), "S10 block after the first declaration; kept in the declaration's other blocks");
                    d.decl.other.push(b);
                } else {
                    self.orphan(b, "S10 block after a declaration was closed");
                }
            }
            (20, 0) if id.b == 5 => {
                self.finish_decl();
                let envoi = self.envoi_header(b.line);
                if let Some(e) = &mut self.envoi {
                    e.declarations += 1;
                    self.summary.envois[e.summary_index].declarations += 1;
                }
                let mut decl = Declaration::new(envoi, b);
                decl.line = decl.header.line;
                self.decl = Some(DeclBuilder {
                    decl,
                    malformed: Vec::new(),
                    indiv_tail: false,
                    lieux_started: false,
                });
            }
            (20, _) => match &mut self.decl {
                Some(d) => {
                    if d.decl.entreprise.is_some() {
                        self.diags.push(
                            Severity::Warning,
                            "out-of-order",
                            b.line,
                            Some(id.to_string()),
                            "S20 block after S21 blocks; attached to the declaration header",
                        );
                    }
                    d.decl.header_other.push(b);
                }
                None => self.orphan(b, "S20 block without S20.G00.05 declaration"),
            },
            (21, 0) => self.place_s21(b),
            (90, 0) if id.b == 90 => {
                if self.envoi.is_none() {
                    self.diag(
                        Severity::Warning,
                        "no-envoi",
                        b.line,
                        Some(id.to_string()),
                        "S90 totals without an open envoi",
                    );
                    return;
                }
                self.close_envoi(Some(&b));
            }
            (89, 0) => match &mut self.decl {
                Some(d) => d.decl.other.push(b),
                None => self.orphan(b, "S89 block outside a declaration"),
            },
            _ => match &mut self.decl {
                Some(d) => {
                    self.diags.push(
                        Severity::Warning,
                        "unknown-block",
                        b.line,
                        Some(id.to_string()),
                        "block unknown to the norm; kept in the declaration's other blocks",
                    );
                    d.decl.other.push(b);
                }
                None => self.orphan(b, "block unknown to the norm outside a declaration"),
            },
        }
    }

    fn orphan(&mut self, b: Block, why: &str) {
        let n = b.fields.len();
        self.diag(
            Severity::Error,
            "orphan-block",
            b.line,
            Some(b.id.to_string()),
            format!("{why}; {n} line(s) dropped"),
        );
    }

    fn place_s21(&mut self, b: Block) {
        let Some(d) = &mut self.decl else {
            self.orphan(b, "S21 block without S20.G00.05 declaration");
            return;
        };
        let id = b.id;
        let line = b.line;
        let mut warn: Option<&'static str> = None;
        let level = s21_level(id.b);
        let has_indiv = !d.decl.individus.is_empty();
        match level {
            Level::Entreprise => {
                if d.decl.entreprise.is_some() {
                    d.malformed
                        .push(format!("second S21.G00.06 entreprise at line {line}"));
                    d.decl.other.push(b);
                } else {
                    d.decl.entreprise = Some(b);
                }
            }
            Level::Etablissement => {
                if d.decl.etablissement.is_some() {
                    d.malformed
                        .push(format!("second S21.G00.11 établissement at line {line}"));
                    d.decl.other.push(b);
                } else {
                    if d.decl.entreprise.is_none() {
                        warn = Some("établissement before its entreprise (S21.G00.06)");
                    }
                    d.decl.etablissement = Some(b);
                }
            }
            Level::EtabChild => {
                if has_indiv {
                    warn = Some("establishment-level block after the individuals; attached to the establishment");
                }
                d.decl.etablissement_other.push(b);
            }
            Level::Individu => {
                if d.lieux_started {
                    warn = Some("individual after the S21.G00.85 lieux de travail");
                }
                d.indiv_tail = false;
                d.decl.individus.push(Individu {
                    block: b,
                    contrats: Vec::new(),
                    other: Vec::new(),
                });
            }
            Level::IndivChild => match d.decl.individus.last_mut() {
                Some(ind) => {
                    if d.lieux_started {
                        warn = Some("individual-level block after the lieux de travail; attached to the last individual");
                    }
                    if !matches!(id.b, 31 | 34) {
                        d.indiv_tail = true;
                    }
                    ind.other.push(b);
                }
                None => {
                    warn = Some("individual-level block without an individual; kept in the declaration's other blocks");
                    d.decl.other.push(b);
                }
            },
            Level::Contrat => {
                match d.decl.individus.last_mut() {
                    Some(ind) => {
                        if d.indiv_tail || d.lieux_started {
                            warn = Some("contract after the individual's payments or other later blocks; attached to the last individual");
                        }
                        ind.contrats.push(Contrat::new(b));
                    }
                    None => {
                        warn = Some("contract without an individual; kept in the declaration's other blocks");
                        d.decl.other.push(b);
                    }
                }
            }
            Level::ContratChild | Level::FinContrat => match d.decl.individus.last_mut() {
                Some(ind) => match ind.contrats.last_mut() {
                    Some(c) => {
                        if d.indiv_tail || d.lieux_started {
                            warn = Some("contract-level block out of norm order; attached to the individual's last contract");
                        }
                        match id.b {
                            41 => c.changements.push(b),
                            60 => c.arrets.push(b),
                            65 => c.suspensions.push(b),
                            62 if c.fin.is_none() => c.fin = Some(b),
                            62 => {
                                warn = Some("second S21.G00.62 fin du contrat for one contract; kept in the contract's other blocks");
                                c.other.push(b);
                            }
                            _ => c.other.push(b),
                        }
                    }
                    None => {
                        warn = Some("contract-level block without a contract; kept in the individual's other blocks");
                        ind.other.push(b);
                    }
                },
                None => {
                    warn = Some("contract-level block without an individual; kept in the declaration's other blocks");
                    d.decl.other.push(b);
                }
            },
            Level::LieuTravail => {
                d.lieux_started = true;
                d.decl.lieux_travail.push(b);
            }
            Level::Unknown => {
                warn =
                    Some("S21 block unknown to the norm; kept in the declaration's other blocks");
                d.decl.other.push(b);
            }
        }
        if let Some(msg) = warn {
            let code = if level == Level::Unknown {
                "unknown-block"
            } else {
                "out-of-order"
            };
            self.diag(Severity::Warning, code, line, Some(id.to_string()), msg);
        }
    }

    fn place_lot(&mut self, b: Block) {
        let line = b.line;
        match b.id.s {
            5 => {
                if self.summary.lot.is_some() {
                    self.diag(
                        Severity::Warning,
                        "lot",
                        line,
                        Some(b.id.to_string()),
                        "second lot header in one file",
                    );
                }
                self.group_open = None;
                self.summary.lot = Some(LotSummary {
                    line,
                    version: b.get(1).map(str::to_string),
                    id: b.get(2).map(str::to_string),
                    groups: Vec::new(),
                    closed: false,
                });
            }
            6 => {
                self.close_open_envoi_in_lot(line);
                let lot = self.summary.lot.get_or_insert_with(LotSummary::default);
                lot.groups.push(LotGroup {
                    line,
                    code: b.get(1).map(str::to_string),
                    declared_dsn: None,
                    envois: 0,
                });
                self.group_open = Some(lot.groups.len() - 1);
            }
            96 => {
                self.close_open_envoi_in_lot(line);
                let declared = b.get(2).and_then(|v| v.trim().parse::<u64>().ok());
                let mut mismatch = None;
                let group = self.group_open.take();
                let group = group.and_then(|g| self.summary.lot.as_mut()?.groups.get_mut(g));
                if let Some(grp) = group {
                    grp.declared_dsn = declared;
                    if declared != Some(grp.envois) {
                        mismatch = Some(grp.envois);
                    }
                } else {
                    self.diag(
                        Severity::Warning,
                        "lot",
                        line,
                        Some(b.id.to_string()),
                        "group end without group header",
                    );
                }
                if let Some(n) = mismatch {
                    self.diag(
                        Severity::Warning,
                        "lot-count",
                        line,
                        Some("S96.G51.00.002".into()),
                        format!(
                            "group end declares {} DSN, {n} envois were read in the group",
                            b.get(2).unwrap_or("nothing")
                        ),
                    );
                }
            }
            _ => {
                self.close_open_envoi_in_lot(line);
                let mut msg = None;
                match &mut self.summary.lot {
                    Some(lot) => {
                        lot.closed = true;
                        if lot.id.is_some() && b.get(1) != lot.id.as_deref() {
                            msg = Some("lot end number differs from the lot header");
                        }
                    }
                    None => msg = Some("lot end without lot header"),
                }
                if let Some(m) = msg {
                    self.diag(Severity::Warning, "lot", line, Some(b.id.to_string()), m);
                }
            }
        }
    }

    fn close_open_envoi_in_lot(&mut self, line: u32) {
        if self.envoi.is_some() {
            self.diag(
                Severity::Warning,
                "envoi-unclosed",
                line,
                None,
                "lot envelope line inside an envoi (S90 missing)",
            );
            self.close_envoi(None);
        }
    }

    /// Move the declaration being built to the output queue (or skip it).
    fn finish_decl(&mut self) {
        let Some(mut d) = self.decl.take() else {
            return;
        };
        if d.decl.header.get(1).is_none() {
            d.malformed.push("no nature (S20.G00.05.001)".into());
        }
        if d.decl.entreprise.is_none() {
            d.malformed.push("no entreprise block (S21.G00.06)".into());
        }
        if d.decl.etablissement.is_none() {
            d.malformed
                .push("no établissement block (S21.G00.11)".into());
        }
        if d.malformed.is_empty() {
            self.summary.declarations_read += 1;
            self.ready.push_back(d.decl);
        } else {
            self.summary.declarations_skipped += 1;
            let why = d.malformed.join("; ");
            let l = d.decl.line;
            self.diag(
                Severity::Error,
                "malformed-declaration",
                l,
                Some("S20.G00.05".into()),
                format!("declaration skipped: {why}"),
            );
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
