//! From the simulated month to DSN files: declarations (model), envois and
//! files (through the DSN crate's writer), realism knobs, manifest entries.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ancrage_dsn::{
    format_date, ids, Block, BlockId, Contrat, Declaration, DsnWriter, EnvoiHeader, Individu,
    LineEnding, OutputEncoding, WriterOptions,
};
use rand::Rng;
use serde::Serialize;

use crate::config::OutputKnobs;
use crate::ids::{fake_nir, ntt};
use crate::rng::{stream, SimRng};
use crate::sector::job;
use crate::setup::{localite, Estab, Kind};
use crate::sim::{date, flags, month_bounds, Contract, Day, Person, World, OPEN};
use crate::territory::Territory;

const SALARY: BlockId = BlockId::new(21, 0, 50);
const REMUNERATION: BlockId = BlockId::new(21, 0, 51);
const RETRAITE: BlockId = BlockId::new(21, 0, 71);
const CONTACT: BlockId = BlockId::new(10, 0, 2);

/// One injected anomaly, as listed in `manifest.json`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Anomaly {
    /// `annule_remplace`, `missing_end`, `late_end`, `ntt_then_nir`,
    /// `fraction`, `utf8_file`, `crlf_file`, `lot_envelope`, `malformed_line`.
    pub kind: &'static str,
    /// File path relative to the output directory.
    pub file: String,
    pub siret: String,
    /// Declared month `YYYY-MM` (or month of the event).
    pub month: String,
    pub detail: String,
}

/// What one basin wrote.
#[derive(Clone, Debug, Default)]
pub struct EmitTotals {
    pub files: u64,
    pub bytes: u64,
    pub declarations: u64,
    pub monthly: u64,
    pub fctu: u64,
    pub arret_signals: u64,
    pub contract_months: u64,
    pub anomalies: Vec<Anomaly>,
}

const FIRST_F: [&str; 16] = [
    "Marie", "Camille", "Léa", "Chloé", "Inès", "Manon", "Sarah", "Émilie", "Hélène", "Nathalie",
    "Sandrine", "Zoé", "Anaïs", "Céline", "Aïcha", "Fatou",
];
const FIRST_M: [&str; 16] = [
    "Thomas",
    "Nicolas",
    "Julien",
    "Lucas",
    "Hugo",
    "Karim",
    "Mehdi",
    "Jérôme",
    "Sébastien",
    "François",
    "Loïc",
    "Antoine",
    "Théo",
    "Yannick",
    "Gaël",
    "Moussa",
];
const LAST: [&str; 24] = [
    "Martin", "Bernard", "Le Gall", "Le Goff", "Thomas", "Petit", "Robert", "Lefèvre", "Guérin",
    "Rousseau", "Morel", "Le Bihan", "Fournier", "Girard", "Bonnet", "Dupré", "Lambert", "Kerbrat",
    "Benali", "Nguyen", "Diallo", "Mercier", "Boucher", "Prévost",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Single,
    Bureau,
    Ar,
    Fraction,
}

/// Writes the DSN files of one basin.
pub struct Emitter<'a> {
    out: PathBuf,
    basin_code: String,
    territory: &'a Territory,
    norm: String,
    totals: EmitTotals,
    seed: u64,
    basin: usize,
    signal_order: u64,
    /// (Latin-1 share, CRLF share, malformed-line share).
    shares: (f64, f64, f64),
}

fn month_label(start: (i32, u32), m: u32) -> (String, String) {
    let total = start.1 - 1 + m;
    let y = start.0 + (total / 12) as i32;
    let mo = total % 12 + 1;
    (format!("{y}-{mo:02}"), format!("{y}{mo:02}"))
}

impl<'a> Emitter<'a> {
    pub fn new(
        out: &Path,
        basin: usize,
        basin_code: &str,
        territory: &'a Territory,
        seed: u64,
        knobs: &OutputKnobs,
    ) -> Self {
        Self {
            out: out.to_path_buf(),
            basin_code: basin_code.to_string(),
            territory,
            norm: knobs.norm_version.clone(),
            totals: EmitTotals::default(),
            seed,
            basin,
            signal_order: 0,
            shares: (knobs.latin1_share, knobs.crlf_share, knobs.malformed_share),
        }
    }

    pub fn totals(self) -> EmitTotals {
        self.totals
    }

    fn envoi(&self, emitter: &Estab) -> Arc<EnvoiHeader> {
        let commune = &self.territory.communes[emitter.commune];
        Arc::new(EnvoiHeader {
            blocks: vec![
                Block::new(ids::ENVOI)
                    .with(1, "ANCRAGE SYNTH")
                    .with(2, "ANCRAGE")
                    .with(3, "1.0")
                    .with(5, "02")
                    .with(6, self.norm.clone())
                    .with(7, "01")
                    .with(8, "01"),
                Block::new(ids::EMETTEUR)
                    .with(1, emitter.siren.clone())
                    .with(2, emitter.nic.clone())
                    .with(3, truncate(&emitter.name, 60))
                    .with(4, address(emitter))
                    .with(5, commune.postcode.clone())
                    .with(6, localite(&commune.name)),
                Block::new(CONTACT)
                    .with(1, "01")
                    .with(2, "SERVICE PAIE")
                    .with(4, "paie@example.invalid")
                    .with(5, "0102030405"),
            ],
            line: 0,
        })
    }

    fn company_blocks(&self, e: &Estab, d: &mut Declaration) {
        let commune = &self.territory.communes[e.commune];
        d.entreprise = Some(
            Block::new(ids::ENTREPRISE)
                .with(1, e.siren.clone())
                .with(2, e.head_nic.clone())
                .with(3, e.naf.clone())
                .with(4, address(e))
                .with(5, commune.postcode.clone())
                .with(6, localite(&commune.name)),
        );
        d.etablissement = Some(
            Block::new(ids::ETABLISSEMENT)
                .with(1, e.nic.clone())
                .with(2, e.naf.clone())
                .with(3, address(e))
                .with(4, commune.postcode.clone())
                .with(5, localite(&commune.name))
                .with(17, "01")
                .with(22, "9999"),
        );
    }

    fn header(
        nature: &str,
        kind: &str,
        fraction: &str,
        order: u64,
        month: Option<Day>,
        file_date: Day,
    ) -> Block {
        let mut b = Block::new(ids::DECLARATION)
            .with(1, nature)
            .with(2, kind)
            .with(3, fraction)
            .with(4, order.to_string());
        if let Some(m) = month {
            b = b.with(5, format_date(date(m)));
        }
        b.with(7, format_date(date(file_date)))
            .with(8, "01")
            .with(10, "01")
    }

    fn individual_block(p: &Person, e: &Estab, nir: bool, with_ntt: bool) -> Block {
        let mut b = Block::new(ids::INDIVIDU);
        let birth = date(p.birth);
        if nir {
            b = b.with(
                1,
                fake_nir(p.female, chrono::Datelike::year(&birth), p.number),
            );
        }
        let first = if p.female {
            FIRST_F[p.first_name as usize % FIRST_F.len()]
        } else {
            FIRST_M[p.first_name as usize % FIRST_M.len()]
        };
        b = b
            .with(2, LAST[p.last_name as usize % LAST.len()].to_uppercase())
            .with(4, first)
            .with(5, if p.female { "02" } else { "01" })
            .with(6, format_date(birth))
            .with(19, format!("M{}", p.number));
        if with_ntt {
            b = b.with(20, ntt(p.female, &e.siren, p.number));
        }
        b
    }

    fn contract_block(c: &Contract, e: &Estab, p: &Person, user: Option<&Estab>) -> Block {
        let (pcs, label) = job(&e.naf, e.params.blue_collar, c.cadre);
        let statut = if c.cadre {
            "04"
        } else if e.params.blue_collar {
            "07"
        } else {
            "06"
        };
        let mut b = Block::new(ids::CONTRAT)
            .with(1, format_date(date(c.start)))
            .with(2, statut)
            .with(3, if c.cadre { "01" } else { "04" })
            .with(4, pcs)
            .with(6, label)
            .with(7, format!("{:02}", c.nature))
            .with(8, format!("{:02}", c.dispositif))
            .with(9, format!("{:05}", c.no));
        if c.planned_end != OPEN && c.nature != 1 {
            b = b.with(10, format_date(date(c.planned_end)));
        }
        b = b
            .with(11, "10")
            .with(12, "151.67")
            .with(13, if c.part_time { "104.00" } else { "151.67" })
            .with(14, if c.part_time { "20" } else { "10" })
            .with(16, "99")
            .with(17, "9999")
            .with(18, "200")
            .with(19, user.map_or(e.siret.clone(), |u| u.siret.clone()))
            .with(20, "200");
        if c.recours != 0 && c.nature != 1 {
            b = b.with(21, format!("{:02}", c.recours));
        }
        b = b
            .with(24, "99")
            .with(26, "99")
            .with(36, "01")
            .with(37, "01");
        if p.boeth {
            b = b.with(72, "01");
        }
        let aided_post = match e.kind {
            Kind::Ea => true,
            k if k.is_iae() => c.dispositif == 71,
            _ => false,
        };
        if aided_post {
            if let Some(code) = e.kind.complement() {
                b = b.with(73, code);
            }
        }
        b
    }

    fn arret_blocks(c: &Contract, ms: Day, me: Day, only_start: bool) -> Vec<Block> {
        let mut v = Vec::new();
        for a in &c.arrets {
            let starts = (ms..=me).contains(&a.start);
            let resumes = !only_start && (ms..=me).contains(&(a.end + 1));
            if !starts && !resumes {
                continue;
            }
            let mut b = Block::new(ids::ARRET)
                .with(1, format!("{:02}", a.reason))
                .with(2, format_date(date(a.start - 1)))
                .with(3, format_date(date(a.end)));
            if resumes {
                b = b.with(10, format_date(date(a.end + 1))).with(11, "01");
            }
            if matches!(a.reason, 4 | 6) {
                b = b.with(12, format_date(date(a.start - 1)));
            }
            v.push(b);
        }
        v
    }

    fn end_block(c: &Contract, fctu_month: Option<Day>) -> Block {
        let mut b = Block::new(ids::FIN_CONTRAT)
            .with(1, format_date(date(c.end)))
            .with(2, format!("{:03}", c.reason));
        if let Some(m) = fctu_month {
            b = b.with(20, format_date(date(m)));
        }
        b
    }

    /// Pay blocks of an individual for the month.
    fn pay_blocks(contracts: &[&Contract], ms: Day, me: Day) -> Vec<Block> {
        let ndays = (me - ms + 1) as f64;
        let mut total = 0.0;
        let mut rem = Vec::new();
        for c in contracts {
            let from = c.start.max(ms);
            let to = c.end.min(me);
            if to < from {
                continue;
            }
            let frac = (to - from + 1) as f64 / ndays;
            let q = if c.part_time { 104.0 / 151.67 } else { 1.0 };
            let gross = c.pay as f64 * frac * q;
            total += gross;
            rem.push(
                Block::new(REMUNERATION)
                    .with(1, format_date(date(from)))
                    .with(2, format_date(date(to)))
                    .with(10, format!("{:05}", c.no))
                    .with(11, "001")
                    .with(13, format!("{gross:.2}")),
            );
        }
        let net = total * 0.78;
        let mut v = vec![Block::new(SALARY)
            .with(1, format_date(date(me)))
            .with(2, format!("{:.2}", net * 1.03))
            .with(4, format!("{net:.2}"))];
        v.extend(rem);
        v
    }

    /// Write month `m` of the basin.
    pub fn month(&mut self, w: &World, m: u32) -> io::Result<()> {
        let (ms, me) = month_bounds(w.start, m);
        let (label, compact) = month_label(w.start, m);
        let mut rng = stream(self.seed, 0xD5A0 + self.basin as u64, m as u64);
        let dir_rel = format!("dsn/{}/{}", self.basin_code, label);
        std::fs::create_dir_all(self.out.join(&dir_rel))?;
        let file_date = me + 5;
        let prev_ms = if m > 0 {
            Some(month_bounds(w.start, m - 1))
        } else {
            None
        };
        let mut bureau_decls: BTreeMap<usize, Vec<Declaration>> = BTreeMap::new();
        let mut signal_files: Vec<(String, Declaration, Day)> = Vec::new();

        for l in 0..w.members.len() {
            let e = w.estab(l);
            if m < e.open_month || e.close_month.is_some_and(|c| m > c) {
                continue;
            }
            let st = &w.states[l];
            // Contracts declared this month.
            let mut list: Vec<&Contract> = st
                .contracts
                .iter()
                .filter(|c| {
                    c.active_in(ms, me)
                        || (c.flags & flags::LATE_END != 0
                            && prev_ms.is_some_and(|(pms, pme)| (pms..=pme).contains(&c.end)))
                })
                .collect();
            list.sort_by_key(|c| (c.person, c.start, c.no));
            let mut n_ind = 0;
            for (k, c) in list.iter().enumerate() {
                if k == 0 || list[k - 1].person != c.person {
                    n_ind += 1;
                }
            }
            let base = format!("{dir_rel}/{}_{compact}", e.siret);
            let u: f64 = rng.gen();
            let knobs = &w.cfg.output;
            let mode = if e.bureau.is_some() {
                Mode::Bureau
            } else if n_ind >= 2 && u < knobs.ar_share {
                Mode::Ar
            } else if n_ind >= 4 && u < knobs.ar_share + knobs.fraction_share {
                Mode::Fraction
            } else {
                Mode::Single
            };
            let file_for = |idx: usize| -> String {
                match mode {
                    Mode::Bureau => format!(
                        "{dir_rel}/bureau_{}_{compact}.dsn",
                        w.estabs[e.bureau.unwrap()].siret
                    ),
                    Mode::Ar => format!("{base}_2_ar.dsn"),
                    Mode::Fraction if idx < n_ind / 2 => format!("{base}_f1.dsn"),
                    Mode::Fraction => format!("{base}_f2.dsn"),
                    Mode::Single => format!("{base}.dsn"),
                }
            };
            let mut individus: Vec<Individu> = Vec::new();
            let mut users: Vec<u32> = Vec::new();
            let mut i = 0;
            while i < list.len() {
                let p = list[i].person;
                let mut j = i;
                while j < list.len() && list[j].person == p {
                    j += 1;
                }
                let group = &list[i..j];
                i = j;
                let person = &w.persons[p as usize];
                // NTT phase: first month of a flagged contract, alone in the group.
                let ntt_first = group.len() == 1
                    && group[0].flags & flags::NTT_FIRST != 0
                    && (ms..=me).contains(&group[0].start);
                let ntt_second = group.iter().any(|c| {
                    c.flags & flags::NTT_FIRST != 0
                        && prev_ms.is_some_and(|(pms, pme)| (pms..=pme).contains(&c.start))
                });
                if ntt_first {
                    self.totals.anomalies.push(Anomaly {
                        kind: "ntt_then_nir",
                        file: file_for(individus.len()),
                        siret: e.siret.clone(),
                        month: label.clone(),
                        detail: format!(
                            "contract {:05}: NTT {} only, NIR {} from the next month",
                            group[0].no,
                            ntt(person.female, &e.siren, person.number),
                            fake_nir(
                                person.female,
                                chrono::Datelike::year(&date(person.birth)),
                                person.number
                            )
                        ),
                    });
                }
                let mut ind = Individu {
                    block: Self::individual_block(person, e, !ntt_first, ntt_first || ntt_second),
                    contrats: Vec::new(),
                    other: Vec::new(),
                };
                let mut active: Vec<&Contract> = Vec::new();
                for c in group {
                    let user = (c.user != u32::MAX).then(|| &w.estabs[c.user as usize]);
                    if user.is_some() && !users.contains(&c.user) {
                        users.push(c.user);
                    }
                    let mut k = Contrat::new(Self::contract_block(c, e, person, user));
                    k.arrets = Self::arret_blocks(c, ms, me, false);
                    let ends_now = (ms..=me).contains(&c.end);
                    let late_now = c.flags & flags::LATE_END != 0 && c.end < ms;
                    if c.flags & flags::MISSING_END != 0 {
                        if ends_now {
                            self.totals.anomalies.push(Anomaly {
                                kind: "missing_end",
                                file: file_for(individus.len()),
                                siret: e.siret.clone(),
                                month: label.clone(),
                                detail: format!(
                                    "contract {:05} ended {} (motif {:03}) without end block",
                                    c.no,
                                    date(c.end),
                                    c.reason
                                ),
                            });
                        }
                    } else if c.flags & flags::LATE_END != 0 {
                        if late_now {
                            k.fin = Some(Self::end_block(c, None));
                            self.totals.anomalies.push(Anomaly {
                                kind: "late_end",
                                file: file_for(individus.len()),
                                siret: e.siret.clone(),
                                month: label.clone(),
                                detail: format!(
                                    "contract {:05} ended {}: end block one month late",
                                    c.no,
                                    date(c.end)
                                ),
                            });
                        }
                    } else if ends_now {
                        k.fin = Some(Self::end_block(c, None));
                    }
                    k.other.push(Block::new(RETRAITE).with(2, "RETA"));
                    // Signalements.
                    if ends_now && c.flags & flags::FCTU != 0 && c.flags & flags::MISSING_END == 0 {
                        signal_files.push((
                            format!("fctu_{}_{:05}", e.siret, c.no),
                            self.fctu(w, e, c, person, ms),
                            c.end + 1,
                        ));
                    }
                    for a in &c.arrets {
                        if a.signal && (ms..=me).contains(&a.start) {
                            let mut one: Contract = (*c).clone();
                            one.arrets = vec![a.clone()];
                            signal_files.push((
                                format!("arret_{}_{:05}_{}", e.siret, c.no, a.start),
                                self.arret_signal(w, e, &one, person, ms, me),
                                a.start + 1,
                            ));
                        }
                    }
                    if !late_now {
                        active.push(c);
                        self.totals.contract_months += 1;
                    }
                    ind.contrats.push(k);
                }
                ind.other = Self::pay_blocks(&active, ms, me);
                individus.push(ind);
            }
            let lieux: Vec<Block> = users
                .iter()
                .map(|&u| {
                    let ue = &w.estabs[u as usize];
                    let uc = &self.territory.communes[ue.commune];
                    Block::new(ids::LIEU_TRAVAIL)
                        .with(1, ue.siret.clone())
                        .with(2, ue.naf.clone())
                        .with(3, address(ue))
                        .with(4, uc.postcode.clone())
                        .with(5, localite(&uc.name))
                        .with(10, "01")
                        .with(11, uc.code.clone())
                })
                .collect();
            let kind = if individus.is_empty() { "02" } else { "01" };
            let month_day = Some(ms);
            let make = |em: &Self,
                        kind: &str,
                        fraction: &str,
                        order: u64,
                        inds: Vec<Individu>,
                        fd: Day| {
                let envoi = em.envoi(e);
                let mut d = Declaration::new(
                    envoi,
                    Self::header("01", kind, fraction, order, month_day, fd),
                );
                em.company_blocks(e, &mut d);
                d.individus = inds;
                d.lieux_travail = lieux.clone();
                d
            };
            match mode {
                Mode::Bureau => {
                    let d = make(self, kind, "11", 1, individus, file_date);
                    bureau_decls.entry(e.bureau.unwrap()).or_default().push(d);
                }
                Mode::Ar => {
                    // Incomplete first declaration, then "annule et remplace".
                    let mut first = individus.clone();
                    let dropped = first.pop().unwrap();
                    let orig = make(self, "01", "11", 1, first, file_date);
                    let mut repl = make(self, "03", "11", 2, individus, file_date + 4);
                    let id = format!("{}1", format_date(date(file_date)));
                    // After .005 (rubrics stay in ascending order).
                    repl.header.fields.insert(
                        5,
                        ancrage_dsn::Field {
                            num: 6,
                            value: id,
                            line: 0,
                        },
                    );
                    let f1 = format!("{base}_1.dsn");
                    let f2 = file_for(0);
                    self.write_file(&f1, &[orig], &mut rng, false, &e.siret, &label)?;
                    self.write_file(&f2, &[repl], &mut rng, false, &e.siret, &label)?;
                    self.totals.anomalies.push(Anomaly {
                        kind: "annule_remplace",
                        file: f1,
                        siret: e.siret.clone(),
                        month: label.clone(),
                        detail: format!(
                            "individual {} missing, replaced by {f2} (type 03)",
                            dropped.nir().or(dropped.ntt()).unwrap_or("?")
                        ),
                    });
                }
                Mode::Fraction => {
                    let second = individus.split_off(n_ind / 2);
                    let d1 = make(self, "01", "12", 1, individus, file_date);
                    let d2 = make(self, "01", "22", 1, second, file_date);
                    let (f1, f2) = (file_for(0), file_for(n_ind));
                    self.write_file(&f1, &[d1], &mut rng, false, &e.siret, &label)?;
                    self.write_file(&f2, &[d2], &mut rng, false, &e.siret, &label)?;
                    self.totals.anomalies.push(Anomaly {
                        kind: "fraction",
                        file: f1,
                        siret: e.siret.clone(),
                        month: label.clone(),
                        detail: format!(
                            "declaration split in two fractions (12, 22); second part {f2}"
                        ),
                    });
                }
                Mode::Single => {
                    let d = make(self, kind, "11", 1, individus, file_date);
                    self.write_file(&file_for(0), &[d], &mut rng, false, &e.siret, &label)?;
                }
            }
        }
        // Payroll bureaus: one envoi (and file) per bureau and month.
        for (b, decls) in bureau_decls {
            let be = &w.estabs[b];
            let envoi = self.envoi(be);
            let decls: Vec<Declaration> = decls
                .into_iter()
                .map(|mut d| {
                    d.envoi = envoi.clone();
                    d
                })
                .collect();
            let f = format!("{dir_rel}/bureau_{}_{compact}.dsn", be.siret);
            let lot = rng.gen::<f64>() < w.cfg.output.lot_share;
            self.write_file(&f, &decls, &mut rng, lot, &be.siret, &label)?;
        }
        for (name, d, fd) in signal_files {
            let mut d = d;
            // File date of a signalement: the day after the event.
            d.header = {
                let mut h = d.header.clone();
                for f in &mut h.fields {
                    if f.num == 7 {
                        f.value = format_date(date(fd));
                    }
                }
                h
            };
            let f = format!("{dir_rel}/{name}.dsn");
            let siret = d.siret().unwrap_or_default();
            self.write_file(&f, &[d], &mut rng, false, &siret, &label)?;
        }
        Ok(())
    }

    fn next_signal_order(&mut self) -> u64 {
        self.signal_order += 1;
        self.basin as u64 * 100_000_000 + self.signal_order
    }

    fn fctu(&mut self, w: &World, e: &Estab, c: &Contract, p: &Person, ms: Day) -> Declaration {
        let order = self.next_signal_order();
        let mut d = Declaration::new(
            self.envoi(e),
            Self::header("07", "01", "11", order, None, c.end + 1),
        );
        self.company_blocks(e, &mut d);
        let user = (c.user != u32::MAX).then(|| &w.estabs[c.user as usize]);
        let mut k = Contrat::new(Self::contract_block(c, e, p, user));
        k.fin = Some(Self::end_block(c, Some(ms)));
        d.individus.push(Individu {
            block: Self::individual_block(p, e, true, false),
            contrats: vec![k],
            other: Vec::new(),
        });
        self.totals.fctu += 1;
        d
    }

    fn arret_signal(
        &mut self,
        w: &World,
        e: &Estab,
        c: &Contract,
        p: &Person,
        ms: Day,
        me: Day,
    ) -> Declaration {
        let order = self.next_signal_order();
        let start = c.arrets[0].start;
        let mut d = Declaration::new(
            self.envoi(e),
            Self::header("04", "01", "11", order, None, start + 1),
        );
        self.company_blocks(e, &mut d);
        let user = (c.user != u32::MAX).then(|| &w.estabs[c.user as usize]);
        let mut k = Contrat::new(Self::contract_block(c, e, p, user));
        k.arrets = Self::arret_blocks(c, ms, me, true);
        d.individus.push(Individu {
            block: Self::individual_block(p, e, true, false),
            contrats: vec![k],
            other: Vec::new(),
        });
        self.totals.arret_signals += 1;
        d
    }

    fn write_file(
        &mut self,
        rel: &str,
        decls: &[Declaration],
        rng: &mut SimRng,
        lot: bool,
        siret: &str,
        month: &str,
    ) -> io::Result<()> {
        let knobs_latin1: f64 = rng.gen();
        let knobs_crlf: f64 = rng.gen();
        let knobs_bad: f64 = rng.gen();
        let (latin1_share, crlf_share, bad_share) = self.shares;
        let utf8 = knobs_latin1 >= latin1_share;
        let crlf = knobs_crlf < crlf_share;
        let opts = WriterOptions {
            encoding: if utf8 {
                OutputEncoding::Utf8
            } else {
                OutputEncoding::Latin1
            },
            line_ending: if crlf {
                LineEnding::CrLf
            } else {
                LineEnding::Lf
            },
        };
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut buf: Vec<u8> = Vec::with_capacity(4096);
        let lot_id = format!(
            "{:010}",
            (self.basin as u64) * 1_000_000 + self.totals.files % 1_000_000
        );
        if lot {
            for (r, v) in [
                ("S05.G51.00.001", "V01R02".to_string()),
                ("S05.G51.00.002", lot_id.clone()),
                ("S05.G51.00.003", "01".into()),
                (
                    "S05.G51.00.004",
                    decls[0].header.get(7).unwrap_or("01012025").to_string(),
                ),
                ("S05.G51.00.005", "120000".into()),
                ("S05.G51.00.006", "1".into()),
                ("S06.G51.00.001", "DSNOK".into()),
            ] {
                buf.extend_from_slice(format!("{r},'{v}'").as_bytes());
                buf.extend_from_slice(eol);
            }
        }
        {
            let mut wr = DsnWriter::new(&mut buf, opts);
            wr.begin_envoi(&decls[0].envoi)?;
            for d in decls {
                wr.write_declaration(d)?;
            }
            wr.finish()?;
        }
        if lot {
            for (r, v) in [
                ("S96.G51.00.001", "FINSL".to_string()),
                ("S96.G51.00.002", "1".into()),
                ("S95.G51.00.001", lot_id),
                ("S95.G51.00.002", "1".into()),
            ] {
                buf.extend_from_slice(format!("{r},'{v}'").as_bytes());
                buf.extend_from_slice(eol);
            }
            self.note(
                "lot_envelope",
                rel,
                siret,
                month,
                "envoi wrapped in a V01R02 lot envelope",
            );
        }
        if knobs_bad < bad_share {
            if let Some(line) = unquote_first(&mut buf, b"S21.G00.40.006,'") {
                self.note(
                    "malformed_line",
                    rel,
                    siret,
                    month,
                    &format!("line {line}: S21.G00.40.006 value without quotes (injected error)"),
                );
            }
        }
        if utf8 {
            self.note("utf8_file", rel, siret, month, "UTF-8 instead of Latin-1");
        }
        if crlf {
            self.note("crlf_file", rel, siret, month, "CRLF line endings");
        }
        std::fs::write(self.out.join(rel), &buf)?;
        self.totals.files += 1;
        self.totals.bytes += buf.len() as u64;
        self.totals.declarations += decls.len() as u64;
        self.totals.monthly += decls
            .iter()
            .filter(|d| d.nature_code() == Some("01"))
            .count() as u64;
        Ok(())
    }

    fn note(&mut self, kind: &'static str, rel: &str, siret: &str, month: &str, detail: &str) {
        self.totals.anomalies.push(Anomaly {
            kind,
            file: rel.to_string(),
            siret: siret.to_string(),
            month: month.to_string(),
            detail: detail.to_string(),
        });
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn address(e: &Estab) -> String {
    truncate(
        &format!("{} {} {}", e.street_no, e.street_type, e.street).to_uppercase(),
        50,
    )
}

/// Remove the quotes of the first line starting with `prefix`; returns its
/// 1-based line number.
fn unquote_first(buf: &mut Vec<u8>, prefix: &[u8]) -> Option<usize> {
    let pos = buf.windows(prefix.len()).position(|w| w == prefix)?;
    let line = buf[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    let q1 = pos + prefix.len() - 1;
    let end = q1 + 1 + buf[q1 + 1..].iter().position(|&b| b == b'\n')?;
    let mut q2 = end;
    while q2 > q1 && buf[q2] != b'\'' {
        q2 -= 1;
    }
    if q2 <= q1 {
        return None;
    }
    buf.remove(q2);
    buf.remove(q1);
    Some(line)
}

impl Emitter<'_> {
    /// Contract-months written so far.
    pub fn contract_months(&self) -> u64 {
        self.totals.contract_months
    }
}
