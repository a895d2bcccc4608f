//! One declaration → compact, pseudonymised observations ([`DeclObs`]), and
//! their byte encoding in person *buckets*.
//!
//! [`observe`] is the only place that reads a declaration's identifiers: NIR
//! and NTT become [`PersonKey`]s at once, names are never read. What it returns
//! is what the engine keeps of a declaration, in memory ([`crate::Ingest`]) or
//! in the private working store (`ancrage-work`), which persists the bytes that
//! [`Recorder`] writes.
//!
//! Encoding: each person's observations go to the bucket of their key
//! ([`bucket_of`]); an individual declared with an NTT only goes to the extra
//! bucket [`Recorder::ntt_bucket`], because the NIR it may later be linked to
//! is not known yet. A bucket is a sequence of *groups*, one per declaration
//! and bucket: the declaration's header (id, establishment id, month, n°
//! d'ordre, fingerprint) then its individuals. Integers are LEB128 varints,
//! dates are days from 2010-01-01 (zigzag), keys 16 raw bytes.

use std::hash::Hasher;

use ancrage_dsn::{ArretExt, Block, Declaration, Nature, Sex, SuspensionExt};
use chrono::NaiveDate;

use crate::ingest::{Arret, IngestStats, Suspension, INVALIDITY_SUSPENSIONS};
use crate::pseudo::{IdKind, PersonKey, Pseudonymiser};
use crate::time::{month_of, Month};

/// One declaration as the engine keeps it. No clear identifier.
#[derive(Clone, Debug, PartialEq)]
pub struct DeclObs {
    pub siret: String,
    /// Nature 01 (monthly); otherwise a signalement.
    pub monthly: bool,
    /// S20.G00.05.005 (required for monthly declarations).
    pub month: Option<Month>,
    /// Fraction (n, of d), `(1, 1)` when absent or invalid.
    pub frac: (u8, u8),
    /// N° d'ordre (S20.G00.05.004).
    pub order: u64,
    /// Type 03/05 "annule et remplace".
    pub replace: bool,
    /// Content fingerprint ([`fingerprint`]).
    pub fp: u64,
    /// Establishment fields of a monthly declaration (`None`s for a signalement).
    pub info: EstabFields,
    pub individuals: Vec<IndividualObs>,
}

/// NAF, postcode, town and the commune of the establishment's own workplace block.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EstabFields {
    pub naf: Option<String>,
    pub postcode: Option<String>,
    pub town: Option<String>,
    pub workplace_commune: Option<String>,
}

/// One individual of a declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct IndividualObs {
    /// NIR key, else NTT key.
    pub key: PersonKey,
    /// `key` is a NIR key.
    pub nir: bool,
    /// NTT key declared next to the NIR (an identity link; not encoded in buckets).
    pub ntt: Option<PersonKey>,
    pub sex: Option<Sex>,
    /// Birth date with `99` parts imputed.
    pub birth: Option<NaiveDate>,
    pub contracts: Vec<ContractObs>,
}

/// One contract of an individual in one declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractObs {
    /// Stable hash of S21.G00.40.009.
    pub number: u64,
    pub start: NaiveDate,
    /// S21.G00.40.007 (`0` when unreadable).
    pub nature: u8,
    pub dispositif: Option<u8>,
    pub boeth: bool,
    /// S21.G00.40.073 present.
    pub complement: bool,
    pub planned_end: Option<NaiveDate>,
    pub events: Vec<EventObs>,
}

/// An end, arrêt or suspension block, with the month that ranks it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventObs {
    pub month: Month,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    End {
        date: Option<NaiveDate>,
        cancelled: bool,
    },
    Arret(Arret),
    Suspension(Suspension),
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

/// A 64-bit hash defined here, byte for byte, so that values persisted in the
/// working store stay valid across Rust releases (std's `DefaultHasher` may
/// change). Multiply-rotate over 8-byte words, then a splitmix64 finaliser.
#[derive(Default)]
pub struct StableHasher(u64);

impl StableHasher {
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(b));
        }
        // Length ends the field: "ab" + "c" differs from "a" + "bc".
        self.word(bytes.len() as u64 | 1 << 63);
    }
    fn finish(&self) -> u64 {
        let mut z = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn hash_block(h: &mut StableHasher, b: &Block) {
    h.write(&[b.id.s, b.id.g, b.id.b]);
    for f in &b.fields {
        h.write(&f.num.to_le_bytes());
        h.write(f.value.as_bytes());
    }
}

/// Content fingerprint: a deterministic tie-breaker between two declarations
/// with the same n° d'ordre, independent of file order and line numbers.
pub fn fingerprint(d: &Declaration) -> u64 {
    let mut h = StableHasher::default();
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

/// Stable hash of a contract number (S21.G00.40.009).
pub fn hash_number(s: &str) -> u64 {
    let mut h = StableHasher::default();
    h.write(s.trim().as_bytes());
    h.finish()
}

/// Convert one declaration into observations, counting what is skipped in
/// `stats`. `None` for a declaration the engine does not use (no SIRET, a
/// monthly declaration without month, an "annule" type 04).
pub fn observe(ps: &Pseudonymiser, d: &Declaration, stats: &mut IngestStats) -> Option<DeclObs> {
    stats.declarations += 1;
    let Some(siret) = d
        .siret()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    else {
        stats.skipped_no_siret += 1;
        return None;
    };
    let kind = parse_u8(d.kind_code()).unwrap_or(1);
    if kind == 4 {
        // "Annule" (natures 07/08/09 only): we cannot tie it to the annulled
        // signalement reliably; ignored (see docs/methode.md, limits).
        stats.skipped_annulations += 1;
        return None;
    }
    let nature = d.nature().unwrap_or(Nature::Other(0));
    let monthly = nature == Nature::Mensuelle;
    let month = d.month().map(month_of);
    if monthly && month.is_none() {
        stats.skipped_no_month += 1;
        return None;
    }
    let order = d.order_number().unwrap_or(0);
    let info = if monthly {
        EstabFields {
            naf: nonempty(d.naf()).map(str::to_string),
            postcode: nonempty(d.postcode()).map(str::to_string),
            town: nonempty(d.town()).map(str::to_string),
            workplace_commune: d
                .lieux_travail
                .iter()
                .find(|b| b.get(1) == Some(siret.as_str()))
                .and_then(|b| nonempty(b.get(11)))
                .map(str::to_string),
        }
    } else {
        EstabFields::default()
    };
    let mut individuals = Vec::with_capacity(d.individus.len());
    for ind in &d.individus {
        let nir = nonempty(ind.nir());
        let ntt = nonempty(ind.ntt());
        let (key, is_nir, link) = match (nir, ntt) {
            (Some(nir), ntt) => (
                ps.key(IdKind::Nir, nir),
                true,
                ntt.map(|t| ps.key(IdKind::Ntt, t)),
            ),
            (None, Some(ntt)) => (ps.key(IdKind::Ntt, ntt), false, None),
            (None, None) => {
                stats.individuals_without_id += 1;
                continue;
            }
        };
        let mut contracts = Vec::with_capacity(ind.contrats.len());
        for c in &ind.contrats {
            let Some(start) = c.start() else {
                stats.contracts_without_start += 1;
                continue;
            };
            let mut events = Vec::new();
            if let Some(fin) = &c.fin {
                let date = fin.date(1);
                let cancelled = fin.get(2).map(str::trim) == Some("099");
                // A signalement's month: the FCTU's 62.020, else the end's month.
                let m = month
                    .or_else(|| fin.date(20).map(month_of))
                    .or(date.map(month_of));
                events.push(EventObs {
                    month: m.unwrap_or(Month::MIN),
                    kind: EventKind::End { date, cancelled },
                });
            }
            for a in &c.arrets {
                let Some(last) = a.last_day_worked() else {
                    continue;
                };
                events.push(EventObs {
                    month: month.unwrap_or_else(|| month_of(last)),
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
                events.push(EventObs {
                    month: month.unwrap_or_else(|| month_of(sstart)),
                    kind: EventKind::Suspension(Suspension {
                        reason,
                        start: sstart,
                        end: s.suspension_end(),
                    }),
                });
            }
            contracts.push(ContractObs {
                number: hash_number(c.number().unwrap_or("")),
                start,
                nature: parse_u8(c.nature()).unwrap_or(0),
                dispositif: parse_u8(c.dispositif()),
                boeth: present(c.boeth()),
                complement: present(c.complement_dispositif()),
                planned_end: c.planned_end(),
                events,
            });
        }
        individuals.push(IndividualObs {
            key,
            nir: is_nir,
            ntt: link,
            sex: ind.sex(),
            birth: ind.birth_date().and_then(|b| b.imputed()),
            contracts,
        });
    }
    if monthly {
        stats.monthly += 1;
    } else {
        stats.signalements += 1;
    }
    let frac = d
        .fraction()
        .filter(|(n, dd)| *n >= 1 && *dd >= *n)
        .unwrap_or((1, 1));
    Some(DeclObs {
        siret,
        monthly,
        month,
        frac,
        order,
        replace: kind == 3 || kind == 5,
        fp: fingerprint(d),
        info,
        individuals,
    })
}

/// Normal buckets of a store (the NTT bucket comes on top).
pub const BUCKETS: u32 = 64;

/// Bucket of a NIR-keyed (or root) person among `buckets`.
pub fn bucket_of(key: &PersonKey, buckets: u32) -> u32 {
    u32::from_le_bytes([key.0[0], key.0[1], key.0[2], key.0[3]]) % buckets
}

/// The declaration part of a group, as decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupHeader {
    pub decl: u32,
    pub estab: u32,
    pub monthly: bool,
    pub month: Option<Month>,
    pub order: u64,
    pub fp: u64,
}

/// Encodes declarations' individuals into per-bucket byte buffers.
pub struct Recorder {
    buckets: Vec<Vec<u8>>,
}

impl Recorder {
    /// `buckets` normal buckets plus the NTT bucket.
    pub fn new(buckets: u32) -> Self {
        Self {
            buckets: vec![Vec::new(); buckets as usize + 1],
        }
    }

    pub fn ntt_bucket(&self) -> u32 {
        self.buckets.len() as u32 - 1
    }

    /// Bucket an individual is written to.
    pub fn route(&self, ind: &IndividualObs) -> u32 {
        if ind.nir {
            bucket_of(&ind.key, self.ntt_bucket())
        } else {
            self.ntt_bucket()
        }
    }

    /// Append declaration `decl` (of establishment `estab`) to the buckets of its individuals.
    pub fn record(&mut self, decl: u32, estab: u32, d: &DeclObs) {
        let header = GroupHeader {
            decl,
            estab,
            monthly: d.monthly,
            month: d.month,
            order: d.order,
            fp: d.fp,
        };
        let mut per_bucket: Vec<(u32, &IndividualObs)> =
            d.individuals.iter().map(|i| (self.route(i), i)).collect();
        // Stable: keeps declaration order inside a bucket.
        per_bucket.sort_by_key(|(b, _)| *b);
        let mut k = 0;
        while k < per_bucket.len() {
            let b = per_bucket[k].0;
            let n = per_bucket[k..].iter().take_while(|(x, _)| *x == b).count();
            let buf = &mut self.buckets[b as usize];
            encode_header(buf, &header, n as u32);
            for (_, ind) in &per_bucket[k..k + n] {
                encode_individual(buf, ind);
            }
            k += n;
        }
    }

    /// Bytes waiting in each bucket.
    pub fn sizes(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.buckets
            .iter()
            .enumerate()
            .map(|(b, v)| (b as u32, v.len()))
    }

    /// The bytes of bucket `b` (a complete sequence of groups).
    pub fn bytes(&self, b: u32) -> &[u8] {
        &self.buckets[b as usize]
    }

    /// Take the bytes of bucket `b`.
    pub fn take(&mut self, b: u32) -> Vec<u8> {
        std::mem::take(&mut self.buckets[b as usize])
    }
}

fn put(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_i(buf: &mut Vec<u8>, v: i64) {
    put(buf, ((v << 1) ^ (v >> 63)) as u64);
}

const EPOCH_DAYS: i64 = 733_773; // 2010-01-01, days from CE
const EPOCH_MONTH: i64 = 2010 * 12;

fn put_date(buf: &mut Vec<u8>, d: NaiveDate) {
    put_i(
        buf,
        chrono::Datelike::num_days_from_ce(&d) as i64 - EPOCH_DAYS,
    );
}

fn encode_header(buf: &mut Vec<u8>, h: &GroupHeader, n: u32) {
    put(buf, h.decl as u64);
    put(buf, h.estab as u64);
    buf.push(h.monthly as u8 | (h.month.is_some() as u8) << 1);
    if let Some(m) = h.month {
        put_i(buf, m as i64 - EPOCH_MONTH);
    }
    put(buf, h.order);
    buf.extend_from_slice(&h.fp.to_le_bytes());
    put(buf, n as u64);
}

/// Append one group holding one individual.
pub fn encode_group(buf: &mut Vec<u8>, h: &GroupHeader, i: &IndividualObs) {
    encode_header(buf, h, 1);
    encode_individual(buf, i);
}

fn encode_individual(buf: &mut Vec<u8>, i: &IndividualObs) {
    buf.extend_from_slice(&i.key.0);
    let sex = match i.sex {
        None => 0,
        Some(Sex::Male) => 1,
        Some(Sex::Female) => 2,
    };
    buf.push(i.nir as u8 | sex << 1 | (i.birth.is_some() as u8) << 3);
    if let Some(b) = i.birth {
        put_date(buf, b);
    }
    put(buf, i.contracts.len() as u64);
    for c in &i.contracts {
        buf.extend_from_slice(&c.number.to_le_bytes());
        put_date(buf, c.start);
        buf.push(c.nature);
        buf.push(
            c.boeth as u8
                | (c.complement as u8) << 1
                | (c.dispositif.is_some() as u8) << 2
                | (c.planned_end.is_some() as u8) << 3,
        );
        if let Some(d) = c.dispositif {
            buf.push(d);
        }
        if let Some(p) = c.planned_end {
            put_date(buf, p);
        }
        put(buf, c.events.len() as u64);
        for e in &c.events {
            put_i(buf, e.month as i64 - EPOCH_MONTH);
            match &e.kind {
                EventKind::End { date, cancelled } => {
                    buf.push((*cancelled as u8) << 2 | (date.is_some() as u8) << 3);
                    if let Some(d) = date {
                        put_date(buf, *d);
                    }
                }
                EventKind::Arret(a) => {
                    buf.push(
                        1 | (a.resume.is_some() as u8) << 2 | (a.planned_end.is_some() as u8) << 3,
                    );
                    buf.push(a.reason);
                    put_date(buf, a.last_day_worked);
                    for d in a.resume.iter().chain(a.planned_end.iter()) {
                        put_date(buf, *d);
                    }
                }
                EventKind::Suspension(s) => {
                    buf.push(2 | (s.end.is_some() as u8) << 3);
                    put(buf, s.reason as u64);
                    put_date(buf, s.start);
                    if let Some(d) = s.end {
                        put_date(buf, d);
                    }
                }
            }
        }
    }
}

/// Bytes that are not a sequence of groups written by [`Recorder`].
#[derive(Debug, thiserror::Error)]
#[error("corrupt observation bytes at offset {0}")]
pub struct DecodeError(pub usize);

/// Reads groups back from a bucket's bytes.
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Call `f` for every (group header, individual), in order.
    pub fn for_each(
        mut self,
        mut f: impl FnMut(&GroupHeader, IndividualObs),
    ) -> Result<(), DecodeError> {
        while self.pos < self.buf.len() {
            let (h, n) = self.header()?;
            for _ in 0..n {
                let ind = self.individual()?;
                f(&h, ind);
            }
        }
        Ok(())
    }

    fn err(&self) -> DecodeError {
        DecodeError(self.pos)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.pos).ok_or_else(|| self.err())?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self
            .buf
            .get(self.pos..self.pos + N)
            .ok_or_else(|| self.err())?;
        self.pos += N;
        Ok(s.try_into().expect("length checked"))
    }

    fn uint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= ((b & 0x7F) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(self.err())
    }

    fn int(&mut self) -> Result<i64, DecodeError> {
        let u = self.uint()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    fn small(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.uint()?).map_err(|_| self.err())
    }

    fn month(&mut self) -> Result<Month, DecodeError> {
        Month::try_from(self.int()? + EPOCH_MONTH).map_err(|_| self.err())
    }

    fn date(&mut self) -> Result<NaiveDate, DecodeError> {
        let days = i32::try_from(self.int()? + EPOCH_DAYS).map_err(|_| self.err())?;
        NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| self.err())
    }

    fn header(&mut self) -> Result<(GroupHeader, u32), DecodeError> {
        let decl = self.small()?;
        let estab = self.small()?;
        let flags = self.byte()?;
        let month = if flags & 2 != 0 {
            Some(self.month()?)
        } else {
            None
        };
        let order = self.uint()?;
        let fp = u64::from_le_bytes(self.bytes::<8>()?);
        let n = self.small()?;
        let h = GroupHeader {
            decl,
            estab,
            monthly: flags & 1 != 0,
            month,
            order,
            fp,
        };
        Ok((h, n))
    }

    fn individual(&mut self) -> Result<IndividualObs, DecodeError> {
        let key = PersonKey(self.bytes::<16>()?);
        let flags = self.byte()?;
        let sex = match (flags >> 1) & 3 {
            0 => None,
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => return Err(self.err()),
        };
        let birth = if flags & 8 != 0 {
            Some(self.date()?)
        } else {
            None
        };
        let n = self.small()?;
        let mut contracts = Vec::with_capacity(n.min(64) as usize);
        for _ in 0..n {
            let number = u64::from_le_bytes(self.bytes::<8>()?);
            let start = self.date()?;
            let nature = self.byte()?;
            let cf = self.byte()?;
            let dispositif = if cf & 4 != 0 {
                Some(self.byte()?)
            } else {
                None
            };
            let planned_end = if cf & 8 != 0 {
                Some(self.date()?)
            } else {
                None
            };
            let ne = self.small()?;
            let mut events = Vec::with_capacity(ne.min(16) as usize);
            for _ in 0..ne {
                let month = self.month()?;
                let ef = self.byte()?;
                let kind = match ef & 3 {
                    0 => EventKind::End {
                        cancelled: ef & 4 != 0,
                        date: if ef & 8 != 0 {
                            Some(self.date()?)
                        } else {
                            None
                        },
                    },
                    1 => {
                        let reason = self.byte()?;
                        let last_day_worked = self.date()?;
                        let resume = if ef & 4 != 0 {
                            Some(self.date()?)
                        } else {
                            None
                        };
                        let planned_end = if ef & 8 != 0 {
                            Some(self.date()?)
                        } else {
                            None
                        };
                        EventKind::Arret(Arret {
                            reason,
                            last_day_worked,
                            resume,
                            planned_end,
                        })
                    }
                    2 => {
                        let reason = u16::try_from(self.uint()?).map_err(|_| self.err())?;
                        let start = self.date()?;
                        let end = if ef & 8 != 0 {
                            Some(self.date()?)
                        } else {
                            None
                        };
                        EventKind::Suspension(Suspension { reason, start, end })
                    }
                    _ => return Err(self.err()),
                };
                events.push(EventObs { month, kind });
            }
            contracts.push(ContractObs {
                number,
                start,
                nature,
                dispositif,
                boeth: cf & 1 != 0,
                complement: cf & 2 != 0,
                planned_end,
                events,
            });
        }
        Ok(IndividualObs {
            key,
            nir: flags & 1 != 0,
            ntt: None,
            sex,
            birth,
            contracts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn groups_round_trip_per_bucket() {
        let ps = Pseudonymiser::new(b"k");
        let ind = |id: &str, nir: bool| IndividualObs {
            key: ps.key(if nir { IdKind::Nir } else { IdKind::Ntt }, id),
            nir,
            ntt: None,
            sex: Some(Sex::Female),
            birth: Some(d(1931, 2, 15)),
            contracts: vec![ContractObs {
                number: 42,
                start: d(2024, 3, 1),
                nature: 2,
                dispositif: Some(64),
                boeth: true,
                complement: false,
                planned_end: None,
                events: vec![
                    EventObs {
                        month: 2024 * 12 + 2,
                        kind: EventKind::End {
                            date: Some(d(2024, 3, 20)),
                            cancelled: false,
                        },
                    },
                    EventObs {
                        month: Month::MIN,
                        kind: EventKind::Arret(Arret {
                            reason: 6,
                            last_day_worked: d(2024, 3, 5),
                            resume: None,
                            planned_end: Some(d(2024, 3, 9)),
                        }),
                    },
                    EventObs {
                        month: 2024 * 12 + 2,
                        kind: EventKind::Suspension(Suspension {
                            reason: 112,
                            start: d(2023, 1, 1),
                            end: None,
                        }),
                    },
                ],
            }],
        };
        let decl = DeclObs {
            siret: "12345678900011".into(),
            monthly: true,
            month: Some(2024 * 12 + 2),
            frac: (1, 1),
            order: 300,
            replace: false,
            fp: u64::MAX - 3,
            info: EstabFields::default(),
            individuals: vec![ind("1", true), ind("2", false), ind("3", true)],
        };
        let mut r = Recorder::new(4);
        r.record(7, 9, &decl);
        let mut seen = Vec::new();
        for b in 0..=4 {
            let bytes = r.take(b);
            Decoder::new(&bytes)
                .for_each(|h, i| {
                    assert_eq!((h.decl, h.estab, h.month, h.order), (7, 9, decl.month, 300));
                    assert_eq!(h.fp, u64::MAX - 3);
                    let want = if i.nir { bucket_of(&i.key, 4) } else { 4 };
                    assert_eq!(want, b);
                    seen.push(i);
                })
                .unwrap();
        }
        assert_eq!(seen.len(), 3);
        for i in &decl.individuals {
            assert!(seen.contains(i));
        }
        assert!(Decoder::new(&[1, 2, 3]).for_each(|_, _| {}).is_err());
    }

    #[test]
    fn stable_hash_trims_and_separates_fields() {
        // Trimmed numbers hash alike; field boundaries count.
        assert_eq!(hash_number("C1"), hash_number(" C1 "));
        assert_ne!(hash_number("C1"), hash_number("C2"));
        let mut a = StableHasher::default();
        a.write(b"ab");
        a.write(b"c");
        let mut b = StableHasher::default();
        b.write(b"a");
        b.write(b"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
