//! Test-only helper: expands a compact per-contract timeline into monthly DSN
//! text (one file per establishment and month). Expected values in the tests
//! are worked out by hand from the timeline in `scenario()`, never from the
//! engine's output.
#![allow(dead_code)]

use std::ops::RangeInclusive;

/// Month number of the scenario: 1 = January 2022 … 30 = June 2024.
pub fn month_date(m: i32) -> String {
    let idx = 2022 * 12 + (m - 1);
    format!("01{:02}{:04}", idx % 12 + 1, idx / 12)
}

pub fn month_tag(m: i32) -> String {
    let idx = 2022 * 12 + (m - 1);
    format!("{:04}-{:02}", idx / 12, idx % 12 + 1)
}

pub struct Estab {
    pub siren: &'static str,
    pub nic: &'static str,
    pub naf: &'static str,
    pub postcode: &'static str,
    pub town: &'static str,
    pub tag: &'static str,
}

pub struct Person {
    pub nir: Option<&'static str>,
    pub ntt: Option<&'static str>,
    pub name: &'static str,
    pub sex: &'static str,
    pub birth: &'static str,
}

/// Something a contract carries in one month's declaration.
#[derive(Clone)]
pub enum Extra {
    /// S21.G00.62 with .001 date and .002 motif.
    Fin(&'static str, &'static str),
    /// S21.G00.60: motif, last day worked, planned end, resume date.
    Arret(
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    ),
    /// This month the individual is declared with the NTT only.
    NttOnly,
    /// This month the individual carries both NIR and NTT.
    NirAndNtt,
    /// This month the contract nature is this code.
    Nature(&'static str),
}

pub struct Contract {
    pub estab: usize,
    pub person: usize,
    pub number: &'static str,
    pub nature: &'static str,
    pub dispositif: &'static str,
    pub start: &'static str,
    pub planned_end: Option<&'static str>,
    pub boeth: Option<&'static str>,
    /// Scenario months whose monthly declaration carries the contract.
    pub months: RangeInclusive<i32>,
    pub extras: Vec<(i32, Extra)>,
}

pub struct Scenario {
    pub estabs: Vec<Estab>,
    pub persons: Vec<Person>,
    pub contracts: Vec<Contract>,
    /// Declared months of each establishment.
    pub declared: Vec<RangeInclusive<i32>>,
    /// (establishment, month) pairs the generator must NOT write (hand-written files instead).
    pub skip: Vec<(usize, i32)>,
}

struct Lines(Vec<String>);

impl Lines {
    fn push(&mut self, rubric: &str, value: &str) {
        self.0.push(format!("{rubric},'{value}'"));
    }
}

/// Monthly DSN text of establishment `e` for scenario month `m`.
pub fn render_month(s: &Scenario, e: usize, m: i32) -> String {
    let est = &s.estabs[e];
    let mut l = Lines(Vec::new());
    l.push("S10.G00.00.001", "ANCRAGE-TEST");
    l.push("S10.G00.00.002", "ANCRAGE");
    l.push("S10.G00.00.003", "1.0");
    l.push("S10.G00.00.005", "02");
    l.push("S10.G00.00.006", "P24V01");
    l.push("S10.G00.00.008", "01");
    l.push("S10.G00.01.001", est.siren);
    l.push("S10.G00.01.002", est.nic);
    l.push("S20.G00.05.001", "01");
    let contracts: Vec<&Contract> = s
        .contracts
        .iter()
        .filter(|c| c.estab == e && c.months.contains(&m))
        .collect();
    l.push(
        "S20.G00.05.002",
        if contracts.is_empty() { "02" } else { "01" },
    );
    l.push("S20.G00.05.003", "11");
    l.push("S20.G00.05.004", "1");
    l.push("S20.G00.05.005", &month_date(m));
    l.push("S21.G00.06.001", est.siren);
    l.push("S21.G00.06.003", est.naf);
    l.push("S21.G00.11.001", est.nic);
    l.push("S21.G00.11.002", est.naf);
    l.push("S21.G00.11.004", est.postcode);
    l.push("S21.G00.11.005", est.town);
    let mut persons: Vec<usize> = contracts.iter().map(|c| c.person).collect();
    persons.dedup();
    persons.sort_unstable();
    persons.dedup();
    for p in persons {
        let person = &s.persons[p];
        let mine: Vec<&&Contract> = contracts.iter().filter(|c| c.person == p).collect();
        let extras: Vec<&Extra> = mine
            .iter()
            .flat_map(|c| c.extras.iter().filter(|(mm, _)| *mm == m).map(|(_, x)| x))
            .collect();
        let ntt_only = extras.iter().any(|x| matches!(x, Extra::NttOnly));
        let both = extras.iter().any(|x| matches!(x, Extra::NirAndNtt));
        if !ntt_only {
            if let Some(nir) = person.nir {
                l.push("S21.G00.30.001", nir);
            }
        }
        l.push("S21.G00.30.002", person.name);
        l.push("S21.G00.30.004", "PRENOM");
        l.push("S21.G00.30.005", person.sex);
        l.push("S21.G00.30.006", person.birth);
        if ntt_only || both || person.nir.is_none() {
            if let Some(ntt) = person.ntt {
                l.push("S21.G00.30.020", ntt);
            }
        }
        for c in mine {
            let nature = c
                .extras
                .iter()
                .find_map(|(mm, x)| match x {
                    Extra::Nature(n) if *mm == m => Some(*n),
                    _ => None,
                })
                .unwrap_or(c.nature);
            l.push("S21.G00.40.001", c.start);
            l.push("S21.G00.40.007", nature);
            l.push("S21.G00.40.008", c.dispositif);
            l.push("S21.G00.40.009", c.number);
            if let Some(pe) = c.planned_end {
                l.push("S21.G00.40.010", pe);
            }
            if let Some(b) = c.boeth {
                l.push("S21.G00.40.072", b);
            }
            for (mm, x) in &c.extras {
                if *mm != m {
                    continue;
                }
                if let Extra::Arret(reason, last, planned, resume) = x {
                    l.push("S21.G00.60.001", reason);
                    l.push("S21.G00.60.002", last);
                    if let Some(p) = planned {
                        l.push("S21.G00.60.003", p);
                    }
                    if let Some(r) = resume {
                        l.push("S21.G00.60.010", r);
                    }
                }
            }
            for (mm, x) in &c.extras {
                if let (true, Extra::Fin(date, reason)) = (*mm == m, x) {
                    l.push("S21.G00.62.001", date);
                    l.push("S21.G00.62.002", reason);
                }
            }
        }
    }
    // S90: every line from S10 to S90 inclusive, and one declaration.
    let total = l.0.len() + 2;
    l.push("S90.G00.90.001", &total.to_string());
    l.push("S90.G00.90.002", "1");
    let mut out = l.0.join("\n");
    out.push('\n');
    out
}

/// All generated files: (file name, text).
pub fn render_all(s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (e, months) in s.declared.iter().enumerate() {
        for m in months.clone() {
            if s.skip.contains(&(e, m)) {
                continue;
            }
            out.push((
                format!("{}-{}.dsn", s.estabs[e].tag, month_tag(m)),
                render_month(s, e, m),
            ));
        }
    }
    out
}

pub const A: usize = 0;
pub const B: usize = 1;
pub const T: usize = 2;

/// The hand-built scenario (see tests/fixtures/README.md for the story).
pub fn scenario() -> Scenario {
    use Extra::*;
    let estabs = vec![
        Estab {
            siren: "123456789",
            nic: "00011",
            naf: "5610A",
            postcode: "75011",
            town: "PARIS",
            tag: "A",
        },
        Estab {
            siren: "987654321",
            nic: "00022",
            naf: "4711D",
            postcode: "69003",
            town: "LYON",
            tag: "B",
        },
        Estab {
            siren: "555555555",
            nic: "00033",
            naf: "7820Z",
            postcode: "13001",
            town: "MARSEILLE",
            tag: "T",
        },
    ];
    let p = |nir, ntt, name, sex, birth| Person {
        nir,
        ntt,
        name,
        sex,
        birth,
    };
    let persons = vec![
        /* 0 */ p(None, None, "UNUSED", "01", "01011990"),
        /* 1 */ p(Some("2000575111001"), None, "ALICE", "02", "15052000"),
        /* 2 */ p(Some("1700375111002"), None, "BRUNO", "01", "10031970"),
        /* 3 */
        p(
            Some("2850775111003"),
            Some("2123456789003"),
            "CHLOE",
            "02",
            "99991985",
        ),
        /* 4 */ p(Some("1900175111004"), None, "DAVID", "01", "01011990"),
        /* 5 */ p(Some("2980875111005"), None, "EMMA", "02", "20081998"),
        /* 6 */ p(Some("1750675111006"), None, "FARID", "01", "05061975"),
        /* 7 */ p(Some("2601275111007"), None, "GINA", "02", "12121960"),
        /* 8 */ p(Some("1030375111008"), None, "HUGO", "01", "03032003"),
        /* 9 */ p(Some("1950175111009"), None, "GHOST", "01", "01011995"),
        /* 10 */ p(Some("2800175111010"), None, "IRIS", "02", "01011980"),
        /* 11 */ p(Some("1880475111011"), None, "JULES", "01", "04041988"),
    ];
    let c = |estab, person, number, nature, dispositif, start, months| Contract {
        estab,
        person,
        number,
        nature,
        dispositif,
        start,
        planned_end: None,
        boeth: None,
        months,
        extras: Vec::new(),
    };
    let mut contracts = Vec::new();
    // P1: apprentice CDD Mar–Aug 2022 (end block in Aug), then CDI from 5 Sep 2022.
    let mut k = c(A, 1, "A-001", "02", "64", "01032022", 3..=8);
    k.planned_end = Some("31082022");
    k.extras = vec![(8, Fin("31082022", "031"))];
    contracts.push(k);
    contracts.push(c(A, 1, "A-002", "01", "99", "05092022", 9..=30));
    // P2: CDI since June 2021 (stock, not a hire); work accident 10 Mar 2023,
    // declared in March and again in April with the resume date.
    let mut k = c(A, 2, "A-010", "01", "99", "01062021", 1..=30);
    k.extras = vec![
        (15, Arret("06", "09032023", Some("31032023"), None)),
        (
            16,
            Arret("06", "09032023", Some("31032023"), Some("03042023")),
        ),
    ];
    contracts.push(k);
    // P3: CUI CDD Feb–Jul 2023, NTT only Feb–Apr, NIR + NTT May–Jul, end in July.
    let mut k = c(A, 3, "A-020", "02", "21", "01022023", 14..=19);
    k.planned_end = Some("31072023");
    k.extras = vec![
        (14, NttOnly),
        (15, NttOnly),
        (16, NttOnly),
        (17, NirAndNtt),
        (18, NirAndNtt),
        (19, NirAndNtt),
        (19, Fin("31072023", "031")),
    ];
    contracts.push(k);
    // P3 earlier: a temp mission at T, 10–28 Jan 2022.
    let mut k = c(T, 3, "T-001", "03", "99", "10012022", 1..=1);
    k.planned_end = Some("28012022");
    k.extras = vec![(1, Fin("28012022", "032"))];
    contracts.push(k);
    // P4: CDI from 2 May 2022, declared until Dec 2022, then silently gone.
    contracts.push(c(A, 4, "A-030", "01", "99", "02052022", 5..=12));
    // P5: CDD June 2022, end block only in the July declaration; recalled Dec 2022.
    let mut k = c(A, 5, "A-040", "02", "99", "01062022", 6..=7);
    k.planned_end = Some("30062022");
    k.extras = vec![(7, Fin("30062022", "031"))];
    contracts.push(k);
    let mut k = c(A, 5, "A-041", "02", "99", "01122022", 12..=12);
    k.planned_end = Some("31122022");
    k.extras = vec![(12, Fin("31122022", "031"))];
    contracts.push(k);
    // P6: CDI from 1 Jun 2023; end of trial period declared in Aug 2023,
    // cancelled (099) in Sep 2023, still declared until June 2024.
    let mut k = c(A, 6, "A-050", "01", "99", "01062023", 18..=30);
    k.extras = vec![(20, Fin("31082023", "034")), (21, Fin("31082023", "099"))];
    contracts.push(k);
    // P7: BOETH CDI from 1 Feb 2024. The original February declaration wrongly
    // says CDD (02) and lists a ghost hire (P9); the A&R file corrects it.
    let mut k = c(A, 7, "A-060", "01", "99", "01022024", 26..=30);
    k.boeth = Some("01");
    k.extras = vec![(26, Nature("02"))];
    contracts.push(k);
    let mut k = c(A, 9, "A-099", "02", "99", "01022024", 26..=26);
    k.planned_end = Some("30062024");
    contracts.push(k);
    // P8: CDI at B from 1 Feb 2022, long sick leave Feb–Jul 2023, resigns
    // 15 Sep 2023 (FCTU only), CDI at A from 1 Mar 2024.
    let mut k = c(B, 8, "B-001", "01", "99", "01022022", 2..=21);
    for m in 14..=19 {
        k.extras
            .push((m, Arret("01", "31012023", Some("30062023"), None)));
    }
    k.extras.push((
        20,
        Arret("01", "31012023", Some("30062023"), Some("01082023")),
    ));
    contracts.push(k);
    contracts.push(c(A, 8, "A-070", "01", "99", "01032024", 27..=30));
    // P10: B's long-standing CDI (stock).
    contracts.push(c(B, 10, "B-100", "01", "99", "01092015", 1..=30));
    Scenario {
        estabs,
        persons,
        contracts,
        declared: vec![1..=30, 1..=30, 1..=30],
        // B October 2022 is written by hand as two fractions.
        skip: vec![(B, 10)],
    }
}
