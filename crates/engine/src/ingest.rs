//! From DSN declarations to a resolved, pseudonymised [`Dataset`].
//!
//! [`Ingest::add`] turns each declaration at once into compact observations
//! (no NIR, NTT or name is kept); [`Ingest::finish`] resolves them:
//!
//! * monthly declarations (nature 01): per SIRET × declared month × fraction
//!   number the latest one wins (highest n° d'ordre; at equal number an
//!   "annule et remplace" 03/05 wins, then a content fingerprint so the result
//!   never depends on file order); the fractions kept are those of the
//!   fraction total of the overall latest declaration of the month, which
//!   lets an A&R declared "11" replace an earlier "12 + 22" pair;
//! * signalements (natures 04, 05, 07, 10…) contribute their arrêt, end and
//!   suspension blocks to contracts known from monthly declarations (a
//!   contract or person seen only in a signalement, e.g. a DPAE, is not
//!   created); type 04 "annule" declarations are ignored;
//! * an individual carrying both an NTT and a NIR links the two identities;
//! * contract = (SIRET, person, S21.G00.40.009, S21.G00.40.001); its end is the
//!   S21.G00.62.001 of the latest declaration carrying a 62 block unless that
//!   block says 099 (cancelled); without an end, a contract missing from 3 or
//!   more later monthly declarations of its establishment ended on the last
//!   day of the last month it was declared (inferred).

use std::collections::hash_map::Entry;
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ancrage_dsn::{Declaration, Sex};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::observe::{observe, DeclObs, DecodeError, Recorder, BUCKETS};
use crate::partition::{MonthlyHeader, Source};
use crate::pseudo::{PersonKey, Pseudonymiser};
use crate::time::Month;

/// A fast, deterministic hasher for the engine's internal maps (keys are
/// HMAC outputs and small integers, not attacker-chosen strings):
/// FxHash-style multiply-rotate.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    fn write_u16(&mut self, i: u16) {
        self.write_u64(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_i32(&mut self, i: i32) {
        self.write_u64(i as u32 as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Contract natures of the CDI group (counted).
pub const CDI_GROUP: [u8; 5] = [1, 7, 9, 82, 91];
/// Contract natures of the CDD group (counted).
pub const CDD_GROUP: [u8; 3] = [2, 10, 92];
/// Natures that are experience for the person but not hires of the declarer
/// (mission d'intérim, CDI intérimaire).
pub const EXPERIENCE_ONLY: [u8; 2] = [3, 8];
/// S21.G00.40.008 codes of aided contracts.
pub const AIDED_DISPOSITIFS: [u8; 7] = [21, 41, 42, 70, 71, 80, 83];
/// S21.G00.40.008 codes of alternance (professionalisation, apprenticeship).
pub const ALTERNANCE_DISPOSITIFS: [u8; 4] = [61, 64, 65, 81];
/// S21.G00.65.001 invalidity suspensions.
pub const INVALIDITY_SUSPENSIONS: [u16; 3] = [112, 114, 116];

/// Group of a contract nature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NatureGroup {
    Cdi,
    Cdd,
    /// 03, 08: experience only.
    Interim,
    /// Stage, mandat, service civique…: counts for nothing.
    Other,
}

impl NatureGroup {
    pub fn of(nature: u8) -> Self {
        if CDI_GROUP.contains(&nature) {
            NatureGroup::Cdi
        } else if CDD_GROUP.contains(&nature) {
            NatureGroup::Cdd
        } else if EXPERIENCE_ONLY.contains(&nature) {
            NatureGroup::Interim
        } else {
            NatureGroup::Other
        }
    }
    /// Counted contracts: hires and stock of the declaring establishment.
    pub fn counted(self) -> bool {
        matches!(self, NatureGroup::Cdi | NatureGroup::Cdd)
    }
    /// Experience for the person (counted, mission, CDI intérimaire).
    pub fn experience(self) -> bool {
        !matches!(self, NatureGroup::Other)
    }
}

/// One establishment (SIRET) with its resolved declared months.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Establishment {
    pub siret: String,
    pub naf: Option<String>,
    pub postcode: Option<String>,
    pub town: Option<String>,
    /// S21.G00.85.011 of the workplace block whose identifier (85.001) is this SIRET.
    pub workplace_commune: Option<String>,
    /// Sorted months with a resolved monthly declaration (possibly "néant").
    pub months: Vec<Month>,
}

/// One person, known only by a pseudonymous key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub key: PersonKey,
    pub sex: Option<Sex>,
    /// Birth date with `99` parts imputed (day → 15, month → 1 July).
    pub birth: Option<NaiveDate>,
}

/// One arrêt de travail (S21.G00.60) after de-duplication across months.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arret {
    /// S21.G00.60.001.
    pub reason: u8,
    /// S21.G00.60.002.
    pub last_day_worked: NaiveDate,
    /// S21.G00.60.010.
    pub resume: Option<NaiveDate>,
    /// S21.G00.60.003.
    pub planned_end: Option<NaiveDate>,
}

impl Arret {
    /// First day off: last day worked + 1.
    pub fn first_day_off(&self) -> NaiveDate {
        self.last_day_worked
            .succ_opt()
            .unwrap_or(self.last_day_worked)
    }
    /// Last day off: day before the resume date, else the planned end.
    pub fn last_day_off(&self) -> Option<NaiveDate> {
        self.resume
            .and_then(|r| r.pred_opt())
            .or(self.planned_end)
            .filter(|e| *e >= self.first_day_off())
    }
    /// Days off (inclusive), when the end is known.
    pub fn days(&self) -> Option<i64> {
        self.last_day_off()
            .map(|e| (e - self.first_day_off()).num_days() + 1)
    }
}

/// An invalidity suspension (S21.G00.65, motifs 112/114/116).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub reason: u16,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// One resolved contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    /// Index into [`Dataset::establishments`].
    pub establishment: u32,
    /// Index into [`Dataset::persons`].
    pub person: u32,
    /// Hash of S21.G00.40.009 (the number itself is not needed).
    pub number_hash: u64,
    /// S21.G00.40.001.
    pub start: NaiveDate,
    /// S21.G00.40.007 of its earliest declaration (`0` when unreadable).
    pub nature: u8,
    /// Declared with a CDI-group nature in some declaration (in-place conversion).
    pub ever_cdi: bool,
    /// S21.G00.40.072 present in some declaration.
    pub boeth: bool,
    /// Aided dispositif or S21.G00.40.073 present in some declaration.
    pub aided: bool,
    /// Alternance dispositif in some declaration.
    pub alternance: bool,
    /// S21.G00.40.010 of its latest declaration (informative only: the
    /// indicators never use it, prolongations and early breaks make it unreliable).
    pub planned_end: Option<NaiveDate>,
    /// First and last months with a monthly declaration carrying it.
    pub first_month: Option<Month>,
    pub last_month: Option<Month>,
    /// Last day of the contract (declared or inferred); `None` = open.
    pub end: Option<NaiveDate>,
    pub end_inferred: bool,
    pub arrets: Vec<Arret>,
    pub invalidity: Vec<Suspension>,
}

impl Contract {
    pub fn group(&self) -> NatureGroup {
        NatureGroup::of(self.nature)
    }
    /// Active on day `d` (started, not ended).
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.start <= d && self.end.is_none_or(|e| e >= d)
    }
}

/// Counters of what was skipped while reading.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestStats {
    pub declarations: u64,
    pub monthly: u64,
    pub signalements: u64,
    pub skipped_no_siret: u64,
    pub skipped_no_month: u64,
    pub skipped_annulations: u64,
    pub individuals_without_id: u64,
    pub contracts_without_start: u64,
    pub monthly_replaced: u64,
}

/// The resolved data the indicators are computed from. No clear identifier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// First and last declared month over all establishments (M0, M1).
    pub m0: Option<Month>,
    pub m1: Option<Month>,
    /// Sorted by SIRET.
    pub establishments: Vec<Establishment>,
    /// Sorted by key.
    pub persons: Vec<Person>,
    /// Sorted by (establishment, person, start, number).
    pub contracts: Vec<Contract>,
    pub stats: IngestStats,
}

/// Streaming ingestion of declarations, in memory.
///
/// Each declaration becomes compact observations at once ([`observe`]); they
/// are kept encoded in person buckets, as in the working store, and
/// [`finish`](Self::finish) resolves them into one [`Dataset`]. `Ingest` is
/// also a [`Source`], so the partitioned computation of the working store
/// ([`crate::partition::indicators`]) runs on it too.
pub struct Ingest {
    ps: Pseudonymiser,
    estab_ids: HashMap<String, u32>,
    sirets: Vec<String>,
    headers: Vec<MonthlyHeader>,
    links: Vec<(PersonKey, PersonKey)>,
    recorder: Recorder,
    decls: u32,
    stats: IngestStats,
}

impl Ingest {
    pub fn new(pseudonymiser: Pseudonymiser) -> Self {
        Self::with_buckets(pseudonymiser, BUCKETS)
    }

    /// With `buckets` person buckets (plus the NTT bucket).
    pub fn with_buckets(pseudonymiser: Pseudonymiser, buckets: u32) -> Self {
        Self {
            ps: pseudonymiser,
            estab_ids: HashMap::default(),
            sirets: Vec::new(),
            headers: Vec::new(),
            links: Vec::new(),
            recorder: Recorder::new(buckets.max(1)),
            decls: 0,
            stats: IngestStats::default(),
        }
    }

    /// Convert one declaration into observations. Nothing else of it is kept.
    pub fn add(&mut self, d: &Declaration) {
        if let Some(o) = observe(&self.ps, d, &mut self.stats) {
            self.add_observed(&o);
        }
    }

    /// Add a declaration already converted by [`observe`].
    pub fn add_observed(&mut self, o: &DeclObs) {
        let estab = match self.estab_ids.entry(o.siret.clone()) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                self.sirets.push(o.siret.clone());
                *e.insert(self.sirets.len() as u32 - 1)
            }
        };
        let decl = self.decls;
        self.decls += 1;
        if o.monthly {
            self.headers.push(MonthlyHeader {
                decl,
                estab,
                month: o.month.expect("monthly declarations have a month"),
                frac: o.frac,
                order: o.order,
                replace: o.replace,
                fp: o.fp,
                info: o.info.clone(),
            });
        }
        for i in &o.individuals {
            if let Some(ntt) = i.ntt {
                self.links.push((ntt, i.key));
            }
        }
        self.recorder.record(decl, estab, o);
    }

    /// Resolve declarations, link identities and build the dataset.
    pub fn finish(mut self) -> Dataset {
        let mut ds = crate::partition::dataset(&mut self).expect("memory observations decode");
        ds.stats = IngestStats {
            monthly_replaced: ds.stats.monthly_replaced,
            ..self.stats
        };
        ds
    }
}

impl Source for Ingest {
    type Error = DecodeError;
    fn buckets(&self) -> u32 {
        self.recorder.ntt_bucket()
    }
    fn establishments(&mut self) -> Result<Vec<String>, DecodeError> {
        Ok(self.sirets.clone())
    }
    fn monthly(&mut self, f: &mut dyn FnMut(MonthlyHeader)) -> Result<(), DecodeError> {
        self.headers.sort_by_key(|h| (h.estab, h.month));
        self.headers.iter().cloned().for_each(f);
        Ok(())
    }
    fn links(&mut self) -> Result<Vec<(PersonKey, PersonKey)>, DecodeError> {
        Ok(self.links.clone())
    }
    fn bucket_bytes(&mut self) -> Result<Vec<u64>, DecodeError> {
        Ok(self.recorder.sizes().map(|(_, n)| n as u64).collect())
    }
    fn chunks(
        &mut self,
        b: u32,
        f: &mut dyn FnMut(&[u8]) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        f(self.recorder.bytes(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pseudo::IdKind;
    use ancrage_dsn::{ids, Block, Contrat, EnvoiHeader, Individu};
    use std::sync::Arc;

    /// A monthly declaration of establishment 123456789 00011 for `month`
    /// (JJMMAAAA) with the given (NIR, contract number) pairs, all CDI from 2020.
    fn decl(
        month: &str,
        kind: &str,
        frac: &str,
        order: &str,
        people: &[(&str, &str)],
    ) -> Declaration {
        let env = Arc::new(EnvoiHeader {
            blocks: vec![],
            line: 0,
        });
        let mut d = Declaration::new(
            env,
            Block::new(ids::DECLARATION)
                .with(1, "01")
                .with(2, kind)
                .with(3, frac)
                .with(4, order)
                .with(5, month),
        );
        d.entreprise = Some(Block::new(ids::ENTREPRISE).with(1, "123456789"));
        d.etablissement = Some(Block::new(ids::ETABLISSEMENT).with(1, "00011"));
        for (nir, number) in people {
            d.individus.push(Individu {
                block: Block::new(ids::INDIVIDU).with(1, *nir).with(5, "01"),
                contrats: vec![Contrat::new(
                    Block::new(ids::CONTRAT)
                        .with(1, "01012020")
                        .with(7, "01")
                        .with(9, *number),
                )],
                other: vec![],
            });
        }
        d
    }

    fn resolve(decls: &[Declaration]) -> Dataset {
        let mut i = Ingest::new(Pseudonymiser::new(b"k"));
        for d in decls {
            i.add(d);
        }
        i.finish()
    }

    #[test]
    fn partitions_follow_linked_identities() {
        // T is declared with an NTT only in January, then with NIR A and the
        // same NTT in February, and with NIR B and that NTT in March (a
        // declaration error linking two NIRs): one person, whichever bucket
        // each key falls in. 40 other people fill the buckets.
        let mut decls = Vec::new();
        for m in 1..=6 {
            let mut d = decl(&format!("01{m:02}2024"), "01", "11", "1", &[]);
            let (nir, ntt) = match m {
                1 => (None, Some("T1")),
                2 => (Some("2000000000001"), Some("T1")),
                3 => (Some("2000000000002"), Some("T1")),
                _ => (Some("2000000000001"), None),
            };
            let mut b = Block::new(ids::INDIVIDU).with(5, "02");
            if let Some(n) = nir {
                b = b.with(1, n);
            }
            if let Some(t) = ntt {
                b = b.with(20, t);
            }
            d.individus.push(Individu {
                block: b,
                contrats: vec![Contrat::new(
                    Block::new(ids::CONTRAT)
                        .with(1, "01012024")
                        .with(7, "02")
                        .with(9, "CT"),
                )],
                other: vec![],
            });
            for p in 0..40 {
                let nir = format!("1{:012}", 1000 + p);
                let person = decl("01012024", "01", "11", "1", &[(&nir, "C")]);
                d.individus.push(person.individus[0].clone());
            }
            decls.push(d);
        }
        let ds = resolve(&decls);
        // 40 + T, and T's contract is one contract over six months.
        assert_eq!(ds.persons.len(), 41);
        assert_eq!(ds.contracts.len(), 41);
        let single = crate::compute(&ds);
        for buckets in [1, 2, 7, 64] {
            let mut i = Ingest::with_buckets(Pseudonymiser::new(b"k"), buckets);
            for d in &decls {
                i.add(d);
            }
            let (parted, report) = crate::partition::indicators(&mut i, 0).unwrap();
            assert_eq!(parted, single, "{buckets} buckets");
            // Empty buckets join the previous group.
            assert_eq!(report.groups > 1, buckets > 1);
            assert!(report.moved >= 1);
        }
    }

    #[test]
    fn workplace_commune_comes_from_the_establishments_own_lieu_de_travail() {
        let mut d = decl("01032024", "01", "11", "1", &[("1000000000001", "C1")]);
        // Another site first (must be ignored), then the establishment itself.
        d.lieux_travail.push(
            Block::new(ids::LIEU_TRAVAIL)
                .with(1, "99999999900099")
                .with(11, "75056"),
        );
        d.lieux_travail.push(
            Block::new(ids::LIEU_TRAVAIL)
                .with(1, "12345678900011")
                .with(11, "69123"),
        );
        let ds = resolve(&[d]);
        assert_eq!(
            ds.establishments[0].workplace_commune.as_deref(),
            Some("69123")
        );
        let plain = resolve(&[decl("01032024", "01", "11", "1", &[])]);
        assert_eq!(plain.establishments[0].workplace_commune, None);
    }

    #[test]
    fn ar_declared_whole_replaces_two_fractions() {
        // March: fractions 1/2 (P1) and 2/2 (P2), then an A&R "11" with P3 only.
        let ds = resolve(&[
            decl("01032024", "01", "12", "1", &[("1000000000001", "C1")]),
            decl("01032024", "01", "22", "2", &[("1000000000002", "C2")]),
            decl("01032024", "03", "11", "3", &[("1000000000003", "C3")]),
        ]);
        assert_eq!(ds.persons.len(), 1);
        assert_eq!(ds.contracts.len(), 1);
        assert_eq!(ds.stats.monthly_replaced, 2);
        assert_eq!(ds.establishments[0].months.len(), 1);
    }

    #[test]
    fn ar_of_one_fraction_keeps_the_other() {
        // Fractions 1/2 (P1) and 2/2 (P2), then an A&R of fraction 1/2 (P3):
        // P3 and P2 remain.
        let ds = resolve(&[
            decl("01032024", "01", "12", "1", &[("1000000000001", "C1")]),
            decl("01032024", "01", "22", "1", &[("1000000000002", "C2")]),
            decl("01032024", "03", "12", "2", &[("1000000000003", "C3")]),
        ]);
        assert_eq!(ds.contracts.len(), 2);
        assert_eq!(ds.stats.monthly_replaced, 1);
    }

    #[test]
    fn latest_order_wins_and_ar_wins_a_tie() {
        // Same month, order 2 beats order 1 whatever the arrival order.
        let a = decl("01032024", "01", "11", "1", &[("1000000000001", "C1")]);
        let b = decl("01032024", "01", "11", "2", &[("1000000000002", "C2")]);
        for pair in [[a.clone(), b.clone()], [b.clone(), a.clone()]] {
            let ds = resolve(&pair);
            assert_eq!(ds.contracts.len(), 1);
            let kept = ds.contracts[0].person;
            let key2 = Pseudonymiser::new(b"k").key(IdKind::Nir, "1000000000002");
            assert_eq!(ds.persons[kept as usize].key, key2);
        }
        // Equal order: the A&R wins.
        let c = decl("01032024", "03", "11", "1", &[("1000000000003", "C3")]);
        let ds = resolve(&[c, a]);
        let key3 = Pseudonymiser::new(b"k").key(IdKind::Nir, "1000000000003");
        assert_eq!(ds.persons[ds.contracts[0].person as usize].key, key3);
    }

    #[test]
    fn empty_ar_empties_the_month_but_the_month_exists() {
        // Type 05 (A&R sans individu) leaves a declared month with nobody.
        let ds = resolve(&[
            decl("01032024", "01", "11", "1", &[("1000000000001", "C1")]),
            decl("01032024", "05", "11", "2", &[]),
        ]);
        assert!(ds.contracts.is_empty());
        assert!(ds.persons.is_empty());
        assert_eq!(ds.establishments[0].months, vec![2024 * 12 + 2]);
    }

    #[test]
    fn contract_reappearing_after_a_gap_is_one_contract() {
        // Declared Jan, Feb, then absent Mar–May, back in June, then the
        // establishment declares Jul–Sep without it: inferred end 30 June.
        let p = [("1000000000001", "C1")];
        let mut decls = Vec::new();
        for m in 1..=9 {
            let people: &[(&str, &str)] = if m <= 2 || m == 6 { &p } else { &[] };
            decls.push(decl(&format!("01{m:02}2024"), "01", "11", "1", people));
        }
        let ds = resolve(&decls);
        assert_eq!(ds.contracts.len(), 1);
        let c = &ds.contracts[0];
        assert_eq!(c.end, NaiveDate::from_ymd_opt(2024, 6, 30));
        assert!(c.end_inferred);
        // With only two later declarations it would stay open.
        let ds = resolve(&decls[..8]);
        assert_eq!(ds.contracts[0].end, None);
    }

    #[test]
    fn signalements_complete_known_contracts_only() {
        let p = [("1000000000001", "C1")];
        let mut decls: Vec<Declaration> = (1..=2)
            .map(|m| decl(&format!("01{m:02}2024"), "01", "11", "1", &p))
            .collect();
        // Arrêt signalement (nature 04) for C1: a work accident.
        let mut s = decl("01022024", "01", "11", "1", &p);
        s.header = Block::new(ids::DECLARATION)
            .with(1, "04")
            .with(2, "01")
            .with(4, "7");
        s.individus[0].contrats[0].arrets.push(
            Block::new(ids::ARRET)
                .with(1, "06")
                .with(2, "09022024")
                .with(10, "20022024"),
        );
        decls.push(s);
        // DPAE-like signalement (nature 10) for someone never declared monthly.
        let mut dpae = decl("01022024", "01", "11", "1", &[("1000000000009", "C9")]);
        dpae.header = Block::new(ids::DECLARATION)
            .with(1, "10")
            .with(2, "01")
            .with(4, "8");
        decls.push(dpae);
        let ds = resolve(&decls);
        assert_eq!(ds.persons.len(), 1);
        assert_eq!(ds.contracts.len(), 1);
        let c = &ds.contracts[0];
        assert_eq!(c.arrets.len(), 1);
        assert_eq!(c.arrets[0].reason, 6);
        // 10–19 Feb 2024 = 10 days off.
        assert_eq!(c.arrets[0].days(), Some(10));
        assert_eq!(ds.stats.signalements, 2);
    }
}
