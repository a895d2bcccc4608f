//! The DSN document model: blocks of rubrics arranged in the norm's tree.
//!
//! A [`Declaration`] is one S20 declaration (one establishment, one month or one
//! signalement) with everything under it. It is the unit the reader streams, so
//! memory stays bounded whatever the file size. Typed accessors cover what the
//! indicator engine needs; every other rubric stays reachable through
//! [`Block::get`].

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A block identifier such as `S21.G00.40`, stored as its three numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockId {
    /// Structure number: 05, 06, 10, 20, 21, 89, 90, 95, 96.
    pub s: u8,
    /// Group: 00 for the DSN itself, 51 for lot envelopes.
    pub g: u8,
    /// Block number inside the group.
    pub b: u8,
}

impl BlockId {
    pub const fn new(s: u8, g: u8, b: u8) -> Self {
        Self { s, g, b }
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S{:02}.G{:02}.{:02}", self.s, self.g, self.b)
    }
}

/// Block identifiers the model knows by name.
pub mod ids {
    use super::BlockId;
    pub const ENVOI: BlockId = BlockId::new(10, 0, 0);
    pub const EMETTEUR: BlockId = BlockId::new(10, 0, 1);
    pub const DECLARATION: BlockId = BlockId::new(20, 0, 5);
    pub const ENTREPRISE: BlockId = BlockId::new(21, 0, 6);
    pub const ETABLISSEMENT: BlockId = BlockId::new(21, 0, 11);
    pub const INDIVIDU: BlockId = BlockId::new(21, 0, 30);
    pub const CONTRAT: BlockId = BlockId::new(21, 0, 40);
    pub const CHANGEMENT_CONTRAT: BlockId = BlockId::new(21, 0, 41);
    pub const ARRET: BlockId = BlockId::new(21, 0, 60);
    pub const FIN_CONTRAT: BlockId = BlockId::new(21, 0, 62);
    pub const AUTRE_SUSPENSION: BlockId = BlockId::new(21, 0, 65);
    pub const LIEU_TRAVAIL: BlockId = BlockId::new(21, 0, 85);
    pub const TOTAL_ENVOI: BlockId = BlockId::new(90, 0, 90);
}

/// One `rubric,'value'` line, inside its block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Rubric number inside the block (`001` → 1).
    pub num: u16,
    pub value: String,
    /// 1-based line in the source file (0 for a model built in memory).
    pub line: u32,
}

/// One instance of a block: its rubrics in file order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub id: BlockId,
    /// Line of the block's first rubric (0 for a model built in memory).
    pub line: u32,
    pub fields: Vec<Field>,
}

impl Block {
    pub fn new(id: BlockId) -> Self {
        Self {
            id,
            line: 0,
            fields: Vec::new(),
        }
    }

    /// Builder used by writers and tests: append rubric `num` with `value`.
    pub fn with(mut self, num: u16, value: impl Into<String>) -> Self {
        self.fields.push(Field {
            num,
            value: value.into(),
            line: 0,
        });
        self
    }

    /// The value of rubric `num` (the first one if repeated).
    pub fn get(&self, num: u16) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.num == num)
            .map(|f| f.value.as_str())
    }

    /// Rubric `num` parsed as a `JJMMAAAA` date.
    pub fn date(&self, num: u16) -> Option<NaiveDate> {
        self.get(num).and_then(parse_date)
    }

    /// Set every source line number to 0 (to compare models built in memory
    /// with models read from text).
    pub fn clear_lines(&mut self) {
        self.line = 0;
        for f in &mut self.fields {
            f.line = 0;
        }
    }
}

/// Parse a norm date `JJMMAAAA`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let d: u32 = s[0..2].parse().ok()?;
    let m: u32 = s[2..4].parse().ok()?;
    let y: i32 = s[4..8].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parse a fraction code (S20.G00.05.003) `nd` into (n, d).
pub fn parse_fraction(s: &str) -> Option<(u8, u8)> {
    let s = s.as_bytes();
    if s.len() == 2 && s[0].is_ascii_digit() && s[1].is_ascii_digit() {
        Some((s[0] - b'0', s[1] - b'0'))
    } else {
        None
    }
}

/// Format a date as the norm writes it (`JJMMAAAA`).
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d%m%Y").to_string()
}

/// Header of the envoi (S10) a declaration belongs to, shared by its declarations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvoiHeader {
    /// S10.G00.00 and the other S10 blocks (émetteur, contact, platform 95…).
    pub blocks: Vec<Block>,
    pub line: u32,
}

impl EnvoiHeader {
    fn envoi(&self) -> Option<&Block> {
        self.blocks.iter().find(|b| b.id == ids::ENVOI)
    }
    /// S10.G00.00.006, e.g. `P25V01`.
    pub fn norm_version(&self) -> Option<&str> {
        self.envoi().and_then(|b| b.get(6))
    }
    /// S10.G00.00.005: `01` test, `02` réel.
    pub fn test_or_real(&self) -> Option<&str> {
        self.envoi().and_then(|b| b.get(5))
    }
}

/// One S20 declaration and everything under it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub envoi: Arc<EnvoiHeader>,
    /// Line of S20.G00.05 in the source.
    pub line: u32,
    /// S20.G00.05.
    pub header: Block,
    /// Other S20 blocks (07 contacts, 08, platform 96…).
    pub header_other: Vec<Block>,
    /// S21.G00.06.
    pub entreprise: Option<Block>,
    /// S21.G00.11.
    pub etablissement: Option<Block>,
    /// Other blocks at entreprise/établissement level (13, 12, 15, 20, 22…).
    pub etablissement_other: Vec<Block>,
    pub individus: Vec<Individu>,
    /// S21.G00.85, after the individuals.
    pub lieux_travail: Vec<Block>,
    /// Blocks not placed elsewhere (S89, unknown blocks…), kept raw.
    pub other: Vec<Block>,
}

/// Nature of a declaration (S20.G00.05.001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Nature {
    Mensuelle,
    ArretTravail,
    RepriseArret,
    FinContrat,
    Amorcage,
    Substitution,
    Dpae,
    Other(u8),
}

impl Nature {
    pub fn from_code(code: &str) -> Option<Self> {
        let n: u8 = code.parse().ok()?;
        Some(match n {
            1 => Nature::Mensuelle,
            4 => Nature::ArretTravail,
            5 => Nature::RepriseArret,
            7 => Nature::FinContrat,
            8 => Nature::Amorcage,
            9 => Nature::Substitution,
            10 => Nature::Dpae,
            n => Nature::Other(n),
        })
    }
}

impl Declaration {
    /// An empty declaration with the given header (for writers and tests).
    pub fn new(envoi: Arc<EnvoiHeader>, header: Block) -> Self {
        Self {
            envoi,
            line: 0,
            header,
            header_other: Vec::new(),
            entreprise: None,
            etablissement: None,
            etablissement_other: Vec::new(),
            individus: Vec::new(),
            lieux_travail: Vec::new(),
            other: Vec::new(),
        }
    }
    /// Set every source line number to 0, here and in the envoi header (see
    /// [`Block::clear_lines`]).
    pub fn clear_lines(&mut self) {
        self.line = 0;
        let env = Arc::make_mut(&mut self.envoi);
        env.line = 0;
        env.blocks.iter_mut().for_each(Block::clear_lines);
        self.header.clear_lines();
        let blocks = self
            .header_other
            .iter_mut()
            .chain(self.entreprise.iter_mut())
            .chain(self.etablissement.iter_mut())
            .chain(self.etablissement_other.iter_mut())
            .chain(self.lieux_travail.iter_mut())
            .chain(self.other.iter_mut());
        blocks.for_each(Block::clear_lines);
        for ind in &mut self.individus {
            ind.block.clear_lines();
            ind.other.iter_mut().for_each(Block::clear_lines);
            for c in &mut ind.contrats {
                c.block.clear_lines();
                c.changements
                    .iter_mut()
                    .chain(c.arrets.iter_mut())
                    .chain(c.fin.iter_mut())
                    .chain(c.suspensions.iter_mut())
                    .chain(c.other.iter_mut())
                    .for_each(Block::clear_lines);
            }
        }
    }

    /// S20.G00.05.001 raw code.
    pub fn nature_code(&self) -> Option<&str> {
        self.header.get(1)
    }
    pub fn nature(&self) -> Option<Nature> {
        self.nature_code().and_then(Nature::from_code)
    }
    /// S20.G00.05.002: 01 normale, 02 néant, 03 annule et remplace, 04 annule, 05 A&R néant.
    pub fn kind_code(&self) -> Option<&str> {
        self.header.get(2)
    }
    /// S20.G00.05.003 as (n, d); `11` → (1, 1).
    pub fn fraction(&self) -> Option<(u8, u8)> {
        self.header.get(3).and_then(parse_fraction)
    }
    /// S20.G00.05.004 numéro d'ordre.
    pub fn order_number(&self) -> Option<u64> {
        self.header.get(4).and_then(|s| s.parse().ok())
    }
    /// S20.G00.05.005 mois principal déclaré (first day of the month).
    pub fn month(&self) -> Option<NaiveDate> {
        self.header.date(5)
    }
    /// S21.G00.06.001.
    pub fn siren(&self) -> Option<&str> {
        self.entreprise.as_ref().and_then(|b| b.get(1))
    }
    /// S21.G00.11.001.
    pub fn nic(&self) -> Option<&str> {
        self.etablissement.as_ref().and_then(|b| b.get(1))
    }
    /// SIREN + NIC, when both are present.
    pub fn siret(&self) -> Option<String> {
        Some(format!("{}{}", self.siren()?, self.nic()?))
    }
    /// S21.G00.11.002 APET (NAF of the establishment), else S21.G00.06.003 APEN.
    pub fn naf(&self) -> Option<&str> {
        self.etablissement
            .as_ref()
            .and_then(|b| b.get(2))
            .or_else(|| self.entreprise.as_ref().and_then(|b| b.get(3)))
    }
    /// S21.G00.11.004 code postal.
    pub fn postcode(&self) -> Option<&str> {
        self.etablissement.as_ref().and_then(|b| b.get(4))
    }
    /// S21.G00.11.005 localité.
    pub fn town(&self) -> Option<&str> {
        self.etablissement.as_ref().and_then(|b| b.get(5))
    }
}

/// Sex (S21.G00.30.005).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// S21.G00.30.005 code: `01` male, `02` female.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "01" => Some(Sex::Male),
            "02" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A birth date whose day or month may be unknown (`99` in the norm).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate {
    pub day: Option<u8>,
    pub month: Option<u8>,
    pub year: u16,
}

impl BirthDate {
    /// Parse `JJMMAAAA` where JJ and/or MM may be `99`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let d: u8 = s[0..2].parse().ok()?;
        let m: u8 = s[2..4].parse().ok()?;
        let year: u16 = s[4..8].parse().ok()?;
        let day = match d {
            99 => None,
            1..=31 => Some(d),
            _ => return None,
        };
        let month = match m {
            99 => None,
            1..=12 => Some(m),
            _ => return None,
        };
        Some(Self { day, month, year })
    }

    /// A usable date: unknown day → 15, unknown month → 1 July.
    pub fn imputed(&self) -> Option<NaiveDate> {
        let (m, d) = match (self.month, self.day) {
            (None, _) => (7, 1),
            (Some(m), None) => (m as u32, 15),
            (Some(m), Some(d)) => (m as u32, d as u32),
        };
        NaiveDate::from_ymd_opt(self.year as i32, m, d)
    }
}

/// One individual (S21.G00.30) with their contracts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Individu {
    pub block: Block,
    pub contrats: Vec<Contrat>,
    /// Other individual-level blocks (31, 34, 50 versements, 86, …), raw.
    pub other: Vec<Block>,
}

impl Individu {
    /// S21.G00.30.001 NIR (13 characters).
    pub fn nir(&self) -> Option<&str> {
        self.block.get(1)
    }
    /// S21.G00.30.020 NTT (temporary identifier).
    pub fn ntt(&self) -> Option<&str> {
        self.block.get(20)
    }
    pub fn sex(&self) -> Option<Sex> {
        self.block.get(5).and_then(Sex::from_code)
    }
    /// S21.G00.30.006.
    pub fn birth_date(&self) -> Option<BirthDate> {
        self.block.get(6).and_then(BirthDate::parse)
    }
}

/// One contract (S21.G00.40) with its sub-blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contrat {
    pub block: Block,
    /// S21.G00.41 changements.
    pub changements: Vec<Block>,
    /// S21.G00.60 arrêts de travail.
    pub arrets: Vec<Block>,
    /// S21.G00.62 fin du contrat.
    pub fin: Option<Block>,
    /// S21.G00.65 autres suspensions.
    pub suspensions: Vec<Block>,
    /// Other contract-level blocks (45, 63, 66, 70, 71…), raw.
    pub other: Vec<Block>,
}

impl Contrat {
    pub fn new(block: Block) -> Self {
        Self {
            block,
            changements: Vec::new(),
            arrets: Vec::new(),
            fin: None,
            suspensions: Vec::new(),
            other: Vec::new(),
        }
    }
    /// S21.G00.40.001 date de début.
    pub fn start(&self) -> Option<NaiveDate> {
        self.block.date(1)
    }
    /// S21.G00.40.007 nature du contrat (raw code, e.g. `01`).
    pub fn nature(&self) -> Option<&str> {
        self.block.get(7)
    }
    /// S21.G00.40.008 dispositif de politique publique.
    pub fn dispositif(&self) -> Option<&str> {
        self.block.get(8)
    }
    /// S21.G00.40.009 numéro du contrat.
    pub fn number(&self) -> Option<&str> {
        self.block.get(9)
    }
    /// S21.G00.40.010 date de fin prévisionnelle.
    pub fn planned_end(&self) -> Option<NaiveDate> {
        self.block.date(10)
    }
    /// S21.G00.40.072 statut BOETH.
    pub fn boeth(&self) -> Option<&str> {
        self.block.get(72)
    }
    /// S21.G00.40.073 complément de dispositif (EA / IAE).
    pub fn complement_dispositif(&self) -> Option<&str> {
        self.block.get(73)
    }
    /// S21.G00.62.001 date de fin.
    pub fn end_date(&self) -> Option<NaiveDate> {
        self.fin.as_ref().and_then(|b| b.date(1))
    }
    /// S21.G00.62.002 motif de rupture.
    pub fn end_reason(&self) -> Option<&str> {
        self.fin.as_ref().and_then(|b| b.get(2))
    }
}

/// Typed reading of an S21.G00.60 arrêt block.
pub trait ArretExt {
    /// .001 motif (01 maladie … 06 accident du travail, 99 annulation).
    fn arret_reason(&self) -> Option<&str>;
    /// .002 dernier jour travaillé.
    fn last_day_worked(&self) -> Option<NaiveDate>;
    /// .003 date de fin prévisionnelle.
    fn planned_end(&self) -> Option<NaiveDate>;
    /// .010 date de reprise.
    fn resume_date(&self) -> Option<NaiveDate>;
}

impl ArretExt for Block {
    fn arret_reason(&self) -> Option<&str> {
        self.get(1)
    }
    fn last_day_worked(&self) -> Option<NaiveDate> {
        self.date(2)
    }
    fn planned_end(&self) -> Option<NaiveDate> {
        self.date(3)
    }
    fn resume_date(&self) -> Option<NaiveDate> {
        self.date(10)
    }
}

/// Typed reading of an S21.G00.65 autre suspension block.
pub trait SuspensionExt {
    /// .001 motif (112/114/116 invalidité, 998 annulation…).
    fn suspension_reason(&self) -> Option<&str>;
    /// .002 date de début.
    fn suspension_start(&self) -> Option<NaiveDate>;
    /// .003 date de fin.
    fn suspension_end(&self) -> Option<NaiveDate>;
}

impl SuspensionExt for Block {
    fn suspension_reason(&self) -> Option<&str> {
        self.get(1)
    }
    fn suspension_start(&self) -> Option<NaiveDate> {
        self.date(2)
    }
    fn suspension_end(&self) -> Option<NaiveDate> {
        self.date(3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_id_displays_as_norm() {
        assert_eq!(ids::CONTRAT.to_string(), "S21.G00.40");
        assert_eq!(BlockId::new(5, 51, 0).to_string(), "S05.G51.00");
    }

    #[test]
    fn dates_parse_and_reject() {
        assert_eq!(parse_date("29022024"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(parse_date("29022023"), None);
        assert_eq!(parse_date("2024-02-01"), None);
        assert_eq!(
            format_date(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()),
            "05032024"
        );
    }

    #[test]
    fn birth_dates_with_unknown_parts() {
        let b = BirthDate::parse("99031980").unwrap();
        assert_eq!(b.imputed(), NaiveDate::from_ymd_opt(1980, 3, 15));
        let b = BirthDate::parse("12991980").unwrap();
        assert_eq!(b.imputed(), NaiveDate::from_ymd_opt(1980, 7, 1));
        let b = BirthDate::parse("99991980").unwrap();
        assert_eq!(b.imputed(), NaiveDate::from_ymd_opt(1980, 7, 1));
        assert!(BirthDate::parse("32011980").is_none());
    }

    #[test]
    fn fraction_reads_two_digits() {
        let env = Arc::new(EnvoiHeader {
            blocks: vec![],
            line: 0,
        });
        let d = Declaration::new(env, Block::new(ids::DECLARATION).with(3, "12"));
        assert_eq!(d.fraction(), Some((1, 2)));
    }
}
