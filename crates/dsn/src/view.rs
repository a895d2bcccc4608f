//! Borrowed views of a declaration, straight over the reader's buffer.
//!
//! [`DsnReader::next_view`](crate::DsnReader::next_view) hands out a
//! [`DeclarationView`]: the same tree as the owned [`Declaration`]
//! (header, entreprise, établissement, individuals, contracts and their
//! sub-blocks, lieux de travail, other blocks) and the same typed accessors,
//! but every value is a `&str` into the buffer the reader already holds
//! (or into a small side buffer for re-encoded Windows-1252 text). Nothing is
//! copied or allocated per rubric; the view lives until the next call to
//! `next_view`. [`DeclarationView::to_declaration`] builds the owned model
//! (this is what the reader's [`Iterator`] does).
//!
//! ```
//! use ancrage_dsn::DsnReader;
//!
//! let text = "S10.G00.00.006,'P24V01'\n\
//!             S20.G00.05.001,'01'\n\
//!             S20.G00.05.005,'01032024'\n\
//!             S21.G00.06.001,'123456789'\n\
//!             S21.G00.11.001,'00012'\n\
//!             S21.G00.30.001,'1800175123456'\n\
//!             S21.G00.40.001,'01012024'\n\
//!             S21.G00.40.007,'01'\n\
//!             S90.G00.90.001,'10'\n\
//!             S90.G00.90.002,'1'\n";
//! let mut reader = DsnReader::new(text.as_bytes(), "example.dsn");
//! let mut contracts = 0;
//! while let Some(d) = reader.next_view() {
//!     assert_eq!(d.siret().as_deref(), Some("12345678900012"));
//!     for ind in d.individus() {
//!         assert_eq!(ind.nir(), Some("1800175123456"));
//!         contracts += ind.contrats().filter(|c| c.nature() == Some("01")).count();
//!     }
//!     let owned = d.to_declaration();
//!     assert_eq!(owned.individus[0].contrats[0].nature(), Some("01"));
//! }
//! assert_eq!(contracts, 1);
//! ```

use std::sync::Arc;

use chrono::NaiveDate;

use crate::model::{
    parse_date, parse_fraction, BirthDate, Block, BlockId, Declaration, EnvoiHeader, Nature, Sex,
};
use crate::reader::raw::{RawContrat, RawDecl, RawField, RawIndividu, Text, NONE};

/// One declaration, borrowed from the reader (see the [module docs](self)).
#[derive(Clone, Copy)]
pub struct DeclarationView<'a> {
    raw: &'a RawDecl,
    text: Text<'a>,
}

/// One block instance.
#[derive(Clone, Copy)]
pub struct BlockView<'a> {
    raw: &'a RawDecl,
    text: Text<'a>,
    index: u32,
}

/// One rubric of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldView<'a> {
    /// Rubric number inside the block (`001` → 1).
    pub num: u16,
    pub value: &'a str,
    /// 1-based line in the source file.
    pub line: u32,
}

/// One individual (S21.G00.30) with their contracts and other blocks.
#[derive(Clone, Copy)]
pub struct IndividuView<'a> {
    decl: DeclarationView<'a>,
    ind: &'a RawIndividu,
}

/// One contract (S21.G00.40) with its sub-blocks.
#[derive(Clone, Copy)]
pub struct ContratView<'a> {
    decl: DeclarationView<'a>,
    c: &'a RawContrat,
}

impl<'a> DeclarationView<'a> {
    pub(crate) fn new(raw: &'a RawDecl, text: Text<'a>) -> Self {
        DeclarationView { raw, text }
    }

    fn block(self, index: u32) -> BlockView<'a> {
        BlockView {
            raw: self.raw,
            text: self.text,
            index,
        }
    }

    fn opt(self, index: u32) -> Option<BlockView<'a>> {
        (index != NONE).then(|| self.block(index))
    }

    fn list(self, list: &'a [u32]) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        list.iter().map(move |&i| self.block(i))
    }

    /// The owned model of this declaration (one `String` per rubric).
    pub fn to_declaration(&self) -> Declaration {
        self.raw.to_declaration(self.text)
    }

    /// Header of the envoi the declaration belongs to.
    pub fn envoi(&self) -> Option<&'a Arc<EnvoiHeader>> {
        self.raw.envoi.as_ref()
    }
    /// Line of S20.G00.05 in the source.
    pub fn line(&self) -> u32 {
        self.raw.line
    }
    /// S20.G00.05.
    pub fn header(&self) -> BlockView<'a> {
        self.block(self.raw.header)
    }
    /// Other S20 blocks (07 contacts, 08, platform 96…).
    pub fn header_other(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.list(&self.raw.header_other)
    }
    /// S21.G00.06.
    pub fn entreprise(&self) -> Option<BlockView<'a>> {
        self.opt(self.raw.entreprise)
    }
    /// S21.G00.11.
    pub fn etablissement(&self) -> Option<BlockView<'a>> {
        self.opt(self.raw.etablissement)
    }
    /// Other blocks at entreprise/établissement level (13, 12, 15, 20, 22…).
    pub fn etablissement_other(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.list(&self.raw.etablissement_other)
    }
    pub fn individus(&self) -> impl ExactSizeIterator<Item = IndividuView<'a>> + 'a {
        let decl = *self;
        self.raw
            .individus
            .iter()
            .map(move |ind| IndividuView { decl, ind })
    }
    /// Contracts of all individuals.
    pub fn contract_count(&self) -> usize {
        self.raw.contrats.len()
    }
    /// S21.G00.85, after the individuals.
    pub fn lieux_travail(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.list(&self.raw.lieux_travail)
    }
    /// Blocks not placed elsewhere (S89, unknown blocks…).
    pub fn other(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.list(&self.raw.other)
    }

    /// S20.G00.05.001 raw code.
    pub fn nature_code(&self) -> Option<&'a str> {
        self.header().get(1)
    }
    pub fn nature(&self) -> Option<Nature> {
        self.nature_code().and_then(Nature::from_code)
    }
    /// S20.G00.05.002 type.
    pub fn kind_code(&self) -> Option<&'a str> {
        self.header().get(2)
    }
    /// S20.G00.05.003 as (n, d).
    pub fn fraction(&self) -> Option<(u8, u8)> {
        self.header().get(3).and_then(parse_fraction)
    }
    /// S20.G00.05.004 numéro d'ordre.
    pub fn order_number(&self) -> Option<u64> {
        self.header().get(4).and_then(|s| s.parse().ok())
    }
    /// S20.G00.05.005 mois principal déclaré.
    pub fn month(&self) -> Option<NaiveDate> {
        self.header().date(5)
    }
    /// S21.G00.06.001.
    pub fn siren(&self) -> Option<&'a str> {
        self.entreprise()?.get(1)
    }
    /// S21.G00.11.001.
    pub fn nic(&self) -> Option<&'a str> {
        self.etablissement()?.get(1)
    }
    /// SIREN + NIC, when both are present.
    pub fn siret(&self) -> Option<String> {
        Some(format!("{}{}", self.siren()?, self.nic()?))
    }
    /// S21.G00.11.002 APET, else S21.G00.06.003 APEN.
    pub fn naf(&self) -> Option<&'a str> {
        self.etablissement()
            .and_then(|b| b.get(2))
            .or_else(|| self.entreprise()?.get(3))
    }
    /// S21.G00.11.004 code postal.
    pub fn postcode(&self) -> Option<&'a str> {
        self.etablissement()?.get(4)
    }
    /// S21.G00.11.005 localité.
    pub fn town(&self) -> Option<&'a str> {
        self.etablissement()?.get(5)
    }
}

impl<'a> BlockView<'a> {
    fn raw_fields(&self) -> &'a [RawField] {
        let b = self.raw.blocks[self.index as usize];
        &self.raw.fields[b.fields()]
    }

    pub fn id(&self) -> BlockId {
        self.raw.blocks[self.index as usize].id
    }
    /// Line of the block's first rubric.
    pub fn line(&self) -> u32 {
        self.raw.blocks[self.index as usize].line
    }
    /// The rubrics in file order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'a>> + 'a {
        let (raw, text) = (self.raw, self.text);
        self.raw_fields().iter().map(move |f| FieldView {
            num: f.num,
            value: raw.value(text, f),
            line: f.line,
        })
    }
    /// The value of rubric `num` (the first one if repeated).
    pub fn get(&self, num: u16) -> Option<&'a str> {
        self.raw_fields()
            .iter()
            .find(|f| f.num == num)
            .map(|f| self.raw.value(self.text, f))
    }
    /// Rubric `num` parsed as a `JJMMAAAA` date.
    pub fn date(&self, num: u16) -> Option<NaiveDate> {
        self.get(num).and_then(parse_date)
    }
    /// An owned copy.
    pub fn to_block(&self) -> Block {
        self.raw.block(self.text, self.index)
    }
}

impl<'a> IndividuView<'a> {
    pub fn block(&self) -> BlockView<'a> {
        self.decl.block(self.ind.block)
    }
    pub fn contrats(&self) -> impl ExactSizeIterator<Item = ContratView<'a>> + 'a {
        let decl = self.decl;
        decl.raw.contrats[self.ind.contrats.range()]
            .iter()
            .map(move |c| ContratView { decl, c })
    }
    /// Other individual-level blocks (31, 34, 50 versements, 86, …).
    pub fn other(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.decl
            .list(&self.decl.raw.ind_other[self.ind.other.range()])
    }
    /// S21.G00.30.001 NIR.
    pub fn nir(&self) -> Option<&'a str> {
        self.block().get(1)
    }
    /// S21.G00.30.020 NTT.
    pub fn ntt(&self) -> Option<&'a str> {
        self.block().get(20)
    }
    pub fn sex(&self) -> Option<Sex> {
        self.block().get(5).and_then(Sex::from_code)
    }
    /// S21.G00.30.006.
    pub fn birth_date(&self) -> Option<BirthDate> {
        self.block().get(6).and_then(BirthDate::parse)
    }
}

impl<'a> ContratView<'a> {
    pub fn block(&self) -> BlockView<'a> {
        self.decl.block(self.c.block)
    }
    /// S21.G00.41 changements.
    pub fn changements(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.decl
            .list(&self.decl.raw.changements[self.c.changements.range()])
    }
    /// S21.G00.60 arrêts de travail.
    pub fn arrets(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.decl.list(&self.decl.raw.arrets[self.c.arrets.range()])
    }
    /// S21.G00.62 fin du contrat.
    pub fn fin(&self) -> Option<BlockView<'a>> {
        self.decl.opt(self.c.fin)
    }
    /// S21.G00.65 autres suspensions.
    pub fn suspensions(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.decl
            .list(&self.decl.raw.suspensions[self.c.suspensions.range()])
    }
    /// Other contract-level blocks (45, 63, 66, 70, 71…).
    pub fn other(&self) -> impl ExactSizeIterator<Item = BlockView<'a>> + 'a {
        self.decl
            .list(&self.decl.raw.contrat_other[self.c.other.range()])
    }
    /// S21.G00.40.001 date de début.
    pub fn start(&self) -> Option<NaiveDate> {
        self.block().date(1)
    }
    /// S21.G00.40.007 nature du contrat.
    pub fn nature(&self) -> Option<&'a str> {
        self.block().get(7)
    }
    /// S21.G00.40.008 dispositif de politique publique.
    pub fn dispositif(&self) -> Option<&'a str> {
        self.block().get(8)
    }
    /// S21.G00.40.009 numéro du contrat.
    pub fn number(&self) -> Option<&'a str> {
        self.block().get(9)
    }
    /// S21.G00.40.010 date de fin prévisionnelle.
    pub fn planned_end(&self) -> Option<NaiveDate> {
        self.block().date(10)
    }
    /// S21.G00.62.001 date de fin.
    pub fn end_date(&self) -> Option<NaiveDate> {
        self.fin()?.date(1)
    }
    /// S21.G00.62.002 motif de rupture.
    pub fn end_reason(&self) -> Option<&'a str> {
        self.fin()?.get(2)
    }
}
