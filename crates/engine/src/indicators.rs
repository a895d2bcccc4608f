//! What the engine says about one establishment: the figures of the
//! `ancrage inspect` contract (see docs/methode.md for each definition).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Score band, from best to worst, or not computable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Engagee,
    Accueillante,
    EnProgres,
    PeuEngagee,
    NonCalculable,
}

impl Band {
    /// Stable code stored in databases and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Band::Engagee => "engagee",
            Band::Accueillante => "accueillante",
            Band::EnProgres => "en_progres",
            Band::PeuEngagee => "peu_engagee",
            Band::NonCalculable => "non_calculable",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "engagee" => Band::Engagee,
            "accueillante" => Band::Accueillante,
            "en_progres" => Band::EnProgres,
            "peu_engagee" => Band::PeuEngagee,
            "non_calculable" => Band::NonCalculable,
            _ => return None,
        })
    }
    /// French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Band::Engagee => "Engagée",
            Band::Accueillante => "Accueillante",
            Band::EnProgres => "En progrès",
            Band::PeuEngagee => "Peu engagée",
            Band::NonCalculable => "Non calculable",
        }
    }
    pub const ALL: [Band; 5] = [
        Band::Engagee,
        Band::Accueillante,
        Band::EnProgres,
        Band::PeuEngagee,
        Band::NonCalculable,
    ];
}

/// Indicators of one establishment (SIRET) over the window W.
///
/// Counts are over person-level hires unless the name says otherwise; a
/// `*_known` count is the denominator of the matching share (hires for which
/// the history is long enough to know).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EstablishmentIndicators {
    pub siret: String,
    pub naf: Option<String>,
    pub postcode: Option<String>,
    pub town: Option<String>,
    /// INSEE commune declared for the establishment's own workplace (S21.G00.85.011).
    #[serde(default)]
    pub workplace_commune: Option<String>,
    /// First and last declared month, `YYYY-MM`.
    pub first_month: Option<String>,
    pub last_month: Option<String>,
    pub headcount: u32,
    pub persons_5y: u32,
    pub contracts_5y: u32,
    pub hires: u32,
    pub hires_women: u32,
    pub hires_young: u32,
    pub hires_senior: u32,
    pub hires_boeth: u32,
    pub hires_aided: u32,
    pub hires_alternance: u32,
    pub hires_no_experience: u32,
    pub hires_no_experience_known: u32,
    pub hires_long_gap: u32,
    pub hires_long_gap_known: u32,
    pub hires_long_sick: u32,
    pub hires_long_sick_known: u32,
    /// Hires of people from at least one priority public whose criterion is
    /// known at the hire: senior, disabled worker (BOETH), aided or insertion
    /// contract, no prior experience, after a long gap, after a long sick leave.
    /// Young people are not counted in it (they are most hires in several
    /// sectors; the young without experience are, through that criterion).
    #[serde(default)]
    pub hires_priority: u32,
    pub hires_cdi: u32,
    pub hires_cdd: u32,
    pub cdd_count: u32,
    pub cdd_days_mean: Option<f64>,
    pub cdd_days_median: Option<f64>,
    pub retention_6m: Option<f64>,
    pub retention_12m: Option<f64>,
    /// Effective number of hires behind `retention_12m` (Greenwood: the
    /// binomial n with the same variance; lower than `hires` when recent
    /// hires are censored).
    #[serde(default)]
    pub retention_12m_n: f64,
    pub cdd_to_cdi: u32,
    /// CDD-group person-level hires whose hiring contract is known to last at
    /// least [`crate::compute::CDD_MONTH_DAYS`] days, and those of them whose
    /// spell later contains a CDI-group contract.
    #[serde(default)]
    pub hires_cdd_month: u32,
    #[serde(default)]
    pub cdd_month_to_cdi: u32,
    pub work_accidents: u32,
    pub employee_years: f64,
    pub accident_frequency: Option<f64>,
    /// CDI-group contracts ending in W, and employee-years in CDI-group
    /// contracts over W (month ends, / 12).
    #[serde(default)]
    pub cdi_ends: u32,
    #[serde(default)]
    pub cdi_years: f64,
    pub women_share_stock: Option<f64>,
    /// Among the headcount: aged under 26 / 50 or more at the end of the last declared month.
    pub headcount_young: u32,
    pub headcount_senior: u32,
    /// Person-level hires by calendar year of the hire date, and those of
    /// them in a CDI-group contract (the card's trend).
    #[serde(default)]
    pub hires_by_year: BTreeMap<i32, YearHires>,
}

/// Person-level hires of one calendar year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearHires {
    pub hires: u32,
    pub cdi: u32,
}

impl EstablishmentIndicators {
    /// Share of women among person-level hires.
    pub fn women_share_hires(&self) -> Option<f64> {
        ratio(self.hires_women, self.hires)
    }
    /// Share of CDI-group contracts among person-level hires of the CDI and CDD groups.
    pub fn cdi_share_hires(&self) -> Option<f64> {
        ratio(self.hires_cdi, self.hires_cdi + self.hires_cdd)
    }
}

/// `num / den`, or `None` when the denominator is zero.
pub fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}
