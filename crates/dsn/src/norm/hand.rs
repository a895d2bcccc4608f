//! Hand-written matchers for the norm's most frequent patterns (dates,
//! amounts, counts): a few byte comparisons instead of a DFA walk. Each one
//! is chosen by the exact pattern text of the workbook, and the tests in
//! [`super::validate`] check it against the `regex` crate on that pattern.

/// A pattern the reader checks by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hand {
    /// `JJMMAAAA`: day 01–31, month 01–12, year 19xx or 20xx (`from_1900`)
    /// or 20xx only.
    Date { from_1900: bool },
    /// Birth date `JJMMAAAA`: day 01–31 or 99, month 01–12 or 99, year
    /// 18xx, 19xx or 20xx.
    BirthDate,
    /// Digits, a dot and two digits, an optional leading `-` when `signed`;
    /// `positive`: the amount is not zero.
    Decimal2 { signed: bool, positive: bool },
    /// ASCII digits: at least one unless `empty_ok`; `nonzero`: one of them
    /// is not `0`; `first_nonzero`: the first is not `0`; optional `-`.
    Digits {
        signed: bool,
        empty_ok: bool,
        nonzero: bool,
        first_nonzero: bool,
    },
    /// `-?[0-9]{1,int_max}\.[0-9]{2}` (the `-` only when `signed`).
    DecimalUpTo { signed: bool, int_max: u8 },
    /// French département code: `01`–`99`, `2A`, `2B`.
    Departement,
    /// NIR: sex, year, month (01–12, 20, 30–42, 50–99), département
    /// (01–99, 2A, 2B), commune and order numbers (001–999). The workbook's
    /// second form, sex then twelve `9`, is one of these.
    Nir,
}

/// NIR pattern of the workbook without the all-nines alternative.
const NIR: &str = r"[1-2][0-9]{2}(0[1-9]|1[0-2]|20|3[0-9]|4[0-2]|[5-9][0-9])(0[1-9]|[1-9][0-9]|2A|2B)([0]{2}[1-9]|0[1-9][0-9]|[1-9][0-9]{2})([0]{2}[1-9]|0[1-9][0-9]|[1-9][0-9]{2})";

/// `[0-9]{1,N}\.[0-9]{2}` or `[0-9]{1}\.[0-9]{2}`, optionally after `-?`:
/// (signed, N).
fn decimal_up_to(p: &str) -> Option<(bool, u8)> {
    let (signed, p) = match p.strip_prefix("-?") {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    let n = p.strip_prefix("[0-9]{")?.strip_suffix(r"}\.[0-9]{2}")?;
    let max = match n.split_once(',') {
        Some(("1", m)) => m,
        None if n == "1" => n,
        _ => return None,
    };
    let max: u8 = max.parse().ok()?;
    (1..=9).contains(&max).then_some((signed, max))
}

impl Hand {
    /// The hand-written equivalent of a workbook pattern, if there is one.
    pub(crate) fn for_pattern(p: &str) -> Option<Hand> {
        let digits = |signed, empty_ok, nonzero, first_nonzero| Hand::Digits {
            signed,
            empty_ok,
            nonzero,
            first_nonzero,
        };
        Some(match p {
            r"(0[1-9]|[1-2][0-9]|3[0-1])(0[1-9]|1[0-2])(19|20)[0-9]{2}" => {
                Hand::Date { from_1900: true }
            }
            r"(0[1-9]|[1-2][0-9]|3[0-1])(0[1-9]|1[0-2])(20)[0-9]{2}" => {
                Hand::Date { from_1900: false }
            }
            r"(0[1-9]|[1-2][0-9]|3[0-1]|99)(0[1-9]|1[0-2]|99)(18|19|20)[0-9]{2}" => Hand::BirthDate,
            r"-?[0]*(0|[1-9][0-9]*)\.[0-9]{2}" => Hand::Decimal2 {
                signed: true,
                positive: false,
            },
            r"[0]*(0|[1-9][0-9]*)\.[0-9]{2}" | r"[0]*([1-9][0-9]*\.[0-9]{2}|0\.[0-9]{2})" => {
                Hand::Decimal2 {
                    signed: false,
                    positive: false,
                }
            }
            r"[0]*([1-9][0-9]*\.[0-9]{2}|0\.(0[1-9]|[1-9][0-9]))" => Hand::Decimal2 {
                signed: false,
                positive: true,
            },
            r"-?[0]*([1-9][0-9]*\.[0-9]{2}|0\.(0[1-9]|[1-9][0-9]))" => Hand::Decimal2 {
                signed: true,
                positive: true,
            },
            r"[0-9]*[1-9][0-9]*" | r"[0]*[1-9][0-9]*" => digits(false, false, true, false),
            r"[0]*(0|[1-9][0-9]*)" => digits(false, false, false, false),
            r"-?[0]*(0|[1-9][0-9]*)" => digits(true, false, false, false),
            r"[1-9][0-9]*" => digits(false, false, true, true),
            r"[0-9]*" => digits(false, true, false, false),
            r"(0[1-9]|[1-9][0-9])|2A|2B" => Hand::Departement,
            _ if p == NIR || p.strip_prefix(NIR) == Some(r"|([1-2][9]{12})") => Hand::Nir,
            _ => {
                let (signed, int_max) = decimal_up_to(p)?;
                Hand::DecimalUpTo { signed, int_max }
            }
        })
    }

    #[inline(always)]
    pub(crate) fn is_match(self, v: &[u8]) -> bool {
        match self {
            Hand::Date { from_1900 } => {
                let Some((day, month, century)) = day_month_century(v) else {
                    return false;
                };
                (1..=31).contains(&day)
                    && (1..=12).contains(&month)
                    && (century == 20 || (from_1900 && century == 19))
            }
            Hand::BirthDate => {
                let Some((day, month, century)) = day_month_century(v) else {
                    return false;
                };
                matches!(day, 1..=31 | 99)
                    && matches!(month, 1..=12 | 99)
                    && matches!(century, 18..=20)
            }
            Hand::Decimal2 { signed, positive } => {
                let v = match v {
                    [b'-', rest @ ..] if signed => rest,
                    _ => v,
                };
                let n = v.len();
                if n < 4 || v[n - 3] != b'.' {
                    return false;
                }
                let (int, dec) = (&v[..n - 3], &v[n - 2..]);
                if !all_digits(int) || !all_digits(dec) {
                    return false;
                }
                !positive || int.iter().any(|&d| d != b'0') || dec != b"00"
            }
            Hand::Digits {
                signed,
                empty_ok,
                nonzero,
                first_nonzero,
            } => {
                let v = match v {
                    [b'-', rest @ ..] if signed => rest,
                    _ => v,
                };
                if v.is_empty() {
                    return empty_ok;
                }
                all_digits(v)
                    && (!first_nonzero || v[0] != b'0')
                    && (!nonzero || v.iter().any(|&d| d != b'0'))
            }
            Hand::DecimalUpTo { signed, int_max } => {
                let v = match v {
                    [b'-', rest @ ..] if signed => rest,
                    _ => v,
                };
                let n = v.len();
                n >= 4
                    && n - 3 <= usize::from(int_max)
                    && v[n - 3] == b'.'
                    && all_digits(&v[..n - 3])
                    && all_digits(&v[n - 2..])
            }
            Hand::Departement => departement(v),
            Hand::Nir => {
                let Ok(b) = <[u8; 13]>::try_from(v) else {
                    return false;
                };
                if !matches!(b[0], b'1' | b'2') {
                    return false;
                }
                let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
                all_digits(&b[1..5])
                    && matches!(two(3), 1..=12 | 20 | 30..=42 | 50..=99)
                    && departement(&b[5..7])
                    && all_digits(&b[7..13])
                    && &b[7..10] != b"000"
                    && &b[10..13] != b"000"
            }
        }
    }
}

/// `01`–`99`, `2A` or `2B`.
#[inline]
fn departement(v: &[u8]) -> bool {
    match v {
        [b'2', b'A' | b'B'] => true,
        [a, b] => a.is_ascii_digit() && b.is_ascii_digit() && (*a, *b) != (b'0', b'0'),
        _ => false,
    }
}

/// Every byte is an ASCII digit.
#[inline]
pub(super) fn all_digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// Day, month and century of an 8-digit `DDMMCCYY` value (`None` unless
/// exactly 8 ASCII digits).
#[inline(always)]
fn day_month_century(v: &[u8]) -> Option<(u8, u8, u8)> {
    let x = u64::from_le_bytes(<[u8; 8]>::try_from(v).ok()?);
    if !digits8(x) {
        return None;
    }
    // Digit values in each byte; byte 2k of `d * 10 + (d >> 8)` is the
    // two-digit number of bytes 2k, 2k + 1 (at most 99: no carry).
    let d = x - 0x3030_3030_3030_3030;
    let pairs = d.wrapping_mul(10).wrapping_add(d >> 8);
    Some((pairs as u8, (pairs >> 16) as u8, (pairs >> 32) as u8))
}

/// All eight bytes of `x` are ASCII digits (`0x30..=0x39`).
#[inline]
fn digits8(x: u64) -> bool {
    const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // High nibble 3, and adding 6 to the low nibble does not carry out of it
    // (with every high nibble 3, no byte carries into the next one).
    x & HI == ZEROS && (x.wrapping_add(0x0606_0606_0606_0606) & HI) == ZEROS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = Hand::Date { from_1900: true };
        assert!(d.is_match(b"01012024"));
        assert!(d.is_match(b"31121999"));
        assert!(!d.is_match(b"00012024"));
        assert!(!d.is_match(b"32012024"));
        assert!(!d.is_match(b"01132024"));
        assert!(!d.is_match(b"01011899"));
        assert!(!d.is_match(b"0101202"));
        assert!(!d.is_match(b"01:12024"));
        assert!(!Hand::Date { from_1900: false }.is_match(b"01011999"));
        let b = Hand::BirthDate;
        assert!(b.is_match(b"15031985") && b.is_match(b"99991980") && b.is_match(b"01991899"));
        assert!(!b.is_match(b"00031985"), "day 00");
        assert!(!b.is_match(b"98031985"), "day 98");
        assert!(!b.is_match(b"15001985"), "month 00");
        assert!(!b.is_match(b"15131985"), "month 13");
        assert!(!b.is_match(b"15031785"), "year 17xx");
        assert!(!b.is_match(b"15032185"), "year 21xx");
        assert!(!b.is_match(b"1503198"));
    }

    #[test]
    fn nir_and_departement() {
        let nir = Hand::Nir;
        assert!(nir.is_match(b"1800175123456"));
        assert!(nir.is_match(b"2610275002002"));
        assert!(nir.is_match(b"185122A001001"));
        assert!(nir.is_match(b"1999999999999"));
        assert!(!nir.is_match(b"3800175123456"), "sex");
        assert!(!nir.is_match(b"1801375123456"), "month 13");
        assert!(!nir.is_match(b"1804375123456"), "month 43");
        assert!(!nir.is_match(b"1800100123456"), "département 00");
        assert!(!nir.is_match(b"1800175000456"), "commune 000");
        assert!(!nir.is_match(b"1800175123000"), "order 000");
        assert!(!nir.is_match(b"180017512345"), "12 characters");
        assert!(!nir.is_match(b"18001751234567"), "14 characters");
        assert!(!nir.is_match(b"1800175123a56"));
        assert!(Hand::Departement.is_match(b"2A") && Hand::Departement.is_match(b"01"));
        assert!(!Hand::Departement.is_match(b"00") && !Hand::Departement.is_match(b"2C"));
        assert!(!Hand::Departement.is_match(b"1") && !Hand::Departement.is_match(b"3A"));
    }

    #[test]
    fn amounts_and_counts() {
        let signed = Hand::Decimal2 {
            signed: true,
            positive: false,
        };
        assert!(signed.is_match(b"-84.50"));
        assert!(signed.is_match(b"0.00"));
        assert!(!signed.is_match(b"84.5"));
        assert!(!signed.is_match(b"--1.00"));
        let positive = Hand::Decimal2 {
            signed: false,
            positive: true,
        };
        assert!(!positive.is_match(b"000.00"));
        assert!(positive.is_match(b"0.01"));
        assert!(Hand::for_pattern(r"[1-9][0-9]*").unwrap().is_match(b"10"));
        let taux = Hand::for_pattern(r"[0-9]{1,2}\.[0-9]{2}").unwrap();
        assert_eq!(
            taux,
            Hand::DecimalUpTo {
                signed: false,
                int_max: 2
            }
        );
        assert!(taux.is_match(b"12.50") && taux.is_match(b"0.00"));
        assert!(!taux.is_match(b"123.50") && !taux.is_match(b".50") && !taux.is_match(b"1.5"));
        assert_eq!(
            Hand::for_pattern(r"-?[0-9]{1,8}\.[0-9]{2}"),
            Some(Hand::DecimalUpTo {
                signed: true,
                int_max: 8
            })
        );
        assert_eq!(
            Hand::for_pattern(r"[0-9]{1}\.[0-9]{2}"),
            Some(Hand::DecimalUpTo {
                signed: false,
                int_max: 1
            })
        );
        assert_eq!(Hand::for_pattern(r"\d{1,5}\.\d{2}"), None);
        assert!(!Hand::for_pattern(r"[1-9][0-9]*").unwrap().is_match(b"01"));
    }
}
