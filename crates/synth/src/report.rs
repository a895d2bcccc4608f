//! Calibration report: targets (with sources) against what was generated.
//!
//! Every generated figure is counted on the simulated contracts, arrêts and
//! month-end staff (see [`crate::stats`]), i.e. on the events written as
//! DSN, never taken from the parameters.

use std::fmt::Write as _;

use serde::Serialize;

use crate::stats::{BasinStats, SectionStats};
use crate::Summary;

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct ReportRow {
    pub name: String,
    pub unit: &'static str,
    pub target: f64,
    /// Accepted absolute deviation from the target.
    pub tolerance: f64,
    /// None when there is not enough data to measure.
    pub generated: Option<f64>,
    /// Denominator behind the figure (contracts, person-months, employee-years).
    pub base: f64,
    pub source: &'static str,
}

impl ReportRow {
    /// Within tolerance (rows without data count as passing).
    pub fn ok(&self) -> bool {
        self.generated
            .is_none_or(|g| (g - self.target).abs() <= self.tolerance + 1e-9)
    }
}

/// The calibration report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub rows: Vec<ReportRow>,
}

const DARES_2018: &str = "DARES Analyses n°026, 2018 (year 2017)";
const DARES_TEMP: &str = "DARES, Le recours aux contrats temporaires en 2017";
const DARES_2014: &str = "Dares Analyses 2014-094 (year 2013)";
const PRIORS_WOMEN: &str = "refdata §5 priors (INSEE Emploi 2006, Eurostat 2021)";
const OETH: &str = "DARES Résultats n°62, 2023 (year 2022)";
const AT: &str = "Assurance Maladie Risques professionnels 2017/2021; refdata §5 rule of thumb";
const AGE: &str = "refdata §5 suggested mix (INSEE)";

/// Women share priors by NAF section (refdata §5).
pub fn women_prior(section: char) -> Option<f64> {
    Some(match section {
        'A' => 0.30,
        'B' | 'C' | 'D' | 'E' => 0.275,
        'F' => 0.11,
        'G' => 0.47,
        'H' => 0.25,
        'I' => 0.50,
        'J' => 0.33,
        'K' => 0.57,
        'L' => 0.55,
        'M' => 0.50,
        'N' => 0.42,
        'O' => 0.55,
        'P' => 0.70,
        'Q' => 0.78,
        'R' => 0.45,
        'S' => 0.62,
        'T' => 0.90,
        _ => return None,
    })
}

/// Accident frequency target (per 1 000 employee-years) and tolerance by section.
pub fn accident_target(section: char) -> Option<(f64, f64)> {
    Some(match section {
        'F' => (55.0, 15.0),
        'H' => (40.0, 12.0),
        'N' => (50.0, 15.0),
        'Q' => (72.5, 22.5),
        'C' => (32.5, 10.0),
        'I' => (35.0, 10.0),
        'G' => (25.0, 8.0),
        'J' | 'K' | 'M' => (6.0, 4.5),
        _ => return None,
    })
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn sum_sections(st: &BasinStats, pick: impl Fn(char) -> bool) -> SectionStats {
    let mut out = SectionStats::default();
    for (k, v) in &st.sections {
        if !pick(*k) {
            continue;
        }
        out.establishments += v.establishments;
        out.hires_cdi += v.hires_cdi;
        out.hires_cdd += v.hires_cdd;
        out.missions += v.missions;
        out.person_months += v.person_months;
        out.women_months += v.women_months;
        out.boeth_months += v.boeth_months;
        for i in 0..3 {
            out.age_months[i] += v.age_months[i];
        }
        out.accidents += v.accidents;
    }
    out
}

/// Build the report from a run's summary (generated data only).
pub fn calibration_report(summary: &Summary) -> Report {
    calibration_from_stats(&summary.stats)
}

/// Same, from the merged counters.
pub fn calibration_from_stats(st: &BasinStats) -> Report {
    let mut rows = Vec::new();
    let all = sum_sections(st, |_| true);
    let mut row =
        |name: String, unit, target, tolerance, generated: Option<f64>, base: f64, source| {
            rows.push(ReportRow {
                name,
                unit,
                target,
                tolerance,
                generated,
                base,
                source,
            })
        };
    let hires = all.hires_cdi + all.hires_cdd;
    row(
        "CDD share of hires, interim excluded".into(),
        "share",
        0.87,
        0.04,
        ratio(all.hires_cdd, hires),
        hires as f64,
        DARES_2018,
    );
    for (label, target, pick) in [
        (
            "industry B-E",
            0.679,
            (|c: char| matches!(c, 'B' | 'C' | 'D' | 'E')) as fn(char) -> bool,
        ),
        ("construction F", 0.606, |c: char| c == 'F'),
        ("services G-U", 0.853, |c: char| c >= 'G'),
    ] {
        let s = sum_sections(st, pick);
        let h = s.hires_cdi + s.hires_cdd;
        row(
            format!("CDD share of hires, {label}"),
            "share",
            target,
            0.10,
            if h >= 200 && s.establishments >= 60 {
                ratio(s.hires_cdd, h)
            } else {
                None
            },
            h as f64,
            DARES_2014,
        );
    }
    let all_new = hires + all.missions;
    row(
        "Interim missions among all new contracts".into(),
        "share",
        0.52,
        0.08,
        ratio(all.missions, all_new),
        all_new as f64,
        DARES_TEMP,
    );
    row(
        "CDI among all new contracts".into(),
        "share",
        0.07,
        0.03,
        ratio(all.hires_cdi, all_new),
        all_new as f64,
        DARES_TEMP,
    );
    // CDD lengths from the histogram of ended CDD-group contracts.
    let n: u64 = st.cdd_hist.iter().sum();
    let (mean, median, one, month) = if n > 0 {
        let total: u64 = st
            .cdd_hist
            .iter()
            .enumerate()
            .map(|(d, c)| d as u64 * c)
            .sum();
        let mut acc = 0;
        let mut median = 0;
        for (d, c) in st.cdd_hist.iter().enumerate() {
            acc += c;
            if acc * 2 >= n {
                median = d;
                break;
            }
        }
        let one = st.cdd_hist.get(1).copied().unwrap_or(0);
        let month: u64 = st.cdd_hist.iter().take(31).sum();
        (
            Some(total as f64 / n as f64),
            Some(median as f64),
            ratio(one, n),
            ratio(month, n),
        )
    } else {
        (None, None, None, None)
    };
    row(
        "Mean CDD length".into(),
        "days",
        46.0,
        12.0,
        mean,
        n as f64,
        DARES_2018,
    );
    row(
        "Median CDD length".into(),
        "days",
        5.0,
        2.0,
        median,
        n as f64,
        DARES_2018,
    );
    row(
        "Single-day CDD share".into(),
        "share",
        0.30,
        0.07,
        one,
        n as f64,
        DARES_2018,
    );
    row(
        "CDD shorter than a month".into(),
        "share",
        0.83,
        0.06,
        month,
        n as f64,
        DARES_2018,
    );
    // Stock.
    let pm = all.person_months;
    row(
        "Women among staff".into(),
        "share",
        0.503,
        0.08,
        ratio(all.women_months, pm),
        pm as f64,
        "INSEE, Femmes et hommes 2022 (year 2020)",
    );
    for (sec, s) in &st.sections {
        if let Some(p) = women_prior(*sec) {
            row(
                format!("Women among staff, section {sec}"),
                "share",
                p,
                0.07,
                if s.person_months >= 12_000 && s.establishments >= 60 {
                    ratio(s.women_months, s.person_months)
                } else {
                    None
                },
                s.person_months as f64,
                PRIORS_WOMEN,
            );
        }
    }
    row(
        "BOETH among staff".into(),
        "share",
        0.035,
        0.01,
        ratio(all.boeth_months, pm),
        pm as f64,
        OETH,
    );
    for (i, (label, target, tol)) in [
        ("under 25", 0.11, 0.04),
        ("25-49", 0.60, 0.07),
        ("50 and over", 0.30, 0.07),
    ]
    .into_iter()
    .enumerate()
    {
        row(
            format!("Staff aged {label}"),
            "share",
            target,
            tol,
            ratio(all.age_months[i], pm),
            pm as f64,
            AGE,
        );
    }
    let ey = pm as f64 / 12.0;
    row(
        "Work accidents per 1 000 employee-years".into(),
        "‰",
        30.0,
        6.0,
        (ey > 0.0).then(|| all.accidents as f64 * 1000.0 / ey),
        ey,
        AT,
    );
    for (sec, s) in &st.sections {
        if let Some((t, tol)) = accident_target(*sec) {
            let ey = s.person_months as f64 / 12.0;
            row(
                format!("Work accidents per 1 000 employee-years, section {sec}"),
                "‰",
                t,
                tol,
                (ey >= 1500.0 && s.establishments >= 60).then(|| s.accidents as f64 * 1000.0 / ey),
                ey,
                AT,
            );
        }
    }
    Report { rows }
}

impl Report {
    /// True when every measured row is within tolerance.
    pub fn all_ok(&self) -> bool {
        self.rows.iter().all(ReportRow::ok)
    }

    /// Rows outside their tolerance.
    pub fn failures(&self) -> Vec<&ReportRow> {
        self.rows.iter().filter(|r| !r.ok()).collect()
    }

    /// Plain-text table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<58} {:>9} {:>9} {:>9} {:>4}  source",
            "indicator", "target", "±tol", "generated", "ok"
        );
        for r in &self.rows {
            let fmt = |v: f64| {
                if r.unit == "share" {
                    format!("{:.1} %", v * 100.0)
                } else {
                    format!("{v:.1}")
                }
            };
            let generated = r.generated.map_or("n/a".to_string(), fmt);
            let _ = writeln!(
                s,
                "{:<58} {:>9} {:>9} {:>9} {:>4}  {}",
                r.name,
                fmt(r.target),
                fmt(r.tolerance),
                generated,
                if r.generated.is_none() {
                    "-"
                } else if r.ok() {
                    "yes"
                } else {
                    "NO"
                },
                r.source
            );
        }
        s
    }
}
