//! The reader's working form of a declaration: rubric records pointing into
//! the input buffer (no copy, no allocation per rubric), blocks as ranges of
//! records, and the norm tree as indices into the blocks. [`RawDecl`]s are
//! recycled, so reading allocates nothing per declaration once warmed up.
//! The owned [`Declaration`] and the borrowed views are built from this.

use std::sync::Arc;

use crate::model::{Block, BlockId, Contrat, Declaration, EnvoiHeader, Field, Individu};

/// "No block" in an index slot.
pub(crate) const NONE: u32 = u32::MAX;

/// One rubric line: where its value is and what it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawField {
    /// Stream offset of the value in the input, or offset in
    /// [`RawDecl::decoded`] when `decoded`.
    pub start: u64,
    pub len: u32,
    /// 1-based source line.
    pub line: u32,
    pub num: u16,
    /// The value was re-encoded (Windows-1252 input) and lives in `decoded`.
    pub decoded: bool,
}

/// One block instance: a run of consecutive records.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawBlock {
    pub id: BlockId,
    pub line: u32,
    /// Records `first..end` of [`RawDecl::fields`].
    pub first: u32,
    pub end: u32,
    /// Length of [`RawDecl::decoded`] when the block started.
    pub decoded_start: u32,
    /// Stream offset of the block's first line (what the buffer must keep).
    pub offset: u64,
}

impl RawBlock {
    pub(crate) fn fields(self) -> std::ops::Range<usize> {
        self.first as usize..self.end as usize
    }
}

/// Index range into one of the flat child lists of [`RawDecl`]. Children
/// are only ever attached to the last individual / last contract, so each
/// one's children are contiguous.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub(crate) fn at(start: usize) -> Self {
        Span {
            start: start as u32,
            end: start as u32,
        }
    }
    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RawIndividu {
    pub block: u32,
    /// Into [`RawDecl::contrats`].
    pub contrats: Span,
    /// Into [`RawDecl::ind_other`].
    pub other: Span,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RawContrat {
    pub block: u32,
    pub changements: Span,
    pub arrets: Span,
    /// Block index or [`NONE`].
    pub fin: u32,
    pub suspensions: Span,
    pub other: Span,
}

/// Where the input bytes are: the buffer and the stream offset of its start.
#[derive(Clone, Copy)]
pub(crate) struct Text<'a> {
    pub buf: &'a [u8],
    pub base: u64,
}

/// A declaration being read, or read and waiting to be handed out.
#[derive(Default)]
pub(crate) struct RawDecl {
    pub fields: Vec<RawField>,
    pub blocks: Vec<RawBlock>,
    /// Values decoded from Windows-1252 (valid UTF-8).
    pub decoded: String,
    // The tree (block indices). `active`: an S20.G00.05 opened it.
    pub active: bool,
    pub envoi: Option<Arc<EnvoiHeader>>,
    pub line: u32,
    pub header: u32,
    pub header_other: Vec<u32>,
    pub entreprise: u32,
    pub etablissement: u32,
    pub etablissement_other: Vec<u32>,
    pub individus: Vec<RawIndividu>,
    pub ind_other: Vec<u32>,
    pub contrats: Vec<RawContrat>,
    pub changements: Vec<u32>,
    pub arrets: Vec<u32>,
    pub suspensions: Vec<u32>,
    pub contrat_other: Vec<u32>,
    pub lieux_travail: Vec<u32>,
    pub other: Vec<u32>,
    // Assembly state.
    pub malformed: Vec<String>,
    /// An individual-level block (versement, ancienneté…) followed the last contract.
    pub indiv_tail: bool,
    /// Lieux de travail (85) started: later individual blocks are out of order.
    pub lieux_started: bool,
}

impl RawDecl {
    pub(crate) fn new() -> Self {
        RawDecl {
            header: NONE,
            entreprise: NONE,
            etablissement: NONE,
            ..RawDecl::default()
        }
    }

    /// Empty it for reuse, keeping the allocations.
    pub(crate) fn clear(&mut self) {
        self.fields.clear();
        self.blocks.clear();
        self.decoded.clear();
        self.active = false;
        self.envoi = None;
        self.line = 0;
        self.header = NONE;
        self.header_other.clear();
        self.entreprise = NONE;
        self.etablissement = NONE;
        self.etablissement_other.clear();
        self.individus.clear();
        self.ind_other.clear();
        self.contrats.clear();
        self.changements.clear();
        self.arrets.clear();
        self.suspensions.clear();
        self.contrat_other.clear();
        self.lieux_travail.clear();
        self.other.clear();
        self.malformed.clear();
        self.indiv_tail = false;
        self.lieux_started = false;
    }

    /// Stream offset of the oldest input byte this declaration refers to.
    pub(crate) fn keep_from(&self) -> Option<u64> {
        self.blocks.first().map(|b| b.offset)
    }

    /// The value of a record.
    #[inline]
    pub(crate) fn value<'a>(&'a self, text: Text<'a>, f: &RawField) -> &'a str {
        if f.decoded {
            let s = f.start as usize;
            self.decoded.get(s..s + f.len as usize).unwrap_or_default()
        } else {
            let s = (f.start - text.base) as usize;
            // Records only point at ASCII or validated UTF-8 lines, cut at
            // ASCII quotes, commas or spaces: this never fails.
            std::str::from_utf8(&text.buf[s..s + f.len as usize]).unwrap_or_default()
        }
    }

    pub(crate) fn has(&self, bi: u32, num: u16) -> bool {
        let b = self.blocks[bi as usize];
        self.fields[b.fields()].iter().any(|f| f.num == num)
    }

    /// Block `bi` as an owned [`Block`].
    pub(crate) fn block(&self, text: Text<'_>, bi: u32) -> Block {
        let b = self.blocks[bi as usize];
        Block {
            id: b.id,
            line: b.line,
            fields: self.fields[b.fields()]
                .iter()
                .map(|f| Field {
                    num: f.num,
                    value: self.value(text, f).to_string(),
                    line: f.line,
                })
                .collect(),
        }
    }

    /// Remove the last block (it was placed outside this declaration or dropped).
    pub(crate) fn pop_block(&mut self) {
        if let Some(b) = self.blocks.pop() {
            self.fields.truncate(b.first as usize);
            self.decoded.truncate(b.decoded_start as usize);
        }
    }

    /// Remove the last block and return it owned.
    pub(crate) fn take_last(&mut self, text: Text<'_>) -> Block {
        let b = self.block(text, (self.blocks.len() - 1) as u32);
        self.pop_block();
        b
    }

    /// Move the last block to the end of `dst`.
    pub(crate) fn move_last_to(&mut self, dst: &mut RawDecl) {
        let Some(&b) = self.blocks.last() else { return };
        let first = dst.fields.len() as u32;
        let decoded_start = dst.decoded.len() as u32;
        for f in &self.fields[b.fields()] {
            let mut f = *f;
            if f.decoded {
                let s = f.start as usize;
                f.start = dst.decoded.len() as u64;
                dst.decoded.push_str(&self.decoded[s..s + f.len as usize]);
            }
            dst.fields.push(f);
        }
        dst.blocks.push(RawBlock {
            first,
            end: dst.fields.len() as u32,
            decoded_start,
            ..b
        });
        self.pop_block();
    }

    fn blocks_of<'s>(&'s self, text: Text<'s>, list: &'s [u32]) -> Vec<Block> {
        list.iter().map(|&i| self.block(text, i)).collect()
    }

    fn opt_block(&self, text: Text<'_>, bi: u32) -> Option<Block> {
        (bi != NONE).then(|| self.block(text, bi))
    }

    /// The owned model of a complete declaration.
    pub(crate) fn to_declaration(&self, text: Text<'_>) -> Declaration {
        let individus = self
            .individus
            .iter()
            .map(|ind| Individu {
                block: self.block(text, ind.block),
                contrats: self.contrats[ind.contrats.range()]
                    .iter()
                    .map(|c| Contrat {
                        block: self.block(text, c.block),
                        changements: self.blocks_of(text, &self.changements[c.changements.range()]),
                        arrets: self.blocks_of(text, &self.arrets[c.arrets.range()]),
                        fin: self.opt_block(text, c.fin),
                        suspensions: self.blocks_of(text, &self.suspensions[c.suspensions.range()]),
                        other: self.blocks_of(text, &self.contrat_other[c.other.range()]),
                    })
                    .collect(),
                other: self.blocks_of(text, &self.ind_other[ind.other.range()]),
            })
            .collect();
        Declaration {
            envoi: self.envoi.clone().unwrap_or_else(|| {
                Arc::new(EnvoiHeader {
                    blocks: Vec::new(),
                    line: 0,
                })
            }),
            line: self.line,
            header: self.block(text, self.header),
            header_other: self.blocks_of(text, &self.header_other),
            entreprise: self.opt_block(text, self.entreprise),
            etablissement: self.opt_block(text, self.etablissement),
            etablissement_other: self.blocks_of(text, &self.etablissement_other),
            individus,
            lieux_travail: self.blocks_of(text, &self.lieux_travail),
            other: self.blocks_of(text, &self.other),
        }
    }
}
