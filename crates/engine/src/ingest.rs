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

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use ancrage_dsn::{ArretExt, Block, Declaration, Nature, Sex, SuspensionExt};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::pseudo::{IdKind, PersonKey, Pseudonymiser};
use crate::time::{month_last, month_of, Month};

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

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<FastHasher>>;

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

/// Ordering key of an observation: (month, n° d'ordre, fingerprint).
type Rank = (Month, u64, u64);
/// Establishment attributes with the rank of the declaration they come from.
/// (rank, NAF, postcode, town, INSEE commune of the establishment's own workplace block).
type EstabInfo = (
    Rank,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
/// Person attributes (sex, birth date) with their ranks.
type PersonAttrs = (Option<(Rank, Sex)>, Option<(Rank, NaiveDate)>);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct CKey {
    estab: u32,
    person: u32,
    number: u64,
    start: NaiveDate,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Version {
    ckey: u32,
    nature: u8,
    dispositif: Option<u8>,
    boeth: bool,
    complement: bool,
    planned_end: Option<NaiveDate>,
}

#[derive(Clone, Debug)]
enum EventKind {
    End {
        date: Option<NaiveDate>,
        cancelled: bool,
    },
    Arret(Arret),
    Suspension(Suspension),
}

#[derive(Clone, Debug)]
struct Event {
    ckey: u32,
    rank: Rank,
    kind: EventKind,
}

struct MonthlyRec {
    estab: u32,
    month: Month,
    frac: (u8, u8),
    order: u64,
    replace: bool,
    fp: u64,
    /// Range of this declaration's version ids in `Ingest::obs_versions`.
    versions: (u32, u32),
    /// Range of its events in `Ingest::obs_events`.
    events: (u32, u32),
}

#[derive(Default)]
struct EstabAcc {
    siret: String,
    info: Option<EstabInfo>,
}

struct PersonAcc {
    key: PersonKey,
    nir: bool,
    sex: Option<(Rank, Sex)>,
    birth: Option<(Rank, NaiveDate)>,
}

/// Streaming ingestion of declarations.
pub struct Ingest {
    ps: Pseudonymiser,
    estab_ids: HashMap<String, u32>,
    estabs: Vec<EstabAcc>,
    person_ids: HashMap<PersonKey, u32>,
    persons: Vec<PersonAcc>,
    links: Vec<(u32, u32)>,
    ckey_ids: HashMap<CKey, u32>,
    ckeys: Vec<CKey>,
    version_ids: HashMap<Version, u32>,
    versions: Vec<Version>,
    monthly: Vec<MonthlyRec>,
    signal_versions: Vec<u32>,
    signal_events: Vec<Event>,
    /// Version ids of every monthly declaration, back to back (4 bytes per
    /// contract-month: the only per-person-month cost of the engine).
    obs_versions: Vec<u32>,
    obs_events: Vec<Event>,
    stats: IngestStats,
}

fn parse_u8(s: Option<&str>) -> Option<u8> {
    s.and_then(|s| s.trim().parse().ok())
}

fn present(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn hash_block(h: &mut DefaultHasher, b: &Block) {
    b.id.hash(h);
    for f in &b.fields {
        f.num.hash(h);
        f.value.hash(h);
    }
}

/// Content fingerprint: a deterministic tie-breaker between two declarations
/// with the same n° d'ordre, independent of file order and line numbers.
fn fingerprint(d: &Declaration) -> u64 {
    let mut h = DefaultHasher::new();
    hash_block(&mut h, &d.header);
    for b in d.entreprise.iter().chain(d.etablissement.iter()) {
        hash_block(&mut h, b);
    }
    for i in &d.individus {
        hash_block(&mut h, &i.block);
        for c in &i.contrats {
            hash_block(&mut h, &c.block);
            for b in c
                .arrets
                .iter()
                .chain(c.fin.iter())
                .chain(c.suspensions.iter())
            {
                hash_block(&mut h, b);
            }
        }
    }
    h.finish()
}

fn hash_number(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.trim().hash(&mut h);
    h.finish()
}

impl Ingest {
    pub fn new(pseudonymiser: Pseudonymiser) -> Self {
        Self {
            ps: pseudonymiser,
            estab_ids: HashMap::default(),
            estabs: Vec::new(),
            person_ids: HashMap::default(),
            persons: Vec::new(),
            links: Vec::new(),
            ckey_ids: HashMap::default(),
            ckeys: Vec::new(),
            version_ids: HashMap::default(),
            versions: Vec::new(),
            monthly: Vec::new(),
            signal_versions: Vec::new(),
            signal_events: Vec::new(),
            obs_versions: Vec::new(),
            obs_events: Vec::new(),
            stats: IngestStats::default(),
        }
    }

    fn estab(&mut self, siret: String) -> u32 {
        match self.estab_ids.entry(siret) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let id = self.estabs.len() as u32;
                self.estabs.push(EstabAcc {
                    siret: e.key().clone(),
                    info: None,
                });
                e.insert(id);
                id
            }
        }
    }

    fn person(&mut self, key: PersonKey, nir: bool) -> u32 {
        match self.person_ids.entry(key) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let id = self.persons.len() as u32;
                self.persons.push(PersonAcc {
                    key,
                    nir,
                    sex: None,
                    birth: None,
                });
                e.insert(id);
                id
            }
        }
    }

    fn ckey(&mut self, k: CKey) -> u32 {
        *self.ckey_ids.entry(k).or_insert_with(|| {
            self.ckeys.push(k);
            self.ckeys.len() as u32 - 1
        })
    }

    fn version(&mut self, v: Version) -> u32 {
        *self.version_ids.entry(v).or_insert_with(|| {
            self.versions.push(v);
            self.versions.len() as u32 - 1
        })
    }

    /// Convert one declaration into observations. Nothing of it is kept.
    pub fn add(&mut self, d: &Declaration) {
        self.stats.declarations += 1;
        let Some(siret) = d
            .siret()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        else {
            self.stats.skipped_no_siret += 1;
            return;
        };
        let kind = parse_u8(d.kind_code()).unwrap_or(1);
        if kind == 4 {
            // "Annule" (natures 07/08/09 only): we cannot tie it to the annulled
            // signalement reliably; ignored (see docs/methode.md, limits).
            self.stats.skipped_annulations += 1;
            return;
        }
        let nature = d.nature().unwrap_or(Nature::Other(0));
        let monthly = nature == Nature::Mensuelle;
        let month = d.month().map(month_of);
        if monthly && month.is_none() {
            self.stats.skipped_no_month += 1;
            return;
        }
        let order = d.order_number().unwrap_or(0);
        let fp = fingerprint(d);
        let own_workplace_commune = d
            .lieux_travail
            .iter()
            .find(|b| b.get(1) == Some(siret.as_str()))
            .and_then(|b| nonempty(b.get(11)))
            .map(str::to_string);
        let estab = self.estab(siret);
        let decl_rank: Rank = (month.unwrap_or(Month::MIN), order, fp);

        if monthly {
            let info = (
                decl_rank,
                nonempty(d.naf()).map(str::to_string),
                nonempty(d.postcode()).map(str::to_string),
                nonempty(d.town()).map(str::to_string),
                own_workplace_commune,
            );
            let acc = &mut self.estabs[estab as usize];
            if acc.info.as_ref().is_none_or(|cur| info > *cur) {
                acc.info = Some(info);
            }
        }

        let mut versions = Vec::new();
        let mut events = Vec::new();
        for ind in &d.individus {
            let nir = nonempty(ind.nir());
            let ntt = nonempty(ind.ntt());
            let pid = match (nir, ntt) {
                (Some(nir), ntt) => {
                    let p = self.person(self.ps.key(IdKind::Nir, nir), true);
                    if let Some(ntt) = ntt {
                        let q = self.person(self.ps.key(IdKind::Ntt, ntt), false);
                        self.links.push((q, p));
                    }
                    p
                }
                (None, Some(ntt)) => self.person(self.ps.key(IdKind::Ntt, ntt), false),
                (None, None) => {
                    self.stats.individuals_without_id += 1;
                    continue;
                }
            };
            {
                let p = &mut self.persons[pid as usize];
                if let Some(sex) = ind.sex() {
                    if p.sex.is_none_or(|(r, _)| decl_rank > r) {
                        p.sex = Some((decl_rank, sex));
                    }
                }
                if let Some(b) = ind.birth_date().and_then(|b| b.imputed()) {
                    if p.birth.is_none_or(|(r, _)| decl_rank > r) {
                        p.birth = Some((decl_rank, b));
                    }
                }
            }
            for c in &ind.contrats {
                let Some(start) = c.start() else {
                    self.stats.contracts_without_start += 1;
                    continue;
                };
                let ck = self.ckey(CKey {
                    estab,
                    person: pid,
                    number: hash_number(c.number().unwrap_or("")),
                    start,
                });
                let v = self.version(Version {
                    ckey: ck,
                    nature: parse_u8(c.nature()).unwrap_or(0),
                    dispositif: parse_u8(c.dispositif()),
                    boeth: present(c.boeth()),
                    complement: present(c.complement_dispositif()),
                    planned_end: c.planned_end(),
                });
                versions.push(v);
                if let Some(fin) = &c.fin {
                    let date = fin.date(1);
                    let cancelled = fin.get(2).map(str::trim) == Some("099");
                    // A signalement's month: the FCTU's 62.020, else the end's month.
                    let m = month
                        .or_else(|| fin.date(20).map(month_of))
                        .or(date.map(month_of));
                    events.push(Event {
                        ckey: ck,
                        rank: (m.unwrap_or(Month::MIN), order, fp),
                        kind: EventKind::End { date, cancelled },
                    });
                }
                for a in &c.arrets {
                    let Some(last) = a.last_day_worked() else {
                        continue;
                    };
                    let m = month.unwrap_or_else(|| month_of(last));
                    events.push(Event {
                        ckey: ck,
                        rank: (m, order, fp),
                        kind: EventKind::Arret(Arret {
                            reason: parse_u8(a.arret_reason()).unwrap_or(0),
                            last_day_worked: last,
                            resume: a.resume_date(),
                            planned_end: ArretExt::planned_end(a),
                        }),
                    });
                }
                for s in &c.suspensions {
                    let reason: u16 = s
                        .suspension_reason()
                        .and_then(|r| r.trim().parse().ok())
                        .unwrap_or(0);
                    let Some(sstart) = s.suspension_start() else {
                        continue;
                    };
                    if !(INVALIDITY_SUSPENSIONS.contains(&reason) || reason == 998) {
                        continue;
                    }
                    let m = month.unwrap_or_else(|| month_of(sstart));
                    events.push(Event {
                        ckey: ck,
                        rank: (m, order, fp),
                        kind: EventKind::Suspension(Suspension {
                            reason,
                            start: sstart,
                            end: s.suspension_end(),
                        }),
                    });
                }
            }
        }

        if monthly {
            self.stats.monthly += 1;
            let (vs, es) = (self.obs_versions.len() as u32, self.obs_events.len() as u32);
            self.obs_versions.extend_from_slice(&versions);
            self.obs_events.extend(events);
            let frac = d
                .fraction()
                .filter(|(n, dd)| *n >= 1 && *dd >= *n)
                .unwrap_or((1, 1));
            self.monthly.push(MonthlyRec {
                estab,
                month: month.expect("checked above"),
                frac,
                order,
                replace: kind == 3 || kind == 5,
                fp,
                versions: (vs, self.obs_versions.len() as u32 - vs),
                events: (es, self.obs_events.len() as u32 - es),
            });
        } else {
            self.stats.signalements += 1;
            self.signal_versions.extend(versions);
            self.signal_events.extend(events);
        }
    }

    /// Resolve declarations, link identities and build the dataset.
    pub fn finish(self) -> Dataset {
        let Ingest {
            estabs,
            persons,
            links,
            ckeys,
            versions,
            mut monthly,
            signal_versions,
            signal_events,
            obs_versions,
            obs_events,
            mut stats,
            ps: _,
            estab_ids,
            person_ids,
            ckey_ids,
            version_ids,
        } = self;
        drop((estab_ids, person_ids, ckey_ids, version_ids));
        let slice = |r: (u32, u32)| r.0 as usize..(r.0 + r.1) as usize;

        // 1. Resolve monthly declarations per (establishment, month).
        monthly.sort_by_key(|r| (r.estab, r.month));
        let mut kept: Vec<usize> = Vec::new();
        let mut estab_months: Vec<Vec<Month>> = vec![Vec::new(); estabs.len()];
        let mut i = 0;
        while i < monthly.len() {
            let mut j = i;
            while j < monthly.len()
                && monthly[j].estab == monthly[i].estab
                && monthly[j].month == monthly[i].month
            {
                j += 1;
            }
            let rank = |r: &MonthlyRec| (r.order, r.replace, r.fp);
            // Latest per fraction number.
            let mut winners: Vec<usize> = Vec::new();
            for k in i..j {
                match winners
                    .iter_mut()
                    .find(|w| monthly[**w].frac.0 == monthly[k].frac.0)
                {
                    Some(w) => {
                        if rank(&monthly[k]) > rank(&monthly[*w]) {
                            *w = k;
                        }
                    }
                    None => winners.push(k),
                }
            }
            let latest = *winners
                .iter()
                .max_by_key(|w| rank(&monthly[**w]))
                .expect("non-empty group");
            let total = monthly[latest].frac.1;
            let before = kept.len();
            kept.extend(
                winners
                    .iter()
                    .copied()
                    .filter(|w| monthly[*w].frac.1 == total),
            );
            stats.monthly_replaced += ((j - i) - (kept.len() - before)) as u64;
            estab_months[monthly[i].estab as usize].push(monthly[i].month);
            i = j;
        }

        // 2. Link identities (NTT ↔ NIR) with a union-find; a NIR key is root.
        let mut parent: Vec<u32> = (0..persons.len() as u32).collect();
        fn find(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        let better = |a: u32, b: u32| {
            let (pa, pb) = (&persons[a as usize], &persons[b as usize]);
            (pa.nir, std::cmp::Reverse(pa.key)) > (pb.nir, std::cmp::Reverse(pb.key))
        };
        for &(a, b) in &links {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                if better(ra, rb) {
                    parent[rb as usize] = ra;
                } else {
                    parent[ra as usize] = rb;
                }
            }
        }
        let roots: Vec<u32> = (0..persons.len() as u32)
            .map(|p| find(&mut parent, p))
            .collect();
        // Merge attributes into roots.
        let mut merged: HashMap<u32, PersonAttrs> = HashMap::default();
        for (p, acc) in persons.iter().enumerate() {
            let e = merged.entry(roots[p]).or_default();
            if let Some(s) = acc.sex {
                if e.0
                    .is_none_or(|cur| (s.0, s.1 as u8) > (cur.0, cur.1 as u8))
                {
                    e.0 = Some(s);
                }
            }
            if let Some(b) = acc.birth {
                if e.1.is_none_or(|cur| b > cur) {
                    e.1 = Some(b);
                }
            }
        }
        // Only persons with a contract in a kept monthly declaration (a person
        // only in a replaced declaration, or only in a signalement such as a
        // DPAE, is not part of the data).
        let mut used = vec![false; persons.len()];
        for &k in &kept {
            for &v in &obs_versions[slice(monthly[k].versions)] {
                used[roots[ckeys[versions[v as usize].ckey as usize].person as usize] as usize] =
                    true;
            }
        }
        let mut root_list: Vec<u32> = merged
            .keys()
            .copied()
            .filter(|r| used[*r as usize])
            .collect();
        root_list.sort_by_key(|r| persons[*r as usize].key);
        let mut person_index: HashMap<u32, u32> = HashMap::default();
        let out_persons: Vec<Person> = root_list
            .iter()
            .enumerate()
            .map(|(i, r)| {
                person_index.insert(*r, i as u32);
                let (sex, birth) = merged[r];
                Person {
                    key: persons[*r as usize].key,
                    sex: sex.map(|s| s.1),
                    birth: birth.map(|b| b.1),
                }
            })
            .collect();

        // 3. Establishments sorted by SIRET.
        let mut estab_order: Vec<u32> = (0..estabs.len() as u32).collect();
        estab_order.sort_by(|a, b| estabs[*a as usize].siret.cmp(&estabs[*b as usize].siret));
        let mut estab_index = vec![0u32; estabs.len()];
        for (i, e) in estab_order.iter().enumerate() {
            estab_index[*e as usize] = i as u32;
        }

        // 4. Contracts: merge the raw keys after identity linking.
        // Observations are folded as they come (no per-month list): earliest
        // (month, nature), month range, flags, latest planned end.
        #[derive(Default)]
        struct Acc {
            first: Option<(Month, u8)>,
            months: Option<(Month, Month)>,
            ever_cdi: bool,
            boeth: bool,
            aided: bool,
            alternance: bool,
            planned: Option<(Month, Option<NaiveDate>)>,
            events: Vec<Event>,
        }
        impl Acc {
            /// `m = Month::MAX` for a signalement (no declared month).
            fn observe(&mut self, m: Month, v: &Version) {
                if self.first.is_none_or(|f| (m, v.nature) < f) {
                    self.first = Some((m, v.nature));
                }
                if m != Month::MAX {
                    self.months = Some(match self.months {
                        Some((a, b)) => (a.min(m), b.max(m)),
                        None => (m, m),
                    });
                }
                self.ever_cdi |= NatureGroup::of(v.nature) == NatureGroup::Cdi;
                self.boeth |= v.boeth;
                self.aided |=
                    v.complement || v.dispositif.is_some_and(|d| AIDED_DISPOSITIFS.contains(&d));
                self.alternance |= v
                    .dispositif
                    .is_some_and(|d| ALTERNANCE_DISPOSITIFS.contains(&d));
                if self.planned.is_none_or(|p| (m, v.planned_end) > p) {
                    self.planned = Some((m, v.planned_end));
                }
            }
        }
        let final_key = |ck: u32| {
            let k = ckeys[ck as usize];
            (
                estab_index[k.estab as usize],
                person_index[&roots[k.person as usize]],
                k.start,
                k.number,
            )
        };
        let mut accs: HashMap<(u32, u32, NaiveDate, u64), Acc> = HashMap::default();
        let mut keep = vec![false; monthly.len()];
        for &k in &kept {
            keep[k] = true;
        }
        // Consume the records so their memory is released as the contracts grow.
        for (r, _) in monthly.iter().zip(keep).filter(|(_, k)| *k) {
            for &v in &obs_versions[slice(r.versions)] {
                let ver = &versions[v as usize];
                accs.entry(final_key(ver.ckey))
                    .or_default()
                    .observe(r.month, ver);
            }
            for e in &obs_events[slice(r.events)] {
                accs.entry(final_key(e.ckey))
                    .or_default()
                    .events
                    .push(e.clone());
            }
        }
        drop((monthly, obs_versions, obs_events));
        // Signalements only complete contracts known from monthly declarations.
        let known = |ck: u32| person_index.contains_key(&roots[ckeys[ck as usize].person as usize]);
        for &v in &signal_versions {
            let ver = &versions[v as usize];
            if known(ver.ckey) {
                if let Some(acc) = accs.get_mut(&final_key(ver.ckey)) {
                    acc.observe(Month::MAX, ver);
                }
            }
        }
        for e in signal_events {
            if known(e.ckey) {
                if let Some(acc) = accs.get_mut(&final_key(e.ckey)) {
                    acc.events.push(e);
                }
            }
        }

        let mut keys: Vec<_> = accs.keys().copied().collect();
        keys.sort();
        let est_months: Vec<&Vec<Month>> = estab_order
            .iter()
            .map(|e| &estab_months[*e as usize])
            .collect();
        let mut contracts = Vec::with_capacity(keys.len());
        for key in keys {
            let acc = accs.remove(&key).expect("key listed");
            let (estab, person, start, number) = key;
            // Nature from the earliest observation (ties: smallest code).
            let first = acc.first.expect("contracts come from observations");
            let (ever_cdi, boeth, aided, alternance) =
                (acc.ever_cdi, acc.boeth, acc.aided, acc.alternance);
            let planned_end = acc.planned.and_then(|(_, p)| p);
            let first_month = acc.months.map(|(a, _)| a);
            let last_month = acc.months.map(|(_, b)| b);

            // Declared end: latest 62 block; 099 cancels.
            let end_ev = acc
                .events
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::End { date, cancelled } => Some((e.rank, cancelled, date)),
                    _ => None,
                })
                .max();
            // An end before the start is a declaration error: ignored.
            let mut end = match end_ev {
                Some((_, false, date)) => date.filter(|d| *d >= start),
                _ => None,
            };
            let mut end_inferred = false;
            if end.is_none() {
                if let Some(l) = last_month {
                    let later = est_months[estab as usize]
                        .iter()
                        .filter(|m| **m > l)
                        .count();
                    if later >= 3 {
                        end = Some(month_last(l));
                        end_inferred = true;
                    }
                }
            }
            // Arrêts: one per last day worked, latest declaration wins, 99 cancels.
            let mut arr: HashMap<NaiveDate, (Rank, &Arret)> = HashMap::default();
            let mut sus: HashMap<NaiveDate, (Rank, &Suspension)> = HashMap::default();
            for e in &acc.events {
                match &e.kind {
                    EventKind::Arret(a) => {
                        let slot = arr.entry(a.last_day_worked).or_insert((e.rank, a));
                        if (e.rank, a.reason, a.resume, a.planned_end)
                            > (slot.0, slot.1.reason, slot.1.resume, slot.1.planned_end)
                        {
                            *slot = (e.rank, a);
                        }
                    }
                    EventKind::Suspension(s) => {
                        let slot = sus.entry(s.start).or_insert((e.rank, s));
                        if (e.rank, s.reason, s.end) > (slot.0, slot.1.reason, slot.1.end) {
                            *slot = (e.rank, s);
                        }
                    }
                    EventKind::End { .. } => {}
                }
            }
            let mut arrets: Vec<Arret> = arr
                .into_values()
                .filter(|(_, a)| a.reason != 99)
                .map(|(_, a)| a.clone())
                .collect();
            arrets.sort_by_key(|a| a.last_day_worked);
            let mut invalidity: Vec<Suspension> = sus
                .into_values()
                .filter(|(_, s)| INVALIDITY_SUSPENSIONS.contains(&s.reason))
                .map(|(_, s)| s.clone())
                .collect();
            invalidity.sort_by_key(|s| s.start);

            contracts.push(Contract {
                establishment: estab,
                person,
                number_hash: number,
                start,
                nature: first.1,
                ever_cdi,
                boeth,
                aided,
                alternance,
                planned_end,
                first_month,
                last_month,
                end,
                end_inferred,
                arrets,
                invalidity,
            });
        }

        let establishments: Vec<Establishment> = estab_order
            .iter()
            .map(|e| {
                let acc = &estabs[*e as usize];
                let (naf, postcode, town, workplace_commune) = match &acc.info {
                    Some((_, n, p, t, w)) => (n.clone(), p.clone(), t.clone(), w.clone()),
                    None => (None, None, None, None),
                };
                Establishment {
                    siret: acc.siret.clone(),
                    naf,
                    postcode,
                    town,
                    workplace_commune,
                    months: estab_months[*e as usize].clone(),
                }
            })
            .collect();
        let m0 = establishments
            .iter()
            .filter_map(|e| e.months.first())
            .min()
            .copied();
        let m1 = establishments
            .iter()
            .filter_map(|e| e.months.last())
            .max()
            .copied();
        // Counters that depend on how declarations were split are not part of
        // the data; keep only the file-independent ones.
        Dataset {
            m0,
            m1,
            establishments,
            persons: out_persons,
            contracts,
            stats,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ancrage_dsn::{ids, Contrat, EnvoiHeader, Individu};
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
