//! Durability estimators that complement `compute.rs`: the precision of a
//! Kaplan–Meier retention (Greenwood) and the rate at which open-ended
//! contracts end (CDI ends per employee-year in CDI).
//!
//! Kept apart from `compute.rs` so that the indicator loop only calls them.

use chrono::{Datelike, NaiveDate};

use crate::compute::{km_steps, km_survival, month_end_range};
use crate::ingest::{Contract, NatureGroup};
use crate::time::{month_of, Month};

/// Kaplan–Meier estimate of P(T ≥ t) and its *effective number of hires*:
/// the n that a binomial share with the same value and the same variance
/// would need, n_eff = S(1 − S) / Var̂(S), with Greenwood's variance
/// Var̂(S) = S² Σ d_j / (r_j (r_j − d_j)) over the event times before t
/// (r_j at risk, d_j events). Without censoring this is exactly the number
/// of spells; censoring (recent hires whose outcome is not yet known)
/// lowers it. When S is 0 or 1, or the Greenwood sum is undefined (every
/// person at risk left at one time), the number of spells followed up to t
/// or ended before it is used.
///
/// `None` exactly when [`crate::compute::km_survival`] is `None`.
pub fn km_effective_n(obs: &[(i64, bool)], t: i64) -> Option<(f64, f64)> {
    let s = km_survival(obs, t)?;
    let mut greenwood = 0.0;
    let mut defined = true;
    for (r, d) in km_steps(obs, t) {
        if r > d {
            greenwood += d / (r * (r - d));
        } else {
            defined = false;
        }
    }
    // Spells whose status at t is known: followed to t, or ended before it.
    let known = obs.iter().filter(|(v, e)| *v >= t || *e).count() as f64;
    let n_eff = if defined && greenwood > 0.0 && s > 0.0 && s < 1.0 {
        (s * (1.0 - s) / (s * s * greenwood)).min(obs.len() as f64)
    } else {
        known
    };
    Some((s, n_eff.max(0.0)))
}

/// CDI ends and exposure are counted only before this age: from 60 on, the
/// end of an open-ended contract is mostly a retirement, which says nothing
/// about how well the employer keeps people (and would penalise those who
/// hire seniors). The engine does not keep the DSN end motif, hence the age.
pub const CDI_TURNOVER_BELOW_AGE: i32 = 60;

/// The day a person born on `birth` turns `age` (29 February → 1 March).
fn birthday(birth: NaiveDate, age: i32) -> Option<NaiveDate> {
    let y = birth.year() + age;
    NaiveDate::from_ymd_opt(y, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
}

/// Ends of CDI-group contracts and the month ends in CDI (employee-months,
/// / 12 = employee-years in CDI) over the months of the window from `from` to
/// `m1`, for people under [`CDI_TURNOVER_BELOW_AGE`] (`birth` gives a
/// contract's person's birth date; an unknown birth date counts at every age).
///
/// - ends: CDI-group contracts (by their first declared nature) whose last
///   day (declared or inferred) falls in `[w_start, w_end]`, the person being
///   under 60 on that day;
/// - months: for each CDI-group contract, the month ends of `from ..= m1` at
///   which it is active and the person is under 60, summed (an integer, so
///   that partitions of the persons add up exactly).
///
/// The rate ends / years estimates how often an open-ended contract breaks
/// (trial periods, resignations, dismissals, negotiated ends).
pub fn cdi_ends_and_months(
    counted: &[&Contract],
    birth: impl Fn(&Contract) -> Option<NaiveDate>,
    from: Month,
    m1: Month,
    w_start: NaiveDate,
    w_end: NaiveDate,
) -> (u32, i64) {
    let mut ends = 0;
    let mut months = 0i64;
    for c in counted.iter().filter(|c| c.group() == NatureGroup::Cdi) {
        let aged = birth(c).and_then(|b| birthday(b, CDI_TURNOVER_BELOW_AGE));
        if c.end
            .is_some_and(|e| e >= w_start && e <= w_end && aged.is_none_or(|a| e < a))
        {
            ends += 1;
        }
        // Month ends within [start, end] and from `from`, while the person is
        // under 60 on them, i.e. before the month of the 60th birthday.
        if let Some((first, last)) = month_end_range(c, m1) {
            let first = first.max(from);
            let last = aged.map_or(last, |a| last.min(month_of(a) - 1));
            if last >= first {
                months += (last - first + 1) as i64;
            }
        }
    }
    (ends, months)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greenwood_by_hand() {
        // No censoring: 4 spells 100, 200, 400, 500 (all ended), t = 365:
        // S = 2/4. Events before t at 100 (r 4, d 1) and 200 (r 3, d 1):
        // Σ = 1/(4·3) + 1/(3·2) = 1/12 + 2/12 = 1/4; Var = S²·¼ = 1/16;
        // n_eff = S(1 − S)/Var = (1/4)/(1/16) = 4 = the number of spells.
        let obs = [(100, true), (200, true), (400, true), (500, true)];
        let (s, n) = km_effective_n(&obs, 365).unwrap();
        assert!((s - 0.5).abs() < 1e-12 && (n - 4.0).abs() < 1e-12);
        // With censoring: 50 event, 100 censored, 150 event, 400 censored,
        // 500 event, t = 365. S = 4/5 · 2/3 = 8/15. Greenwood: at 50 r 5 d 1
        // → 1/20; at 150 r 3 d 1 → 1/6; Σ = 13/60. Var = (64/225)(13/60) =
        // 832/13500; S(1 − S) = (8/15)(7/15) = 56/225 = 3360/13500;
        // n_eff = 3360/832 = 4.0385 (< 5 spells: one is censored before t).
        let obs = [
            (50, true),
            (100, false),
            (150, true),
            (400, false),
            (500, true),
        ];
        let (s, n) = km_effective_n(&obs, 365).unwrap();
        assert!((s - 8.0 / 15.0).abs() < 1e-12);
        assert!((n - 3360.0 / 832.0).abs() < 1e-9, "{n}");
        // Nobody left before t: S = 1, Greenwood sum 0 → spells known at t:
        // 400 and 500 followed to t, 10 censored early is not → 2.
        let (s, n) = km_effective_n(&[(10, false), (400, false), (500, true)], 365).unwrap();
        assert_eq!((s, n), (1.0, 2.0));
        assert_eq!(km_effective_n(&[(10, false)], 365), None);
    }

    fn cdi(start: (i32, u32, u32), end: Option<(i32, u32, u32)>, nature: u8) -> Contract {
        let d = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Contract {
            establishment: 0,
            person: 0,
            number_hash: 0,
            start: d(start),
            nature,
            ever_cdi: nature == 1,
            boeth: false,
            aided: false,
            alternance: false,
            planned_end: None,
            first_month: None,
            last_month: None,
            end: end.map(d),
            end_inferred: false,
            arrets: Vec::new(),
            invalidity: Vec::new(),
        }
    }

    #[test]
    fn cdi_ends_and_months_by_hand() {
        // Window = months 2024-01 … 2024-12 (from = m1 − 11).
        let m = |y: i32, mo: u32| month_of(NaiveDate::from_ymd_opt(y, mo, 1).unwrap());
        let (from, m1) = (m(2024, 1), m(2024, 12));
        let w_start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let w_end = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        let a = cdi((2020, 5, 4), None, 1); // open all year: 12 month ends
        let b = cdi((2024, 3, 10), Some((2024, 6, 15)), 1); // ends Mar, Apr, May: 3; one end
        let c = cdi((2023, 2, 1), Some((2024, 1, 31)), 1); // Jan end only: 1; one end
        let d = cdi((2023, 2, 1), Some((2023, 12, 31)), 1); // ended before W: 0
        let e = cdi((2024, 2, 1), Some((2024, 8, 31)), 2); // a CDD: ignored
        let all = [&a, &b, &c, &d, &e];
        let (ends, months) = cdi_ends_and_months(&all, |_| None, from, m1, w_start, w_end);
        assert_eq!((ends, months), (2, 16));
        // The same, everyone born on 1964-05-20: 60 on 2024-05-20. Month ends
        // before May 2024 count: a Jan–Apr 4, b Mar–Apr 2, c Jan 1 → 7; b
        // ends on 2024-06-15 at 60 → not counted; c ends at 59 → counted.
        let born = NaiveDate::from_ymd_opt(1964, 5, 20);
        let (ends, months) = cdi_ends_and_months(&all, |_| born, from, m1, w_start, w_end);
        assert_eq!((ends, months), (1, 7));
        // Born on 29 February: 60 on 1 March of a non-leap year.
        let leap = NaiveDate::from_ymd_opt(1964, 2, 29).unwrap();
        assert_eq!(birthday(leap, 61), NaiveDate::from_ymd_opt(2025, 3, 1));
        assert_eq!(
            birthday(leap, 60),
            Some(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
    }
}
