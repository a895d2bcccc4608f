//! Reader and writer of the DSN norm (Déclaration Sociale Nominative).
//!
//! Nothing outside this crate knows the text syntax: other crates see
//! [`Declaration`]s (one establishment × one month or one signalement).
//!
//! The reader is tolerant and streaming: it accepts Latin-1/Windows-1252 or
//! UTF-8 (BOM or not), LF or CRLF, blank lines, several envois and several
//! declarations per file, the lot envelope (S05/S06/S96/S95), platform rubrics,
//! blocks out of order and gzip input. Every irregularity becomes a
//! [`Diagnostic`] with file, line and rubric; a malformed declaration is
//! reported and skipped while the others are kept.
//!
//! ```
//! use ancrage_dsn::{DsnReader, Severity};
//!
//! let text = "S10.G00.00.006,'P24V01'\n\
//!             S20.G00.05.001,'01'\n\
//!             S21.G00.06.001,'123456789'\n\
//!             S21.G00.11.001,'00012'\n\
//!             S21.G00.30.020,'11234567890'\n\
//!             S21.G00.40.001,'01012024'\n\
//!             S90.G00.90.001,'8'\n\
//!             S90.G00.90.002,'1'\n";
//! let mut reader = DsnReader::new(text.as_bytes(), "example.dsn");
//! let decls: Vec<_> = reader.by_ref().collect();
//! assert_eq!(decls.len(), 1);
//! assert_eq!(decls[0].siret().as_deref(), Some("12345678900012"));
//! assert_eq!(decls[0].individus[0].ntt(), Some("11234567890"));
//! assert!(reader.summary().s90_all_ok());
//! assert!(reader.diagnostics().iter().all(|d| d.severity < Severity::Error));
//! ```
//!
//! # Map of the crate
//!
//! - [`model`]: the document model (blocks, declarations, typed accessors).
//! - [`reader`]: [`DsnReader`] (streaming, one [`Declaration`] at a time,
//!   bounded memory, gzip by magic bytes in [`DsnReader::open`]),
//!   [`read_file`] / [`read_bytes`] to collect everything, [`ReadSummary`]
//!   for file-level facts (encoding, norm versions, envois, lot, S90 checks).
//! - [`decode`]: encoding detection (UTF-8 vs Windows-1252, decided once per
//!   file) and the `rubric,'value'` line syntax.
//! - `norm` (private): rubric → data type table generated from the official
//!   workbook by `tools/gen_norm_table.py`; values that do not fit their type
//!   (regex, length, code list) become warnings.
//! - [`writer`]: [`DsnWriter`] / [`write_declarations`], Latin-1 or UTF-8, LF
//!   or CRLF, S90 totals computed from what was written.
//! - [`check`]: [`CheckReport`] per file for `ancrage dsn check`, with
//!   [`CheckReport::render_text`] and serde serialisation for `--json`.
//! - [`diag`]: [`Diagnostic`] and [`Severity`] (`Info` fact, `Warning` kept
//!   but irregular, `Error` data dropped, `Fatal` file unreadable).
//!
//! Writing back what was read reproduces the norm text:
//!
//! ```
//! let text = "S10.G00.00.006,'P24V01'\n\
//!             S20.G00.05.001,'01'\n\
//!             S21.G00.06.001,'123456789'\n\
//!             S21.G00.11.001,'00012'\n\
//!             S90.G00.90.001,'6'\n\
//!             S90.G00.90.002,'1'\n";
//! let read = ancrage_dsn::read_bytes("in.dsn", text.as_bytes());
//! assert_eq!(ancrage_dsn::to_text(&read.declarations), text);
//! ```

pub mod check;
pub mod decode;
pub mod diag;
pub mod model;
mod norm;
pub mod reader;
pub mod summary;
pub mod view;
pub mod writer;

pub use check::{check_file, check_files, check_reader, CheckReport, NatureTypeCount};
pub use decode::Encoding;
pub use diag::{Diagnostic, Severity};
pub use model::*;
pub use reader::{
    read_bytes, read_file, DsnReader, EnvoiSummary, FileRead, LotGroup, LotSummary, ReadSummary,
    ReaderOptions, S90Check,
};
pub use view::{BlockView, ContratView, DeclarationView, FieldView, IndividuView};
pub use writer::{
    to_text, write_declarations, DsnWriter, LineEnding, OutputEncoding, WriteStats, WriterOptions,
};
