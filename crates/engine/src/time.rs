//! Month arithmetic: a month is an `i32` counting months since year 0.

use chrono::{Datelike, NaiveDate};

/// Month index: `year * 12 + (month - 1)`.
pub type Month = i32;

/// The month containing `d`.
pub fn month_of(d: NaiveDate) -> Month {
    d.year() * 12 + d.month0() as i32
}

/// First day of month `m`.
pub fn month_first(m: Month) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
        .expect("valid month index")
}

/// Last day of month `m`.
pub fn month_last(m: Month) -> NaiveDate {
    month_first(m + 1).pred_opt().expect("valid month index")
}

/// `YYYY-MM`.
pub fn month_label(m: Month) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// Whole years between `birth` and `at` (age at date `at`).
pub fn age_at(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut age = at.year() - birth.year();
    if (at.month(), at.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_round_trip() {
        let m = month_of(d(2024, 2, 17));
        assert_eq!(month_first(m), d(2024, 2, 1));
        assert_eq!(month_last(m), d(2024, 2, 29));
        assert_eq!(month_label(m), "2024-02");
        assert_eq!(month_last(month_of(d(2023, 12, 3))), d(2023, 12, 31));
        assert_eq!(month_of(d(2024, 1, 1)) - month_of(d(2023, 12, 31)), 1);
    }

    #[test]
    fn ages() {
        assert_eq!(age_at(d(2000, 3, 10), d(2026, 3, 9)), 25);
        assert_eq!(age_at(d(2000, 3, 10), d(2026, 3, 10)), 26);
    }
}
