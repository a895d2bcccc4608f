//! The monthly simulation of one basin: people, hiring, contracts, arrêts.
//!
//! Time is counted in days (`chrono` day number from the common era). Each
//! month, for every open establishment: contracts reaching their term end (or
//! become CDI), core contracts separate with the establishment's hazard,
//! arrêts start, vacancies (target headcount − staff) are filled from the
//! basin's labour pool, short CDDs and interim missions are drawn. Then the
//! month is handed to the emitter, which writes the declarations.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::Rng;

use crate::config::SynthConfig;
use crate::rng::{gumbel, lognormal, poisson, SimRng};
use crate::setup::{Estab, Kind};
use crate::stats::BasinStats;

pub type Day = i32;
pub const OPEN: Day = i32::MAX;
const NONE: Day = i32::MIN / 2;

pub fn day(d: NaiveDate) -> Day {
    d.num_days_from_ce()
}

pub fn date(d: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(d).expect("day in range")
}

/// First and last day of month `m` counted from the start month.
pub fn month_bounds(start: (i32, u32), m: u32) -> (Day, Day) {
    let total = start.1 - 1 + m;
    let y = start.0 + (total / 12) as i32;
    let mo = total % 12 + 1;
    let first = NaiveDate::from_ymd_opt(y, mo, 1).unwrap();
    let next = if mo == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1).unwrap()
    } else {
        NaiveDate::from_ymd_opt(y, mo + 1, 1).unwrap()
    };
    (day(first), day(next) - 1)
}

/// One person of the basin.
#[derive(Clone, Debug)]
pub struct Person {
    pub female: bool,
    pub birth: Day,
    pub boeth: bool,
    /// Has had a contract in the simulated data.
    pub ever: bool,
    /// Last known end of a contract (may be in the future while employed).
    pub last_end: Day,
    /// End of the last arrêt of 180 days or more.
    pub long_sick_end: Day,
    pub busy_until: Day,
    /// Holds a core (non-short) contract.
    pub core: bool,
    pub pool_pos: u32,
    pub gone: bool,
    /// Global person number (NIR numbering).
    pub number: u64,
    pub first_name: u16,
    pub last_name: u16,
}

pub const NOT_POOLED: u32 = u32::MAX;

/// One arrêt de travail.
#[derive(Clone, Debug)]
pub struct Arret {
    /// 01 maladie, 04 trajet, 05 maladie professionnelle, 06 accident du travail.
    pub reason: u8,
    /// First day off.
    pub start: Day,
    /// Last day off.
    pub end: Day,
    /// Also sent as a nature 04 signalement.
    pub signal: bool,
}

/// Contract flags (anomalies and signalements).
pub mod flags {
    pub const NTT_FIRST: u8 = 1;
    pub const LATE_END: u8 = 2;
    pub const MISSING_END: u8 = 4;
    pub const FCTU: u8 = 8;
}

/// One contract of an establishment.
#[derive(Clone, Debug)]
pub struct Contract {
    pub person: u32,
    pub no: u32,
    /// S21.G00.40.007: 1 CDI, 2 CDD, 3 mission.
    pub nature: u8,
    /// S21.G00.40.008 (99 = non concerné).
    pub dispositif: u8,
    /// S21.G00.40.021 motif de recours (0 = none).
    pub recours: u8,
    pub start: Day,
    pub planned_end: Day,
    pub end: Day,
    pub reason: u16,
    /// Start of the tenure spell (carried over by CDD → CDI conversions).
    pub spell_start: Day,
    /// For missions: index of the user establishment.
    pub user: u32,
    /// Core contract (counted in the establishment's headcount target).
    pub core: bool,
    pub cadre: bool,
    pub part_time: bool,
    /// Monthly gross pay for full time.
    pub pay: u32,
    pub arrets: Vec<Arret>,
    /// Scheduled end after a long arrêt: (day, motif).
    pub scheduled: Option<(Day, u16)>,
    pub flags: u8,
    /// A conversion CDI follows this CDD.
    pub converted: bool,
    /// First hire of this person by this establishment (or its conversion).
    pub first_here: bool,
}

impl Contract {
    pub fn active_in(&self, ms: Day, me: Day) -> bool {
        self.start <= me && self.end >= ms
    }
}

/// Dynamic state of an establishment.
#[derive(Clone, Debug, Default)]
pub struct EstabState {
    pub contracts: Vec<Contract>,
    pub next_no: u32,
    pub recall: Vec<u32>,
}

/// What kind of hire is being made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HireKind {
    Core,
    Apprentice,
    Aided,
    Short,
    Mission,
}

/// The state of one basin.
pub struct World<'a> {
    pub cfg: &'a SynthConfig,
    pub estabs: &'a [Estab],
    /// Global indices of this basin's establishments.
    pub members: Vec<usize>,
    pub states: Vec<EstabState>,
    pub persons: Vec<Person>,
    pool: [Vec<u32>; 2],
    agencies: Vec<usize>,
    pub start: (i32, u32),
    pub months: u32,
    pub horizon_end: Day,
    person_base: u64,
    person_cap: u64,
    rng: SimRng,
    hired_pairs: HashSet<u64>,
    pub stats: BasinStats,
}

fn age_years(birth: Day, at: Day) -> f64 {
    (at - birth) as f64 / 365.25
}

impl<'a> World<'a> {
    pub fn new(
        cfg: &'a SynthConfig,
        estabs: &'a [Estab],
        basin: usize,
        n_basins: usize,
        start: (i32, u32),
        rng: SimRng,
    ) -> Self {
        // The synthetic NIR numbers are shared evenly between basins.
        let person_cap = crate::ids::NIR_CAPACITY / n_basins.max(1) as u64;
        let members: Vec<usize> = (0..estabs.len())
            .filter(|&i| estabs[i].basin == basin)
            .collect();
        let agencies = members
            .iter()
            .enumerate()
            .filter(|(_, &g)| estabs[g].kind.is_agency())
            .map(|(l, _)| l)
            .collect();
        let months = cfg.years * 12;
        let horizon_end = month_bounds(start, months - 1).1;
        let n = members.len();
        let mut stats = BasinStats::new(n);
        stats.horizon_start = month_bounds(start, 0).0;
        Self {
            cfg,
            estabs,
            members,
            states: vec![EstabState::default(); n],
            persons: Vec::new(),
            pool: [Vec::new(), Vec::new()],
            agencies,
            start,
            months,
            horizon_end,
            person_base: basin as u64 * person_cap,
            person_cap,
            rng,
            hired_pairs: HashSet::new(),
            stats,
        }
    }

    pub fn estab(&self, local: usize) -> &'a Estab {
        &self.estabs[self.members[local]]
    }

    fn new_person(&mut self, female: bool, age: f64, at: Day, boeth_p: f64) -> u32 {
        let id = self.persons.len() as u32;
        assert!(
            (id as u64) < self.person_cap,
            "more than {} persons in one basin (synthetic NIR numbering)",
            self.person_cap
        );
        let birth = at - (age * 365.25) as Day - self.rng.gen_range(0..365);
        let p = Person {
            female,
            birth,
            boeth: self.rng.gen::<f64>() < boeth_p,
            ever: false,
            last_end: NONE,
            long_sick_end: NONE,
            busy_until: NONE,
            core: false,
            pool_pos: NOT_POOLED,
            gone: false,
            number: self.person_base + id as u64,
            first_name: self.rng.gen(),
            last_name: self.rng.gen(),
        };
        self.persons.push(p);
        id
    }

    fn pool_add(&mut self, p: u32) {
        let person = &mut self.persons[p as usize];
        if person.pool_pos != NOT_POOLED || person.gone {
            return;
        }
        let s = person.female as usize;
        person.pool_pos = self.pool[s].len() as u32;
        self.pool[s].push(p);
    }

    fn pool_remove(&mut self, p: u32) {
        let (s, pos) = {
            let person = &self.persons[p as usize];
            (person.female as usize, person.pool_pos)
        };
        if pos == NOT_POOLED {
            return;
        }
        let last = *self.pool[s].last().unwrap();
        self.pool[s].swap_remove(pos as usize);
        if last != p {
            self.persons[last as usize].pool_pos = pos;
        }
        self.persons[p as usize].pool_pos = NOT_POOLED;
    }

    /// Stock age mix (under 25 / 25–49 / 50–64) of the initial staff.
    fn stock_age(&mut self) -> f64 {
        let u: f64 = self.rng.gen();
        if u < 0.10 {
            self.rng.gen_range(18.0..25.0)
        } else if u < 0.69 {
            self.rng.gen_range(25.0..50.0)
        } else {
            self.rng.gen_range(50.0..63.0)
        }
    }

    fn boeth_p_for_age(age: f64) -> f64 {
        if age < 30.0 {
            0.01
        } else if age < 50.0 {
            0.023
        } else {
            0.043
        }
    }

    /// Staff at the first month plus the initial labour pool.
    pub fn init(&mut self) {
        let (ms, _) = month_bounds(self.start, 0);
        let mut staff_total = 0.0;
        for l in 0..self.members.len() {
            let e = self.estab(l);
            self.stats
                .sections
                .entry(e.section)
                .or_default()
                .establishments += 1;
            staff_total += e.base_size;
            if e.open_month > 0 {
                continue;
            }
            let n = e.base_size.round().max(1.0) as usize;
            for _ in 0..n {
                let female = self.rng.gen::<f64>() < e.params.women;
                let age = self.stock_age();
                let boeth_p = if e.kind == Kind::Ea {
                    0.8
                } else {
                    Self::boeth_p_for_age(age)
                };
                let p = self.new_person(female, age, ms, boeth_p);
                let cdi = self.rng.gen::<f64>() < 0.86;
                let max_tenure = ((age - 17.0) * 365.25) as Day;
                let (start, planned) = if cdi {
                    let t = (self.rng.gen::<f64>().max(1e-9).ln() * -7.0 * 365.25) as Day;
                    (ms - 1 - t.min(max_tenure).max(30), OPEN)
                } else {
                    let s = ms - self.rng.gen_range(1..180);
                    (s, ms + self.rng.gen_range(5..300))
                };
                let c = self.make_contract(l, p, if cdi { 1 } else { 2 }, 99, start, planned, true);
                self.states[l].contracts.push(c);
                let person = &mut self.persons[p as usize];
                person.ever = true;
                person.core = true;
                person.last_end = if planned == OPEN { OPEN } else { planned };
                self.hired_pairs.insert(((l as u64) << 32) | p as u64);
            }
        }
        // Initial pool: people out of work at the start, never seen in the data.
        let pool_n = (staff_total * 0.45) as usize + 50;
        for _ in 0..pool_n {
            let female = self.rng.gen::<f64>() < 0.5;
            let age = if self.rng.gen::<f64>() < 0.35 {
                self.rng.gen_range(18.0..26.0)
            } else {
                self.rng.gen_range(26.0..62.0)
            };
            let boeth = self.cfg.labour.boeth_pool_share;
            let p = self.new_person(female, age, ms, boeth);
            self.pool_add(p);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn make_contract(
        &mut self,
        l: usize,
        person: u32,
        nature: u8,
        dispositif: u8,
        start: Day,
        planned_end: Day,
        core: bool,
    ) -> Contract {
        let e = self.estab(l);
        let st = &mut self.states[l];
        st.next_no += 1;
        let no = st.next_no;
        let cadre = core && nature == 1 && self.rng.gen::<f64>() < 0.12;
        let part_time = self.rng.gen::<f64>() < if e.params.women > 0.6 { 0.3 } else { 0.12 };
        let pay = if cadre {
            self.rng.gen_range(3500..6500)
        } else {
            self.rng.gen_range(1800..2800)
        };
        let recours = match (nature, dispositif) {
            (1, _) => 0,
            (_, 64 | 65) => 11,
            (_, 71) => 9,
            (_, 61) => 10,
            (3, _) => 2,
            _ => {
                if e.params.seasonal && self.rng.gen::<f64>() < 0.4 {
                    3
                } else if matches!(e.naf.as_str(), "5911A" | "9001Z" | "5610A" | "5610C") {
                    5
                } else if self.rng.gen::<f64>() < 0.55 {
                    1
                } else {
                    2
                }
            }
        };
        Contract {
            person,
            no,
            nature,
            dispositif,
            recours,
            start,
            planned_end,
            end: OPEN,
            reason: 0,
            spell_start: start,
            user: u32::MAX,
            core,
            cadre,
            part_time,
            pay,
            arrets: Vec::new(),
            scheduled: None,
            flags: 0,
            converted: false,
            first_here: false,
        }
    }

    /// Distance from employment of a person at `at` (0 = close).
    fn distance(&self, p: &Person, at: Day) -> f64 {
        let mut d = 0.0;
        if !p.ever || at - p.last_end > 365 {
            d += 1.0;
        }
        if p.long_sick_end > at - 730 {
            d += 1.0;
        }
        let age = age_years(p.birth, at);
        if age < 26.0 {
            d += 0.7;
        }
        if age >= 50.0 {
            d += 0.7;
        }
        if p.boeth {
            d += 1.0;
        }
        d
    }

    /// Choose (or create) the person hired by establishment `l` on `at`.
    fn choose_person(&mut self, l: usize, kind: HireKind, at: Day, openness: f64) -> u32 {
        let e = self.estab(l);
        // Gender: the sector's share, moved toward balance by openness above
        // one half and toward the sector's majority sex below (symmetric, so
        // the sector's mean share is kept and the whole range of openness is
        // visible in the minority sex's share of hires).
        let pw =
            (e.params.women + (0.5 - e.params.women) * 1.2 * (openness - 0.5)).clamp(0.02, 0.98);
        let female = self.rng.gen::<f64>() < pw;
        let s = female as usize;
        let k = self.cfg.behaviour.candidates as usize;
        let gamma = self.cfg.behaviour.openness_strength;
        let mut best: Option<(f64, u32)> = None;
        let mut tries = 0;
        let mut found = 0;
        while found < k && tries < 4 * k && !self.pool[s].is_empty() {
            tries += 1;
            let p = self.pool[s][self.rng.gen_range(0..self.pool[s].len())];
            let person = &self.persons[p as usize];
            if person.busy_until >= at || person.gone {
                continue;
            }
            let age = age_years(person.birth, at);
            if age >= 64.0 {
                continue;
            }
            if kind == HireKind::Apprentice && age >= 26.0 {
                continue;
            }
            let d = self.distance(person, at);
            if kind == HireKind::Aided && d < 1.0 {
                continue;
            }
            found += 1;
            let u = gamma * (2.0 * openness - 1.0) * d + gumbel(&mut self.rng);
            if best.is_none_or(|(b, _)| u > b) {
                best = Some((u, p));
            }
        }
        if let Some((_, p)) = best {
            return p;
        }
        // Nobody suitable: a newcomer to the basin's labour market.
        let age = match kind {
            HireKind::Apprentice => self.rng.gen_range(16.0..22.0),
            _ => self.rng.gen_range(18.0..55.0),
        };
        let boeth = self.cfg.labour.boeth_pool_share;
        let p = self.new_person(female, age, at, boeth);
        self.pool_add(p);
        p
    }

    /// Record a new contract: person bookkeeping and statistics.
    fn register_hire(&mut self, l: usize, c: &mut Contract, conversion: bool) {
        let p = c.person;
        let at = c.start;
        let key = ((l as u64) << 32) | p as u64;
        let first_here = self.hired_pairs.insert(key);
        if !conversion {
            c.first_here = first_here;
        }
        let person = self.persons[p as usize].clone();
        let dist_gap = person.ever && at - person.last_end > 365;
        let no_exp = !person.ever;
        let long_sick = person.long_sick_end > at - 730;
        let age = age_years(person.birth, at);
        let e = self.estab(l);
        let in_horizon = at >= month_bounds(self.start, 0).0;
        if in_horizon {
            self.stats.hire(
                l,
                e.section,
                c,
                conversion,
                first_here,
                person.female,
                age,
                person.boeth,
                no_exp,
                dist_gap,
                long_sick,
            );
        }
        let person = &mut self.persons[p as usize];
        person.ever = true;
        if c.core {
            person.core = true;
            person.last_end = OPEN;
        }
        if c.core {
            self.pool_remove(p);
        }
    }

    fn end_contract(&mut self, l: usize, idx: usize, end: Day, reason: u16) {
        let c = &mut self.states[l].contracts[idx];
        c.end = end;
        c.reason = reason;
        let (p, core, converted) = (c.person, c.core, c.converted);
        if !converted {
            let person = &mut self.persons[p as usize];
            person.last_end = if person.last_end == OPEN {
                end
            } else {
                person.last_end.max(end)
            };
            if core {
                person.core = false;
                person.busy_until = person.busy_until.max(end);
            }
            // A share of job losers go through a long spell without work
            // (12 to 30 months: long-term unemployment, care, illness).
            if core && !matches!(reason, 38 | 39) && self.rng.gen::<f64>() < 0.22 {
                let spell = self.rng.gen_range(365..900);
                let person = &mut self.persons[p as usize];
                person.busy_until = person.busy_until.max(end + spell);
            }
            if core && !self.persons[p as usize].gone {
                self.pool_add(p);
            }
        }
        // Anomalies and signalements on the end block.
        let o = &self.cfg.output;
        let u: f64 = self.rng.gen();
        let c = &mut self.states[l].contracts[idx];
        if !converted && u < o.missing_end_share {
            c.flags |= flags::MISSING_END;
        } else if u < o.missing_end_share + o.late_end_share {
            c.flags |= flags::LATE_END;
        }
        if c.flags & flags::MISSING_END == 0 && self.rng.gen::<f64>() < o.fctu_share {
            c.flags |= flags::FCTU;
        }
        let c = self.states[l].contracts[idx].clone();
        self.stats.end(l, &c, self.horizon_end);
    }

    fn target(&self, l: usize, m: u32) -> f64 {
        let e = self.estab(l);
        let years = (m as f64) / 12.0;
        let mut t = e.base_size * (1.0 + e.growth).powf(years);
        let month = (self.start.1 - 1 + m) % 12 + 1;
        if e.params.seasonal && (6..=9).contains(&month) {
            t *= 1.2;
        }
        t.max(1.0)
    }

    fn cdd_core_days(&mut self, l: usize) -> Day {
        let e = self.estab(l);
        let d = 31.0
            + lognormal(
                &mut self.rng,
                e.params.long_cdd_median * e.traits.cdd_length,
                0.8,
            );
        d.min(540.0) as Day
    }

    fn short_days(&mut self, l: usize) -> Day {
        let e = self.estab(l);
        let p1 = (e.params.one_day / e.traits.cdd_length / 1.3).clamp(0.05, 0.9);
        if self.rng.gen::<f64>() < p1 {
            1
        } else {
            // 2..=30 days, log-scale position r^(1/m): log-uniform for m = 1,
            // tilted toward 30 days when the establishment's CDDs are longer
            // (m > 1) and toward 2 days when shorter (median about 2 · 15.5^(0.5^(1/m))
            // days: 4 for m = ½, 8 for m = 1, 14 for m = 2).
            let r = self.rng.gen::<f64>().powf(1.0 / e.traits.cdd_length);
            let x = (2.0f64.ln() + r * (31.0f64.ln() - 2.0f64.ln())).exp();
            (x.floor() as Day).clamp(2, 30)
        }
    }

    fn mission_days(&mut self) -> Day {
        (lognormal(&mut self.rng, 5.0, 1.25).round() as Day).clamp(1, 540)
    }

    /// Simulate the events of month `m`.
    pub fn step(&mut self, m: u32) {
        let (ms, me) = month_bounds(self.start, m);
        let ndays = me - ms + 1;
        let labour = self.cfg.labour.clone();
        for l in 0..self.members.len() {
            let e = self.estab(l);
            if m < e.open_month || e.close_month.is_some_and(|c| m > c) {
                continue;
            }
            if e.close_month == Some(m) {
                self.close(l, ms, me);
                continue;
            }
            let traits = e.traits;
            let params = e.params;
            // 1. Ends of existing contracts.
            let n = self.states[l].contracts.len();
            let mut conversions: Vec<(u32, Day, Day, bool)> = Vec::new();
            for i in 0..n {
                let c = &self.states[l].contracts[i];
                if c.end != OPEN {
                    continue;
                }
                let person = c.person;
                if let Some((d, reason)) = c.scheduled {
                    if d <= me {
                        self.end_contract(l, i, d.max(ms), reason);
                        continue;
                    }
                }
                if c.planned_end != OPEN && c.planned_end <= me {
                    let pe = c.planned_end.max(c.start);
                    let convertible = c.core
                        && c.nature == 2
                        && matches!(c.dispositif, 99 | 41 | 71 | 61 | 64 | 65);
                    let conv_p = if c.dispositif == 71 {
                        0.12
                    } else {
                        traits.conversion
                    };
                    let reason = if matches!(c.dispositif, 64 | 65) {
                        81
                    } else {
                        31
                    };
                    if convertible && self.rng.gen::<f64>() < conv_p {
                        self.states[l].contracts[i].converted = true;
                        let prev = &self.states[l].contracts[i];
                        conversions.push((person, pe + 1, prev.spell_start, prev.first_here));
                    }
                    self.end_contract(l, i, pe, reason);
                    continue;
                }
                if !c.core {
                    continue;
                }
                let tenure = ms - c.start;
                let age = age_years(self.persons[person as usize].birth, ms);
                let h = if c.nature == 1 {
                    if tenure < 90 {
                        traits.separation * 3.0
                    } else {
                        traits.separation
                    }
                } else {
                    traits.separation * 0.25
                };
                let u: f64 = self.rng.gen();
                if age >= 62.0 && u < 0.07 {
                    let d = self.rng.gen_range(ms.max(c.start)..=me);
                    let motif = if self.rng.gen::<f64>() < 0.9 { 39 } else { 38 };
                    self.end_contract(l, i, d, motif);
                } else if u < h {
                    let d = self.rng.gen_range(ms.max(c.start)..=me);
                    let r: f64 = self.rng.gen();
                    let reason = if c.nature == 1 {
                        if tenure < 90 {
                            if r < 0.6 {
                                34
                            } else {
                                35
                            }
                        } else if r < 0.5 {
                            59
                        } else if r < 0.75 {
                            43
                        } else if r < 0.9 {
                            20
                        } else if r < 0.95 {
                            87
                        } else {
                            14
                        }
                    } else if r < 0.4 {
                        36
                    } else if r < 0.75 {
                        37
                    } else {
                        84
                    };
                    self.end_contract(l, i, d, reason);
                }
            }
            for (p, s, spell, first) in conversions {
                let mut c = self.make_contract(l, p, 1, 99, s, OPEN, true);
                c.spell_start = spell;
                c.first_here = first;
                self.register_hire(l, &mut c, true);
                self.states[l].contracts.push(c);
            }
            // 2. Arrêts on contracts active this month.
            let n = self.states[l].contracts.len();
            let acc_p = params.accidents * traits.accident * labour.accident_scale / 12_000.0;
            for i in 0..n {
                let c = &self.states[l].contracts[i];
                if !c.active_in(ms, me) || c.arrets.last().is_some_and(|a| a.end >= ms) {
                    continue;
                }
                let from = c.start.max(ms);
                let to = c.end.min(me);
                if to < from {
                    continue;
                }
                let frac = (to - from + 1) as f64 / ndays as f64;
                // Short contracts are mostly invisible in the month-end staff
                // that the frequency index divides by: damp their exposure so
                // that the observable index stays calibrated.
                let acc_p = if c.core { acc_p } else { acc_p * 0.6 };
                let u: f64 = self.rng.gen();
                let sick = labour.sick_rate * frac;
                let (reason, dur) = if u < acc_p * frac {
                    (6u8, lognormal(&mut self.rng, 20.0, 1.1))
                } else if u < acc_p * frac * 1.25 {
                    (4, lognormal(&mut self.rng, 15.0, 1.0))
                } else if u < acc_p * frac * 1.33 {
                    (5, lognormal(&mut self.rng, 120.0, 0.8))
                } else if u < acc_p * frac * 1.33 + sick {
                    let long = self.rng.gen::<f64>() < labour.long_sick_share;
                    if long {
                        (1, self.rng.gen_range(180.0..420.0))
                    } else {
                        (1, lognormal(&mut self.rng, 7.0, 0.9).min(170.0))
                    }
                } else {
                    continue;
                };
                let start = self.rng.gen_range(from..=to);
                let dur = (dur.round() as Day).max(1);
                // An arrêt does not outlive the contract's planned end.
                let mut end = start + dur - 1;
                if c.planned_end != OPEN {
                    end = end.min(c.planned_end.max(start));
                }
                let signal = self.rng.gen::<f64>() < self.cfg.output.arret_signal_share;
                let long = end - start + 1 >= 180;
                let person = c.person;
                let core = c.core;
                let c_nature = c.nature;
                self.states[l].contracts[i].arrets.push(Arret {
                    reason,
                    start,
                    end,
                    signal,
                });
                // Counted like the staff denominator: counted contracts only.
                if reason == 6 && start <= self.horizon_end && c_nature != 3 {
                    self.stats.accident(l, self.estab(l).section);
                }
                if long {
                    self.persons[person as usize].long_sick_end = end;
                    if core && self.rng.gen::<f64>() < 0.4 {
                        let d = end + self.rng.gen_range(1..30);
                        let motif = if reason == 1 { 91 } else { 92 };
                        self.states[l].contracts[i].scheduled = Some((d, motif));
                    }
                }
            }
            // 3. Vacancies.
            let target = self.target(l, m);
            let staying = self.states[l]
                .contracts
                .iter()
                .filter(|c| c.core && (c.end == OPEN || c.end > me))
                .count() as f64;
            let kind = self.estab(l).kind;
            let mut vacancies = (target - staying).round().max(0.0) as usize;
            if kind.is_agency() {
                vacancies = vacancies.min(2);
            }
            for _ in 0..vacancies {
                let at = self.rng.gen_range(ms..=me);
                self.hire_core(l, at);
            }
            // 4. Short CDDs.
            let lambda = labour.short_cdd_rate * params.short_factor * target
                / traits.cdd_length.powf(2.0)
                / 1.36;
            let n_short = poisson(&mut self.rng, lambda);
            for _ in 0..n_short {
                let at = self.rng.gen_range(ms..=me);
                let dur = self.short_days(l);
                let p = self.pick_short_person(l, at, traits.openness);
                let mut c = self.make_contract(l, p, 2, 99, at, at + dur - 1, false);
                c.end = at + dur - 1;
                c.reason = 31;
                self.short_bookkeeping(l, &mut c);
                self.states[l].contracts.push(c);
            }
            // 5. Interim missions used by this site.
            let mu = labour.interim_rate * params.interim_factor * target;
            let n_miss = if self.agencies.is_empty() {
                0
            } else {
                poisson(&mut self.rng, mu)
            };
            for _ in 0..n_miss {
                let a = self.agencies[self.rng.gen_range(0..self.agencies.len())];
                let at = self.rng.gen_range(ms..=me);
                let dur = self.mission_days();
                let agency = self.estab(a);
                let p = self.choose_person(a, HireKind::Mission, at, agency.traits.openness);
                let etti = agency.kind == Kind::Etti;
                let mut c = self.make_contract(
                    a,
                    p,
                    3,
                    if etti { 71 } else { 99 },
                    at,
                    at + dur - 1,
                    false,
                );
                c.end = at + dur - 1;
                c.reason = 32;
                c.recours = if etti { 9 } else { 2 };
                c.user = self.members[l] as u32;
                self.short_bookkeeping(a, &mut c);
                self.states[a].contracts.push(c);
            }
        }
        self.population_flows(m, ms);
    }

    fn pick_short_person(&mut self, l: usize, at: Day, openness: f64) -> u32 {
        if self.rng.gen::<f64>() < 0.6 && !self.states[l].recall.is_empty() {
            let r = &self.states[l].recall;
            let p = r[self.rng.gen_range(0..r.len())];
            let person = &self.persons[p as usize];
            if !person.core && !person.gone && person.busy_until < at {
                return p;
            }
        }
        let p = self.choose_person(l, HireKind::Short, at, openness);
        let r = &mut self.states[l].recall;
        if r.len() < 8 {
            r.push(p);
        } else {
            let i = self.rng.gen_range(0..8);
            r[i] = p;
        }
        p
    }

    /// Statistics and person state of a contract whose end is known at hire.
    fn short_bookkeeping(&mut self, l: usize, c: &mut Contract) {
        self.register_hire(l, c, false);
        let person = &mut self.persons[c.person as usize];
        person.busy_until = person.busy_until.max(c.end);
        person.last_end = person.last_end.max(c.end);
        let o = &self.cfg.output;
        let u: f64 = self.rng.gen();
        c.flags |= if u < o.missing_end_share {
            flags::MISSING_END
        } else if u < o.missing_end_share + o.late_end_share {
            flags::LATE_END
        } else if self.rng.gen::<f64>() < o.fctu_share * 0.3 {
            flags::FCTU
        } else {
            0
        };
        self.stats.end(l, c, self.horizon_end);
    }

    fn hire_core(&mut self, l: usize, at: Day) {
        let e = self.estab(l);
        let traits = e.traits;
        let kind = e.kind;
        let u: f64 = self.rng.gen();
        let section = e.section;
        // Alternance (apprenticeship, contrat de professionnalisation): the
        // sector's rate times 0.4 + 1.2 × openness (mean 1 over openness), so
        // that training newcomers is part of an open hiring policy.
        let alt_f = 0.4 + 1.2 * traits.openness;
        let app_p = match section {
            'C' | 'F' | 'G' | 'I' | 'S' => 0.07,
            _ => 0.04,
        } * alt_f;
        let pro_p = 0.02 * alt_f;
        let aided_eligible = matches!(section, 'P' | 'Q' | 'R' | 'S') || kind.is_iae();
        let (hk, nature, disp, planned): (HireKind, u8, u8, Day) =
            if kind.is_iae() && !kind.is_agency() {
                let d = self.rng.gen_range(120..720);
                (HireKind::Aided, 2, 71, at + d)
            } else if u < app_p {
                let d = self.rng.gen_range(365..1095);
                let small = e.base_size < 11.0;
                (HireKind::Apprentice, 2, if small { 64 } else { 65 }, at + d)
            } else if u < app_p + pro_p {
                let d = self.rng.gen_range(180..365);
                (HireKind::Core, 2, 61, at + d)
            } else if aided_eligible && u < app_p + pro_p + 0.12 * traits.openness {
                let d = self.rng.gen_range(270..365);
                (HireKind::Aided, 2, 41, at + d)
            } else if self.rng.gen::<f64>() < traits.cdi_propensity {
                (HireKind::Core, 1, 99, OPEN)
            } else {
                let d = self.cdd_core_days(l);
                (HireKind::Core, 2, 99, at + d)
            };
        let p = self.choose_person(l, hk, at, traits.openness);
        let mut c = self.make_contract(l, p, nature, disp, at, planned, true);
        if self.rng.gen::<f64>() < self.cfg.output.ntt_share {
            c.flags |= flags::NTT_FIRST;
        }
        self.register_hire(l, &mut c, false);
        self.states[l].contracts.push(c);
    }

    fn close(&mut self, l: usize, ms: Day, me: Day) {
        let d = self.rng.gen_range(ms..=me);
        for i in 0..self.states[l].contracts.len() {
            let c = &self.states[l].contracts[i];
            if c.end != OPEN {
                continue;
            }
            let reason = if c.nature == 1 { 12 } else { 97 };
            let e = d.max(c.start);
            self.end_contract(l, i, e, reason);
        }
    }

    fn population_flows(&mut self, m: u32, ms: Day) {
        let staff: f64 = (0..self.members.len()).map(|l| self.target(l, m)).sum();
        let entrants = poisson(&mut self.rng, staff * self.cfg.labour.entrant_rate);
        let boeth = self.cfg.labour.boeth_pool_share;
        for _ in 0..entrants {
            let female = self.rng.gen::<f64>() < 0.5;
            let age = if self.rng.gen::<f64>() < 0.75 {
                self.rng.gen_range(16.0..24.0)
            } else {
                self.rng.gen_range(25.0..55.0)
            };
            let p = self.new_person(female, age, ms, boeth * 0.6);
            self.pool_add(p);
        }
        // Leaving the basin's labour market: retirement age, or a small hazard.
        for s in 0..2 {
            let mut i = 0;
            while i < self.pool[s].len() {
                let p = self.pool[s][i];
                let person = &self.persons[p as usize];
                let leave = age_years(person.birth, ms) >= 64.0
                    || (person.busy_until < ms && self.rng.gen::<f64>() < 0.004);
                if leave {
                    self.persons[p as usize].gone = true;
                    self.pool_remove(p);
                } else {
                    i += 1;
                }
            }
        }
    }
}

impl World<'_> {
    /// Month-end stock statistics: people with an active counted contract.
    pub fn snapshot(&mut self, m: u32) {
        let (_, me) = month_bounds(self.start, m);
        let mut people: Vec<u32> = Vec::new();
        for l in 0..self.members.len() {
            people.clear();
            people.extend(
                self.states[l]
                    .contracts
                    .iter()
                    .filter(|c| matches!(c.nature, 1 | 2) && c.start <= me && c.end > me)
                    .map(|c| c.person),
            );
            people.sort_unstable();
            people.dedup();
            let section = self.estab(l).section;
            for &p in &people {
                let person = &self.persons[p as usize];
                let age = age_years(person.birth, me);
                self.stats
                    .stock(l, section, person.female, age, person.boeth);
            }
        }
    }

    /// Forget contracts that will not be declared again after month `m`.
    pub fn cleanup(&mut self, m: u32) {
        let (ms, me) = month_bounds(self.start, m);
        for st in &mut self.states {
            st.contracts
                .retain(|c| c.end > me || (c.flags & flags::LATE_END != 0 && c.end >= ms));
        }
    }

    /// Close the books: contracts still open at the horizon are censored.
    pub fn finish(&mut self) {
        let h = self.horizon_end;
        for l in 0..self.members.len() {
            for c in &self.states[l].contracts {
                if c.end > h && c.end == OPEN {
                    self.stats.end(l, c, h);
                }
            }
        }
    }
}
