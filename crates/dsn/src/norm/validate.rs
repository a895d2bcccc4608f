//! Checking values against the norm's data types, cheaply enough to run on
//! every rubric line: code lists become bitmaps, and each pattern becomes a
//! DFA built once per type on first use from the workbook's own regex
//! (same syntax and semantics as the `regex` crate: Unicode classes,
//! whole-value match), then walked one byte per step. The hottest patterns
//! (dates, amounts, counts) are hand-written in [`super::hand`] and tested
//! against their DFA.

use std::sync::OnceLock;

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::Anchored;

use super::hand::Hand;
use super::norm_table::{self, TABLE_NORM};
use super::TypeRef;

/// Why a value does not fit its data type.
#[derive(Debug)]
pub(crate) struct Invalid {
    /// The value is well-formed but not in the code list (later norms add codes).
    pub code_list: bool,
    pub message: String,
}

/// A code list in the form cheapest to test.
#[derive(Debug)]
enum Codes {
    /// Every code is two ASCII digits: bit `n` of the pair set for code `n`.
    Two([u64; 2]),
    /// Every code is three ASCII digits (boxed: keeps [`TypeCheck`] small).
    Three(Box<[u64; 16]>),
    /// Every code has at most 16 bytes: the sorted [`packed`] codes.
    Packed(Box<[(u8, u128)]>),
    /// Anything else: the sorted list.
    List(&'static [&'static str]),
}

/// A value of at most 16 bytes as one key: its length, and two words that
/// hold all its bytes between them (overlapping loads, no copy): distinct
/// values give distinct keys.
#[inline]
fn packed(b: &[u8]) -> Option<(u8, u128)> {
    let n = b.len();
    let w4 = |i: usize| {
        u128::from(u32::from_le_bytes(
            b[i..i + 4].try_into().unwrap_or_default(),
        ))
    };
    let w8 = |i: usize| {
        u128::from(u64::from_le_bytes(
            b[i..i + 8].try_into().unwrap_or_default(),
        ))
    };
    let x = match n {
        0 => 0,
        1..=3 => u128::from(b[0]) | u128::from(b[n / 2]) << 8 | u128::from(b[n - 1]) << 16,
        4..=7 => w4(0) | w4(n - 4) << 32,
        8..=16 => w8(0) | w8(n - 8) << 64,
        _ => return None,
    };
    Some((n as u8, x))
}

impl Codes {
    fn new(codes: &'static [&'static str]) -> Self {
        let digits = |n: usize| {
            codes
                .iter()
                .all(|c| c.len() == n && c.bytes().all(|b| b.is_ascii_digit()))
        };
        if digits(2) {
            let mut m = [0u64; 2];
            for c in codes {
                let n = number(c.as_bytes());
                m[n / 64] |= 1 << (n % 64);
            }
            Codes::Two(m)
        } else if digits(3) {
            let mut m = [0u64; 16];
            for c in codes {
                let n = number(c.as_bytes());
                m[n / 64] |= 1 << (n % 64);
            }
            Codes::Three(Box::new(m))
        } else if let Some(mut p) = codes
            .iter()
            .map(|c| packed(c.as_bytes()))
            .collect::<Option<Vec<(u8, u128)>>>()
        {
            p.sort_unstable();
            Codes::Packed(p.into_boxed_slice())
        } else {
            Codes::List(codes)
        }
    }

    #[inline]
    fn contains(&self, b: &[u8]) -> bool {
        match self {
            Codes::Two(m) => {
                if b.len() != 2 || !all_digits(b) {
                    return false;
                }
                let n = number(b);
                m[n / 64] >> (n % 64) & 1 == 1
            }
            Codes::Three(m) => {
                if b.len() != 3 || !all_digits(b) {
                    return false;
                }
                let n = number(b);
                m[n / 64] >> (n % 64) & 1 == 1
            }
            Codes::Packed(p) => packed(b).is_some_and(|x| p.binary_search(&x).is_ok()),
            // Byte order is `str` order.
            Codes::List(l) => l.binary_search_by(|c| c.as_bytes().cmp(b)).is_ok(),
        }
    }
}

use super::hand::all_digits;

/// Decimal value of ASCII digits (callers check they are digits).
#[inline]
fn number(b: &[u8]) -> usize {
    b.iter()
        .fold(0, |n, &d| n * 10 + usize::from(d.wrapping_sub(b'0')))
}

/// A pattern compiled to a DFA anchored at both ends.
struct Dfa {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
}

impl Dfa {
    /// `None` when the pattern is not accepted by the regex syntax (the
    /// type's length and codes are still checked, as before).
    fn build(pattern: &str) -> Option<Dfa> {
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Anchored)
                    .minimize(true),
            )
            .build(&format!("^(?:{pattern})$"))
            .ok()?;
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .ok()?;
        Some(Dfa { dfa, start })
    }

    #[inline]
    fn is_match(&self, v: &[u8]) -> bool {
        let mut s = self.start;
        for &b in v {
            s = self.dfa.next_state(s, b);
        }
        self.dfa.is_match_state(self.dfa.next_eoi_state(s))
    }
}

/// What is checked for one type (kept small: the reader looks one up per
/// rubric line; the pattern and its DFA are behind a pointer).
pub(crate) struct TypeCheck {
    codes: Option<Codes>,
    min: u16,
    max: u16,
    hand: Option<Hand>,
    pattern: Option<Box<Pattern>>,
}

/// A pattern without a hand-written matcher, compiled on first use.
struct Pattern {
    text: &'static str,
    dfa: OnceLock<Option<Dfa>>,
}

impl TypeCheck {
    #[inline]
    fn pattern_match(&self, v: &str) -> bool {
        if let Some(h) = self.hand {
            return h.is_match(v.as_bytes());
        }
        match &self.pattern {
            None => true,
            Some(p) => p.is_match(v.as_bytes()),
        }
    }
}

impl Pattern {
    #[inline(never)]
    fn is_match(&self, v: &[u8]) -> bool {
        self.dfa
            .get_or_init(|| Dfa::build(self.text))
            .as_ref()
            .is_none_or(|d| d.is_match(v))
    }
}

/// The checks of every type, indexed by [`TypeRef`] (built once; the
/// reader keeps the slice so that no lookup goes through the lazy static).
pub(crate) fn checks() -> &'static [TypeCheck] {
    static C: OnceLock<Vec<TypeCheck>> = OnceLock::new();
    C.get_or_init(|| {
        norm_table::TYPES
            .iter()
            .map(|t| {
                let hand = t.pattern.and_then(Hand::for_pattern);
                TypeCheck {
                    codes: (!t.codes.is_empty()).then(|| Codes::new(t.codes)),
                    min: t.min,
                    max: t.max,
                    hand,
                    pattern: t.pattern.filter(|_| hand.is_none()).map(|text| {
                        Box::new(Pattern {
                            text,
                            dfa: OnceLock::new(),
                        })
                    }),
                }
            })
            .collect()
    })
}

/// What the reader's fast path checks for one rubric, in one record of its
/// block's row (no second table to look up for the common types).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quick {
    /// Two-digit code bitmap ([`QuickKind::Two`]) or the ASCII bytes a
    /// [`QuickKind::Class`] value is made of.
    set: [u64; 2],
    /// 1 + the type index; 0: not a rubric of the reference norm.
    pub(crate) ty1: u16,
    /// Length bounds: `len - lo` (wrapping) at most `span`.
    lo: u16,
    span: u32,
    kind: QuickKind,
}

#[derive(Clone, Copy, Debug)]
enum QuickKind {
    /// A two-digit code list.
    Two,
    /// A three-digit code list (the bitmap of [`Codes::Three`]).
    Three(&'static [u64; 16]),
    /// Any other code list.
    Codes(&'static Codes),
    /// Length, then a hand-written pattern.
    Hand(Hand),
    /// Length, then a pattern `[…]+` of one character class: at least one
    /// byte, every one in `set` (ASCII values only).
    Class,
    /// Length only.
    Length,
    /// Anything else: [`check_in`].
    Full,
}

/// `[…]+`: one bracketed class, nothing nested or escaped around it.
fn class_plus(p: &str) -> Option<&str> {
    let inner = p.strip_prefix('[')?.strip_suffix("]+")?;
    (!inner.is_empty() && !inner.contains(['[', ']'])).then_some(inner)
}

/// The ASCII bytes that match `[…]` alone, from the type's own DFA.
fn class_set(p: &str) -> Option<[u64; 2]> {
    class_plus(p)?;
    let dfa = Dfa::build(p)?;
    let mut set = [0u64; 2];
    for c in 0..128u8 {
        if dfa.is_match(&[c]) {
            set[usize::from(c / 64)] |= 1 << (c % 64);
        }
    }
    Some(set)
}

impl Quick {
    /// Not a rubric of the norm.
    pub(crate) const NONE: Quick = Quick {
        set: [0; 2],
        ty1: 0,
        lo: 0,
        span: u32::MAX,
        kind: QuickKind::Full,
    };

    /// The record of type `ty1 - 1` (`ty1` = 0: [`Quick::NONE`]).
    pub(crate) fn of(ty1: u16) -> Quick {
        let Some(t) = ty1
            .checked_sub(1)
            .and_then(|i| checks().get(usize::from(i)))
        else {
            return Quick::NONE;
        };
        let max = if t.max == 0 {
            u32::MAX
        } else {
            u32::from(t.max)
        };
        let mut q = Quick {
            set: [0; 2],
            ty1,
            lo: t.min,
            span: max.wrapping_sub(u32::from(t.min)),
            kind: QuickKind::Full,
        };
        if max < u32::from(t.min) {
            return q;
        }
        match (&t.codes, t.hand, &t.pattern) {
            // Code lists: no length bounds.
            (Some(Codes::Two(m)), _, _) => {
                q.set = *m;
                q.kind = QuickKind::Two;
            }
            (Some(Codes::Three(m)), _, _) => q.kind = QuickKind::Three(m),
            (Some(c), _, _) => q.kind = QuickKind::Codes(c),
            (None, Some(h), _) => q.kind = QuickKind::Hand(h),
            (None, None, None) => q.kind = QuickKind::Length,
            (None, None, Some(p)) => {
                if let Some(set) = class_set(p.text) {
                    q.set = set;
                    q.kind = QuickKind::Class;
                }
            }
        }
        if matches!(
            q.kind,
            QuickKind::Two | QuickKind::Three(_) | QuickKind::Codes(_)
        ) {
            q.lo = 0;
            q.span = u32::MAX;
        }
        q
    }

    /// [`check_in`] for an ASCII `value` of this record's type.
    #[inline(always)]
    pub(crate) fn check(&self, checks: &[TypeCheck], value: &str) -> Option<Fail> {
        let b = value.as_bytes();
        let len = b.len();
        match self.kind {
            QuickKind::Two | QuickKind::Three(_) | QuickKind::Codes(_) => {
                (!self.valid(b)).then_some(Fail::Code)
            }
            QuickKind::Hand(_) | QuickKind::Class | QuickKind::Length => {
                if !self.length_ok(len) {
                    Some(Fail::Length(len))
                } else {
                    (!self.valid(b)).then_some(Fail::Pattern)
                }
            }
            QuickKind::Full => check_in(checks, TypeRef(self.ty1.wrapping_sub(1)), value, true),
        }
    }

    #[inline(always)]
    fn length_ok(&self, len: usize) -> bool {
        len.wrapping_sub(usize::from(self.lo)) <= self.span as usize
    }

    /// Whether an ASCII value fits: the same as `check(..).is_none()` but
    /// for [`QuickKind::Full`], which needs [`check_in`] (false here).
    #[inline(always)]
    pub(crate) fn valid(&self, b: &[u8]) -> bool {
        let len = b.len();
        if !self.length_ok(len) {
            return false;
        }
        match self.kind {
            QuickKind::Two => {
                len == 2 && all_digits(b) && {
                    let n = number(b);
                    self.set[n / 64] >> (n % 64) & 1 == 1
                }
            }
            QuickKind::Three(m) => {
                len == 3 && all_digits(b) && {
                    let n = number(b);
                    m[n / 64] >> (n % 64) & 1 == 1
                }
            }
            QuickKind::Codes(c) => c.contains(b),
            QuickKind::Hand(h) => h.is_match(b),
            QuickKind::Class => {
                len > 0
                    && b.iter()
                        .all(|&c| c < 128 && self.set[usize::from(c >> 6)] >> (c & 63) & 1 == 1)
            }
            QuickKind::Length => true,
            QuickKind::Full => false,
        }
    }
}

/// How a value fails its type (the message is built only when reported).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    Code,
    Length(usize),
    Pattern,
}

/// Check a value against its data type: the code list when there is one,
/// else the length in characters, then the pattern. `ascii`: the caller
/// knows the value is ASCII (its length is then its character count).
#[cfg(test)]
pub(crate) fn check(ty: TypeRef, value: &str, ascii: bool) -> Option<Fail> {
    check_in(checks(), ty, value, ascii)
}

/// [`check`] with the table of [`checks`] at hand.
#[inline(always)]
pub(crate) fn check_in(
    checks: &[TypeCheck],
    ty: TypeRef,
    value: &str,
    ascii: bool,
) -> Option<Fail> {
    let t = checks.get(usize::from(ty.0))?;
    if let Some(codes) = &t.codes {
        return (!codes.contains(value.as_bytes())).then_some(Fail::Code);
    }
    let len = if ascii || value.is_ascii() {
        value.len()
    } else {
        value.chars().count()
    };
    if (t.min > 0 && len < usize::from(t.min)) || (t.max > 0 && len > usize::from(t.max)) {
        return Some(Fail::Length(len));
    }
    (!t.pattern_match(value)).then_some(Fail::Pattern)
}

impl Fail {
    /// The diagnostic for `value` of type `ty` failing this way.
    #[cold]
    pub(crate) fn invalid(self, ty: TypeRef, value: &str) -> Invalid {
        let t = &norm_table::TYPES[usize::from(ty.0)];
        let name = t.name;
        let message = match self {
            Fail::Code => format!("code {value:?} not in the {TABLE_NORM} list of {name}"),
            Fail::Length(len) => format!(
                "length {len} outside {}..{} for {name} ({TABLE_NORM})",
                t.min, t.max
            ),
            Fail::Pattern => {
                format!("value {value:?} does not match the {TABLE_NORM} pattern of {name}")
            }
        };
        Invalid {
            code_list: self == Fail::Code,
            message,
        }
    }
}

/// [`check`] with the message.
#[cfg(test)]
pub(crate) fn validate(ty: TypeRef, value: &str) -> Result<(), Invalid> {
    match check(ty, value, false) {
        None => Ok(()),
        Some(f) => Err(f.invalid(ty, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference semantics: the `regex` crate on the same pattern.
    fn regex_of(p: &str) -> Option<regex::Regex> {
        regex::Regex::new(&format!("^(?:{p})$")).ok()
    }

    #[test]
    fn dfa_builds_exactly_when_the_regex_compiles() {
        let mut built = 0;
        for t in norm_table::TYPES {
            let Some(p) = t.pattern else { continue };
            assert_eq!(
                Dfa::build(p).is_some(),
                regex_of(p).is_some(),
                "{}: {p}",
                t.name
            );
            built += usize::from(Dfa::build(p).is_some());
        }
        let with = norm_table::TYPES
            .iter()
            .filter(|t| t.pattern.is_some())
            .count();
        assert!(built * 10 >= with * 9, "{built}/{with} patterns compile");
    }

    /// The fast path's per-rubric record decides like the full check, for
    /// every type, on codes, numbers, dates, amounts and lengths.
    #[test]
    fn quick_records_agree_with_the_full_check() {
        let mut values: Vec<String> = [
            "",
            "0",
            "1",
            "01",
            "02",
            "99",
            "100",
            "076",
            "0A",
            "RETA",
            "01012024",
            "32012024",
            "01131999",
            "15031985",
            "99991980",
            "1523.45",
            "-84.50",
            "0.00",
            "000.00",
            "151.67",
            "12.5",
            "2610275002002",
            "8121Z",
            "69001",
            "2A",
            "FR",
            "P24V01",
            "a b",
            "LYON",
            "L'ISLE",
            "A_B",
            "x\ty",
            "Z9",
            "\x0b",
            "~",
            "lyon 2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        values.extend((0..=90).map(|n| "A".repeat(n)));
        values.extend((0..=40).map(|n| "9".repeat(n)));
        let mut kinds = [0usize; 7];
        for (i, t) in norm_table::TYPES.iter().enumerate() {
            let q = Quick::of(i as u16 + 1);
            assert_eq!(usize::from(q.ty1), i + 1);
            kinds[match q.kind {
                QuickKind::Two => 0,
                QuickKind::Three(_) => 1,
                QuickKind::Codes(_) => 2,
                QuickKind::Hand(_) => 3,
                QuickKind::Class => 4,
                QuickKind::Length => 5,
                QuickKind::Full => 6,
            }] += 1;
            let own = t.codes.iter().map(|c| c.to_string());
            for v in values.iter().cloned().chain(own) {
                let full = check_in(checks(), TypeRef(i as u16), &v, true);
                assert_eq!(q.check(checks(), &v), full, "{} {v:?}", t.name);
                if !matches!(q.kind, QuickKind::Full) {
                    assert_eq!(q.valid(v.as_bytes()), full.is_none(), "{} {v:?}", t.name);
                }
            }
        }
        // Each short path is taken by some type.
        assert!(kinds.iter().all(|&k| k > 0), "{kinds:?}");
        assert_eq!(Quick::of(0).ty1, 0);
    }

    #[test]
    fn code_sets_agree_with_the_list() {
        for t in norm_table::TYPES.iter().filter(|t| !t.codes.is_empty()) {
            let set = Codes::new(t.codes);
            for c in t.codes {
                assert!(set.contains(c.as_bytes()), "{} {c}", t.name);
            }
            for n in 0..1000 {
                for v in [format!("{n}"), format!("{n:02}"), format!("{n:03}")] {
                    let own = t.codes.contains(&v.as_str());
                    assert_eq!(set.contains(v.as_bytes()), own, "{v}");
                }
            }
            for v in [
                "",
                "A",
                "0A",
                "RETA",
                "retA",
                "RETA\0",
                "9000",
                "+1",
                "١٢",
                "ABCDEFG",
                "ABCDEFGH",
                "ABCDEFGHIJKLMNOP",
                "ABCDEFGHIJKLMNOPQ",
            ] {
                assert_eq!(set.contains(v.as_bytes()), t.codes.contains(&v), "{v}");
            }
            // Each code changed at its ends, cut or made longer.
            for c in t.codes {
                let b = c.as_bytes();
                let mut near: Vec<Vec<u8>> = vec![[b, b"X"].concat(), [b"X", b].concat()];
                if let Some((_, most)) = b.split_last() {
                    near.push(most.to_vec());
                    near.push([most, b"~"].concat());
                    near.push([b"~", &b[1..]].concat());
                }
                for v in near {
                    let own = t.codes.iter().any(|c| c.as_bytes() == v);
                    assert_eq!(set.contains(&v), own, "{} {v:?}", t.name);
                }
            }
        }
    }

    /// Strings matching each pattern and strings one edit away, to compare
    /// the DFA (and hand-written matchers) with the `regex` crate.
    fn samples(p: &'static str) -> impl Strategy<Value = String> {
        // The generator does not take anchors (the patterns use them only
        // at the ends of alternatives, where they change nothing here).
        let gen = p.replace(['^', '$'], "");
        let matching = proptest::string::string_regex(&gen).expect("pattern");
        let edits = prop_oneof![
            Just(None),
            (
                0usize..20,
                prop::sample::select(vec![
                    '0', '1', '9', '.', '-', 'A', 'z', ' ', 'é', '٣', '\'', ','
                ])
            )
                .prop_map(Some),
        ];
        (matching, edits, 0u8..3).prop_map(|(s, e, op)| {
            let mut c: Vec<char> = s.chars().collect();
            if let Some((i, ch)) = e {
                let i = i % (c.len() + 1);
                match op {
                    0 => c.insert(i, ch),
                    1 if i < c.len() => c[i] = ch,
                    _ if i < c.len() => {
                        c.remove(i);
                    }
                    _ => c.push(ch),
                }
            }
            c.into_iter().collect()
        })
    }

    #[test]
    fn dfa_and_hand_matchers_agree_with_regex() {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 300,
            ..ProptestConfig::default()
        });
        let mut classes = 0;
        for (i, t) in norm_table::TYPES.iter().enumerate() {
            let Some(p) = t.pattern else { continue };
            let (Some(re), Some(dfa)) = (regex_of(p), Dfa::build(p)) else {
                continue;
            };
            let hand = Hand::for_pattern(p);
            let q = Quick::of(i as u16 + 1);
            let class = matches!(q.kind, QuickKind::Class);
            classes += usize::from(class);
            runner
                .run(&samples(p), |s| {
                    prop_assert_eq!(dfa.is_match(s.as_bytes()), re.is_match(&s), "{} {:?}", p, s);
                    if class && s.is_ascii() {
                        prop_assert_eq!(
                            q.valid(s.as_bytes()),
                            q.length_ok(s.len()) && re.is_match(&s),
                            "class {:?} {:?}",
                            p,
                            s
                        );
                    }
                    if let Some(h) = hand {
                        prop_assert_eq!(
                            h.is_match(s.as_bytes()),
                            re.is_match(&s),
                            "{:?} {:?}",
                            h,
                            s
                        );
                    }
                    Ok(())
                })
                .unwrap();
        }
        assert!(classes > 0, "no type takes the class path");
    }
}
