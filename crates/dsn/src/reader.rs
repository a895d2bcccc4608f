//! The streaming reader: bytes → lines → blocks → declarations.
//!
//! [`DsnReader`] reads large chunks into one buffer and handles each line in
//! place: a rubric becomes a small record pointing at its value in the
//! buffer, blocks are runs of records and the norm tree is built as indices
//! (see `raw`). A finished declaration is handed out either as a borrowed
//! [`DeclarationView`] ([`DsnReader::next_view`], nothing copied) or as an
//! owned [`Declaration`] built from that view (the [`Iterator`]). Memory stays
//! bounded by the largest declaration whatever the file size. Problems are
//! collected as [`Diagnostic`]s; file-level facts (encoding, norm versions,
//! envois, lot envelope, S90 checks) are in [`ReadSummary`].

mod input;
mod line;
pub(crate) mod raw;
mod scan;
mod tree;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::decode::{Encoding, LineDecoder};
use crate::diag::{DiagSink, Diagnostic, Severity};
use crate::model::{BlockId, Declaration};
pub use crate::summary::{EnvoiSummary, FileRead, LotGroup, LotSummary, ReadSummary, S90Check};
use crate::view::DeclarationView;
use input::Input;
use raw::{RawDecl, Text};
use tree::EnvoiState;

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

/// Streaming DSN reader over any [`BufRead`]: call [`next_view`](Self::next_view)
/// for borrowed declarations, or iterate for owned ones.
pub struct DsnReader<R: BufRead = Box<dyn BufRead + Send>> {
    src: R,
    input: Input,
    core: Core,
}

/// Everything but the source and its buffer, so that lines borrowed from the
/// buffer can be handled while the state changes.
pub(crate) struct Core {
    opts: ReaderOptions,
    line_no: u32,
    decoder: LineDecoder,
    diags: DiagSink,
    summary: ReadSummary,
    envoi: Option<EnvoiState>,
    /// Index of the open lot group in `summary.lot.groups`.
    group_open: Option<usize>,
    /// The open envoi declares a norm later than the validation table's.
    later_norm: bool,
    /// The declaration being read; its last block is the open one when `cur_open`.
    work: RawDecl,
    cur_open: bool,
    cur_id: BlockId,
    cur_last: u16,
    /// The rubrics of `row_block` (looked up once per block change).
    row_block: BlockId,
    qrow: &'static [crate::norm::Quick],
    /// Bytes 0..8 and 8..11 (as a little-endian `u64`) of the last rubric
    /// identifier parsed in full, and its block. Starts as 0xFF bytes, which
    /// no ASCII line matches.
    prefix: (u64, u64, BlockId),
    /// The next line may take the fast path (`scan::Run`): a block other than S10
    /// is open, is the block of `prefix` and `row` is its row.
    fast_ok: bool,
    /// The type checks of the norm table.
    checks: &'static [crate::norm::TypeCheck],
    /// The rows of the norm table.
    rows: crate::norm::Rows,
    ready: VecDeque<RawDecl>,
    /// The declaration last handed out (recycled on the next call).
    lent: Option<RawDecl>,
    pool: Vec<RawDecl>,
    /// Stop reading (UTF-16 input).
    halted: bool,
    done: bool,
}

impl DsnReader {
    /// Open a file; gzip input is recognised by its magic bytes.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::open_with(path, ReaderOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, opts: ReaderOptions) -> io::Result<Self> {
        let path = path.as_ref();
        let mut file = BufReader::with_capacity(64 * 1024, File::open(path)?);
        let gz = file.fill_buf()?.starts_with(&[0x1F, 0x8B]);
        let src: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(
                64 * 1024,
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
            input: Input::new(),
            core: Core {
                diags: DiagSink::new(name.clone(), opts.max_diagnostics_per_kind),
                opts,
                line_no: 0,
                decoder: LineDecoder::new(),
                summary: ReadSummary::new(name),
                envoi: None,
                group_open: None,
                later_norm: false,
                work: RawDecl::new(),
                cur_open: false,
                cur_id: BlockId::new(u8::MAX, u8::MAX, u8::MAX),
                cur_last: 0,
                row_block: BlockId::new(u8::MAX, u8::MAX, u8::MAX),
                qrow: &[],
                prefix: (u64::MAX, 0xFF_FFFF, BlockId::new(u8::MAX, u8::MAX, u8::MAX)),
                fast_ok: false,
                checks: crate::norm::checks(),
                rows: crate::norm::rows(),
                ready: VecDeque::new(),
                lent: None,
                pool: Vec::new(),
                halted: false,
                done: false,
            },
        }
    }

    /// The next declaration, borrowed from the reader's buffer: nothing is
    /// copied or allocated per rubric. The view lives until the next call;
    /// [`DeclarationView::to_declaration`] makes an owned copy.
    pub fn next_view(&mut self) -> Option<DeclarationView<'_>> {
        if let Some(d) = self.core.lent.take() {
            self.core.recycle(d);
        }
        loop {
            if let Some(d) = self.core.ready.pop_front() {
                self.core.lent = Some(d);
                break;
            }
            if self.core.done {
                return None;
            }
            self.advance();
        }
        let text = Text {
            buf: &self.input.buf[..self.input.end],
            base: self.input.base,
        };
        self.core
            .lent
            .as_ref()
            .map(|d| DeclarationView::new(d, text))
    }

    /// Handle lines until a declaration is ready or the input ends.
    fn advance(&mut self) {
        loop {
            let inp = &mut self.input;
            let text = Text {
                buf: &inp.buf[..inp.end],
                base: inp.base,
            };
            if inp.skipping {
                match memchr::memchr(b'\n', &text.buf[inp.pos..]) {
                    Some(i) => {
                        inp.pos += i + 1;
                        inp.skipping = false;
                        self.core.too_long_line();
                    }
                    None => inp.pos = inp.end,
                }
            }
            if !inp.skipping && self.core.scan(text, &mut inp.pos) {
                break;
            }
            if self.core.halted {
                self.core.finish(text);
                break;
            }
            // No complete line left in the buffer.
            let rest = inp.end - inp.pos;
            if inp.eof {
                if inp.skipping {
                    inp.skipping = false;
                    self.core.too_long_line();
                } else if rest > 0 {
                    let start = inp.pos;
                    inp.pos = inp.end;
                    let ascii = text.buf[start..].is_ascii();
                    self.core.line(text, start, rest, inp.end, ascii);
                }
                self.core.finish(text);
                break;
            }
            if !inp.skipping && rest > self.core.opts.max_line_bytes {
                inp.skipping = true;
                inp.pos = inp.end;
            }
            let keep = self.core.work.keep_from().unwrap_or(u64::MAX);
            let keep = keep.min(inp.offset());
            if let Err(e) = inp.refill(&mut self.src, keep) {
                let l = self.core.line_no;
                self.core
                    .diag(Severity::Fatal, "io", l, None, format!("read error: {e}"));
                let text = Text {
                    buf: &inp.buf[..inp.end],
                    base: inp.base,
                };
                self.core.finish(text);
                break;
            }
        }
        self.core.summary.bytes = self.input.offset();
    }

    /// Diagnostics collected so far (and not yet taken).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.core.diags.items()
    }

    /// Drain the diagnostics collected so far (for long streams).
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        self.core.diags.take()
    }

    /// File-level facts; complete once the iterator returned `None`.
    pub fn summary(&self) -> &ReadSummary {
        &self.core.summary
    }

    pub fn encoding(&self) -> Encoding {
        self.core.decoder.encoding
    }

    pub fn norm_versions(&self) -> &[String] {
        &self.core.summary.norm_versions
    }

    pub fn envoi_count(&self) -> usize {
        self.core.summary.envois.len()
    }

    pub fn lot_seen(&self) -> bool {
        self.core.summary.lot.is_some()
    }

    pub fn s90_checks(&self) -> impl Iterator<Item = &S90Check> {
        self.core
            .summary
            .envois
            .iter()
            .filter_map(|e| e.s90.as_ref())
    }
}

impl Core {
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

    /// Keep a used declaration's allocations for a later one.
    fn recycle(&mut self, mut d: RawDecl) {
        if self.pool.len() < 4 {
            d.clear();
            self.pool.push(d);
        }
    }

    /// End of input: close what is open and complete the summary.
    fn finish(&mut self, text: Text<'_>) {
        if self.cur_open {
            self.cur_open = false;
            self.place(text);
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
        self.summary.encoding = self.decoder.encoding;
        self.summary.suppressed_diagnostics = self.diags.suppressed;
        self.summary.diagnostic_counts = self.diags.counts;
        self.summary.diagnostic_codes = self.diags.code_counts();
        self.done = true;
    }
}

impl<R: BufRead> Iterator for DsnReader<R> {
    type Item = Declaration;

    fn next(&mut self) -> Option<Declaration> {
        self.next_view().map(|v| v.to_declaration())
    }
}

/// Read any `Read` (not buffered) — convenience for callers holding a `Read`.
pub fn reader_from<R: Read>(src: R, name: &str) -> DsnReader<BufReader<R>> {
    DsnReader::new(BufReader::with_capacity(64 * 1024, src), name)
}
