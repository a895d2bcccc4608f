//! Indicators per establishment from a resolved [`Dataset`].
//!
//! Definitions follow issue 6 and `docs/methode.md`; every choice the issue
//! leaves open is stated next to the code that makes it.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use crate::durability::{cdi_ends_and_months, km_effective_n};
use crate::indicators::{ratio, EstablishmentIndicators};
use crate::ingest::{Contract, Dataset, Establishment, NatureGroup};
use crate::time::{age_at, month_first, month_label, month_last, month_of, Month};
use ancrage_dsn::Sex;

/// Length of the window W in months.
pub const WINDOW_MONTHS: i32 = 60;
/// Largest gap (next start − previous end, in days) chaining two contracts
/// into one tenure spell.
pub const SPELL_GAP_DAYS: i64 = 31;
/// Age bounds: young < 26, senior ≥ 50.
pub const YOUNG_BELOW: i32 = 26;
pub const SENIOR_FROM: i32 = 50;
/// Retention horizons in days.
pub const RETENTION_6M_DAYS: i64 = 182;
pub const RETENTION_12M_DAYS: i64 = 365;
/// CDD hires whose hiring contract lasts at least this many days are the
/// denominator of the conversion component of the score (`cdd_month_to_cdi`):
/// a CDD of under a month (the usual statistical category, "CDD de moins d'un
/// mois") is practically never converted, so including them would measure
/// the CDD mix, already in `cdi_share` and `cdd_duration`.
pub const CDD_MONTH_DAYS: i64 = 31;
/// Long sick leave: arrêt of at least this many days.
pub const LONG_SICK_DAYS: i64 = 180;
/// Arrêt motifs counted as sickness for "long sick leave": maladie, maladie
/// professionnelle, accident du travail.
pub const SICK_REASONS: [u8; 3] = [1, 5, 6];
/// Arrêt motif of a work accident.
pub const WORK_ACCIDENT: u8 = 6;

/// The window W and the observation period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub m0: Month,
    pub m1: Month,
    /// First month of W.
    pub w0: Month,
    pub w_start: NaiveDate,
    pub w_end: NaiveDate,
}

impl Period {
    pub fn of(ds: &Dataset) -> Option<Self> {
        let (m0, m1) = (ds.m0?, ds.m1?);
        let w0 = m0.max(m1 - (WINDOW_MONTHS - 1));
        Some(Self {
            m0,
            m1,
            w0,
            w_start: month_first(w0),
            w_end: month_last(m1),
        })
    }
}

/// Kaplan–Meier estimate of P(T ≥ t) from `(time, event)` pairs (time in days
/// stayed, `event = false` for a right-censored spell). `None` when there is
/// no observation or when nobody was followed up to `t` while the curve is
/// still above 0.
pub fn km_survival(obs: &[(i64, bool)], t: i64) -> Option<f64> {
    if obs.is_empty() {
        return None;
    }
    let s = km_steps(obs, t)
        .iter()
        .fold(1.0, |s, (at_risk, deaths)| s * (1.0 - deaths / at_risk));
    let followed = obs.iter().any(|(v, _)| *v >= t);
    (followed || s == 0.0).then_some(s)
}

/// The steps of a Kaplan–Meier curve before `t`: for each distinct event
/// time u < t, in order, (people at risk at u, events at u).
pub(crate) fn km_steps(obs: &[(i64, bool)], t: i64) -> Vec<(f64, f64)> {
    let mut times: Vec<i64> = obs
        .iter()
        .filter(|(u, e)| *e && *u < t)
        .map(|(u, _)| *u)
        .collect();
    times.sort_unstable();
    times.dedup();
    times
        .into_iter()
        .map(|u| {
            let at_risk = obs.iter().filter(|(v, _)| *v >= u).count() as f64;
            let deaths = obs.iter().filter(|(v, e)| *e && *v == u).count() as f64;
            (at_risk, deaths)
        })
        .collect()
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Months `m` whose last day falls inside `[start, end]` (end `None` = open,
/// clipped at `m1`), as an inclusive range.
pub(crate) fn month_end_range(c: &Contract, m1: Month) -> Option<(Month, Month)> {
    let first = month_of(c.start);
    let last = match c.end {
        None => m1,
        Some(e) if e == month_last(month_of(e)) => month_of(e),
        Some(e) => month_of(e) - 1,
    };
    (last >= first).then_some((first, last.min(m1)))
}

/// Indicators of every establishment, sorted by SIRET.
pub fn compute(ds: &Dataset) -> Vec<EstablishmentIndicators> {
    let Some(p) = Period::of(ds) else {
        return Vec::new();
    };
    partials(ds, &p)
        .iter()
        .zip(&ds.establishments)
        .map(|(part, est)| part.finish(est))
        .collect()
}

/// What the persons of one dataset contribute to each establishment's
/// indicators: counts, and the multisets behind the means, medians and
/// survival curves. Persons never straddle two partitions (the working store
/// partitions by person), so the partials of disjoint sets of persons add up
/// ([`Partial::merge`]) to exactly the partial of their union, and
/// [`Partial::finish`] turns it into the indicators.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Partial {
    /// Additive counts; identity fields and derived values are left unset.
    pub counts: EstablishmentIndicators,
    pub women_stock: u32,
    pub known_sex_stock: u32,
    /// Month ends with an active counted contract, summed over persons.
    pub person_months: i64,
    /// CDD durations in days → how many.
    pub cdd_days: BTreeMap<i64, u32>,
    /// Tenure spells (days, ended) → how many.
    pub spells: BTreeMap<(i64, bool), u32>,
    /// Month ends in a CDI-group contract under age 60, summed over contracts
    /// (see [`cdi_ends_and_months`]).
    pub cdi_months: i64,
}

impl Partial {
    /// Add the contribution of another, disjoint set of persons.
    pub fn merge(&mut self, o: &Partial) {
        // Exhaustive on purpose: a new indicator must be placed here.
        let EstablishmentIndicators {
            siret: _,
            naf: _,
            postcode: _,
            town: _,
            workplace_commune: _,
            first_month: _,
            last_month: _,
            headcount,
            persons_5y,
            contracts_5y,
            hires,
            hires_women,
            hires_young,
            hires_senior,
            hires_boeth,
            hires_aided,
            hires_alternance,
            hires_no_experience,
            hires_no_experience_known,
            hires_long_gap,
            hires_long_gap_known,
            hires_long_sick,
            hires_long_sick_known,
            hires_priority,
            hires_cdi,
            hires_cdd,
            cdd_count,
            cdd_days_mean: _,
            cdd_days_median: _,
            retention_6m: _,
            retention_12m: _,
            retention_12m_n: _,
            cdd_to_cdi,
            hires_cdd_month,
            cdd_month_to_cdi,
            work_accidents,
            employee_years: _,
            accident_frequency: _,
            cdi_ends,
            cdi_years: _,
            women_share_stock: _,
            headcount_young,
            headcount_senior,
            hires_by_year,
        } = &o.counts;
        let c = &mut self.counts;
        for (dst, src) in [
            (&mut c.headcount, headcount),
            (&mut c.persons_5y, persons_5y),
            (&mut c.contracts_5y, contracts_5y),
            (&mut c.hires, hires),
            (&mut c.hires_women, hires_women),
            (&mut c.hires_young, hires_young),
            (&mut c.hires_senior, hires_senior),
            (&mut c.hires_boeth, hires_boeth),
            (&mut c.hires_aided, hires_aided),
            (&mut c.hires_alternance, hires_alternance),
            (&mut c.hires_no_experience, hires_no_experience),
            (&mut c.hires_no_experience_known, hires_no_experience_known),
            (&mut c.hires_long_gap, hires_long_gap),
            (&mut c.hires_long_gap_known, hires_long_gap_known),
            (&mut c.hires_long_sick, hires_long_sick),
            (&mut c.hires_long_sick_known, hires_long_sick_known),
            (&mut c.hires_priority, hires_priority),
            (&mut c.hires_cdi, hires_cdi),
            (&mut c.hires_cdd, hires_cdd),
            (&mut c.cdd_count, cdd_count),
            (&mut c.cdd_to_cdi, cdd_to_cdi),
            (&mut c.hires_cdd_month, hires_cdd_month),
            (&mut c.cdd_month_to_cdi, cdd_month_to_cdi),
            (&mut c.work_accidents, work_accidents),
            (&mut c.cdi_ends, cdi_ends),
            (&mut c.headcount_young, headcount_young),
            (&mut c.headcount_senior, headcount_senior),
        ] {
            *dst += *src;
        }
        for (year, y) in hires_by_year {
            let e = c.hires_by_year.entry(*year).or_default();
            e.hires += y.hires;
            e.cdi += y.cdi;
        }
        self.women_stock += o.women_stock;
        self.known_sex_stock += o.known_sex_stock;
        self.person_months += o.person_months;
        self.cdi_months += o.cdi_months;
        for (k, n) in &o.cdd_days {
            *self.cdd_days.entry(*k).or_default() += n;
        }
        for (k, n) in &o.spells {
            *self.spells.entry(*k).or_default() += n;
        }
    }

    /// The indicators of `est` from its combined partial.
    pub fn finish(&self, est: &Establishment) -> EstablishmentIndicators {
        let mut ind = EstablishmentIndicators {
            siret: est.siret.clone(),
            naf: est.naf.clone(),
            postcode: est.postcode.clone(),
            town: est.town.clone(),
            workplace_commune: est.workplace_commune.clone(),
            first_month: est.months.first().map(|m| month_label(*m)),
            last_month: est.months.last().map(|m| month_label(*m)),
            ..self.counts.clone()
        };
        ind.women_share_stock = ratio(self.women_stock, self.known_sex_stock);
        // Sorted expansions of the multisets: the same values as a list in
        // contract order (sums of whole days are exact in f64).
        let cdd_days: Vec<f64> = self
            .cdd_days
            .iter()
            .flat_map(|(d, n)| std::iter::repeat_n(*d as f64, *n as usize))
            .collect();
        ind.cdd_days_mean = mean(&cdd_days);
        ind.cdd_days_median = median(&cdd_days);
        let spells: Vec<(i64, bool)> = self
            .spells
            .iter()
            .flat_map(|(s, n)| std::iter::repeat_n(*s, *n as usize))
            .collect();
        ind.retention_6m = km_survival(&spells, RETENTION_6M_DAYS);
        ind.retention_12m = km_survival(&spells, RETENTION_12M_DAYS);
        ind.retention_12m_n = km_effective_n(&spells, RETENTION_12M_DAYS).map_or(0.0, |r| r.1);
        ind.cdi_years = self.cdi_months as f64 / 12.0;
        ind.employee_years = self.person_months as f64 / 12.0;
        ind.accident_frequency = (ind.employee_years > 0.0)
            .then(|| ind.work_accidents as f64 * 1000.0 / ind.employee_years);
        ind
    }
}

/// The partial of every establishment of `ds` (same order), from the persons in `ds`.
pub fn partials(ds: &Dataset, p: &Period) -> Vec<Partial> {
    // Contracts of each person, anywhere.
    let mut by_person: Vec<Vec<u32>> = vec![Vec::new(); ds.persons.len()];
    for (i, c) in ds.contracts.iter().enumerate() {
        by_person[c.person as usize].push(i as u32);
    }
    let mut out = Vec::with_capacity(ds.establishments.len());
    let mut lo = 0;
    for e in 0..ds.establishments.len() {
        let mut hi = lo;
        while hi < ds.contracts.len() && ds.contracts[hi].establishment as usize == e {
            hi += 1;
        }
        out.push(partial(ds, p, e, &ds.contracts[lo..hi], &by_person));
        lo = hi;
    }
    out
}

fn partial(
    ds: &Dataset,
    p: &Period,
    e: usize,
    contracts: &[Contract],
    by_person: &[Vec<u32>],
) -> Partial {
    let est = &ds.establishments[e];
    let mut part = Partial::default();
    let (Some(&first), Some(&last)) = (est.months.first(), est.months.last()) else {
        return part;
    };
    let ind = &mut part.counts;
    let counted: Vec<&Contract> = contracts.iter().filter(|c| c.group().counted()).collect();

    // Stock over W: contracts and persons active at some point of W.
    let active_w: Vec<&&Contract> = counted
        .iter()
        .filter(|c| c.start <= p.w_end && c.end.is_none_or(|x| x >= p.w_start))
        .collect();
    ind.contracts_5y = active_w.len() as u32;
    let mut persons: Vec<u32> = active_w.iter().map(|c| c.person).collect();
    persons.sort_unstable();
    persons.dedup();
    ind.persons_5y = persons.len() as u32;

    // Headcount at the end of the establishment's last declared month.
    let at = month_last(last);
    let mut stock: Vec<u32> = counted
        .iter()
        .filter(|c| c.active_on(at))
        .map(|c| c.person)
        .collect();
    stock.sort_unstable();
    stock.dedup();
    ind.headcount = stock.len() as u32;
    let mut women = 0;
    let mut known_sex = 0;
    for &pi in &stock {
        let person = &ds.persons[pi as usize];
        match person.sex {
            Some(Sex::Female) => {
                women += 1;
                known_sex += 1
            }
            Some(Sex::Male) => known_sex += 1,
            None => {}
        }
        if let Some(b) = person.birth {
            let age = age_at(b, at);
            if age < YOUNG_BELOW {
                ind.headcount_young += 1;
            } else if age >= SENIOR_FROM {
                ind.headcount_senior += 1;
            }
        }
    }
    part.women_stock = women;
    part.known_sex_stock = known_sex;

    // Hires: counted contracts starting in W, not before the first declared month.
    let hire_from = p.w_start.max(month_first(first));
    let is_hire = |c: &Contract| c.start >= hire_from && c.start <= p.w_end;
    let hires: Vec<&Contract> = counted.iter().copied().filter(|c| is_hire(c)).collect();

    // CDD durations over all CDD-group contracts starting in W (recalls
    // included) that have an end, declared or inferred.
    for days in counted
        .iter()
        .filter(|c| c.group() == NatureGroup::Cdd && c.start >= p.w_start && c.start <= p.w_end)
        .filter_map(|c| c.end.map(|x| (x - c.start).num_days() + 1))
    {
        ind.cdd_count += 1;
        *part.cdd_days.entry(days).or_default() += 1;
    }

    // Person-level hires: the first hire of each person (contracts are sorted
    // by person then start; ties broken by nature then number).
    let mut first_hires: Vec<&Contract> = Vec::new();
    for c in &hires {
        match first_hires.last() {
            Some(h) if h.person == c.person => {
                if (c.start, c.nature, c.number_hash) < (h.start, h.nature, h.number_hash) {
                    *first_hires.last_mut().expect("non-empty") = c;
                }
            }
            _ => first_hires.push(c),
        }
    }
    ind.hires = first_hires.len() as u32;

    let no_exp_from = month_first(p.m0 + 24);
    let long_gap_from = month_first(p.m0 + 12);
    let long_sick_from = month_first(p.m0 + 24);
    for h in &first_hires {
        let d = h.start;
        let person = &ds.persons[h.person as usize];
        if person.sex == Some(Sex::Female) {
            ind.hires_women += 1;
        }
        let mut priority = h.boeth || h.aided;
        if let Some(b) = person.birth {
            let age = age_at(b, d);
            if age < YOUNG_BELOW {
                ind.hires_young += 1;
            }
            if age >= SENIOR_FROM {
                ind.hires_senior += 1;
                priority = true;
            }
        }
        ind.hires_boeth += h.boeth as u32;
        ind.hires_aided += h.aided as u32;
        ind.hires_alternance += h.alternance as u32;
        match h.group() {
            NatureGroup::Cdi => ind.hires_cdi += 1,
            NatureGroup::Cdd => ind.hires_cdd += 1,
            _ => {}
        }
        let year = ind.hires_by_year.entry(d.year()).or_default();
        year.hires += 1;
        year.cdi += (h.group() == NatureGroup::Cdi) as u32;

        let all: Vec<&Contract> = by_person[h.person as usize]
            .iter()
            .map(|i| &ds.contracts[*i as usize])
            .collect();
        let earlier: Vec<&&Contract> = all
            .iter()
            .filter(|c| c.group().experience() && c.start < d)
            .collect();
        if d >= no_exp_from {
            ind.hires_no_experience_known += 1;
            ind.hires_no_experience += earlier.is_empty() as u32;
            priority |= earlier.is_empty();
        }
        if d >= long_gap_from {
            ind.hires_long_gap_known += 1;
            let limit = d - Duration::days(365);
            let gap =
                !earlier.is_empty() && earlier.iter().all(|c| c.end.is_some_and(|x| x < limit));
            ind.hires_long_gap += gap as u32;
            priority |= gap;
        }
        if d >= long_sick_from {
            ind.hires_long_sick_known += 1;
            let from = d - Duration::days(730);
            let within = |x: NaiveDate| x >= from && x < d;
            let sick = all.iter().any(|c| {
                c.arrets.iter().any(|a| {
                    SICK_REASONS.contains(&a.reason)
                        && a.days().is_some_and(|n| n >= LONG_SICK_DAYS)
                        && a.last_day_off().is_some_and(within)
                }) || c.invalidity.iter().any(|s| s.end.is_some_and(within))
            });
            ind.hires_long_sick += sick as u32;
            priority |= sick;
        }
        ind.hires_priority += priority as u32;

        // Tenure spell at this establishment.
        let mut spell_end = h.end;
        let mut has_cdi = h.ever_cdi;
        // `counted` is sorted by (person, start): the person's contracts are a run.
        let lo = counted.partition_point(|c| c.person < h.person);
        let hi = counted.partition_point(|c| c.person <= h.person);
        let mut later: Vec<&&Contract> = counted[lo..hi]
            .iter()
            .filter(|c| c.start >= d && !std::ptr::eq(**c, *h))
            .collect();
        later.sort_by_key(|c| c.start);
        for c in later {
            let chained = match spell_end {
                None => true,
                Some(x) => (c.start - x).num_days() <= SPELL_GAP_DAYS,
            };
            if !chained {
                break;
            }
            spell_end = match (spell_end, c.end) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            has_cdi |= c.ever_cdi;
        }
        if h.group() == NatureGroup::Cdd {
            ind.cdd_to_cdi += has_cdi as u32;
            // Length of the hiring contract known to reach a month: ended
            // after it, or still open a month after its start.
            let last_known = h.end.unwrap_or(p.w_end).min(p.w_end);
            if (last_known - d).num_days() + 1 >= CDD_MONTH_DAYS {
                ind.hires_cdd_month += 1;
                ind.cdd_month_to_cdi += has_cdi as u32;
            }
        }
        let spell = match spell_end {
            Some(x) if x <= p.w_end => ((x - d).num_days() + 1, true),
            _ => ((p.w_end - d).num_days() + 1, false),
        };
        *part.spells.entry(spell).or_default() += 1;
    }
    // Work accidents: first day off in W, on counted contracts here.
    ind.work_accidents = counted
        .iter()
        .flat_map(|c| c.arrets.iter())
        .filter(|a| a.reason == WORK_ACCIDENT)
        .filter(|a| {
            let f = a.first_day_off();
            f >= p.w_start && f <= p.w_end
        })
        .count() as u32;

    // Employee-years: people with an active counted contract at each month end
    // of W (from the establishment's first declared month), / 12.
    let from = p.w0.max(first);
    let mut person_months = 0i64;
    let mut i = 0;
    while i < counted.len() {
        let mut j = i;
        let mut ranges: Vec<(Month, Month)> = Vec::new();
        while j < counted.len() && counted[j].person == counted[i].person {
            if let Some((a, b)) = month_end_range(counted[j], p.m1) {
                let (a, b) = (a.max(from), b);
                if a <= b {
                    ranges.push((a, b));
                }
            }
            j += 1;
        }
        ranges.sort_unstable();
        let mut cur: Option<(Month, Month)> = None;
        for (a, b) in ranges {
            cur = match cur {
                Some((ca, cb)) if a <= cb + 1 => Some((ca, cb.max(b))),
                Some((ca, cb)) => {
                    person_months += (cb - ca + 1) as i64;
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((ca, cb)) = cur {
            person_months += (cb - ca + 1) as i64;
        }
        i = j;
    }
    part.person_months = person_months;
    let birth = |c: &Contract| ds.persons[c.person as usize].birth;
    (part.counts.cdi_ends, part.cdi_months) =
        cdi_ends_and_months(&counted, birth, from, p.m1, p.w_start, p.w_end);
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn km_without_censoring_is_the_empirical_share() {
        // 4 spells: 100, 200, 400 days ended, 500 ended: P(T ≥ 182) = 3/4,
        // P(T ≥ 365) = 2/4.
        let obs = [(100, true), (200, true), (400, true), (500, true)];
        assert_eq!(km_survival(&obs, 182), Some(0.75));
        assert_eq!(km_survival(&obs, 365), Some(0.5));
    }

    #[test]
    fn km_with_censoring() {
        // Times: 50 event, 100 censored, 150 event, 400 censored, 500 event.
        // At 50: 5 at risk, 1 event → 4/5. At 150: 3 at risk (150, 400, 500),
        // 1 event → 4/5 · 2/3 = 8/15. P(T ≥ 365) = 8/15 (no event in [150, 365)).
        let obs = [
            (50, true),
            (100, false),
            (150, true),
            (400, false),
            (500, true),
        ];
        let s = km_survival(&obs, 365).unwrap();
        assert!((s - 8.0 / 15.0).abs() < 1e-12);
        // The last spell (500) ended: the curve reaches 0, defined beyond.
        assert_eq!(km_survival(&obs, 600), Some(0.0));
        // Nobody followed to 365 while S > 0 → undefined.
        assert_eq!(
            km_survival(&[(10, false), (20, true), (30, false)], 365),
            None
        );
        assert_eq!(km_survival(&[], 10), None);
        // Everybody left before t: defined and 0.
        assert_eq!(km_survival(&[(10, true)], 365), Some(0.0));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
