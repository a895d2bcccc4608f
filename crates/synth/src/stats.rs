//! Figures gathered from the generated contracts while they are produced.
//!
//! Everything here is counted on the simulated contracts, arrêts and month-end
//! staff — the same events that are written as DSN — never derived from the
//! parameters. The calibration report and the trait tests read them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sim::{Contract, Day, OPEN};

/// Longest CDD length kept in the histogram (longer ones are clamped).
pub const MAX_DAYS: usize = 2000;

/// Per-section counters.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SectionStats {
    /// Establishments of the section (open at some point).
    pub establishments: u64,
    pub hires_cdi: u64,
    pub hires_cdd: u64,
    pub missions: u64,
    pub conversions: u64,
    /// Month-end person-months with an active counted contract.
    pub person_months: u64,
    pub women_months: u64,
    pub boeth_months: u64,
    /// Person-months by age band: under 25, 25–49, 50 and over.
    pub age_months: [u64; 3],
    pub accidents: u64,
}

/// Per-establishment counters (observable rates, for trait checks).
#[derive(Clone, Debug, Default, Serialize)]
pub struct EstabStats {
    /// Person-level hires (first hire of a person here), missions excluded.
    pub hires: u64,
    pub hires_women: u64,
    pub hires_young: u64,
    pub hires_senior: u64,
    pub hires_boeth: u64,
    pub hires_no_experience: u64,
    pub hires_long_gap: u64,
    pub hires_long_sick: u64,
    pub hires_cdi: u64,
    /// All counted contracts started (recalls and conversions included).
    pub contracts: u64,
    pub cdd_ended: u64,
    pub cdd_days: u64,
    /// Ended CDDs of 31 days or more.
    pub cdd_long: u64,
    /// Person-level hires whose spell could be followed 365 days.
    pub retention_eligible: u64,
    pub retained_12m: u64,
    pub accidents: u64,
    pub person_months: u64,
}

/// Counters of one basin (merged across basins at the end).
#[derive(Clone, Debug, Default, Serialize)]
pub struct BasinStats {
    pub sections: BTreeMap<char, SectionStats>,
    pub estabs: Vec<EstabStats>,
    /// Ended CDD-group contracts by length in days (index = days).
    pub cdd_hist: Vec<u64>,
    pub horizon_start: Day,
}

impl BasinStats {
    pub fn new(n: usize) -> Self {
        Self {
            sections: BTreeMap::new(),
            estabs: vec![EstabStats::default(); n],
            cdd_hist: vec![0; MAX_DAYS + 1],
            horizon_start: Day::MIN,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn hire(
        &mut self,
        l: usize,
        section: char,
        c: &Contract,
        conversion: bool,
        first_here: bool,
        female: bool,
        age: f64,
        boeth: bool,
        no_exp: bool,
        long_gap: bool,
        long_sick: bool,
    ) {
        let s = self.sections.entry(section).or_default();
        match (c.nature, conversion) {
            (3, _) => {
                s.missions += 1;
                return;
            }
            (_, true) => s.conversions += 1,
            (1, false) => s.hires_cdi += 1,
            _ => s.hires_cdd += 1,
        }
        let e = &mut self.estabs[l];
        e.contracts += 1;
        if !first_here || conversion {
            return;
        }
        e.hires += 1;
        e.hires_women += female as u64;
        e.hires_young += (age < 26.0) as u64;
        e.hires_senior += (age >= 50.0) as u64;
        e.hires_boeth += boeth as u64;
        e.hires_no_experience += no_exp as u64;
        e.hires_long_gap += long_gap as u64;
        e.hires_long_sick += long_sick as u64;
        e.hires_cdi += (c.nature == 1) as u64;
    }

    /// A contract ended (or is censored at `horizon_end` when still open).
    pub fn end(&mut self, l: usize, c: &Contract, horizon_end: Day) {
        if c.nature == 3 {
            return;
        }
        let e = &mut self.estabs[l];
        if c.nature == 2 && c.end != OPEN && c.end <= horizon_end && c.start >= self.horizon_start {
            let days = (c.end - c.start + 1).max(1) as usize;
            self.cdd_hist[days.min(MAX_DAYS)] += 1;
            e.cdd_ended += 1;
            e.cdd_days += days as u64;
            e.cdd_long += (days >= 31) as u64;
        }
        if c.first_here
            && !c.converted
            && c.spell_start >= self.horizon_start
            && c.spell_start <= horizon_end - 365
        {
            e.retention_eligible += 1;
            let last = c.end.min(horizon_end);
            if last - c.spell_start + 1 >= 365 {
                e.retained_12m += 1;
            }
        }
    }

    pub fn accident(&mut self, l: usize, section: char) {
        self.estabs[l].accidents += 1;
        self.sections.entry(section).or_default().accidents += 1;
    }

    pub fn stock(&mut self, l: usize, section: char, female: bool, age: f64, boeth: bool) {
        self.estabs[l].person_months += 1;
        let s = self.sections.entry(section).or_default();
        s.person_months += 1;
        s.women_months += female as u64;
        s.boeth_months += boeth as u64;
        let band = if age < 25.0 {
            0
        } else if age < 50.0 {
            1
        } else {
            2
        };
        s.age_months[band] += 1;
    }

    /// Add another basin's section counters and histogram (establishment
    /// counters are kept per basin by the caller).
    pub fn merge_global(&mut self, other: &BasinStats) {
        for (k, v) in &other.sections {
            let s = self.sections.entry(*k).or_default();
            s.establishments += v.establishments;
            s.hires_cdi += v.hires_cdi;
            s.hires_cdd += v.hires_cdd;
            s.missions += v.missions;
            s.conversions += v.conversions;
            s.person_months += v.person_months;
            s.women_months += v.women_months;
            s.boeth_months += v.boeth_months;
            for i in 0..3 {
                s.age_months[i] += v.age_months[i];
            }
            s.accidents += v.accidents;
        }
        if self.cdd_hist.len() < other.cdd_hist.len() {
            self.cdd_hist.resize(other.cdd_hist.len(), 0);
        }
        for (a, b) in self.cdd_hist.iter_mut().zip(&other.cdd_hist) {
            *a += b;
        }
    }
}
