//! Serialise the model back to norm text.
//!
//! [`DsnWriter`] streams: `begin_envoi`, any number of `write_declaration`,
//! `end_envoi` (which writes the S90 totals computed from what was written).
//! [`write_declarations`] and [`to_text`] wrap it for whole batches.
//!
//! Blocks are written in the norm's tree order: S20.G00.05 and its S20
//! siblings, entreprise (06) and its 13 blocks, établissement (11) and the
//! other establishment-level blocks, each individual (30, then 31/34, its
//! contracts, then its other blocks), the S21.G00.85 lieux de travail, then
//! remaining blocks (S89…). Per contract: 40, 41, 45, 60, 66, 62, 63, 65, then
//! the other contract blocks in stored order.

use std::io::{self, Write};
use std::sync::Arc;

use crate::decode::encode_cp1252;
use crate::model::{Block, Declaration, EnvoiHeader};

/// Output text encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputEncoding {
    /// Windows-1252 (a superset of ISO-8859-1 / Latin-1), what the norm's
    /// producers write.
    #[default]
    Latin1,
    Utf8,
}

/// Line terminator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineEnding {
    #[default]
    Lf,
    CrLf,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterOptions {
    pub encoding: OutputEncoding,
    pub line_ending: LineEnding,
}

/// What the writer did, including lossy replacements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub lines: u64,
    pub envois: u64,
    pub declarations: u64,
    /// Characters with no Latin-1/Windows-1252 code, written as `?`.
    pub unencodable_chars: u64,
    /// Line breaks inside values, written as spaces.
    pub line_breaks_replaced: u64,
}

/// Streaming writer of envois and declarations.
pub struct DsnWriter<W: Write> {
    out: W,
    opts: WriterOptions,
    stats: WriteStats,
    envoi_lines: Option<u64>,
    envoi_decls: u64,
    buf: Vec<u8>,
}

impl<W: Write> DsnWriter<W> {
    pub fn new(out: W, opts: WriterOptions) -> Self {
        Self {
            out,
            opts,
            stats: WriteStats::default(),
            envoi_lines: None,
            envoi_decls: 0,
            buf: Vec::with_capacity(128),
        }
    }

    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Write the S10 blocks of an envoi. Closes a previous open envoi first.
    pub fn begin_envoi(&mut self, header: &EnvoiHeader) -> io::Result<()> {
        if self.envoi_lines.is_some() {
            self.end_envoi()?;
        }
        self.envoi_lines = Some(0);
        self.envoi_decls = 0;
        self.stats.envois += 1;
        for b in &header.blocks {
            self.block(b)?;
        }
        Ok(())
    }

    /// Write one declaration (inside the open envoi).
    pub fn write_declaration(&mut self, d: &Declaration) -> io::Result<()> {
        self.envoi_decls += 1;
        self.stats.declarations += 1;
        self.block(&d.header)?;
        self.blocks(&d.header_other)?;
        let (oeth, etab_other): (Vec<&Block>, Vec<&Block>) =
            d.etablissement_other.iter().partition(|b| b.id.b == 13);
        if let Some(b) = &d.entreprise {
            self.block(b)?;
        }
        self.blocks(oeth)?;
        if let Some(b) = &d.etablissement {
            self.block(b)?;
        }
        self.blocks(etab_other)?;
        for ind in &d.individus {
            self.block(&ind.block)?;
            let (early, late): (Vec<&Block>, Vec<&Block>) =
                ind.other.iter().partition(|b| matches!(b.id.b, 31 | 34));
            self.blocks(early)?;
            for c in &ind.contrats {
                let pick = |n: u8| c.other.iter().filter(move |b| b.id.b == n);
                self.block(&c.block)?;
                self.blocks(&c.changements)?;
                self.blocks(pick(45))?;
                self.blocks(&c.arrets)?;
                self.blocks(pick(66))?;
                if let Some(f) = &c.fin {
                    self.block(f)?;
                }
                self.blocks(pick(63))?;
                self.blocks(&c.suspensions)?;
                self.blocks(c.other.iter().filter(|b| !matches!(b.id.b, 45 | 63 | 66)))?;
            }
            self.blocks(late)?;
        }
        self.blocks(&d.lieux_travail)?;
        self.blocks(&d.other)
    }

    /// Write the S90 totals of the open envoi: .001 = rubric lines from S10 to
    /// S90 inclusive, .002 = declarations.
    pub fn end_envoi(&mut self) -> io::Result<()> {
        let Some(lines) = self.envoi_lines else {
            return Ok(());
        };
        let total = lines + 2;
        let decls = self.envoi_decls;
        self.line("S90.G00.90.001", &total.to_string())?;
        self.line("S90.G00.90.002", &decls.to_string())?;
        self.envoi_lines = None;
        Ok(())
    }

    /// Close the open envoi, flush and return the inner writer.
    pub fn finish(mut self) -> io::Result<(W, WriteStats)> {
        self.end_envoi()?;
        self.out.flush()?;
        Ok((self.out, self.stats))
    }

    fn blocks<'a>(&mut self, bs: impl IntoIterator<Item = &'a Block>) -> io::Result<()> {
        for b in bs {
            self.block(b)?;
        }
        Ok(())
    }

    fn block(&mut self, b: &Block) -> io::Result<()> {
        for f in &b.fields {
            let rubric = format!("{}.{:03}", b.id, f.num);
            self.line(&rubric, &f.value)?;
        }
        Ok(())
    }

    fn line(&mut self, rubric: &str, value: &str) -> io::Result<()> {
        let buf = &mut self.buf;
        buf.clear();
        buf.extend_from_slice(rubric.as_bytes());
        buf.extend_from_slice(b",'");
        for c in value.chars() {
            let c = if c == '\n' || c == '\r' {
                self.stats.line_breaks_replaced += 1;
                ' '
            } else {
                c
            };
            match self.opts.encoding {
                OutputEncoding::Utf8 => {
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                OutputEncoding::Latin1 => match encode_cp1252(c) {
                    Some(b) => buf.push(b),
                    None => {
                        self.stats.unencodable_chars += 1;
                        buf.push(b'?');
                    }
                },
            }
        }
        buf.push(b'\'');
        if self.opts.line_ending == LineEnding::CrLf {
            buf.push(b'\r');
        }
        buf.push(b'\n');
        self.out.write_all(buf)?;
        self.stats.lines += 1;
        if let Some(n) = &mut self.envoi_lines {
            *n += 1;
        }
        Ok(())
    }
}

/// Write declarations, one envoi per run of consecutive declarations sharing
/// the same envoi header `Arc` (as the reader yields them), each closed by computed S90 totals.
pub fn write_declarations<W: Write>(
    out: W,
    decls: &[Declaration],
    opts: WriterOptions,
) -> io::Result<WriteStats> {
    let mut w = DsnWriter::new(out, opts);
    let mut current: Option<&Arc<EnvoiHeader>> = None;
    for d in decls {
        let same = current.is_some_and(|h| Arc::ptr_eq(h, &d.envoi));
        if !same {
            w.begin_envoi(&d.envoi)?;
            current = Some(&d.envoi);
        }
        w.write_declaration(d)?;
    }
    Ok(w.finish()?.1)
}

/// UTF-8, LF text of the declarations (tests, small outputs).
pub fn to_text(decls: &[Declaration]) -> String {
    let mut out = Vec::new();
    let opts = WriterOptions {
        encoding: OutputEncoding::Utf8,
        line_ending: LineEnding::Lf,
    };
    write_declarations(&mut out, decls, opts).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("UTF-8 output")
}
